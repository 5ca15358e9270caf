/**
 * Discounted customer lifetime value: BG/NBD expected purchases × Gamma-Gamma expected spend.
 *
 * The value is revenue (no margin applied): multiply by a margin outside if you need profit.
 * Month m of the horizon contributes
 *   (E[Y(m months) | history] − E[Y((m − 1) months) | history]) × E[Z | x, zbar] × (1 + d)^(−m/12)
 * where d is the ANNUAL discount rate; cash flows are discounted at the end of their month.
 */
import { conditionalExpectedPurchases, type BgNbdParams } from './bgnbd.js';
import { conditionalExpectedSpend, type GammaGammaParams } from './gamma-gamma.js';

/** Average month length in days (365.25 / 12). */
export const DAYS_PER_MONTH = 30.4375;

/** One customer's sufficient statistics, in the BG/NBD model's time unit. */
export interface ClvCustomer {
  x: number;
  t_x: number;
  T: number;
  /** Mean spend per repeat purchase day (0 when x = 0). */
  zbar: number;
}

export interface ClvOptions {
  /** Horizon in months (whole months, ≥ 0). */
  months: number;
  /** Annual discount rate, e.g. 0.10 for 10 % a year; 0 for undiscounted. */
  annualDiscountRate: number;
  /** Length in days of the BG/NBD time unit: 1 when the model was fitted in days (the product's
   * unit, the default), 7 when fitted in weeks. */
  timeUnitDays?: number;
}

export interface ClvEstimate {
  /** Discounted expected revenue over the horizon. */
  value: number;
  /** Expected purchases over the horizon (undiscounted). */
  expectedPurchases: number;
  /** Expected spend per purchase (Gamma-Gamma). */
  expectedSpendPerPurchase: number;
  /** Undiscounted expected revenue per month, month 1 first. */
  monthlyRevenue: number[];
}

/**
 * Discounted CLV over `months` for one customer (see the module comment for the formula).
 * Use parameters from FITTED models: with a Gamma-Gamma q ≤ 1 the expected spend of a customer
 * without repeat purchases is infinite.
 */
export function customerLifetimeValue(
  bgnbd: BgNbdParams,
  gammaGamma: GammaGammaParams,
  customer: ClvCustomer,
  options: ClvOptions,
): ClvEstimate {
  const { months, annualDiscountRate } = options;
  if (!(Number.isInteger(months) && months >= 0)) throw new RangeError(`months must be a whole number >= 0, got ${months}`);
  if (!(annualDiscountRate > -1)) throw new RangeError(`annualDiscountRate must be > -1, got ${annualDiscountRate}`);
  const unitsPerMonth = DAYS_PER_MONTH / (options.timeUnitDays ?? 1);
  const spend = conditionalExpectedSpend(gammaGamma, customer.x, customer.zbar);
  const monthlyRevenue: number[] = [];
  let value = 0;
  let previous = 0;
  for (let m = 1; m <= months; m++) {
    const cumulative = conditionalExpectedPurchases(bgnbd, m * unitsPerMonth, customer.x, customer.t_x, customer.T);
    const revenue = (cumulative - previous) * spend;
    monthlyRevenue.push(revenue);
    value += revenue * Math.pow(1 + annualDiscountRate, -m / 12);
    previous = cumulative;
  }
  return { value, expectedPurchases: previous, expectedSpendPerPurchase: spend, monthlyRevenue };
}

export interface LifetimesClvOptions {
  /** Number of steps ("months" in lifetimes), default 12. */
  time?: number;
  /** Discount rate per step, default 0.01. */
  discountRate?: number;
  /** Model time units per step: lifetimes' `freq` factor (W: 4.345, M: 1, D: 30, H: 720), default 30. */
  unitsPerStep?: number;
}

/**
 * The formula of Python lifetimes' `customer_lifetime_value(time, discount_rate, freq)`, kept for
 * cross-checking against published numbers: step i (1..time) adds
 * spend × (E[Y(i·f)] − E[Y((i−1)·f)]) / (1 + discount_rate)^i with f = `unitsPerStep`.
 * Note lifetimes' default freq='D' means f = 30 model units per step, whatever the model's unit.
 */
export function lifetimesCustomerLifetimeValue(
  bgnbd: BgNbdParams,
  gammaGamma: GammaGammaParams,
  customer: ClvCustomer,
  options: LifetimesClvOptions = {},
): number {
  const time = options.time ?? 12;
  const discountRate = options.discountRate ?? 0.01;
  const factor = options.unitsPerStep ?? 30;
  const spend = conditionalExpectedSpend(gammaGamma, customer.x, customer.zbar);
  let value = 0;
  let previous = 0;
  for (let step = 1; step <= time; step++) {
    const cumulative = conditionalExpectedPurchases(bgnbd, step * factor, customer.x, customer.t_x, customer.T);
    value += (spend * (cumulative - previous)) / Math.pow(1 + discountRate, step);
    previous = cumulative;
  }
  return value;
}
