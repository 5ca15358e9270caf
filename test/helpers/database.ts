import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseTarget } from '../../server/db/orm.js';

/** The database kind this run tests: PostgreSQL when DATABASE_URL is set, PGlite otherwise. */
export const onPostgres = Boolean(process.env.DATABASE_URL);

/**
 * A throwaway database for one test file: a new PostgreSQL database next to DATABASE_URL's
 * (dropped afterwards), or an in-memory PGlite.
 */
export async function freshDatabase(): Promise<{ target: DatabaseTarget; url?: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) return { target: { pgliteDataDir: 'memory://' }, drop: async () => {} };
  const name = `clientele_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    target: { databaseUrl: url.toString(), connectTimeoutMs: 2000 },
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
