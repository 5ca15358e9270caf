/**
 * Orders -> per-customer purchase history, in one set-based statement per batch of customers.
 * The rules are summary.ts's (the CDNOW derivation): CANCELLED and REFUNDED orders and orders
 * after asOf do not count; a customer's orders on one calendar day (in the tenant's time zone)
 * are one purchase, amounts summed; x = purchase days − 1, t_x and T in whole days; zbar is the
 * mean amount of the repeat days (the first purchase day left out).
 *
 * Money: an order counts in the tenant currency at face value, in another currency at the
 * tenant's exchange rate for it, and with no rate it still counts as a purchase but adds no
 * spend (and its day is left out of zbar).
 */
import type { Em } from '../db/orm.js';
import { joinSql, sql, type Sql } from '../graphql/sql.js';
import { dayNumber } from './summary.js';
import { pushAggregate, type AggregateRow, type Aggregates } from './scoring.js';
import type { MetricsSettings } from './settings.js';

/** Which customers a statement covers: a keyset batch (ids after `after`, in id order) or given ids. */
export type CustomerScope =
  | { kind: 'range'; after: string | null; upTo: string | null; limit?: number }
  | { kind: 'ids'; ids: readonly string[] };

/**
 * Runs `fn` in a transaction with PostgreSQL's JIT off. The recompute's batch statements cost
 * far above jit_above_cost, so each would spend 0.1–0.4 s compiling expressions to LLVM code that
 * then runs a fraction of a second: a large share of the whole statement, on every batch.
 */
export async function withoutJit<T>(em: Em, fn: (tx: Em) => Promise<T>): Promise<T> {
  return em.transactional(async (tx) => {
    await tx.execute('set local jit = off');
    return fn(tx as Em);
  });
}

/** Postgres array literal of uuids (validated by the caller's source: ids from the database or checked input). */
export function uuidArray(ids: readonly string[]): string {
  return `{${ids.join(',')}}`;
}

/** The scope as a condition on `column` (a customer id column). */
export function scopeSql(scope: CustomerScope, column: string): Sql {
  if (scope.kind === 'ids') return sql(`${column} = any(?::uuid[])`, [uuidArray(scope.ids)]);
  return joinSql(
    [scope.after ? sql(`${column} > ?::uuid`, [scope.after]) : sql(''), scope.upTo ? sql(`${column} <= ?::uuid`, [scope.upTo]) : sql('')],
    ' and ',
  );
}

export interface TenantMetricsContext {
  tenantId: string;
  currency: string;
  timeZone: string;
  settings: MetricsSettings;
}

/**
 * One date formatter per time zone (null: not a zone this runtime knows). Creating an
 * Intl.DateTimeFormat costs about a millisecond, which every re-scoring request paid twice;
 * time-zone rules are fixed for the life of the process, so a formatter can be reused.
 */
const dayFormats = new Map<string, Intl.DateTimeFormat | null>();

function dayFormat(timeZone: string): Intl.DateTimeFormat | null {
  let format = dayFormats.get(timeZone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      format = null;
    }
    if (dayFormats.size < 1000) dayFormats.set(timeZone, format);
  }
  return format;
}

/** The asOf instant's calendar day in the tenant's time zone, as a day number. */
export function localDayNumber(date: Date, timeZone: string): number {
  const format = dayFormat(timeZone);
  if (!format) throw new RangeError(`Invalid time zone specified: ${timeZone}`);
  const parts = format.formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return dayNumber(`${get('year')}-${get('month')}-${get('day')}`);
}

export function safeTimeZone(timeZone: string | null | undefined): string {
  return dayFormat(timeZone ?? 'UTC') ? (timeZone ?? 'UTC') : 'UTC';
}

export interface Window {
  asOf: Date;
  asOfDay: number;
  /** Purchase days after this day number are "recent"; after baselineStartDay up to it, "baseline". */
  recentStartDay: number;
  baselineStartDay: number;
}

export function windowFor(asOf: Date, ctx: TenantMetricsContext): Window {
  const asOfDay = localDayNumber(asOf, ctx.timeZone);
  const recentStartDay = asOfDay - ctx.settings.recentWindowDays;
  return { asOf, asOfDay, recentStartDay, baselineStartDay: recentStartDay - ctx.settings.baselineWindowDays };
}

/** The rate of each order's currency as one CASE (null: no rate, the order adds no spend); cheaper than a join per order. */
function rateSql(ctx: TenantMetricsContext, column: string): Sql {
  const rates = [{ currency: ctx.currency, rate: '1' }, ...ctx.settings.exchangeRates.filter((r) => r.currency !== ctx.currency)];
  return sql(`(case ${column} ${rates.map(() => 'when ? then ?::numeric').join(' ')} end)`, rates.flatMap((r) => [r.currency, r.rate]));
}

/**
 * The customers of a batch, in id order: the next `limit` non-merged customers after `after`,
 * or the given ids that exist. One index-only statement.
 */
export async function batchCustomerIds(em: Em, tenantId: string, scope: CustomerScope): Promise<string[]> {
  const where = joinSql([sql('c.tenant_id = ?', [tenantId]), sql('c.merged_into_id is null'), scopeSql(scope, 'c.id')], ' and ');
  const limit = scope.kind === 'range' && scope.limit ? sql('limit ?', [scope.limit]) : sql('');
  const rows = await em.execute<{ id: string }[]>(`select c.id from customer c where ${where.text} order by c.id ${limit.text}`, [...where.params, ...limit.params]);
  return rows.map((r) => String(r.id));
}

/**
 * Aggregates the orders of the customers `ids` (sorted as the database sorts uuids) and appends
 * one entry per customer to `into`, in that order; customers without counted orders get an
 * empty history. One statement over the orders of the id range (or id list): a range scan, never
 * a loop per customer, whatever the planner's statistics say.
 */
export async function aggregateCustomers(
  em: Em,
  ctx: TenantMetricsContext,
  w: Window,
  ids: readonly string[],
  into: Aggregates,
  byRange = true,
): Promise<{ unpricedOrders: number }> {
  if (!ids.length) return { unpricedOrders: 0 };
  const query = aggregateSql(ctx, w, ids, byRange);
  const rows = await em.execute<Record<string, unknown>[]>(query.text, query.params);
  return appendAggregates(rows, ids, into);
}

/**
 * The statement of `aggregateCustomers`: one row per customer of `ids` with counted orders
 * (`customer_id` and the history columns), for a caller that runs it inside a larger statement.
 */
export function aggregateSql(ctx: TenantMetricsContext, w: Window, ids: readonly string[], byRange = true): Sql {
  const scope: CustomerScope = byRange ? { kind: 'range', after: null, upTo: ids[ids.length - 1] } : { kind: 'ids', ids };
  const range = byRange ? joinSql([sql('o.customer_id >= ?::uuid', [ids[0]]), scopeSql(scope, 'o.customer_id')], ' and ') : scopeSql(scope, 'o.customer_id');
  const rate = rateSql(ctx, 'o.currency');
  // lag and lead over one window (one sort): the first purchase day has no previous day, the last no next one.
  const text = `
    with o as (
      select o.customer_id,
             ((o.occurred_at at time zone ?)::date - date '1970-01-01') as day,
             o.occurred_at,
             round(o.total_amount * ${rate.text}, 4) as amount
        from customer_order o
       where o.tenant_id = ? and ${range.text}
         and o.status not in ('CANCELLED', 'REFUNDED') and o.occurred_at <= ?::timestamptz
    ),
    d as (
      select customer_id, day, count(*) as orders, count(amount) as priced, sum(amount) as amount, count(amount) = count(*) as known,
             min(occurred_at) as first_at, max(occurred_at) as last_at
        from o group by customer_id, day
    ),
    g as (
      select d.*,
             day - lag(day) over w as gap,
             lead(day) over w is null as is_last
        from d window w as (partition by customer_id order by day)
    )
    select customer_id,
           count(*)::int as purchase_days,
           sum(orders)::int as order_count,
           (sum(orders) - sum(priced))::int as unpriced,
           min(day)::int as first_day,
           max(day)::int as last_day,
           (extract(epoch from min(first_at)) * 1000)::float8 as first_order_at,
           (extract(epoch from max(last_at)) * 1000)::float8 as last_order_at,
           (coalesce(sum(amount), 0) * 10000)::float8 as total_units,
           (count(*) filter (where gap is not null and known))::int as spend_repeat_days,
           (coalesce(sum(amount) filter (where gap is not null and known), 0) * 10000)::float8 as repeat_spend_units,
           coalesce(max(gap) filter (where is_last), -1)::int as last_gap,
           coalesce(max(gap), -1)::int as largest_gap,
           (count(*) filter (where day > ?))::int as recent_days,
           (count(*) filter (where day > ? and day <= ?))::int as baseline_days,
           (coalesce(sum(amount) filter (where day > ?), 0) * 10000)::float8 as recent_spend_units,
           (coalesce(sum(amount) filter (where day > ? and day <= ?), 0) * 10000)::float8 as baseline_spend_units
      from g
     group by customer_id`;
  return sql(text, [
    ctx.timeZone, ...rate.params, ctx.tenantId, ...range.params, w.asOf.toISOString(),
    w.recentStartDay, w.baselineStartDay, w.recentStartDay, w.recentStartDay, w.baselineStartDay, w.recentStartDay,
  ]);
}

/** Appends the rows of `aggregateSql` (driver rows or JSON) to `into`, one entry per id in `ids` order. */
export function appendAggregates(rows: Record<string, unknown>[], ids: readonly string[], into: Aggregates): { unpricedOrders: number } {
  const byId = new Map(rows.map((r) => [String(r.customer_id), r]));
  let unpricedOrders = 0;
  for (const r of rows) unpricedOrders += Number(r.unpriced ?? 0);
  const num = (v: unknown, fallback = 0) => (v === null || v === undefined ? fallback : Number(v));
  for (const customerId of ids) {
    const r = byId.get(customerId);
    const row: AggregateRow = r
      ? {
          customerId,
          purchaseDays: num(r.purchase_days),
          orderCount: num(r.order_count),
          firstDay: num(r.first_day),
          lastDay: num(r.last_day),
          firstOrderAt: num(r.first_order_at, NaN),
          lastOrderAt: num(r.last_order_at, NaN),
          totalUnits: Math.round(num(r.total_units)),
          spendRepeatDays: num(r.spend_repeat_days),
          repeatSpendUnits: Math.round(num(r.repeat_spend_units)),
          lastGap: num(r.last_gap, -1),
          largestGap: num(r.largest_gap, -1),
          recentDays: num(r.recent_days),
          baselineDays: num(r.baseline_days),
          recentSpendUnits: Math.round(num(r.recent_spend_units)),
          baselineSpendUnits: Math.round(num(r.baseline_spend_units)),
        }
      : EMPTY_HISTORY(customerId);
    pushAggregate(into, row);
  }
  return { unpricedOrders };
}

const EMPTY_HISTORY = (customerId: string): AggregateRow => ({
  customerId, purchaseDays: 0, orderCount: 0, firstDay: 0, lastDay: 0, firstOrderAt: NaN, lastOrderAt: NaN, totalUnits: 0,
  spendRepeatDays: 0, repeatSpendUnits: 0, lastGap: -1, largestGap: -1, recentDays: 0, baselineDays: 0, recentSpendUnits: 0, baselineSpendUnits: 0,
});

/** Orders that counted as purchases but had no exchange rate, per currency (one statement; run only when there are some). */
export async function unconvertedOrders(em: Em, ctx: TenantMetricsContext, w: Window): Promise<{ currency: string; orders: number }[]> {
  const known = [ctx.currency, ...ctx.settings.exchangeRates.map((r) => r.currency)];
  const rows = await em.execute<{ currency: string; orders: number }[]>(
    `select o.currency, count(*)::int as orders from customer_order o
      where o.tenant_id = ? and o.status not in ('CANCELLED', 'REFUNDED') and o.occurred_at <= ?::timestamptz
        and o.currency not in (${known.map(() => '?').join(', ')})
      group by o.currency order by o.currency`,
    [ctx.tenantId, w.asOf.toISOString(), ...known],
  );
  return rows.map((r) => ({ currency: String(r.currency).trim(), orders: Number(r.orders) }));
}
