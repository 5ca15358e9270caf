import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientele, cliEnvironment, type CliEnv } from '../helpers/cli.js';

describe('clientele keys create --publishable', () => {
  let env: CliEnv;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ env, cleanup } = await cliEnvironment('cli-pk'));
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
