/**
 * Per-tenant metric settings, stored under `tenant.settings.metrics`. Every value has a
 * documented default; a tenant overrides only what it needs (updateMetricsSettings).
 * Pure: no database import.
 */

export interface ExchangeRate {
  /** ISO 4217 code of the order currency. */
  currency: string;
  /** Tenant-currency units per one unit of `currency`, as an exact decimal string. */
  rate: string;
}

export interface MetricsSettings {
  /** Annual discount rate for predicted CLV (0.10 = 10 % a year). */
  annualDiscountRate: number;
  /** Horizon of the stored predicted CLV, value tiers and value at risk, in months. */
  clvMonths: number;
  /** The "recent" window the trend rules look at, in days before asOf. */
  recentWindowDays: number;
  /** The baseline window right before the recent one, in days. */
  baselineWindowDays: number;
  /** A customer whose first purchase is at most this many days old is NEW. */
  newCustomerDays: number;
  /** No purchase for this many days means CHURNED (whatever the model says). */
  churnedRecencyDays: number;
  /** P(alive) below this means CHURNED. */
  churnedPAlive: number;
  /** P(alive) below this raises the LOW_P_ALIVE reason. */
  lowPAlive: number;
  /** A gap of at least this many days followed by a purchase in the recent window is WON_BACK. */
  wonBackGapDays: number;
  /** A recent rate this much below the baseline rate (0.5 = halved) counts as falling. */
  declineThreshold: number;
  /** A recent purchase rate this much above the baseline rate (0.5 = 1.5×) counts as growing. */
  growthThreshold: number;
  /** A change counts only when a Poisson test at the baseline rate gives it at most this probability
   * (so a customer who buys every other month is not "falling" after one quiet month). */
  trendSignificance: number;
  /** Days since the last purchase above this multiple of the purchase cycle is overdue. */
  overdueFactor: number;
  /** Baseline purchase days needed before a falling purchase or spend trend is judged. */
  minBaselinePurchases: number;
  /** Baseline interactions needed before a falling engagement trend is judged. */
  minBaselineInteractions: number;
  /** Churn score (0–100) from which the level is HIGH. */
  highRiskScore: number;
  /** Churn score (0–100) from which the level is MEDIUM. */
  mediumRiskScore: number;
  /** Share of buying customers in the KEY tier (the Pareto top 20 %). */
  keyTierFraction: number;
  /** Share of buying customers in KEY + GROWTH. */
  growthTierFraction: number;
  /** Conversion of order currencies into the tenant currency. Orders in a currency with no rate
   * still count as purchases but add nothing to spend. */
  exchangeRates: ExchangeRate[];
}

export const DEFAULT_METRICS_SETTINGS: Readonly<MetricsSettings> = Object.freeze({
  annualDiscountRate: 0.1,
  clvMonths: 12,
  recentWindowDays: 90,
  baselineWindowDays: 365,
  newCustomerDays: 90,
  churnedRecencyDays: 365,
  churnedPAlive: 0.15,
  lowPAlive: 0.5,
  wonBackGapDays: 180,
  declineThreshold: 0.5,
  growthThreshold: 0.5,
  trendSignificance: 0.1,
  overdueFactor: 3,
  minBaselinePurchases: 2,
  minBaselineInteractions: 3,
  highRiskScore: 60,
  mediumRiskScore: 30,
  keyTierFraction: 0.2,
  growthTierFraction: 0.5,
  exchangeRates: [],
});

/** Valid ranges of the numeric settings: [min, max, whole number?]. */
export const SETTING_RANGES: Record<Exclude<keyof MetricsSettings, 'exchangeRates'>, [number, number, boolean]> = {
  annualDiscountRate: [0, 1, false],
  clvMonths: [1, 120, true],
  recentWindowDays: [7, 730, true],
  baselineWindowDays: [7, 1825, true],
  newCustomerDays: [1, 730, true],
  churnedRecencyDays: [30, 3650, true],
  churnedPAlive: [0, 1, false],
  lowPAlive: [0, 1, false],
  wonBackGapDays: [30, 3650, true],
  declineThreshold: [0.05, 1, false],
  growthThreshold: [0.05, 10, false],
  trendSignificance: [0.001, 0.5, false],
  overdueFactor: [1, 20, false],
  minBaselinePurchases: [1, 1000, true],
  minBaselineInteractions: [1, 1000, true],
  highRiskScore: [1, 100, true],
  mediumRiskScore: [1, 100, true],
  keyTierFraction: [0.01, 1, false],
  growthTierFraction: [0.01, 1, false],
};

/** A rule a whole settings object must satisfy, with the field to blame. */
export function crossFieldProblems(s: MetricsSettings): { field: keyof MetricsSettings; message: string }[] {
  const problems: { field: keyof MetricsSettings; message: string }[] = [];
  if (s.mediumRiskScore > s.highRiskScore) problems.push({ field: 'mediumRiskScore', message: 'must not be above highRiskScore' });
  if (s.keyTierFraction > s.growthTierFraction) problems.push({ field: 'keyTierFraction', message: 'must not be above growthTierFraction' });
  if (s.churnedPAlive > s.lowPAlive) problems.push({ field: 'churnedPAlive', message: 'must not be above lowPAlive' });
  return problems;
}

/** The tenant's effective settings: stored values over the defaults (invalid stored values are ignored). */
export function resolveMetricsSettings(tenantSettings: Record<string, unknown> | null | undefined): MetricsSettings {
  const stored = (tenantSettings?.metrics ?? {}) as Record<string, unknown>;
  const out: MetricsSettings = { ...DEFAULT_METRICS_SETTINGS, exchangeRates: [] };
  for (const [key, [min, max, whole]] of Object.entries(SETTING_RANGES)) {
    const value = stored[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max && (!whole || Number.isInteger(value))) {
      (out as unknown as Record<string, number>)[key] = value;
    }
  }
  if (Array.isArray(stored.exchangeRates)) {
    out.exchangeRates = stored.exchangeRates.filter(
      (r): r is ExchangeRate =>
        typeof r === 'object' && r !== null && typeof (r as ExchangeRate).currency === 'string' && /^\d{1,9}(\.\d{1,10})?$/.test(String((r as ExchangeRate).rate)),
    );
  }
  return out;
}
