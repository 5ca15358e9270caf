import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Em } from './orm.js';
import { countStatement } from './sql-counter.js';

/**
 * Statements — reads, and single-statement writes such as re-scoring's metrics upsert — that run
 * as named prepared statements on PostgreSQL: parsed once per pooled connection
 * and, after a few executions, planned once (PostgreSQL's generic plan). MikroORM's `execute`
 * inlines every parameter into the text, so PostgreSQL parsed and planned each statement anew —
 * the metrics read of a list page spent 0.5 ms of PostgreSQL CPU per request doing that, 0.2 ms
 * prepared (bench/README.md). Texts take `?` placeholders like em.execute (every `?` is one) and
 * only scalar values; pass a list as one array literal (pgArray) so the text does not change with
 * its length.
 *
 * Where this cannot hold — PGlite (one shared session behind MikroORM's own queue) and inside a
 * transaction (its own connection) — the same text and values go through em.execute.
 *
 * Bounded: the first MAX_NAMED distinct texts get names (each prepared on every pooled
 * connection that runs it); any further text runs unnamed, still parameterised.
 */
export async function queryPrepared<T = Record<string, unknown>>(em: Em, text: string, values: readonly unknown[] = []): Promise<T[]> {
  const pool = em.isInTransaction() ? null : await poolOf(em);
  if (!pool) return em.execute<T[]>(text, [...values]);
  countStatement();
  const statement = statementFor(text);
  const started = Date.now();
  const run = (name?: string) => pool.query<T & pg.QueryResultRow>({ name, text: statement.numbered, values: values as unknown[] });
  try {
    const { rows } = await run(statement.name).catch((error: { code?: string }) => {
      // "cached plan must not change result type": a table changed under a `select t.*` since the
      // statement was prepared (a migration while running). Prepare every text again, by new names.
      if (!statement.name || error.code !== '0A000') throw error;
      statements.clear();
      generation++;
      return run();
    });
    // LOG_LEVEL=debug shows these with MikroORM's own queries.
    em.config.getLogger().logQuery({ query: `${statement.numbered} -- prepared`, took: Date.now() - started, results: rows.length, level: 'info' });
    return rows;
  } catch (error) {
    // MikroORM's exception classes, as em.execute throws them (UniqueConstraintViolationException, …).
    throw em.getDriver().convertException(error as Error);
  }
}

/** A PostgreSQL array literal of `items` (e.g. uuids) for one `?::uuid[]` parameter. */
export function pgArray(items: readonly string[]): string {
  return `{${items.map((item) => `"${item.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

const MAX_NAMED = 500;
let generation = 0;
const statements = new Map<string, { name?: string; numbered: string }>();

function statementFor(text: string): { name?: string; numbered: string } {
  let statement = statements.get(text);
  if (!statement) {
    const numbered = numberPlaceholders(text);
    if (statements.size >= MAX_NAMED) return { numbered };
    statement = { name: `c${generation}_${createHash('sha1').update(numbered).digest('hex').slice(0, 20)}`, numbered };
    statements.set(text, statement);
  }
  return statement;
}

/** `?` → `$1`, `$2`, …: every `?` is a placeholder, as em.execute reads the same text. */
function numberPlaceholders(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

/** The `pg` pool behind an EntityManager's connection; null on PGlite. */
async function poolOf(em: Em): Promise<pg.Pool | null> {
  const connection = em.getConnection() as unknown as object & { getNativeClient?: () => Promise<unknown> };
  let pool = pools.get(connection);
  if (pool === undefined) {
    const client = await connection.getNativeClient?.().catch(() => null);
    pool = client instanceof pg.Pool ? client : null;
    pools.set(connection, pool);
  }
  return pool;
}
const pools = new WeakMap<object, pg.Pool | null>();
