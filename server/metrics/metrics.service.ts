/**
 * Reading customer metrics (batched), filtering and sorting customers by them, and the
 * tenant's metric settings.
 */
import type { Principal } from '../auth/keys.service.js';
import type { Loaders } from '../context.js';
import type { Em } from '../db/orm.js';
import { BadUserInputError, InputErrors } from '../graphql/errors.js';
import type { CustomerJoin } from '../customers/customer.service.js';
import type { ParentRequest } from '../graphql/first-page-join.js';
import type { SelectedField } from '../graphql/lookahead.js';
import { columnProperties, plainMapper } from '../graphql/keyset-query.js';
import { compileFilter, joinSql, sql, type FieldSpec, type Sql, type SqlSortKey } from '../graphql/sql.js';
import { checkCurrency } from '../graphql/validate.js';
import { CustomerMetricsRecord } from './metrics.entity.js';
import type { CustomerMetricsFilter, MetricsSettingsInput } from './metrics.inputs.js';
import { CUSTOMER_METRICS_READS, CustomerMetrics, ExchangeRateSetting, MetricsSettingsType } from './metrics.types.js';
import { crossFieldProblems, resolveMetricsSettings, SETTING_RANGES, type MetricsSettings } from './settings.js';
import { tenantKeysChanged } from '../auth/principal-cache.js';
import { pgArray, queryPrepared } from '../db/prepared.js';
import { ValueModels } from './value-model-params.js';
import { parseJson } from '../db/json-column.js';

/**
 * Which customer_metrics columns a read fetches: `columns` (record properties) or every column;
 * `key` names it (DataLoaders and select lists per key).
 */
export interface MetricsRead {
  key: string;
  columns: ReadonlySet<keyof CustomerMetricsRecord> | 'all';
}

export const ALL_METRICS: MetricsRead = { key: 'all', columns: 'all' };

/** Read by every metrics statement: the keys, the currency of every amount, the models scored with. */
const ALWAYS_READ = ['customerId', 'currency', 'bgnbdModelId', 'gammaGammaModelId'] as const;

/**
 * What the selected CustomerMetrics fields (selectedPaths under `metrics`) read, from
 * CUSTOMER_METRICS_READS: a list page asks for a dozen of the 41 columns, and the columns it
 * leaves are most of the row's bytes (the churn reasons' sentences alone are ≈ 300 bytes).
 * Cached per selection (selectedPaths returns one set per field of a document).
 */
export function metricsReadFor(paths: ReadonlySet<string>): MetricsRead {
  let read = readsBySelection.get(paths);
  if (read) return read;
  const columns = new Set<keyof CustomerMetricsRecord>(ALWAYS_READ);
  read = { key: '', columns };
  for (const path of paths) {
    const needs = CUSTOMER_METRICS_READS[path];
    if (needs) for (const need of needs) columns.add(need);
    else if (!path.includes('.')) read = ALL_METRICS; // a field the table does not know: read everything
  }
  if (read !== ALL_METRICS) {
    // A short name per distinct column set: it goes into a DataLoader key for every row of a page.
    const columnList = [...columns].sort().join(',');
    read.key = readKeys.get(columnList) ?? `r${readKeys.size + 1}`;
    readKeys.set(columnList, read.key);
  }
  readsBySelection.set(paths, read);
  return read;
}
const readsBySelection = new WeakMap<ReadonlySet<string>, MetricsRead>();
const readKeys = new Map<string, string>();

/**
 * The select list of `read`'s customer_metrics columns over alias `m`, each named `prefix` +
 * column. The churn reasons come as text, to be parsed only when `churnRisk.reasons` is read. The
 * value models' parameters are not read here: the rows carry the model ids, and ValueModels holds
 * the parameters. Built from the entity metadata once per read, alias and prefix.
 */
function metricsColumns(em: Em, read: MetricsRead, m: string, prefix: string): string {
  const cacheKey = `${read.key} ${m} ${prefix}`;
  let built = metricsColumnLists.get(cacheKey);
  if (built) return built;
  const { columns } = read;
  const as = (column: string) => (prefix ? ` as "${prefix}${column}"` : '');
  built = columnProperties(em, CustomerMetricsRecord)
    .filter((p) => columns === 'all' || columns.has(p.name as keyof CustomerMetricsRecord))
    .map((p) => p.fieldNames[0])
    .map((c) => (c === 'churn_reasons' ? `${m}.churn_reasons::text as "${prefix}churn_reasons"` : `${m}.${c}${as(c)}`))
    .join(', ');
  metricsColumnLists.set(cacheKey, built);
  return built;
}
const metricsColumnLists = new Map<string, string>();

/** `select` list and `from` for customer_metrics rows as `m` with `read`'s columns (metricsColumns). */
function metricsSelect(em: Em, read: MetricsRead): string {
  return `${metricsColumns(em, read, 'm', '')} from customer_metrics m`;
}

/**
 * Batch: metrics of many customers (the columns `read` names) in ONE statement, in key order
 * (null for a customer without metrics yet).
 */
async function metricsByCustomerIds(
  em: Em,
  principal: Principal,
  customerIds: readonly string[],
  read: MetricsRead = ALL_METRICS,
): Promise<(CustomerMetrics | null)[]> {
  // One text per column set whatever the page size: prepared once (queryPrepared).
  const rows = await queryPrepared(em, `select ${metricsSelect(em, read)} where m.tenant_id = ? and m.customer_id = any(?::uuid[])`, [
    principal.tenantId,
    pgArray(customerIds),
  ]);
  const byId = new Map<string, CustomerMetrics>();
  for (const metrics of metricsOfRows(em, principal, rows)) byId.set(metrics.record.customerId, metrics);
  return customerIds.map((id) => byId.get(id) ?? null);
}

/**
 * `customer.metrics` through the request's DataLoader for `read` (one loader, and so one statement
 * per page, for each distinct selection): what Customer.metrics and the widget fields use.
 */
export function loadCustomerMetrics(
  ctx: { em: Em; principal: Principal; loaders: Loaders },
  customerId: string,
  read: MetricsRead = ALL_METRICS,
): Promise<CustomerMetrics | null> {
  return customerMetricsLoader(ctx, read).load(customerId);
}

/** The request's loader of customers' metrics for one read (one per distinct column set). */
export function customerMetricsLoader(ctx: { em: Em; principal: Principal; loaders: Loaders }, read: MetricsRead) {
  return ctx.loaders.get<string, CustomerMetrics | null>(`customer.metrics:${read.key}`, (ids) => metricsByCustomerIds(ctx.em, ctx.principal, ids, read));
}

/** Metrics rows by value at risk, highest first, every column (churnWatchlist). */
export async function metricsByValueAtRisk(em: Em, principal: Principal, first: number): Promise<CustomerMetrics[]> {
  const rows = await em.execute<Record<string, unknown>[]>(
    `select ${metricsSelect(em, ALL_METRICS)}
      where m.tenant_id = ? and m.value_at_risk > 0
      order by m.value_at_risk desc nulls last, m.customer_id
      limit ?`,
    [principal.tenantId, first],
  );
  return metricsOfRows(em, principal, rows);
}

/** Rows of metricsSelect as GraphQL objects. */
function metricsOfRows(em: Em, principal: Principal, rows: Record<string, unknown>[]): CustomerMetrics[] {
  return metricsOfPrefixedRows(em, principal, rows, '') as CustomerMetrics[];
}

/**
 * Rows with metricsColumns named `prefix` + column as GraphQL objects; null for a row without
 * metrics (a LEFT JOIN that found none).
 */
function metricsOfPrefixedRows(em: Em, principal: Principal, rows: readonly Record<string, unknown>[], prefix: string): (CustomerMetrics | null)[] {
  const rate = resolveMetricsSettings(principal.tenant.settings).annualDiscountRate;
  const models = new ValueModels(em, principal.tenantId);
  // Always plain rows (never in the identity map): metrics rows are written by raw SQL only and
  // may be partial (the columns a selection needs). The mapper reads only the entity's columns.
  const toRecord = plainMapper(em, CustomerMetricsRecord, prefix);
  const idColumn = `${prefix}customer_id`;
  return rows.map((row) => {
    if (row[idColumn] == null) return null;
    const record = toRecord(row);
    return CustomerMetrics.from(record, models, rate);
  });
}

/** Metrics read in the customers' own statement (metricsJoin), left on each customer. */
const PREFETCHED_METRICS = Symbol('metrics read with the customer');

/** The metrics read with this customer (null: it has none), or undefined when none were read with it. */
export function prefetchedMetrics(customer: object): CustomerMetrics | null | undefined {
  return (customer as { [PREFETCHED_METRICS]?: CustomerMetrics | null })[PREFETCHED_METRICS];
}

/**
 * Customers (a page, or one) read the metrics their selection asks for (`field`: `metrics`) in
 * their own statement: customer_metrics LEFT JOINed on the customer, the
 * columns named `pm__…`. Customer.metrics then answers from the row at once — no statement, no
 * DataLoader round, no promise per customer (bench/README.md, Load).
 */
export function metricsJoin(ctx: ParentRequest, field: SelectedField): CustomerJoin {
  const read = metricsReadFor(field.paths);
  // Aliased `cm`, as the metrics filter's and sort's joins (same row): a page filtered or sorted
  // by metrics reads them from that join instead of joining customer_metrics twice.
  return {
    select: metricsColumns(ctx.em, read, 'cm', 'pm__'),
    join: METRICS_JOIN,
    reuse: { alias: 'cm', join: '' },
    attach(rows, customers) {
      const metrics = metricsOfPrefixedRows(ctx.em, ctx.principal, rows, 'pm__');
      customers.forEach((customer, i) => {
        (customer as { [PREFETCHED_METRICS]?: CustomerMetrics | null })[PREFETCHED_METRICS] = metrics[i];
      });
    },
  };
}

// ---------- customers(filter: { metrics: … }, orderBy: [{ field: PREDICTED_CLV … }]) ----------

const METRIC_FIELDS: Record<string, FieldSpec> = {
  churnRisk: { expr: 'm.churn_level', kind: 'enum' },
  churnScore: { expr: 'm.churn_score', kind: 'number' },
  predictedClv: { expr: 'm.predicted_clv', kind: 'decimal' },
  historicValue: { expr: 'm.total_spend', kind: 'decimal' },
  valueAtRisk: { expr: 'm.value_at_risk', kind: 'decimal' },
  valueTier: { expr: 'm.value_tier', kind: 'enum' },
  lifecycleStage: { expr: 'm.lifecycle_stage', kind: 'enum' },
  rfmSegment: { expr: 'm.rfm_segment', kind: 'enum' },
  rfmCode: { expr: 'm.rfm_code', kind: 'string' },
  pAlive: { expr: 'm.p_alive', kind: 'number' },
  recencyDays: { expr: 'm.recency_days', kind: 'number' },
  frequency: { expr: 'm.purchase_days', kind: 'number' },
  healthScore: { expr: 'm.health_score', kind: 'number' },
};

/** Alias of customer_metrics joined by the statement being compiled (see withJoinedMetrics), or null. */
let joinedMetrics: { alias: string; used: boolean } | null = null;

/**
 * Compiles customer filters inside `compile` against customer_metrics already LEFT JOINed as
 * `alias` (on tenant_id and customer_id = c.id) instead of one EXISTS per condition. Same
 * matches; for statements where an EXISTS cannot become a join, e.g. inside CASE (tier rules),
 * where it would probe the metrics once per customer and rule. Compiling is synchronous, so
 * the alias never leaks into another statement. `used`: whether any metrics condition was compiled.
 */
export function withJoinedMetrics<T>(alias: string, compile: () => T): { result: T; used: boolean } {
  const previous = joinedMetrics;
  joinedMetrics = { alias, used: false };
  try {
    const result = compile();
    return { result, used: joinedMetrics.used };
  } finally {
    joinedMetrics = previous;
  }
}

const fieldsOver = (alias: string): Record<string, FieldSpec> =>
  Object.fromEntries(Object.entries(METRIC_FIELDS).map(([k, f]) => [k, { ...f, expr: f.expr.replace(/^m\./, `${alias}.`) }]));

/** The conditions of a metrics filter over the customer_metrics row aliased `alias`. */
function metricsConditions(alias: string, filter: CustomerMetricsFilter, path: string): Sql {
  return compileFilter<CustomerMetricsFilter>(filter, alias === 'm' ? METRIC_FIELDS : fieldsOver(alias), {
    churnReasons: (codes: string[]) =>
      // jsonb containment: every code present among the reasons.
      sql(`${alias}.churn_reasons @> ?::jsonb`, [JSON.stringify(codes.map((code) => ({ code })))]),
  } as never, path);
}

/**
 * `filter.metrics` as an EXISTS on the customer's metrics row (composes with and / or / not), or,
 * under withJoinedMetrics, as the same test on the joined row: true only when the row exists and
 * the conditions hold (coalesce: NULL is false, as inside EXISTS).
 */
export function compileMetricsFilter(filter: CustomerMetricsFilter, path: string): Sql {
  const alias = joinedMetrics?.alias ?? 'm';
  const inner = metricsConditions(alias, filter, path);
  if (!inner.text) return sql('');
  if (joinedMetrics) {
    joinedMetrics.used = true;
    return sql(`coalesce((${alias}.customer_id is not null and (${inner.text})), false)`, inner.params);
  }
  return joinSql(
    [sql(`exists (select 1 from customer_metrics m where m.tenant_id = c.tenant_id and m.customer_id = c.id and (${inner.text}))`, inner.params)],
    ' and ',
  );
}

/**
 * `filter.metrics` at the top level of a customer filter: the metrics row INNER JOINed as `cm`
 * and the conditions tested on it (a row must exist for them to hold, as in the EXISTS), so a
 * metrics sort can walk customer_metrics' indexes (customerJoinFilters in customer.service).
 */
export const METRICS_FILTER_JOIN = {
  alias: 'cm',
  join: 'join customer_metrics cm on cm.tenant_id = c.tenant_id and cm.customer_id = c.id',
  compile: (filter: CustomerMetricsFilter, path: string): Sql => metricsConditions('cm', filter, path),
};

const METRICS_JOIN = 'left join customer_metrics cm on cm.tenant_id = c.tenant_id and cm.customer_id = c.id';

/**
 * Sort fields on metrics. Customers without the value (prospects, not yet scored) sort lowest,
 * i.e. last when descending (`nullsLow`); their cursors carry null.
 */
const metricSort = (column: string, prop: string) =>
  ({ key: { expr: `cm.${column}`, prop, kind: 'number', nullsLow: true }, join: METRICS_JOIN, alias: 'cm' }) as const;
export const METRIC_SORTS: Record<string, { key: Omit<SqlSortKey, 'desc'>; join: string; alias: string }> = {
  PREDICTED_CLV: metricSort('predicted_clv', 'sortPredictedClv__'),
  HISTORIC_VALUE: metricSort('total_spend', 'sortHistoricValue__'),
  VALUE_AT_RISK: metricSort('value_at_risk', 'sortValueAtRisk__'),
  P_ALIVE: metricSort('p_alive', 'sortPAlive__'),
  CHURN_SCORE: metricSort('churn_score', 'sortChurnScore__'),
  HEALTH_SCORE: metricSort('health_score', 'sortHealthScore__'),
};

// ---------- settings ----------

export function settingsView(settings: MetricsSettings): MetricsSettingsType {
  return Object.assign(new MetricsSettingsType(), {
    ...settings,
    exchangeRates: settings.exchangeRates.map((r) => Object.assign(new ExchangeRateSetting(), r)),
  });
}

export async function readSettings(em: Em, tenantId: string): Promise<MetricsSettings> {
  const [row] = await em.execute<{ settings: unknown }[]>('select settings from tenant where id = ?', [tenantId]);
  return resolveMetricsSettings(parseJson<Record<string, unknown>>(row?.settings) ?? {});
}

/** Validates every given field (all problems at once, with input paths) and stores the overrides. */
export async function updateSettings(em: Em, tenantId: string, input: MetricsSettingsInput): Promise<MetricsSettings> {
  const errors = new InputErrors();
  const [row] = await em.execute<{ settings: unknown }[]>('select settings from tenant where id = ?', [tenantId]);
  const stored = input.reset ? {} : { ...((parseJson<Record<string, unknown>>(row?.settings) ?? {}).metrics as Record<string, unknown> | undefined) };
  for (const [key, [min, max, whole]] of Object.entries(SETTING_RANGES)) {
    const value = (input as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (value === null) {
      delete stored[key]; // back to the default
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
      errors.add(`input.${key}`, `must be ${whole ? 'a whole number ' : ''}from ${min} to ${max}`);
      continue;
    }
    stored[key] = value;
  }
  if (input.exchangeRates !== undefined) {
    const tenant = await em.execute<{ default_currency: string }[]>('select default_currency from tenant where id = ?', [tenantId]);
    const own = String(tenant[0]?.default_currency ?? '').trim();
    const seen = new Set<string>();
    const rates = (input.exchangeRates ?? []).map((r, i) => {
      const currency = checkCurrency(errors, `input.exchangeRates.${i}.currency`, r.currency);
      if (currency === own) errors.add(`input.exchangeRates.${i}.currency`, 'is the tenant currency, which needs no rate');
      if (seen.has(currency)) errors.add(`input.exchangeRates.${i}.currency`, 'appears more than once');
      seen.add(currency);
      if (!(Number(r.rate) > 0)) errors.add(`input.exchangeRates.${i}.rate`, 'must be greater than 0');
      return { currency, rate: r.rate };
    });
    if (rates.length > 200) errors.add('input.exchangeRates', 'takes at most 200 rates');
    stored.exchangeRates = rates;
  }
  errors.throwIfAny();
  const effective = resolveMetricsSettings({ metrics: stored });
  const problems = crossFieldProblems(effective);
  if (problems.length) throw new BadUserInputError(problems.map((p) => ({ path: `input.${p.field}`, message: p.message })));
  await em.execute(`update tenant set settings = jsonb_set(settings, '{metrics}', ?::jsonb) where id = ?`, [JSON.stringify(stored), tenantId]);
  tenantKeysChanged(tenantId); // principals carry the settings
  return effective;
}
