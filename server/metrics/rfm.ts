/**
 * RFM scoring, named RFM segments, Pareto (80/20) shares and value tiers.
 *
 * Scores are quintiles 1–5 computed from ranks, so they depend only on the multiset of values:
 *  - every customer's position is the midpoint of their tie group's rank interval,
 *    (averageRank + 0.5) / n with 0-based ascending ranks, so equal values always get equal scores,
 *    whatever the input order;
 *  - score = 1 + floor(5 · position). Without ties this is the usual split (exactly n/5 per quintile
 *    when n is a multiple of 5); a tie group lands in the quintile of its middle member, and a
 *    metric on which everyone is equal scores 3 for everyone.
 *  - Recency is reversed: fewer days since the last purchase → higher score.
 * Results are returned sorted by customer id, so the output is identical for any input order.
 */
import { compareCustomerIds } from './summary.js';

export interface RfmInput {
  customerId: string;
  /** Days since the customer's last purchase (lower is better). */
  recencyDays: number;
  /** Purchases (e.g. orders or purchase days) in the scoring window. */
  frequency: number;
  /** Spend in the scoring window (total or per purchase — be consistent across customers). */
  monetary: number;
}

export type RfmSegment =
  | 'Champions'
  | 'Loyal'
  | 'Potential Loyalist'
  | 'New'
  | 'Promising'
  | 'Need Attention'
  | 'About to Sleep'
  | 'At Risk'
  | 'Cannot Lose Them'
  | 'Hibernating'
  | 'Lost';

export interface RfmScore {
  customerId: string;
  recency: number;
  frequency: number;
  monetary: number;
  /** Cell code R, F, M digits, e.g. "545". */
  cell: string;
  segment: RfmSegment;
}

/**
 * Quintile score (1–5) of each value, by tie-group midpoint rank (see the module comment). Higher values get
 * higher scores. Returned in the order of `values`.
 */
export function quintileScores(values: ArrayLike<number>): number[] {
  const n = values.length;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`value ${i} is not a finite number: ${values[i]}`);
  }
  // Positions sorted by value (a typed array: a tenant's million customers sort in a few MB).
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((i, j) => values[i] - values[j]);
  const scores = new Array<number>(n);
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && values[order[end + 1]] === values[order[start]]) end++;
    const position = ((start + end) / 2 + 0.5) / n; // midpoint of the tie group, in (0, 1)
    const score = Math.min(5, 1 + Math.floor(5 * position));
    for (let k = start; k <= end; k++) scores[order[k]] = score;
    start = end + 1;
  }
  return scores;
}

/**
 * Segment of an (R, F, M) score triple. The grid is R × FM with FM = (F + M) / 2 rounded half up:
 *
 * | R \ FM | 1              | 2                  | 3                  | 4          | 5                |
 * |--------|----------------|--------------------|--------------------|------------|------------------|
 * | 5      | New            | Potential Loyalist | Potential Loyalist | Champions  | Champions        |
 * | 4      | Promising      | Potential Loyalist | Potential Loyalist | Loyal      | Loyal            |
 * | 3      | About to Sleep | About to Sleep     | Need Attention     | Loyal      | Loyal            |
 * | 2      | Hibernating    | Hibernating        | At Risk            | At Risk    | Cannot Lose Them |
 * | 1      | Lost           | Hibernating        | At Risk            | At Risk    | Cannot Lose Them |
 *
 * This is the widely used R × F segment map, with "Lost" split off the bottom-left corner and
 * monetary value folded into the second axis.
 */
export function segmentOf(recency: number, frequency: number, monetary: number): RfmSegment {
  for (const score of [recency, frequency, monetary]) {
    if (!(Number.isInteger(score) && score >= 1 && score <= 5)) throw new RangeError(`RFM scores are 1..5, got ${score}`);
  }
  const fm = Math.floor((frequency + monetary + 1) / 2);
  const grid: Record<number, readonly RfmSegment[]> = {
    5: ['New', 'Potential Loyalist', 'Potential Loyalist', 'Champions', 'Champions'],
    4: ['Promising', 'Potential Loyalist', 'Potential Loyalist', 'Loyal', 'Loyal'],
    3: ['About to Sleep', 'About to Sleep', 'Need Attention', 'Loyal', 'Loyal'],
    2: ['Hibernating', 'Hibernating', 'At Risk', 'At Risk', 'Cannot Lose Them'],
    1: ['Lost', 'Hibernating', 'At Risk', 'At Risk', 'Cannot Lose Them'],
  };
  return grid[recency][fm - 1];
}

/** RFM scores, cell codes and segments for a customer base, sorted by customer id. */
export function scoreRfm(customers: readonly RfmInput[]): RfmScore[] {
  const seen = new Set<string>();
  for (const customer of customers) {
    if (seen.has(customer.customerId)) throw new RangeError(`duplicate customer id ${customer.customerId}`);
    seen.add(customer.customerId);
  }
  const sorted = [...customers].sort((a, b) => compareCustomerIds(a.customerId, b.customerId));
  const recency = quintileScores(sorted.map((c) => -c.recencyDays)); // reversed: recent is high
  const frequency = quintileScores(sorted.map((c) => c.frequency));
  const monetary = quintileScores(sorted.map((c) => c.monetary));
  return sorted.map((customer, i) => ({
    customerId: customer.customerId,
    recency: recency[i],
    frequency: frequency[i],
    monetary: monetary[i],
    cell: `${recency[i]}${frequency[i]}${monetary[i]}`,
    segment: segmentOf(recency[i], frequency[i], monetary[i]),
  }));
}

// ---------------------------------------------------------------------------------------------
// Pareto share and value tiers

/** Customer values sorted from highest to lowest; negative values count as 0. */
function descendingValues(values: ArrayLike<number>): Float64Array {
  const sorted = Float64Array.from(values, (v) => {
    if (!Number.isFinite(v)) throw new RangeError(`value is not a finite number: ${v}`);
    return Math.max(0, v);
  });
  return sorted.sort().reverse();
}

/**
 * Share of the total held by the top `fraction` of customers (default 0.2: the "80/20" share).
 * Follows the Lorenz curve: when fraction·n is not whole, the boundary customer counts pro rata.
 * Negative values (net refunds) count as 0. Returns 0 when the total is 0.
 */
export function paretoShare(values: ArrayLike<number>, fraction = 0.2): number {
  return shareOfTop(descendingValues(values), fraction);
}

function shareOfTop(sorted: Float64Array, fraction: number): number {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`fraction must be in [0, 1], got ${fraction}`);
  let total = 0;
  for (const v of sorted) total += v;
  if (total === 0) return 0;
  const customers = fraction * sorted.length;
  const whole = Math.floor(customers);
  let top = 0;
  for (let i = 0; i < whole; i++) top += sorted[i];
  if (whole < sorted.length) top += (customers - whole) * sorted[whole];
  return Math.min(1, top / total);
}

export interface ParetoPoint {
  /** Fraction of customers, highest value first (0..1). */
  customerFraction: number;
  /** Fraction of the total value they hold (0..1). */
  valueShare: number;
}

/** Cumulative value share at each customer fraction (default every decile, 0 to 1). */
export function paretoCurve(
  values: ArrayLike<number>,
  fractions: readonly number[] = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
): ParetoPoint[] {
  const sorted = descendingValues(values);
  return fractions.map((customerFraction) => ({ customerFraction, valueShare: shareOfTop(sorted, customerFraction) }));
}

/**
 * KEY: the top 20 % by value; GROWTH: the next 30 % (top 50 %); STANDARD: the rest, and every
 * customer with no positive value.
 */
export type ValueTier = 'KEY' | 'GROWTH' | 'STANDARD';

export interface ValueTierOptions {
  /** Share of customers in KEY (default 0.2). */
  keyFraction?: number;
  /** Share of customers in KEY + GROWTH (default 0.5). */
  growthFraction?: number;
}

export interface ValueTierAssignment {
  customerId: string;
  value: number;
  tier: ValueTier;
  /** 1-based competition rank by value (equal values share the best rank). */
  rank: number;
}

/**
 * Value tiers by rank. A customer is KEY when fewer than keyFraction·n customers have a strictly
 * higher value, GROWTH likewise for growthFraction — so equal values always share a tier and a tie
 * at the boundary lets the tier run slightly over its share. Sorted by value (desc), then id.
 */
export function classifyValueTiers(
  customers: readonly { customerId: string; value: number }[],
  options: ValueTierOptions = {},
): ValueTierAssignment[] {
  const keyFraction = options.keyFraction ?? 0.2;
  const growthFraction = options.growthFraction ?? 0.5;
  if (!(keyFraction >= 0 && keyFraction <= growthFraction && growthFraction <= 1)) {
    throw new RangeError('need 0 <= keyFraction <= growthFraction <= 1');
  }
  const n = customers.length;
  const sorted = [...customers].sort(
    (a, b) => b.value - a.value || compareCustomerIds(a.customerId, b.customerId),
  );
  const result: ValueTierAssignment[] = [];
  let higher = 0; // customers with a strictly higher value than the current tie group
  sorted.forEach((customer, i) => {
    if (!Number.isFinite(customer.value)) throw new RangeError(`value of ${customer.customerId} is not finite`);
    if (i > 0 && customer.value !== sorted[i - 1].value) higher = i;
    const tier: ValueTier =
      customer.value <= 0 ? 'STANDARD' : higher < keyFraction * n ? 'KEY' : higher < growthFraction * n ? 'GROWTH' : 'STANDARD';
    result.push({ customerId: customer.customerId, value: customer.value, tier, rank: higher + 1 });
  });
  return result;
}
