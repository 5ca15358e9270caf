import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freshDatabase, onPostgres } from './database.js';

const run = promisify(execFile);
export const repoRoot = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repoRoot, 'bin/clientele.js');

export type CliEnv = Record<string, string | undefined>;

/** Runs `clientele …` as a user would, with Node 24 from node_modules. */
export function clientele(args: string[], env: CliEnv) {
  return run(process.execPath, [bin, ...args], { cwd: repoRoot, env: { ...process.env, DATABASE_URL: undefined, ...env }, timeout: 120_000 });
}

/**
 * Where a CLI test's commands keep their data: a fresh PostgreSQL database when tests run on
 * PostgreSQL, else a temporary PGlite data directory. `cleanup` drops or deletes it.
 */
export async function cliEnvironment(name: string): Promise<{ env: CliEnv; cleanup: () => Promise<void> }> {
  if (onPostgres) {
    const db = await freshDatabase();
    return { env: { DATABASE_URL: db.url }, cleanup: db.drop };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `clientele-${name}-`));
  return { env: { CLIENTELE_DATA_DIR: dir }, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}
