import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { conditionalExpectedPurchases, fit as fitBgNbd, type BgNbdParams } from '../../server/metrics/bgnbd.js';
import {
  DAYS_PER_MONTH,
  customerLifetimeValue,
  lifetimesCustomerLifetimeValue,
} from '../../server/metrics/clv.js';
import { conditionalExpectedSpend, fit as fitGammaGamma, type GammaGammaParams } from '../../server/metrics/gamma-gamma.js';

const CDNOW = new URL('../../../shared/data/cdnow/', import.meta.url);

describe('lifetimes customer_lifetime_value formula on the CDNOW summary file', () => {
  // lifetimes' Quickstart fits the 2-decimal summary file (weeks); so do we, to compare like with like.
  const rows = readFileSync(new URL('cdnow_customers_summary_with_transactions.csv', CDNOW), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(',').map(Number))
    .map(([, x, t_x, T, zbar]) => ({ x: x!, t_x: t_x!, T: T!, zbar: zbar! }));
  const columns = {
    x: rows.map((r) => r.x),
    t_x: rows.map((r) => r.t_x),
    T: rows.map((r) => r.T),
    zbar: rows.map((r) => r.zbar),
  };
  const bg = fitBgNbd(columns).params!;
  const gg = fitGammaGamma(columns).params!;

  it('reproduces the Quickstart CLV of customers 1–10 (time=12, discount_rate=0.01, freq="D": 30 weeks a step)', () => {
    const published = [140.0962, 18.9435, 38.1806, 38.1806, 38.1806, 1003.8682, 28.1097, 38.1806, 167.4182, 38.1806];
    rows.slice(0, 10).forEach((customer, i) => {
      const value = lifetimesCustomerLifetimeValue(bg, gg, customer, { time: 12, discountRate: 0.01, unitsPerStep: 30 });
      expect(Math.abs(value - published[i]!)).toBeLessThan(2e-4);
    });
  });

  it('gives the freq="W" numbers with 4.345 weeks a step (36.2785, 4.6375, 8.3441, …, 283.5236)', () => {
    const value = (i: number) => lifetimesCustomerLifetimeValue(bg, gg, rows[i]!, { unitsPerStep: 4.345 });
    expect(value(0)).toBeCloseTo(36.2785, 3);
    expect(value(1)).toBeCloseTo(4.6375, 3);
    expect(value(2)).toBeCloseTo(8.3441, 3);
    expect(value(5)).toBeCloseTo(283.5236, 3);
  });
});

describe('customerLifetimeValue (product formula: months, annual discount rate)', () => {
  // CDNOW estimates converted to DAYS (α in days = 7 × α in weeks).
  const weekly: BgNbdParams = { r: 0.2425945, alpha: 4.4136019, a: 0.7929199, b: 2.4258881 };
  const daily: BgNbdParams = { ...weekly, alpha: weekly.alpha * 7 };
  const spend: GammaGammaParams = { p: 6.2488, q: 3.7446, gamma: 15.4477 };
  const customer = { x: 2, t_x: 213, T: 272, zbar: 22.35 }; // CDNOW customer 1, days

  it('without discounting equals expected purchases over the horizon × expected spend', () => {
    const estimate = customerLifetimeValue(daily, spend, customer, { months: 12, annualDiscountRate: 0 });
    const purchases = conditionalExpectedPurchases(daily, 12 * DAYS_PER_MONTH, customer.x, customer.t_x, customer.T);
    const perPurchase = conditionalExpectedSpend(spend, customer.x, customer.zbar);
    expect(estimate.expectedPurchases).toBeCloseTo(purchases, 12);
    expect(estimate.expectedSpendPerPurchase).toBeCloseTo(perPurchase, 12);
    expect(estimate.value).toBeCloseTo(purchases * perPurchase, 10);
    expect(estimate.monthlyRevenue).toHaveLength(12);
    expect(estimate.monthlyRevenue.reduce((a, b) => a + b, 0)).toBeCloseTo(estimate.value, 10);
  });

  it('discounts month m by (1 + annual rate)^(−m/12)', () => {
    const plain = customerLifetimeValue(daily, spend, customer, { months: 24, annualDiscountRate: 0 });
    const discounted = customerLifetimeValue(daily, spend, customer, { months: 24, annualDiscountRate: 0.1 });
    const expected = plain.monthlyRevenue.reduce((sum, revenue, i) => sum + revenue * 1.1 ** (-(i + 1) / 12), 0);
    expect(discounted.value).toBeCloseTo(expected, 10);
    expect(discounted.value).toBeLessThan(plain.value);
    expect(discounted.value).toBeGreaterThan(plain.value / 1.1 ** 2);
  });

  it('does not depend on the model time unit once timeUnitDays says what it is', () => {
    const inDays = customerLifetimeValue(daily, spend, customer, { months: 12, annualDiscountRate: 0.1 });
    const inWeeks = customerLifetimeValue(
      weekly,
      spend,
      { ...customer, t_x: customer.t_x / 7, T: customer.T / 7 },
      { months: 12, annualDiscountRate: 0.1, timeUnitDays: 7 },
    );
    expect(inWeeks.value).toBeCloseTo(inDays.value, 10);
    expect(inDays.value).toBeGreaterThan(0);
  });

  it('is 0 over a 0-month horizon and rejects fractional months', () => {
    expect(customerLifetimeValue(daily, spend, customer, { months: 0, annualDiscountRate: 0.1 }).value).toBe(0);
    expect(() => customerLifetimeValue(daily, spend, customer, { months: 1.5, annualDiscountRate: 0.1 })).toThrow(RangeError);
  });

  it('values a long-silent customer below an otherwise identical recent one', () => {
    const recent = customerLifetimeValue(daily, spend, { ...customer, t_x: 270 }, { months: 12, annualDiscountRate: 0.1 });
    const silent = customerLifetimeValue(daily, spend, { ...customer, t_x: 20 }, { months: 12, annualDiscountRate: 0.1 });
    expect(silent.value).toBeLessThan(recent.value);
  });
});
