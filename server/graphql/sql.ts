import { isUuid } from '../db/ids.js';
import { BadUserInputError } from './errors.js';
import type { PageRequest } from './connection.js';

/** A parameterized SQL fragment (`?` placeholders, MikroORM style). */
export interface Sql {
  text: string;
  params: unknown[];
}

export const sql = (text: string, params: unknown[] = []): Sql => ({ text, params });

export function joinSql(parts: Sql[], separator: string): Sql {
  const kept = parts.filter((p) => p.text);
  return { text: kept.map((p) => `(${p.text})`).join(separator), params: kept.flatMap((p) => p.params) };
}

/**
 * `limit n` with n in the text rather than a parameter, so that the generic plan of a prepared
 * statement (queryPrepared) knows how small a page is. With `limit $n` PostgreSQL assumed 10 % of the
 * table: for a customer page with its metrics joined it chose a parallel plan (a worker started
 * per request), and so it planned every execution anew instead (bench/README.md, Load). One text
 * per page size. `n` is a size the server computed, checked here to be a whole number.
 */
export function limitSql(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a row limit: ${n}`);
  return `limit ${n}`;
}

export type FieldKind = 'string' | 'id' | 'enum' | 'date' | 'decimal' | 'number';

/** How a filter field maps onto SQL: a column (or expression) and how to compare it. */
export interface FieldSpec {
  expr: string;
  kind: FieldKind;
}

const OPERATORS: Record<string, string> = { eq: '=', ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' };

/** Escapes LIKE wildcards so user text matches literally. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** One operator object (`{ gte: …, lt: … }`) against one column. */
export function compileOperators(spec: FieldSpec, ops: Record<string, unknown>, path: string): Sql {
  const parts: Sql[] = [];
  const cast = spec.kind === 'decimal' ? '::numeric' : '';
  for (const [op, value] of Object.entries(ops)) {
    if (value === undefined) continue;
    if (value === null && op !== 'isNull') {
      throw new BadUserInputError([{ path: `${path}.${op}`, message: 'must not be null; use isNull' }]);
    }
    if (op in OPERATORS) {
      parts.push(sql(`${spec.expr} ${OPERATORS[op]} ?${cast}`, [value]));
    } else if (op === 'in' || op === 'notIn') {
      const list = value as unknown[];
      if (list.length > 1000) throw new BadUserInputError([{ path: `${path}.${op}`, message: 'takes at most 1000 values' }]);
      if (list.length === 0) parts.push(sql(op === 'in' ? 'false' : 'true'));
      else parts.push(sql(`${spec.expr} ${op === 'in' ? 'in' : 'not in'} (${list.map(() => '?').join(', ')})`, list));
    } else if (op === 'contains') {
      parts.push(sql(`${spec.expr} ilike ?`, [`%${escapeLike(String(value))}%`]));
    } else if (op === 'startsWith') {
      parts.push(sql(`${spec.expr} ilike ?`, [`${escapeLike(String(value))}%`]));
    } else if (op === 'isNull') {
      parts.push(sql(`${spec.expr} is ${value ? '' : 'not '}null`));
    }
  }
  return joinSql(parts, ' and ');
}

export type SpecialHandler<F> = (value: NonNullable<F[keyof F]>, path: string) => Sql;

/**
 * Compiles a filter input (`{ field: { op: v }, and: [...], or: [...], not: {...} }`) to SQL.
 * `fields` maps plain operator fields; `special` handles the rest (search, tags, metrics…).
 */
export function compileFilter<F extends object>(
  filter: F | null | undefined,
  fields: Record<string, FieldSpec>,
  special: Partial<Record<keyof F, SpecialHandler<F>>> = {},
  path = 'filter',
): Sql {
  if (!filter) return sql('');
  const parts: Sql[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined || value === null) continue;
    const here = `${path}.${key}`;
    if (key === 'and' || key === 'or') {
      const list = (value as F[]).map((f, i) => compileFilter(f, fields, special, `${here}.${i}`));
      const joined = joinSql(list, key === 'and' ? ' and ' : ' or ');
      if (joined.text) parts.push(joined);
    } else if (key === 'not') {
      const inner = compileFilter(value as F, fields, special, here);
      // coalesce: `not` keeps rows where the inner filter is NULL (e.g. not { company: { eq: "X" } } keeps rows without a company).
      if (inner.text) parts.push(sql(`not coalesce((${inner.text}), false)`, inner.params));
    } else if (key in special) {
      parts.push(special[key as keyof F]!(value as never, here));
    } else if (key in fields) {
      parts.push(compileOperators(fields[key], value as Record<string, unknown>, here));
    }
  }
  return joinSql(parts, ' and ');
}

export interface SqlSortKey {
  /** SQL expression ordered on. */
  expr: string;
  /** Entity property whose value goes into the cursor. */
  prop: string;
  desc: boolean;
  kind: 'string' | 'date' | 'number';
  /**
   * The expression may be NULL (e.g. a metric through a left join) and NULL sorts as the lowest
   * value: last when descending, first when ascending. Cursors then carry `null`.
   */
  nullsLow?: boolean;
}

/** `order by` for the keys (reversed when paging backward), with `idExpr` as the last tie-break. */
export function orderSql(keys: SqlSortKey[], backward: boolean, idExpr: string): string {
  const lastDesc = keys.at(-1)?.desc ?? false;
  const all = [...keys.map((k) => ({ expr: k.expr, desc: k.desc, nullsLow: k.nullsLow })), { expr: idExpr, desc: lastDesc, nullsLow: false }];
  return all
    .map((k) => {
      const desc = k.desc !== backward;
      return `${k.expr} ${desc ? 'desc' : 'asc'}${k.nullsLow ? (desc ? ' nulls last' : ' nulls first') : ''}`;
    })
    .join(', ');
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/**
 * A cursor of the right length can still hold values this list never issued (forged, or taken
 * from a list sorted another way): they must be BAD_USER_INPUT, not a database error.
 */
function checkCursorValues(request: PageRequest, keys: SqlSortKey[]): void {
  const cursor = request.cursor!;
  const fits = (raw: unknown, kind: SqlSortKey['kind']) =>
    raw === null ||
    (kind === 'date' ? typeof raw === 'string' && ISO_INSTANT.test(raw) && !Number.isNaN(Date.parse(raw))
      : kind === 'number' ? (typeof raw === 'number' && Number.isFinite(raw)) || (typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw))
      : typeof raw === 'string');
  const id = cursor[keys.length];
  if (!keys.every((k, i) => fits(cursor[i], k.kind)) || typeof id !== 'string' || !isUuid(id)) {
    throw new BadUserInputError([{ path: request.cursorPath ?? (request.backward ? 'before' : 'after'), message: 'is not a cursor this list issued' }]);
  }
}

/** Rows strictly after the cursor in the page's order: (k1 > v1) or (k1 = v1 and k2 > v2) … then id. */
export function keysetSql(keys: SqlSortKey[], request: PageRequest, idExpr: string): Sql {
  if (!request.cursor) return sql('');
  const lastDesc = keys.at(-1)?.desc ?? false;
  const all: SqlSortKey[] = [...keys, { expr: idExpr, prop: 'id', desc: lastDesc, kind: 'string' }];
  checkCursorValues(request, keys);
  const value = (i: number) => {
    const raw = request.cursor![i];
    return all[i].kind === 'date' && raw !== null ? new Date(String(raw)) : raw;
  };
  // nullsLow keys: NULL is below every value, and equal to itself.
  const equal = (i: number): Sql => {
    const v = value(i);
    return all[i].nullsLow && v === null ? sql(`${all[i].expr} is null`) : sql(`${all[i].expr} = ?`, [v]);
  };
  const beyond = (i: number): Sql | null => {
    const v = value(i);
    const descending = all[i].desc !== request.backward;
    if (!all[i].nullsLow) return sql(`${all[i].expr} ${descending ? '<' : '>'} ?`, [v]);
    if (v === null) return descending ? null : sql(`${all[i].expr} is not null`);
    return descending ? sql(`${all[i].expr} < ? or ${all[i].expr} is null`, [v]) : sql(`${all[i].expr} > ?`, [v]);
  };
  const branches: Sql[] = [];
  for (let i = 0; i < all.length; i++) {
    const last = beyond(i);
    if (!last) continue; // nothing sorts below NULL
    const parts: Sql[] = [];
    for (let j = 0; j < i; j++) parts.push(equal(j));
    parts.push(last);
    branches.push(joinSql(parts, ' and '));
  }
  return joinSql(branches, ' or ');
}
