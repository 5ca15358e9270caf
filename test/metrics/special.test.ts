import { describe, expect, it } from 'vitest';
import {
  betaln,
  logAddExp,
  logHyp2f1,
  logIntegrateUnit,
  minimizeBfgs,
} from '../../server/metrics/special.js';

describe('logHyp2f1', () => {
  it('matches closed forms: 2F1(1,1;2;z) = −ln(1−z)/z and 2F1(a,b;b;z) = (1−z)^−a', () => {
    for (const z of [1e-6, 0.1, 0.5, 0.9, 0.999]) {
      expect(logHyp2f1(1, 1, 2, z)).toBeCloseTo(Math.log(-Math.log1p(-z) / z), 11);
      expect(logHyp2f1(0.37, 2.5, 2.5, z)).toBeCloseTo(-0.37 * Math.log1p(-z), 11);
    }
    expect(logHyp2f1(3, 4, 5, 0)).toBe(0);
  });

  it('returns the logarithm where the value itself would overflow a double', () => {
    // 2F1(2000, b; b; 1/2) = 2^2000 ≈ 1e602.
    expect(logHyp2f1(2000, 7, 7, 0.5)).toBeCloseTo(2000 * Math.LN2, 8);
  });

  it('refuses arguments outside its domain', () => {
    expect(() => logHyp2f1(1, 1, 2, 1)).toThrow(RangeError);
    expect(() => logHyp2f1(1, 1, -0.5, 0.2)).toThrow(RangeError);
  });
});

describe('log-space helpers', () => {
  it('adds exponentials without overflow and handles −Infinity', () => {
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logAddExp(-Infinity, 3)).toBe(3);
    expect(logAddExp(-Infinity, -Infinity)).toBe(-Infinity);
  });

  it('integrates Beta kernels with mass piled against an endpoint', () => {
    for (const [a, b] of [[0.01, 1000], [0.5, 0.5], [3, 2], [1000, 0.2]] as const) {
      const logValue = logIntegrateUnit((logP, logQ) => (a - 1) * logP + (b - 1) * logQ, Math.asinh(800 / (Math.PI * Math.min(a, b, 1))));
      expect(logValue).toBeCloseTo(betaln(a, b), 10);
    }
  });
});

describe('minimizeBfgs', () => {
  it('finds the Rosenbrock minimum from the classic start', () => {
    const result = minimizeBfgs((v, grad) => {
      const [x, y] = [v[0]!, v[1]!];
      grad[0] = -2 * (1 - x) - 400 * x * (y - x * x);
      grad[1] = 200 * (y - x * x);
      return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
    }, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
  });

  it('steps back from values outside the domain (non-finite objective)', () => {
    // f(x) = 100 (x − ln x) on x > 0, minimum at 1; from x = 20 the first steepest-descent step
    // (capped at 50) lands at x = −30.
    let outside = 0;
    const result = minimizeBfgs((v, grad) => {
      const x = v[0]!;
      if (x <= 0) {
        outside += 1;
        return Infinity;
      }
      grad[0] = 100 * (1 - 1 / x);
      return 100 * (x - Math.log(x));
    }, [20], { maxStep: 50 });
    expect(outside).toBeGreaterThan(0);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
  });

  it('reports a start where the objective is not finite', () => {
    const result = minimizeBfgs(() => Number.NaN, [0]);
    expect(result.converged).toBe(false);
    expect(result.reason).toMatch(/not finite/);
  });
});
