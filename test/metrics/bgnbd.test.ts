import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  conditionalExpectedPurchases,
  expectedPurchases,
  expectedPurchasesByQuadrature,
  expectedPurchasesWhileAlive,
  customerLogLikelihood,
  fit,
  logLikelihood,
  pAlive,
  probabilityOfPurchases,
  type BgNbdParams,
} from '../../server/metrics/bgnbd.js';
import { cdnowTransactions, loadCdnowFile } from '../../server/metrics/cdnow.js';
import { summarizeTransactions, toColumns } from '../../server/metrics/summary.js';

const CDNOW = new URL('../../../shared/data/cdnow/', import.meta.url);

/** Full-precision paper estimates (CLVTools) and the rounded ones printed in FHL (2005). */
const PAPER: BgNbdParams = { r: 0.2425945, alpha: 4.4136019, a: 0.7929199, b: 2.4258881 };
const PAPER_ROUNDED: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

const relativeError = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

describe('BG/NBD on the CDNOW sample (weeks)', () => {
  const summaries = summarizeTransactions(cdnowTransactions(loadCdnowFile(new URL('CDNOW_sample.txt', CDNOW))), {
    observationEnd: '1997-09-30',
    timeUnit: 'weeks',
  });
  const data = toColumns(summaries);
  const result = fit(data);
  const params = result.params!;

  it('reproduces the published estimates within 0.5 % and LL -9582.43 ± 0.05', () => {
    expect(result).toMatchObject({ status: 'FITTED', reason: null, converged: true, n: 2357 });
    expect(relativeError(params.r, 0.2426)).toBeLessThan(0.005);
    expect(relativeError(params.alpha, 4.4136)).toBeLessThan(0.005);
    expect(relativeError(params.a, 0.7929)).toBeLessThan(0.005);
    expect(relativeError(params.b, 2.4259)).toBeLessThan(0.005);
    expect(Math.abs(result.logLikelihood! - -9582.43)).toBeLessThan(0.05);
    expect(result.logLikelihood).toBeCloseTo(logLikelihood(params, data), 8);
  });

  it('sums per-customer log-likelihoods (FHL 2005 eq. 6) to the total', () => {
    const total = summaries.reduce((sum, s) => sum + customerLogLikelihood(params, s.x, s.t_x, s.T), 0);
    expect(total).toBeCloseTo(result.logLikelihood!, 6);
  });

  it('is the maximum: nudging any parameter lowers the likelihood', () => {
    for (const key of ['r', 'alpha', 'a', 'b'] as const) {
      for (const factor of [0.999, 1.001]) {
        expect(logLikelihood({ ...params, [key]: params[key] * factor }, data)).toBeLessThan(result.logLikelihood!);
      }
    }
  });

  it('gives the same fit from weighted, grouped rows', () => {
    const groups = new Map<string, { x: number; t_x: number; T: number; count: number }>();
    for (const s of summaries) {
      const key = `${s.x}/${s.t_x}/${s.T}`;
      const group = groups.get(key) ?? { x: s.x, t_x: s.t_x, T: s.T, count: 0 };
      group.count += 1;
      groups.set(key, group);
    }
    const rows = [...groups.values()];
    expect(rows.length).toBeLessThan(summaries.length);
    const weighted = fit({ x: rows.map((r) => r.x), t_x: rows.map((r) => r.t_x), T: rows.map((r) => r.T), weights: rows.map((r) => r.count) });
    expect(weighted.n).toBe(2357);
    expect(weighted.logLikelihood!).toBeCloseTo(result.logLikelihood!, 6);
    expect(weighted.params!.r).toBeCloseTo(params.r, 6);
    expect(weighted.params!.b).toBeCloseTo(params.b, 5);
  });

  it('predicts E[Y(39) | customer 1] = 1.226 at the fitted parameters', () => {
    const first = summaries[0]!;
    expect(first.customerId).toBe('1');
    expect(conditionalExpectedPurchases(params, 39, first.x, first.t_x, first.T)).toBeCloseTo(1.226, 3);
    // The published inputs are rounded to 2 decimals; same answer.
    expect(conditionalExpectedPurchases(params, 39, 2, 30.43, 38.86)).toBeCloseTo(1.226, 3);
  });

  it('ranks the top 5 customers by E[Y(1)] as the lifetimes Quickstart does', () => {
    // lifetimes fits the 2-decimal summary file; so do we here.
    const rows = readFileSync(new URL('cdnow_customers_summary.csv', CDNOW), 'utf8').trim().split(/\r?\n/).slice(1)
      .map((line) => line.split(',').map(Number) as [number, number, number, number]);
    const fileFit = fit({ x: rows.map((r) => r[1]), t_x: rows.map((r) => r[2]), T: rows.map((r) => r[3]) }).params!;
    // lifetimes docs: r 0.242593, alpha 4.413532, a 0.792886, b 2.425752
    expect(fileFit.r).toBeCloseTo(0.242593, 5);
    expect(fileFit.alpha).toBeCloseTo(4.413532, 4);
    expect(fileFit.a).toBeCloseTo(0.792886, 5);
    expect(fileFit.b).toBeCloseTo(2.425752, 4);
    const top = rows
      .map(([id, x, t_x, T]) => ({ id, e: conditionalExpectedPurchases(fileFit, 1, x, t_x, T) }))
      .sort((p, q) => q.e - p.e)
      .slice(0, 5);
    expect(top.map((t) => t.id)).toEqual([1516, 157, 1981, 841, 509]);
    const published = [0.710623, 0.662396, 0.486526, 0.474738, 0.424877];
    top.forEach((t, i) => expect(t.e).toBeCloseTo(published[i]!, 5));
  });

  it('tracks the holdout in aggregate for heavy buyers (x >= 7): predicted within 10 % of actual', () => {
    // Actual: distinct purchase days 1997-10-01..1998-06-30 (see validate-cdnow.ts for the table).
    const heavy = summaries.filter((s) => s.x >= 7);
    const predicted = heavy.reduce((sum, s) => sum + conditionalExpectedPurchases(params, 39, s.x, s.t_x, s.T), 0);
    expect(heavy).toHaveLength(64);
    expect(relativeError(predicted, 407)).toBeLessThan(0.1);
  });
});

describe('BG/NBD point checks at the published parameters', () => {
  it('E[X(t)] matches Hardie’s spreadsheet for t = 1/7 … 32 weeks to 4 decimals', () => {
    const times = [1 / 7, 1, 3, 31.8571, 32];
    const published = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437];
    times.forEach((t, i) => expect(expectedPurchases(PAPER, t)).toBeCloseTo(published[i]!, 4));
  });

  it('E[X(78)] = 1.85796 (the spreadsheet prints 1.8576, which truncates the 2F1 series; lifetimes checks 3 decimals)', () => {
    // Reference from mpmath at 40 digits (integral form and hyp2f1 agree).
    expect(expectedPurchases(PAPER, 78)).toBeCloseTo(1.8579560091180785, 12);
    expect(Math.abs(expectedPurchases(PAPER, 78) - 1.8576)).toBeLessThan(5e-4);
  });

  it('P(X(39) = 0) = 0.5737864 and P(X(2) = 10) = 1.07869e-7 at the rounded paper parameters', () => {
    expect(probabilityOfPurchases(PAPER_ROUNDED, 39, 0)).toBeCloseTo(0.5737864, 7);
    expect(relativeError(probabilityOfPurchases(PAPER_ROUNDED, 2, 10), 1.07869e-7)).toBeLessThan(1e-5);
  });

  it('P(X(t) = k) sums to 1 over k and its mean is E[X(t)]', () => {
    for (const t of [1, 39, 78]) {
      let total = 0, mean = 0;
      for (let k = 0; k < 400; k++) {
        const p = probabilityOfPurchases(PAPER, t, k);
        total += p;
        mean += k * p;
      }
      expect(total).toBeCloseTo(1, 10);
      expect(mean).toBeCloseTo(expectedPurchases(PAPER, t), 8);
    }
  });

  it('pAlive is 1 without repeat purchases and falls the longer a buyer has been silent', () => {
    expect(pAlive(PAPER, 0, 0, 38)).toBe(1);
    const recent = pAlive(PAPER, 5, 38, 38);
    const silent = pAlive(PAPER, 5, 10, 38);
    expect(recent).toBeGreaterThan(silent);
    expect(silent).toBeGreaterThan(0);
    expect(recent).toBeLessThan(1);
  });
});

describe('BG/NBD numerics', () => {
  // [A, beta, a, B, t] → reference from mpmath (40 digits) on the integral form.
  const references: [number, number, number, number, number, number][] = [
    [1000.2425945, 5031, 0.7929199, 1002.4258881, 365, 70.570441221534909], // x = 1000, T = 5000 days
    [0.24, 31, 0.3, 0.5, 3650, 7.3042910963694987], // a < 1 and a + b < 1: the 2F1 form breaks down
    [0.24, 31, 1, 2.43, 365, 1.2762395593161647], // a = 1: the 2F1 form divides by zero
    [2.2425945, 43.27074475714285, 0.7929199, 4.4258881, 39, 1.6872556901687106], // customer 1
  ];

  it('matches high-precision references on both evaluation paths', () => {
    for (const [A, beta, a, B, t, expected] of references) {
      expect(relativeError(expectedPurchasesWhileAlive(A, beta, a, B, t), expected)).toBeLessThan(1e-11);
      expect(relativeError(expectedPurchasesByQuadrature(A, beta, a, B, t), expected)).toBeLessThan(1e-11);
    }
  });

  it('agrees across the switch between the 2F1 form and quadrature near a = 1', () => {
    // Just outside |a − 1| = 1e-3 the 2F1 form is used; it must match the integral there.
    for (const a of [1 - 1.001e-3, 1 + 1.001e-3, 0.98, 1.02]) {
      const series = expectedPurchasesWhileAlive(3.24, 231, a, 5.43, 365);
      expect(relativeError(series, expectedPurchasesByQuadrature(3.24, 231, a, 5.43, 365))).toBeLessThan(1e-10);
    }
    const at = (a: number) => conditionalExpectedPurchases({ ...PAPER, a }, 365, 3, 100, 200);
    expect(relativeError(at(1), at(1 + 1e-6))).toBeLessThan(1e-5);
  });

  it('stays finite for x = 1000, t_x = T = 5000 days, a < 1 and a = 1', () => {
    const daysParams: BgNbdParams[] = [
      { r: 0.24, alpha: 31, a: 0.79, b: 2.43 },
      { r: 0.24, alpha: 31, a: 0.3, b: 0.5 },
      { r: 0.24, alpha: 31, a: 1, b: 2.43 },
      { r: 5, alpha: 0.5, a: 0.1, b: 0.1 },
    ];
    const histories: [number, number, number][] = [[1000, 5000, 5000], [1000, 10, 5000], [0, 0, 5000], [0, 0, 0], [30, 200, 200]];
    for (const params of daysParams) {
      for (const [x, t_x, T] of histories) {
        const alive = pAlive(params, x, t_x, T);
        expect(alive).toBeGreaterThanOrEqual(0);
        expect(alive).toBeLessThanOrEqual(1);
        let previous = 0;
        for (const t of [1, 30, 365, 3650]) {
          const e = conditionalExpectedPurchases(params, t, x, t_x, T);
          expect(Number.isFinite(e)).toBe(true);
          expect(e).toBeGreaterThanOrEqual(previous); // cumulative in t
          previous = e;
        }
      }
      expect(Number.isFinite(logLikelihood(params, { x: [1000, 0], t_x: [5000, 0], T: [5000, 5000] }))).toBe(true);
    }
    // A very active customer who bought yesterday is almost surely alive and keeps buying.
    const active = { r: 0.24, alpha: 31, a: 0.79, b: 2.43 };
    expect(pAlive(active, 1000, 4999, 5000)).toBeGreaterThan(0.99);
    expect(conditionalExpectedPurchases(active, 365, 1000, 4999, 5000)).toBeGreaterThan(50);
    // The same count, all in the first 10 days 13 years ago: gone.
    expect(pAlive(active, 1000, 10, 5000)).toBeLessThan(1e-100);
  });
});

describe('BG/NBD fit status', () => {
  it('refuses fewer than 30 customers or 10 repeat buyers, with configurable thresholds', () => {
    const few = fit({ x: [1, 2, 0], t_x: [5, 8, 0], T: [10, 10, 10] });
    expect(few).toMatchObject({ status: 'INSUFFICIENT_DATA', params: null, n: 3 });
    expect(few.reason).toMatch(/3 customers; at least 30/);

    const x = Array.from({ length: 40 }, (_, i) => (i < 5 ? 1 : 0));
    const noRepeat = fit({ x, t_x: x.map((v) => v * 3), T: x.map(() => 20) });
    expect(noRepeat.status).toBe('INSUFFICIENT_DATA');
    expect(noRepeat.reason).toMatch(/5 repeat buyers; at least 10/);
    expect(fit({ x, t_x: x.map((v) => v * 3), T: x.map(() => 20) }, { minRepeatBuyers: 5 }).status).not.toBe('INSUFFICIENT_DATA');
  });

  it('reports DID_NOT_CONVERGE when the data only fit a limit of the model (nobody ever drops out)', () => {
    // Every repeat buyer bought on their last observed day: no sign of dropout at all.
    const n = 200;
    const T = Array.from({ length: n }, (_, i) => 100 + i);
    const result = fit({ x: T.map((_, i) => (i % 5) + 1), t_x: T, T });
    expect(result.status).toBe('DID_NOT_CONVERGE');
    expect(result.reason).toMatch(/ran off/);
    expect(result.params).not.toBeNull();
  });

  it('rejects impossible rows', () => {
    expect(() => fit({ x: [1], t_x: [5], T: [3] })).toThrow(/invalid/);
    expect(() => fit({ x: [0], t_x: [2], T: [3] })).toThrow(/invalid/);
    expect(() => fit({ x: [1.5], t_x: [2], T: [3] })).toThrow(/invalid/);
  });

  it('recovers known parameters from 20,000 simulated customers (days)', () => {
    const truth: BgNbdParams = { r: 0.8, alpha: 40, a: 0.9, b: 3.5 };
    const data = simulateBgNbd(truth, 20_000, 42);
    const result = fit(data);
    expect(result.status).toBe('FITTED');
    for (const key of ['r', 'alpha', 'a', 'b'] as const) {
      expect(relativeError(result.params![key], truth[key])).toBeLessThan(0.15);
    }
    expect(relativeError(expectedPurchases(result.params!, 365), expectedPurchases(truth, 365))).toBeLessThan(0.05);
  });
});

// ---------------------------------------------------------------------------------------------

/** Seeded uniform generator (mulberry32). */
function uniform(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gamma(shape, rate 1) variate (Marsaglia & Tsang). */
function gammaVariate(shape: number, u: () => number): number {
  if (shape < 1) return gammaVariate(shape + 1, u) * Math.pow(1 - u(), 1 / shape);
  const d = shape - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let z: number, v: number;
    do {
      z = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
      v = 1 + c * z;
    } while (v <= 0);
    v = v * v * v;
    if (Math.log(1 - u()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Customers observed 30–730 days; Poisson purchases at λ ~ Gamma(r, α); dropout p ~ Beta(a, b) after each repeat. */
function simulateBgNbd(params: BgNbdParams, n: number, seed: number) {
  const u = uniform(seed);
  const x: number[] = [], t_x: number[] = [], T: number[] = [];
  for (let i = 0; i < n; i++) {
    const observed = Math.floor(30 + u() * 700);
    const rate = gammaVariate(params.r, u) / params.alpha;
    const ga = gammaVariate(params.a, u), gb = gammaVariate(params.b, u);
    const dropout = ga / (ga + gb);
    let time = 0, count = 0, last = 0;
    for (;;) {
      time += -Math.log(1 - u()) / rate;
      if (time > observed) break;
      count += 1;
      last = time;
      if (u() < dropout) break;
    }
    x.push(count);
    t_x.push(count > 0 ? last : 0);
    T.push(observed);
  }
  return { x, t_x, T };
}
