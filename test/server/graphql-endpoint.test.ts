import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { onPostgres } from '../helpers/database.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The HTTP contract of /graphql: headers, bodies and their errors, whatever answers it underneath. */
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.close());

const VIEWER = JSON.stringify({ query: '{ viewer { role } }' });

async function post(body: string | Uint8Array, headers: Record<string, string>, url = s.url) {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${s.a.keys.ADMIN}`, ...headers }, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

describe('POST /graphql', () => {
  it('answers with the security headers every page gets, and no X-Powered-By', async () => {
    const res = await post(VIEWER, { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ data: { viewer: { role: 'ADMIN' } }, extensions: { sqlStatements: expect.any(Number) } });
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(res.text)));
  });

  it('reflects the Origin for a secret-key request from a browser, and says it varies by Origin', async () => {
    const res = await post(VIEWER, { 'content-type': 'application/json', origin: 'https://tools.example' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://tools.example');
    expect(res.headers.get('vary')).toBe('Origin');
  });

  it('accepts a charset parameter and a path in another case or with a trailing slash', async () => {
    for (const url of [s.url, s.url.replace('/graphql', '/GraphQL'), `${s.url}/`, `${s.url}?trace=1`]) {
      const res = await post(VIEWER, { 'content-type': 'application/json; charset=UTF-8' }, url);
      expect(res.status, url).toBe(200);
      expect(res.json().data.viewer.role).toBe('ADMIN');
    }
  });

  it('reads a gzip- or deflate-compressed body', async () => {
    const res = await post(gzipSync(VIEWER), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.json().data.viewer.role).toBe('ADMIN');
  });

  it('refuses a body over 10 MB with 413, before reading it when its length says so', async () => {
    const big = JSON.stringify({ query: '{ viewer { role } }', variables: { pad: 'x'.repeat(10 * 1024 * 1024) } });
    const res = await post(big, { 'content-type': 'application/json' });
    expect(res.status).toBe(413);
    expect(res.json()).toEqual({ errors: [{ message: 'The request body is too large', extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('refuses a body over 10 MB sent without a length (chunked) with 413, and serves the next requests', async () => {
    const chunk = new TextEncoder().encode(' '.repeat(1024 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 12) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(s.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${s.a.keys.ADMIN}` },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: { message: string }[] }).errors[0].message).toBe('The request body is too large');
    // The refused body's connection is closed, not handed back half-read for the next requests.
    expect((await post(VIEWER, { 'content-type': 'application/json' })).status).toBe(200);
    expect((await post(VIEWER, { 'content-type': 'application/json; charset=latin1' })).status).toBe(415);
    expect((await post(VIEWER, { 'content-type': 'application/json' })).status).toBe(200);
  });

  it('refuses a compressed body that is over 10 MB once decompressed', async () => {
    const bomb = gzipSync(JSON.stringify({ query: '{ viewer { role } }', variables: { pad: ' '.repeat(11 * 1024 * 1024) } }));
    expect(bomb.length).toBeLessThan(100_000);
    const res = await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
  });

  it.each([
    ['a charset other than UTF-8', { 'content-type': 'application/json; charset=latin1' }, 415, /charset latin1/],
    ['an unknown Content-Encoding', { 'content-type': 'application/json', 'content-encoding': 'zstd-x' }, 415, /Content-Encoding zstd-x/],
    ['a corrupt gzip body', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, 400, /could not be read/],
  ])('refuses %s with a typed error', async (_name, headers, status, message) => {
    const res = await post(VIEWER, headers);
    expect(res.status).toBe(status);
    const body = res.json();
    expect(body.errors[0].message).toMatch(message);
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('refuses a body that is not sent as JSON with 400, and runs nothing', async () => {
    const res = await post(JSON.stringify({ query: 'mutation { createCustomer(input: { name: "Via form" }) { id } }' }), { 'content-type': 'text/plain' });
    expect(res.status).toBe(400);
    expect(res.json().errors[0].extensions.code).toBe('BAD_REQUEST');
    const list = await s.gql('{ customers(first: 5) { totalCount } }');
    expect(list.data.customers.totalCount).toBe(0);
  });

  it('answers a client that sends part of a body and goes away without harm', async () => {
    const port = new URL(s.url).port;
    await new Promise<void>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '1000' } });
      req.on('error', () => resolve());
      req.write('{"query": "{ vie', () => setTimeout(() => {
        req.destroy();
        resolve();
      }, 50));
    });
    const res = await post(VIEWER, { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
  });
});

describe('other methods on /graphql', () => {
  it('answers a preflight with the allowed headers and no body', async () => {
    const res = await fetch(s.url, { method: 'OPTIONS', headers: { origin: 'https://tools.example', 'access-control-request-method': 'POST' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://tools.example');
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(await res.text()).toBe('');
  });

  it('runs a query sent with GET, and refuses a mutation sent that way', async () => {
    const headers = { authorization: `Bearer ${s.a.keys.ADMIN}`, 'apollo-require-preflight': 'true' };
    const query = await fetch(`${s.url}?query=${encodeURIComponent('{ viewer { role } }')}`, { headers });
    expect(query.status).toBe(200);
    expect(((await query.json()) as { data: unknown }).data).toEqual({ viewer: { role: 'ADMIN' } });
    const mutation = await fetch(`${s.url}?query=${encodeURIComponent('mutation { createCustomer(input: { name: "x" }) { id } }')}`, { headers });
    expect(mutation.status).toBe(405);
  });

  it('refuses PUT with 405 and the methods it allows', async () => {
    const res = await fetch(s.url, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.a.keys.ADMIN}` }, body: VIEWER });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
  });

  it('leaves other paths under /graphql to the 404 of the rest of the site', async () => {
    const res = await fetch(`${s.url}/extra`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: VIEWER });
    expect(res.status).toBe(404);
  });
});

/** A query sent while `server` is at its limit (DB_CONNECT_TIMEOUT_MS 400): refused once it has waited that long. */
async function expectRefusedAsBusy(server: TestServer): Promise<void> {
  const started = Date.now();
  const refused = await server.gql('{ viewer { role } }');
  expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(refused.errors).toEqual([{ message: 'The server is busy; retry shortly', extensions: { code: 'UNAVAILABLE', retryable: true } }]);
}

describe('requests over CLIENTELE_CONCURRENT_REQUESTS', () => {
  let one: TestServer;
  beforeAll(async () => {
    one = await startTestServer({ config: { concurrentRequests: 1, dbConnectTimeoutMs: 400 } });
  });
  afterAll(async () => one?.close());

  /** A request that is admitted, then holds its turn until `finish` sends the rest of its body. */
  async function slowRequest(): Promise<{ finish(): void; answer: Promise<{ status: number; body: string }> }> {
    const body = JSON.stringify({ query: '{ viewer { role } }' });
    let finish!: () => void;
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(one.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), authorization: `Bearer ${one.a.keys.ADMIN}` },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      finish = () => req.end(body.slice(10));
    });
    // Let the server take the request (and its turn) before the next one arrives.
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { finish, answer };
  }

  it('refuses a request that waited longer than DB_CONNECT_TIMEOUT_MS for its turn with 503 UNAVAILABLE, and serves the others', async () => {
    const held = await slowRequest();
    await expectRefusedAsBusy(one);
    held.finish();
    expect(await held.answer).toEqual({ status: 200, body: expect.stringContaining('"role":"ADMIN"') });
    const after = await one.gql('{ viewer { role } }');
    expect(after.status).toBe(200);
  });

  it('runs waiting requests in arrival order once the running one is done', async () => {
    const held = await slowRequest();
    const finished: number[] = [];
    const waiting = [0, 1, 2].map(async (i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 20));
      const res = await one.gql('{ viewer { role } }');
      finished.push(i);
      return res.status;
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(finished).toEqual([]);
    held.finish();
    expect((await held.answer).status).toBe(200);
    expect(await Promise.all(waiting)).toEqual([200, 200, 200]);
    expect(finished).toEqual([0, 1, 2]);
  });

  it('answers preflights without waiting for a turn', async () => {
    const held = await slowRequest();
    const res = await fetch(one.url, { method: 'OPTIONS', headers: { origin: 'https://tools.example', 'access-control-request-method': 'POST' } });
    expect(res.status).toBe(204);
    held.finish();
    expect((await held.answer).status).toBe(200);
  });
});

describe('queries over CLIENTELE_CONCURRENT_QUERIES', () => {
  it('runs 6 queries at once by default, never more than CLIENTELE_CONCURRENT_REQUESTS', () => {
    expect(loadConfig({}).concurrentQueries).toBe(6);
    expect(loadConfig({ CLIENTELE_CONCURRENT_QUERIES: '12' }).concurrentQueries).toBe(12);
    expect(loadConfig({ CLIENTELE_CONCURRENT_QUERIES: '12', CLIENTELE_CONCURRENT_REQUESTS: '4' }).concurrentQueries).toBe(4);
    expect(() => loadConfig({ CLIENTELE_CONCURRENT_QUERIES: '0' })).toThrow(/CLIENTELE_CONCURRENT_QUERIES/);
  });

  // A query is held in PostgreSQL by a lock another connection takes: PostgreSQL only (PGlite has one connection).
  describe.skipIf(!onPostgres)('with one query at a time', () => {
    let one: TestServer;
    let locker: pg.Client;
    beforeAll(async () => {
      one = await startTestServer({ config: { concurrentQueries: 1, dbConnectTimeoutMs: 400 } });
      locker = new pg.Client({ connectionString: (one.target as { databaseUrl: string }).databaseUrl });
      await locker.connect();
    });
    afterAll(async () => {
      await locker?.end();
      await one?.close();
    });

    it('holds the next query back, refuses it after DB_CONNECT_TIMEOUT_MS with 503 UNAVAILABLE, and lets mutations through', async () => {
      await locker.query('begin');
      await locker.query('lock table customer in access exclusive mode');
      const held = one.gql('{ customers(first: 1) { nodes { id } } }');
      await sleep(100);
      // Mutations do not wait for a query's turn.
      const mutation = await one.gql('mutation { createFeedbackCategory(input: { name: "Billing" }) { name } }');
      expect(mutation.status).toBe(200);
      expect(mutation.data).toEqual({ createFeedbackCategory: { name: 'Billing' } });
      await expectRefusedAsBusy(one);
      await locker.query('commit');
      const answered = await held;
      expect(answered.status).toBe(200);
      expect(answered.data).toEqual({ customers: { nodes: [] } });
      expect((await one.gql('{ viewer { role } }')).data).toEqual({ viewer: { role: 'ADMIN' } });
    });
  });
});
