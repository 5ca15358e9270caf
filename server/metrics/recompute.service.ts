/**
 * Recompute (whole tenant) and re-score (a few customers) of customer metrics.
 *
 * Recompute, per tenant:
 *  1. AGGREGATING: orders -> purchase history, one set-based statement per 10,000 customers (each
 *     customer's orders as arrays, folded in foldPurchaseHistory),
 *     into typed-array columns (a million customers is ~200 MB, not millions of objects).
 *  2. FITTING: BG/NBD on (x, t_x, T) in days and Gamma-Gamma on (x, zbar), stored as value_model rows.
 *  3. SCORING: P(alive), expected spend and discounted CLV for everyone; RFM quintile and value-tier
 *     cutoffs; the Pareto share.
 *  4. WRITING: customer_metrics upserted 5,000 rows per statement, with the churn reason providers'
 *     data loaded once per batch.
 * Re-scoring runs steps 1 and 4 for the given customers with the current fitted model and cutoffs.
 */
import type { Em } from '../db/orm.js';
import { isUuid, newId } from '../db/ids.js';
import { fit as fitBgNbd } from './bgnbd.js';
import { combineChurnReasons, healthScore, type ChurnReason } from './churn.js';
import { evaluateChurnReasons, loadChurnData, type ChurnScope } from './churn-providers.js';
import { aggregateCustomers, allCustomerIds, appendAggregates, batchCustomerIds, scopeSql, unconvertedOrders, windowFor, withoutJit, type CustomerScope, type TenantMetricsContext, type Window } from './aggregate.js';
import { fit as fitGammaGamma } from './gamma-gamma.js';
import { copyValue, MetricsPartitionRebuild, REBUILD_MIN_CUSTOMERS, type MetricsCopy } from './metrics-rebuild.js';
import { lifecycleStage, type CustomerHistory } from './lifecycle.js';
import type { MetricsJobSummary } from './metrics-job.entity.js';
import {
  amountToDecimal, concatAggregates, ClvCalculator, emptyAggregates, MS_PER_DAY, modelColumns, ownAverage, rfmOf, stats, summarizePopulation, UNITS,
  unitsToDecimal, valueTier, zbar, type Aggregates, type Cutoffs, type Models, type RfmResult,
} from './scoring.js';
import { readForRescore, sameTenantContext, tenantContextFrom, type TenantRow } from './rescore-read.js';
import { ValueModelKind } from './value-model.entity.js';
import { pgArray, queryPrepared } from '../db/prepared.js';

export const AGGREGATE_BATCH = 10_000;
export const WRITE_BATCH = 5_000;
/** Customers per batch of a full recompute: churn signals loaded, rows built and sent (one COPY chunk or one upsert) per batch. */
const RECOMPUTE_WRITE_BATCH = 10_000;
/** Most customers a model is fitted on; larger tenants are fitted on an evenly spread sample. */
export const FIT_SAMPLE_MAX = 100_000;
const AGGREGATE_PARALLEL = 2;
const WRITE_PARALLEL = 2;
const COPY_STREAMS = 2;
/** Rows per write to a COPY stream (~70 KB: young-generation garbage, not the large-object space). */
const COPY_CHUNK = 100;

export async function loadTenantContext(em: Em, tenantId: string): Promise<TenantMetricsContext> {
  const [row] = await em.execute<{ default_currency: string; time_zone: string; settings: unknown }[]>(
    'select default_currency, time_zone, settings from tenant where id = ?',
    [tenantId],
  );
  if (!row) throw new Error(`tenant ${tenantId} not found`);
  return tenantContextFrom(tenantId, { defaultCurrency: row.default_currency, timeZone: row.time_zone, settings: row.settings as TenantRow['settings'] });
}

// ---------- one customer's row ----------

interface ScoringContext {
  tenant: TenantMetricsContext;
  window: Window;
  computedAt: Date;
  jobId: string | null;
  modelIds: { bgnbd: string | null; gammaGamma: string | null };
  cutoffs: Cutoffs | null;
  calc: ClvCalculator;
}

interface Estimate {
  pAlive: number | null;
  purchases: number | null;
  spend: number | null;
  clv: number | null;
}

/** A customer_metrics row ready to write. */
export interface MetricsRow {
  customerId: string;
  orderCount: number;
  purchaseDays: number;
  repeatPurchases: number;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  tXDays: number;
  tDays: number;
  recencyDays: number | null;
  totalSpend: string;
  averageSpend: string | null;
  spendRepeatDays: number;
  zbar: number;
  largestGapDays: number | null;
  rfm: RfmResult | null;
  pAlive: number | null;
  expectedSpend: number | null;
  expectedPurchases: number | null;
  predictedClv: string | null;
  customerValue: string;
  valueAtRisk: string | null;
  valueTier: string;
  lifecycleStage: string;
  churnLevel: string | null;
  churnScore: number | null;
  churnReasons: ChurnReason[];
  healthScore: number | null;
  purchaseCycleDays: number | null;
  nextPurchaseAt: Date | null;
}

function historyOf(agg: Aggregates, i: number, w: Window, pAlive: number | null): CustomerHistory {
  const { x, t_x, T } = stats(agg, i, w.asOfDay);
  const days = agg.purchaseDays[i];
  return {
    purchaseDays: days,
    ageDays: T,
    recencyDays: days ? Math.max(0, w.asOfDay - agg.lastDay[i]) : 0,
    lastGapDays: agg.lastGap[i] >= 0 ? agg.lastGap[i] : null,
    purchaseCycleDays: x > 0 ? t_x / x : null,
    pAlive,
    recentPurchases: agg.recentDays[i],
    baselinePurchases: agg.baselineDays[i],
    recentSpend: agg.recentSpendUnits[i] / UNITS,
    baselineSpend: agg.baselineSpendUnits[i] / UNITS,
  };
}

function buildRow(agg: Aggregates, i: number, est: Estimate, ctx: ScoringContext, churnData: Map<string, unknown>[]): MetricsRow {
  const days = agg.purchaseDays[i];
  const { x, t_x, T } = stats(agg, i, ctx.window.asOfDay);
  const history = historyOf(agg, i, ctx.window, est.pAlive);
  const stage = lifecycleStage(history, ctx.tenant.settings);
  const totalUnits = agg.totalUnits[i];
  const customerValue = totalUnits / UNITS + (est.clv ?? 0);
  const rfm = rfmOf(history.recencyDays, days, totalUnits, ctx.cutoffs);
  let churn: ReturnType<typeof combineChurnReasons> | null = null;
  if (days > 0) {
    const reasons = evaluateChurnReasons({ customerId: agg.customerId[i], history, stage }, churnData, ctx.tenant.settings);
    churn = combineChurnReasons(reasons, stage, ctx.tenant.settings);
  }
  const cycle = history.purchaseCycleDays;
  return {
    customerId: agg.customerId[i],
    orderCount: agg.orderCount[i],
    purchaseDays: days,
    repeatPurchases: x,
    firstOrderAt: days ? new Date(agg.firstOrderAt[i]) : null,
    lastOrderAt: days ? new Date(agg.lastOrderAt[i]) : null,
    tXDays: t_x,
    tDays: T,
    recencyDays: days ? history.recencyDays : null,
    totalSpend: unitsToDecimal(totalUnits),
    averageSpend: days ? unitsToDecimal(Math.round(totalUnits / days)) : null,
    spendRepeatDays: agg.spendRepeatDays[i],
    zbar: zbar(agg, i),
    largestGapDays: agg.largestGap[i] >= 0 ? agg.largestGap[i] : null,
    rfm,
    pAlive: est.pAlive,
    expectedSpend: est.spend,
    expectedPurchases: est.purchases,
    predictedClv: est.clv === null ? null : amountToDecimal(est.clv),
    customerValue: amountToDecimal(customerValue),
    valueAtRisk: est.clv === null || est.pAlive === null ? null : amountToDecimal(est.clv * (1 - est.pAlive)),
    valueTier: valueTier(customerValue, ctx.cutoffs),
    lifecycleStage: stage,
    churnLevel: churn?.level ?? null,
    churnScore: churn?.score ?? null,
    churnReasons: churn?.reasons ?? [],
    healthScore: churn ? healthScore(churn.score, rfm, stage) : null,
    purchaseCycleDays: cycle,
    nextPurchaseAt: cycle !== null && days ? new Date(agg.lastOrderAt[i] + cycle * MS_PER_DAY) : null,
  };
}

// ---------- writing ----------

/** Per-row columns of customer_metrics: name, array type, value. */
const ROW_COLUMNS: [string, string, (r: MetricsRow, ctx: ScoringContext) => unknown][] = [
  ['customer_id', 'uuid', (r) => r.customerId],
  ['bgnbd_model_id', 'uuid', (r, ctx) => (r.pAlive !== null ? ctx.modelIds.bgnbd : null)],
  ['gamma_gamma_model_id', 'uuid', (r, ctx) => (r.expectedSpend !== null ? ctx.modelIds.gammaGamma : null)],
  ['order_count', 'int', (r) => r.orderCount],
  ['purchase_days', 'int', (r) => r.purchaseDays],
  ['repeat_purchases', 'int', (r) => r.repeatPurchases],
  ['first_order_at', 'timestamptz', (r) => r.firstOrderAt],
  ['last_order_at', 'timestamptz', (r) => r.lastOrderAt],
  ['t_x_days', 'int', (r) => r.tXDays],
  ['t_days', 'int', (r) => r.tDays],
  ['recency_days', 'int', (r) => r.recencyDays],
  ['total_spend', 'numeric', (r) => r.totalSpend],
  ['average_spend', 'numeric', (r) => r.averageSpend],
  ['spend_repeat_days', 'int', (r) => r.spendRepeatDays],
  ['zbar', 'float8', (r) => r.zbar],
  ['largest_gap_days', 'int', (r) => r.largestGapDays],
  ['rfm_r', 'smallint', (r) => r.rfm?.r],
  ['rfm_f', 'smallint', (r) => r.rfm?.f],
  ['rfm_m', 'smallint', (r) => r.rfm?.m],
  ['rfm_code', 'text', (r) => r.rfm?.code],
  ['rfm_segment', 'text', (r) => r.rfm?.segment],
  ['p_alive', 'float8', (r) => r.pAlive],
  ['expected_spend', 'float8', (r) => r.expectedSpend],
  ['expected_purchases', 'float8', (r) => r.expectedPurchases],
  ['predicted_clv', 'numeric', (r) => r.predictedClv],
  ['customer_value', 'numeric', (r) => r.customerValue],
  ['value_at_risk', 'numeric', (r) => r.valueAtRisk],
  ['value_tier', 'text', (r) => r.valueTier],
  ['lifecycle_stage', 'text', (r) => r.lifecycleStage],
  ['churn_level', 'text', (r) => r.churnLevel],
  ['churn_score', 'smallint', (r) => r.churnScore],
  ['churn_reasons', 'jsonb', (r) => reasonsJson(r.churnReasons)],
  ['health_score', 'smallint', (r) => r.healthScore],
  ['purchase_cycle_days', 'float8', (r) => r.purchaseCycleDays],
  ['next_purchase_at', 'timestamptz', (r) => r.nextPurchaseAt],
];
function reasonsJson(reasons: ChurnReason[]): string {
  return reasons.length ? JSON.stringify(reasons.map(({ code, message, evidence, weight }) => ({ code, message, evidence, weight: Number(weight.toFixed(4)) }))) : '[]';
}
const SHARED_COLUMNS = ['tenant_id', 'as_of', 'computed_at', 'job_id', 'currency', 'clv_months'];

/** One element of a PostgreSQL array literal: numbers bare, everything else double-quoted. */
function arrayElement(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'NULL';
  const text = v instanceof Date ? (Number.isNaN(v.getTime()) ? null : v.toISOString()) : String(v);
  return text === null ? 'NULL' : `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * One upsert per batch: every column travels as one array and `unnest` turns them back into rows
 * (far cheaper for PostgreSQL to parse than thousands of VALUES tuples). A row re-scored after
 * this recompute started (newer computed_at) is kept: it already saw orders this one did not.
 */
async function upsertRows(em: Em, ctx: ScoringContext, rows: MetricsRow[], bind = false, into?: MetricsPartitionRebuild): Promise<void> {
  if (!rows.length) return;
  const arrays = ROW_COLUMNS.map(([, , get]) => `{${rows.map((r) => arrayElement(get(r, ctx))).join(',')}}`);
  const shared = [ctx.tenant.tenantId, ctx.window.asOf.toISOString(), ctx.computedAt.toISOString(), ctx.jobId, ctx.tenant.currency, ctx.tenant.settings.clvMonths];
  const sharedCasts = ['uuid', 'timestamptz', 'timestamptz', 'uuid', 'text', 'smallint'];
  const names = ROW_COLUMNS.map(([name]) => name);
  const updates = [...SHARED_COLUMNS.slice(1), ...names.slice(1)].map((c) => `${c} = excluded.${c}`).join(', ');
  const casts = [...sharedCasts, ...ROW_COLUMNS.map(([, type]) => `${type}[]`)];
  // A partition being rebuilt is new and holds each customer once: plain inserts.
  const onConflict = into ? '' : `on conflict (tenant_id, customer_id) do update set ${updates}
     where customer_metrics.computed_at <= excluded.computed_at`;
  const text = (p: (i: number) => string) => `insert into ${into ? into.table : 'customer_metrics'} (${[...SHARED_COLUMNS, ...names].join(', ')})
     select ${sharedCasts.map((cast, i) => `${p(i)}::${cast}`).join(', ')}, u.*
       from unnest(${ROW_COLUMNS.map(([, type], i) => `${p(sharedCasts.length + i)}::${type}[]`).join(', ')}) as u (${names.join(', ')})
     ${onConflict}`;
  const params = [...shared, ...arrays];
  if (casts.length !== params.length) throw new Error('upsertRows: one parameter per column');
  if (!bind) {
    // A re-scoring request's few rows: prepared once per connection (the text does not change with
    // the number of rows), so PostgreSQL neither parses nor plans this insert per request.
    await queryPrepared(em, text(() => '?'), params);
    return;
  }
  // The recompute's batches (megabytes of array text each) go as bound parameters through the
  // driver: MikroORM's execute would copy and escape them into the statement text first, which
  // cost a tenth of the recompute's CPU and much of its garbage collection.
  const statement = text((i) => `$${i + 1}`);
  await em.getKysely().executeQuery({
    sql: statement,
    parameters: params,
    query: { kind: 'RawNode', sqlFragments: [statement], parameters: [] },
    queryId: { queryId: newId() },
  } as never);
}

/** The columns every row of a recompute shares, as the start of a COPY line. */
function copyShared(ctx: ScoringContext): string {
  return [ctx.tenant.tenantId, ctx.window.asOf, ctx.computedAt, ctx.jobId, ctx.tenant.currency, ctx.tenant.settings.clvMonths].map(copyValue).join('\t');
}

/**
 * One row as a line of COPY's text format, in COPY_COLUMNS order. Written out field by field
 * rather than through ROW_COLUMNS' getters: this runs for every customer of the tenant, and the
 * generic per-column calls cost several times the formatting itself. The partition-rebuild test
 * checks that it writes exactly what the upsert path writes.
 */
function copyLine(shared: string, ctx: ScoringContext, r: MetricsRow): string {
  const rfm = r.rfm;
  return `${shared}\t${r.customerId}\t${r.pAlive !== null ? (ctx.modelIds.bgnbd ?? NULL) : NULL}\t${r.expectedSpend !== null ? (ctx.modelIds.gammaGamma ?? NULL) : NULL}\t${
    r.orderCount}\t${r.purchaseDays}\t${r.repeatPurchases}\t${date(r.firstOrderAt)}\t${date(r.lastOrderAt)}\t${r.tXDays}\t${r.tDays}\t${num(r.recencyDays)}\t${
    r.totalSpend}\t${r.averageSpend ?? NULL}\t${r.spendRepeatDays}\t${num(r.zbar)}\t${num(r.largestGapDays)}\t${
    rfm ? `${rfm.r}\t${rfm.f}\t${rfm.m}\t${rfm.code}\t${copyValue(rfm.segment)}` : RFM_NULL}\t${num(r.pAlive)}\t${num(r.expectedSpend)}\t${
    num(r.expectedPurchases)}\t${r.predictedClv ?? NULL}\t${r.customerValue}\t${r.valueAtRisk ?? NULL}\t${r.valueTier}\t${r.lifecycleStage}\t${
    r.churnLevel ?? NULL}\t${num(r.churnScore)}\t${copyValue(reasonsJson(r.churnReasons))}\t${num(r.healthScore)}\t${num(r.purchaseCycleDays)}\t${
    date(r.nextPurchaseAt)}\n`;
}
const NULL = '\\N';
const RFM_NULL = Array(5).fill(NULL).join('\t');
const num = (v: number | null) => (v !== null && Number.isFinite(v) ? v : NULL);
const date = (v: Date | null) => (v && !Number.isNaN(v.getTime()) ? v.toISOString() : NULL);
const COPY_COLUMNS = [...SHARED_COLUMNS, ...ROW_COLUMNS.map(([name]) => name)];

function churnScope(ctx: TenantMetricsContext, w: Window, scope: CustomerScope): ChurnScope {
  const recentStart = new Date(w.asOf.getTime() - ctx.settings.recentWindowDays * MS_PER_DAY);
  return {
    tenantId: ctx.tenantId,
    asOf: w.asOf,
    recentStart,
    baselineStart: new Date(recentStart.getTime() - ctx.settings.baselineWindowDays * MS_PER_DAY),
    settings: ctx.settings,
    customers: (column) => scopeSql(scope, column),
  };
}

/** Where a full recompute's rows go, batch by batch. */
interface RowWriter {
  /** Takes the rows of customers [start, end), built by `row(i)`; resolves once they are handed over. */
  write(start: number, end: number, row: (i: number) => MetricsRow): Promise<void>;
  /** Resolves when everything handed over is written. */
  end(): Promise<void>;
  /** Stops after a failure (nothing it wrote is live unless it upserted in place). */
  abort(): Promise<void>;
}

/**
 * A partition rebuild on PostgreSQL: COPY_STREAMS COPY streams on connections of their own, fed
 * COPY_CHUNK rows at a time in turn (two backends parse side by side while Node formats). Anything
 * else: one statement per batch, WRITE_PARALLEL in flight on separate connections (disjoint id
 * ranges) — upserts into customer_metrics, or inserts into the rebuild's table on PGlite.
 */
async function openWriter(em: Em, ctx: ScoringContext, rebuild: MetricsPartitionRebuild | null, timings: Record<string, number>): Promise<RowWriter> {
  const copies: MetricsCopy[] = [];
  if (rebuild) {
    for (let k = 0; k < COPY_STREAMS; k++) {
      const copy = await rebuild.openCopy(em, COPY_COLUMNS).catch(async (error) => {
        await Promise.all(copies.map((c) => c.abort()));
        throw error;
      });
      if (!copy) break; // PGlite
      copies.push(copy);
    }
  }
  const pending: Promise<void>[] = [];
  const settle = (task: Promise<void>) => {
    task.catch(() => undefined); // awaited in turn, or by end()/abort()
    return task;
  };
  if (copies.length) {
    const shared = copyShared(ctx);
    let chunks = 0;
    return {
      async write(start, end, row) {
        // Chunks, not batch-sized strings: each chunk and its row objects die young (a batch-sized
        // string lands in the large-object space and waits for a full collection).
        let chunk = '';
        for (let i = start; i < end; i++) {
          chunk += copyLine(shared, ctx, row(i));
          if ((i - start) % COPY_CHUNK === COPY_CHUNK - 1 || i === end - 1) {
            const k = chunks++ % copies.length;
            await pending[k]; // that stream took its previous chunk
            pending[k] = settle(copies[k].write(chunk));
            chunk = '';
          }
        }
      },
      async end() {
        for (const task of pending) await task;
        await Promise.all(copies.map((c) => c.end()));
      },
      async abort() {
        await Promise.all(copies.map((c) => c.abort()));
      },
    };
  }
  return {
    async write(start, end, row) {
      const rows: MetricsRow[] = [];
      for (let i = start; i < end; i++) rows.push(row(i));
      const t = Date.now();
      while (pending.length >= WRITE_PARALLEL) await pending.shift();
      timings.upsertWaitMs = (timings.upsertWaitMs ?? 0) + Date.now() - t;
      pending.push(settle(upsertRows(em.fork() as Em, ctx, rows, true, rebuild ?? undefined)));
    },
    async end() {
      for (const task of pending) await task;
    },
    async abort() {
      await Promise.allSettled(pending);
    },
  };
}

// ---------- recompute ----------

export type RecomputePhase = 'AGGREGATING' | 'FITTING' | 'SCORING' | 'WRITING';

export interface RecomputeProgress {
  phase: RecomputePhase;
  /** 0..1 over the whole recompute. */
  progress: number;
  processed: number;
  total: number;
}

export interface RecomputeResult {
  bgnbdModelId: string;
  gammaGammaModelId: string;
  summary: MetricsJobSummary;
}

/** Share of the whole run at which each phase starts and ends (the job reaches 1 when it is SUCCEEDED). */
const PHASE_SPAN: Record<RecomputePhase, [number, number]> = {
  AGGREGATING: [0, 0.45],
  FITTING: [0.45, 0.5],
  SCORING: [0.5, 0.55],
  WRITING: [0.55, 0.99],
};

export async function recomputeTenant(
  em: Em,
  tenantId: string,
  opts: {
    asOf: Date;
    jobId: string;
    onProgress?: (p: RecomputeProgress) => Promise<void> | void;
    /** Tenants with at least this many customers get their metrics rebuilt as their own partition (metrics-rebuild.ts). */
    rebuildMinCustomers?: number;
  },
): Promise<RecomputeResult> {
  const started = Date.now();
  const timings: Record<string, number> = {};
  const report = async (phase: RecomputePhase, done: number, total: number) => {
    const [from, to] = PHASE_SPAN[phase];
    const share = total > 0 ? Math.min(1, done / total) : 1;
    await opts.onProgress?.({ phase, progress: from + (to - from) * share, processed: done, total });
  };

  const tenant = await loadTenantContext(em, tenantId);
  const w = windowFor(opts.asOf, tenant);
  // Every customer id in one statement (the million strings are kept as agg.customerId anyway);
  // batches are cut from it in Node instead of one keyset statement per batch.
  const customerIds = await allCustomerIds(em, tenantId);
  const total = customerIds.length;

  // 1. AGGREGATING
  await report('AGGREGATING', 0, total);
  const agg = emptyAggregates(total + 16);
  // Batches in id order, aggregated two at a time: with PostgreSQL that is two backends on two
  // cores; appended strictly in id order.
  let unpriced = 0;
  const pending: Promise<Aggregates>[] = [];
  const drain = async () => {
    const part = await pending.shift()!;
    concatAggregates(agg, part);
    await report('AGGREGATING', agg.n, Math.max(agg.n, total));
  };
  for (let start = 0; start < total; start += AGGREGATE_BATCH) {
    const ids = customerIds.slice(start, start + AGGREGATE_BATCH);
    const part = emptyAggregates(ids.length);
    const task = withoutJit(em.fork() as Em, (tx) => aggregateCustomers(tx, tenant, w, ids, part)).then(({ unpricedOrders }) => {
      unpriced += unpricedOrders;
      return part;
    });
    task.catch(() => undefined); // awaited (and thrown) in order by drain()
    pending.push(task);
    if (pending.length >= AGGREGATE_PARALLEL) await drain();
  }
  while (pending.length) await drain();
  const unconverted = unpriced > 0 ? await unconvertedOrders(em, tenant, w) : [];
  timings.aggregateMs = Date.now() - started;

  // 2. FITTING
  await report('FITTING', 0, 1);
  const fitStart = Date.now();
  let buyers = 0;
  for (let i = 0; i < agg.n; i++) if (agg.purchaseDays[i] > 0) buyers++;
  // Larger tenants are fitted on an evenly spread sample (in id order, i.e. across sign-up
  // time): the parameters are already precise, and the fit stays a few seconds.
  const sampled = Math.min(buyers, FIT_SAMPLE_MAX);
  const x = new Float64Array(sampled), tx = new Float64Array(sampled), T = new Float64Array(sampled);
  const gx = new Float64Array(sampled), gz = new Float64Array(sampled);
  for (let i = 0, b = 0, k = 0; i < agg.n && k < sampled; i++) {
    if (agg.purchaseDays[i] === 0) continue;
    const take = Math.floor((k * buyers) / sampled) === b++;
    if (!take) continue;
    const s = stats(agg, i, w.asOfDay);
    x[k] = s.x;
    tx[k] = s.t_x;
    T[k] = Math.max(s.T, s.t_x);
    gx[k] = agg.spendRepeatDays[i];
    gz[k] = zbar(agg, i);
    k++;
  }
  const bgStart = Date.now();
  const bg = fitBgNbd({ x, t_x: tx, T });
  const bgMs = Date.now() - bgStart;
  const ggStart = Date.now();
  const gg = fitGammaGamma({ x: gx, zbar: gz });
  const ggMs = Date.now() - ggStart;
  const noOrders = buyers === 0 ? 'No customer has a counted order up to asOf' : null;
  const models = [
    { id: newId(), kind: ValueModelKind.BGNBD, fit: bg, ms: bgMs },
    { id: newId(), kind: ValueModelKind.GAMMA_GAMMA, fit: gg, ms: ggMs },
  ];
  await em.execute(
    `insert into value_model (tenant_id, id, job_id, kind, status, reason, params, log_likelihood, sample_size, iterations, currency, fit_ms, as_of, fitted_at)
     values ${models.map(() => '(?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?::timestamptz, ?::timestamptz)').join(', ')}`,
    models.flatMap((m) => [
      tenantId, m.id, opts.jobId, m.kind, m.fit.status,
      m.fit.reason && noOrders ? `${noOrders}: ${m.fit.reason}` : m.fit.reason,
      m.fit.params ? JSON.stringify(m.fit.params) : null,
      m.fit.logLikelihood !== null && Number.isFinite(m.fit.logLikelihood) ? m.fit.logLikelihood : null,
      Math.round(m.fit.n), m.fit.iterations, tenant.currency, m.ms, w.asOf.toISOString(), new Date().toISOString(),
    ]),
  );
  timings.fitMs = Date.now() - fitStart;

  // 3. SCORING
  await report('SCORING', 0, 1);
  const scoreStart = Date.now();
  const fitted: Models = {
    bgnbd: bg.status === 'FITTED' ? bg.params : null,
    gammaGamma: gg.status === 'FITTED' ? gg.params : null,
  };
  const calc = new ClvCalculator(fitted, tenant.settings.clvMonths, tenant.settings.annualDiscountRate);
  const columns = modelColumns(agg, w.asOfDay, calc);
  const population = summarizePopulation(agg, w.asOfDay, columns, tenant.settings);
  timings.scoreMs = Date.now() - scoreStart;

  // 4. WRITING
  const writeStart = Date.now();
  const ctx: ScoringContext = {
    tenant,
    window: w,
    computedAt: new Date(started),
    jobId: opts.jobId,
    modelIds: { bgnbd: fitted.bgnbd ? models[0].id : null, gammaGamma: fitted.gammaGamma ? models[1].id : null },
    cutoffs: population.cutoffs,
    calc,
  };
  const nan = (v: number) => (Number.isNaN(v) ? null : v);
  // A pipeline on separate connections: the next batch's churn signals load while this batch's
  // rows are built and handed to the writer (openWriter: COPY streams or parallel upserts).
  const signalsFor = (start: number) => {
    const end = Math.min(agg.n, start + RECOMPUTE_WRITE_BATCH);
    const scope: CustomerScope = { kind: 'range', after: start > 0 ? agg.customerId[start - 1] : null, upTo: agg.customerId[end - 1] };
    const task = withoutJit(em.fork() as Em, (tx) => loadChurnData(tx, churnScope(tenant, w, scope)));
    task.catch(() => undefined); // awaited (and thrown) in turn below
    return task;
  };
  let nextSignals = agg.n > 0 ? signalsFor(0) : null;
  const rebuild = agg.n > 0 && agg.n >= (opts.rebuildMinCustomers ?? REBUILD_MIN_CUSTOMERS) ? await MetricsPartitionRebuild.start(em, tenantId) : null;
  let writer: RowWriter | null = null;
  try {
    writer = await openWriter(em, ctx, rebuild, timings);
    for (let start = 0; start < agg.n; start += RECOMPUTE_WRITE_BATCH) {
      await report('WRITING', start, agg.n);
      const end = Math.min(agg.n, start + RECOMPUTE_WRITE_BATCH);
      let t = Date.now();
      const churnData = await nextSignals!;
      nextSignals = end < agg.n ? signalsFor(end) : null;
      timings.signalsWaitMs = (timings.signalsWaitMs ?? 0) + Date.now() - t;
      t = Date.now();
      await writer.write(start, end, (i) =>
        buildRow(agg, i, { pAlive: nan(columns.pAlive[i]), purchases: nan(columns.expectedPurchases[i]), spend: nan(columns.expectedSpend[i]), clv: nan(columns.clv[i]) }, ctx, churnData));
      timings.rowsMs = (timings.rowsMs ?? 0) + Date.now() - t;
    }
    await writer.end();
    timings.loadMs = Date.now() - writeStart;
    if (rebuild) {
      await rebuild.finish(em, ctx.computedAt);
    } else {
      // Customers merged away since their last scoring keep no metrics.
      await em.execute(
        `delete from customer_metrics m using customer c
          where m.tenant_id = ? and c.tenant_id = m.tenant_id and c.id = m.customer_id and c.merged_into_id is not null`,
        [tenantId],
      );
    }
  } catch (error) {
    await writer?.abort();
    await rebuild?.abort(em).catch(() => undefined);
    throw error;
  }
  await report('WRITING', agg.n, agg.n);
  timings.writeMs = Date.now() - writeStart;
  timings.totalMs = Date.now() - started;

  return {
    bgnbdModelId: models[0].id,
    gammaGammaModelId: models[1].id,
    summary: {
      customers: agg.n,
      buyers,
      currency: tenant.currency,
      cutoffs: population.cutoffs,
      pareto: population.pareto,
      fitSample: { buyers, sampled },
      unconvertedOrders: unconverted,
      timings,
    },
  };
}

// ---------- incremental re-scoring ----------

export interface RescoreOptions {
  /**
   * The tenant as the request read it with its key (currency, time zone, settings): saves a
   * statement. The read checks it against the stored tenant and reads again if it moved.
   */
  tenant?: TenantRow;
  /**
   * Only customers whose stored metrics carry a churn level (after a change of churn signals:
   * a prospect's risk is null whatever its signals, and the next recompute scores everyone).
   */
  onlyScored?: boolean;
}

/**
 * "Now" for a re-scoring right after a write: the end of the current millisecond. PostgreSQL
 * stamps a row written with now() in microseconds and a Date holds milliseconds, so an answer
 * completed at …:00.123456 is later than `new Date()` read at …:00.123900 (that is, .123), and the
 * re-scoring's `<= asOf` windows left out the very order or answer that triggered it whenever the
 * write and the re-scoring fell in the same millisecond.
 */
export const liveAsOf = (): Date => new Date(Date.now() + 1);

/**
 * Re-scores the given customers (e.g. right after new orders) with the tenant's current fitted
 * model and cutoffs: no refit. Observation end: `asOf` (now, see liveAsOf). Per batch of up to 5,000
 * customers: ONE read (tenant, model, customers, orders and every churn signal, see
 * rescore-read.ts) and ONE upsert; a statement more without `opts.tenant`, and one to drop the
 * metrics of customers merged away.
 */
export async function rescoreCustomers(
  em: Em,
  tenantId: string,
  customerIds: readonly string[],
  asOf = liveAsOf(),
  opts: RescoreOptions = {},
): Promise<number> {
  const ids = [...new Set(customerIds)].filter(isUuid);
  if (!ids.length) return 0;
  let tenant = opts.tenant ? tenantContextFrom(tenantId, opts.tenant) : await loadTenantContext(em, tenantId);
  let written = 0;
  for (let start = 0; start < ids.length; start += WRITE_BATCH) {
    const given = ids.slice(start, start + WRITE_BATCH);
    // computed_at is taken before the read: of two re-scorings of a customer, the one that read later (and saw more) wins.
    const read = async () => {
      const w = windowFor(asOf, tenant);
      const computedAt = new Date();
      return { w, computedAt, data: await readForRescore(em, tenant, w, given, churnScope(tenant, w, { kind: 'ids', ids: given })) };
    };
    let { w, computedAt, data } = await read();
    if (!sameTenantContext(data.tenant, tenant)) {
      // The settings changed since the caller read them: score with the stored ones.
      tenant = data.tenant;
      ({ w, computedAt, data } = await read());
    }
    const customers = opts.onlyScored ? data.customers.filter((c) => c.scored) : data.customers;
    const gone = customers.filter((c) => !c.exists).map((c) => c.id);
    if (gone.length) {
      // Merged away (or never there): a merged duplicate keeps no metrics of its own.
      await em.execute('delete from customer_metrics where tenant_id = ? and customer_id = any(?::uuid[])', [tenantId, pgArray(gone)]);
    }
    // In id order, as the database sorts uuids (lower-case hex strings sort alike).
    const found = customers.filter((c) => c.exists).map((c) => c.id).sort();
    if (!found.length) continue;
    const agg = emptyAggregates(found.length);
    appendAggregates(data.orders, found, agg, w);
    const { models, modelIds, cutoffs } = data.model;
    const calc = new ClvCalculator(models, tenant.settings.clvMonths, tenant.settings.annualDiscountRate);
    const ctx: ScoringContext = { tenant, window: w, computedAt, jobId: null, modelIds, cutoffs, calc };
    const rows: MetricsRow[] = [];
    for (let i = 0; i < agg.n; i++) {
      const { x, t_x, T } = stats(agg, i, w.asOfDay);
      const est: Estimate = agg.purchaseDays[i] > 0
        ? calc.estimate(x, t_x, T, agg.spendRepeatDays[i], zbar(agg, i), ownAverage(agg, i))
        : { pAlive: null, purchases: null, spend: null, clv: null };
      rows.push(buildRow(agg, i, est, ctx, data.churn));
    }
    await upsertRows(em, ctx, rows);
    written += rows.length;
  }
  return written;
}
