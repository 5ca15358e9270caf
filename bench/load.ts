/**
 * Load benchmark (issue 7): Clientele's GraphQL API under autocannon, side by side with
 * PostGraphile v5 over the same tables (bench/peers/postgraphile-server.ts, read-only role) and the
 * practical upper bound (bench/raw-server.ts: one SQL statement per query through `pg`).
 *
 *   DATABASE_URL=postgres://…/test npm run bench -- [--quick] [options]
 *
 * --quick               20,000 customers, 5 s per run (about 5 minutes in all)
 * --customers N         customers to generate (default 100,000; 1,000,000 supported)
 * --duration S          seconds per scenario, server and connection count (default 10; quick 5)
 * --rounds N            each such run in N slices, the servers taking turns slice by slice (the order
 *                       reversed every round), merged into one figure per server (default 3; quick 1):
 *                       on this shared machine a 10 s window of one server can be a busy one that the
 *                       next server's window misses
 * --warmup S            seconds of warm-up per scenario and server at 16 connections (default 2; quick 1)
 * --process-warmup S    seconds per server, before the first scenario, of its read scenarios in turn at
 *                       16 connections (default 15; quick 3): a freshly started Node process spends its
 *                       first seconds compiling and sizing its heap, which fell on whichever scenario ran first
 * --connections 1,16,64 autocannon connection counts
 * --scenarios a,b       only these (list, card, highRisk, recordOrder, submitSurvey)
 * --peers raw,postgraphile  peers to run beside Clientele (default both; "none" for none)
 * --interactions 5      interaction rate per customer (bench/lib/datagen.ts)
 * --jobs 2              connections generating data
 * --pool 10             DB_POOL_MAX of every server
 * --fresh               regenerate the data even when a database of this scale exists
 * --drop                drop the database at the end (default: keep it for the next run)
 * --server-args "…"     extra Node flags for the Clientele process (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof")
 * --label NAME          appended to the results file name (e.g. an experiment); such runs leave bench/README.md alone
 * --no-write            do not write bench/results/*.json nor the table in bench/README.md
 *
 * Data: database `bench_load_<scale>` beside DATABASE_URL (e.g. bench_load_100k), migrated, with a
 * tenant, generateDataset (customers, heavy-tailed orders and interactions) + generateSurveyResponses,
 * one metrics recompute (bench/recompute-child.ts). The database comment records what was
 * generated; a later run with the same scale, seed and model REUSES it (pending migrations are
 * applied, nothing is regenerated) and says so. The write scenarios add rows to it (orders,
 * responses, re-scored metrics); `--fresh` starts over.
 *
 * Servers run as child processes on free ports (own RSS, own event loop). Clientele runs with
 * CLIENTELE_EXPOSE_SQL_COUNT=1: sample requests read `extensions.sqlStatements`. Before measuring,
 * the peers' answers to the same list, high-risk and card requests are normalised and compared
 * field by field with Clientele's (bench/peers/queries.ts).
 * Errors = connection errors + timeouts + non-2xx + 2xx responses whose body has GraphQL `errors`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { postgresCpuMs, procCpuMs, procRss, startNodeFlags } from './lib/proc.js';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { Role } from '../server/auth/api-key.entity.js';
import { createApiKey } from '../server/auth/keys.service.js';
import { createOrm, migrate, sqlEm } from '../server/db/orm.js';
import { createTenant } from '../server/tenants/tenant.service.js';
import { DEFAULT_SURVEY_RESPONSE_MODEL, generateDataset, generateSurveyResponses, resolveModel } from './lib/datagen.js';
import { databaseUrl } from './lib/database.js';
import { generateBar } from './lib/progress.js';
import { percentile, resultsFile } from './lib/results.js';
import { CLIENTELE, DIFFERENCES, firstDifference, normaliseCard, normaliseList, POSTGRAPHILE } from './peers/queries.js';
import { runRecomputeChild } from './lib/recompute.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const TARGETS = { listRatioVsPostGraphile: 1.0, p95MsAt16: 50, sqlStatementsPerRequest: 5, errors: 0, rssBytes: 500e6 }; // 500 MB, decimal: the stricter reading (477 MiB)
/** Bump when the generated data change shape, so older databases are not reused. */
const DATASET_VERSION = 'load-1';
const READER_ROLE = 'bench_load_reader';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    customers: { type: 'string' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    warmup: { type: 'string' },
    'process-warmup': { type: 'string' },
    connections: { type: 'string', default: '1,16,64' },
    scenarios: { type: 'string' },
    peers: { type: 'string', default: 'raw,postgraphile' },
    interactions: { type: 'string', default: '5' },
    jobs: { type: 'string', default: '2' },
    pool: { type: 'string', default: '10' },
    seed: { type: 'string', default: '42' },
    fresh: { type: 'boolean', default: false },
    drop: { type: 'boolean', default: false },
    'server-args': { type: 'string', default: '' },
    'no-write': { type: 'boolean', default: false },
    label: { type: 'string' },
  },
});
const quick = args.quick;
const customers = Number((args.customers ?? (quick ? '20000' : '100000')).replace(/_/g, ''));
const duration = Number(args.duration ?? (quick ? 5 : 10));
const rounds = Number(args.rounds ?? (quick ? 1 : 3));
const warmup = Number(args.warmup ?? (quick ? 1 : 2));
const processWarmup = Number(args['process-warmup'] ?? (quick ? 3 : 15));
/** Scenarios that leave the data as they are (a process warm-up runs only these). */
const READ_SCENARIOS = new Set(['list', 'card', 'highRisk']);
const connectionCounts = args.connections.split(',').map(Number);
const poolMax = Number(args.pool);
const seed = Number(args.seed);
const model = resolveModel({ interactionsPerCustomer: Number(args.interactions) });
const peerNames = args.peers === 'none' ? [] : args.peers.split(',').map((p) => p.trim());

const int = (v: number) => Math.round(v).toLocaleString('en-US');
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const ms = (v: number) => (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
const log = (msg: string) => process.stderr.write(`${msg}\n`);

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i <= 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

function git(...argv: string[]): string {
  try {
    return execFileSync('git', argv, { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Processes

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Served {
  name: string;
  url: string;
  child: ChildProcess;
  /** CPU time (user + system) the process has used, ms (Linux /proc; NaN elsewhere). */
  cpuMs(): number;
  /** Current and peak resident memory, from /proc (Linux). */
  rss(): { rssBytes: number; peakRssBytes: number };
  stop(): Promise<void>;
}

async function waitFor(url: string, init: RequestInit, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url, init);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not become ready at ${url}`);
}

async function startProcess(
  name: string, script: string, env: Record<string, string>, ready: (port: number) => [string, RequestInit], nodeArgs: string[] = [],
): Promise<Served> {
  const port = await freePort();
  // Built JavaScript runs as is (Clientele, as `npm start` runs it); the peers' TypeScript through tsx.
  const child = spawn(process.execPath, [...nodeArgs, ...(script.endsWith('.ts') ? ['--import', 'tsx'] : []), script], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const [readyUrl, init] = ready(port);
  await waitFor(readyUrl, init, child, name);
  return {
    name,
    url: `http://127.0.0.1:${port}/graphql`,
    child,
    rss: () => procRss(child.pid!),
    cpuMs: () => procCpuMs(child.pid!),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

function runRecompute(url: string, tenantId: string, asOf: string) {
  let lastLog = 0;
  return runRecomputeChild(url, tenantId, asOf, (message) => {
    if (Date.now() - lastLog > 2000) {
      lastLog = Date.now();
      log(`recompute: ${(message.progress * 100).toFixed(0)}% ${message.phase} ${int(message.processed)}/${int(message.total)}`);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Measurement

interface RunResult {
  scenario: string;
  server: string;
  connections: number;
  durationS: number;
  requests: number;
  reqPerSec: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  errors: number;
  errorDetail: { connection: number; timeouts: number; non2xx: number; graphql: number };
  firstError?: string;
  /** Server CPU time per response (user + system of the server process over the run / responses), ms. */
  cpuMsPerRequest: number;
  /**
   * CPU of the local PostgreSQL processes per response over the server's slices (only one server
   * runs at a time, so it is that server's statements' cost, plus whatever else the database did
   * meanwhile); null when PostgreSQL is not local.
   */
  postgresCpuMsPerRequest: number | null;
  /**
   * WAL the PostgreSQL cluster wrote per response over the server's slices, bytes; null when it
   * could not be read. A write's own records, plus a whole page for the first change to each page
   * after a checkpoint starts (full_page_writes): a checkpoint during a write scenario shows here.
   */
  walBytesPerRequest: number | null;
  rssBytes: number;
  peakRssBytes: number;
}

/** Live request count of the run in progress, for the progress bar. */
let liveRequests = 0;

/** One autocannon run against one server (a round's slice of a RunResult). */
interface Slice {
  latencies: number[];
  durationS: number;
  cpuMs: number;
  postgresCpuMs: number | null;
  connectionErrors: number;
  timeouts: number;
  non2xx: number;
  graphqlErrors: number;
  firstError?: string;
  /** WAL PostgreSQL wrote during the slice (walBytesSince); null when it could not be read. */
  walBytes: number | null;
}

async function cannon(served: Served, headers: Record<string, string>, scenario: Scenario, connections: number, seconds: number): Promise<Slice> {
  liveRequests = 0;
  const latencies: number[] = [];
  let graphqlErrors = 0;
  let firstError: string | undefined;
  const instance = autocannon({
    url: served.url,
    connections,
    duration: seconds,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        headers,
        setupRequest: (req) => ({ ...req, body: scenario.bodies[served.name]!() }),
        onResponse: (status, body) => {
          if (status >= 200 && status < 300 && body.includes('"errors"')) {
            graphqlErrors++;
            firstError ??= body.slice(0, 500);
          } else if (status >= 300) firstError ??= `${status}: ${body.slice(0, 500)}`;
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    liveRequests++;
  });
  const cpuStart = served.cpuMs();
  const postgresStart = postgresCpuMs();
  const result = await instance;
  const postgresEnd = postgresCpuMs();
  return {
    latencies,
    durationS: result.duration,
    cpuMs: served.cpuMs() - cpuStart,
    postgresCpuMs: postgresStart === null || postgresEnd === null ? null : postgresEnd - postgresStart,
    connectionErrors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    graphqlErrors,
    firstError,
    walBytes: null,
  };
}

/** A server's slices of one scenario and connection count as one run: all their requests over all their time. */
function summarise(served: Served, scenario: Scenario, connections: number, slices: Slice[]): RunResult {
  const latencies = slices.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const durationS = slices.reduce((sum, s) => sum + s.durationS, 0);
  const total = (key: 'cpuMs' | 'connectionErrors' | 'timeouts' | 'non2xx' | 'graphqlErrors') => slices.reduce((sum, s) => sum + s[key], 0);
  const connection = total('connectionErrors');
  return {
    scenario: scenario.name,
    server: served.name,
    connections,
    durationS,
    requests: latencies.length,
    reqPerSec: latencies.length / durationS,
    latencyMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? NaN,
      mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    },
    errors: connection + total('timeouts') + total('non2xx') + total('graphqlErrors'),
    errorDetail: { connection, timeouts: total('timeouts'), non2xx: total('non2xx'), graphql: total('graphqlErrors') },
    firstError: slices.find((s) => s.firstError)?.firstError,
    cpuMsPerRequest: total('cpuMs') / Math.max(1, latencies.length),
    postgresCpuMsPerRequest: slices.some((s) => s.postgresCpuMs === null)
      ? null
      : slices.reduce((sum, s) => sum + s.postgresCpuMs!, 0) / Math.max(1, latencies.length),
    walBytesPerRequest: slices.some((s) => s.walBytes === null) ? null : slices.reduce((sum, s) => sum + s.walBytes!, 0) / Math.max(1, latencies.length),
    ...served.rss(),
  };
}

async function graphql(url: string, headers: Record<string, string>, body: string): Promise<{ data?: any; errors?: any[]; extensions?: any }> {
  const res = await fetch(url, { method: 'POST', headers, body });
  return (await res.json()) as { data?: any; errors?: any[]; extensions?: any };
}


// ---------------------------------------------------------------------------------------------
// Data: one database per scale, reused while it matches

interface Dataset {
  version: string;
  customers: number;
  seed: number;
  interactions: number;
  surveyResponses: typeof DEFAULT_SURVEY_RESPONSE_MODEL;
  tenantId: string;
  asOf: string;
  generated: { orders: number; countedOrders: number; interactions: number; surveyResponses: number; generateMs: number; surveyMs: number; recomputeMs: number; metricsRows: number };
  createdAt: string;
}

/**
 * Waits until no other session of the bench database runs a statement (two readings 50 ms apart),
 * at most 60 s; returns the seconds waited. autocannon stops at the end of a slice with requests
 * still in flight, and the server goes on with them (and with those waiting for a pooled
 * connection): the raw peer's highRisk leaves up to a second of PostgreSQL work behind at 16
 * connections. Without this the next server's slice ran on top of it, its latencies and its
 * PostgreSQL CPU per request included.
 */
async function untilDatabaseIdle(watcher: pg.Client): Promise<number> {
  const start = performance.now();
  for (let quiet = 0; quiet < 2 && performance.now() - start < 60_000; ) {
    const { rows: [{ busy }] } = await watcher.query<{ busy: number }>(
      `select count(*)::int as busy from pg_stat_activity where datname = current_database() and state = 'active' and pid <> pg_backend_pid()`,
    );
    quiet = busy ? 0 : quiet + 1;
    if (quiet < 2) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return (performance.now() - start) / 1000;
}

/** The cluster's current WAL position, or null when this server cannot tell (a standby, no privilege). */
async function walLsn(client: pg.Client): Promise<string | null> {
  try {
    const { rows: [{ lsn }] } = await client.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
    return lsn;
  } catch {
    return null;
  }
}

/** WAL bytes written since `lsn` (walLsn), or null. */
async function walBytesSince(client: pg.Client, lsn: string): Promise<number | null> {
  try {
    const { rows: [{ bytes }] } = await client.query<{ bytes: string }>('select pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::text as bytes', [lsn]);
    return Number(bytes);
  } catch {
    return null;
  }
}

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const quoteLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function readDataset(baseUrl: string, name: string): Promise<Dataset | null> {
  return admin(baseUrl, async (c) => {
    const { rows } = await c.query<{ comment: string | null }>(
      'select shobj_description(oid, $2) as comment from pg_database where datname = $1', [name, 'pg_database']);
    if (!rows.length || !rows[0].comment) return null;
    try {
      return JSON.parse(rows[0].comment) as Dataset;
    } catch {
      return null;
    }
  });
}

async function prepareDataset(baseUrl: string): Promise<{ name: string; url: string; dataset: Dataset; reused: boolean }> {
  const label = customers >= 1e6 && customers % 1e6 === 0 ? `${customers / 1e6}m` : customers % 1e3 === 0 ? `${customers / 1e3}k` : String(customers);
  const name = `bench_load_${label}`;
  const url = databaseUrl(baseUrl, name);
  const wanted = { version: DATASET_VERSION, customers, seed, interactions: model.interactionsPerCustomer, surveyResponses: DEFAULT_SURVEY_RESPONSE_MODEL };
  const existing = args.fresh ? null : await readDataset(baseUrl, name);
  if (existing && JSON.stringify({ version: existing.version, customers: existing.customers, seed: existing.seed, interactions: existing.interactions, surveyResponses: existing.surveyResponses }) === JSON.stringify(wanted)) {
    // Same data: only bring the schema up to date (e.g. a new index) and go.
    const orm = await createOrm({ databaseUrl: url, poolMax: 2 });
    try {
      const applied = await migrate(orm);
      if (applied.length) console.log(`applied pending migrations to ${name}: ${applied.join(', ')}`);
    } finally {
      await orm.close();
    }
    console.log(`REUSING database ${name}: generated ${existing.createdAt} (${int(existing.customers)} customers, ${int(existing.generated.orders)} orders, ` +
      `${int(existing.generated.interactions)} interactions, ${int(existing.generated.surveyResponses)} survey responses; asOf ${existing.asOf.slice(0, 10)}); --fresh regenerates`);
    return { name, url, dataset: existing, reused: true };
  }
  console.log(`generating database ${name}${existing ? ' (the existing one was made differently)' : ''}…`);
  await admin(baseUrl, async (c) => {
    await c.query(`drop database if exists ${name} with (force)`);
    await c.query(`create database ${name}`);
  });
  const orm = await createOrm({ databaseUrl: url, poolMax: 2 });
  let tenantId: string;
  try {
    await migrate(orm);
    tenantId = (await createTenant(sqlEm(orm), { slug: 'bench', name: 'Bench Co.' })).id;
  } finally {
    await orm.close();
  }
  const bar = generateBar('generate');
  const generate = await generateDataset({ databaseUrl: url, tenantId, customers, seed, jobs: Number(args.jobs), model, onProgress: (p) => bar.update(p) });
  bar.stop();
  const surveyBar = progressBar('survey responses', customers, 'customers');
  const survey = await generateSurveyResponses({
    databaseUrl: url, tenantId, customers, seed, asOf: generate.asOf, model, jobs: Number(args.jobs),
    onProgress: (p) => surveyBar.update(p.done, { extra: `${int(p.responses)} responses` }),
  });
  surveyBar.stop();
  console.log(`generated ${int(generate.customers)} customers, ${int(generate.orders)} orders, ${int(generate.interactions)} interactions in ` +
    `${(generate.timings.totalMs / 1000).toFixed(1)} s; ${int(survey.responses)} survey responses in ${(survey.ms / 1000).toFixed(1)} s`);
  const recomputeStart = performance.now();
  const recompute = await runRecompute(url, tenantId, generate.asOf);
  console.log(`metrics recompute: ${(recompute.runs[0].wallMs / 1000).toFixed(1)} s, ${int(recompute.metricsRows)} customer_metrics rows`);
  const dataset: Dataset = {
    ...wanted, tenantId, asOf: generate.asOf, createdAt: new Date().toISOString(),
    generated: {
      orders: generate.orders, countedOrders: generate.countedOrders, interactions: generate.interactions, surveyResponses: survey.responses,
      generateMs: generate.timings.totalMs, surveyMs: survey.ms, recomputeMs: performance.now() - recomputeStart, metricsRows: recompute.metricsRows,
    },
  };
  // Written last: a database without it (interrupted generation) is never reused.
  await admin(baseUrl, (c) => c.query(`comment on database ${name} is ${quoteLiteral(JSON.stringify(dataset))}`));
  return { name, url, dataset, reused: false };
}

/** The role PostGraphile connects as: it can read the tables and nothing else. */
async function ensureReaderRole(url: string, name: string): Promise<string> {
  await admin(url, async (c) => {
    await c.query(`do $$ begin if not exists (select 1 from pg_roles where rolname = '${READER_ROLE}') then create role ${READER_ROLE} login; end if; end $$`);
    await c.query(`alter role ${READER_ROLE} set default_transaction_read_only = on`);
    await c.query(`grant connect on database ${name} to ${READER_ROLE}`);
    await c.query(`grant usage on schema public to ${READER_ROLE}`);
    await c.query(`grant select on all tables in schema public to ${READER_ROLE}`);
  });
  const reader = new URL(url);
  reader.username = READER_ROLE;
  reader.password = '';
  return reader.toString();
}

// ---------------------------------------------------------------------------------------------
// Progress

function progressBar(label: string, total: number, unit: string): { update(value: number, payload?: { extra?: string }): void; stop(): void } {
  if (!process.stderr.isTTY) {
    let last = 0;
    return {
      update(value, payload) {
        if (performance.now() - last > 5000 || value >= total) {
          last = performance.now();
          log(`${label}: ${int(value)}/${int(total)} ${unit} ${payload?.extra ?? ''}`);
        }
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {extra} | {duration_formatted}`,
    hideCursor: true, barsize: 24, stream: process.stderr,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, { extra: '' });
  return { update: (value, payload) => bar.update(value, payload ?? {}), stop: () => bar.stop() };
}

// ---------------------------------------------------------------------------------------------

interface Scenario {
  name: string;
  description: string;
  /** Servers that answer it (Clientele first), each with a fresh request body per request. */
  bodies: Record<string, () => string>;
}

function markdownTable(headers: string[], rows: (string | number)[][], align: ('l' | 'r')[]): string {
  return [
    `| ${headers.join(' | ')} |`,
    `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

async function main() {
  const started = new Date();
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) throw new Error('Set DATABASE_URL to a PostgreSQL server (postgres://…); the bench database is created beside it');
  const commit = git('rev-parse', '--short', 'HEAD') || 'nocommit';
  const dirty = git('status', '--porcelain', '--untracked-files=no').length > 0;
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    loadAverageAtStart: os.loadavg(),
    node: process.version,
  };
  console.log(
    `load benchmark ${quick ? '(quick) ' : ''}at ${commit}${dirty ? ' (uncommitted changes)' : ''}: ${int(customers)} customers, ` +
      `${duration} s per run${rounds > 1 ? ` (${rounds} interleaved rounds)` : ''} at ${connectionCounts.join('/')} connections; ${machine.cpus} × ${machine.cpuModel}, load ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}, Node ${machine.node}`,
  );

  const db = await prepareDataset(baseUrl);
  const tenantId = db.dataset.tenantId;
  const servers: Served[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'clientele-load-'));
  try {
    // Key, ids, churn mix, PostgreSQL settings
    const orm = await createOrm({ databaseUrl: db.url, poolMax: 2 });
    let key: string;
    try {
      ({ key } = await createApiKey(sqlEm(orm), tenantId, Role.ADMIN, 'load benchmark'));
    } finally {
      await orm.close();
    }
    const { ids, churnMix, postgres } = await admin(db.url, async (client) => ({
      ids: (await client.query<{ id: string }>('select id from customer where tenant_id = $1 order by hashtext(id::text) limit 5000', [tenantId])).rows.map((r) => r.id),
      churnMix: Object.fromEntries(
        (await client.query<{ level: string; n: number }>(`select coalesce(churn_level, 'none') as level, count(*)::int as n from customer_metrics where tenant_id = $1 group by 1 order by 1`, [tenantId])).rows.map((r) => [r.level, r.n]),
      ),
      postgres: Object.fromEntries((await client.query<{ name: string; setting: string }>(
        `select name, setting from pg_settings where name in ('server_version', 'shared_buffers', 'work_mem', 'jit', 'max_connections')`)).rows.map((r) => [r.name, r.setting])),
    }));
    console.log(`churn levels: ${Object.entries(churnMix).map(([k, v]) => `${k} ${int(v)}`).join(', ')}`);
    const readerUrl = await ensureReaderRole(db.url, db.name);
    // Autovacuum may be off (it is on this machine): every run starts from vacuumed, analysed
    // tables, as autovacuum would keep them — the recompute and the previous run's writes leave
    // customer_metrics without statistics and with dead rows otherwise.
    const vacuumStart = performance.now();
    await admin(db.url, (c) => c.query('vacuum (analyze)'));
    console.log(`vacuum (analyze): ${((performance.now() - vacuumStart) / 1000).toFixed(1)} s`);

    // Servers
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
    log('building and starting Clientele…');
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-server.ts'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    const clientele = await startProcess(
      'clientele',
      'dist/main.js',
      { DATABASE_URL: db.url, CLIENTELE_SEED_DEMO: 'false', CLIENTELE_EXPOSE_SQL_COUNT: '1', LOG_LEVEL: 'silent', HOST: '127.0.0.1', DB_POOL_MAX: String(poolMax), CLIENTELE_DATA_DIR: dataDir, NODE_ENV: 'production' },
      (port) => [`http://127.0.0.1:${port}/health/ready`, {}],
      [...startNodeFlags(root), ...args['server-args'].split(' ').filter(Boolean)],
    );
    servers.push(clientele);
    let postgraphile: Served | null = null;
    if (peerNames.includes('postgraphile')) {
      log('starting PostGraphile…');
      postgraphile = await startProcess('postgraphile', 'bench/peers/postgraphile-server.ts', { DATABASE_URL: readerUrl, DB_POOL_MAX: String(poolMax), GRAPHILE_ENV: 'production' }, (port) => [
        `http://127.0.0.1:${port}/graphql`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) },
      ]);
      servers.push(postgraphile);
    }
    let raw: Served | null = null;
    if (peerNames.includes('raw')) {
      raw = await startProcess('raw', 'bench/raw-server.ts', { DATABASE_URL: db.url, DB_POOL_MAX: String(poolMax) }, (port) => [
        `http://127.0.0.1:${port}/graphql`,
        { method: 'POST', headers, body: JSON.stringify({ operationName: 'List', query: CLIENTELE.List }) },
      ]);
      servers.push(raw);
    }
    const startRss = Object.fromEntries(servers.map((s) => [s.name, s.rss()]));

    // An NPS survey for submitSurveyResponse.
    const survey = await graphql(clientele.url, headers, JSON.stringify({
      query: `mutation { createSurvey(input: { kind: NPS, name: "Load benchmark NPS" }) { id } }`,
    }));
    const surveyId: string | undefined = survey.data?.createSurvey?.id;
    if (surveyId) {
      const activated = await graphql(clientele.url, headers, JSON.stringify({ query: `mutation($id: ID!) { setSurveyStatus(id: $id, status: ACTIVE) { id status } }`, variables: { id: surveyId } }));
      if (activated.errors) console.log(`setSurveyStatus failed: ${JSON.stringify(activated.errors).slice(0, 300)}`);
    } else console.log(`createSurvey failed: ${JSON.stringify(survey.errors).slice(0, 300)}`);

    const runId = `${process.pid}-${Date.now().toString(36)}`;
    let sequence = 0;
    let pick = 0;
    const randomId = () => ids[Math.floor(Math.random() * ids.length)];
    const nextId = () => ids[pick++ % ids.length]; // the same id sequence for every server
    const readBodies = (op: 'List' | 'HighRisk' | 'Card'): Record<string, () => string> => {
      const bodies: Record<string, () => string> = {};
      if (op === 'Card') {
        bodies.clientele = () => JSON.stringify({ operationName: op, query: CLIENTELE.Card, variables: { id: nextId() } });
        if (postgraphile) bodies.postgraphile = () => JSON.stringify({ operationName: op, query: POSTGRAPHILE.Card, variables: { tenantId, id: nextId() } });
        if (raw) bodies.raw = bodies.clientele;
      } else {
        bodies.clientele = () => JSON.stringify({ operationName: op, query: CLIENTELE[op] });
        if (postgraphile) bodies.postgraphile = () => JSON.stringify({ operationName: op, query: POSTGRAPHILE[op], variables: { tenantId } });
        if (raw) bodies.raw = bodies.clientele;
      }
      return bodies;
    };
    const all: Scenario[] = [
      { name: 'list', description: 'customers(first: 50) with metrics and the last 3 interactions', bodies: readBodies('List') },
      { name: 'card', description: 'customer(id) card: profile, metrics, last 5 interactions and orders; 5,000 ids in turn', bodies: readBodies('Card') },
      { name: 'highRisk', description: 'customers(first: 50) with churnRisk HIGH, by predicted CLV desc', bodies: readBodies('HighRisk') },
      {
        name: 'recordOrder', description: 'recordOrder with a line item, random customer, unique idempotency keys',
        bodies: {
          clientele: () => JSON.stringify({
            operationName: 'RecordOrder', query: CLIENTELE.RecordOrder,
            variables: { key: `load-${runId}-${++sequence}`, input: { customerId: randomId(), channel: 'WEB', lineItems: [{ sku: 'BENCH-1', name: 'Bench item', category: 'Books', quantity: 2, unitPrice: '19.95' }] } },
          }),
        },
      },
      ...(surveyId ? [{
        name: 'submitSurvey', description: 'submitSurveyResponse (NPS, complete), random customer, unique idempotency keys',
        bodies: {
          clientele: () => JSON.stringify({
            operationName: 'SubmitSurvey', query: CLIENTELE.SubmitSurvey,
            variables: { key: `load-${runId}-${++sequence}`, input: { surveyId, customerId: randomId(), channel: 'WEB', answers: [{ questionId: 'nps', value: ++sequence % 11 }] } },
          }),
        },
      }] : []),
    ];
    const only = args.scenarios?.split(',');
    const scenarios = only ? all.filter((s) => only.includes(s.name)) : all;

    // Samples: SQL statements per request, and the peers' answers compared with Clientele's.
    const sqlStatements: Record<string, number | null> = {};
    const equivalence: Record<string, Record<string, string>> = {};
    const sqlByPageSize: Record<number, number | null> = {};
    for (const n of [1, 10, 50, 100]) {
      const r = await graphql(clientele.url, headers, JSON.stringify({ query: CLIENTELE.listOfSize(n) }));
      sqlByPageSize[n] = r.errors ? null : (r.extensions?.sqlStatements ?? null);
    }
    console.log(`list: SQL statements per request by page size: ${Object.entries(sqlByPageSize).map(([n, c]) => `first ${n}: ${c}`).join(', ')}`);
    for (const scenario of scenarios) {
      const sample = await graphql(clientele.url, headers, scenario.bodies.clientele());
      sqlStatements[scenario.name] = typeof sample.extensions?.sqlStatements === 'number' ? sample.extensions.sqlStatements : null;
      if (sample.errors) console.log(`${scenario.name}: sample request failed: ${JSON.stringify(sample.errors).slice(0, 400)}`);
      if (!['list', 'card', 'highRisk'].includes(scenario.name)) continue;
      equivalence[scenario.name] = {};
      for (const peer of [postgraphile, raw]) {
        if (!peer) continue;
        const checks = scenario.name === 'card' ? 20 : 1;
        let verdict = 'same rows and fields';
        for (let i = 0; i < checks && verdict === 'same rows and fields'; i++) {
          const id = ids[(i * 97) % ids.length];
          const a = scenario.name === 'card'
            ? await graphql(clientele.url, headers, JSON.stringify({ query: CLIENTELE.Card, variables: { id } }))
            : await graphql(clientele.url, headers, scenario.bodies.clientele());
          const b = peer === raw
            ? await graphql(peer.url, headers, scenario.name === 'card' ? JSON.stringify({ operationName: 'Card', query: CLIENTELE.Card, variables: { id } }) : scenario.bodies.raw())
            : await graphql(peer.url, { 'content-type': 'application/json' }, scenario.name === 'card'
              ? JSON.stringify({ query: POSTGRAPHILE.Card, variables: { tenantId, id } }) : scenario.bodies.postgraphile());
          if (a.errors || b.errors) {
            verdict = `error: ${JSON.stringify(a.errors ?? b.errors).slice(0, 300)}`;
            break;
          }
          const dialect = peer === postgraphile ? 'postgraphile' : 'clientele';
          const na = scenario.name === 'card' ? normaliseCard(a, 'clientele') : normaliseList(a, 'clientele');
          const nb = scenario.name === 'card' ? normaliseCard(b, dialect) : normaliseList(b, dialect);
          const diff = firstDifference(na, nb);
          if (diff) verdict = `DIFFERS at ${diff.slice(0, 300)}`;
          else if (scenario.name === 'card' && i === checks - 1) verdict = `same rows and fields (${checks} cards)`;
        }
        equivalence[scenario.name][peer.name] = verdict;
        console.log(`${scenario.name}: ${peer.name} vs clientele: ${verdict}`);
      }
    }

    // Runs
    const plan = scenarios.flatMap((s) => connectionCounts.flatMap((c) => Object.keys(s.bodies).map((server) => ({ scenario: s, connections: c, server }))));
    const warmups = scenarios.flatMap((s) => Object.keys(s.bodies).map((server) => ({ scenario: s, server })));
    // Each server's read scenarios share its process warm-up.
    const processWarmups = servers.flatMap((server) => {
      const reads = scenarios.filter((s) => READ_SCENARIOS.has(s.name) && s.bodies[server.name]);
      return processWarmup > 0 ? reads.map((scenario) => ({ scenario, server: server.name, seconds: processWarmup / reads.length })) : [];
    });
    const totalSeconds = plan.length * duration + warmups.length * warmup + processWarmups.reduce((sum, w) => sum + w.seconds, 0);
    const bar = progressBar('load', totalSeconds, 's');
    let elapsed = 0;
    let current = '';
    const ticker = setInterval(() => bar.update(Math.min(totalSeconds, elapsed + (performance.now() - runStart) / 1000), { extra: `${current} ${int(liveRequests)} req` }), 500);
    let runStart = performance.now();
    const byName = Object.fromEntries(servers.map((s) => [s.name, s]));
    const runs: RunResult[] = [];
    const watcher = new pg.Client({ connectionString: db.url });
    await watcher.connect();
    let drainedS = 0;
    try {
      for (const w of processWarmups) {
        current = `${w.server} process warm-up (${w.scenario.name})`;
        runStart = performance.now();
        await cannon(byName[w.server], headers, w.scenario, 16, w.seconds);
        elapsed += w.seconds;
      }
      for (const scenario of scenarios) {
        for (const w of warmups.filter((x) => x.scenario === scenario)) {
          if (warmup <= 0) continue;
          current = `${scenario.name} @ ${w.server} warm-up`;
          runStart = performance.now();
          await cannon(byName[w.server], headers, scenario, 16, warmup);
          elapsed += warmup;
        }
        for (const connections of connectionCounts) {
          const names = plan.filter((x) => x.scenario === scenario && x.connections === connections).map((x) => x.server);
          const slices = new Map<string, Slice[]>(names.map((name) => [name, []]));
          for (let round = 0; round < rounds; round++) {
            for (const name of round % 2 ? [...names].reverse() : names) {
              current = `${scenario.name} @ ${name} ${connections}c${rounds > 1 ? ` (${round + 1}/${rounds})` : ''}`;
              drainedS += await untilDatabaseIdle(watcher);
              runStart = performance.now();
              const walStart = await walLsn(watcher);
              const slice = await cannon(byName[name], headers, scenario, connections, duration / rounds);
              slice.walBytes = walStart === null ? null : await walBytesSince(watcher, walStart);
              slices.get(name)!.push(slice);
              elapsed += duration / rounds;
            }
          }
          for (const name of names) {
            const run = summarise(byName[name], scenario, connections, slices.get(name)!);
            runs.push(run);
            const label = `${scenario.name} @ ${name} ${connections}c`;
            if (!process.stderr.isTTY) log(`${label}: ${int(run.reqPerSec)} req/s, p95 ${ms(run.latencyMs.p95)} ms, ${run.errors} errors`);
            if (run.firstError) log(`\n${label}: first error: ${run.firstError}`);
          }
        }
      }
    } finally {
      clearInterval(ticker);
      bar.stop();
      await watcher.end();
    }
    log(`waited ${drainedS.toFixed(1)} s in all for PostgreSQL to finish the previous slice's statements`);
    const endRss = Object.fromEntries(servers.map((s) => [s.name, s.rss()]));

    // Report
    const find = (scenario: string, server: string, connections: number) => runs.find((r) => r.scenario === scenario && r.server === server && r.connections === connections);
    const ratio = (a?: RunResult, b?: RunResult) => (a && b ? a.reqPerSec / b.reqPerSec : null);
    const fmtRatio = (v: number | null) => (v === null ? '' : v.toFixed(2));
    // Node's CPU + PostgreSQL's, per response.
    const cpu = (r?: RunResult) => (r ? `${r.cpuMsPerRequest.toFixed(1)}${r.postgresCpuMsPerRequest === null ? '' : ` + ${r.postgresCpuMsPerRequest.toFixed(1)}`}` : '');
    const lat = (r?: RunResult) => (r ? `${ms(r.latencyMs.p50)} / ${ms(r.latencyMs.p95)} / ${ms(r.latencyMs.p99)}` : '');
    const rows = scenarios.flatMap((s) => connectionCounts.map((c) => {
      const a = find(s.name, 'clientele', c), g = find(s.name, 'postgraphile', c), r = find(s.name, 'raw', c);
      return [
        s.name, c, a ? int(a.reqPerSec) : '', lat(a), a?.errors ?? '', sqlStatements[s.name] ?? '?', cpu(a), a ? mib(a.rssBytes) : '',
        g ? int(g.reqPerSec) : '', g ? ms(g.latencyMs.p95) : '', cpu(g), g ? g.errors : '',
        r ? int(r.reqPerSec) : '', r ? ms(r.latencyMs.p95) : '', cpu(r), r ? r.errors : '',
        fmtRatio(ratio(a, g)), fmtRatio(ratio(a, r)),
      ];
    }));
    const head = ['scenario', 'conns', 'Clientele req/s', 'p50 / p95 / p99 ms', 'errors', 'SQL/req', 'CPU ms/req Node + PG', 'RSS', 'PostGraphile req/s', 'p95 ms', 'CPU ms/req', 'errors', 'raw req/s', 'p95 ms', 'CPU ms/req', 'errors', 'C/PG', 'C/raw'];
    console.log(`\n# Load (${int(customers)} customers, ${duration} s per run${rounds > 1 ? ` in ${rounds} interleaved rounds` : ''}, pool ${poolMax})`);
    console.log(table(head, rows));
    const rssLine = servers.map((s) => `${s.name} ${mib(startRss[s.name].rssBytes)} at start, ${mib(endRss[s.name].rssBytes)} at end, peak ${mib(endRss[s.name].peakRssBytes)}`).join('; ');
    console.log(`\nserver RSS: ${rssLine}`);
    const walLine = scenarios.filter((s) => !READ_SCENARIOS.has(s.name)).map((s) => {
      const perRequest = connectionCounts.map((c) => find(s.name, 'clientele', c)?.walBytesPerRequest);
      return perRequest.every((b) => b == null) ? null : `${s.name} ${perRequest.map((b) => (b == null ? '?' : (b / 1024).toFixed(1))).join(' / ')}`;
    }).filter(Boolean).join('; ');
    const walLabel = `WAL per write response at ${connectionCounts.join(' / ')} connections, KiB`;
    if (walLine) console.log(`${walLabel} (a checkpoint starting mid-scenario raises it): ${walLine}`);

    const clienteleRuns = runs.filter((r) => r.server === 'clientele');
    const listRatios = connectionCounts.map((c) => ratio(find('list', 'clientele', c), find('list', 'postgraphile', c))).filter((v): v is number => v !== null);
    const verdicts = {
      listRatioVsPostGraphile: listRatios.length ? listRatios.every((v) => v >= TARGETS.listRatioVsPostGraphile) : null,
      p95Under50msAt16: Object.fromEntries(clienteleRuns.filter((r) => r.connections === 16).map((r) => [r.scenario, r.latencyMs.p95 < TARGETS.p95MsAt16])),
      atMost5SqlStatements: { ...Object.fromEntries(Object.entries(sqlStatements).map(([k, v]) => [k, v === null ? null : v <= TARGETS.sqlStatementsPerRequest])),
        listAtEveryPageSize: Object.values(sqlByPageSize).every((v) => v !== null && v <= TARGETS.sqlStatementsPerRequest) },
      zeroErrors: clienteleRuns.every((r) => r.errors === 0),
      rssUnder500MB: endRss.clientele.peakRssBytes < TARGETS.rssBytes,
    };
    const yes = (v: boolean | null) => (v === null ? 'not measured' : v ? 'met' : 'NOT met');
    const targetLines = [
      `list throughput ≥ PostGraphile's: ${yes(verdicts.listRatioVsPostGraphile)} (C/PG ${listRatios.map((v) => v.toFixed(2)).join(' / ')} at ${connectionCounts.join('/')} connections)`,
      `p95 < 50 ms at 16 connections: ${Object.entries(verdicts.p95Under50msAt16).map(([k, v]) => `${k} ${ms(find(k, 'clientele', 16)!.latencyMs.p95)} ms ${yes(v)}`).join(', ')}`,
      `≤ 5 SQL statements per request: ${Object.entries(sqlStatements).map(([k, v]) => `${k} ${v}`).join(', ')}; list at first 1/10/50/100: ${Object.values(sqlByPageSize).join('/')} → ` +
        `${Object.entries(verdicts.atMost5SqlStatements).filter(([, v]) => v === false).map(([k]) => k).join(', ') || 'all'} ${Object.values(verdicts.atMost5SqlStatements).every((v) => v !== false) ? 'met' : 'NOT met'}`,
      `zero errors: ${yes(verdicts.zeroErrors)}`,
      `server RSS < 500 MB: ${yes(verdicts.rssUnder500MB)} (Clientele peak ${mib(endRss.clientele.peakRssBytes)} = ${(endRss.clientele.peakRssBytes / 1e6).toFixed(0)} MB)`,
    ];
    console.log(`\n# Targets\n${targetLines.map((l) => `- ${l}`).join('\n')}`);
    console.log(`\n# Equivalence\n${Object.entries(equivalence).map(([s, v]) => `- ${s}: ${Object.entries(v).map(([p, r]) => `${p} ${r}`).join('; ')}`).join('\n')}`);

    const result = {
      benchmark: 'load',
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      commit,
      uncommittedChanges: dirty,
      argv: process.argv.slice(2),
      quick,
      machine: { ...machine, loadAverageAtEnd: os.loadavg(), postgres },
      label: args.label ?? null,
      settings: { customers, durationS: duration, rounds, warmupS: warmup, processWarmupS: processWarmup, connections: connectionCounts, poolMax, autocannon: '9.0.0', postgraphile: '5.1.5 (amber preset)', serverArgs: args['server-args'] },
      database: { name: db.name, reused: db.reused },
      data: { ...db.dataset, churnMix },
      queries: { clientele: CLIENTELE, postgraphile: POSTGRAPHILE },
      differences: DIFFERENCES,
      equivalence,
      scenarios: scenarios.map((s) => ({ name: s.name, description: s.description, servers: Object.keys(s.bodies), sqlStatements: sqlStatements[s.name] })),
      sqlByPageSize,
      rss: { start: startRss, end: endRss },
      runs,
      ratios: scenarios.map((s) => ({
        scenario: s.name,
        byConnections: Object.fromEntries(connectionCounts.map((c) => [c, {
          vsPostGraphile: ratio(find(s.name, 'clientele', c), find(s.name, 'postgraphile', c)),
          vsRaw: ratio(find(s.name, 'clientele', c), find(s.name, 'raw', c)),
        }])),
      })),
      targets: TARGETS,
      verdicts,
    };
    if (!args['no-write']) {
      const file = resultsFile(path.join(here, 'results'), `${started.toISOString().slice(0, 10)}-load-${commit}${quick ? '-quick' : ''}${args.label ? `-${args.label}` : ''}`);
      writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
      console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
      // The latest table in bench/README.md, between its markers.
      const readme = path.join(here, 'README.md');
      const text = readFileSync(readme, 'utf8');
      const begin = '<!-- load:latest:begin -->', end = '<!-- load:latest:end -->';
      if (!args.label && text.includes(begin) && text.includes(end)) {
        const md = [
          begin,
          `Written by \`npm run bench\` from \`bench/results/${path.basename(file)}\`: ${int(customers)} customers (${int(db.dataset.generated.orders)} orders, ` +
            `${int(db.dataset.generated.interactions)} interactions, ${int(db.dataset.generated.surveyResponses)} survey responses; HIGH churn ${int(churnMix.HIGH ?? 0)}), ` +
            `${duration} s per run${rounds > 1 ? ` in ${rounds} interleaved rounds` : ''}, pool ${poolMax}, commit \`${commit}\`${dirty ? ' + uncommitted changes' : ''}, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ` +
            `load average ${machine.loadAverageAtStart[0].toFixed(1)} → ${os.loadavg()[0].toFixed(1)}. Database ${db.reused ? 'reused' : 'generated in this run'}.`,
          '',
          markdownTable(head, rows, head.map((_, i) => (i === 0 ? 'l' : 'r'))),
          '',
          `Server RSS: ${rssLine}.`,
          ...(walLine ? ['', `${walLabel}: ${walLine}.`] : []),
          '',
          ...targetLines.map((l) => `- ${l}`),
          '',
          `Equivalence: ${Object.entries(equivalence).map(([s, v]) => `${s}: ${Object.entries(v).map(([p, r]) => `${p} ${r}`).join(', ')}`).join('; ')}.`,
          end,
        ].join('\n');
        writeFileSync(readme, text.slice(0, text.indexOf(begin)) + md + text.slice(text.indexOf(end) + end.length));
        console.log('updated the latest table in bench/README.md');
      }
    }
    console.log(`database ${db.name} kept for the next run${args.drop ? ' — dropping it (--drop)' : ''}: ${db.url} (tenant ${tenantId})`);
  } finally {
    for (const s of servers) await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (args.drop) await admin(baseUrl, (c) => c.query(`drop database if exists ${db.name} with (force)`));
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
