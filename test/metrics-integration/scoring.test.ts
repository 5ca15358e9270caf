import { describe, expect, it } from 'vitest';
import { combineChurnReasons, healthScore, interactionReasons, purchaseHistoryReasons } from '../../server/metrics/churn.js';
import { customerLifetimeValue } from '../../server/metrics/clv.js';
import { conditionalExpectedPurchases } from '../../server/metrics/bgnbd.js';
import { lifecycleStage, poissonCdf, type CustomerHistory } from '../../server/metrics/lifecycle.js';
import { classifyValueTiers, quintileScores } from '../../server/metrics/rfm.js';
import {
  ClvCalculator, emptyAggregates, expectedPurchasesGiven, modelColumns, pushAggregate, scoreWithCutoffs, summarizePopulation,
  unitsToDecimal, valueTier, type AggregateRow,
} from '../../server/metrics/scoring.js';
import { DEFAULT_METRICS_SETTINGS, resolveMetricsSettings } from '../../server/metrics/settings.js';

const bgnbd = { r: 0.7, alpha: 25, a: 0.34, b: 10.4 };
const gammaGamma = { p: 6.25, q: 3.74, gamma: 15.44 };
const s = { ...DEFAULT_METRICS_SETTINGS, exchangeRates: [] };

function row(i: number, purchaseDays: number, lastDay: number, totalUnits: number): AggregateRow {
  return {
    customerId: `c${String(i).padStart(4, '0')}`, orderCount: purchaseDays, purchaseDays, firstDay: purchaseDays ? lastDay - 10 * (purchaseDays - 1) : 0,
    lastDay, firstOrderAt: 0, lastOrderAt: 0, totalUnits, spendRepeatDays: Math.max(0, purchaseDays - 1),
    repeatSpendUnits: Math.max(0, purchaseDays - 1) * 100_000, lastGap: -1, largestGap: -1, recentDays: 0, baselineDays: 0,
    recentSpendUnits: 0, baselineSpendUnits: 0,
  };
}

describe('ClvCalculator', () => {
  it('gives the discounted CLV of clv.ts customerLifetimeValue, in days, for any (x, t_x, T)', () => {
    const calc = new ClvCalculator({ bgnbd, gammaGamma }, 12, 0.1);
    for (const [x, t_x, T, zbar] of [[0, 0, 30, 0], [1, 20, 40, 12.5], [5, 100, 300, 40], [40, 700, 730, 18]]) {
      const mine = calc.estimate(x, t_x, T, x, zbar, null);
      const reference = customerLifetimeValue(bgnbd, gammaGamma, { x, t_x, T, zbar }, { months: 12, annualDiscountRate: 0.1 });
      expect(mine.clv).toBeCloseTo(reference.value, 9);
      expect(mine.purchases).toBeCloseTo(reference.expectedPurchases, 9);
      expect(expectedPurchasesGiven(bgnbd, mine.pAlive!, x, T, 90)).toBeCloseTo(conditionalExpectedPurchases(bgnbd, 90, x, t_x, T), 12);
    }
  });

  it('falls back to the customer’s own average spend when there is no Gamma-Gamma fit, and predicts nothing without BG/NBD', () => {
    const own = new ClvCalculator({ bgnbd, gammaGamma: null }, 12, 0.1).estimate(3, 60, 90, 3, 50, 42);
    expect(own.spend).toBe(42);
    // Discounted: a little below purchases × spend.
    expect(own.clv).toBeLessThan(own.purchases! * 42);
    expect(own.clv).toBeGreaterThan(own.purchases! * 42 * 0.9);
    expect(new ClvCalculator({ bgnbd: null, gammaGamma }, 12, 0.1).estimate(3, 60, 90, 3, 50, 42)).toMatchObject({ pAlive: null, clv: null });
  });
});

describe('population cutoffs', () => {
  const agg = emptyAggregates(4);
  const asOfDay = 20_000;
  for (let i = 0; i < 57; i++) pushAggregate(agg, row(i, 1 + (i % 7), asOfDay - ((i * 37) % 200), ((i * 7919) % 500) * 10_000));
  pushAggregate(agg, row(99, 0, 0, 0)); // a prospect
  const calc = new ClvCalculator({ bgnbd, gammaGamma }, 12, 0.1);
  const columns = modelColumns(agg, asOfDay, calc);
  const population = summarizePopulation(agg, asOfDay, columns, s);
  const buyers = [...Array(57).keys()];

  it('reproduces rfm.quintileScores exactly through the stored cutoffs', () => {
    const frequency = buyers.map((i) => agg.purchaseDays[i]);
    const monetary = buyers.map((i) => agg.totalUnits[i]);
    const recency = buyers.map((i) => -(asOfDay - agg.lastDay[i]));
    expect(frequency.map((v) => scoreWithCutoffs(v, population.cutoffs.frequency))).toEqual(quintileScores(frequency));
    expect(monetary.map((v) => scoreWithCutoffs(v, population.cutoffs.monetary))).toEqual(quintileScores(monetary));
    expect(recency.map((v) => scoreWithCutoffs(v, population.cutoffs.recency))).toEqual(quintileScores(recency));
    expect(population.buyers).toBe(57);
  });

  it('puts the same customers in KEY and GROWTH as rfm.classifyValueTiers', () => {
    const reference = classifyValueTiers(buyers.map((i) => ({ customerId: agg.customerId[i], value: columns.value[i] })));
    for (const r of reference) {
      const i = agg.customerId.indexOf(r.customerId);
      expect(valueTier(columns.value[i], population.cutoffs)).toBe(r.tier);
    }
    expect(reference.filter((r) => r.tier === 'KEY')).toHaveLength(Math.ceil(57 * 0.2));
  });

  it('prints units as exact decimals', () => {
    expect(unitsToDecimal(1_234_500)).toBe('123.4500');
    expect(unitsToDecimal(5)).toBe('0.0005');
    expect(unitsToDecimal(0)).toBe('0.0000');
  });
});

describe('lifecycle and churn rules', () => {
  const base: CustomerHistory = {
    purchaseDays: 12, ageDays: 700, recencyDays: 10, lastGapDays: 30, purchaseCycleDays: 30, pAlive: 0.9,
    recentPurchases: 5, baselinePurchases: 24, recentSpend: 500, baselineSpend: 2400,
  };

  it('names each stage from the documented rules', () => {
    expect(lifecycleStage({ ...base, purchaseDays: 0 }, s)).toBe('PROSPECT');
    expect(lifecycleStage({ ...base, recencyDays: 400 }, s)).toBe('CHURNED');
    expect(lifecycleStage({ ...base, pAlive: 0.1 }, s)).toBe('CHURNED');
    expect(lifecycleStage({ ...base, lastGapDays: 200, recencyDays: 5 }, s)).toBe('WON_BACK');
    expect(lifecycleStage({ ...base, ageDays: 60, purchaseDays: 2 }, s)).toBe('NEW');
    expect(lifecycleStage({ ...base, recentPurchases: 0, recentSpend: 0 }, s)).toBe('DECLINING');
    expect(lifecycleStage({ ...base, recentPurchases: 12, recentSpend: 1200 }, s)).toBe('GROWING');
    expect(lifecycleStage(base, s)).toBe('MATURE');
    expect(lifecycleStage({ ...base, purchaseDays: 1, lastGapDays: null, purchaseCycleDays: null, ageDays: 200, recencyDays: 200, recentPurchases: 0, baselinePurchases: 1 }, s)).toBe('DECLINING');
  });

  it('does not call an ordinary quiet spell of a rare buyer a fall (Poisson test)', () => {
    // Baseline: 4 purchases in 365 days predicts ~1 in 90; none is not unusual.
    const rare = { ...base, recentPurchases: 0, baselinePurchases: 4, recentSpend: 0, baselineSpend: 400 };
    expect(purchaseHistoryReasons(rare, s).map((r) => r.code)).not.toContain('PURCHASE_FREQUENCY_FALLING');
    expect(poissonCdf(0, 1)).toBeCloseTo(Math.exp(-1), 12);
    expect(poissonCdf(2, 3)).toBeCloseTo(Math.exp(-3) * (1 + 3 + 4.5), 12);
  });

  it('raises each reason with its evidence and combines them into a score and level', () => {
    const slipping = { ...base, pAlive: 0.2, recentPurchases: 0, recentSpend: 0, recencyDays: 120 };
    const reasons = [...purchaseHistoryReasons(slipping, s), ...interactionReasons(slipping, { recent: 0, baseline: 20 }, s)];
    expect(reasons.map((r) => r.code).sort()).toEqual(['INTERACTIONS_FALLING', 'LOW_P_ALIVE', 'PURCHASES_OVERDUE', 'PURCHASE_FREQUENCY_FALLING', 'SPEND_FALLING']);
    const pAlive = reasons.find((r) => r.code === 'LOW_P_ALIVE')!;
    expect(pAlive.evidence).toEqual([{ name: 'pAlive', value: 0.2 }, { name: 'threshold', value: 0.5 }]);
    expect(pAlive.message).toMatch(/20%/);
    const combined = combineChurnReasons(reasons, 'DECLINING', s);
    expect(combined.level).toBe('HIGH');
    expect(combined.score).toBeGreaterThanOrEqual(90);
    expect(combined.reasons[0].weight).toBeGreaterThanOrEqual(combined.reasons.at(-1)!.weight);
    expect(combineChurnReasons([], 'MATURE', s)).toMatchObject({ level: 'LOW', score: 0 });
    expect(combineChurnReasons([], 'CHURNED', s).level).toBe('CHURNED');
    expect(healthScore(0, { r: 5, f: 5, m: 5 }, 'MATURE')).toBe(100);
    expect(healthScore(80, null, 'CHURNED')).toBe(10);
  });

  it('reads tenant overrides and ignores invalid stored values', () => {
    const settings = resolveMetricsSettings({ metrics: { annualDiscountRate: 0.05, clvMonths: 0, lowPAlive: 'high' } });
    expect(settings.annualDiscountRate).toBe(0.05);
    expect(settings.clvMonths).toBe(12);
    expect(settings.lowPAlive).toBe(0.5);
  });
});
