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
