/**
 * Gamma-Gamma spend model: Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value"
 * (brucehardie.com/notes/025), after Colombo & Jiang (1999).
 *
 * A customer's purchase amounts are Gamma(p, ν) around their own mean p/ν, and ν ~ Gamma(q, γ)
 * across customers. Fitted on the customers with repeat purchases: x repeat purchase days and
 * zbar, the mean amount of those days (currency units). Spend is assumed independent of the
 * purchase process, which is what lets CLV multiply it with the BG/NBD expectation.
 *
 * Numerics: log-likelihood with an analytic gradient, BFGS on ln(p, q, γ).
 */
import { digamma, gammaln, minimizeBfgs, type ModelFit } from './special.js';

export interface GammaGammaParams {
  /** Shape of each purchase amount's Gamma distribution. */
  p: number;
  /** Shape of the across-customer distribution of ν. */
  q: number;
  /** Scale of spend (same currency unit as zbar). */
  gamma: number;
}

export interface GammaGammaData {
  /** Repeat purchase days; rows with x = 0 or zbar ≤ 0 are ignored by the fit. */
  x: ArrayLike<number>;
  /** Mean amount per repeat purchase day. */
  zbar: ArrayLike<number>;
}

export interface GammaGammaFitOptions {
  /** Refuse to fit with fewer usable customers (x > 0, zbar > 0) than this (default 10). */
  minRepeatBuyers?: number;
  start?: GammaGammaParams;
  maxIterations?: number;
}

export type GammaGammaFit = ModelFit<GammaGammaParams>;

/**
 * A fitted p, q (or γ relative to the mean zbar) beyond e^±12 (≈ 1.6e5)
 * means the optimum is a limit of the model (e.g. no spread of spend between customers), not a point the data identify.
 */
const LOG_PARAM_LIMIT = 12;

/** Log-likelihood of one customer's mean spend zbar over x repeat purchases (x > 0, zbar > 0). */
export function customerLogLikelihood(params: GammaGammaParams, x: number, zbar: number): number {
  const { p, q, gamma } = params;
  const px = p * x;
  return (
    gammaln(px + q) - gammaln(px) - gammaln(q) + q * Math.log(gamma) +
    (px - 1) * Math.log(zbar) + px * Math.log(x) - (px + q) * Math.log(gamma + x * zbar)
  );
}

/** Total log-likelihood over the usable rows (x > 0, zbar > 0). */
export function logLikelihood(params: GammaGammaParams, data: GammaGammaData): number {
  const usable = usableRows(data);
  return -negativeMeanLogLikelihood(usable, toLog(params), null) * usable.n;
}

/** The usable rows, with per-row logs precomputed and x values indexed (Γ terms depend on x only). */
interface UsableRows {
  n: number;
  /** Distinct x values and how many rows have each. */
  xValues: Float64Array;
  countByX: Float64Array;
  /** Per row: x, zbar, index into xValues, ln zbar, ln x. */
  x: Float64Array;
  zbar: Float64Array;
  xIndex: Int32Array;
  logZbar: Float64Array;
  logX: Float64Array;
}

function usableRows(data: GammaGammaData): UsableRows {
  if (data.x.length !== data.zbar.length) throw new RangeError('x and zbar must have the same length');
  const xs: number[] = [];
  const zs: number[] = [];
  for (let i = 0; i < data.x.length; i++) {
    const x = data.x[i], zbar = data.zbar[i];
    if (!(Number.isFinite(x) && Number.isFinite(zbar))) throw new RangeError(`row ${i}: x and zbar must be finite`);
    if (x > 0 && zbar > 0) {
      xs.push(x);
      zs.push(zbar);
    }
  }
  const xValues = Float64Array.from(new Set(xs)).sort();
  const position = new Map<number, number>();
  xValues.forEach((x, i) => position.set(x, i));
  const xIndex = Int32Array.from(xs, (x) => position.get(x)!);
  const countByX = new Float64Array(xValues.length);
  for (const k of xIndex) countByX[k] += 1;
  return {
    n: xs.length,
    xValues,
    countByX,
    x: Float64Array.from(xs),
    zbar: Float64Array.from(zs),
    xIndex,
    logZbar: Float64Array.from(zs, Math.log),
    logX: Float64Array.from(xs, Math.log),
  };
}

function toLog(params: GammaGammaParams): Float64Array {
  return Float64Array.of(Math.log(params.p), Math.log(params.q), Math.log(params.gamma));
}

function fromLog(v: ArrayLike<number>): GammaGammaParams {
  return { p: Math.exp(v[0]), q: Math.exp(v[1]), gamma: Math.exp(v[2]) };
}

/** −mean log-likelihood at log-parameters `v`, gradient with respect to ln p, ln q, ln γ. */
function negativeMeanLogLikelihood(data: UsableRows, v: ArrayLike<number>, grad: Float64Array | null): number {
  const { p, q, gamma } = fromLog(v);
  const n = data.n;
  const logGamma = Math.log(gamma);
  let total = 0, dp = 0, dq = 0, dGamma = 0;

  // Terms that depend on x only: ln Γ(px + q) − ln Γ(px) − ln Γ(q) + q ln γ, and their derivatives.
  const lgQ = gammaln(q);
  const psiQ = digamma(q);
  for (let k = 0; k < data.xValues.length; k++) {
    const x = data.xValues[k], count = data.countByX[k];
    const px = p * x;
    total += count * (gammaln(px + q) - gammaln(px) - lgQ + q * logGamma);
    if (grad) {
      const psiPxQ = digamma(px + q);
      dp += count * x * (psiPxQ - digamma(px));
      dq += count * (psiPxQ - psiQ + logGamma);
    }
  }

  // Per customer: (px − 1) ln zbar + px ln x − (px + q) ln(γ + x·zbar).
  for (let i = 0; i < n; i++) {
    const x = data.x[i], zbar = data.zbar[i];
    const px = p * x;
    const logSpendScale = Math.log(gamma + x * zbar);
    total += (px - 1) * data.logZbar[i] + px * data.logX[i] - (px + q) * logSpendScale;
    if (grad) {
      dp += x * (data.logZbar[i] + data.logX[i] - logSpendScale);
      dq -= logSpendScale;
      dGamma += q / gamma - (px + q) / (gamma + x * zbar);
    }
  }
  if (grad) {
    grad[0] = (-dp * p) / n;
    grad[1] = (-dq * q) / n;
    grad[2] = (-dGamma * gamma) / n;
  }
  return -total / n;
}

/**
 * Maximum-likelihood fit on the customers with x > 0 and zbar > 0. INSUFFICIENT_DATA below
 * `minRepeatBuyers` of them; DID_NOT_CONVERGE when the optimiser stops early, a parameter runs off
 * to 0 or ∞, or q ≤ 1 (the population mean spend p·γ/(q − 1) would be infinite).
 */
export function fit(data: GammaGammaData, options: GammaGammaFitOptions = {}): GammaGammaFit {
  const minRepeatBuyers = options.minRepeatBuyers ?? 10;
  const usable = usableRows(data);
  const n = usable.n;
  if (n < minRepeatBuyers) {
    return {
      status: 'INSUFFICIENT_DATA',
      reason: `${n} customers with repeat purchases and positive spend; at least ${minRepeatBuyers} are needed`,
      params: null, logLikelihood: null, n, iterations: 0, converged: false,
    };
  }
  const start = options.start ?? defaultStart(usable.zbar);
  const outcome = minimizeBfgs((v, grad) => negativeMeanLogLikelihood(usable, v, grad), toLog(start), {
    maxIterations: options.maxIterations ?? 500,
  });
  const params = fromLog(outcome.x);
  let status: GammaGammaFit['status'] = 'FITTED';
  let reason: string | null = null;
  // γ is in currency units: measure it against the mean spend so the check is currency-independent.
  const logScale = [0, 0, Math.log(mean(usable.zbar))];
  const runaway = (['p', 'q', 'gamma'] as const).filter(
    (_, i) => Math.abs(outcome.x[i] - logScale[i]) > LOG_PARAM_LIMIT,
  );
  if (runaway.length > 0) {
    status = 'DID_NOT_CONVERGE';
    reason = `parameter(s) ${runaway.join(', ')} ran off towards 0 or infinity; the data do not identify the model`;
  } else if (!outcome.converged) {
    status = 'DID_NOT_CONVERGE';
    reason = outcome.reason;
  } else if (params.q <= 1) {
    status = 'DID_NOT_CONVERGE';
    reason = `q = ${params.q.toFixed(4)} <= 1: spend is too heavy-tailed for a finite population mean`;
  }
  return {
    status, reason, params, logLikelihood: -outcome.value * n, n, iterations: outcome.iterations,
    converged: outcome.converged,
  };
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** p = 1, q = 2 and γ chosen so the population mean p·γ/(q − 1) equals the mean observed zbar. */
function defaultStart(zbar: Float64Array): GammaGammaParams {
  return { p: 1, q: 2, gamma: mean(zbar) };
}

/** Population mean spend per purchase, E[Z] = p·γ / (q − 1); Infinity when q ≤ 1. */
export function populationMeanSpend(params: GammaGammaParams): number {
  return params.q > 1 ? (params.p * params.gamma) / (params.q - 1) : Infinity;
}

/**
 * Expected spend per future purchase for a customer with x repeat purchases averaging zbar:
 * E[Z | x, zbar] = (p·γ + p·x·zbar) / (p·x + q − 1), a weighted mean of the population mean and
 * zbar. Returns the population mean when x = 0 (zbar is then ignored).
 */
export function conditionalExpectedSpend(params: GammaGammaParams, x: number, zbar: number): number {
  const { p, q, gamma } = params;
  if (x <= 0) return populationMeanSpend(params);
  const denominator = p * x + q - 1;
  // With q ≤ 1 and few purchases the posterior mean does not exist; the customer's own mean is
  // the only finite estimate left.
  if (denominator <= 0) return zbar;
  return (p * (gamma + x * zbar)) / denominator;
}
