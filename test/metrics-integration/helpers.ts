import { expect } from 'vitest';
import type { TestServer } from '../helpers/server.js';

export const JOB_FIELDS = 'id status phase progress processedCustomers totalCustomers asOf error models { kind status reason sampleSize }';

/** Polls metricsJob until it is SUCCEEDED or FAILED. */
export async function waitForJob(s: TestServer, id: string, key?: string, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await s.gql(`query($id: ID!) { metricsJob(id: $id) { ${JOB_FIELDS} } }`, { id }, key);
    expect(res.errors).toBeUndefined();
    const job = res.data.metricsJob;
    if (job.status === 'SUCCEEDED' || job.status === 'FAILED') return job;
    if (Date.now() > deadline) throw new Error(`metrics job ${id} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** recomputeMetrics as an ADMIN client does it: start, then follow the job to the end. */
export async function recompute(s: TestServer, asOf?: string, key?: string): Promise<any> {
  const res = await s.gql(`mutation($asOf: DateTimeISO) { recomputeMetrics(asOf: $asOf) { ${JOB_FIELDS} } }`, { asOf }, key);
  expect(res.errors).toBeUndefined();
  const job = await waitForJob(s, res.data.recomputeMetrics.id, key);
  expect(job.error).toBeNull();
  expect(job.status).toBe('SUCCEEDED');
  return job;
}

export async function setExchangeRates(s: TestServer, rates: { currency: string; rate: string }[], key?: string): Promise<void> {
  const res = await s.gql(
    `mutation($input: MetricsSettingsInput!) { updateMetricsSettings(input: $input) { exchangeRates { currency rate } } }`,
    { input: { exchangeRates: rates } },
    key,
  );
  expect(res.errors).toBeUndefined();
}

export const METRICS_FIELDS = `
  asOf computedAt recencyDays frequency repeatPurchases orderCount daysSinceFirstPurchase
  monetary { total { amount currency } average { amount currency } }
  historicValue { amount currency }
  rfm { r f m code segment }
  pAlive expectedSpendSource
  purchaseCycleDays nextPurchaseExpectedAt
  predictedClv { amount currency }
  valueAtRisk { amount }
  valueTier lifecycleStage
  churnRisk { level score reasons { code message evidence { name value } } }
  healthScore`;
