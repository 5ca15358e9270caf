import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyError, startTestServer, type TestServer } from '../helpers/server.js';
import { recompute } from './helpers.js';

let s: TestServer;
let customerId: string;

beforeAll(async () => {
  s = await startTestServer();
  const res = await s.gql(`mutation { createCustomer(input: { name: "Ada" }) { id } }`);
  customerId = res.data.createCustomer.id;
  await s.gql(`mutation($id: ID!) { recordOrder(input: { customerId: $id, total: "12.00" }) { id } }`, { id: customerId });
  await recompute(s);
});
afterAll(async () => s?.close());

function badInput(res: Awaited<ReturnType<TestServer['gql']>>, path: string, message?: RegExp) {
  const error = onlyError(res);
  expect(error.extensions.code).toBe('BAD_USER_INPUT');
  expect(error.extensions.fields).toEqual([{ path, message: message ? expect.stringMatching(message) : expect.any(String) }]);
}

describe('bad input to metrics', () => {
  const metric = (field: string) => s.gql(`query($id: ID!) { customer(id: $id) { metrics { ${field} } } }`, { id: customerId });

  it('rejects a horizon that is negative or beyond ten years', async () => {
    badInput(await metric('expectedPurchases(days: -1)'), 'days', /from 0 to 3650/);
    badInput(await metric('expectedPurchases(days: 3651)'), 'days');
    badInput(await metric('predictedClv(months: 121) { amount }'), 'months', /from 0 to 120/);
    badInput(await metric('predictedClv(months: -3) { amount }'), 'months');
    badInput(await s.gql('{ analytics { demandForecast(days: 4000) { expectedOrders } } }'), 'days');
    badInput(await s.gql('{ analytics { demandForecast(days: -7) { expectedOrders } } }'), 'days');
    const ok = await metric('expectedPurchases(days: 3650) predictedClv(months: 120) { amount }');
    expect(ok.errors).toBeUndefined();
  });

  it('rejects an asOf in the future or not a date, and keeps the last metrics', async () => {
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString();
    badInput(await s.gql('mutation($asOf: DateTimeISO) { recomputeMetrics(asOf: $asOf) { id } }', { asOf: future }), 'asOf', /future/);
    const garbage = await s.gql('mutation { recomputeMetrics(asOf: "last tuesday") { id } }');
    expect(onlyError(garbage).extensions.code).toBe('BAD_USER_INPUT');
    const jobs = await s.gql('{ metricsJobs { status } }');
    expect(jobs.data.metricsJobs).toEqual([{ status: 'SUCCEEDED' }]);
  });

  it('rejects list sizes and ids out of range', async () => {
    badInput(await s.gql('{ analytics { churnWatchlist(first: 0) { rank } } }'), 'first');
    badInput(await s.gql('{ analytics { churnWatchlist(first: 101) { rank } } }'), 'first');
    badInput(await s.gql('{ metricsJobs(first: 500) { id } }'), 'first');
    badInput(await s.gql('{ metricsJob(id: "42") { id } }'), 'id');
    const missing = await s.gql('{ metricsJob(id: "0190a1b2-0000-7000-8000-000000000001") { id } }');
    expect(onlyError(missing).extensions.code).toBe('NOT_FOUND');
  });

  it('validates every settings field at once and keeps the defaults documented', async () => {
    const res = await s.gql(`mutation { updateMetricsSettings(input: {
      annualDiscountRate: 2, clvMonths: 0, highRiskScore: 101,
      exchangeRates: [{ currency: "XXQ", rate: "0" }, { currency: "CNY", rate: "1" }]
    }) { clvMonths } }`);
    const error = onlyError(res);
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.fields!.map((f) => f.path).sort()).toEqual([
      'input.annualDiscountRate', 'input.clvMonths', 'input.exchangeRates.0.currency', 'input.exchangeRates.0.rate',
      'input.exchangeRates.1.currency', 'input.highRiskScore',
    ]);
    const crossed = await s.gql('mutation { updateMetricsSettings(input: { mediumRiskScore: 80 }) { mediumRiskScore } }');
    badInput(crossed, 'input.mediumRiskScore', /highRiskScore/);

    const changed = await s.gql('mutation { updateMetricsSettings(input: { clvMonths: 24, annualDiscountRate: 0.08 }) { clvMonths annualDiscountRate highRiskScore } }');
    expect(changed.data.updateMetricsSettings).toEqual({ clvMonths: 24, annualDiscountRate: 0.08, highRiskScore: 60 });
    const reset = await s.gql('mutation { updateMetricsSettings(input: { reset: true }) { clvMonths annualDiscountRate } }');
    expect(reset.data.updateMetricsSettings).toEqual({ clvMonths: 12, annualDiscountRate: 0.1 });
  });
});
