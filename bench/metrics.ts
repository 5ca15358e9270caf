/**
 * Customer-value metrics benchmark (issue 3, item 9): model fit time on CDNOW and synthetic data,
 * and a full recompute on PostgreSQL at 100,000 and 1,000,000 customers, with peak memory.
 *
 *   DATABASE_URL=postgres://… node --import tsx bench/metrics.ts [--quick] [options]
 *
 * --quick                 only the CDNOW sample fit and the 100k recompute
 * --scales 100000,1000000 recompute scales (customers)
 * --recompute-runs 2      recomputes per scale (the first writes customer_metrics, the next rewrite it)
 * --recompute-heap-mb N   run the recompute with --max-old-space-size=N (how much heap it really needs)
 * --recompute-node-args S more Node flags for the recompute process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
 * --fit-runs 21           measured fits per data set (after --fit-warmup 5)
 * --jobs 2                connections generating data
 * --interactions 5        interaction rate per customer (see bench/lib/datagen.ts)
 * --no-fit, --no-recompute, --no-synthetic   skip parts
 * --keep                  keep the generated databases (prints their URLs)
 * --reuse PREFIX          keep each scale's data in database PREFIX_<scale> (e.g. bench_perf_1m) and
 *                         reuse it on the next run instead of generating again (new migrations applied)
 * --no-write              do not write bench/results/*.json
 *
 * Targets (issue 3): fit < 50 ms on the CDNOW sample; recompute of 1M customers < 60 s in < 1 GB.
 * Each scale runs in a fresh database (migrated, tenant "bench"), dropped afterwards.
 */
import { execFileSync, fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { generateDataset, resolveModel, type GenerateReport } from './lib/datagen.js';
import { benchDatabaseName, createBenchDatabase, dropAllBenchDatabases, interrupted, reuseBenchDatabase } from './lib/database.js';
import { benchFit, cdnowDirectory, loadCdnow, simulateColumns, type FitBenchResult } from './lib/fit-bench.js';
import { generateBar } from './lib/progress.js';
import { resultsFile } from './lib/results.js';
import type { ChildMessage, RecomputeChildResult } from './recompute-child.js';

const TARGETS = { fitSampleMs: 50, recompute1MSeconds: 60, recomputeRssBytes: 1024 ** 3 };
const here = path.dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scales: { type: 'string' },
    'recompute-runs': { type: 'string', default: '2' },
    'recompute-heap-mb': { type: 'string' },
    'recompute-node-args': { type: 'string' },
    'fit-runs': { type: 'string', default: '21' },
    'fit-warmup': { type: 'string', default: '5' },
    jobs: { type: 'string', default: '2' },
    interactions: { type: 'string', default: '5' },
    seed: { type: 'string', default: '42' },
    'no-fit': { type: 'boolean', default: false },
    'no-recompute': { type: 'boolean', default: false },
    'no-synthetic': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});

const quick = args.quick;
const scales = (args.scales ?? (quick ? '100000' : '100000,1000000')).split(',').map((s) => Number(s.replace(/_/g, '')));
const fitRuns = Number(args['fit-runs']);
const fitWarmup = Number(args['fit-warmup']);
const recomputeRuns = Number(args['recompute-runs']);
const jobs = Number(args.jobs);
const seed = Number(args.seed);
const model = resolveModel({ interactionsPerCustomer: Number(args.interactions) });

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const ms = (value: number) => (value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0));
const s = (value: number) => (value / 1000).toFixed(1);
const int = (value: number) => value.toLocaleString('en-US');

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

function git(...argv: string[]): string {
  try {
    return execFileSync('git', argv, { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

async function postgresInfo(url: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const info: Record<string, string> = {};
    info.version = (await client.query('show server_version')).rows[0].server_version;
    for (const name of ['shared_buffers', 'work_mem', 'maintenance_work_mem', 'effective_cache_size', 'max_wal_size', 'max_parallel_workers_per_gather', 'jit']) {
      info[name] = (await client.query(`show ${name}`)).rows[0][name];
    }
    return info;
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Fit

function runFits(): { results: FitBenchResult[]; baselineRssBytes: number; maxRssBytes: number } {
  const baselineRssBytes = process.memoryUsage().rss;
  const results: FitBenchResult[] = [];
  console.log(`\n# Model fit (warm median of ${fitRuns} after ${fitWarmup} warm-up runs; CDNOW from ${cdnowDirectory()})`);
  const sets = [() => loadCdnow('sample'), ...(quick ? [] : [() => loadCdnow('master')])];
  for (const load of sets) {
    const data = load();
    process.stderr.write(`fitting ${data.label}…\n`);
    results.push(benchFit(data, fitRuns, fitWarmup));
  }
  if (!quick && !args['no-synthetic']) {
    for (const n of [100_000, 1_000_000]) {
      process.stderr.write(`simulating and fitting synthetic ${int(n)}…\n`);
      const data = simulateColumns(n, model, seed);
      // A fit on a million customers takes seconds: fewer runs.
      results.push(benchFit(data, n >= 1_000_000 ? 3 : 5, 1));
    }
  }
  return { results, baselineRssBytes, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
}

function printFits(fit: ReturnType<typeof runFits>): void {
  const rows = fit.results.flatMap((r) => [
    [r.dataset, r.unit, int(r.customers), 'BG/NBD', ms(r.bgnbd.medianMs), ms(r.bgnbd.minMs), ms(r.bgnbd.p90Ms), r.bgnbd.iterations, r.bgnbd.status],
    ['', '', int(r.repeatBuyers), 'Gamma-Gamma', ms(r.gammaGamma.medianMs), ms(r.gammaGamma.minMs), ms(r.gammaGamma.p90Ms), r.gammaGamma.iterations, r.gammaGamma.status],
  ]);
  console.log(table(['data set', 'unit', 'customers', 'model', 'median ms', 'min ms', 'p90 ms', 'iter', 'status'], rows));
  const simulated = fit.results.some((r) => r.unit === 'days');
  console.log(`fit process RSS: ${mib(fit.baselineRssBytes)} before, peak ${mib(fit.maxRssBytes)} (ru_maxrss${simulated ? ', includes the simulated populations' : ''})`);
  const synthetic = fit.results.filter((r) => r.unit === 'days');
  for (const r of synthetic) {
    const b = r.bgnbd.params, g = r.gammaGamma.params;
    if (!b || !g) continue;
    const t = model.purchase, u = model.spend;
    console.log(
      `${r.dataset}: fitted r ${b.r.toFixed(3)} (true ${t.r}), α ${b.alpha.toFixed(2)} (${t.alpha}), a ${b.a.toFixed(3)} (${t.a}), b ${b.b.toFixed(2)} (${t.b}); ` +
        `p ${g.p.toFixed(2)} (${u.p}), q ${g.q.toFixed(2)} (${u.q}), γ ${g.gamma.toFixed(1)} (${u.gamma})`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Recompute

interface ScaleResult {
  customers: number;
  database: string;
  generate: GenerateReport;
  recompute: RecomputeChildResult | null;
  error?: string;
}

function runChild(url: string, tenantId: string, asOf: string, label: string): Promise<RecomputeChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, 'recompute-child.ts'), ['--database-url', url, '--tenant-id', tenantId, '--as-of', asOf, '--runs', String(recomputeRuns)], {
      execArgv: [
        '--import', 'tsx',
        ...(args['recompute-heap-mb'] ? [`--max-old-space-size=${Number(args['recompute-heap-mb'])}`] : []),
        ...(args['recompute-node-args']?.split(' ').filter(Boolean) ?? []),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const tty = Boolean(process.stderr.isTTY);
    let bar: cliProgress.SingleBar | null = null;
    let run = 0;
    let lastLog = 0;
    let result: RecomputeChildResult | null = null;
    let failure: string | null = null;
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'progress') {
        if (message.run !== run) {
          bar?.stop();
          run = message.run;
          if (tty) {
            bar = new cliProgress.SingleBar(
              { format: `${label} recompute ${run}/${recomputeRuns} [{bar}] {percentage}% | {phase} {processed}/{total} | {duration_formatted}`, barsize: 24, stream: process.stderr, hideCursor: true },
              cliProgress.Presets.shades_classic,
            );
            bar.start(1000, 0, { phase: '', processed: 0, total: 0 });
          }
        }
        const payload = { phase: message.phase.padEnd(11), processed: int(message.processed), total: int(message.total) };
        if (bar) bar.update(Math.round(message.progress * 1000), payload);
        else if (Date.now() - lastLog > 5000) {
          lastLog = Date.now();
          process.stderr.write(`${label} recompute ${run}/${recomputeRuns}: ${(message.progress * 100).toFixed(0)}% ${message.phase} ${payload.processed}/${payload.total}\n`);
        }
      } else if (message.type === 'result') result = message;
      else failure = message.message;
    });
    child.on('exit', (code) => {
      if (bar) {
        bar.update(1000);
        bar.stop();
      }
      if (result) resolve(result);
      else reject(new Error(failure ?? `recompute child exited with code ${code}`));
    });
  });
}

async function runScale(baseUrl: string, customers: number): Promise<ScaleResult> {
  const label = customers >= 1e6 ? `${customers / 1e6}M` : `${customers / 1e3}k`;
  console.log(`\n# Recompute at ${int(customers)} customers`);
  const fill = async (target: { url: string; tenantId: string }) => {
    const bar = generateBar(`${label} generate`);
    const report = await generateDataset({
      databaseUrl: target.url,
      tenantId: target.tenantId,
      customers,
      seed,
      jobs,
      model,
      onProgress: (p) => bar.update(p),
    });
    bar.stop();
    return report;
  };
  let db;
  let generate: GenerateReport;
  let reused = false;
  if (args.reuse) {
    ({ db, report: generate, reused } = await reuseBenchDatabase(baseUrl, `${args.reuse}_${label.toLowerCase()}`, customers, fill));
  } else {
    db = await createBenchDatabase(baseUrl, benchDatabaseName(label));
  }
  try {
    if (!args.reuse) generate = await fill(db);
    if (reused) console.log(`reusing ${db.name} (generated ${generate!.asOf.slice(0, 10)}; asOf kept)`);
    console.log(
      `generated ${int(generate!.customers)} customers, ${int(generate!.orders)} orders (${int(generate!.countedOrders)} counted), ` +
        `${int(generate!.interactions)} interactions in ${s(generate!.timings.totalMs)} s ` +
        `(load ${s(generate!.timings.loadMs)}, keys+indexes ${s(generate!.timings.indexesMs)}, vacuum ${s(generate!.timings.vacuumMs)}); ` +
        Object.entries(generate!.tableBytes).map(([t, b]) => `${t} ${mib(b)}`).join(', '),
    );
    let recompute: RecomputeChildResult | null = null;
    let error: string | undefined;
    try {
      recompute = await runChild(db.url, db.tenantId, generate!.asOf, label);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      console.error(`recompute failed: ${error}`);
    }
    if (args.keep) console.log(`kept database ${db.name}: ${db.url} (tenant ${db.tenantId})`);
    return { customers, database: db.name, generate: generate!, recompute, error };
  } finally {
    if (!args.keep) await db.drop();
  }
}

function printRecompute(results: ScaleResult[]): void {
  const rows: (string | number)[][] = [];
  for (const r of results) {
    if (!r.recompute) {
      rows.push([int(r.customers), '-', 'failed', '', '', '', '', '', '', '', '', '', '']);
      continue;
    }
    for (const run of r.recompute.runs) {
      const t = run.timings;
      rows.push([
        run.run === 1 ? int(r.customers) : '',
        run.run === 1 ? 'first' : `repeat ${run.run - 1}`,
        s(run.wallMs),
        s(t.totalMs ?? NaN),
        s(t.aggregateMs ?? NaN),
        s(t.fitMs ?? NaN),
        s(t.scoreMs ?? NaN),
        s(t.writeMs ?? NaN),
        t.totalMs === undefined ? '-' : s(run.wallMs - t.totalMs),
        s(run.cpuMs),
        mib(run.maxRssBytes),
        mib(run.sampledPeakHeapBytes),
        mib(r.recompute.baselineRssBytes),
      ]);
    }
  }
  console.log(
    table(['customers', 'run', 'wall s', 'recompute s', 'aggregate s', 'fit s', 'score s', 'write s', 'job+after s', 'node CPU s', 'peak RSS', 'peak heap', 'base RSS'], rows),
  );
  console.log('(wall = createJob + runJob as the CLI runs them; recompute = recomputeTenant\'s own total, split into its phases;');
  console.log(' job+after = the rest: job bookkeeping and the steps registered to follow every recompute, e.g. tier refresh)');
  for (const r of results) {
    for (const run of r.recompute?.runs ?? []) {
      // Every timing the recompute stores in its job summary, including the write phase's parts.
      console.log(`${int(r.customers)} ${run.run === 1 ? 'first' : `repeat ${run.run - 1}`}: ${Object.entries(run.timings).map(([k, v]) => `${k} ${s(v)}`).join(', ')}`);
    }
  }
  for (const r of results) {
    if (!r.recompute) continue;
    const bg = r.recompute.valueModels.find((m) => m.kind === 'BGNBD');
    const gg = r.recompute.valueModels.find((m) => m.kind === 'GAMMA_GAMMA');
    const f = (v: number | undefined, d: number) => (v === undefined ? 'n/a' : v.toFixed(d));
    console.log(
      `${int(r.customers)}: ${int(r.recompute.metricsRows)} customer_metrics rows (${mib(r.recompute.tableBytes.customer_metrics ?? 0)}); ` +
        `BG/NBD ${bg?.status} r ${f(bg?.params?.r, 3)} (true ${model.purchase.r}) α ${f(bg?.params?.alpha, 2)} (${model.purchase.alpha}) ` +
        `a ${f(bg?.params?.a, 3)} (${model.purchase.a}) b ${f(bg?.params?.b, 2)} (${model.purchase.b}), fit ${bg?.fitMs} ms; ` +
        `Gamma-Gamma ${gg?.status} p ${f(gg?.params?.p, 2)} (${model.spend.p}) q ${f(gg?.params?.q, 2)} (${model.spend.q}) ` +
        `γ ${f(gg?.params?.gamma, 1)} (${model.spend.gamma}), fit ${gg?.fitMs} ms`,
    );
    for (const run of r.recompute.runs) {
      if (!run.sql.length) continue;
      console.log(`  SQL time by statement, ${run.run === 1 ? 'first' : `repeat ${run.run - 1}`} run (client side, sent → rows parsed; statements may overlap):`);
      console.log(
        table(
          ['  statement', 'calls', 'total s', 'max ms', 'max size', 'share of wall'],
          run.sql.slice(0, 7).map((t) => [
            `  ${t.statement}`, t.calls, s(t.totalMs), t.maxMs,
            t.maxChars >= 1e6 ? `${(t.maxChars / 1e6).toFixed(1)} MB` : `${Math.ceil(t.maxChars / 1e3)} kB`,
            `${((t.totalMs / run.wallMs) * 100).toFixed(0)}%`,
          ]),
        ),
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = new Date();
  const commit = git('rev-parse', '--short', 'HEAD') || 'nocommit';
  const dirty = git('status', '--porcelain').length > 0;
  const baseUrl = process.env.DATABASE_URL;
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    loadAverageAtStart: os.loadavg(),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    postgres: baseUrl ? await postgresInfo(baseUrl).catch((e: Error) => ({ error: e.message })) : null,
  };
  console.log(
    `metrics benchmark ${quick ? '(quick) ' : ''}at ${commit}${dirty ? ' (uncommitted changes)' : ''}: ${machine.cpus} × ${machine.cpuModel}, ` +
      `${mib(machine.memoryBytes)} RAM, load ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}, Node ${machine.node}` +
      (machine.postgres && 'version' in machine.postgres ? `, PostgreSQL ${machine.postgres.version} (shared_buffers ${machine.postgres.shared_buffers})` : ''),
  );

  const fit = args['no-fit'] ? null : runFits();
  if (fit) printFits(fit);

  const scaleResults: ScaleResult[] = [];
  if (!args['no-recompute']) {
    if (!baseUrl) {
      console.log('\n# Recompute skipped: set DATABASE_URL to a PostgreSQL server (bench databases are created beside it)');
    } else {
      for (const customers of scales) scaleResults.push(await runScale(baseUrl, customers));
      console.log(`\n# Recompute summary (data: ${describeModel()})`);
      printRecompute(scaleResults);
    }
  }

  const sample = fit?.results.find((r) => r.dataset === 'CDNOW sample');
  const million = scaleResults.find((r) => r.customers === 1_000_000)?.recompute;
  const verdicts = {
    fitSampleUnder50ms: sample ? sample.bgnbd.medianMs + sample.gammaGamma.medianMs < TARGETS.fitSampleMs : null,
    recompute1MUnder60s: million ? Math.min(...million.runs.map((r) => r.wallMs)) < TARGETS.recompute1MSeconds * 1000 : null,
    recompute1MUnder1GB: million ? Math.max(...million.runs.map((r) => r.maxRssBytes)) < TARGETS.recomputeRssBytes : null,
  };
  console.log('\n# Targets');
  if (sample) {
    const total = sample.bgnbd.medianMs + sample.gammaGamma.medianMs;
    console.log(`fit on the CDNOW sample (BG/NBD + Gamma-Gamma): ${ms(total)} ms, target < ${TARGETS.fitSampleMs} ms: ${verdicts.fitSampleUnder50ms ? 'met' : 'NOT met'}`);
  }
  if (million) {
    for (const run of million.runs) {
      console.log(`recompute 1M, ${run.run === 1 ? 'first' : 'repeat'} run: ${s(run.wallMs)} s (target < ${TARGETS.recompute1MSeconds} s), peak RSS ${mib(run.maxRssBytes)} (target < 1 GiB)`);
    }
  } else console.log('recompute 1M: not run');

  const result = {
    benchmark: 'metrics',
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    commit,
    uncommittedChanges: dirty,
    argv: process.argv.slice(2),
    quick,
    machine: { ...machine, loadAverageAtEnd: os.loadavg() },
    targets: TARGETS,
    verdicts,
    fit,
    dataModel: model,
    recompute: scaleResults,
  };
  if (!args['no-write']) {
    const file = resultsFile(path.join(here, 'results'), `${started.toISOString().slice(0, 10)}-metrics-${commit}${quick ? '-quick' : ''}`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
  }
}

function describeModel(): string {
  const p = model.purchase, g = model.spend;
  return `BG/NBD r ${p.r}, α ${p.alpha} d, a ${p.a}, b ${p.b}; Gamma-Gamma p ${g.p}, q ${g.q}, γ ${g.gamma}; ` +
    `${model.historyDays} d history, ${model.prospectShare * 100}% prospects, ${model.cancelledShare * 100}% cancelled twins, ` +
    `interaction rate ${model.interactionsPerCustomer}`;
}

main().catch(async (error: unknown) => {
  if (interrupted()) return; // the signal handler drops the databases and exits
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  await dropAllBenchDatabases();
  process.exitCode = 1;
});
