import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlEm, type Em } from '../../server/db/orm.js';
import { seedCustomers } from '../../server/db/seed/demo.js';
import { createJob, runJob } from '../../server/metrics/jobs.service.js';
import { MetricsJobTrigger } from '../../server/metrics/metrics-job.entity.js';
import { MetricsPartitionRebuild } from '../../server/metrics/metrics-rebuild.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { setExchangeRates } from './helpers.js';

/**
 * A large tenant's full recompute writes its metrics as a partition of its own (metrics-rebuild.ts).
 * Here the size threshold is lowered to 0 so a small seeded tenant takes that path, and the
 * result is compared with the in-place upsert path's on the same data and asOf.
 */
let s: TestServer;
const AS_OF = new Date(Date.now() - 60_000);
const sql = <T = any>(text: string, params: unknown[] = []) => sqlEm(s.orm).execute<T[]>(text, params);
const partitionOf = (tenantId: string) => `cm_${tenantId.replaceAll('-', '')}`;

/** Every stored figure of a tenant's metrics, in customer order (what a job writes, minus job bookkeeping). */
async function snapshot(tenantId: string) {
  const rows = await sql(`select * from customer_metrics where tenant_id = ? order by customer_id`, [tenantId]);
  return rows.map(({ computed_at, job_id, bgnbd_model_id, gamma_gamma_model_id, ...figures }) => figures);
}

async function recomputeWith(tenantId: string, rebuildMinCustomers?: number) {
  const em = sqlEm(s.orm) as Em;
  const job = await createJob(em, tenantId, AS_OF, MetricsJobTrigger.CLI, 'test');
  const done = await runJob(em, tenantId, job.id, undefined, { rebuildMinCustomers });
  expect(done.status).toBe('SUCCEEDED');
  return done;
}

const partitions = () =>
  sql<{ name: string; bound: string }>(
    `select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'customer_metrics'::regclass order by c.relname`,
  );

beforeAll(async () => {
  s = await startTestServer();
  await seedCustomers(sqlEm(s.orm), s.a.id, 150);
  await seedCustomers(sqlEm(s.orm), s.b.id, 40);
  await setExchangeRates(s, [{ currency: 'USD', rate: '7.10' }]);
  await recomputeWith(s.a.id); // small tenant: upserted in place, in the shared partition
  await recomputeWith(s.b.id);
});
afterAll(async () => s?.close());

describe('full recompute of a large tenant as its own partition', () => {
  it('writes exactly the figures the in-place path writes, into a partition of its own', async () => {
    const inPlace = await snapshot(s.a.id);
    expect(inPlace).toHaveLength(150);
    const bBefore = await sql(`select customer_id, computed_at from customer_metrics where tenant_id = ? order by customer_id`, [s.b.id]);

    await recomputeWith(s.a.id, 0);

    expect(await snapshot(s.a.id)).toEqual(inPlace);
    expect(await partitions()).toEqual([
      { name: partitionOf(s.a.id), bound: `FOR VALUES IN ('${s.a.id}')` },
      { name: 'customer_metrics_shared', bound: 'DEFAULT' },
    ]);
    expect(await sql(`select count(*)::int as n from customer_metrics_shared where tenant_id = ?`, [s.a.id])).toEqual([{ n: 0 }]);
    // Tenant B's rows stayed where they were, untouched.
    expect(await sql(`select customer_id, computed_at from customer_metrics_shared where tenant_id = ? order by customer_id`, [s.b.id])).toEqual(bBefore);
    // The partition carries the parent's indexes and no load table is left behind.
    const indexes = await sql<{ indexname: string }>(`select indexname from pg_indexes where tablename = ? order by indexname`, [partitionOf(s.a.id)]);
    expect(indexes.map((i) => i.indexname)).toEqual(['churn_clv_idx', 'pkey', 'risk_idx'].map((x) => `${partitionOf(s.a.id)}_${x}`));
    expect(await sql(`select to_regclass(?) as t`, [`${partitionOf(s.a.id)}_next`])).toEqual([{ t: null }]);
  });

  it('serves reads, metric filters and the churn watchlist from the new partition', async () => {
    const [{ high }] = await sql(`select count(*)::int as high from customer_metrics where tenant_id = ? and churn_level = 'HIGH'`, [s.a.id]);
    const res = await s.gql(`{
      customers(first: 100, filter: { metrics: { churnRisk: { in: [HIGH] } } }, orderBy: [{ field: PREDICTED_CLV, direction: DESC }]) {
        totalCount nodes { id metrics { churnRisk { level } predictedClv { amount } } } }
      analytics { churnWatchlist(first: 5) { customer { id } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.customers.totalCount).toBe(high);
    for (const n of res.data.customers.nodes) expect(n.metrics.churnRisk.level).toBe('HIGH');
    const clv = res.data.customers.nodes.map((n: any) => Number(n.metrics.predictedClv?.amount ?? -1));
    expect(clv).toEqual([...clv].sort((x, y) => y - x));
    expect(res.data.analytics.churnWatchlist.length).toBeGreaterThan(0);
  });

  it('replaces the tenant’s partition on the next rebuild and keeps re-scoring in place in between', async () => {
    const [target] = await sql(`select customer_id, purchase_days from customer_metrics where tenant_id = ? and purchase_days > 0 order by customer_id limit 1`, [s.a.id]);
    const recorded = await s.gql(`mutation($input: RecordOrderInput!) { recordOrder(input: $input) { customer { metrics { frequency } } } }`, {
      input: { customerId: target.customer_id, total: '12.00', occurredAt: new Date(AS_OF.getTime() - 1000).toISOString() },
    });
    expect(recorded.errors).toBeUndefined();
    expect(recorded.data.recordOrder.customer.metrics.frequency).toBeGreaterThanOrEqual(target.purchase_days);

    await recomputeWith(s.a.id, 0);
    expect((await partitions()).map((p) => p.name)).toEqual([partitionOf(s.a.id), 'customer_metrics_shared']);
    expect(await sql(`select count(*)::int as n from customer_metrics where tenant_id = ?`, [s.a.id])).toEqual([{ n: 150 }]);
  });

  it('keeps a row re-scored while the rebuild ran, and drops customers merged away meanwhile', async () => {
    const em = sqlEm(s.orm) as Em;
    const live = await sql<{ customer_id: string; computed_at: Date }>(
      `select customer_id, computed_at from customer_metrics where tenant_id = ? and purchase_days > 0 order by customer_id limit 3`,
      [s.a.id],
    );
    // The rebuild starts after every live row was written (they are all older than it).
    await new Promise((r) => setTimeout(r, 20));
    const started = new Date();
    const rebuild = await MetricsPartitionRebuild.start(em, s.a.id);
    // The rebuild's rows: the live ones, stamped with its start and a recognisable health score.
    await em.execute(`insert into ${rebuild.table} select * from customer_metrics where tenant_id = ?`, [s.a.id]);
    await em.execute(`update ${rebuild.table} set computed_at = ?, health_score = 7`, [started]);
    // Meanwhile: customer 0 re-scored after new orders, customer 1 merged into customer 2.
    await em.execute(`update customer_metrics set computed_at = now() + interval '1 second', health_score = 99 where tenant_id = ? and customer_id = ?`, [s.a.id, live[0].customer_id]);
    const merged = await s.gql(`mutation($s: ID!, $d: [ID!]!) { mergeCustomers(survivorId: $s, duplicateIds: $d) { survivor { id } } }`, {
      s: live[2].customer_id, d: [live[1].customer_id],
    });
    expect(merged.errors).toBeUndefined();

    await rebuild.finish(em, started);

    const rows = await sql<{ customer_id: string; health_score: number }>(
      `select customer_id, health_score from customer_metrics where tenant_id = ? and customer_id = any(?::uuid[]) order by customer_id`,
      [s.a.id, `{${live.map((l) => l.customer_id).join(',')}}`],
    );
    expect(rows.find((r) => r.customer_id === live[0].customer_id)?.health_score).toBe(99);
    expect(rows.find((r) => r.customer_id === live[1].customer_id)).toBeUndefined();
    const others = await sql(`select count(*)::int as n from customer_metrics where tenant_id = ? and health_score = 7`, [s.a.id]);
    expect(others[0].n).toBeGreaterThan(100);
  });

  it('leaves the live rows and no load table behind when a rebuild is abandoned', async () => {
    const em = sqlEm(s.orm) as Em;
    const before = await snapshot(s.a.id);
    const rebuild = await MetricsPartitionRebuild.start(em, s.a.id);
    await em.execute(`insert into ${rebuild.table} select * from customer_metrics where tenant_id = ?`, [s.a.id]);
    await rebuild.abort(em);
    expect(await sql(`select to_regclass(?) as t`, [rebuild.table])).toEqual([{ t: null }]);
    expect(await snapshot(s.a.id)).toEqual(before);
  });
});
