import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/auth/api-key.entity.js';
import { createApiKey } from '../../server/auth/keys.service.js';
import { sqlEm } from '../../server/db/orm.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.close());

const VIEWER = '{ viewer { role tenant { slug } } }';

function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return s.orm.em.fork().getConnection().execute<T[]>(text, params);
}

/** A POST to /graphql with full control over the headers and body. */
async function post(body: string, headers: Record<string, string> = {}) {
  const res = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

function expectUnauthenticated(result: { status: number; data?: unknown; errors?: { extensions: { code: string } }[] }) {
  expect(result.status).toBe(401);
  expect(result.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
  expect(result.data ?? null).toBeNull();
}

describe('authentication with a secret key', () => {
  it('answers a request with a valid key with that key’s tenant and role', async () => {
    const res = await s.gql(VIEWER, {}, s.b.keys.AGENT);
    expect(res.status).toBe(200);
    expect(res.data.viewer).toEqual({ role: 'AGENT', tenant: { slug: 'globex' } });
  });

  it('rejects a request without an Authorization header with 401 UNAUTHENTICATED', async () => {
    const res = await s.gql(VIEWER, {}, null);
    expectUnauthenticated(res);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('rejects a key sent with another scheme than Bearer', async () => {
    const res = await post(JSON.stringify({ query: VIEWER }), { authorization: `Basic ${s.a.keys.ADMIN}` });
    expectUnauthenticated({ status: res.status, ...res.json() });
  });

  it('rejects an empty Bearer credential', async () => {
    const res = await post(JSON.stringify({ query: VIEWER }), { authorization: 'Bearer ' });
    expectUnauthenticated({ status: res.status, ...res.json() });
  });

  it.each([
    ['random text', 'not-a-key'],
    ['a truncated key', () => s.a.keys.ADMIN.slice(0, -1)],
    ['a key with a bad tenant part', () => s.a.keys.ADMIN.replace(/^sk_[0-9a-f]{4}/, 'sk_zzzz')],
    ['an SQL injection attempt', "sk_' or '1'='1"],
  ])('rejects a malformed key (%s) with 401', async (_name, key) => {
    const res = await s.gql(VIEWER, {}, typeof key === 'function' ? key() : key);
    expectUnauthenticated(res);
  });

  it('rejects a well-formed key that was never issued with 401', async () => {
    const real = s.a.keys.ADMIN;
    const lastChar = real.at(-1) === 'A' ? 'B' : 'A';
    const res = await s.gql(VIEWER, {}, real.slice(0, -1) + lastChar);
    expectUnauthenticated(res);
  });

  it('rejects tenant A’s secret presented under tenant B’s id with 401', async () => {
    const secret = s.a.keys.ADMIN.slice('sk_'.length + 32 + 1);
    const forged = `sk_${s.b.id.replaceAll('-', '')}_${secret}`;
    const res = await s.gql(VIEWER, {}, forged);
    expectUnauthenticated(res);
  });

  it('rejects a revoked key with 401 while the tenant’s other keys keep working', async () => {
    const { key, apiKey } = await createApiKey(sqlEm(s.orm), s.a.id, Role.AGENT, 'to be revoked');
    expect((await s.gql(VIEWER, {}, key)).status).toBe(200);
    await sql('update api_key set revoked_at = now() where tenant_id = ? and id = ?', [s.a.id, apiKey.id]);
    expectUnauthenticated(await s.gql(VIEWER, {}, key));
    expect((await s.gql(VIEWER, {}, s.a.keys.AGENT)).status).toBe(200);
  });

  it('rejects the key of a deleted key row with 401', async () => {
    const { key, apiKey } = await createApiKey(sqlEm(s.orm), s.a.id, Role.ADMIN, 'to be deleted');
    expect((await s.gql(VIEWER, {}, key)).status).toBe(200);
    await sql('delete from api_key where tenant_id = ? and id = ?', [s.a.id, apiKey.id]);
    expectUnauthenticated(await s.gql(VIEWER, {}, key));
  });

  it('rejects an unauthenticated mutation without writing anything', async () => {
    const res = await s.gql('mutation { createCustomer(input: { name: "Intruder" }) { id } }', {}, null);
    expectUnauthenticated(res);
    const rows = await sql<{ count: number }>(`select count(*)::int as count from customer where name = 'Intruder'`);
    expect(Number(rows[0].count)).toBe(0);
  });
});

describe('api_key storage', () => {
  it('stores only a hash of each key: the plaintext appears nowhere in the table', async () => {
    const rows = await sql<Record<string, unknown>>('select * from api_key');
    expect(rows.length).toBeGreaterThanOrEqual(8);
    const dump = JSON.stringify(rows);
    for (const tenant of [s.a, s.b]) {
      for (const key of Object.values(tenant.keys)) {
        // sk_<32 hex tenant id>_<43 random characters>; the stored prefix shows only its last 4.
        const secret = key.slice('sk_'.length + 32 + 1);
        expect(secret).toHaveLength(43);
        expect(dump).not.toContain(key);
        expect(dump).not.toContain(secret.slice(0, 16));
        expect(dump).not.toContain(secret.slice(-16));
        expect(dump).toContain(createHash('sha256').update(key).digest('hex'));
      }
    }
  });
});

describe('malformed requests', () => {
  it('answers a body that is not JSON with HTTP 400 and no stack trace', async () => {
    const res = await post('{"query": "{ viewer { role } }"', { authorization: `Bearer ${s.a.keys.ADMIN}` });
    expect(res.status).toBe(400);
    const body = res.json();
    expect(body.errors[0].message).toMatch(/JSON/);
    expect(res.text).not.toMatch(/\bat .+\.(js|ts):\d+/);
    expect(res.text).not.toMatch(/node_modules|stack|SyntaxError/i);
  });

  it('answers a body that is not JSON with 400 even without a key', async () => {
    const res = await post('not json at all');
    expect(res.status).toBe(400);
    expect(res.text).not.toMatch(/node_modules|\.ts:\d+|\.js:\d+/);
  });

  it('answers a request without a query with 400', async () => {
    const res = await post(JSON.stringify({ variables: {} }), { authorization: `Bearer ${s.a.keys.ADMIN}` });
    expect(res.status).toBe(400);
    expect(res.text).not.toMatch(/node_modules|\.ts:\d+|\.js:\d+/);
  });

  it('answers a query that does not parse with a GraphQL syntax error and no stack', async () => {
    const res = await s.gql('{ viewer { role ', {});
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(JSON.stringify(res)).not.toMatch(/stacktrace|node_modules/);
  });
});

describe('internal errors', () => {
  it('are masked: no SQL, no stack trace, a request id instead — on graphql-js and on the compiled path', async () => {
    // Force a failure the application cannot foresee: a table disappears under it.
    await sql('alter table interaction rename to interaction_away');
    try {
      // The first execution of a document runs on graphql-js, later ones as graphql-jit code.
      for (let run = 1; run <= 3; run++) {
        const res = await s.gql('{ interactions(first: 5) { nodes { id } } }');
        const error = res.errors?.[0];
        expect(error?.extensions.code).toBe('INTERNAL_SERVER_ERROR');
        expect(error?.message).toBe('Internal server error');
        expect(error?.path).toEqual(['interactions']);
        expect(error?.extensions.requestId).toEqual(expect.any(String));
        const text = JSON.stringify(res);
        expect(text).not.toMatch(/select|from |interaction_away|relation|stacktrace|\.ts:\d+|node_modules/i);
      }
    } finally {
      await sql('alter table interaction_away rename to interaction');
    }
  });

  it('use the caller’s x-request-id so logs and responses can be matched', async () => {
    await sql('alter table interaction rename to interaction_away');
    try {
      const res = await fetch(s.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s.a.keys.ADMIN}`, 'x-request-id': 'req-123' },
        body: JSON.stringify({ query: '{ interactions(first: 1) { nodes { id } } }' }),
      });
      const body = (await res.json()) as { errors: { extensions: { requestId: string } }[] };
      expect(body.errors[0].extensions.requestId).toBe('req-123');
    } finally {
      await sql('alter table interaction_away rename to interaction');
    }
  });
});
