/**
 * Seeded random numbers for the benchmarks: a uniform generator, Gamma and Beta samplers, and
 * quantile tables that let PostgreSQL draw from a Gamma distribution with one array lookup.
 */

/** Deterministic uniform [0, 1) numbers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gamma(shape, 1) by Marsaglia–Tsang (with the u^(1/shape) boost for shape < 1). */
export function sampleGamma(random: () => number, shape: number): number {
  if (!(shape > 0)) throw new RangeError(`gamma shape must be positive, got ${shape}`);
  if (shape < 1) return sampleGamma(random, shape + 1) * Math.pow(random() || Number.MIN_VALUE, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      const u1 = random() || 1e-12;
      const u2 = random();
      x = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function sampleBeta(random: () => number, a: number, b: number): number {
  const x = sampleGamma(random, a);
  return x / (x + sampleGamma(random, b));
}

/** Number of entries in a quantile table (a power of two keeps the SQL lookup exact). */
export const QUANTILE_TABLE_SIZE = 16_384;

/**
 * `size` quantiles of Gamma(shape, 1) at the cell midpoints (i + 0.5) / size, estimated from
 * `size * 64` seeded draws. Looking up `table[floor(u * size)]` with u uniform then draws from a
 * 16,384-point approximation of the distribution: exact enough for synthetic data, and a single
 * array subscript in SQL.
 */
export function gammaQuantileTable(shape: number, seed: number, size = QUANTILE_TABLE_SIZE): Float64Array {
  const random = rng(seed);
  const draws = new Float64Array(size * 64);
  for (let i = 0; i < draws.length; i++) draws[i] = sampleGamma(random, shape);
  draws.sort();
  const table = new Float64Array(size);
  for (let i = 0; i < size; i++) table[i] = draws[Math.floor(((i + 0.5) / size) * draws.length)];
  return table;
}

/** Median of a list of numbers (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The q-quantile (0..1) by nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
