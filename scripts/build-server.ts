/**
 * `npm run build:server`: every server/**\/*.ts transpiled to one ES module in dist/, at the same
 * depth (server/metrics/x.ts → dist/metrics/x.js), so paths the code resolves from its own file
 * (`new URL('..', import.meta.url)`) land in the same places. Not bundled. `npm start` runs
 * dist/main.js: plain JavaScript, no TypeScript loader in the running server (tsx's hooks and
 * its transpiled copies of every module cost ≈ 100 MiB of RSS).
 */
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const server = path.join(root, 'server');
const entryPoints = readdirSync(server, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
  .map((file) => path.join(server, file));

rmSync(path.join(root, 'dist'), { recursive: true, force: true });
await build({
  entryPoints,
  outbase: server,
  outdir: path.join(root, 'dist'),
  format: 'esm',
  platform: 'node',
  target: 'node22',
  tsconfig: path.join(root, 'tsconfig.json'), // experimentalDecorators, useDefineForClassFields: false
  logLevel: 'warning',
});
console.log(`server built into dist/ (${entryPoints.length} modules)`);
