/**
 * Re-scoring's single read: everything needed to re-score a few customers (up to one import
 * batch) in ONE statement — the tenant's settings, its current fitted model and cutoffs, which
 * of the customers exist (and which already carry a churn risk), their purchase history and
 * every churn reason provider's data. Each part is a SELECT of `(kind, customer_id, data jsonb)`
 * rows, combined with `union all`; a write request re-scores with this read and one upsert.
 */
import type { Em } from '../db/orm.js';
import { sql, type Sql } from '../graphql/sql.js';
import { aggregateSql, idRowsSql, safeTimeZone, type TenantMetricsContext, type Window } from './aggregate.js';
import type { BgNbdParams } from './bgnbd.js';
import { churnDataFromRows, churnDataSelects, loadOwnChurnData, type ChurnScope } from './churn-providers.js';
import type { GammaGammaParams } from './gamma-gamma.js';
import type { MetricsJobSummary } from './metrics-job.entity.js';
import type { Cutoffs, Models } from './scoring.js';
import { resolveMetricsSettings } from './settings.js';
import { ValueModelStatus } from './value-model.entity.js';
import { queryPrepared } from '../db/prepared.js';
import { parseJson } from '../db/json-column.js';

/** The tenant columns metrics depend on (the request's principal carries them, read with its key). */
export interface TenantRow {
  defaultCurrency: string;
  timeZone: string | null;
  settings: Record<string, unknown> | string | null;
}

export function tenantContextFrom(tenantId: string, row: TenantRow): TenantMetricsContext {
  return {
    tenantId,
    currency: String(row.defaultCurrency).trim(),
    timeZone: safeTimeZone(row.timeZone),
    settings: resolveMetricsSettings(parseJson<Record<string, unknown>>(row.settings) ?? {}),
  };
}

/** Whether two contexts score alike (same currency, time zone and effective settings). */
export function sameTenantContext(a: TenantMetricsContext, b: TenantMetricsContext): boolean {
  return a.currency === b.currency && a.timeZone === b.timeZone && JSON.stringify(a.settings) === JSON.stringify(b.settings);
}

/** The fitted models and cutoffs of the tenant's latest successful recompute. */
export interface CurrentModel {
  jobId: string | null;
  models: Models;
  modelIds: { bgnbd: string | null; gammaGamma: string | null };
  cutoffs: Cutoffs | null;
}

function currentModelSql(tenantId: string): Sql {
  return sql(
    `select j.id, j.summary, bg.id as bg_id, bg.status as bg_status, bg.params as bg_params,
            gg.id as gg_id, gg.status as gg_status, gg.params as gg_params
       from metrics_job j
       left join value_model bg on bg.tenant_id = j.tenant_id and bg.id = j.bgnbd_model_id
       left join value_model gg on gg.tenant_id = j.tenant_id and gg.id = j.gamma_gamma_model_id
      where j.tenant_id = ? and j.status = 'SUCCEEDED'
      order by j.finished_at desc, j.id desc limit 1`,
    [tenantId],
  );
}

function modelFromRow(row: Record<string, unknown> | undefined): CurrentModel {
  if (!row) return { jobId: null, models: { bgnbd: null, gammaGamma: null }, modelIds: { bgnbd: null, gammaGamma: null }, cutoffs: null };
  const bgnbd = row.bg_status === ValueModelStatus.FITTED ? parseJson<BgNbdParams>(row.bg_params) : null;
  const gammaGamma = row.gg_status === ValueModelStatus.FITTED ? parseJson<GammaGammaParams>(row.gg_params) : null;
  return {
    jobId: String(row.id),
    models: { bgnbd, gammaGamma },
    modelIds: { bgnbd: bgnbd ? String(row.bg_id) : null, gammaGamma: gammaGamma ? String(row.gg_id) : null },
    cutoffs: (parseJson<MetricsJobSummary>(row.summary)?.cutoffs as Cutoffs | undefined) ?? null,
  };
}

export async function currentModel(em: Em, tenantId: string): Promise<CurrentModel> {
  const q = currentModelSql(tenantId);
  const [row] = await em.execute<Record<string, unknown>[]>(q.text, q.params);
  return modelFromRow(row);
}

export interface RescoreData {
  /** The tenant as stored now (compare with the context the statement was built with). */
  tenant: TenantMetricsContext;
  model: CurrentModel;
  /** Each given id as the database spells it: whether it is a customer (not merged away), and whether its stored metrics carry a churn level. */
  customers: { id: string; exists: boolean; scored: boolean }[];
  /** `aggregateSql` rows of the customers with counted orders. */
  orders: Record<string, unknown>[];
  /** Every churn provider's data, in registry order. */
  churn: Map<string, unknown>[];
}

type Row = { kind: string; customer_id: string; data: Record<string, unknown> };

/**
 * Reads everything for re-scoring `ids` in one statement (plus one per churn provider with a
 * loader of its own: none today). `tenant` and `w` shape the purchase and churn windows: the
 * caller checks `result.tenant` against `tenant` and reads again if the settings moved.
 */
export async function readForRescore(em: Em, tenant: TenantMetricsContext, w: Window, ids: readonly string[], scope: ChurnScope): Promise<RescoreData> {
  const { tenantId } = tenant;
  const model = currentModelSql(tenantId);
  const orders = aggregateSql(tenant, w, ids, false);
  const given = idRowsSql(ids);
  const parts: Sql[] = [
    sql(
      `select 'tenant'::text as kind, null::uuid as customer_id,
              jsonb_build_object('default_currency', t.default_currency, 'time_zone', t.time_zone, 'settings', t.settings) as data
         from tenant t where t.id = ?`,
      [tenantId],
    ),
    sql(`select 'model', null, to_jsonb(m) from (${model.text}) m`, model.params),
    sql(
      `select 'customer', g.id, jsonb_build_object('exists', c.id is not null, 'scored', m.churn_level is not null)
         from ${given.text} as g (id)
         left join customer c on c.tenant_id = ? and c.id = g.id and c.merged_into_id is null
         left join customer_metrics m on m.tenant_id = ? and m.customer_id = g.id`,
      [...given.params, tenantId, tenantId],
    ),
    sql(`select 'orders', a.customer_id, to_jsonb(a) from (${orders.text}) a`, orders.params),
  ];
  const churn = churnDataSelects(scope);
  if (churn) parts.push(churn);
  const [rows, own] = await Promise.all([
    // Prepared once per connection (queryPrepared): planning this union was most of its cost.
    queryPrepared<Row>(em, parts.map((p) => p.text).join('\nunion all\n'), parts.flatMap((p) => p.params)),
    loadOwnChurnData(em, scope),
  ]);
  const tenantRow = rows.find((r) => r.kind === 'tenant');
  if (!tenantRow) throw new Error(`tenant ${tenantId} not found`);
  const t = tenantRow.data;
  return {
    tenant: tenantContextFrom(tenantId, { defaultCurrency: String(t.default_currency), timeZone: t.time_zone as string | null, settings: t.settings as Record<string, unknown> }),
    model: modelFromRow(rows.find((r) => r.kind === 'model')?.data),
    customers: rows
      .filter((r) => r.kind === 'customer')
      .map((r) => ({ id: String(r.customer_id), exists: r.data.exists === true, scored: r.data.scored === true })),
    orders: rows.filter((r) => r.kind === 'orders').map((r) => r.data),
    churn: churnDataFromRows(rows, own),
  };
}
