import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreRfm } from '../../server/metrics/rfm.js';
import { summarizeTransactions } from '../../server/metrics/summary.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { METRICS_FIELDS, recompute, setExchangeRates } from './helpers.js';

/**
 * A small tenant whose every figure can be checked by hand. Tenant A: currency CNY, time zone
 * UTC; observation end 2025-06-30T12:00:00Z.
 *   C1: 2025-05-30 200; 2025-06-29 100 + 50 (one purchase day); a CANCELLED order; an order on
 *       2025-07-05 (after asOf: ignored until a later recompute).
 *   C2: 2025-01-15 80.
 *   C3: 25 on 2024-06-15, 2024-10-01, 2025-01-01, 2025-04-01.
 *   C4: only a REFUNDED order -> prospect.   C5: no orders -> prospect.
 *   C6: 10 USD on 2025-06-20 (rate 7.10 -> 71 CNY) and 5 EUR on 2025-06-10 (no rate: a purchase, no spend).
 */
const AS_OF = '2025-06-30T12:00:00.000Z';

const ORDERS = [
  { externalId: 'O-1a', customerExternalId: 'C1', occurredAt: '2025-05-30T09:00:00Z', total: '200.00' },
  { externalId: 'O-1b', customerExternalId: 'C1', occurredAt: '2025-06-29T10:00:00Z', total: '100.00' },
  { externalId: 'O-1c', customerExternalId: 'C1', occurredAt: '2025-06-29T15:00:00Z', total: '50.00' },
  { externalId: 'O-1d', customerExternalId: 'C1', occurredAt: '2025-06-01T15:00:00Z', total: '500.00', status: 'CANCELLED' },
  { externalId: 'O-1e', customerExternalId: 'C1', occurredAt: '2025-07-05T08:00:00Z', total: '999.00' },
  { externalId: 'O-2a', customerExternalId: 'C2', occurredAt: '2025-01-15T12:00:00Z', total: '80.00' },
  { externalId: 'O-3a', customerExternalId: 'C3', occurredAt: '2024-06-15T12:00:00Z', total: '25.00' },
  { externalId: 'O-3b', customerExternalId: 'C3', occurredAt: '2024-10-01T12:00:00Z', total: '25.00' },
  { externalId: 'O-3c', customerExternalId: 'C3', occurredAt: '2025-01-01T12:00:00Z', total: '25.00' },
  { externalId: 'O-3d', customerExternalId: 'C3', occurredAt: '2025-04-01T12:00:00Z', total: '25.00' },
  { externalId: 'O-4a', customerExternalId: 'C4', occurredAt: '2025-06-01T12:00:00Z', total: '60.00', status: 'REFUNDED' },
  { externalId: 'O-6a', customerExternalId: 'C6', occurredAt: '2025-06-20T12:00:00Z', total: '10.00', currency: 'USD' },
  { externalId: 'O-6b', customerExternalId: 'C6', occurredAt: '2025-06-10T12:00:00Z', total: '5.00', currency: 'EUR' },
];

let s: TestServer;
const ids: Record<string, string> = {};

async function metricsOf(name: string) {
  const res = await s.gql(`query($id: ID!) { customer(id: $id) { metrics { ${METRICS_FIELDS} } } }`, { id: ids[name] });
  expect(res.errors).toBeUndefined();
  return res.data.customer.metrics;
}

beforeAll(async () => {
  s = await startTestServer();
  const up = await s.gql(
    `mutation($input: [UpsertCustomerInput!]!) { upsertCustomers(input: $input) { externalId customer { id } } }`,
    { input: ['C1', 'C2', 'C3', 'C4', 'C5', 'C6'].map((c) => ({ externalId: c, name: `Customer ${c}` })) },
  );
  expect(up.errors).toBeUndefined();
  for (const r of up.data.upsertCustomers) ids[r.externalId] = r.customer.id;
  const imported = await s.gql(
    `mutation($input: [ImportOrderInput!]!) { importOrders(input: $input) { index outcome errors { path message } } }`,
    { input: ORDERS },
  );
  expect(imported.errors).toBeUndefined();
  expect(imported.data.importOrders.every((r: { outcome: string }) => r.outcome === 'CREATED')).toBe(true);
  await setExchangeRates(s, [{ currency: 'USD', rate: '7.10' }]);
});
afterAll(async () => s?.close());

describe('recompute on a hand-checkable tenant', () => {
  let job: any;
  beforeAll(async () => {
    job = await recompute(s, AS_OF);
  });

  it('finishes with progress 1 and refuses to fit models on six customers, saying why', () => {
    expect(job).toMatchObject({ status: 'SUCCEEDED', phase: 'DONE', progress: 1, totalCustomers: 6, asOf: AS_OF });
    expect(job.models.map((m: any) => [m.kind, m.status])).toEqual([['BGNBD', 'INSUFFICIENT_DATA'], ['GAMMA_GAMMA', 'INSUFFICIENT_DATA']]);
    expect(job.models[0].reason).toMatch(/4 customers; at least 30 are needed/);
  });

  it('collapses same-day orders, skips cancelled orders and orders after asOf, and counts days in whole days', async () => {
    const c1 = await metricsOf('C1');
    expect(c1).toMatchObject({
      asOf: AS_OF,
      recencyDays: 1,
      frequency: 2,
      repeatPurchases: 1,
      orderCount: 3,
      daysSinceFirstPurchase: 31,
      monetary: { total: { amount: '350.00', currency: 'CNY' }, average: { amount: '175.00', currency: 'CNY' } },
      historicValue: { amount: '350.00' },
      purchaseCycleDays: 30,
      lifecycleStage: 'NEW',
      // No fitted model: predictions are null rather than invented.
      pAlive: null,
      predictedClv: null,
      expectedSpendSource: null,
    });
    expect(c1.nextPurchaseExpectedAt).toBe('2025-07-29T15:00:00.000Z');
  });

  it('matches the pure transaction summary (summary.ts) for x, t_x, T and spend', async () => {
    const counted = ORDERS.filter((o) => !o.status && o.currency !== 'EUR' && Date.parse(o.occurredAt) <= Date.parse(AS_OF));
    const summaries = summarizeTransactions(
      counted.map((o) => ({ customerId: o.customerExternalId, date: o.occurredAt, amount: Number(o.total) * (o.currency === 'USD' ? 7.1 : 1) })),
      { observationEnd: AS_OF },
    );
    for (const summary of summaries.filter((x) => x.customerId !== 'C6')) {
      const m = await metricsOf(summary.customerId);
      expect([m.repeatPurchases, m.daysSinceFirstPurchase, Number(m.monetary.total.amount)]).toEqual([summary.x, summary.T, summary.totalSpend]);
      expect(m.purchaseCycleDays ?? 0).toBeCloseTo(summary.x ? summary.t_x / summary.x : 0, 10);
    }
  });

  it('converts other currencies at the tenant’s rate and counts unconvertible orders as purchases without spend', async () => {
    const c6 = await metricsOf('C6');
    expect(c6).toMatchObject({ frequency: 2, monetary: { total: { amount: '71.00' } }, recencyDays: 10 });
    const res = await s.gql(`query($id: ID!) { metricsJob(id: $id) { unconvertedOrders { currency orders } } }`, { id: job.id });
    expect(res.data.metricsJob.unconvertedOrders).toEqual([{ currency: 'EUR', orders: 1 }]);
  });

  it('scores RFM quintiles with the documented tie rule and names the segments', async () => {
    // By hand: R on recency 1 / 166 / 90 / 10 days -> 5 1 2 4; F on 2 / 1 / 4 / 2 purchases -> 3 1 5 3 (the tie
    // takes its midpoint); M on 350 / 80 / 100 / 71 -> 5 2 4 1.
    const expected: Record<string, [string, string]> = {
      C1: ['535', 'CHAMPIONS'], C2: ['112', 'HIBERNATING'], C3: ['254', 'CANNOT_LOSE_THEM'], C6: ['431', 'POTENTIAL_LOYALIST'],
    };
    const reference = scoreRfm([
      { customerId: 'C1', recencyDays: 1, frequency: 2, monetary: 350 },
      { customerId: 'C2', recencyDays: 166, frequency: 1, monetary: 80 },
      { customerId: 'C3', recencyDays: 90, frequency: 4, monetary: 100 },
      { customerId: 'C6', recencyDays: 10, frequency: 2, monetary: 71 },
    ]);
    for (const [name, [code, segment]] of Object.entries(expected)) {
      const m = await metricsOf(name);
      expect(m.rfm).toMatchObject({ code, segment });
      expect(reference.find((r) => r.customerId === name)!.cell).toBe(code);
    }
  });

  it('gives prospects PROSPECT metrics with no RFM, churn risk or health', async () => {
    for (const name of ['C4', 'C5']) {
      expect(await metricsOf(name)).toMatchObject({
        frequency: 0, orderCount: 0, recencyDays: null, rfm: null, churnRisk: null, healthScore: null,
        lifecycleStage: 'PROSPECT', valueTier: 'STANDARD', monetary: { total: { amount: '0.00' }, average: null },
      });
    }
  });

  it('ranks value tiers by the Pareto rule and reports the top-20 % revenue share', async () => {
    expect((await metricsOf('C1')).valueTier).toBe('KEY');
    expect((await metricsOf('C3')).valueTier).toBe('GROWTH');
    expect((await metricsOf('C2')).valueTier).toBe('STANDARD');
    const res = await s.gql(`{ analytics { pareto { share buyers totalRevenue { amount } curve { customerFraction revenueShare } } } }`);
    const pareto = res.data.analytics.pareto;
    expect(pareto.buyers).toBe(4);
    expect(pareto.totalRevenue.amount).toBe('601.00');
    // The top 20 % of 4 buyers is 0.8 of C1 (350).
    expect(pareto.share).toBeCloseTo((0.8 * 350) / 601, 10);
    expect(pareto.curve.at(-1)).toEqual({ customerFraction: 1, revenueShare: 1 });
  });

  it('names lifecycle stages: one-time buyer past NEW is DECLINING, a steady old customer MATURE', async () => {
    expect((await metricsOf('C2')).lifecycleStage).toBe('DECLINING');
    expect((await metricsOf('C3')).lifecycleStage).toBe('MATURE');
    const c2 = await metricsOf('C2');
    // No reasons without a model or enough history: LOW, and health = ½·100 + ½·(1+1+2−3)/12·100.
    expect(c2.churnRisk).toEqual({ level: 'LOW', score: 0, reasons: [] });
    expect(c2.healthScore).toBe(54);
  });

  it('back-tests: a later asOf sees the order after the first one', async () => {
    await recompute(s);
    const c1 = await metricsOf('C1');
    expect(c1.frequency).toBe(3);
    expect(c1.monetary.total.amount).toBe('1349.00');
  });
});

describe('a tenant with no orders', () => {
  it('gets PROSPECT metrics for every customer and a model status that says why', async () => {
    const b = s.b.keys.ADMIN;
    const created = await s.gql(`mutation { createCustomer(input: { name: "Only prospect" }) { id } }`, {}, b);
    await recompute(s, undefined, b);
    const res = await s.gql(
      `query($id: ID!) {
        customer(id: $id) { metrics { lifecycleStage frequency churnRisk { level } } }
        analytics { valueModel { kind status reason sampleSize } gg: valueModel(kind: GAMMA_GAMMA) { status reason }
                    lifecycleDistribution { stage customers } demandForecast(days: 30) { expectedOrders unavailableReason } }
      }`,
      { id: created.data.createCustomer.id },
      b,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.customer.metrics).toEqual({ lifecycleStage: 'PROSPECT', frequency: 0, churnRisk: null });
    const { valueModel, gg, lifecycleDistribution, demandForecast } = res.data.analytics;
    expect(valueModel).toMatchObject({ kind: 'BGNBD', status: 'INSUFFICIENT_DATA', sampleSize: 0 });
    expect(valueModel.reason).toMatch(/No customer has a counted order/);
    expect(gg.status).toBe('INSUFFICIENT_DATA');
    expect(lifecycleDistribution.find((l: any) => l.stage === 'PROSPECT').customers).toBe(1);
    expect(demandForecast.expectedOrders).toBe(0);
    expect(demandForecast.unavailableReason).toMatch(/INSUFFICIENT_DATA/);
  });
});
