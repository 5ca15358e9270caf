import { describe, expect, it } from 'vitest';
import {
  classifyValueTiers,
  paretoCurve,
  paretoShare,
  quintileScores,
  scoreRfm,
  segmentOf,
  type RfmInput,
} from '../../server/metrics/rfm.js';

/** Deterministic Fisher–Yates shuffle. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('quintileScores', () => {
  it('puts exactly a fifth of distinct values in each quintile', () => {
    const scores = quintileScores([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]);
    expect(scores).toEqual([5, 1, 5, 1, 4, 2, 4, 2, 3, 3]);
  });

  it('gives equal values equal scores (the tie group takes its middle rank)', () => {
    // Six of ten customers bought once: average rank 2.5 of 0..9 → quintile 2.
    const scores = quintileScores([1, 1, 1, 1, 1, 1, 2, 3, 4, 5]);
    expect(new Set(scores.slice(0, 6))).toEqual(new Set([2]));
    expect(scores.slice(6)).toEqual([4, 4, 5, 5]);
    expect(quintileScores([7, 7, 7, 7])).toEqual([3, 3, 3, 3]);
  });

  it('rejects non-finite values', () => {
    expect(() => quintileScores([1, Number.NaN])).toThrow(RangeError);
  });
});

describe('scoreRfm', () => {
  const customers: RfmInput[] = Array.from({ length: 50 }, (_, i) => ({
    customerId: `c${i}`,
    recencyDays: (i * 7) % 30, // many ties
    frequency: 1 + (i % 4),
    monetary: Math.round(((i * 37) % 50) * 10),
  }));

  it('scores independently of input order and returns customers sorted by id', () => {
    const reference = scoreRfm(customers);
    for (const seed of [1, 2, 3]) expect(scoreRfm(shuffled(customers, seed))).toEqual(reference);
    expect(reference.map((r) => r.customerId).slice(0, 3)).toEqual(['c0', 'c1', 'c10']);
  });

  it('gives customers with identical R, F and M identical cells', () => {
    const twins: RfmInput[] = [
      ...customers,
      { customerId: 'twin-a', recencyDays: 3, frequency: 2, monetary: 250 },
      { customerId: 'twin-b', recencyDays: 3, frequency: 2, monetary: 250 },
    ];
    const scored = new Map(scoreRfm(twins).map((s) => [s.customerId, s]));
    expect(scored.get('twin-a')!.cell).toBe(scored.get('twin-b')!.cell);
    expect(scored.get('twin-a')!.segment).toBe(scored.get('twin-b')!.segment);
  });

  it('reverses recency: the most recent buyer gets R = 5, the longest-silent R = 1', () => {
    const scored = scoreRfm([
      { customerId: 'recent', recencyDays: 1, frequency: 10, monetary: 1000 },
      { customerId: 'b', recencyDays: 50, frequency: 5, monetary: 500 },
      { customerId: 'c', recencyDays: 100, frequency: 4, monetary: 400 },
      { customerId: 'd', recencyDays: 200, frequency: 3, monetary: 300 },
      { customerId: 'silent', recencyDays: 400, frequency: 1, monetary: 10 },
    ]);
    const byId = new Map(scored.map((s) => [s.customerId, s]));
    expect(byId.get('recent')).toMatchObject({ cell: '555', segment: 'Champions' });
    expect(byId.get('silent')).toMatchObject({ cell: '111', segment: 'Lost' });
  });

  it('rejects duplicate customer ids', () => {
    expect(() => scoreRfm([customers[0]!, customers[0]!])).toThrow(/duplicate/);
  });
});

describe('segmentOf', () => {
  it('maps the R × FM grid to the documented names', () => {
    expect(segmentOf(5, 5, 4)).toBe('Champions');
    expect(segmentOf(5, 1, 1)).toBe('New');
    expect(segmentOf(4, 1, 1)).toBe('Promising');
    expect(segmentOf(4, 3, 2)).toBe('Potential Loyalist'); // FM = 2.5 rounds up to 3
    expect(segmentOf(3, 4, 5)).toBe('Loyal');
    expect(segmentOf(3, 3, 3)).toBe('Need Attention');
    expect(segmentOf(3, 1, 2)).toBe('About to Sleep');
    expect(segmentOf(2, 3, 4)).toBe('At Risk');
    expect(segmentOf(1, 5, 5)).toBe('Cannot Lose Them');
    expect(segmentOf(2, 1, 1)).toBe('Hibernating');
    expect(segmentOf(1, 1, 1)).toBe('Lost');
  });

  it('covers every one of the 125 cells and uses all 11 segments', () => {
    const seen = new Set<string>();
    for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) seen.add(segmentOf(r, f, m));
    expect(seen.size).toBe(11);
    expect(() => segmentOf(0, 1, 1)).toThrow(RangeError);
  });
});

describe('Pareto share and value tiers', () => {
  it('measures the share of value held by the top 20 %', () => {
    expect(paretoShare([100, 0, 0, 0, 0])).toBe(1);
    expect(paretoShare([5, 5, 5, 5, 5, 5, 5, 5, 5, 5])).toBeCloseTo(0.2, 12);
    // 80/20 by construction: 2 of 10 customers hold 80.
    expect(paretoShare([40, 40, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5])).toBeCloseTo(0.8, 12);
    // 20 % of 7 customers is 1.4: the second customer counts 0.4.
    expect(paretoShare([50, 25, 10, 5, 5, 3, 2])).toBeCloseTo((50 + 0.4 * 25) / 100, 12);
    expect(paretoShare([])).toBe(0);
    expect(paretoShare([0, 0])).toBe(0);
  });

  it('draws a monotone curve from (0, 0) to (1, 1), independent of order', () => {
    const values = [50, 25, 10, 5, 5, 3, 2, -4];
    const curve = paretoCurve(values);
    expect(curve[0]).toEqual({ customerFraction: 0, valueShare: 0 });
    expect(curve[curve.length - 1]).toEqual({ customerFraction: 1, valueShare: 1 });
    for (let i = 1; i < curve.length; i++) expect(curve[i]!.valueShare).toBeGreaterThanOrEqual(curve[i - 1]!.valueShare);
    expect(paretoCurve(shuffled(values, 9))).toEqual(curve);
  });

  it('classifies KEY (top 20 %), GROWTH (next 30 %) and STANDARD, with ties sharing a tier', () => {
    const customers = Array.from({ length: 10 }, (_, i) => ({ customerId: String(i + 1), value: (10 - i) * 100 }));
    const tiers = new Map(classifyValueTiers(customers).map((t) => [t.customerId, t.tier]));
    expect(['1', '2'].map((id) => tiers.get(id))).toEqual(['KEY', 'KEY']);
    expect(['3', '4', '5'].map((id) => tiers.get(id))).toEqual(['GROWTH', 'GROWTH', 'GROWTH']);
    expect(['6', '10'].map((id) => tiers.get(id))).toEqual(['STANDARD', 'STANDARD']);

    // Customer 3 ties customer 2 at the KEY boundary: both are KEY.
    const tied = customers.map((c) => (c.customerId === '3' ? { ...c, value: 900 } : c));
    const tiedTiers = classifyValueTiers(tied);
    expect(tiedTiers.filter((t) => t.tier === 'KEY').map((t) => t.customerId)).toEqual(['1', '2', '3']);
    expect(tiedTiers.find((t) => t.customerId === '3')!.rank).toBe(2);
    expect(classifyValueTiers(shuffled(tied, 4))).toEqual(tiedTiers);
  });

  it('never puts a customer without positive value above STANDARD', () => {
    const customers = [{ customerId: 'a', value: 10 }, ...Array.from({ length: 9 }, (_, i) => ({ customerId: `z${i}`, value: 0 }))];
    const tiers = classifyValueTiers(customers);
    expect(tiers[0]).toMatchObject({ customerId: 'a', tier: 'KEY' });
    expect(tiers.slice(1).every((t) => t.tier === 'STANDARD')).toBe(true);
  });
});
