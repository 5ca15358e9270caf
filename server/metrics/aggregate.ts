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
import { foldPurchaseHistory, pushAggregate, type AggregateRow, type Aggregates } from './scoring.js';
import type { MetricsSettings } from './settings.js';
import { pgArray } from '../db/prepared.js';

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

/**
 * The scope as a condition on `column` (a customer id column). One id is a plain equality: a
 * prepared statement's generic plan then estimates one customer, as each custom plan does, so
 * PostgreSQL settles on it; against `any(array)` (estimated at ten) it re-planned every execution.
 */
export function scopeSql(scope: CustomerScope, column: string): Sql {
  if (scope.kind === 'ids') return scope.ids.length === 1 ? sql(`${column} = ?::uuid`, [scope.ids[0]]) : sql(`${column} = any(?::uuid[])`, [pgArray(scope.ids)]);
  return joinSql(
    [scope.after ? sql(`${column} > ?::uuid`, [scope.after]) : sql(''), scope.upTo ? sql(`${column} <= ?::uuid`, [scope.upTo]) : sql('')],
    ' and ',
  );
}

/** `ids` as rows of one column `id` (a FROM item), one id as a single VALUES row for the reason scopeSql gives. */
export function idRowsSql(ids: readonly string[]): Sql {
  return ids.length === 1 ? sql('(values (?::uuid))', [ids[0]]) : sql('unnest(?::uuid[])', [pgArray(ids)]);
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
 * Every non-merged customer id of the tenant, in id order, in one statement. Read as one text
 * value and split: a million ids as a million result rows cost ~100 MB of short-lived row objects.
 * The CTE keeps PostgreSQL on a sequential scan and a sort: walking the primary key instead visits
 * the heap in random order (ids are stamped by sign-up time, rows lie in load order).
 */
export async function allCustomerIds(em: Em, tenantId: string): Promise<string[]> {
  const [row] = await em.transactional(async (tx) => {
    await tx.execute(`set local work_mem = '64MB'`);
    return tx.execute<{ ids: string | null }[]>(
      `with c as materialized (select id from customer where tenant_id = ? and merged_into_id is null)
       select string_agg(id::text, ',' order by id) as ids from c`,
      [tenantId],
    );
  });
  return row?.ids ? row.ids.split(',') : [];
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
  return appendAggregates(rows, ids, into, w);
}

/**
 * The statement of `aggregateCustomers`: one row per customer of `ids` with counted orders
 * (`customer_id` and the history columns), for a caller that runs it inside a larger statement.
 */
export function aggregateSql(ctx: TenantMetricsContext, w: Window, ids: readonly string[], byRange = true): Sql {
  const scope: CustomerScope = byRange ? { kind: 'range', after: null, upTo: ids[ids.length - 1] } : { kind: 'ids', ids };
  const range = byRange ? joinSql([sql('o.customer_id >= ?::uuid', [ids[0]]), scopeSql(scope, 'o.customer_id')], ' and ') : scopeSql(scope, 'o.customer_id');
  const rate = rateSql(ctx, 'o.currency');
  // Each customer's counted orders come back as two parallel arrays (purchase day in the tenant's
  // time zone, amount in units; null without an exchange rate) and are folded per customer in
  // foldPurchaseHistory. Streaming over the per-customer index with one aggregate per customer is
  // a fraction of the cost of grouping by day and windowing in SQL. Units stay numeric (whole
  // numbers): the largest amount numeric(19, 4) holds is 10^19 units, past int8.
  const text = `
    select o.customer_id,
           array_agg(((o.occurred_at at time zone ?)::date - date '1970-01-01'))::text as days,
           array_agg(round(o.total_amount * ${rate.text} * 10000))::text as units,
           (extract(epoch from min(o.occurred_at)) * 1000)::float8 as first_order_at,
           (extract(epoch from max(o.occurred_at)) * 1000)::float8 as last_order_at
      from customer_order o
     where o.tenant_id = ? and ${range.text}
       and o.status not in ('CANCELLED', 'REFUNDED') and o.occurred_at <= ?::timestamptz
     group by o.customer_id`;
  return sql(text, [ctx.timeZone, ...rate.params, ctx.tenantId, ...range.params, w.asOf.toISOString()]);
}

/** Appends the rows of `aggregateSql` (driver rows or JSON) to `into`, one entry per id in `ids` order. */
export function appendAggregates(rows: Record<string, unknown>[], ids: readonly string[], into: Aggregates, w: Window): { unpricedOrders: number } {
  const byId = new Map(rows.map((r) => [String(r.customer_id), r]));
  let unpricedOrders = 0;
  for (const customerId of ids) {
    const r = byId.get(customerId);
    if (!r) {
      pushAggregate(into, EMPTY_HISTORY(customerId));
      continue;
    }
    const row = foldPurchaseHistory(customerId, parseIntArray(String(r.days)) as number[], parseIntArray(String(r.units)), Number(r.first_order_at), Number(r.last_order_at), w);
    unpricedOrders += row.unpriced;
    pushAggregate(into, row);
  }
  return { unpricedOrders };
}

/**
 * A PostgreSQL integer array literal ('{3,-1,NULL}') → numbers, null for NULL. The arrays come as
 * text and are read digit by digit: the driver's generic array parser builds a string per element,
 * which for ten million orders was seconds of CPU and garbage.
 */
export function parseIntArray(text: string): (number | null)[] {
  const out: (number | null)[] = [];
  let value = 0, negative = false, digits = false, isNull = false;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits = true;
    } else if (c === 45) negative = true;
    else if (c === 44 || c === 125) {
      if (isNull) out.push(null);
      else if (digits) out.push(negative ? -value : value);
      value = 0;
      negative = digits = isNull = false;
    } else if (c === 78) isNull = true; // NULL
  }
  return out;
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
