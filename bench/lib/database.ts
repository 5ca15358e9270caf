/**
 * Throwaway benchmark databases: created beside the one DATABASE_URL names, migrated with the
 * project's own migrations, given a tenant, and dropped afterwards (also on Ctrl-C).
 */
import pg from 'pg';
import { createOrm, migrate, sqlEm } from '../../server/db/orm.js';
import { createTenant } from '../../server/tenants/tenant.service.js';

export interface BenchDatabase {
  name: string;
  url: string;
  tenantId: string;
  tenantSlug: string;
  /** Drops the database (idempotent). */
  drop(): Promise<void>;
}

/** Name of a bench database: lower-case, prefixed, unique per process and label. */
export function benchDatabaseName(label: string): string {
  return `clientele_bench_${label.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_${process.pid}`;
}

/** The same server and credentials as `baseUrl`, another database. */
export function databaseUrl(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

const live = new Set<BenchDatabase>();
let hooked = false;
let interruptedBy: string | null = null;

/** The signal that interrupted the run, if one did (its errors are the drop cutting connections). */
export function interrupted(): string | null {
  return interruptedBy;
}

/** Drops every bench database this process created and has not dropped yet. */
export async function dropAllBenchDatabases(): Promise<void> {
  for (const db of [...live]) await db.drop().catch(() => {});
}

function hookSignals(): void {
  if (hooked) return;
  hooked = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interruptedBy = signal;
      process.stderr.write(`\n${signal}: dropping bench databases…\n`);
      void dropAllBenchDatabases().finally(() => process.exit(130));
    });
  }
}

async function adminQuery(baseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Creates database `name` on the server of `baseUrl` (dropping a leftover of the same name), runs
 * the project's migrations and creates a tenant.
 */
export async function createBenchDatabase(
  baseUrl: string,
  name: string,
  tenant: { slug: string; name: string; defaultCurrency?: string } = { slug: 'bench', name: 'Bench Co.' },
): Promise<BenchDatabase> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad database name ${name}`);
  hookSignals();
  await adminQuery(baseUrl, `drop database if exists ${name} with (force)`);
  await adminQuery(baseUrl, `create database ${name}`);
  const url = databaseUrl(baseUrl, name);
  let dropped = false;
  const db: BenchDatabase = {
    name,
    url,
    tenantId: '',
    tenantSlug: tenant.slug,
    async drop() {
      if (dropped) return;
      dropped = true;
      live.delete(db);
      await adminQuery(baseUrl, `drop database if exists ${name} with (force)`);
    },
  };
  live.add(db);
  try {
    const orm = await createOrm({ databaseUrl: url, poolMax: 2 });
    try {
      await migrate(orm);
      const created = await createTenant(sqlEm(orm), tenant);
      db.tenantId = created.id;
    } finally {
      await orm.close();
    }
  } catch (error) {
    await db.drop();
    throw error;
  }
  return db;
}

/** What a kept dataset database remembers about itself (stored as the database's comment). */
export interface DatasetNote<R = unknown> {
  customers: number;
  tenantId: string;
  report: R;
}

async function adminRows<T>(baseUrl: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * `--reuse`: a dataset database that survives the run. When database `name` exists and its
 * comment says it holds `customers` generated customers, it is migrated (new migrations only,
 * e.g. a backfill) and reused as it is; otherwise it is created, `fill` loads it, and the note is
 * stored. Either way it is kept: `drop()` does nothing (drop it by hand when done).
 * The reused data keep their generation day as asOf (in the note's report).
 */
export async function reuseBenchDatabase<R>(
  baseUrl: string,
  name: string,
  customers: number,
  fill: (db: BenchDatabase) => Promise<R>,
): Promise<{ db: BenchDatabase; report: R; reused: boolean }> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad database name ${name}`);
  const [row] = await adminRows<{ note: string | null }>(
    baseUrl,
    `select shobj_description(oid, 'pg_database') as note from pg_database where datname = $1`,
    [name],
  );
  let note: DatasetNote<R> | null = null;
  try {
    note = row?.note ? (JSON.parse(row.note) as DatasetNote<R>) : null;
  } catch {
    note = null;
  }
  if (note && note.customers === customers) {
    const url = databaseUrl(baseUrl, name);
    const orm = await createOrm({ databaseUrl: url, poolMax: 2 });
    try {
      const applied = await migrate(orm);
      if (applied.length) process.stderr.write(`${name}: applied ${applied.join(', ')}\n`);
    } finally {
      await orm.close();
    }
    const db: BenchDatabase = { name, url, tenantId: note.tenantId, tenantSlug: 'bench', drop: async () => {} };
    return { db, report: note.report, reused: true };
  }
  const created = await createBenchDatabase(baseUrl, name);
  live.delete(created); // kept, also on Ctrl-C once filled
  const report = await fill(created).catch(async (error: unknown) => {
    await created.drop();
    throw error;
  });
  const text = JSON.stringify({ customers, tenantId: created.tenantId, report } satisfies DatasetNote<R>);
  await adminQuery(baseUrl, `comment on database ${name} is '${text.replaceAll("'", "''")}'`);
  return { db: { ...created, drop: async () => {} }, report, reused: false };
}
