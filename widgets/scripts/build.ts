/**
 * `npm run build:widgets`: the IIFE bundle and one ES module per element into widgets/dist (emptied
 * first), then custom-elements.json (widgets/dist and widgets/, the latter committed).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { ELEMENT_ENTRIES } from '../vite.config.js';

const widgets = fileURLToPath(new URL('..', import.meta.url));
const configFile = fileURLToPath(new URL('../vite.config.ts', import.meta.url));

rmSync(`${widgets}/dist`, { recursive: true, force: true });
for (const mode of ['iife', ...Object.keys(ELEMENT_ENTRIES)]) {
  await build({ configFile, mode });
}
const cem = fileURLToPath(new URL('../../node_modules/@custom-elements-manifest/analyzer/cem.js', import.meta.url));
execFileSync(process.execPath, [cem, 'analyze', '--litelement', '--config', 'custom-elements-manifest.config.mjs'], { cwd: widgets, stdio: 'inherit' });
// The analyzer lists modules in file-system order; sort them so the committed copy only changes with the code.
const manifest = JSON.parse(readFileSync(`${widgets}/dist/custom-elements.json`, 'utf8')) as { modules: { path: string }[] };
manifest.modules.sort((a, b) => a.path.localeCompare(b.path));
const text = `${JSON.stringify(manifest, null, 2)}\n`;
writeFileSync(`${widgets}/dist/custom-elements.json`, text);
writeFileSync(`${widgets}/custom-elements.json`, text);
console.log('widgets built into widgets/dist');
