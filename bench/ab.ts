/**
 * `npm run bench:ab -- --base <git ref>`: is the working tree cheaper per request than `base`?
 *
 * Both builds run at once on the load benchmark's data (`bench_load_100k` beside DATABASE_URL,
 * made by `npm run bench`), and take turns: a slice of requests to one, a slice to the other,
 * the order swapped every round, so whatever else the machine does falls on both alike. Each
 * slice's figure is the server process's CPU (user + system, /proc) per response. On this shared
 * 2-core machine a single slice moves by ±15 %; the medians and the paired rounds (how often the
 * working tree was cheaper) over 16–24 rounds show changes of 5 % and more. With PostgreSQL on
 * this machine, its CPU per response during each server's slices is reported too (all its
 * processes, so nothing else should use it meanwhile). For latency work, run it at the load
 * benchmark's 16 connections: each slice's throughput and p95 are reported as well (medians, and
 * the rounds in which the working tree served more or answered faster), since a change can cost
 * the same CPU and still queue requests differently (re-scoring batches, admission).
 *
 * --scenario list | card | highRisk | recordOrder (one line item, a new idempotency key each) |
 * submitSurvey (a complete NPS answer to the newest ACTIVE survey, which `npm run bench` creates) |
 * typename (`{ __typename }`: what every request costs before its query — HTTP, auth, Apollo).
 *
 * The base ref is checked out into a temporary git worktree (node_modules linked) and built
 * there; the working tree is built into dist/ as `npm start` builds it. Nothing is written.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { Role } from '../server/auth/api-key.entity.js';
import { createApiKey } from '../server/auth/keys.service.js';
import { createOrm, sqlEm } from '../server/db/orm.js';
import { databaseUrl } from './lib/database.js';
import { postgresCpuMs, procCpuMs, startNodeFlags } from './lib/proc.js';
import { percentile } from './lib/results.js';
import { CLIENTELE } from './peers/queries.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    base: { type: 'string', default: 'HEAD' },
    scenario: { type: 'string', default: 'list' },
    rounds: { type: 'string', default: '16' },
    requests: { type: 'string', default: '500' },
    connections: { type: 'string', default: '2' },
    database: { type: 'string', default: 'bench_load_100k' },
  },
});
const SCENARIOS = { list: 'List', card: 'Card', highRisk: 'HighRisk', recordOrder: 'RecordOrder', submitSurvey: 'SubmitSurvey', typename: 'Typename' } as const;
const DOCUMENTS = { ...CLIENTELE, Typename: 'query Typename { __typename }' };
const operation = SCENARIOS[args.scenario as keyof typeof SCENARIOS];
if (!operation) throw new Error(`--scenario must be one of ${Object.keys(SCENARIOS).join(', ')}`);
if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL (the PostgreSQL server holding the load benchmark data)');
const url = databaseUrl(process.env.DATABASE_URL, args.database);

async function start(dir: string, port: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...startNodeFlags(dir), path.join(dir, 'dist/main.js')], {
    env: {
      ...process.env, DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'silent',
      CLIENTELE_SEED_DEMO: 'false', CLIENTELE_DATA_DIR: path.join(os.tmpdir(), 'clientele-bench-ab'),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${dir}: the server exited with ${child.exitCode}`);
    if (i > 300) throw new Error(`${dir}: not ready after 60 s`);
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ok) return { child, url: `http://127.0.0.1:${port}/graphql` };
    await new Promise((r) => setTimeout(r, 200));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function main() {
  // Data and a key
  const client = new pg.Client({ connectionString: url });
  await client.connect().catch(() => {
    throw new Error(`no database ${args.database}: run \`npm run bench\` first (it makes and keeps it)`);
  });
  const { rows: [tenant] } = await client.query<{ id: string }>(`select id from tenant where slug = 'bench'`);
  const { rows: customers } = await client.query<{ id: string }>('select id from customer where tenant_id = $1 order by id limit 5000', [tenant.id]);
  const { rows: [survey] } = await client.query<{ id: string }>(
    `select id from survey where tenant_id = $1 and status = 'ACTIVE' and kind = 'NPS' order by created_at desc limit 1`, [tenant.id],
  );
  if (operation === 'SubmitSurvey' && !survey) throw new Error('no ACTIVE NPS survey: run `npm run bench` first (it creates one)');
  await client.end();
  const orm = await createOrm({ databaseUrl: url, poolMax: 1 });
  const { key } = await createApiKey(sqlEm(orm), tenant.id, Role.ADMIN, 'bench ab');
  await orm.close();

  // Builds
  const baseDir = mkdtempSync(path.join(os.tmpdir(), 'clientele-ab-'));
  execFileSync('git', ['worktree', 'add', '--detach', '--quiet', baseDir, args.base], { cwd: root });
  const servers: { name: string; child: ChildProcess; url: string }[] = [];
  try {
    symlinkSync(path.join(root, 'node_modules'), path.join(baseDir, 'node_modules'));
    for (const dir of [baseDir, root]) {
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-server.ts'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    const commit = (dir: string) => execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    servers.push({ name: `base ${args.base} (${commit(baseDir)})`, ...(await start(baseDir, 4701)) });
    servers.push({ name: `working tree (on ${commit(root)})`, ...(await start(root, 4702)) });

    let next = 0;
    const runId = Date.now().toString(36);
    const variables = (): Record<string, unknown> => {
      const customerId = customers[next++ % customers.length].id;
      if (operation === 'Card') return { id: customerId };
      if (operation === 'RecordOrder') {
        const item = { sku: 'AB-1', name: 'A/B item', category: 'Books', quantity: 1, unitPrice: '9.95' };
        return { key: `ab-${runId}-${next}`, input: { customerId, channel: 'WEB', lineItems: [item] } };
      }
      if (operation === 'SubmitSurvey') {
        return { key: `ab-${runId}-${next}`, input: { surveyId: survey.id, customerId, channel: 'WEB', answers: [{ questionId: 'nps', value: next % 11 }] } };
      }
      return {};
    };
    const body = () => JSON.stringify({ operationName: operation, query: DOCUMENTS[operation], variables: variables() });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
    const slice = async (target: string, amount: number) => {
      let graphqlErrors = 0;
      const latencies: number[] = [];
      const instance = autocannon({
        url: target, connections: Number(args.connections), amount,
        requests: [{
          method: 'POST', headers,
          setupRequest: (req) => ({ ...req, body: body() }),
          onResponse: (status, text) => void (status === 200 && text.includes('"errors"') && graphqlErrors++),
        }],
      });
      const started = performance.now();
      let lastResponse = started;
      instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
        latencies.push(responseTime);
        lastResponse = performance.now();
      });
      const result = await instance;
      // Up to the last response: autocannon ends a slice of `amount` requests on its next whole second.
      const seconds = (lastResponse - started) / 1000;
      latencies.sort((a, b) => a - b);
      return { ...result, errors: result.errors + graphqlErrors, reqPerSec: result.requests.total / seconds, p95: percentile(latencies, 95) };
    };

    console.log(`${args.scenario}: ${args.rounds} rounds of ${args.requests} requests at ${args.connections} connections, on ${args.database}`);
    for (const s of servers) await slice(s.url, 600); // warm-up: compiled documents, pools, JIT
    const perRequest: number[][] = servers.map(() => []);
    // PostgreSQL's CPU during a slice is that server's: the two never run at once.
    const postgresPerRequest: number[][] = servers.map(() => []);
    const reqPerSec: number[][] = servers.map(() => []);
    const p95: number[][] = servers.map(() => []);
    for (let round = 0; round < Number(args.rounds); round++) {
      for (const i of round % 2 ? [1, 0] : [0, 1]) {
        const before = procCpuMs(servers[i].child.pid!);
        const postgresBefore = postgresCpuMs();
        const result = await slice(servers[i].url, Number(args.requests));
        if (result.errors || result.non2xx) throw new Error(`${servers[i].name}: ${result.errors} errors, ${result.non2xx} non-2xx responses`);
        perRequest[i].push((procCpuMs(servers[i].child.pid!) - before) / result.requests.total);
        reqPerSec[i].push(result.reqPerSec);
        p95[i].push(result.p95);
        const postgresAfter = postgresCpuMs();
        if (postgresBefore !== null && postgresAfter !== null) postgresPerRequest[i].push((postgresAfter - postgresBefore) / result.requests.total);
      }
      process.stderr.write(`\rround ${round + 1}/${args.rounds}`);
    }
    process.stderr.write('\n');
    const [base, work] = perRequest.map(median);
    const cheaper = perRequest[1].filter((x, i) => x < perRequest[0][i]).length;
    for (const [i, s] of servers.entries()) {
      console.log(`${s.name}: CPU ms/req median ${median(perRequest[i]).toFixed(2)} (${perRequest[i].map((x) => x.toFixed(2)).join(' ')})`);
    }
    console.log(`working tree / base: ${(work / base).toFixed(3)} (medians); cheaper in ${cheaper} of ${perRequest[0].length} rounds`);
    const served = reqPerSec[1].filter((x, i) => x > reqPerSec[0][i]).length;
    const quicker = p95[1].filter((x, i) => x < p95[0][i]).length;
    console.log(
      `req/s median: base ${median(reqPerSec[0]).toFixed(0)}, working tree ${median(reqPerSec[1]).toFixed(0)} (more in ${served} of ${reqPerSec[0].length} rounds); ` +
        `p95 ms median: base ${median(p95[0]).toFixed(1)}, working tree ${median(p95[1]).toFixed(1)} (lower in ${quicker} rounds)`,
    );
    if (postgresPerRequest[0].length) {
      const [pgBase, pgWork] = postgresPerRequest.map(median);
      const pgCheaper = postgresPerRequest[1].filter((x, i) => x < postgresPerRequest[0][i]).length;
      console.log(`PostgreSQL CPU ms/req median: base ${pgBase.toFixed(2)}, working tree ${pgWork.toFixed(2)}: ${(pgWork / pgBase).toFixed(3)}; cheaper in ${pgCheaper} of ${postgresPerRequest[0].length} rounds`);
    }
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
    execFileSync('git', ['worktree', 'remove', '--force', baseDir], { cwd: root });
    rmSync(baseDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
