/**
 * Runs full metrics recomputes of one tenant in a process of its own, so its peak RSS is the
 * recompute's (plus the runtime, ORM and modules, reported as the baseline), not the harness's.
 * Started by bench/metrics.ts with `fork`; talks over IPC:
 *   parent → child: argv --database-url URL --tenant-id UUID --as-of ISO --runs N
 *   child → parent: { type: 'progress', run, phase, progress } … { type: 'result', … } | { type: 'error', message }
 *
 * A run is what `clientele metrics recompute` does (server/metrics/cli.ts): createJob (trigger CLI)
 * + runJob, i.e. aggregate → fit → score → write customer_metrics and value_model, with the job row
 * kept up to date. The recompute itself is recomputeTenant in server/metrics/recompute.service.ts.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
// What `clientele metrics recompute` loads: every feature module, so every churn reason provider
// registered at import time (surveys, feedback, cases…) takes part, as in the real command.
import '../server/cli/index.js';
import { createOrm, sqlEm } from '../server/db/orm.js';
import { createJob, runJob } from '../server/metrics/jobs.service.js';
import { MetricsJobTrigger } from '../server/metrics/metrics-job.entity.js';

export interface RecomputeRun {
  run: number;
  wallMs: number;
  /** CPU time of this Node process during the run (user + system), ms. The rest of the wall time is waiting on PostgreSQL. */
  cpuMs: number;
  /** Phase timings the recompute reports in its job summary (aggregateMs, fitMs, scoreMs, writeMs, totalMs). */
  timings: Record<string, number>;
  /** Highest RSS sampled during the run (every 20 ms while the event loop is free). */
  sampledPeakRssBytes: number;
  /** Highest heapUsed + external + arrayBuffers sampled during the run. */
  sampledPeakHeapBytes: number;
  /** Kernel-reported peak RSS of the process so far (ru_maxrss): covers the synchronous fit too. */
  maxRssBytes: number;
  customers: number | null;
  buyers: number | null;
  /** Client-side time per kind of SQL statement (sent → result parsed), largest first. */
  sql: SqlTrace[];
}

export interface SqlTrace {
  statement: string;
  calls: number;
  totalMs: number;
  maxMs: number;
  /** Length of the longest statement text of this kind (parameters excluded), characters. */
  maxChars: number;
}

export interface RecomputeChildResult {
  type: 'result';
  baselineRssBytes: number;
  runs: RecomputeRun[];
  metricsRows: number;
  valueModels: { kind: string; status: string; params: Record<string, number> | null; sampleSize: number; iterations: number; fitMs: number }[];
  tableBytes: Record<string, number>;
}

export type ChildMessage =
  | { type: 'progress'; run: number; phase: string; progress: number; processed: number; total: number }
  | RecomputeChildResult
  | { type: 'error'; message: string };

const send = (message: ChildMessage) => process.send?.(message);

/** Tables of the database, so a statement can be named by the first table it reads. */
const knownTables = new Set<string>();

/** Names a statement by what it does, so the trace groups the recompute's batches together. */
function statementKind(text: string): string {
  const sql = text.replace(/\s+/g, ' ').trim();
  const known: [RegExp, string][] = [
    [/^insert into customer_metrics/i, 'write: upsert customer_metrics'],
    [/^delete from customer_metrics/i, 'write: delete merged customers'],
    [/^(update|insert into) metrics_job/i, 'job row'],
    [/^insert into value_model/i, 'fit: insert value_model'],
  ];
  for (const [pattern, name] of known) if (pattern.test(sql)) return name;
  if (/\bfrom customer_order\b/i.test(sql) && /\bgroup by\b/i.test(sql) && /\bover\b/i.test(sql)) return 'aggregate: orders per customer';
  // A statement that writes is named by the table it writes (even inside a CTE), else by the first table it reads.
  const tablesAfter = (pattern: RegExp) => [...sql.matchAll(pattern)].map((m) => m[1].toLowerCase()).filter((t) => knownTables.has(t));
  const written = tablesAfter(/\b(?:insert into|update|delete from) ([a-z_][a-z0-9_]*)\b/gi);
  if (written.length) return `write ${written.join(', ')}: ${sql.slice(0, 40)}`;
  const read = tablesAfter(/\b(?:from|join) ([a-z_][a-z0-9_]*)\b/gi);
  return read.length ? `read ${read[0]}: ${sql.slice(0, 45)}` : sql.slice(0, 60);
}

/** Times every query of this process (MikroORM's PostgreSQL driver uses pg's Client). */
function traceSql(): { take(): SqlTrace[] } {
  let stats = new Map<string, SqlTrace>();
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const config = args[0];
    const text = typeof config === 'string' ? config : (config as { text?: string } | null)?.text;
    const start = performance.now();
    const result = original.apply(this, args);
    if (!text || !(result instanceof Promise)) return result;
    const record = () => {
      const name = statementKind(text);
      const ms = performance.now() - start;
      const entry = stats.get(name) ?? { statement: name, calls: 0, totalMs: 0, maxMs: 0, maxChars: 0 };
      entry.maxChars = Math.max(entry.maxChars, text.length);
      entry.calls++;
      entry.totalMs += ms;
      entry.maxMs = Math.max(entry.maxMs, ms);
      stats.set(name, entry);
    };
    result.then(record, record);
    return result;
  };
  return {
    take() {
      const list = [...stats.values()].sort((a, b) => b.totalMs - a.totalMs);
      stats = new Map();
      return list;
    },
  };
}

/** Exit once the last message is flushed (nothing left open may keep a finished child alive). */
function finish(message: ChildMessage | null, code: number): void {
  if (message && process.send) process.send(message, () => process.exit(code));
  else process.exit(code);
}

async function main(): Promise<RecomputeChildResult> {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      'tenant-id': { type: 'string' },
      'as-of': { type: 'string' },
      runs: { type: 'string', default: '1' },
    },
  });
  const url = values['database-url'];
  const tenantId = values['tenant-id'];
  if (!url || !tenantId) throw new Error('--database-url and --tenant-id are required');
  const asOf = values['as-of'] ? new Date(values['as-of']) : new Date();
  const runs = Number(values.runs);

  const trace = traceSql();
  const orm = await createOrm({ databaseUrl: url });
  try {
    const em = sqlEm(orm);
    // Load what a recompute touches before the baseline: modules are imported above; one query warms the pool.
    for (const row of await em.execute<{ name: string }[]>(`select table_name as name from information_schema.tables where table_schema = 'public'`)) {
      knownTables.add(row.name);
    }
    const baselineRssBytes = process.memoryUsage().rss;
    trace.take();
    const results: RecomputeRun[] = [];
    for (let run = 1; run <= runs; run++) {
      // What autovacuum does between nightly runs on a normal server (it is off on the bench
      // server): without it every run appends a million new row versions and the next run pays
      // for the bloat. Not timed.
      await em.execute('vacuum (analyze) customer_metrics, customer_tier');
      trace.take();
      let peakRss = process.memoryUsage().rss;
      let peakHeap = 0;
      const sample = () => {
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakHeap = Math.max(peakHeap, m.heapUsed + m.external + m.arrayBuffers);
      };
      const sampler = setInterval(sample, 20);
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      let done: Awaited<ReturnType<typeof runJob>>;
      try {
        const job = await createJob(em, tenantId, asOf, MetricsJobTrigger.CLI, 'bench');
        done = await runJob(em, tenantId, job.id, (p) => send({ type: 'progress', run, ...p }));
      } finally {
        clearInterval(sampler);
      }
      const wallMs = performance.now() - start;
      const cpu = process.cpuUsage(cpuStart);
      sample();
      const summary = (typeof done.summary === 'string' ? JSON.parse(done.summary) : done.summary) as {
        timings?: Record<string, number>; customers?: number; buyers?: number;
      };
      results.push({
        run,
        wallMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        timings: summary?.timings ?? {},
        sampledPeakRssBytes: peakRss,
        sampledPeakHeapBytes: peakHeap,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
        customers: summary?.customers ?? null,
        buyers: summary?.buyers ?? null,
        sql: trace.take().map((t) => ({ ...t, totalMs: Math.round(t.totalMs), maxMs: Math.round(t.maxMs) })),
      });
      em.clear();
    }
    const [{ rows }] = await em.execute<{ rows: string }[]>('select count(*)::int8 as rows from customer_metrics where tenant_id = ?', [tenantId]);
    const models = await em.execute<Record<string, unknown>[]>(
      `select kind, status, params, sample_size, iterations, fit_ms from value_model
        where tenant_id = ? order by fitted_at desc, kind limit 2`,
      [tenantId],
    );
    const tableBytes: Record<string, number> = {};
    for (const table of ['customer_metrics', 'value_model', 'metrics_job']) {
      const [row] = await em.execute<{ bytes: string }[]>(`select pg_total_relation_size('${table}')::int8 as bytes`);
      tableBytes[table] = Number(row.bytes);
    }
    return {
      type: 'result',
      baselineRssBytes,
      runs: results,
      metricsRows: Number(rows),
      valueModels: models.map((m) => ({
        kind: String(m.kind),
        status: String(m.status),
        params: (typeof m.params === 'string' ? JSON.parse(m.params) : m.params) as Record<string, number> | null,
        sampleSize: Number(m.sample_size),
        iterations: Number(m.iterations),
        fitMs: Number(m.fit_ms),
      })),
      tableBytes,
    } satisfies RecomputeChildResult;
  } finally {
    await orm.close();
  }
}

main().then(
  (result) => finish(result, 0),
  (error: unknown) => finish({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }, 1),
);
