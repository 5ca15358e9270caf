import type { EntityClass } from '@mikro-orm/core';
import type { Em } from '../db/orm.js';
import type { PageRequest } from './connection.js';
import { joinSql, keysetSql, orderSql, sql, type Sql, type SqlSortKey } from './sql.js';

export interface KeysetQuery<T> {
  entity: EntityClass<T>;
  /** Table name; aliased `t` in `where` and sort expressions. */
  table: string;
  tenantId: string;
  where: Sql;
  keys: SqlSortKey[];
  request: PageRequest;
}

/** One page (size + 1 rows, to know whether more follow) of a tenant's rows in keyset order. */
export async function fetchPage<T extends object>(em: Em, q: KeysetQuery<T>): Promise<T[]> {
  const where = joinSql([sql('t.tenant_id = ?', [q.tenantId]), q.where, keysetSql(q.keys, q.request, 't.id')], ' and ');
  const rows = await em.execute<Record<string, unknown>[]>(
    `select t.* from ${q.table} t where ${where.text} order by ${orderSql(q.keys, q.request.backward, 't.id')} limit ?`,
    [...where.params, q.request.size + 1],
  );
  return rows.map((row) => em.map(q.entity, row as never));
}

export async function countRows(em: Em, table: string, tenantId: string, where: Sql): Promise<number> {
  const all = joinSql([sql('t.tenant_id = ?', [tenantId]), where], ' and ');
  const [{ count }] = await em.execute<{ count: number }[]>(`select count(*)::int as count from ${table} t where ${all.text}`, all.params);
  return Number(count);
}

/**
 * The same page for many parents in ONE statement: rows are numbered per parent with a window
 * function and cut at size + 1. This is what keeps `customers { orders(first: 3) }` at one query
 * however many customers the page holds.
 */
export async function fetchPagesPerParent<T extends object>(
  em: Em,
  q: KeysetQuery<T> & { parentColumn: string; parentIds: readonly string[] },
): Promise<T[][]> {
  const where = joinSql(
    [
      sql('t.tenant_id = ?', [q.tenantId]),
      sql(`t.${q.parentColumn} in (${q.parentIds.map(() => '?').join(', ')})`, [...q.parentIds]),
      q.where,
      keysetSql(q.keys, q.request, 't.id'),
    ],
    ' and ',
  );
  const rows = await em.execute<Record<string, unknown>[]>(
    `select * from (
       select t.*, row_number() over (partition by t.${q.parentColumn} order by ${orderSql(q.keys, q.request.backward, 't.id')}) as page_row__
         from ${q.table} t where ${where.text}
     ) ranked where page_row__ <= ? order by ${q.parentColumn}, page_row__`,
    [...where.params, q.request.size + 1],
  );
  const grouped = new Map<string, T[]>(q.parentIds.map((id) => [id, []]));
  for (const row of rows) {
    const parent = String(row[q.parentColumn]);
    delete row.page_row__;
    grouped.get(parent)?.push(em.map(q.entity, row as never));
  }
  return q.parentIds.map((id) => grouped.get(id)!);
}

/** Row counts per parent in one grouped statement. */
export async function countPerParent(
  em: Em,
  table: string,
  parentColumn: string,
  tenantId: string,
  parentIds: readonly string[],
  where: Sql,
): Promise<number[]> {
  const all = joinSql(
    [sql('t.tenant_id = ?', [tenantId]), sql(`t.${parentColumn} in (${parentIds.map(() => '?').join(', ')})`, [...parentIds]), where],
    ' and ',
  );
  const rows = await em.execute<{ parent: string; count: number }[]>(
    `select t.${parentColumn} as parent, count(*)::int as count from ${table} t where ${all.text} group by t.${parentColumn}`,
    all.params,
  );
  const byParent = new Map(rows.map((r) => [String(r.parent), Number(r.count)]));
  return parentIds.map((id) => byParent.get(id) ?? 0);
}
