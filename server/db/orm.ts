import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { PgliteDriver } from '@mikro-orm/pglite';
import type { Config } from '../config.js';
import { entities } from './entities.js';
import { migrationsList } from './migrations/index.js';
import { onQuery, TransactionCounter } from './sql-counter.js';

export type Orm = MikroORM;
export type Em = SqlEntityManager;

export interface DatabaseTarget {
  /** PostgreSQL URL, or undefined for embedded PGlite. */
  databaseUrl?: string;
  /** PGlite data directory (`memory://` for a throwaway in-memory database). */
  pgliteDataDir?: string;
  connectTimeoutMs?: number;
  poolMax?: number;
  debug?: boolean;
}

export function targetFromConfig(config: Config): DatabaseTarget {
  return {
    databaseUrl: config.databaseUrl,
    pgliteDataDir: path.join(config.dataDir, 'pglite'),
    connectTimeoutMs: config.dbConnectTimeoutMs,
    poolMax: config.dbPoolMax,
    debug: config.logLevel === 'debug',
  };
}

export async function createOrm(target: DatabaseTarget): Promise<Orm> {
  const common: Partial<Options> = {
    entities,
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    onQuery,
    subscribers: [new TransactionCounter()],
    debug: target.debug ?? false,
    forceUtcTimezone: true,
    allowGlobalContext: false,
    ensureDatabase: false,
    discovery: { warnWhenNoEntities: false },
  };
  if (target.databaseUrl) {
    return MikroORM.init({
      ...common,
      driver: PostgreSqlDriver,
      clientUrl: target.databaseUrl,
      pool: { min: 0, max: target.poolMax ?? 10, idleTimeoutMillis: 10_000 },
      // Fail fast when PostgreSQL is unreachable instead of queueing requests forever.
      driverOptions: { connectionTimeoutMillis: target.connectTimeoutMs ?? 2000 },
    } as Options);
  }
  const dataDir = target.pgliteDataDir ?? 'memory://';
  if (!dataDir.startsWith('memory:')) fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  return MikroORM.init({ ...common, driver: PgliteDriver, dbName: dataDir } as Options);
}

export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((m) => m.name);
}

export async function pendingMigrations(orm: Orm): Promise<number> {
  return (await orm.migrator.getPending()).length;
}

export function sqlEm(orm: Orm): Em {
  return orm.em.fork() as unknown as Em;
}
