/**
 * Numerical building blocks shared by the customer-value models: log-gamma / digamma,
 * log-space sums, the Gauss hypergeometric series 2F1 in log space, tanh-sinh quadrature,
 * a BFGS minimiser, and the fit-result type every model returns.
 *
 * Pure TypeScript, no database or I/O.
 */
import gammalnImpl from '@stdlib/math-base-special-gammaln';
import digammaImpl from '@stdlib/math-base-special-digamma';

/** ln Γ(x) for x > 0 (stdlib; accurate to ~1 ulp over the whole range). */
export const gammaln: (x: number) => number = gammalnImpl;

/** ψ(x) = d/dx ln Γ(x) (stdlib). */
export const digamma: (x: number) => number = digammaImpl;

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). */
export function betaln(a: number, b: number): number {
  return gammaln(a) + gammaln(b) - gammaln(a + b);
}

/** ln(e^u + e^v) without overflow; −Infinity inputs are allowed. */
export function logAddExp(u: number, v: number): number {
  if (u === -Infinity) return v;
  if (v === -Infinity) return u;
  return u > v ? u + Math.log1p(Math.exp(v - u)) : v + Math.log1p(Math.exp(u - v));
}

/** ln(1 + e^y), computed without overflow or loss of precision. */
export function softplus(y: number): number {
  return y > 0 ? y + Math.log1p(Math.exp(-y)) : Math.log1p(Math.exp(y));
}

/** 1 / (1 + e^(−y)) without overflow. */
export function logistic(y: number): number {
  if (y >= 0) return 1 / (1 + Math.exp(-y));
  const e = Math.exp(y);
  return e / (1 + e);
}

const LOG_RESCALE = 600 * Math.LN2; // rescale the running sum by 2^-600 when it grows past 2^600
const RESCALE_AT = 2 ** 600;
const RESCALE_BY = 2 ** -600;

/**
 * Expected number of series terms for 2F1(a, b; c; z): the terms grow until about
 * n ≈ z·a/(1 − z) and then decay geometrically at rate z. Used to pick an evaluation method.
 */
export function hyp2f1SeriesCost(a: number, z: number): number {
  return (z * a + 40) / (1 - z);
}

/**
 * ln 2F1(a, b; c; z) for a, b, c > 0 and 0 ≤ z < 1, by direct summation of the power series.
 *
 * Why this is safe: with positive parameters and z ≥ 0 every term is positive, so there is no
 * cancellation; the running sum is rescaled (kept as mantissa × 2^k) so that large a, b
 * (e.g. a customer with 1,000 purchases) cannot overflow. The cost grows like 1/(1 − z); callers
 * check {@link hyp2f1SeriesCost} and use quadrature when z is very close to 1.
 *
 * @throws RangeError on parameters outside the domain or when `maxTerms` is exceeded.
 */
export function logHyp2f1(a: number, b: number, c: number, z: number, maxTerms = 5_000_000): number {
  if (!(a > 0 && b > 0 && c > 0 && z >= 0 && z < 1)) {
    throw new RangeError(`logHyp2f1 needs a, b, c > 0 and 0 <= z < 1 (got a=${a}, b=${b}, c=${c}, z=${z})`);
  }
  if (z === 0) return 0;
  let term = 1;
  let sum = 1;
  let logScale = 0;
  for (let n = 0; n < maxTerms; n++) {
    const ratio = ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
    term *= ratio;
    sum += term;
    if (sum > RESCALE_AT) {
      sum *= RESCALE_BY;
      term *= RESCALE_BY;
      logScale += LOG_RESCALE;
    }
    // Past the peak the ratios tend to z monotonically, so the tail is at most
    // term · m / (1 − m) with m = max(ratio, z).
    if (ratio < 1) {
      const m = Math.max(ratio, z);
      if (term * m < 1e-17 * (1 - m) * sum) return logScale + Math.log(sum);
    }
  }
  throw new RangeError(`logHyp2f1 did not converge in ${maxTerms} terms (a=${a}, b=${b}, c=${c}, z=${z})`);
}

/**
 * ln ∫₀¹ f(p) dp by tanh-sinh (double-exponential) quadrature, where the integrand is given in
 * log form as `logIntegrand(logP, logQ)` with q = 1 − p. Both logs are passed so the integrand can
 * resolve endpoint behaviour (p^(a−1), (1−p)^(b−1), p far below the smallest double) exactly.
 *
 * Why tanh-sinh: it integrates algebraic endpoint singularities and mass packed against an
 * endpoint (a Beta(0.3, 1000) weight, say) to full precision with a few hundred nodes.
 *
 * @param sMax half-width of the node range in the s variable; choose it so the integrand is
 *   negligible beyond (e.g. `asinh(800 / (π · smallest endpoint exponent))`).
 */
export function logIntegrateUnit(
  logIntegrand: (logP: number, logQ: number) => number,
  sMax: number,
  relTol = 1e-12,
  maxLevels = 12,
): number {
  // Node s ↦ p = 1 / (1 + e^(−π sinh s)), dp/ds = π cosh s · p · q.
  const logNode = (s: number): number => {
    const e = Math.PI * Math.sinh(s);
    const logP = -softplus(-e);
    const logQ = -softplus(e);
    const value = logIntegrand(logP, logQ);
    return value === -Infinity ? value : value + Math.log(Math.PI * Math.cosh(s)) + logP + logQ;
  };
  let h = sMax / 8;
  // Trapezoid sum over s = k·h, kept in log space.
  let logSum = -Infinity;
  for (let k = -8; k <= 8; k++) logSum = logAddExp(logSum, logNode(k * h));
  let logEstimate = logSum + Math.log(h);
  for (let level = 1; level <= maxLevels; level++) {
    h /= 2;
    // Halving h adds the odd multiples of the new step.
    const count = Math.round(sMax / h);
    for (let k = 1 - count; k < count; k += 2) logSum = logAddExp(logSum, logNode(k * h));
    const next = logSum + Math.log(h);
    if (Math.abs(next - logEstimate) < relTol && level >= 3) return next;
    logEstimate = next;
  }
  return logEstimate;
}

// ---------------------------------------------------------------------------------------------
// Fitting

/** Outcome of a model fit. */
export type FitStatus = 'FITTED' | 'INSUFFICIENT_DATA' | 'DID_NOT_CONVERGE';

/** What every model's `fit` returns. */
export interface ModelFit<P> {
  status: FitStatus;
  /** Why the status is not FITTED (null when it is). */
  reason: string | null;
  /** Maximum-likelihood parameters; null when the data were insufficient. For DID_NOT_CONVERGE
   * these are the last iterate, useful for diagnosis only. */
  params: P | null;
  /** Total log-likelihood at `params` (null when there are none). */
  logLikelihood: number | null;
  /** Number of customers the fit used (sum of weights). */
  n: number;
  iterations: number;
  converged: boolean;
}

export interface MinimizeOptions {
  /** Stop after this many BFGS iterations (default 500). */
  maxIterations?: number;
  /** Converged when every |∂f/∂xᵢ| is below this (default 1e-9). */
  gradientTolerance?: number;
  /** Largest change of any coordinate in one step (default 3), which keeps exp(x) finite. */
  maxStep?: number;
}

export interface MinimizeResult {
  x: number[];
  value: number;
  gradient: number[];
  iterations: number;
  converged: boolean;
  reason: string;
}

/**
 * Minimise a smooth function of a few variables with BFGS and a backtracking (Armijo) line search.
 *
 * `objective(x, grad)` returns f(x) and writes ∇f(x) into `grad`. Non-finite values are treated as
 * "outside the domain" and make the line search step back, so objectives may return Infinity/NaN
 * for impossible parameters.
 */
export function minimizeBfgs(
  objective: (x: Float64Array, grad: Float64Array) => number,
  start: ArrayLike<number>,
  options: MinimizeOptions = {},
): MinimizeResult {
  const maxIterations = options.maxIterations ?? 500;
  const gradientTolerance = options.gradientTolerance ?? 1e-9;
  const maxStep = options.maxStep ?? 3;
  const n = start.length;
  const x = Float64Array.from(start);
  const g = new Float64Array(n);
  let f = objective(x, g);
  if (!Number.isFinite(f) || !g.every(Number.isFinite)) {
    return result(x, f, g, 0, false, 'objective is not finite at the starting point');
  }
  let H = identity(n); // inverse-Hessian approximation
  let freshH = true;
  const direction = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const s = new Float64Array(n);
  const y = new Float64Array(n);

  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (maxAbs(g) < gradientTolerance) return result(x, f, g, iteration, true, 'gradient below tolerance');

    // direction = −H g; fall back to steepest descent if H has lost positive definiteness.
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < n; j++) v -= H[i * n + j] * g[j];
      direction[i] = v;
    }
    let slope = dot(direction, g);
    if (!(slope < 0)) {
      H = identity(n);
      freshH = true;
      for (let i = 0; i < n; i++) direction[i] = -g[i];
      slope = dot(direction, g);
    }
    const longest = maxAbs(direction);
    if (longest > maxStep) {
      for (let i = 0; i < n; i++) direction[i] *= maxStep / longest;
      slope *= maxStep / longest;
    }

    // Backtracking line search with the Armijo sufficient-decrease condition.
    let step = 1;
    let fNew = NaN;
    let accepted = false;
    for (let tries = 0; tries < 60; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * direction[i];
      fNew = objective(xNew, gNew);
      if (Number.isFinite(fNew) && gNew.every(Number.isFinite) && fNew <= f + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= Number.isFinite(fNew) ? 0.5 : 0.1;
    }
    if (!accepted) {
      if (!freshH) {
        // A stale curvature estimate can point nowhere useful: restart from steepest descent.
        H = identity(n);
        freshH = true;
        continue;
      }
      // No decrease is possible at machine precision: we are at the minimum if the gradient is
      // small on the scale of the function.
      const flat = maxAbs(g) < Math.sqrt(gradientTolerance) * Math.max(1, Math.abs(f));
      return result(x, f, g, iteration, flat, flat ? 'no further decrease possible (machine precision)' : 'line search failed');
    }

    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (freshH) {
        // Scale the initial inverse Hessian to the observed curvature (Nocedal & Wright 6.20).
        const scale = sy / dot(y, y);
        for (let i = 0; i < n * n; i++) H[i] *= scale;
        freshH = false;
      }
      bfgsUpdate(H, s, y, sy, n);
    }
    x.set(xNew);
    g.set(gNew);
    const change = Math.abs(f - fNew);
    f = fNew;
    if (maxAbs(s) < 1e-14 && change <= 1e-16 * Math.abs(f)) {
      const flat = maxAbs(g) < Math.sqrt(gradientTolerance);
      return result(x, f, g, iteration + 1, flat, flat ? 'steps below machine precision' : 'stalled');
    }
  }
  return result(x, f, g, maxIterations, false, `no convergence in ${maxIterations} iterations`);
}

function bfgsUpdate(H: Float64Array, s: Float64Array, y: Float64Array, sy: number, n: number): void {
  // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1 / (yᵀs)
  const rho = 1 / sy;
  const Hy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let j = 0; j < n; j++) v += H[i * n + j] * y[j];
    Hy[i] = v;
  }
  const yHy = dot(y, Hy);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      H[i * n + j] +=
        (1 + rho * yHy) * rho * s[i] * s[j] - rho * (Hy[i] * s[j] + s[i] * Hy[j]);
    }
  }
}

function identity(n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

function dot(u: Float64Array, v: Float64Array): number {
  let total = 0;
  for (let i = 0; i < u.length; i++) total += u[i] * v[i];
  return total;
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (const value of v) m = Math.max(m, Math.abs(value));
  return m;
}

function result(
  x: Float64Array,
  value: number,
  gradient: Float64Array,
  iterations: number,
  converged: boolean,
  reason: string,
): MinimizeResult {
  return { x: Array.from(x), value, gradient: Array.from(gradient), iterations, converged, reason };
}
