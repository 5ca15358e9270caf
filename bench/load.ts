/**
 * Load benchmark (issue 7): Clientele's GraphQL API under autocannon, side by side with the
 * practical upper bound (bench/raw-server.ts: one SQL statement per query through `pg`).
 *
 *   DATABASE_URL=postgres://… node --import tsx bench/load.ts [--quick] [options]
 *
 * --quick               20,000 customers, 5 s per run (about 3 minutes in all)
 * --customers N         customers to generate (default 100,000)
 * --duration S          seconds per scenario and connection count (default 10; quick 5)
 * --warmup S            seconds of warm-up per scenario and server at 16 connections (default 2; quick 1)
 * --connections 1,16,64 autocannon connection counts
 * --scenarios a,b       only these (list, card, highRisk, recordOrder, submitSurvey)
 * --interactions 5      interaction rate per customer (bench/lib/datagen.ts)
 * --jobs 2              connections generating data
 * --pool 10             DB_POOL_MAX of both servers
 * --no-raw              skip the raw peer
 * --keep                keep the database (prints its URL)
 * --no-write            do not write bench/results/*.json
 *
 * Steps: fresh database beside DATABASE_URL (migrated, tenant "bench") → generateDataset →
 * metrics recompute (bench/recompute-child.ts: createJob + runJob, as the CLI) → an ADMIN key
 * (createApiKey) → Clientele (server/main.ts) and the raw peer as child processes on free ports,
 * so their RSS is their own and autocannon does not share their event loop → per scenario and
 * connection count: Clientele, then the raw peer → table, bench/results JSON, database dropped.
 *
 * Clientele runs with CLIENTELE_EXPOSE_SQL_COUNT=1: one sample request per scenario reads
 * `extensions.sqlStatements` (the counter runs on every request either way; only the extension is added).
 * Errors = connection errors + timeouts + non-2xx + 2xx responses whose body has GraphQL `errors`.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { Role } from '../server/auth/api-key.entity.js';
import { createApiKey } from '../server/auth/keys.service.js';
import { createOrm, sqlEm } from '../server/db/orm.js';
import { generateDataset, resolveModel, type GenerateReport } from './lib/datagen.js';
import { benchDatabaseName, createBenchDatabase, dropAllBenchDatabases, interrupted } from './lib/database.js';
import { generateBar } from './lib/progress.js';
import type { ChildMessage, RecomputeChildResult } from './recompute-child.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const TARGETS = { listRatioVsPostGraphile: 1.0, p95MsAt16: 50, sqlStatementsPerRequest: 5, errors: 0, rssBytes: 500 * 2 ** 20 };

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    customers: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '1,16,64' },
    scenarios: { type: 'string' },
    interactions: { type: 'string', default: '5' },
    jobs: { type: 'string', default: '2' },
    pool: { type: 'string', default: '10' },
    seed: { type: 'string', default: '42' },
    'no-raw': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
});
const quick = args.quick;
const customers = Number((args.customers ?? (quick ? '20000' : '100000')).replace(/_/g, ''));
const duration = Number(args.duration ?? (quick ? 5 : 10));
const warmup = Number(args.warmup ?? (quick ? 1 : 2));
const connectionCounts = args.connections.split(',').map(Number);
const poolMax = Number(args.pool);
const model = resolveModel({ interactionsPerCustomer: Number(args.interactions) });

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
// Queries

const CUSTOMER_ROW = `id name kind email phone company country owner tags createdAt
  metrics { lifecycleStage valueTier orderCount lastPurchaseAt pAlive healthScore
            historicValue { amount currency } predictedClv { amount currency } churnRisk { level score } }
  interactions(first: 3) { nodes { id type channel direction occurredAt subject agent } }`;

const QUERIES = {
  List: `query List { customers(first: 50) { nodes { ${CUSTOMER_ROW} } pageInfo { hasNextPage endCursor } } }`,
  HighRisk: `query HighRisk {
    customers(first: 50, filter: { metrics: { churnRisk: { eq: HIGH } } }, orderBy: [{ field: PREDICTED_CLV, direction: DESC }]) {
      nodes { ${CUSTOMER_ROW} } pageInfo { hasNextPage endCursor } } }`,
  Card: `query Card($id: ID!) { customer(id: $id) {
    id name kind email phone company title country city owner tags customAttributes marketingConsent createdAt version
    metrics { asOf lifecycleStage valueTier orderCount frequency recencyDays firstPurchaseAt lastPurchaseAt pAlive healthScore purchaseCycleDays
              historicValue { amount currency } predictedClv { amount currency } valueAtRisk { amount currency }
              rfm { code segment } churnRisk { level score reasons { code } } }
    interactions(first: 5) { nodes { id type channel direction occurredAt subject agent } }
    orders(first: 5) { nodes { id occurredAt status total { amount currency } } } } }`,
  RecordOrder: `mutation RecordOrder($key: String, $input: RecordOrderInput!) {
    recordOrder(idempotencyKey: $key, input: $input) { id status occurredAt total { amount currency } } }`,
  SubmitSurvey: `mutation SubmitSurvey($key: String!, $input: SubmitSurveyResponseInput!) {
    submitSurveyResponse(idempotencyKey: $key, input: $input) { id status score } }`,
};

interface Scenario {
  name: string;
  description: string;
  /** Also run against the raw peer (read scenarios). */
  raw: boolean;
  /** A fresh request body (random id, unique idempotency key…). */
  body: () => string;
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
  /** Current and peak resident memory, from /proc (Linux). */
  rss(): { rssBytes: number; peakRssBytes: number };
  stop(): Promise<void>;
}

function procRss(pid: number): { rssBytes: number; peakRssBytes: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
  } catch {
    return { rssBytes: NaN, peakRssBytes: NaN };
  }
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

async function startProcess(name: string, script: string, env: Record<string, string>, ready: (port: number) => [string, RequestInit]): Promise<Served> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
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

function runRecompute(url: string, tenantId: string, asOf: string): Promise<RecomputeChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, 'recompute-child.ts'), ['--database-url', url, '--tenant-id', tenantId, '--as-of', asOf, '--runs', '1'], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: RecomputeChildResult | null = null;
    let failure: string | null = null;
    let lastLog = 0;
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'progress') {
        if (Date.now() - lastLog > 2000) {
          lastLog = Date.now();
          log(`recompute: ${(message.progress * 100).toFixed(0)}% ${message.phase} ${int(message.processed)}/${int(message.total)}`);
        }
      } else if (message.type === 'result') result = message;
      else failure = message.message;
    });
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(failure ?? `recompute child exited with code ${code}`))));
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
  rssBytes: number;
  peakRssBytes: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function cannon(served: Served, headers: Record<string, string>, scenario: Scenario, connections: number, seconds: number): Promise<RunResult> {
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
        setupRequest: (req) => ({ ...req, body: scenario.body() }),
        onResponse: (status, body) => {
          if (status >= 200 && status < 300 && body.includes('"errors"')) {
            graphqlErrors++;
            firstError ??= body.slice(0, 500);
          } else if (status >= 300) firstError ??= `${status}: ${body.slice(0, 500)}`;
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const rss = served.rss();
  const connection = result.errors - result.timeouts;
  return {
    scenario: scenario.name,
    server: served.name,
    connections,
    durationS: result.duration,
    requests: latencies.length,
    reqPerSec: latencies.length / result.duration,
    latencyMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? NaN,
      mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    },
    errors: connection + result.timeouts + result.non2xx + graphqlErrors,
    errorDetail: { connection, timeouts: result.timeouts, non2xx: result.non2xx, graphql: graphqlErrors },
    firstError,
    ...rss,
  };
}

async function graphql(url: string, headers: Record<string, string>, body: string): Promise<{ data?: any; errors?: any[]; extensions?: any }> {
  const res = await fetch(url, { method: 'POST', headers, body });
  return (await res.json()) as { data?: any; errors?: any[]; extensions?: any };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = new Date();
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) throw new Error('Set DATABASE_URL to a PostgreSQL server (postgres://…); the bench database is created beside it');
  const commit = git('rev-parse', '--short', 'HEAD') || 'nocommit';
  const dirty = git('status', '--porcelain').length > 0;
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    loadAverageAtStart: os.loadavg(),
    node: process.version,
  };
  console.log(
    `load benchmark ${quick ? '(quick) ' : ''}at ${commit}${dirty ? ' (uncommitted changes)' : ''}: ${int(customers)} customers, ` +
      `${duration} s per run at ${connectionCounts.join('/')} connections; ${machine.cpus} × ${machine.cpuModel}, load ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}, Node ${machine.node}`,
  );

  const label = customers >= 1e6 ? `${customers / 1e6}m` : `${customers / 1e3}k`;
  const db = await createBenchDatabase(baseUrl, benchDatabaseName(`load_${label}`));
  const servers: Served[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'clientele-load-'));
  try {
    // 1. Data
    const bar = generateBar('generate');
    const generate: GenerateReport = await generateDataset({
      databaseUrl: db.url, tenantId: db.tenantId, customers, seed: Number(args.seed), jobs: Number(args.jobs), model, onProgress: (p) => bar.update(p),
    });
    bar.stop();
    console.log(
      `generated ${int(generate.customers)} customers, ${int(generate.orders)} orders, ${int(generate.interactions)} interactions in ${(generate.timings.totalMs / 1000).toFixed(1)} s`,
    );

    // 2. Metrics
    const recomputeStart = performance.now();
    const recompute = await runRecompute(db.url, db.tenantId, generate.asOf);
    const recomputeMs = performance.now() - recomputeStart;
    console.log(`metrics recompute: ${(recompute.runs[0].wallMs / 1000).toFixed(1)} s, ${int(recompute.metricsRows)} customer_metrics rows`);

    // 3. Key, ids, churn mix
    const orm = await createOrm({ databaseUrl: db.url, poolMax: 2 });
    let key: string;
    try {
      ({ key } = await createApiKey(sqlEm(orm), db.tenantId, Role.ADMIN, 'load benchmark'));
    } finally {
      await orm.close();
    }
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    let ids: string[];
    let churnMix: Record<string, number>;
    try {
      ids = (await client.query<{ id: string }>('select id from customer where tenant_id = $1 order by random() limit 5000', [db.tenantId])).rows.map((r) => r.id);
      churnMix = Object.fromEntries(
        (await client.query<{ level: string; n: number }>(`select coalesce(churn_level, 'none') as level, count(*)::int as n from customer_metrics where tenant_id = $1 group by 1 order by 1`, [db.tenantId])).rows.map((r) => [r.level, r.n]),
      );
    } finally {
      await client.end();
    }
    console.log(`churn levels: ${Object.entries(churnMix).map(([k, v]) => `${k} ${int(v)}`).join(', ')}`);

    // 4. Servers
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
    log('starting Clientele…');
    const clientele = await startProcess(
      'clientele',
      'server/main.ts',
      { DATABASE_URL: db.url, CLIENTELE_SEED_DEMO: 'false', CLIENTELE_EXPOSE_SQL_COUNT: '1', LOG_LEVEL: 'silent', HOST: '127.0.0.1', DB_POOL_MAX: String(poolMax), CLIENTELE_DATA_DIR: dataDir, NODE_ENV: 'production' },
      (port) => [`http://127.0.0.1:${port}/health/ready`, {}],
    );
    servers.push(clientele);
    const raw = args['no-raw']
      ? null
      : await startProcess('raw', 'bench/raw-server.ts', { DATABASE_URL: db.url, DB_POOL_MAX: String(poolMax) }, (port) => [
          `http://127.0.0.1:${port}/graphql`,
          { method: 'POST', headers, body: JSON.stringify({ operationName: 'List', query: QUERIES.List }) },
        ]);
    if (raw) servers.push(raw);
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
    const randomId = () => ids[Math.floor(Math.random() * ids.length)];
    const all: Scenario[] = [
      { name: 'list', description: 'customers(first: 50) with metrics and the last 3 interactions', raw: true, body: () => JSON.stringify({ operationName: 'List', query: QUERIES.List }) },
      { name: 'card', description: 'customer(id) card: profile, metrics, last 5 interactions and orders; random ids', raw: true, body: () => JSON.stringify({ operationName: 'Card', query: QUERIES.Card, variables: { id: randomId() } }) },
      { name: 'highRisk', description: 'customers(first: 50) with churnRisk HIGH, by predicted CLV desc', raw: true, body: () => JSON.stringify({ operationName: 'HighRisk', query: QUERIES.HighRisk }) },
      {
        name: 'recordOrder', description: 'recordOrder with a line item, unique idempotency keys', raw: false,
        body: () => JSON.stringify({
          operationName: 'RecordOrder', query: QUERIES.RecordOrder,
          variables: { key: `load-${runId}-${++sequence}`, input: { customerId: randomId(), channel: 'WEB', lineItems: [{ sku: 'BENCH-1', name: 'Bench item', category: 'Books', quantity: 2, unitPrice: '19.95' }] } },
        }),
      },
      ...(surveyId ? [{
        name: 'submitSurvey', description: 'submitSurveyResponse (NPS, complete), unique idempotency keys', raw: false,
        body: () => JSON.stringify({
          operationName: 'SubmitSurvey', query: QUERIES.SubmitSurvey,
          variables: { key: `load-${runId}-${++sequence}`, input: { surveyId, customerId: randomId(), channel: 'WEB', answers: [{ questionId: 'nps', value: ++sequence % 11 }] } },
        }),
      }] : []),
    ];
    const only = args.scenarios?.split(',');
    const scenarios = only ? all.filter((s) => only.includes(s.name)) : all;

    // 5. Runs
    const sqlStatements: Record<string, number | null> = {};
    const samples: Record<string, unknown> = {};
    const runs: RunResult[] = [];
    for (const scenario of scenarios) {
      const sample = await graphql(clientele.url, headers, scenario.body());
      sqlStatements[scenario.name] = typeof sample.extensions?.sqlStatements === 'number' ? sample.extensions.sqlStatements : null;
      samples[scenario.name] = sample.errors ? { errors: sample.errors } : { bytes: JSON.stringify(sample.data).length };
      if (sample.errors) console.log(`${scenario.name}: sample request failed: ${JSON.stringify(sample.errors).slice(0, 400)}`);
      if (scenario.raw && raw) {
        // Same answer from the peer: as many nodes, the same first customer (the card: the same id).
        const body = scenario.body();
        const [a, b] = [await graphql(clientele.url, headers, body), await graphql(raw.url, headers, body)];
        const shape = (r: { data?: any }) => {
          const list = r.data?.customers?.nodes as { id: string }[] | undefined;
          return list ? `${list.length} nodes, first ${list[0]?.id}` : `customer ${r.data?.customer?.id}`;
        };
        const same = !a.errors && !b.errors && shape(a) === shape(b);
        samples[scenario.name] = { ...(samples[scenario.name] as object), rawBytes: JSON.stringify(b.data ?? b.errors).length, sameAsRaw: same };
        if (!same) console.log(`${scenario.name}: raw peer answers differently: clientele ${a.errors ? JSON.stringify(a.errors).slice(0, 200) : shape(a)}; raw ${b.errors ? JSON.stringify(b.errors).slice(0, 200) : shape(b)}`);
      }
      const targets = scenario.raw && raw ? [clientele, raw] : [clientele];
      for (const served of targets) {
        if (warmup > 0) {
          log(`${scenario.name} @ ${served.name}: warm-up ${warmup} s`);
          await cannon(served, headers, scenario, 16, warmup);
        }
      }
      for (const connections of connectionCounts) {
        for (const served of targets) {
          log(`${scenario.name} @ ${served.name}: ${connections} connections, ${duration} s…`);
          const run = await cannon(served, headers, scenario, connections, duration);
          runs.push(run);
          log(`  ${int(run.reqPerSec)} req/s, p50 ${ms(run.latencyMs.p50)} ms, p95 ${ms(run.latencyMs.p95)} ms, p99 ${ms(run.latencyMs.p99)} ms, ${run.errors} errors, RSS ${mib(run.rssBytes)}`);
          if (run.firstError) log(`  first error: ${run.firstError}`);
        }
      }
    }
    const endRss = Object.fromEntries(servers.map((s) => [s.name, s.rss()]));

    // 6. Report
    const find = (scenario: string, server: string, connections: number) => runs.find((r) => r.scenario === scenario && r.server === server && r.connections === connections);
    const rows = runs.map((r) => {
      const peer = r.server === 'clientele' ? find(r.scenario, 'raw', r.connections) : undefined;
      return [
        r.scenario, r.server, r.connections, int(r.reqPerSec), ms(r.latencyMs.p50), ms(r.latencyMs.p95), ms(r.latencyMs.p99), r.errors,
        r.server === 'clientele' ? (sqlStatements[r.scenario] ?? '?') : 1, mib(r.rssBytes), peer ? `${(r.reqPerSec / peer.reqPerSec).toFixed(2)}` : '',
      ];
    });
    const headersRow = ['scenario', 'server', 'conns', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'SQL/req', 'RSS after', 'req/s vs raw'];
    console.log(`\n# Load (${int(customers)} customers, ${duration} s per run, pool ${poolMax})`);
    console.log(table(headersRow, rows));
    const ratios = scenarios.filter((s) => s.raw && raw).map((s) => ({
      scenario: s.name,
      byConnections: Object.fromEntries(connectionCounts.map((c) => {
        const a = find(s.name, 'clientele', c), b = find(s.name, 'raw', c);
        return [c, a && b ? { reqPerSec: a.reqPerSec / b.reqPerSec, p95: a.latencyMs.p95 / b.latencyMs.p95 } : null];
      })),
    }));
    console.log(`\nClientele/raw (req/s ratio; p95 ratio): ${ratios.map((r) => `${r.scenario} ${connectionCounts.map((c) => {
      const v = r.byConnections[c];
      return v ? `${c}c ${v.reqPerSec.toFixed(2)}; ${v.p95.toFixed(1)}×` : `${c}c -`;
    }).join(', ')}`).join(' | ')}`);
    console.log(`server RSS: ${servers.map((s) => `${s.name} ${mib(startRss[s.name].rssBytes)} at start, ${mib(endRss[s.name].rssBytes)} at end, peak ${mib(endRss[s.name].peakRssBytes)}`).join('; ')}`);

    const clienteleRuns = runs.filter((r) => r.server === 'clientele');
    const verdicts = {
      listRatioVsPostGraphile: null as boolean | null, // PostGraphile peer not built yet
      p95Under50msAt16: Object.fromEntries(clienteleRuns.filter((r) => r.connections === 16).map((r) => [r.scenario, r.latencyMs.p95 < TARGETS.p95MsAt16])),
      atMost5SqlStatements: Object.fromEntries(Object.entries(sqlStatements).map(([k, v]) => [k, v === null ? null : v <= TARGETS.sqlStatementsPerRequest])),
      zeroErrors: clienteleRuns.every((r) => r.errors === 0),
      rssUnder500MB: endRss.clientele.peakRssBytes < TARGETS.rssBytes,
    };
    console.log(`\n# Targets: p95 < 50 ms at 16 connections: ${Object.entries(verdicts.p95Under50msAt16).map(([k, v]) => `${k} ${v ? 'met' : 'NOT met'}`).join(', ')}; ` +
      `≤ 5 SQL/request: ${Object.entries(verdicts.atMost5SqlStatements).map(([k, v]) => `${k} ${v ? 'met' : 'NOT met'}`).join(', ')}; ` +
      `zero errors: ${verdicts.zeroErrors ? 'met' : 'NOT met'}; peak RSS < 500 MB: ${verdicts.rssUnder500MB ? 'met' : 'NOT met'} (${mib(endRss.clientele.peakRssBytes)}); ` +
      'list ratio vs PostGraphile: not measured (no PostGraphile peer yet)');

    const result = {
      benchmark: 'load',
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      commit,
      uncommittedChanges: dirty,
      argv: process.argv.slice(2),
      quick,
      machine: { ...machine, loadAverageAtEnd: os.loadavg() },
      settings: { customers, durationS: duration, warmupS: warmup, connections: connectionCounts, poolMax, autocannon: '9.0.0' },
      data: { customers: generate.customers, orders: generate.orders, interactions: generate.interactions, generateMs: generate.timings.totalMs, churnMix },
      recompute: { wallMs: recompute.runs[0].wallMs, harnessMs: recomputeMs, metricsRows: recompute.metricsRows },
      queries: QUERIES,
      scenarios: scenarios.map((s) => ({ name: s.name, description: s.description, raw: s.raw, sqlStatements: sqlStatements[s.name], sample: samples[s.name] })),
      rss: { start: startRss, end: endRss },
      runs,
      ratiosVsRaw: ratios,
      targets: TARGETS,
      verdicts,
    };
    if (!args['no-write']) {
      const dir = path.join(here, 'results');
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${started.toISOString().slice(0, 10)}-load-${commit}.json`);
      writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
      console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
    }
    if (args.keep) console.log(`kept database ${db.name}: ${db.url} (tenant ${db.tenantId}); ADMIN key ${key}`);
  } finally {
    for (const s of servers) await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (!args.keep) await db.drop();
  }
}

main().catch(async (error: unknown) => {
  if (interrupted()) return; // the signal handler drops the database and exits
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  await dropAllBenchDatabases();
  process.exitCode = 1;
});
