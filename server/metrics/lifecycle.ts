/**
 * Lifecycle stage of one customer from their purchase history and P(alive). Pure.
 *
 * Rules, first match wins (thresholds are tenant settings, defaults in settings.ts):
 *  - PROSPECT: no purchase yet.
 *  - CHURNED:  no purchase for `churnedRecencyDays`, or P(alive) below `churnedPAlive`.
 *  - WON_BACK: bought again within the recent window after a gap of at least `wonBackGapDays`.
 *  - NEW:      first purchase at most `newCustomerDays` ago.
 *  - DECLINING: a one-time buyer no longer NEW; purchase frequency or spend falling against the
 *              customer's own baseline; purchases overdue against their cycle (overdueFactor ×
 *              the purchase cycle, with at least 3 purchase days); or P(alive) below `lowPAlive`.
 *  - GROWING:  recent purchase rate or spend rate at least (1 + growthThreshold) × the baseline,
 *              or a repeat buyer still in their first year.
 * "Falling" / "rising" compare the recent window with the customer's own baseline rate: the change
 * must reach the threshold AND be unlikely (≤ trendSignificance) for a Poisson process at the
 * baseline rate, so low-frequency customers are not flagged for ordinary quiet spells. Spend is
 * judged only when the baseline predicts at least 3 purchases in the recent window.
 *  - MATURE:   everyone else: steady repeat customers.
 */
import type { MetricsSettings } from './settings.js';

export type LifecycleStage = 'PROSPECT' | 'NEW' | 'GROWING' | 'MATURE' | 'DECLINING' | 'CHURNED' | 'WON_BACK';

/** What the rules read about one customer. Days are whole days up to asOf. */
export interface CustomerHistory {
  /** Distinct purchase days (0 = prospect). */
  purchaseDays: number;
  /** Days from the first purchase day to asOf (T). */
  ageDays: number;
  /** Days from the last purchase day to asOf. */
  recencyDays: number;
  /** Days between the last two purchase days (null with one purchase day). */
  lastGapDays: number | null;
  /** Mean days between purchase days (t_x / x; null with one purchase day). */
  purchaseCycleDays: number | null;
  /** P(alive) from the fitted BG/NBD model, null when there is no fitted model. */
  pAlive: number | null;
  /** Purchase days and spend (tenant currency) in the recent and baseline windows. */
  recentPurchases: number;
  baselinePurchases: number;
  recentSpend: number;
  baselineSpend: number;
}

/** Days of the baseline window the customer was already a customer for (0 when they started later). */
export function baselineExposureDays(h: CustomerHistory, s: MetricsSettings): number {
  return Math.max(0, Math.min(s.baselineWindowDays, h.ageDays - s.recentWindowDays + 1));
}

/** P(X ≤ k) for X ~ Poisson(λ), summed in log space (no underflow for large λ). */
export function poissonCdf(k: number, lambda: number): number {
  if (k < 0) return 0;
  if (!(lambda > 0)) return 1;
  let logTerm = -lambda;
  let logSum = logTerm;
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log(lambda) - Math.log(i);
    const hi = Math.max(logSum, logTerm);
    logSum = hi + Math.log(Math.exp(logSum - hi) + Math.exp(logTerm - hi));
  }
  return Math.min(1, Math.exp(logSum));
}

export interface Trend {
  /** Relative change of the per-day rate, recent vs baseline (−1 = stopped, +1 = doubled). */
  change: number;
  /** What the baseline rate predicts for the recent window. */
  expectedRecent: number;
}

/**
 * The recent window against the customer's own baseline (the days of the baseline window they
 * were already a customer), or null when the baseline is too short or too thin to judge.
 */
export function trend(recent: number, baseline: number, h: CustomerHistory, s: MetricsSettings, minBaseline: number): Trend | null {
  const exposure = baselineExposureDays(h, s);
  // A baseline shorter than the recent window says little about the customer's habit.
  if (exposure < s.recentWindowDays || baseline < minBaseline) return null;
  const baselineRate = baseline / exposure;
  if (!(baselineRate > 0)) return null;
  const expectedRecent = baselineRate * s.recentWindowDays;
  return { change: recent / expectedRecent - 1, expectedRecent };
}

/** A count fell by at least declineThreshold, and a Poisson process at the baseline rate rarely goes that low. */
export function countFell(recent: number, t: Trend | null, s: MetricsSettings): boolean {
  return t !== null && t.change <= -s.declineThreshold && poissonCdf(recent, t.expectedRecent) <= s.trendSignificance;
}

/** A count rose by at least growthThreshold, and a Poisson process at the baseline rate rarely goes that high. */
export function countRose(recent: number, t: Trend | null, s: MetricsSettings): boolean {
  return t !== null && t.change >= s.growthThreshold && 1 - poissonCdf(recent - 1, t.expectedRecent) <= s.trendSignificance;
}

export function purchaseTrend(h: CustomerHistory, s: MetricsSettings): Trend | null {
  return trend(h.recentPurchases, h.baselinePurchases, h, s, s.minBaselinePurchases);
}

/** Spend per day, judged only when the baseline predicts at least 3 purchases in the recent window. */
export function spendTrend(h: CustomerHistory, s: MetricsSettings): Trend | null {
  if (!(h.baselineSpend > 0)) return null;
  const purchases = purchaseTrend(h, s);
  if (!purchases || purchases.expectedRecent < 3) return null;
  return trend(h.recentSpend, h.baselineSpend, h, s, 0);
}

export function purchasesFalling(h: CustomerHistory, s: MetricsSettings): Trend | null {
  const t = purchaseTrend(h, s);
  return countFell(h.recentPurchases, t, s) ? t : null;
}

export function spendFalling(h: CustomerHistory, s: MetricsSettings): Trend | null {
  const t = spendTrend(h, s);
  return t !== null && t.change <= -s.declineThreshold ? t : null;
}

/** Days since the last purchase as a multiple of the purchase cycle (null without a cycle from at least two gaps). */
export function overdueRatio(h: CustomerHistory): number | null {
  if (h.purchaseDays < 3 || !h.purchaseCycleDays || !(h.purchaseCycleDays > 0)) return null;
  return h.recencyDays / h.purchaseCycleDays;
}

export function lifecycleStage(h: CustomerHistory, s: MetricsSettings): LifecycleStage {
  if (h.purchaseDays === 0) return 'PROSPECT';
  if (h.recencyDays >= s.churnedRecencyDays || (h.pAlive !== null && h.pAlive < s.churnedPAlive)) return 'CHURNED';
  if (h.lastGapDays !== null && h.lastGapDays >= s.wonBackGapDays && h.recencyDays < s.recentWindowDays) return 'WON_BACK';
  if (h.ageDays <= s.newCustomerDays) return 'NEW';
  // A one-time buyer who did not come back while NEW is slipping, whatever the model says.
  if (h.purchaseDays === 1) return 'DECLINING';
  const overdue = overdueRatio(h);
  if (purchasesFalling(h, s) || spendFalling(h, s) || (overdue !== null && overdue > s.overdueFactor) || (h.pAlive !== null && h.pAlive < s.lowPAlive)) {
    return 'DECLINING';
  }
  const spend = spendTrend(h, s);
  if (countRose(h.recentPurchases, purchaseTrend(h, s), s) || (spend !== null && spend.change >= s.growthThreshold) || (h.purchaseDays >= 2 && h.ageDays < 365)) {
    return 'GROWING';
  }
  return 'MATURE';
}
