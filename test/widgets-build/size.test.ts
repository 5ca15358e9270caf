import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const dist = resolve(import.meta.dirname, '../../widgets/dist');
const KB = 1024;

/** Gzipped budgets, Lit included (issue 5). */
const BUDGETS: { file: string; what: string; kb: number }[] = [
  { file: 'esm/crm-churn-badge.js', what: '<crm-churn-badge>', kb: 10 },
  { file: 'esm/crm-feedback-form.js', what: '<crm-feedback-form>', kb: 20 },
  { file: 'esm/crm-customer-card.js', what: '<crm-customer-card>', kb: 20 },
  { file: 'crm-widgets.js', what: 'all-in-one crm-widgets.js', kb: 30 },
];

/** The file and every module it statically or dynamically imports (relative specifiers), each once. */
function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g)) closure(join(dirname(file), m[1]), seen);
  return seen;
}

/** What a browser downloads: every file gzipped on its own (level 9), summed. */
function gzippedSize(entry: string): { bytes: number; files: number } {
  const files = [...closure(join(dist, entry))];
  return { bytes: files.reduce((sum, f) => sum + gzipSync(readFileSync(f), { level: 9 }).length, 0), files: files.length };
}

describe('widget bundle sizes (gzipped, Lit included)', () => {
  it('finds the built bundles (npm run build:widgets)', () => {
    for (const { file } of BUDGETS) expect(existsSync(join(dist, file)), `${file} missing: run npm run build:widgets`).toBe(true);
  });

  for (const { file, what, kb } of BUDGETS) {
    it(`keeps ${what} within ${kb} KB`, () => {
      const { bytes, files } = gzippedSize(file);
      console.log(`${what.padEnd(28)} ${(bytes / KB).toFixed(2).padStart(6)} KB gzipped (${bytes} B, ${files} file${files > 1 ? 's' : ''}; budget ${kb} KB)`);
      expect(bytes).toBeLessThanOrEqual(kb * KB);
    });
  }
});
