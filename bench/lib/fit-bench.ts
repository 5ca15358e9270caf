/**
 * Model-fit timing: BG/NBD and Gamma-Gamma on the CDNOW sample and master files (the published
 * 39-week calibration, in weeks), and on in-memory synthetic populations drawn from the same model
 * as the PostgreSQL data generator (in days), which isolates the fit from the database.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as bgnbd from '../../server/metrics/bgnbd.js';
import { cdnowTransactions, loadCdnowFile } from '../../server/metrics/cdnow.js';
import * as gammaGamma from '../../server/metrics/gamma-gamma.js';
import { summarizeTransactions, toColumns, type SummaryColumns } from '../../server/metrics/summary.js';
import type { DatasetModel } from './datagen.js';
import { median, quantile, rng, sampleBeta, sampleGamma } from './random.js';

const CALIBRATION_END = '1997-09-30';

/** The CDNOW folder: $CDNOW_DIR, else `shared/data/cdnow` beside the repository root. */
export function cdnowDirectory(): string {
  if (process.env.CDNOW_DIR) return path.resolve(process.env.CDNOW_DIR);
  return fileURLToPath(new URL('../../../shared/data/cdnow/', import.meta.url));
}

export interface FitColumns {
  label: string;
  unit: 'weeks' | 'days';
  columns: Pick<SummaryColumns, 'x' | 't_x' | 'T' | 'zbar'>;
  customers: number;
  repeatBuyers: number;
  /** Parsing and summarising (CDNOW) or simulating (synthetic), ms. */
  prepareMs: number;
}

export function loadCdnow(which: 'sample' | 'master', directory = cdnowDirectory()): FitColumns {
  const file = path.join(directory, which === 'sample' ? 'CDNOW_sample.txt' : 'CDNOW_master.txt');
  if (!existsSync(file)) throw new Error(`missing ${file}; set CDNOW_DIR to the folder holding the CDNOW files`);
  const start = performance.now();
  const summaries = summarizeTransactions(cdnowTransactions(loadCdnowFile(file), which), {
    observationEnd: CALIBRATION_END,
    timeUnit: 'weeks',
  });
  const columns = toColumns(summaries);
  return {
    label: `CDNOW ${which}`,
    unit: 'weeks',
    columns,
    customers: summaries.length,
    repeatBuyers: summaries.filter((s) => s.x > 0).length,
    prepareMs: performance.now() - start,
  };
}

/**
 * (x, t_x, T, zbar) in whole days for `n` buying customers drawn from `model`, as the recompute's
 * SQL would aggregate them: same-day orders collapse into one purchase day, T runs to the asOf day.
 */
export function simulateColumns(n: number, model: DatasetModel, seed = 7): FitColumns {
  const start = performance.now();
  const random = rng(seed);
  const x = new Float64Array(n), t_x = new Float64Array(n), T = new Float64Array(n), zbar = new Float64Array(n);
  const { r, alpha, a, b } = model.purchase;
  const { p, q, gamma } = model.spend;
  const horizon = model.historyDays;
  let repeatBuyers = 0;
  for (let i = 0; i < n; i++) {
    const lambda = Math.max(sampleGamma(random, r), 1e-12) / alpha;
    const dropout = sampleBeta(random, a, b);
    const nu = Math.max(sampleGamma(random, q), 1e-12) / gamma;
    const acquired = horizon * (1 - random()); // days after the start of the history, < horizon
    const firstDay = Math.floor(acquired);
    let lastDay = firstDay;
    let days = 1;
    let repeatSpend = 0;
    let daySpend = 0;
    let t = acquired;
    for (let k = 1; k < model.maxOrdersPerCustomer; k++) {
      if (k > 1 && random() < dropout) break;
      t += -Math.log(1 - random()) / lambda;
      if (t >= horizon) break;
      const day = Math.floor(t);
      const amount = sampleGamma(random, p) / nu;
      if (day !== lastDay) {
        repeatSpend += daySpend;
        daySpend = 0;
        days++;
        lastDay = day;
      }
      if (day !== firstDay) daySpend += amount;
    }
    repeatSpend += daySpend;
    x[i] = days - 1;
    t_x[i] = lastDay - firstDay;
    T[i] = horizon - firstDay;
    zbar[i] = days > 1 ? Math.round((repeatSpend / (days - 1)) * 100) / 100 : 0;
    if (days > 1) repeatBuyers++;
  }
  return {
    label: `synthetic ${n.toLocaleString('en-US')}`,
    unit: 'days',
    columns: { x, t_x, T, zbar },
    customers: n,
    repeatBuyers,
    prepareMs: performance.now() - start,
  };
}

export interface TimedFit<P> {
  status: string;
  reason: string | null;
  iterations: number;
  n: number;
  logLikelihood: number | null;
  params: P | null;
  /** Wall time of each measured run, ms. */
  runsMs: number[];
  medianMs: number;
  minMs: number;
  p90Ms: number;
}

export interface FitBenchResult {
  dataset: string;
  unit: 'weeks' | 'days';
  customers: number;
  repeatBuyers: number;
  prepareMs: number;
  warmupRuns: number;
  bgnbd: TimedFit<bgnbd.BgNbdParams>;
  gammaGamma: TimedFit<gammaGamma.GammaGammaParams>;
  /** Process memory after the runs. */
  rssBytes: number;
  heapUsedBytes: number;
  /** Largest heapUsed seen right after a run (a lower bound on the heap peak). */
  heapPeakBytes: number;
}

function timeFit<P>(
  fn: () => bgnbd.BgNbdFit | gammaGamma.GammaGammaFit,
  runs: number,
  warmup: number,
  heap: { peak: number },
): TimedFit<P> {
  let result = fn();
  for (let i = 1; i < warmup; i++) result = fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = fn();
    times.push(performance.now() - start);
    heap.peak = Math.max(heap.peak, process.memoryUsage().heapUsed);
  }
  return {
    status: result.status,
    reason: result.reason,
    iterations: result.iterations,
    n: result.n,
    logLikelihood: result.logLikelihood,
    params: result.params as P | null,
    runsMs: times,
    medianMs: median(times),
    minMs: Math.min(...times),
    p90Ms: quantile(times, 0.9),
  };
}

/** Warm median of `runs` fits after `warmup` unmeasured ones (JIT, caches). */
export function benchFit(data: FitColumns, runs: number, warmup: number): FitBenchResult {
  const heap = { peak: process.memoryUsage().heapUsed };
  const { x, t_x, T, zbar } = data.columns;
  const bg = timeFit<bgnbd.BgNbdParams>(() => bgnbd.fit({ x, t_x, T }), runs, warmup, heap);
  const gg = timeFit<gammaGamma.GammaGammaParams>(() => gammaGamma.fit({ x, zbar }), runs, warmup, heap);
  const memory = process.memoryUsage();
  return {
    dataset: data.label,
    unit: data.unit,
    customers: data.customers,
    repeatBuyers: data.repeatBuyers,
    prepareMs: data.prepareMs,
    warmupRuns: warmup,
    bgnbd: bg,
    gammaGamma: gg,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapPeakBytes: heap.peak,
  };
}
