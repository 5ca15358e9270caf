import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sqlEm } from '../../server/db/orm.js';
import { seedCustomers } from '../../server/db/seed/demo.js';
import { createJob, runJob } from '../../server/metrics/jobs.service.js';
import { MetricsJobTrigger } from '../../server/metrics/metrics-job.entity.js';
import { CLIENTELE } from '../../bench/peers/queries.js';
import { startTestServer, type GqlResult, type TestServer } from '../helpers/server.js';

// Count compilations: the server runs in this process, so it uses this module.
const compiled = vi.hoisted(() => ({ count: 0 }));
vi.mock('graphql-jit', async (importOriginal) => {
  const jit = await importOriginal<typeof import('graphql-jit')>();
  return {
    ...jit,
    compileQuery: (...args: Parameters<typeof jit.compileQuery>) => {
      compiled.count++;
      return jit.compileQuery(...args);
    },
  };
});

let s: TestServer;
let ids: string[];
beforeAll(async () => {
  s = await startTestServer();
  await seedCustomers(sqlEm(s.orm), s.a.id, 30);
  const res = await s.gql(`{ customers(first: 5) { nodes { id } } }`);
  ids = res.data.customers.nodes.map((n: { id: string }) => n.id);
});
afterAll(async () => s?.close());

/** The same request three times: the first runs on graphql-js, the later ones compiled. */
async function thrice(query: string, variables?: Record<string, unknown>, key?: string): Promise<GqlResult[]> {
  const results: GqlResult[] = [];
  for (let i = 0; i < 3; i++) results.push(await s.gql(query, variables, key));
  return results;
}
const body = (r: GqlResult) => ({ status: r.status, data: r.data, errors: r.errors, extensions: r.extensions });

describe('compiled execution of queries (graphql-jit)', () => {
  it('compiles a query document on its second execution and answers it exactly as graphql-js did', async () => {
    const CARD = `query Card($id: ID!) { customer(id: $id) {
      id name kind email tags customAttributes createdAt version
      metrics { asOf lifecycleStage orderCount pAlive historicValue { amount currency } predictedClv(months: 6) { amount } rfm { code } churnRisk { level reasons { code } } }
      interactions(first: 3) { totalCount nodes { id type occurredAt } pageInfo { hasNextPage endCursor } }
      orders(first: 2) { edges { cursor node { id total { amount currency } lineItems { sku quantity } } } } } }`;
    const before = compiled.count;
    for (const id of ids.slice(0, 2)) {
      const [first, ...later] = await thrice(CARD, { id });
      expect(first.errors).toBeUndefined();
      expect(first.data.customer.id).toBe(id);
      for (const r of later) expect(body(r)).toEqual(body(first));
    }
    expect(compiled.count).toBe(before + 1); // once per document, whatever the variables
  });

  it("answers the load benchmark's read documents compiled, with unserialised leaves, exactly as graphql-js did", async () => {
    // Metrics for the seeded customers, so every leaf of the pages has a value.
    const em = sqlEm(s.orm);
    await runJob(em, s.a.id, (await createJob(em, s.a.id, new Date(), MetricsJobTrigger.CLI, 'test')).id);
    const before = compiled.count;
    for (const [query, variables] of [[CLIENTELE.List, undefined], [CLIENTELE.HighRisk, undefined], [CLIENTELE.Card, { id: ids[0] }]] as const) {
      const [first, ...later] = await thrice(query, variables);
      expect(first.errors).toBeUndefined();
      for (const r of later) expect(body(r)).toEqual(body(first));
      const rows = first.data.customers?.nodes ?? [first.data.customer];
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.metrics.churnRisk.level).toEqual(expect.any(String));
    }
    expect(compiled.count).toBe(before + 3); // a leaf of another type would have compiled its document again (and failed s.close())
  });

  it('reports a resolver error (NOT_FOUND) with the same message, path, code and status once compiled', async () => {
    const results = await thrice(`query($id: ID!) { customer(id: $id) { id name } }`, { id: '01900000-0000-7000-8000-000000000000' });
    expect(results[0].errors?.[0]).toMatchObject({ path: ['customer'], extensions: { code: 'NOT_FOUND' } });
    for (const r of results.slice(1)) expect(body(r)).toEqual(body(results[0]));
  });

  it('answers variables that do not coerce with BAD_USER_INPUT and the same wording every time', async () => {
    const results = await thrice(`query($id: ID!, $first: Int) { customer(id: $id) { interactions(first: $first) { nodes { id } } } }`, {
      id: ids[0],
      first: 'three',
    });
    expect(results[0].status).toBe(400);
    expect(results[0].errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    for (const r of results.slice(1)) expect(body(r)).toEqual(body(results[0]));
  });

  it('keeps the auth checker: FORBIDDEN for a role without the right, compiled or not', async () => {
    const results = await thrice(`query Keys { apiKeys { id } }`, undefined, s.a.keys.READ_ONLY);
    expect(results[0].errors?.[0].extensions.code).toBe('FORBIDDEN');
    for (const r of results.slice(1)) expect(body(r)).toEqual(body(results[0]));
  });

  it('leaves mutations and operations with a recursive filter variable to graphql-js', async () => {
    const before = compiled.count;
    await thrice(`query($f: CustomerFilter) { customers(first: 2, filter: $f) { nodes { id } } }`, { f: { or: [{ name: { startsWith: 'A' } }, { kind: { eq: 'PERSON' } }] } });
    await thrice(`mutation($id: ID!) { archiveCustomer(id: $id) { id } }`, { id: ids[4] });
    expect(compiled.count).toBe(before);
  });
});
