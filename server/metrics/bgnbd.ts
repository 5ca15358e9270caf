/**
 * BG/NBD purchase model: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way",
 * Marketing Science 24(2) 275–284.
 *
 * While alive a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after every purchase
 * they drop out with probability p ~ Beta(a, b). The model is fitted on each customer's sufficient
 * statistics (x, t_x, T): x repeat purchases, the last at t_x, observed for T since the first
 * purchase. All times share one unit (the product uses DAYS; the CDNOW checks use weeks), and α is
 * in that unit. The functions here are unit-agnostic: pass t in the same unit as the fit.
 *
 * Numerics: the likelihood is evaluated in log space (log-sum-exp of its two terms) with an
 * analytic gradient and fitted by BFGS on ln(r, α, a, b). Expectations use the Gauss
 * hypergeometric function 2F1 in log space, or, where its series is slow or singular (z → 1,
 * a ≈ 1, a + b + x ≤ 1), the equivalent one-dimensional integral over the dropout probability.
 */
import {
  betaln,
  digamma,
  gammaln,
  hyp2f1SeriesCost,
  logAddExp,
  logHyp2f1,
  logIntegrateUnit,
  logistic,
  minimizeBfgs,
  softplus,
  type ModelFit,
} from './special.js';

export interface BgNbdParams {
  /** Shape of the purchase-rate distribution. */
  r: number;
  /** Rate parameter of the purchase-rate distribution (mean rate r/α), in the model's time unit. */
  alpha: number;
  /** Dropout Beta shape a. */
  a: number;
  /** Dropout Beta shape b. */
  b: number;
}

/** Sufficient statistics, one entry per customer (or per group of identical customers). */
export interface BgNbdData {
  /** Repeat purchases. */
  x: ArrayLike<number>;
  /** Time of the last purchase since the first (0 when x = 0). */
  t_x: ArrayLike<number>;
  /** Time observed since the first purchase. */
  T: ArrayLike<number>;
  /** Optional number of customers each entry stands for (default 1 each). */
  weights?: ArrayLike<number>;
}

export interface BgNbdFitOptions {
  /** Refuse to fit with fewer customers than this (default 30). */
  minCustomers?: number;
  /** Refuse to fit with fewer repeat buyers (x > 0) than this (default 10). */
  minRepeatBuyers?: number;
  /** Starting point (default r = 1, a = 1, b = 1, α matching the observed purchase rate). */
  start?: BgNbdParams;
  maxIterations?: number;
}

export type BgNbdFit = ModelFit<BgNbdParams>;

/**
 * A fitted r, a, b (or α relative to the mean observation time) beyond e^±12 (≈ 1.6e5)
 * means the optimum is a limit of the model (e.g. nobody ever drops out), not a point the data identify.
 */
const LOG_PARAM_LIMIT = 12;

// ---------------------------------------------------------------------------------------------
// Likelihood

/** Log-likelihood of one customer's (x, t_x, T). */
export function customerLogLikelihood(params: BgNbdParams, x: number, t_x: number, T: number): number {
  const { r, alpha, a, b } = params;
  const rateTerm = gammaln(r + x) - gammaln(r) + r * Math.log(alpha);
  const dropoutTerm = betaln(a, b + x) - betaln(a, b);
  const aliveTerm = -(r + x) * Math.log(alpha + T);
  const droppedTerm = x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + t_x) : -Infinity;
  return rateTerm + dropoutTerm + logAddExp(aliveTerm, droppedTerm);
}

/** Total log-likelihood of a data set (weighted when weights are given). */
export function logLikelihood(params: BgNbdParams, data: BgNbdData): number {
  const grouped = groupData(data);
  return -negativeMeanLogLikelihood(grouped, toLog(params), null) * grouped.totalWeight;
}

/** Customers with identical (x, t_x, T) collapsed into weighted rows; x values indexed. */
interface GroupedData {
  /** Distinct x values. */
  xValues: Float64Array;
  /** Per row: index into xValues. */
  xIndex: Int32Array;
  t_x: Float64Array;
  T: Float64Array;
  weight: Float64Array;
  /** Total weight of the rows with a given x index. */
  weightByX: Float64Array;
  totalWeight: number;
  repeatBuyers: number;
}

function groupData(data: BgNbdData): GroupedData {
  const n = data.x.length;
  if (data.t_x.length !== n || data.T.length !== n || (data.weights && data.weights.length !== n)) {
    throw new RangeError('x, t_x, T (and weights) must have the same length');
  }
  const rows = new Map<string, number>();
  const xs: number[] = [];
  const txs: number[] = [];
  const Ts: number[] = [];
  const ws: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = data.x[i], t_x = data.t_x[i], T = data.T[i];
    const w = data.weights ? data.weights[i] : 1;
    if (!(Number.isInteger(x) && x >= 0 && t_x >= 0 && T >= t_x && (x > 0 || t_x === 0) && w >= 0)) {
      throw new RangeError(`invalid BG/NBD row ${i}: x=${x}, t_x=${t_x}, T=${T}, weight=${w}`);
    }
    if (w === 0) continue;
    const key = `${x},${t_x},${T}`;
    const row = rows.get(key);
    if (row === undefined) {
      rows.set(key, xs.length);
      xs.push(x);
      txs.push(t_x);
      Ts.push(T);
      ws.push(w);
    } else {
      ws[row] += w;
    }
  }
  const xValues = Float64Array.from(new Set(xs)).sort();
  const positionOfX = new Map<number, number>();
  xValues.forEach((x, i) => positionOfX.set(x, i));
  const xIndex = Int32Array.from(xs, (x) => positionOfX.get(x)!);
  const weightByX = new Float64Array(xValues.length);
  let totalWeight = 0;
  let repeatBuyers = 0;
  ws.forEach((w, i) => {
    weightByX[xIndex[i]] += w;
    totalWeight += w;
    if (xs[i] > 0) repeatBuyers += w;
  });
  return {
    xValues,
    xIndex,
    t_x: Float64Array.from(txs),
    T: Float64Array.from(Ts),
    weight: Float64Array.from(ws),
    weightByX,
    totalWeight,
    repeatBuyers,
  };
}

function toLog(p: BgNbdParams): Float64Array {
  return Float64Array.of(Math.log(p.r), Math.log(p.alpha), Math.log(p.a), Math.log(p.b));
}

function fromLog(v: ArrayLike<number>): BgNbdParams {
  return { r: Math.exp(v[0]), alpha: Math.exp(v[1]), a: Math.exp(v[2]), b: Math.exp(v[3]) };
}

/**
 * −(1/N) Σ wᵢ ℓᵢ at log-parameters `v`, and (when `grad` is given) its gradient with respect to
 * ln r, ln α, ln a, ln b. Terms that depend only on x are computed once per distinct x.
 */
function negativeMeanLogLikelihood(data: GroupedData, v: ArrayLike<number>, grad: Float64Array | null): number {
  const { r, alpha, a, b } = fromLog(v);
  const logAlpha = Math.log(alpha);
  const nX = data.xValues.length;

  // Per distinct x: the x-only terms and their derivatives.
  const lgR = gammaln(r), lgB = gammaln(b), lgAB = gammaln(a + b);
  const psiR = digamma(r), psiB = digamma(b), psiAB = digamma(a + b);
  let total = 0;
  let dr = 0, dAlpha = 0, da = 0, db = 0;
  for (let k = 0; k < nX; k++) {
    const x = data.xValues[k];
    const w = data.weightByX[k];
    total += w * (gammaln(r + x) - lgR + r * logAlpha + lgAB + gammaln(b + x) - lgB - gammaln(a + b + x));
    if (grad) {
      const psiABX = digamma(a + b + x);
      dr += w * (digamma(r + x) - psiR + logAlpha);
      dAlpha += w * (r / alpha);
      da += w * (psiAB - psiABX);
      db += w * (psiAB + digamma(b + x) - psiB - psiABX);
    }
  }

  // Per row: the log-sum-exp of "still alive at T" and "dropped out after t_x".
  const logA = Math.log(a);
  for (let i = 0; i < data.weight.length; i++) {
    const x = data.xValues[data.xIndex[i]];
    const w = data.weight[i];
    const logAlphaT = Math.log(alpha + data.T[i]);
    const alive = -(r + x) * logAlphaT;
    if (x === 0) {
      total += w * alive;
      if (grad) {
        dr -= w * logAlphaT;
        dAlpha -= w * (r / (alpha + data.T[i]));
      }
      continue;
    }
    const logAlphaTx = Math.log(alpha + data.t_x[i]);
    const dropped = logA - Math.log(b + x - 1) - (r + x) * logAlphaTx;
    const both = logAddExp(alive, dropped);
    total += w * both;
    if (grad) {
      const shareAlive = Math.exp(alive - both);
      const shareDropped = 1 - shareAlive;
      dr -= w * (shareAlive * logAlphaT + shareDropped * logAlphaTx);
      dAlpha -= w * (r + x) * (shareAlive / (alpha + data.T[i]) + shareDropped / (alpha + data.t_x[i]));
      da += w * shareDropped / a;
      db -= w * shareDropped / (b + x - 1);
    }
  }
  const N = data.totalWeight;
  if (grad) {
    // Chain rule to log-parameters, sign flip and mean.
    grad[0] = (-dr * r) / N;
    grad[1] = (-dAlpha * alpha) / N;
    grad[2] = (-da * a) / N;
    grad[3] = (-db * b) / N;
  }
  return -total / N;
}

// ---------------------------------------------------------------------------------------------
// Fitting

/**
 * Maximum-likelihood fit on sufficient statistics. Refuses (INSUFFICIENT_DATA) below
 * `minCustomers` customers or `minRepeatBuyers` repeat buyers; DID_NOT_CONVERGE when the optimiser
 * stops early or a parameter runs off towards 0 or ∞ (the data do not identify the model).
 */
export function fit(data: BgNbdData, options: BgNbdFitOptions = {}): BgNbdFit {
  const minCustomers = options.minCustomers ?? 30;
  const minRepeatBuyers = options.minRepeatBuyers ?? 10;
  const grouped = groupData(data);
  const n = grouped.totalWeight;
  const insufficient = (reason: string): BgNbdFit => ({
    status: 'INSUFFICIENT_DATA', reason, params: null, logLikelihood: null, n, iterations: 0, converged: false,
  });
  if (n < minCustomers) return insufficient(`${n} customers; at least ${minCustomers} are needed`);
  if (grouped.repeatBuyers < minRepeatBuyers) {
    return insufficient(`${grouped.repeatBuyers} repeat buyers; at least ${minRepeatBuyers} are needed`);
  }

  const start = options.start ?? defaultStart(grouped);
  const outcome = minimizeBfgs(
    (v, grad) => negativeMeanLogLikelihood(grouped, v, grad),
    toLog(start),
    { maxIterations: options.maxIterations ?? 500 },
  );
  const params = fromLog(outcome.x);
  const logLikelihood = -outcome.value * n;
  // α is measured against the data's own time scale so the check does not depend on the unit.
  const logScale = [0, Math.log(meanObservationTime(grouped)), 0, 0];
  const runaway = (['r', 'alpha', 'a', 'b'] as const).filter(
    (_, i) => Math.abs(outcome.x[i] - logScale[i]) > LOG_PARAM_LIMIT,
  );
  let status: BgNbdFit['status'] = 'FITTED';
  let reason: string | null = null;
  if (runaway.length > 0) {
    status = 'DID_NOT_CONVERGE';
    reason = `parameter(s) ${runaway.join(', ')} ran off towards 0 or infinity; the data do not identify the model`;
  } else if (!outcome.converged) {
    status = 'DID_NOT_CONVERGE';
    reason = outcome.reason;
  }
  return { status, reason, params, logLikelihood, n, iterations: outcome.iterations, converged: outcome.converged };
}

function meanObservationTime(data: GroupedData): number {
  let sum = 0;
  for (let i = 0; i < data.weight.length; i++) sum += data.weight[i] * data.T[i];
  return sum > 0 ? sum / data.totalWeight : 1;
}

/** r = a = b = 1 and α such that r/α equals the observed repeat-purchase rate Σx / ΣT. */
function defaultStart(data: GroupedData): BgNbdParams {
  let sumX = 0, sumT = 0;
  for (let i = 0; i < data.weight.length; i++) {
    sumX += data.weight[i] * data.xValues[data.xIndex[i]];
    sumT += data.weight[i] * data.T[i];
  }
  const alpha = sumX > 0 && sumT > 0 ? sumT / sumX : 1;
  return { r: 1, alpha, a: 1, b: 1 };
}

// ---------------------------------------------------------------------------------------------
// Predictions

/**
 * P(alive at T | x, t_x, T): the probability the customer has not dropped out by the end of the
 * observation. Always 1 for x = 0 (in BG/NBD dropout happens only right after a purchase).
 */
export function pAlive(params: BgNbdParams, x: number, t_x: number, T: number): number {
  if (x === 0) return 1;
  const { r, alpha, a, b } = params;
  // P = 1 / (1 + e^d), d = ln(a / (b + x − 1)) + (r + x) ln((α + T) / (α + t_x))
  const d = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + t_x));
  return logistic(-d);
}

/**
 * Expected purchases in the next `t` time units for a customer with history (x, t_x, T):
 * E[Y(t) | x, t_x, T] (FHL 2005 eq. 10). Finite for any x, t_x, T and a ≤ 1.
 */
export function conditionalExpectedPurchases(
  params: BgNbdParams,
  t: number,
  x: number,
  t_x: number,
  T: number,
): number {
  if (!(t > 0)) return 0;
  const { r, alpha, a, b } = params;
  // Given the history, a customer alive at T has λ ~ Gamma(r + x, α + T) and p ~ Beta(a, b + x):
  // the conditional expectation is P(alive) × the "fresh customer" expectation with those posteriors.
  return pAlive(params, x, t_x, T) * expectedPurchasesWhileAlive(r + x, alpha + T, a, b + x, t);
}

/** Expected purchases in (0, t] for a new customer: E[X(t)] (FHL 2005 eq. 9). */
export function expectedPurchases(params: BgNbdParams, t: number): number {
  if (!(t > 0)) return 0;
  return expectedPurchasesWhileAlive(params.r, params.alpha, params.a, params.b, t);
}

/**
 * P(X(t) = k): probability of exactly k purchases in (0, t] for a new customer (FHL 2005 eq. 8).
 */
export function probabilityOfPurchases(params: BgNbdParams, t: number, k: number): number {
  if (!(Number.isInteger(k) && k >= 0)) throw new RangeError(`k must be a non-negative integer, got ${k}`);
  const { r, alpha, a, b } = params;
  if (!(t > 0)) return k === 0 ? 1 : 0;
  const logStay = Math.log(alpha) - Math.log(alpha + t); // ln(α / (α + t))
  const logGo = Math.log(t) - Math.log(alpha + t); // ln(t / (α + t))
  const logBetaAB = betaln(a, b);
  // Still alive at t after exactly k purchases.
  const aliveTerm =
    betaln(a, b + k) - logBetaAB + gammaln(r + k) - gammaln(r) - gammaln(k + 1) + r * logStay + k * logGo;
  if (k === 0) return Math.exp(aliveTerm);
  // Dropped out right after the k-th purchase, which happened by t: needs ≥ k Poisson-Gamma events,
  // i.e. the upper tail of a negative binomial NB(r, t/(α+t)).
  const droppedTerm = betaln(a + 1, b + k - 1) - logBetaAB + logNegBinUpperTail(r, logStay, logGo, k);
  return Math.exp(logAddExp(aliveTerm, droppedTerm));
}

/**
 * ln P(N ≥ k) for N ~ NegBin with P(N = j) = Γ(r+j)/(Γ(r) j!) (1−z)^r z^j, given ln(1−z), ln z.
 * Sums the tail directly when it is small (no 1 − (1 − ε) cancellation), 1 − head otherwise.
 */
function logNegBinUpperTail(r: number, logOneMinusZ: number, logZ: number, k: number): number {
  const z = Math.exp(logZ);
  const mean = (r * z) / (1 - z);
  const logPmf = (j: number): number => gammaln(r + j) - gammaln(r) - gammaln(j + 1) + r * logOneMinusZ + j * logZ;
  if (k <= mean) {
    let head = 0;
    for (let j = 0; j < k; j++) head += Math.exp(logPmf(j));
    return Math.log1p(-Math.min(head, 1));
  }
  // k is above the mean, so the pmf decreases from k on: sum relative to the first term.
  let term = 1, sum = 1;
  for (let j = k; j < k + 10_000_000; j++) {
    const ratio = ((r + j) / (j + 1)) * z;
    term *= ratio;
    sum += term;
    if (term < 1e-17 * sum * (1 - Math.max(ratio, z))) break;
  }
  return logPmf(k) + Math.log(sum);
}

/**
 * Expected purchases in (0, t] of a customer alive at time 0 whose purchase rate is
 * λ ~ Gamma(shape A, rate β) and dropout probability p ~ Beta(a, B): E[(1 − e^(−λ p t)) / p].
 *
 * Closed form: (a+B−1)/(a−1) · [1 − (β/(β+t))^A · 2F1(A, B; a+B−1; t/(β+t))]. That form divides
 * by a − 1 and needs a + B > 1, and its series slows down as t/(β+t) → 1, so in those cases the
 * same quantity is computed as ∫₀¹ (1 − (1 + p t/β)^(−A)) / p · Beta(p; a, B) dp by quadrature.
 */
export function expectedPurchasesWhileAlive(A: number, beta: number, a: number, B: number, t: number): number {
  if (!(t > 0)) return 0;
  const z = t / (beta + t);
  const c = a + B - 1;
  if (Math.abs(a - 1) > 1e-3 && c > 1e-2 && hyp2f1SeriesCost(Math.max(A, B), z) < 20_000) {
    const logG = A * Math.log1p(-z) + logHyp2f1(A, B, c, z); // ln[(1−z)^A 2F1(...)]
    return (c * -Math.expm1(logG)) / (a - 1);
  }
  return expectedPurchasesByQuadrature(A, beta, a, B, t);
}

/** The integral form of {@link expectedPurchasesWhileAlive}; exported for cross-checks. */
export function expectedPurchasesByQuadrature(A: number, beta: number, a: number, B: number, t: number): number {
  if (!(t > 0)) return 0;
  const logU = Math.log(t) - Math.log(beta);
  const logBeta = betaln(a, B);
  // Integrand: (1 − (1 + p u)^(−A)) / p · p^(a−1) (1−p)^(B−1) / B(a, B), in logs.
  const logIntegrand = (logP: number, logQ: number): number => {
    const logPU = logP + logU;
    // For p·u below 1e-13, 1 − (1 + pu)^(−A) = A·pu to double precision (A ≤ 1e3·…).
    const logBought = logPU < -30 ? Math.log(A) + logPU : Math.log(-Math.expm1(-A * softplus(logPU)));
    return logBought + (a - 2) * logP + (B - 1) * logQ - logBeta;
  };
  // Far enough out that p^a and (1−p)^B have decayed by e^-800.
  const sMax = Math.asinh(800 / (Math.PI * Math.min(a, B, 1)));
  return Math.exp(logIntegrateUnit(logIntegrand, sMax));
}
