import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, onPostgres } from '../helpers/database.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/clientele.js');

function clientele(args: string[], env: Record<string, string | undefined>) {
  return run(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, DATABASE_URL: undefined, ...env }, timeout: 120_000 });
}

describe('clientele keys create --publishable', () => {
  let env: Record<string, string | undefined>;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    if (onPostgres) {
      const db = await freshDatabase();
      env = { DATABASE_URL: db.url };
      cleanup = db.drop;
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clientele-cli-pk-'));
      env = { CLIENTELE_DATA_DIR: dir };
      cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
    }
    await clientele(['tenants', 'create', '--slug', 'web-co', '--name', 'Web Co'], env);
  });
  afterAll(async () => cleanup?.());

  it('prints a pk_ key for the given origins as its last line', async () => {
    const out = await clientele(['keys', 'create', '--tenant', 'web-co', '--publishable', '--name', 'shop', '--origin', 'https://shop.example.com', '--origin', 'http://localhost:5173'], env);
    expect(out.stdout).toContain('origins: https://shop.example.com, http://localhost:5173');
    expect(out.stdout.trim().split('\n').at(-1)).toMatch(/^pk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
  });

  it('explains a bad origin or a missing one in one line', async () => {
    const bad = await clientele(['keys', 'create', '--tenant', 'web-co', '--publishable', '--origin', 'https://shop.example.com/path'], env).catch((e) => e);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/allowedOrigins\.0: must be an origin/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const none = await clientele(['keys', 'create', '--tenant', 'web-co', '--publishable'], env).catch((e) => e);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/at least one origin/);
  });
});
