import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientele, cliEnvironment, type CliEnv } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { onPostgres } from '../helpers/database.js';

describe('clientele CLI', () => {
  let env: CliEnv;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ env, cleanup } = await cliEnvironment('cli'));
  });
  afterAll(async () => cleanup?.());

  it('migrates, creates a tenant and prints a new key as its last line', async () => {
    const migrated = await clientele(['migrate'], env);
    expect(migrated.stdout).toMatch(/Applied: Migration\d+_foundation|Database is up to date/);
    const again = await clientele(['migrate'], env);
    expect(again.stdout).toMatch(/Database is up to date/);

    const tenant = await clientele(['tenants', 'create', '--slug', 'cli-co', '--name', 'CLI Co'], env);
    expect(tenant.stdout).toMatch(/Created tenant cli-co/);

    const keys = await clientele(['keys', 'create', '--tenant', 'cli-co', '--role', 'AGENT'], env);
    const lastLine = keys.stdout.trim().split('\n').at(-1)!;
    expect(lastLine).toMatch(/^sk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);

    const seeded = await clientele(['seed', '--customers', '20', '--tenant', 'cli-co'], env);
    expect(seeded.stdout).toMatch(/Seeded 20 customers into tenant "cli-co"/);
  });

  it('explains mistakes in one line without a stack trace', async () => {
    const bad = await clientele(['keys', 'create', '--tenant', 'nope', '--role', 'ADMIN'], env).catch((e) => e);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/no tenant with slug "nope"/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const role = await clientele(['keys', 'create', '--tenant', 'cli-co', '--role', 'KING'], env).catch((e) => e);
    expect(role.code).toBe(1);
    expect(role.stderr).toMatch(/--role must be one of ADMIN, AGENT, ANALYST, READ_ONLY/);
    const dupe = await clientele(['tenants', 'create', '--slug', 'cli-co', '--name', 'Again'], env).catch((e) => e);
    expect(dupe.code).toBe(1);
    expect(dupe.stderr).toMatch(/already exists/);
  });
});

describe.skipIf(!onPostgres)('clientele CLI while the server runs on PostgreSQL', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s?.close());

  it('mints a key the running server accepts', async () => {
    const keys = await clientele(['keys', 'create', '--tenant', s.a.slug, '--role', 'READ_ONLY'], { DATABASE_URL: s.target.databaseUrl });
    const key = keys.stdout.trim().split('\n').at(-1)!;
    const result = await s.gql('{ viewer { role tenant { slug } } }', {}, key);
    expect(result.data.viewer).toEqual({ role: 'READ_ONLY', tenant: { slug: 'acme' } });
  });
});
