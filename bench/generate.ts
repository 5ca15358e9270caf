/**
 * Generate benchmark data on PostgreSQL.
 *
 *   node --import tsx bench/generate.ts --customers 100000 [--interactions 5] [--jobs 2]
 *       [--database-url URL --tenant-id UUID]   # into an existing, migrated database and tenant
 *
 * Without --database-url it creates a fresh database beside DATABASE_URL, migrates it, creates the
 * tenant "bench", loads it and prints its URL (drop it with `--drop NAME` when done).
 */
import { Command, InvalidArgumentError } from 'commander';
import pg from 'pg';
import { generateDataset } from './lib/datagen.js';
import { benchDatabaseName, createBenchDatabase, databaseUrl } from './lib/database.js';
import { generateBar } from './lib/progress.js';

function count(value: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
}

function baseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('Set DATABASE_URL to a PostgreSQL server (postgres://…); bench databases are created beside it');
  return url;
}

const program = new Command('bench-generate')
  .description('generate customers with heavy-tailed orders (and interactions) in PostgreSQL')
  .option('--customers <n>', 'customers to generate', count, 100_000)
  .option('--interactions <n>', 'mean interactions per customer (0 = none)', count, 0)
  .option('--jobs <n>', 'parallel connections', count, 1)
  .option('--chunk <n>', 'customers per statement', count, 25_000)
  .option('--seed <n>', 'random seed', count, 42)
  .option('--as-of <date>', 'end of the history (default: today)')
  .option('--no-line-items', 'leave line_items empty')
  .option('--database-url <url>', 'an existing migrated database (default: create a fresh one)')
  .option('--tenant-id <uuid>', 'tenant to fill (with --database-url)')
  .option('--name <db>', 'name of the fresh database', benchDatabaseName('data'))
  .option('--drop <db>', 'drop a bench database made earlier and exit')
  .parse();

const opts = program.opts<{
  customers: number; interactions: number; jobs: number; chunk: number; seed: number; asOf?: string; lineItems: boolean;
  databaseUrl?: string; tenantId?: string; name: string; drop?: string;
}>();

if (opts.drop) {
  if (!/^clientele_bench_[a-z0-9_]+$/.test(opts.drop)) throw new Error('only clientele_bench_* databases can be dropped here');
  const client = new pg.Client({ connectionString: baseUrl() });
  await client.connect();
  await client.query(`drop database if exists ${opts.drop} with (force)`);
  await client.end();
  console.log(`dropped ${opts.drop}`);
  process.exit(0);
}

let url = opts.databaseUrl;
let tenantId = opts.tenantId;
if (!url) {
  const db = await createBenchDatabase(baseUrl(), opts.name);
  url = db.url;
  tenantId = db.tenantId;
  console.log(`created ${db.name} (tenant "bench" ${db.tenantId})`);
} else if (!tenantId) {
  throw new Error('--database-url needs --tenant-id');
}

const bar = generateBar('generate');
const report = await generateDataset({
  databaseUrl: url,
  tenantId: tenantId!,
  customers: opts.customers,
  asOf: opts.asOf ? new Date(opts.asOf) : undefined,
  seed: opts.seed,
  jobs: opts.jobs,
  chunkSize: opts.chunk,
  lineItems: opts.lineItems,
  model: { interactionsPerCustomer: opts.interactions },
  onProgress: (p) => bar.update(p),
});
bar.stop();
const t = report.timings;
console.log(
  `${report.customers.toLocaleString('en-US')} customers, ${report.orders.toLocaleString('en-US')} orders ` +
    `(${report.countedOrders.toLocaleString('en-US')} counted), ${report.interactions.toLocaleString('en-US')} interactions in ` +
    `${(t.totalMs / 1000).toFixed(1)} s (load ${(t.loadMs / 1000).toFixed(1)} s, indexes ${(t.indexesMs / 1000).toFixed(1)} s, ` +
    `vacuum ${(t.vacuumMs / 1000).toFixed(1)} s)`,
);
console.log(`  slowest rebuilds: ${report.indexTimings.slice(0, 6).map((i) => `${i.name} ${(i.ms / 1000).toFixed(1)} s`).join(', ')}`);
for (const [table, bytes] of Object.entries(report.tableBytes)) console.log(`  ${table}: ${(bytes / 2 ** 20).toFixed(0)} MiB`);
if (!opts.databaseUrl) console.log(`DATABASE_URL=${databaseUrl(baseUrl(), opts.name)}`);
