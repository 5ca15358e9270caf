/**
 * Validate the customer-value models on the CDNOW reference data (data/cdnow/README.md):
 * fitted vs published BG/NBD and Gamma-Gamma parameters, fit times on the 2,357-customer sample and
 * the 23,570-customer master file, and the 39-week holdout (predicted vs actual repeat purchases).
 *
 * Run: node --import tsx server/metrics/validate-cdnow.ts [path/to/cdnow/folder]
 * (default: the `shared/data/cdnow` folder next to the repository root, or $CDNOW_DIR).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as bgnbd from './bgnbd.js';
import { cdnowTransactions, loadCdnowFile } from './cdnow.js';
import * as gammaGamma from './gamma-gamma.js';
import { countPurchaseDays, summarizeTransactions, toColumns, type CustomerSummary, type Transaction } from './summary.js';

const CALIBRATION_END = '1997-09-30';
const HOLDOUT_START = '1997-10-01';
const HOLDOUT_END = '1998-06-30';
const HOLDOUT_WEEKS = 39;

/** Published figures (Fader, Hardie & Lee 2005; Fader & Hardie 2013; CLVTools full precision). */
const PUBLISHED = {
  bgnbd: { r: 0.2425945, alpha: 4.4136019, a: 0.7929199, b: 2.4258881, logLikelihood: -9582.429 },
  gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44, logLikelihood: -4055.9177 },
};

function cdnowDirectory(): URL {
  const argument = process.argv[2] ?? process.env.CDNOW_DIR;
  if (argument) return pathToFileURL(argument.endsWith('/') ? argument : `${argument}/`);
  return new URL('../../../shared/data/cdnow/', import.meta.url);
}

interface Timed<T> {
  value: T;
  ms: number;
}

/** Run `fn` `repeats` times and report the median wall time (the first run warms up the JIT). */
function timed<T>(fn: () => T, repeats = 7): Timed<T> {
  const times: number[] = [];
  let value!: T;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    value = fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { value, ms: times[Math.floor(times.length / 2)] };
}

function row(cells: (string | number)[], widths: number[]): string {
  return cells.map((cell, i) => String(cell).padStart(widths[i])).join('  ');
}

function fitBoth(summaries: CustomerSummary[]) {
  const columns = toColumns(summaries);
  const bg = timed(() => bgnbd.fit(columns));
  const gg = timed(() => gammaGamma.fit(columns));
  return { bg, gg };
}

function printParameters(label: string, summaries: CustomerSummary[], comparePublished: boolean) {
  const { bg, gg } = fitBoth(summaries);
  const repeatBuyers = summaries.filter((s) => s.x > 0).length;
  console.log(`\n## ${label}: ${summaries.length} customers, ${repeatBuyers} repeat buyers`);
  console.log(`BG/NBD ${bg.value.status}, ${bg.value.iterations} iterations, fit ${bg.ms.toFixed(1)} ms (median of 7)`);
  console.log(`Gamma-Gamma ${gg.value.status}, ${gg.value.iterations} iterations, fit ${gg.ms.toFixed(1)} ms (median of 7)`);
  const widths = [14, 12, 12, 9];
  console.log(row(['parameter', 'fitted', 'published', 'diff %'], widths));
  const compare = (name: string, fitted: number | undefined | null, published: number) => {
    const shown = fitted == null ? 'n/a' : fitted.toFixed(4);
    if (!comparePublished) return console.log(row([name, shown, '-', '-'], widths));
    const diff = fitted == null ? 'n/a' : (((fitted - published) / Math.abs(published)) * 100).toFixed(3);
    console.log(row([name, shown, published, diff], widths));
  };
  const b = bg.value.params, g = gg.value.params;
  compare('BG/NBD r', b?.r, PUBLISHED.bgnbd.r);
  compare('BG/NBD alpha', b?.alpha, PUBLISHED.bgnbd.alpha);
  compare('BG/NBD a', b?.a, PUBLISHED.bgnbd.a);
  compare('BG/NBD b', b?.b, PUBLISHED.bgnbd.b);
  compare('BG/NBD LL', bg.value.logLikelihood, PUBLISHED.bgnbd.logLikelihood);
  compare('GG p', g?.p, PUBLISHED.gammaGamma.p);
  compare('GG q', g?.q, PUBLISHED.gammaGamma.q);
  compare('GG gamma', g?.gamma, PUBLISHED.gammaGamma.gamma);
  compare('GG LL', gg.value.logLikelihood, PUBLISHED.gammaGamma.logLikelihood);
  if (!comparePublished) console.log('(no published estimates for the full cohort)');
  return bg.value;
}

function printHoldout(label: string, transactions: Transaction[], summaries: CustomerSummary[], fit: bgnbd.BgNbdFit) {
  if (!fit.params) return;
  const actualByCustomer = countPurchaseDays(transactions, HOLDOUT_START, HOLDOUT_END);
  const groups = new Map<string, { customers: number; actual: number; predicted: number }>();
  let totalActual = 0, totalPredicted = 0;
  for (const s of summaries) {
    const predicted = bgnbd.conditionalExpectedPurchases(fit.params, HOLDOUT_WEEKS, s.x, s.t_x, s.T);
    const actual = actualByCustomer.get(s.customerId) ?? 0;
    const key = s.x >= 7 ? '7+' : String(s.x);
    const group = groups.get(key) ?? { customers: 0, actual: 0, predicted: 0 };
    group.customers += 1;
    group.actual += actual;
    group.predicted += predicted;
    groups.set(key, group);
    totalActual += actual;
    totalPredicted += predicted;
  }
  console.log(`\n## ${label}: 39-week holdout (${HOLDOUT_START}..${HOLDOUT_END}), repeat purchase days`);
  const widths = [6, 9, 10, 10, 12, 12];
  console.log(row(['x', 'customers', 'actual', 'predicted', 'mean actual', 'mean pred.'], widths));
  for (const key of ['0', '1', '2', '3', '4', '5', '6', '7+']) {
    const g = groups.get(key);
    if (!g) continue;
    console.log(row([key, g.customers, g.actual, g.predicted.toFixed(1), (g.actual / g.customers).toFixed(3), (g.predicted / g.customers).toFixed(3)], widths));
  }
  const error = ((totalPredicted - totalActual) / totalActual) * 100;
  console.log(row(['total', summaries.length, totalActual, totalPredicted.toFixed(1), '', `${error >= 0 ? '+' : ''}${error.toFixed(2)} %`], widths));
}

function main() {
  const directory = cdnowDirectory();
  for (const file of ['CDNOW_sample.txt', 'CDNOW_master.txt']) {
    if (!existsSync(new URL(file, directory))) {
      console.error(`missing ${fileURLToPath(new URL(file, directory))}; pass the CDNOW folder as the first argument`);
      process.exit(1);
    }
  }
  console.log('# CDNOW validation (BG/NBD and Gamma-Gamma; time unit: weeks; calibration ends 1997-09-30)');
  for (const [label, file, id] of [
    ['sample', 'CDNOW_sample.txt', 'sample'],
    ['master', 'CDNOW_master.txt', 'master'],
  ] as const) {
    const loadStart = performance.now();
    const transactions = cdnowTransactions(loadCdnowFile(new URL(file, directory)), id);
    const summaries = summarizeTransactions(transactions, { observationEnd: CALIBRATION_END, timeUnit: 'weeks' });
    console.log(`\n(${file}: parsed and summarised in ${(performance.now() - loadStart).toFixed(0)} ms)`);
    const fit = printParameters(label, summaries, label === 'sample');
    printHoldout(label, transactions, summaries, fit);
  }
}

main();
