/**
 * Segments benchmark (issue 6, item 4): previewSegment, createSegment (first evaluation),
 * refreshSegment with no change and after ~1% of customers changed, on PostgreSQL at 100,000 and
 * 1,000,000 customers, with peak memory.
 *
 *   DATABASE_URL=postgres://… node --import tsx bench/segments.ts [--quick] [options]
 *
 * --quick                 100k only (default scales: 100000,1000000)
 * --scales 100000,1000000 scales (customers)
 * --runs 3                measured refreshes per segment and per kind (previews: runs + 2)
 * --jobs 2                connections generating data
 * --interactions 5        interaction rate per customer (see bench/lib/datagen.ts)
 * --keep                  keep the generated databases (prints their URLs)
 * --reuse PREFIX          keep each scale's data in database PREFIX_<scale> (shared with bench/metrics.ts
 *                         --reuse) and reuse it: earlier bench segments are deleted, cities and the
 *                         metrics recompute are skipped when already there
 * --no-write              do not write bench/results/*.json
 *
 * Targets (issue 6): refresh a segment over 1,000,000 customers < 10 s; preview < 1 s at 100,000.
 *
 * Per scale: a fresh database (bench/lib/database.ts), customers with orders and interactions
 * (bench/lib/datagen.ts), a city per customer (the generator leaves city empty), one full metrics
 * recompute (createJob + runJob in bench/recompute-child.ts, its own process) so metric rules have
 * data, then the segment service functions called directly with an EntityManager from createOrm,
 * as the GraphQL resolvers call them (they need only the tenant id).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
// Every feature module, as the server loads them: the metrics filter on customers and the
// after-recompute hooks are registered at import time.
import '../server/cli/index.js';
import { createOrm, sqlEm, type Em } from '../server/db/orm.js';
import type { CustomerFilter } from '../server/customers/customer.inputs.js';
import { createSegment, previewSegment, refreshSegment } from '../server/segments/segment.service.js';
import { SegmentKind } from '../server/segments/segment.types.js';
import { generateDataset, resolveModel, type GenerateReport } from './lib/datagen.js';
import { resultsFile } from './lib/results.js';
import { benchDatabaseName, createBenchDatabase, dropAllBenchDatabases, interrupted, reuseBenchDatabase } from './lib/database.js';
import { generateBar } from './lib/progress.js';
import { runRecomputeChild } from './lib/recompute.js';
import type { RecomputeChildResult } from './recompute-child.js';

const TARGETS = { refresh1MSeconds: 10, preview100kMs: 1000 };
const here = path.dirname(fileURLToPath(import.meta.url));
const DAY_MS = 86_400_000;

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scales: { type: 'string' },
    runs: { type: 'string', default: '3' },
    jobs: { type: 'string', default: '2' },
    interactions: { type: 'string', default: '5' },
    seed: { type: 'string', default: '42' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const quick = args.quick;
const scales = (args.scales ?? (quick ? '100000' : '100000,1000000')).split(',').map((v) => Number(v.replace(/_/g, '')));
const runs = Math.max(1, Number(args.runs));
const jobs = Number(args.jobs);
const seed = Number(args.seed);
const model = resolveModel({ interactionsPerCustomer: Number(args.interactions) });

/** Distinguishes this run's rows (order external ids, change slices) from earlier runs on a reused database. */
const runTag = Date.now().toString(36);

const CITIES = ['Shanghai', 'Beijing', 'Shenzhen', 'New York', 'Austin', 'Chicago', 'London', 'Berlin', 'Munich', 'Paris', 'Toronto', 'Sydney', 'Singapore', 'Tokyo', 'Seattle', 'Hangzhou'];

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const int = (n: number) => n.toLocaleString('en-US');
const fmt = (msValue: number) => (msValue < 1000 ? `${msValue.toFixed(0)} ms` : `${(msValue / 1000).toFixed(2)} s`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

function git(...argv: string[]): string {
  try {
    return execFileSync('git', argv, { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** Rules a user would save: geography, value metrics, behaviour, and a broad one (≈ 40% of customers). */
function rules(asOf: Date): { name: string; rule: CustomerFilter }[] {
  return [
    { name: 'city in 3 cities', rule: { city: { in: ['Shanghai', 'Berlin', 'Austin'] } } as CustomerFilter },
    { name: 'churnRisk HIGH and predictedClv >= 50', rule: { metrics: { churnRisk: { eq: 'HIGH' }, predictedClv: { gte: '50' } } } as unknown as CustomerFilter },
    { name: 'orderCount >= 10 and lastOrderAt < asOf-90d', rule: { orderCount: { gte: 10 }, lastOrderAt: { lt: new Date(asOf.getTime() - 90 * DAY_MS) } } as CustomerFilter },
    { name: 'country in [US, CN] (broad)', rule: { country: { in: ['US', 'CN'] } } as CustomerFilter },
  ];
}

/** Samples this process's RSS every 20 ms while the event loop is free (ru_maxrss is reported too). */
function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  timer.unref();
  return {
    reset() {
      peak = process.memoryUsage().rss;
    },
    peak() {
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

function runRecompute(url: string, tenantId: string, asOf: string) {
  let last = 0;
  return runRecomputeChild(url, tenantId, asOf, (m) => {
    if (Date.now() - last > 10_000) {
      last = Date.now();
      process.stderr.write(`  recompute ${(m.progress * 100).toFixed(0)}% ${m.phase} ${int(m.processed)}/${int(m.total)}\n`);
    }
  });
}

/** Gives every customer a city consistent with its country (the generator leaves city empty). */
async function assignCities(client: pg.Client): Promise<void> {
  await client.query(
    `update customer set city = (array[${CITIES.map((c) => `'${c}'`).join(',')}])[1 + abs(hashtext(id::text)) % ${CITIES.length}]`,
  );
  await client.query('vacuum analyze customer');
}

/**
 * Changes ~1% of customers for each kind of rule (disjoint slices chosen by hash, different each
 * round): a new city and country, a new order today, and flipped churn level / doubled predicted CLV. Returns
 * how many customers each change touched.
 */
async function changeOnePercent(client: pg.Client, tenantId: string, round: number, at: Date): Promise<Record<string, number>> {
  const slice = (k: number) => `abs(hashtext(c.id::text || ':${round}:${runTag}')) % 300 = ${k}`;
  const city = await client.query(
    `update customer c set city = (array[${CITIES.map((x) => `'${x}'`).join(',')}])[1 + abs(hashtext(c.id::text || 'city${round}')) % ${CITIES.length}],
            country = (array['US', 'CN', 'GB', 'DE', 'FR', 'CA', 'AU', 'SG', 'JP'])[1 + abs(hashtext(c.id::text || 'country${round}')) % 9], updated_at = $2
      where c.tenant_id = $1 and (${slice(0)} or ${slice(1)} or ${slice(2)})`,
    [tenantId, at],
  );
  const orders = await client.query(
    `insert into customer_order (tenant_id, id, customer_id, external_id, occurred_at, total_amount, currency, status, channel, line_items, created_at)
     select c.tenant_id, gen_random_uuid(), c.id, 'BENCHSEG-${runTag}-${round}-' || c.id, $2, 42.00, 'USD', 'PAID', 'WEB', '[]'::jsonb, $2
       from customer c where c.tenant_id = $1 and (${slice(3)} or ${slice(4)} or ${slice(5)})`,
    [tenantId, at],
  );
  const metrics = await client.query(
    `update customer_metrics m set churn_level = case when m.churn_level = 'HIGH' then 'LOW' else 'HIGH' end,
            predicted_clv = coalesce(m.predicted_clv, 0) * 2 + 60
       from customer c
      where m.tenant_id = $1 and c.tenant_id = m.tenant_id and c.id = m.customer_id and (${slice(6)} or ${slice(7)} or ${slice(8)})`,
    [tenantId],
  );
  return { cityChanged: city.rowCount ?? 0, newOrders: orders.rowCount ?? 0, metricsChanged: metrics.rowCount ?? 0 };
}

interface SegmentTimings {
  name: string;
  matches: number;
  previewMs: number[];
  createMs: number;
  createMembers: number;
  refreshNoChangeMs: number[];
  refreshAfterChangeMs: number[];
  afterChange: { entered: number; exited: number }[];
}

async function runScale(baseUrl: string, customers: number) {
  const label = customers >= 1e6 ? `${customers / 1e6}M` : `${customers / 1e3}k`;
  console.log(`\n# Segments at ${int(customers)} customers`);
  const fill = async (target: { url: string; tenantId: string }) => {
    const bar = generateBar(`${label} generate`);
    const report = await generateDataset({
      databaseUrl: target.url, tenantId: target.tenantId, customers, seed, jobs, model, onProgress: (p) => bar.update(p),
    });
    bar.stop();
    return report;
  };
  const reuse = args.reuse ? await reuseBenchDatabase(baseUrl, `${args.reuse}_${label.toLowerCase()}`, customers, fill) : null;
  const db = reuse?.db ?? (await createBenchDatabase(baseUrl, benchDatabaseName(`seg_${label}`)));
  try {
    const generate: GenerateReport = reuse?.report ?? (await fill(db));
    console.log(`${reuse?.reused ? 'reusing' : 'generated'} ${int(generate.customers)} customers, ${int(generate.orders)} orders, ${int(generate.interactions)} interactions` +
      (reuse?.reused ? ` (${db.name}, generated ${generate.asOf.slice(0, 10)})` : ` in ${(generate.timings.totalMs / 1000).toFixed(1)} s`));

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    if (reuse?.reused) {
      // Earlier runs' segments go; their names would conflict.
      for (const table of ['segment_membership_event', 'segment_member', 'segment']) await client.query(`delete from ${table} where tenant_id = $1`, [db.tenantId]);
      await client.query('vacuum analyze segment_member, segment_membership_event');
    }
    const { rows: [{ cities }] } = await client.query(`select count(*) filter (where city is not null)::int as cities from customer where tenant_id = $1`, [db.tenantId]);
    const cityMs = cities > 0 ? 0 : (await timed(() => assignCities(client))).ms;
    console.log(cities > 0 ? 'cities already assigned' : `assigned cities in ${(cityMs / 1000).toFixed(1)} s`);

    const { rows: [{ scored }] } = await client.query(`select count(*)::int as scored from customer_metrics where tenant_id = $1`, [db.tenantId]);
    const recompute = reuse?.reused && scored > 0
      ? { ms: 0, value: { metricsRows: scored, runs: [] as RecomputeChildResult['runs'] } }
      : await (async () => {
        process.stderr.write(`${label}: metrics recompute (createJob + runJob, child process)…\n`);
        return timed(() => runRecompute(db.url, db.tenantId, generate.asOf));
      })();
    console.log(recompute.ms ? `metrics recompute ${(recompute.ms / 1000).toFixed(1)} s (${int(recompute.value.metricsRows)} customer_metrics rows)` : `metrics already computed (${int(scored)} rows)`);
    // A reused database has been rewritten by earlier runs (recomputes, city changes); compact it
    // so the scans measure the data, not the bloat a fresh database would not have. Not timed.
    await client.query(reuse?.reused ? 'vacuum (full, analyze) customer, customer_metrics' : 'vacuum analyze customer_metrics');

    const orm = await createOrm({ databaseUrl: db.url, poolMax: 4 });
    const sampler = rssSampler();
    const baselineRss = process.memoryUsage().rss;
    const results: SegmentTimings[] = [];
    const changes: Record<string, number>[] = [];
    try {
      const em = (): Em => sqlEm(orm);
      const asOf = new Date(generate.asOf);
      const list = rules(asOf);
      sampler.reset();
      // Preview: count + a sample of 10 (the resolver's default), runs + 2 times per rule.
      for (const { name, rule } of list) {
        const previewMs: number[] = [];
        let matches = 0;
        for (let i = 0; i < runs + 2; i++) {
          const t = await timed(() => previewSegment(em(), db.tenantId, rule, 10));
          previewMs.push(t.ms);
          matches = t.value.count;
        }
        results.push({ name, matches, previewMs, createMs: 0, createMembers: 0, refreshNoChangeMs: [], refreshAfterChangeMs: [], afterChange: [] });
        console.log(`preview  ${name.padEnd(44)} ${int(matches).padStart(9)} matches  median ${fmt(median(previewMs))} (${previewMs.map(fmt).join(', ')})`);
      }
      // Create (evaluates the rule and writes every member + an ENTERED event each), then refresh with no change.
      const ids: string[] = [];
      for (const [i, { name, rule }] of list.entries()) {
        const t = await timed(() => createSegment(em(), db.tenantId, { name, kind: SegmentKind.DYNAMIC, rule } as never, null));
        ids.push(t.value.id);
        results[i].createMs = t.ms;
        results[i].createMembers = t.value.size;
        for (let r = 0; r < runs; r++) {
          const refresh = await timed(() => refreshSegment(em(), db.tenantId, t.value.id));
          if (refresh.value.entered || refresh.value.exited) console.warn(`  unexpected change on a no-change refresh: +${refresh.value.entered} −${refresh.value.exited}`);
          results[i].refreshNoChangeMs.push(refresh.ms);
        }
        console.log(`create   ${name.padEnd(44)} ${int(t.value.size).padStart(9)} members  ${fmt(t.ms)}; refresh (no change) median ${fmt(median(results[i].refreshNoChangeMs))} (${results[i].refreshNoChangeMs.map(fmt).join(', ')})`);
      }
      // ~1% of customers change per kind of rule, then every segment is refreshed; `runs` rounds.
      for (let round = 1; round <= runs; round++) {
        const at = new Date();
        const changed = await changeOnePercent(client, db.tenantId, round, at);
        changes.push(changed);
        for (const [i, id] of ids.entries()) {
          const refresh = await timed(() => refreshSegment(em(), db.tenantId, id));
          results[i].refreshAfterChangeMs.push(refresh.ms);
          results[i].afterChange.push({ entered: refresh.value.entered, exited: refresh.value.exited });
        }
      }
      for (const r of results) {
        console.log(`refresh  ${r.name.padEnd(44)} after ~1% changed: median ${fmt(median(r.refreshAfterChangeMs))} (${r.refreshAfterChangeMs.map(fmt).join(', ')}); ` +
          r.afterChange.map((c) => `+${int(c.entered)} −${int(c.exited)}`).join(', '));
      }
      console.log(`changes per round: ${changes.map((c) => `${int(c.cityChanged)} cities, ${int(c.newOrders)} orders, ${int(c.metricsChanged)} metrics`).join(' | ')}`);
    } finally {
      await orm.close();
    }
    const { rows: sizes } = await client.query<{ table: string; bytes: string }>(
      `select relname as table, pg_total_relation_size(oid)::text as bytes from pg_class
        where relname in ('customer', 'customer_order', 'interaction', 'customer_metrics', 'segment_member', 'segment_membership_event') order by 1`,
    );
    await client.end();
    const peakRss = sampler.peak();
    console.log(`segment phase RSS: ${mib(baselineRss)} before, sampled peak ${mib(peakRss)}; process ru_maxrss ${mib(process.resourceUsage().maxRSS * 1024)}`);
    return {
      customers, database: db.name, generate, cityAssignMs: cityMs,
      recompute: { wallMs: recompute.ms, metricsRows: recompute.value.metricsRows, runs: recompute.value.runs.map((r) => ({ wallMs: r.wallMs, timings: r.timings, maxRssBytes: r.maxRssBytes })) },
      segments: results.map((r) => ({
        ...r,
        previewMedianMs: median(r.previewMs),
        refreshNoChangeMedianMs: median(r.refreshNoChangeMs),
        refreshAfterChangeMedianMs: median(r.refreshAfterChangeMs),
      })),
      changesPerRound: changes,
      memory: { baselineRssBytes: baselineRss, sampledPeakRssBytes: peakRss, maxRssBytes: process.resourceUsage().maxRSS * 1024 },
      tableBytes: Object.fromEntries(sizes.map((s) => [s.table, Number(s.bytes)])),
    };
  } finally {
    if (args.keep) console.log(`kept ${db.url}`);
    else await db.drop();
  }
}

async function main() {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) throw new Error('Set DATABASE_URL to a PostgreSQL server (postgres://…); bench databases are created beside it');
  const startedAt = new Date();
  const loadStart = os.loadavg();
  const scaleResults: Awaited<ReturnType<typeof runScale>>[] = [];
  for (const customers of scales) scaleResults.push(await runScale(baseUrl, customers));

  const byScale = (n: number) => scaleResults.find((r) => r.customers === n);
  const worst = (n: number, key: 'previewMedianMs' | 'refreshNoChangeMedianMs' | 'refreshAfterChangeMedianMs' | 'createMs') => {
    const r = byScale(n);
    return r ? Math.max(...r.segments.map((s) => s[key])) : null;
  };
  const preview100k = worst(100_000, 'previewMedianMs');
  const refresh1M = [worst(1_000_000, 'refreshNoChangeMedianMs'), worst(1_000_000, 'refreshAfterChangeMedianMs')].filter((v): v is number => v != null);
  const verdicts = {
    preview100k: preview100k == null ? 'not run' : { worstMedianMs: preview100k, targetMs: TARGETS.preview100kMs, met: preview100k < TARGETS.preview100kMs },
    refresh1M: refresh1M.length ? { worstMedianMs: Math.max(...refresh1M), targetMs: TARGETS.refresh1MSeconds * 1000, met: Math.max(...refresh1M) < TARGETS.refresh1MSeconds * 1000 } : 'not run',
  };
  console.log(`\nverdicts: ${JSON.stringify(verdicts)}`);

  if (!args['no-write']) {
    const commit = git('rev-parse', '--short', 'HEAD') || 'unknown';
    const dirty = git('status', '--porcelain').length > 0;
    const file = resultsFile(path.join(here, 'results'), `${startedAt.toISOString().slice(0, 10)}-segments-${commit}${quick ? '-quick' : ''}`);
    writeFileSync(file, JSON.stringify({
      benchmark: 'segments', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), commit, dirty,
      argv: process.argv.slice(2), runs, targets: TARGETS, verdicts,
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memBytes: os.totalmem(), loadavgStart: loadStart, loadavgEnd: os.loadavg(), node: process.version },
      rules: rules(new Date()).map((r) => r.name),
      scales: scaleResults,
    }, null, 2));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}

try {
  await main();
} catch (error) {
  if (!interrupted()) console.error(error);
  await dropAllBenchDatabases();
  process.exitCode = 1;
}
process.exit();
