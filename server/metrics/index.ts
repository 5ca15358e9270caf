/**
 * Customer value metrics: wiring into the rest of the server. Importing this module registers
 * the customer filter and sort fields, re-scoring after new orders, the demo's first
 * recompute and the `clientele metrics` command.
 */
import { afterMergeHooks, customerFilterExtensions, customerJoinFilters, customerJoins, customerSortExtensions } from '../customers/customer.service.js';
import type { Em } from '../db/orm.js';
import { afterDemoSeed } from '../db/seed/demo.js';
import { orderRecordedHooks } from '../orders/order.service.js';
import './cli.js';
import { createJob, runJob } from './jobs.service.js';
import { MetricsJobTrigger } from './metrics-job.entity.js';
import { compileMetricsFilter, METRIC_SORTS, METRICS_FILTER_JOIN, metricsJoin } from './metrics.service.js';
import { rescoreCustomers } from './recompute.service.js';
import { rescoreCoalesced } from './rescore-queue.js';
import { tenantKeysChanged } from '../auth/principal-cache.js';

export {
  ChurnWatchlistEntryResolver, CustomerMetricsResolver, MetricsJobResolver, MetricsSettingsResolver, TenantAnalyticsResolver,
} from './metrics.resolver.js';
export { registerChurnReasonProvider, type ChurnReasonProvider } from './churn-providers.js';

customerFilterExtensions.metrics = compileMetricsFilter;
customerJoinFilters.metrics = METRICS_FILTER_JOIN;
Object.assign(customerSortExtensions, METRIC_SORTS);
customerJoins.metrics = metricsJoin;

// A merge moves orders to the survivor: re-score it, and the duplicates (now without orders).
afterMergeHooks.push(async (em: Em, tenantId: string, survivorId: string, mergedIds: string[]) => {
  try {
    await rescoreCustomers(em, tenantId, [survivorId, ...mergedIds]);
  } catch (error) {
    console.error('metrics re-scoring after a merge failed:', error);
  }
});

// New orders re-score their customers with the current model (no refit). Metrics are derived
// data: a failure here is logged, never turned into a failed order write.
orderRecordedHooks.push(async (em, tenantId, customerIds, tenant) => {
  try {
    await rescoreCoalesced(em, tenantId, customerIds, { tenant });
  } catch (error) {
    console.error(`metrics re-scoring of ${customerIds.length} customer(s) failed:`, error);
  }
});

// The demo's first start ends with a recompute, so metrics are there at once. The demo's
// US customers pay in USD: a demo exchange rate (CNY per USD) lets their orders count as spend.
afterDemoSeed.push(async (em, _orm, tenantId, say) => {
  const [tenant] = await em.execute<{ default_currency: string }[]>('select default_currency from tenant where id = ?', [tenantId]);
  if (String(tenant?.default_currency).trim() === 'CNY') {
    await em.execute(`update tenant set settings = jsonb_set(settings, '{metrics}', ?::jsonb) where id = ?`, [
      JSON.stringify({ exchangeRates: [{ currency: 'USD', rate: '7.10' }] }),
      tenantId,
    ]);
    tenantKeysChanged(tenantId);
  }
  say('Computing customer value metrics (RFM, BG/NBD, Gamma-Gamma, churn risk)…');
  const job = await createJob(em, tenantId, new Date(), MetricsJobTrigger.DEMO, 'demo');
  const done = await runJob(em, tenantId, job.id);
  say(`Customer metrics ready for ${done.totalCustomers} customers (${done.durationMs} ms)`);
});
