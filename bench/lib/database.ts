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
