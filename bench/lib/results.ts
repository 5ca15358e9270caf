import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * `dir/name.json`, or `dir/name-2.json`, `-3`… when a run of the same day and commit already
 * wrote one: a second run never overwrites the first's figures.
 */
export function resultsFile(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  for (let n = 1; ; n++) {
    const file = path.join(dir, `${name}${n === 1 ? '' : `-${n}`}.json`);
    if (!existsSync(file)) return file;
  }
}

/** The nearest-rank `p`th percentile of ascending `sorted` (NaN when empty): every benchmark's latency figures. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
