/**
 * The registry of churn reason providers. A provider reads what it needs for a batch of
 * customers with ONE set-based query (never one per customer) and turns it into reasons.
 * Recompute and incremental re-scoring both run every registered provider: the recompute runs
 * each provider's query as a statement of its own per batch (`loadChurnData`), re-scoring puts
 * all of them into its single read statement (`churnDataSelects` / `churnDataFromRows`).
 *
 * Adding a reason from another feature (e.g. surveys):
 *
 *   registerChurnReasonProvider({
 *     name: 'nps',
 *     codes: [{ code: 'DETRACTOR_SCORE', description: 'The customer’s latest NPS answer is 0–6.' }],
 *     query: (scope) => sql(`select customer_id, … from survey_response r where r.tenant_id = ? and ${scope.customers('r.customer_id').text} … group by customer_id`, […]),
 *     read: (row) => ({ score: Number(row.score) }),
 *     evaluate: (customer, data) => (data ? [{ code: 'DETRACTOR_SCORE', message: '…', evidence: [{ name: 'score', value: data.score }], weight: 0.4 }] : []),
 *   });
 *
 * Register at module load (before the schema is built), so the code joins the ChurnReasonCode enum.
 */
import type { Em } from '../db/orm.js';
import { sql, type Sql } from '../graphql/sql.js';
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
  /**
   * The batch's data as one query: it selects `customer_id` and what `read` needs, at most one
   * row per customer, and reads only tables (it runs next to the other providers' queries).
   */
  query?(scope: ChurnScope): Sql;
  /**
   * A row of `query` -> what `evaluate` gets. The row arrives either straight from the driver or
   * through JSON (timestamps as ISO strings, numerics as numbers): convert with Number / new Date.
   */
  read?(row: Record<string, unknown>): T;
  /** Instead of `query`: a loader of its own (costs re-scoring a statement of its own). */
  load?(em: Em, scope: ChurnScope): Promise<Map<string, T>>;
  evaluate(customer: ChurnCustomer, data: T | undefined, settings: MetricsSettings): ChurnReason[];
}

export const churnReasonProviders: ChurnReasonProvider[] = [];

export function registerChurnReasonProvider<T>(provider: ChurnReasonProvider<T>): void {
  for (const { code, description } of provider.codes) registerChurnReasonCode(code, description);
  churnReasonProviders.push(provider as ChurnReasonProvider);
}

const readRow = (p: ChurnReasonProvider, row: Record<string, unknown>) => (p.read ? p.read(row) : row);

/** Runs every provider's query (or loader) for one batch: one statement per provider, side by side. */
export async function loadChurnData(em: Em, scope: ChurnScope): Promise<Map<string, unknown>[]> {
  return Promise.all(
    churnReasonProviders.map(async (p) => {
      if (p.load) return p.load(em, scope);
      if (!p.query) return new Map();
      const q = p.query(scope);
      const rows = await em.execute<Record<string, unknown>[]>(q.text, q.params);
      return new Map(rows.map((r) => [String(r.customer_id), readRow(p, r)]));
    }),
  );
}

/**
 * Every provider's query as one SELECT of `(kind, customer_id, data jsonb)` rows, kind
 * `churn:<index>`, to be combined (union all) into a larger statement; null when no provider
 * has a query. Providers with a loader of their own are left to `loadOwnChurnData`.
 */
export function churnDataSelects(scope: ChurnScope): Sql | null {
  const parts = churnReasonProviders.flatMap((p, i) => {
    if (p.load || !p.query) return [];
    const q = p.query(scope);
    return [sql(`select 'churn:${i}'::text as kind, q.customer_id::uuid as customer_id, to_jsonb(q) as data from (${q.text}) q`, q.params)];
  });
  return parts.length ? { text: parts.map((p) => p.text).join('\nunion all\n'), params: parts.flatMap((p) => p.params) } : null;
}

/** Providers with a loader of their own: their data, one statement each (none today). */
export async function loadOwnChurnData(em: Em, scope: ChurnScope): Promise<Map<number, Map<string, unknown>>> {
  const own = churnReasonProviders.flatMap((p, i) => (p.load ? [[i, p] as const] : []));
  return new Map(await Promise.all(own.map(async ([i, p]) => [i, await p.load!(em, scope)] as const)));
}

/** The data of every provider, in registry order (what `evaluateChurnReasons` takes), from `churnDataSelects` rows and `loadOwnChurnData`. */
export function churnDataFromRows(
  rows: { kind: string; customer_id: string; data: Record<string, unknown> }[],
  own: Map<number, Map<string, unknown>> = new Map(),
): Map<string, unknown>[] {
  const data = churnReasonProviders.map((_, i) => own.get(i) ?? new Map<string, unknown>());
  for (const r of rows) {
    if (!r.kind.startsWith('churn:')) continue;
    const i = Number(r.kind.slice('churn:'.length));
    data[i].set(String(r.customer_id), readRow(churnReasonProviders[i], r.data));
  }
  return data;
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
  query(scope) {
    const customers = scope.customers('i.customer_id');
    return sql(
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
  },
  read: (row) => ({ recent: Number(row.recent), baseline: Number(row.baseline) }),
  evaluate: (customer, counts, settings) => interactionReasons(customer.history, counts, settings),
});
