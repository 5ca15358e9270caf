/**
 * Transactions → per-customer summary statistics (x, t_x, T, zbar) for BG/NBD and Gamma-Gamma.
 *
 * The rules follow the CDNOW reference derivation (data/cdnow/README.md, "Deriving"), which
 * reproduces Fader, Hardie & Lee (2005) exactly:
 *  - only transactions on or before the observation end count;
 *  - a customer's transactions on the same calendar day are one purchase (amounts summed);
 *  - x = number of distinct purchase days − 1 (repeat purchases);
 *  - t_x = last purchase day − first purchase day, T = observation end − first purchase day,
 *    both in whole days and then expressed in the chosen unit (days, or days / 7 for weeks);
 *  - zbar = mean of the per-day amounts over the repeat days (the first purchase day is left out),
 *    rounded half-up to cents; 0 when x = 0.
 *
 * Days are calendar days: an ISO string's `YYYY-MM-DD` prefix is taken as written, a `Date` is
 * mapped to its UTC calendar day. Pass ISO strings when the business day is in another time zone.
 */

export type TimeUnit = 'days' | 'weeks';

/** Length of each time unit in days. */
export const DAYS_PER_UNIT: Readonly<Record<TimeUnit, number>> = { days: 1, weeks: 7 };

export interface Transaction {
  customerId: string;
  /** A Date (its UTC day counts) or an ISO date / date-time string (its YYYY-MM-DD prefix counts). */
  date: Date | string;
  /** Amount in currency units, e.g. 29.33 (summed in integer minor units). */
  amount: number;
}

export interface CustomerSummary {
  customerId: string;
  /** Repeat purchase days in the observation window (distinct purchase days − 1). */
  x: number;
  /** Time from first to last purchase day, in the summary's time unit. */
  t_x: number;
  /** Time from first purchase day to the observation end, in the summary's time unit. */
  T: number;
  /** Mean amount per repeat purchase day (first day excluded), rounded half-up to cents; 0 when x = 0. */
  zbar: number;
  /** Total amount of all transactions in the window, first day included. */
  totalSpend: number;
  /** Number of transaction rows (orders) in the window, before same-day collapsing. */
  orderCount: number;
  /** Number of distinct purchase days (x + 1). */
  purchaseDays: number;
  /** First purchase day, ISO `YYYY-MM-DD`. */
  firstPurchase: string;
  /** Last purchase day, ISO `YYYY-MM-DD`. */
  lastPurchase: string;
}

export interface SummaryOptions {
  /** Last day of the observation window (inclusive). */
  observationEnd: Date | string;
  /** Unit of t_x and T (default 'days'). */
  timeUnit?: TimeUnit;
  /** Decimal places of the currency's minor unit (default 2, i.e. cents). */
  amountDecimals?: number;
}

const MS_PER_DAY = 86_400_000;

/** Day number (days since 1970-01-01) of a Date's UTC day or an ISO string's date part. */
export function dayNumber(date: Date | string): number {
  if (date instanceof Date) {
    const ms = date.getTime();
    if (Number.isNaN(ms)) throw new RangeError('invalid Date');
    return Math.floor(ms / MS_PER_DAY);
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!match) throw new RangeError(`not an ISO date: ${JSON.stringify(date)}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  if (new Date(ms).getUTCDate() !== day) throw new RangeError(`not a calendar date: ${date}`);
  return ms / MS_PER_DAY;
}

/** ISO `YYYY-MM-DD` of a day number. */
export function isoDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/**
 * Order customer ids deterministically: ids that are plain non-negative integers sort numerically
 * ("2" < "10") and before other ids, which sort by code unit.
 */
export function compareCustomerIds(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) {
    const diff = Number(a) - Number(b);
    if (diff !== 0 && Number.isSafeInteger(Number(a)) && Number.isSafeInteger(Number(b))) return diff;
    if (a.length !== b.length) return a.length - b.length;
  } else if (aNumeric !== bNumeric) {
    return aNumeric ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Summarise transactions per customer for the window ending at `observationEnd`.
 * Customers whose first transaction is after the end are left out. The result is sorted by
 * customer id ({@link compareCustomerIds}).
 */
export function summarizeTransactions(
  transactions: Iterable<Transaction>,
  options: SummaryOptions,
): CustomerSummary[] {
  const endDay = dayNumber(options.observationEnd);
  const unitDays = DAYS_PER_UNIT[options.timeUnit ?? 'days'];
  const minorPerUnit = 10 ** (options.amountDecimals ?? 2);

  // customer → (day → amount in minor units); plus order counts.
  const byCustomer = new Map<string, { days: Map<number, number>; orders: number }>();
  for (const transaction of transactions) {
    const day = dayNumber(transaction.date);
    if (day > endDay) continue;
    if (!Number.isFinite(transaction.amount)) {
      throw new RangeError(`amount is not a finite number for customer ${transaction.customerId}`);
    }
    let entry = byCustomer.get(transaction.customerId);
    if (!entry) {
      entry = { days: new Map(), orders: 0 };
      byCustomer.set(transaction.customerId, entry);
    }
    entry.orders += 1;
    // Integer minor units keep sums exact (29.33 + 14.96 must not become 44.290000000000006).
    const minor = Math.round(transaction.amount * minorPerUnit);
    entry.days.set(day, (entry.days.get(day) ?? 0) + minor);
  }

  const summaries: CustomerSummary[] = [];
  for (const [customerId, { days, orders }] of byCustomer) {
    const sortedDays = [...days.keys()].sort((a, b) => a - b);
    const first = sortedDays[0]!;
    const last = sortedDays[sortedDays.length - 1]!;
    const x = sortedDays.length - 1;
    let totalMinor = 0;
    for (const minor of days.values()) totalMinor += minor;
    const repeatMinor = totalMinor - days.get(first)!;
    summaries.push({
      customerId,
      x,
      t_x: (last - first) / unitDays,
      T: (endDay - first) / unitDays,
      zbar: x === 0 ? 0 : roundHalfUpDivide(repeatMinor, x) / minorPerUnit,
      totalSpend: totalMinor / minorPerUnit,
      orderCount: orders,
      purchaseDays: x + 1,
      firstPurchase: isoDay(first),
      lastPurchase: isoDay(last),
    });
  }
  summaries.sort((a, b) => compareCustomerIds(a.customerId, b.customerId));
  return summaries;
}

/** round(numerator / denominator) with halves rounded up, exactly, for integers. */
function roundHalfUpDivide(numerator: number, denominator: number): number {
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/**
 * Number of distinct purchase days per customer in [from, to] (both inclusive) — the "actual"
 * count a holdout comparison needs.
 */
export function countPurchaseDays(
  transactions: Iterable<Transaction>,
  from: Date | string,
  to: Date | string,
): Map<string, number> {
  const fromDay = dayNumber(from);
  const toDay = dayNumber(to);
  const days = new Map<string, Set<number>>();
  for (const transaction of transactions) {
    const day = dayNumber(transaction.date);
    if (day < fromDay || day > toDay) continue;
    let set = days.get(transaction.customerId);
    if (!set) days.set(transaction.customerId, (set = new Set()));
    set.add(day);
  }
  return new Map([...days].map(([customerId, set]) => [customerId, set.size]));
}

/** Column arrays of the sufficient statistics, the input shape of the model fits. */
export interface SummaryColumns {
  customerId: string[];
  x: Float64Array;
  t_x: Float64Array;
  T: Float64Array;
  zbar: Float64Array;
}

export function toColumns(summaries: readonly CustomerSummary[]): SummaryColumns {
  return {
    customerId: summaries.map((s) => s.customerId),
    x: Float64Array.from(summaries, (s) => s.x),
    t_x: Float64Array.from(summaries, (s) => s.t_x),
    T: Float64Array.from(summaries, (s) => s.T),
    zbar: Float64Array.from(summaries, (s) => s.zbar),
  };
}
