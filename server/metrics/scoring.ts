/**
 * Per-customer metrics from the aggregated purchase history and a tenant's fitted models.
 * Pure: no database import. Works on columns (typed arrays) so a recompute of a million
 * customers stays within a few hundred MB.
 *
 * Units: days for every time (the models are fitted in days, so α is in days), money in
 * the tenant currency. Amounts travel as "units" = amount × 10⁴ (exact integers in a double,
 * the scale of numeric(19, 4)).
 */
import { expectedPurchasesWhileAlive, pAlive as bgnbdPAlive, type BgNbdParams } from './bgnbd.js';
import { DAYS_PER_MONTH } from './clv.js';
import { conditionalExpectedSpend, type GammaGammaParams } from './gamma-gamma.js';
import { paretoCurve, paretoShare, quintileScores, segmentOf, type ParetoPoint } from './rfm.js';
import type { MetricsSettings } from './settings.js';

export const UNITS = 10_000;
export const MS_PER_DAY = 86_400_000;

/** The aggregated purchase history of a set of customers, one entry per customer. */
export interface Aggregates {
  n: number;
  customerId: string[];
  /** Orders counted (not CANCELLED / REFUNDED, at or before asOf). */
  orderCount: Int32Array;
  /** Distinct purchase days in the tenant's time zone (the frequency). */
  purchaseDays: Int32Array;
  /** First and last purchase day as day numbers (days since 1970-01-01); 0 when none. */
  firstDay: Int32Array;
  lastDay: Int32Array;
  /** First and last order instants, epoch ms; NaN when none. */
  firstOrderAt: Float64Array;
  lastOrderAt: Float64Array;
  /** Spend in units (amount × 10⁴) of the tenant currency. */
  totalUnits: Float64Array;
  /** Repeat purchase days (all but the first) whose amount is fully known, and their spend. */
  spendRepeatDays: Int32Array;
  repeatSpendUnits: Float64Array;
  /** Days between the last two purchase days, and the largest gap; −1 when none. */
  lastGap: Int32Array;
  largestGap: Int32Array;
  /** Purchase days and spend units in the recent and baseline windows. */
  recentDays: Int32Array;
  baselineDays: Int32Array;
  recentSpendUnits: Float64Array;
  baselineSpendUnits: Float64Array;
}

const INT_COLUMNS = ['orderCount', 'purchaseDays', 'firstDay', 'lastDay', 'spendRepeatDays', 'lastGap', 'largestGap', 'recentDays', 'baselineDays'] as const;
const FLOAT_COLUMNS = ['firstOrderAt', 'lastOrderAt', 'totalUnits', 'repeatSpendUnits', 'recentSpendUnits', 'baselineSpendUnits'] as const;
export type AggregateRow = Record<(typeof INT_COLUMNS)[number] | (typeof FLOAT_COLUMNS)[number], number> & { customerId: string };

export function emptyAggregates(capacity: number): Aggregates {
  const agg = { n: 0, customerId: [] as string[] } as unknown as Aggregates;
  for (const c of INT_COLUMNS) (agg as any)[c] = new Int32Array(capacity);
  for (const c of FLOAT_COLUMNS) (agg as any)[c] = new Float64Array(capacity);
  return agg;
}

/** Appends one customer, growing the columns when full. */
export function pushAggregate(agg: Aggregates, row: AggregateRow): void {
  if (agg.n === agg.orderCount.length) {
    const capacity = Math.max(16, agg.n * 2);
    for (const c of [...INT_COLUMNS, ...FLOAT_COLUMNS]) {
      const old = (agg as any)[c] as Int32Array | Float64Array;
      const grown = new (old.constructor as Int32ArrayConstructor | Float64ArrayConstructor)(capacity);
      grown.set(old);
      (agg as any)[c] = grown;
    }
  }
  const i = agg.n++;
  agg.customerId.push(row.customerId);
  for (const c of INT_COLUMNS) (agg as any)[c][i] = row[c];
  for (const c of FLOAT_COLUMNS) (agg as any)[c][i] = row[c];
}

/** Appends every customer of `part` to `agg` (column copies, no per-customer objects). */
export function concatAggregates(agg: Aggregates, part: Aggregates): void {
  while (agg.orderCount.length < agg.n + part.n) {
    const capacity = Math.max(16, agg.orderCount.length * 2, agg.n + part.n);
    for (const c of [...INT_COLUMNS, ...FLOAT_COLUMNS]) {
      const old = (agg as any)[c] as Int32Array | Float64Array;
      const grown = new (old.constructor as Int32ArrayConstructor | Float64ArrayConstructor)(capacity);
      grown.set(old);
      (agg as any)[c] = grown;
    }
  }
  for (const c of [...INT_COLUMNS, ...FLOAT_COLUMNS]) ((agg as any)[c] as Float64Array).set(((part as any)[c] as Float64Array).subarray(0, part.n), agg.n);
  for (let i = 0; i < part.n; i++) agg.customerId.push(part.customerId[i]);
  agg.n += part.n;
}

/** Customer i of `agg` as a row (to copy between column sets). */
export function rowAt(agg: Aggregates, i: number): AggregateRow {
  const row = { customerId: agg.customerId[i] } as AggregateRow;
  for (const c of INT_COLUMNS) row[c] = agg[c][i];
  for (const c of FLOAT_COLUMNS) row[c] = agg[c][i];
  return row;
}

/** BG/NBD statistics of customer i in days: x repeat purchase days, t_x, T. */
export function stats(agg: Aggregates, i: number, asOfDay: number): { x: number; t_x: number; T: number } {
  const days = agg.purchaseDays[i];
  if (days === 0) return { x: 0, t_x: 0, T: 0 };
  return { x: days - 1, t_x: agg.lastDay[i] - agg.firstDay[i], T: Math.max(0, asOfDay - agg.firstDay[i]) };
}

/** Mean spend per repeat purchase day with a known amount (Gamma-Gamma's zbar), in currency units. */
export function zbar(agg: Aggregates, i: number): number {
  const days = agg.spendRepeatDays[i];
  return days > 0 ? agg.repeatSpendUnits[i] / UNITS / days : 0;
}

/** Spend per purchase day in currency units (null without a purchase). */
export function ownAverage(agg: Aggregates, i: number): number | null {
  return agg.purchaseDays[i] > 0 ? agg.totalUnits[i] / UNITS / agg.purchaseDays[i] : null;
}

export interface Models {
  bgnbd: BgNbdParams | null;
  gammaGamma: GammaGammaParams | null;
}

/**
 * Discounted CLV over whole months, as in clv.ts (month m adds the expected purchases of that
 * month × expected spend × (1 + d)^(−m/12)), computed as
 *   P(alive | x, t_x, T) × E[Z | x, zbar] × D(x, T),  D = Σₘ (W(m) − W(m−1)) (1 + d)^(−m/12)
 * where W(t) is the expected purchases of a customer alive at T (bgnbd.expectedPurchasesWhileAlive).
 * D depends only on (x, T), so it is computed once per distinct pair: a million customers need a
 * few thousand hypergeometric evaluations, not twelve million.
 */
export class ClvCalculator {
  private readonly cache = new Map<number, { discounted: number; horizon: number }>();
  private readonly discount: Float64Array;

  constructor(
    readonly models: Models,
    readonly months: number,
    readonly annualDiscountRate: number,
  ) {
    this.discount = Float64Array.from({ length: months + 1 }, (_, m) => Math.pow(1 + annualDiscountRate, -m / 12));
  }

  /** W at the horizon and D for (x, T). */
  private curve(x: number, T: number): { discounted: number; horizon: number } {
    const key = x * 1_000_003 + T;
    let hit = this.cache.get(key);
    if (!hit) {
      const { r, alpha, a, b } = this.models.bgnbd!;
      let discounted = 0;
      let previous = 0;
      for (let m = 1; m <= this.months; m++) {
        const w = expectedPurchasesWhileAlive(r + x, alpha + T, a, b + x, m * DAYS_PER_MONTH);
        discounted += (w - previous) * this.discount[m];
        previous = w;
      }
      hit = { discounted, horizon: previous };
      this.cache.set(key, hit);
    }
    return hit;
  }

  pAlive(x: number, t_x: number, T: number): number | null {
    return this.models.bgnbd ? bgnbdPAlive(this.models.bgnbd, x, t_x, T) : null;
  }

  /**
   * Expected spend per future purchase, currency units: Gamma-Gamma's E[Z | x, zbar] when that
   * model is FITTED; otherwise the customer's own average spend per purchase day (`ownAverage`),
   * the figure Gamma-Gamma would shrink towards anyway. Null when neither exists.
   */
  expectedSpend(spendDays: number, meanSpend: number, ownAverage: number | null): number | null {
    if (this.models.gammaGamma) return conditionalExpectedSpend(this.models.gammaGamma, spendDays, meanSpend);
    return ownAverage !== null && Number.isFinite(ownAverage) ? ownAverage : null;
  }

  /** Expected purchases over the horizon and the discounted CLV (null parts when the BG/NBD model is missing). */
  estimate(
    x: number,
    t_x: number,
    T: number,
    spendDays: number,
    meanSpend: number,
    ownAverage: number | null,
  ): { pAlive: number | null; purchases: number | null; spend: number | null; clv: number | null } {
    const alive = this.pAlive(x, t_x, T);
    // Without a purchase model there are no predictions at all (spend alone predicts nothing).
    if (alive === null) return { pAlive: null, purchases: null, spend: null, clv: null };
    const spend = this.expectedSpend(spendDays, meanSpend, ownAverage);
    const { discounted, horizon } = this.curve(x, T);
    return { pAlive: alive, purchases: alive * horizon, spend, clv: spend === null ? null : alive * spend * discounted };
  }
}

/** Expected purchases in the next `days` days for (x, t_x, T) — conditionalExpectedPurchases, with P(alive) given. */
export function expectedPurchasesGiven(bgnbd: BgNbdParams, alive: number, x: number, T: number, days: number): number {
  if (!(days > 0)) return 0;
  return alive * expectedPurchasesWhileAlive(bgnbd.r + x, bgnbd.alpha + T, bgnbd.a, bgnbd.b + x, days);
}

/** Model outputs for every customer of `agg` (NaN where a model is missing or the customer never bought). */
export interface ModelColumns {
  pAlive: Float64Array;
  expectedSpend: Float64Array;
  expectedPurchases: Float64Array;
  clv: Float64Array;
  /** historic spend + predicted CLV, currency units: what value tiers rank. */
  value: Float64Array;
}

export function modelColumns(agg: Aggregates, asOfDay: number, calc: ClvCalculator): ModelColumns {
  const n = agg.n;
  const out: ModelColumns = {
    pAlive: new Float64Array(n).fill(NaN),
    expectedSpend: new Float64Array(n).fill(NaN),
    expectedPurchases: new Float64Array(n).fill(NaN),
    clv: new Float64Array(n).fill(NaN),
    value: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    if (agg.purchaseDays[i] === 0) continue;
    const { x, t_x, T } = stats(agg, i, asOfDay);
    const e = calc.estimate(x, t_x, T, agg.spendRepeatDays[i], zbar(agg, i), ownAverage(agg, i));
    if (e.pAlive !== null) out.pAlive[i] = e.pAlive;
    if (e.spend !== null) out.expectedSpend[i] = e.spend;
    if (e.purchases !== null) out.expectedPurchases[i] = e.purchases;
    if (e.clv !== null) out.clv[i] = e.clv;
    out.value[i] = agg.totalUnits[i] / UNITS + (e.clv ?? 0);
  }
  return out;
}

/**
 * What a single customer is scored against between recomputes: the smallest value that earns
 * each RFM score 2..5 (null: nobody earned it) and the value-tier thresholds.
 */
export interface Cutoffs {
  /** On −recencyDays (higher is better). */
  recency: (number | null)[];
  frequency: (number | null)[];
  /** On spend units. */
  monetary: (number | null)[];
  /** Lowest value (currency units) in KEY, in KEY or GROWTH; null when the tier is empty. */
  keyValue: number | null;
  growthValue: number | null;
}

function quintileCutoffs(values: ArrayLike<number>, scores: number[]): (number | null)[] {
  const cut: (number | null)[] = [null, null, null, null];
  for (let i = 0; i < values.length; i++) {
    for (let k = 2; k <= scores[i]; k++) {
      const c = cut[k - 2];
      if (c === null || values[i] < c) cut[k - 2] = values[i];
    }
  }
  return cut;
}

export function scoreWithCutoffs(value: number, cut: (number | null)[]): number {
  let score = 1;
  for (let k = 2; k <= 5; k++) {
    const c = cut[k - 2];
    if (c !== null && value >= c) score = k;
  }
  return score;
}

/** The top `fraction` threshold of classifyValueTiers: KEY iff fewer than fraction·n values are strictly higher. */
function tierCutoff(sortedDesc: Float64Array, fraction: number): number | null {
  const slots = Math.ceil(fraction * sortedDesc.length - 1e-9);
  if (slots < 1) return null;
  return sortedDesc[Math.min(slots, sortedDesc.length) - 1];
}

export interface PopulationSummary {
  cutoffs: Cutoffs;
  buyers: number;
  pareto: { share: number; curve: ParetoPoint[]; totalUnits: number };
}

/** RFM quintile cutoffs (rfm.quintileScores), value-tier cutoffs and the Pareto share over the buyers. */
export function summarizePopulation(agg: Aggregates, asOfDay: number, model: ModelColumns, s: MetricsSettings): PopulationSummary {
  // Typed columns of the buyers: a million-customer tenant's sorts stay a few MB each.
  let buyers = 0;
  for (let i = 0; i < agg.n; i++) if (agg.purchaseDays[i] > 0) buyers++;
  const recency = new Float64Array(buyers);
  const frequency = new Float64Array(buyers);
  const monetary = new Float64Array(buyers);
  const sorted = new Float64Array(buyers);
  const spend = new Float64Array(buyers);
  let totalUnits = 0;
  for (let i = 0, b = 0; i < agg.n; i++) {
    if (agg.purchaseDays[i] === 0) continue;
    recency[b] = -(asOfDay - agg.lastDay[i]);
    frequency[b] = agg.purchaseDays[i];
    monetary[b] = agg.totalUnits[i];
    sorted[b] = model.value[i];
    spend[b] = agg.totalUnits[i] / UNITS;
    totalUnits += agg.totalUnits[i];
    b++;
  }
  sorted.sort().reverse();
  return {
    buyers,
    cutoffs: {
      recency: quintileCutoffs(recency, quintileScores(recency)),
      frequency: quintileCutoffs(frequency, quintileScores(frequency)),
      monetary: quintileCutoffs(monetary, quintileScores(monetary)),
      // valueTier() also requires a positive value, as classifyValueTiers does.
      keyValue: tierCutoff(sorted, s.keyTierFraction),
      growthValue: tierCutoff(sorted, s.growthTierFraction),
    },
    pareto: { share: paretoShare(spend), curve: paretoCurve(spend), totalUnits },
  };
}

export type ValueTier = 'KEY' | 'GROWTH' | 'STANDARD';

export function valueTier(value: number, cut: Cutoffs | null): ValueTier {
  if (!cut || !(value > 0)) return 'STANDARD';
  if (cut.keyValue !== null && value >= cut.keyValue) return 'KEY';
  if (cut.growthValue !== null && value >= cut.growthValue) return 'GROWTH';
  return 'STANDARD';
}

export interface RfmResult {
  r: number;
  f: number;
  m: number;
  code: string;
  /** SCREAMING_SNAKE of rfm.segmentOf, e.g. CANNOT_LOSE_THEM. */
  segment: string;
}

export function rfmOf(recencyDays: number, purchaseDays: number, totalUnits: number, cut: Cutoffs | null): RfmResult | null {
  if (!cut || purchaseDays === 0) return null;
  const r = scoreWithCutoffs(-recencyDays, cut.recency);
  const f = scoreWithCutoffs(purchaseDays, cut.frequency);
  const m = scoreWithCutoffs(totalUnits, cut.monetary);
  return { r, f, m, code: `${r}${f}${m}`, segment: segmentOf(r, f, m).toUpperCase().replaceAll(' ', '_') };
}

/** Units (amount × 10⁴, a whole number) as an exact decimal string. */
export function unitsToDecimal(units: number): string {
  const negative = units < 0;
  const rounded = Math.round(Math.abs(units));
  const sign = negative && rounded > 0 ? '-' : '';
  if (rounded > Number.MAX_SAFE_INTEGER) {
    const abs = BigInt(rounded);
    return `${sign}${abs / 10_000n}.${(abs % 10_000n).toString().padStart(4, '0')}`;
  }
  // Exact in doubles below 2^53, and far cheaper than BigInt (a recompute formats millions).
  const int = Math.floor(rounded / UNITS);
  const frac = rounded - int * UNITS;
  return `${sign}${int}.${frac < 10 ? '000' : frac < 100 ? '00' : frac < 1000 ? '0' : ''}${frac}`;
}

/** A currency amount (float) rounded to units, as a decimal string. */
export function amountToDecimal(amount: number): string {
  return unitsToDecimal(Math.round(amount * UNITS));
}

/**
 * One customer's counted orders → their purchase history (the rules of aggregate.ts): orders on
 * one day are one purchase; a day is "known" when every order on it has an amount (null: no
 * exchange rate), and only known repeat days enter zbar. `days` and `units` are parallel, in any
 * order; `window` gives the recent and baseline windows as day numbers.
 */
export function foldPurchaseHistory(
  customerId: string,
  days: readonly number[],
  units: readonly (number | null)[],
  firstOrderAt: number,
  lastOrderAt: number,
  window: { recentStartDay: number; baselineStartDay: number },
): AggregateRow & { unpriced: number } {
  const n = days.length;
  // Orders sorted by day (insertion sort: a handful of orders, usually arriving newest first).
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let j = i;
    while (j > 0 && days[order[j - 1]] > days[i]) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }
  let purchaseDays = 0, totalUnits = 0, unpriced = 0, spendRepeatDays = 0, repeatSpendUnits = 0;
  let lastGap = -1, largestGap = -1, recentDays = 0, baselineDays = 0, recentSpendUnits = 0, baselineSpendUnits = 0;
  let firstDay = 0, lastDay = 0;
  for (let k = 0; k < n; ) {
    const day = days[order[k]];
    let spend = 0, known = true;
    for (; k < n && days[order[k]] === day; k++) {
      const u = units[order[k]];
      if (u === null || u === undefined) {
        known = false;
        unpriced++;
      } else spend += Number(u);
    }
    if (purchaseDays === 0) firstDay = day;
    else {
      lastGap = day - lastDay;
      if (lastGap > largestGap) largestGap = lastGap;
      if (known) {
        spendRepeatDays++;
        repeatSpendUnits += spend;
      }
    }
    purchaseDays++;
    lastDay = day;
    totalUnits += spend;
    if (day > window.recentStartDay) {
      recentDays++;
      recentSpendUnits += spend;
    } else if (day > window.baselineStartDay) {
      baselineDays++;
      baselineSpendUnits += spend;
    }
  }
  return {
    customerId, orderCount: n, purchaseDays, firstDay, lastDay,
    firstOrderAt: n ? firstOrderAt : NaN, lastOrderAt: n ? lastOrderAt : NaN,
    totalUnits: Math.round(totalUnits), spendRepeatDays, repeatSpendUnits: Math.round(repeatSpendUnits), lastGap, largestGap,
    recentDays, baselineDays, recentSpendUnits: Math.round(recentSpendUnits), baselineSpendUnits: Math.round(baselineSpendUnits), unpriced,
  };
}
