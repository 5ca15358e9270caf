/**
 * The registry of churn reason providers. A provider loads what it needs for a batch of
 * customers in ONE set-based statement (never one per customer) and turns it into reasons.
 * Recompute and incremental re-scoring both run every registered provider.
 *
 * Adding a reason from another feature (e.g. surveys):
 *
 *   registerChurnReasonProvider({
 *     name: 'nps',
 *     codes: [{ code: 'DETRACTOR_SCORE', description: 'The customer’s latest NPS answer is 0–6.' }],
 *     load: (em, scope) => em.execute(`select customer_id, … where tenant_id = ? and ${scope.customers('customer_id').text} …`, …)
 *                            .then((rows) => new Map(rows.map((r) => [r.customer_id, r]))),
 *     evaluate: (customer, row) => (row ? [{ code: 'DETRACTOR_SCORE', message: '…', evidence: [{ name: 'score', value: row.score }], weight: 0.4 }] : []),
 *   });
 *
 * Register at module load (before the schema is built), so the code joins the ChurnReasonCode enum.
 */
import type { Em } from '../db/orm.js';
import type { Sql } from '../graphql/sql.js';
import { interactionReasons, purchaseHistoryReasons, registerChurnReasonCode, type ChurnReason } from './churn.js';
import type { CustomerHistory, LifecycleStage } from './lifecycle.js';
import type { MetricsSettings } from './settings.js';

export interface ChurnScope {
  tenantId: string;
  /** Observation end and the start of the recent and baseline windows (instants). */
  asOf: Date;
  recentStart: Date;
  baselineStart: Date;
  settings: MetricsSettings;
  /** The batch as a condition on a customer id column, e.g. `scope.customers('i.customer_id')`. */
  customers(column: string): Sql;
}

export interface ChurnCustomer {
  customerId: string;
  history: CustomerHistory;
  stage: LifecycleStage;
}

export interface ChurnReasonProvider<T = any> {
  name: string;
  codes: { code: string; description: string }[];
  /** One statement for the whole batch; customers missing from the map get `undefined`. */
  load?(em: Em, scope: ChurnScope): Promise<Map<string, T>>;
  evaluate(customer: ChurnCustomer, data: T | undefined, settings: MetricsSettings): ChurnReason[];
}

export const churnReasonProviders: ChurnReasonProvider[] = [];

export function registerChurnReasonProvider<T>(provider: ChurnReasonProvider<T>): void {
  for (const { code, description } of provider.codes) registerChurnReasonCode(code, description);
  churnReasonProviders.push(provider as ChurnReasonProvider);
}

/** Runs every provider's loader for one batch. */
export async function loadChurnData(em: Em, scope: ChurnScope): Promise<Map<string, unknown>[]> {
  return Promise.all(churnReasonProviders.map((p) => (p.load ? p.load(em, scope) : Promise.resolve(new Map()))));
}

export function evaluateChurnReasons(customer: ChurnCustomer, data: Map<string, unknown>[], settings: MetricsSettings): ChurnReason[] {
  return churnReasonProviders.flatMap((p, i) => p.evaluate(customer, data[i].get(customer.customerId), settings));
}

registerChurnReasonProvider({
  name: 'purchase-history',
  codes: [],
  evaluate: (customer, _data, settings) => purchaseHistoryReasons(customer.history, settings),
});

/** Interactions in the recent and baseline windows; internal notes do not count as contact. */
registerChurnReasonProvider<{ recent: number; baseline: number }>({
  name: 'interactions',
  codes: [],
  async load(em, scope) {
    const customers = scope.customers('i.customer_id');
    const rows = await em.execute<{ customer_id: string; recent: number; baseline: number }[]>(
      `select i.customer_id,
              (count(*) filter (where i.occurred_at > ?::timestamptz))::int as recent,
              (count(*) filter (where i.occurred_at <= ?::timestamptz))::int as baseline
         from interaction i
        where i.tenant_id = ? ${customers.text ? `and ${customers.text}` : ''}
          and i.occurred_at > ?::timestamptz and i.occurred_at <= ?::timestamptz
          and i.type <> 'NOTE' and i.direction <> 'INTERNAL'
        group by i.customer_id`,
      [
        scope.recentStart.toISOString(), scope.recentStart.toISOString(), scope.tenantId, ...customers.params,
        scope.baselineStart.toISOString(), scope.asOf.toISOString(),
      ],
    );
    return new Map(rows.map((r) => [String(r.customer_id), { recent: Number(r.recent), baseline: Number(r.baseline) }]));
  },
  evaluate: (customer, counts, settings) => interactionReasons(customer.history, counts, settings),
});
