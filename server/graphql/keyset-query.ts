import { ReferenceKind, type EntityClass, type EntityProperty } from '@mikro-orm/core';
import type { Em } from '../db/orm.js';
import { selectList } from './columns.js';
import type { PageRequest } from './connection.js';
import { joinSql, keysetSql, limitSql, orderSql, sql, type Sql, type SqlSortKey } from './sql.js';
import { pgArray, queryPrepared } from '../db/prepared.js';

export interface KeysetQuery<T> {
  entity: EntityClass<T>;
  /** Table name; aliased `t` in `where` and sort expressions. */
  table: string;
  tenantId: string;
  where: Sql;
  keys: SqlSortKey[];
  request: PageRequest;
  /** Only these columns (columnsFor; keys and the parent column are added), for rows only serialised; default all. */
  columns?: readonly string[] | null;
}

/** One page (size + 1 rows, to know whether more follow) of a tenant's rows in keyset order. */
export async function fetchPage<T extends object>(em: Em, q: KeysetQuery<T>): Promise<T[]> {
  const where = joinSql([sql('t.tenant_id = ?', [q.tenantId]), q.where, keysetSql(q.keys, q.request, 't.id')], ' and ');
  const order = orderSql(q.keys, q.request.backward, 't.id');
  const rows = await queryPrepared(em, `select t.* from ${q.table} t where ${where.text} order by ${order} ${limitSql(q.request.size + 1)}`, where.params);
  return rows.map((row) => em.map(q.entity, row as never));
}

export async function countRows(em: Em, table: string, tenantId: string, where: Sql): Promise<number> {
  const all = joinSql([sql('t.tenant_id = ?', [tenantId]), where], ' and ');
  const [{ count }] = await em.execute<{ count: number }[]>(`select count(*)::int as count from ${table} t where ${all.text}`, all.params);
  return Number(count);
}

/**
 * The same page for many parents in ONE statement: per parent a lateral `limit size + 1`, so
 * PostgreSQL reads at most size + 1 index entries per parent (interaction_customer_idx and
 * friends), however long a parent's history is. This is what keeps `customers { orders(first: 3) }`
 * at one query however many customers the page holds. Rows are plain objects (see readOnlyEm).
 */
export async function fetchPagesPerParent<T extends object>(
  em: Em,
  q: KeysetQuery<T> & { parentColumn: string; parentIds: readonly string[] },
): Promise<T[][]> {
  if (!q.parentIds.length) return [];
  const where = joinSql(
    [
      sql('t.tenant_id = ?', [q.tenantId]),
      sql(`t.${q.parentColumn} = p.parent_id__`),
      q.where,
      keysetSql(q.keys, q.request, 't.id'),
    ],
    ' and ',
  );
  // The parents as one array parameter: one text whatever their number, prepared once (queryPrepared).
  const rows = await queryPrepared(
    em,
    `select t.* from unnest(?::uuid[]) with ordinality as p(parent_id__, ord__)
       cross join lateral (
         select ${selectList('t', q.columns, q.keys, [q.parentColumn])} from ${q.table} t where ${where.text}
          order by ${orderSql(q.keys, q.request.backward, 't.id')} ${limitSql(q.request.size + 1)}
       ) t
      order by p.ord__, ${orderSql(q.keys, q.request.backward, 't.id')}`,
    [pgArray(q.parentIds), ...where.params],
  );
  const map = plainMapper(em, q.entity);
  const grouped = new Map<string, T[]>(q.parentIds.map((id) => [id, []]));
  for (const row of rows) grouped.get(String(row[q.parentColumn]))?.push(map(row));
  return q.parentIds.map((id) => grouped.get(id)!);
}

// ---------- plain rows for pages that are only read ----------

/** An entity's properties stored in one column of its own table (what plain rows read and write). */
export function columnProperties<T extends object>(em: Em, entity: EntityClass<T>): EntityProperty<T>[] {
  return (Object.values(em.getMetadata().get(entity).properties) as EntityProperty<T>[]).filter(
    (p) => p.kind === ReferenceKind.SCALAR && p.persist !== false && p.fieldNames?.length === 1,
  );
}

/** Per ORM (metadata), entity class and column prefix: PGlite and PostgreSQL convert some values differently. */
const mappers = new WeakMap<object, WeakMap<object, Map<string, (row: Record<string, unknown>) => unknown>>>();

/**
 * Maps a row to an object of `entity`'s class without MikroORM's hydration: no identity map, no
 * change tracking, no per-property accessors — values converted as the hydrator converts them
 * (custom types, dates, booleans). For rows that are only serialised to GraphQL, where entity
 * hydration was the largest single cost of a list page. The object keeps the class prototype, so
 * `instanceof` and class methods still work; it must not be flushed. `prefix`: the row names each
 * column `prefix` + column (an entity's columns among another table's in one statement).
 */
export function plainMapper<T extends object>(em: Em, entity: EntityClass<T>, prefix = ''): (row: Record<string, unknown>) => T {
  const metadata = em.getMetadata();
  let byEntity = mappers.get(metadata);
  if (!byEntity) mappers.set(metadata, (byEntity = new WeakMap()));
  let byPrefix = byEntity.get(entity);
  if (!byPrefix) byEntity.set(entity, (byPrefix = new Map()));
  let map = byPrefix.get(prefix) as ((row: Record<string, unknown>) => T) | undefined;
  if (map) return map;
  const platform = em.getPlatform();
  const props = columnProperties(em, entity);
  // [property, column, conversion (null: the value as the driver gave it)]
  const convert = props.map((p): [string, string, ((v: unknown) => unknown) | null] => {
    const custom = p.customType;
    const fn = custom
      ? (v: unknown) => custom.convertToJSValue(v, platform)
      : p.runtimeType === 'Date'
        ? (v: unknown) => (v instanceof Date ? v : new Date(v as string))
        : p.runtimeType === 'boolean'
          ? (v: unknown) => !!v
          : null;
    return [p.name as string, p.fieldNames[0], fn];
  });
  // MikroORM puts an accessor per property on the entity prototype (its setter redefines the
  // property on first write). A prototype in between shadows each with a writable data property,
  // so plain assignments create own properties. The constructor is generated from the metadata
  // (names are entity property and column names, never request data): straight-line stores in
  // one order give every row the same hidden class. List-page profile: 0.15 µs a row, where a
  // loop over the columns and Object.setPrototypeOf afterwards took 1.2 µs.
  const shadow = Object.create(entity.prototype as object) as object;
  for (const [name] of convert) Object.defineProperty(shadow, name, { value: null, writable: true, configurable: true });
  const body = convert
    .map(([name, field, fn], i) => `v = row[${JSON.stringify(prefix + field)}]; this[${JSON.stringify(name)}] = v == null ? null : ${fn ? `c[${i}](v)` : 'v'};`)
    .join('\n');
  const PlainRow = new Function('c', `return function PlainRow(row) { let v;\n${body}\n}`)(convert.map(([, , fn]) => fn));
  PlainRow.prototype = shadow;
  map = (row) => new PlainRow(row) as T;
  byPrefix.set(prefix, map as (row: Record<string, unknown>) => unknown);
  return map;
}

/**
 * The EntityManager for read paths whose entities are only serialised: the same object, except
 * that `em.map(Entity, row)` returns plain objects (plainMapper). Services that build a page with
 * `em.execute` + `em.map` (listCustomers) get cheap rows without knowing.
 */
export function readOnlyEm(em: Em): Em {
  const map = (entity: EntityClass<object>, row: Record<string, unknown>) => plainMapper(em, entity)(row);
  return new Proxy(em, {
    get(target, prop) {
      if (prop === 'map') return map;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
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
    [sql('t.tenant_id = ?', [tenantId]), sql(`t.${parentColumn} = any(?::uuid[])`, [pgArray(parentIds)]), where],
    ' and ',
  );
  const rows = await queryPrepared<{ parent: string; count: number }>(
    em,
    `select t.${parentColumn} as parent, count(*)::int as count from ${table} t where ${all.text} group by t.${parentColumn}`,
    all.params,
  );
  const byParent = new Map(rows.map((r) => [String(r.parent), Number(r.count)]));
  return parentIds.map((id) => byParent.get(id) ?? 0);
}

// ---------- the same page per parent, inside the parents' own statement ----------

const childJoins = new WeakMap<object, Map<string, { read: string[]; join: string }>>();

/** Column types whose JSON form is what `pg` gives for the column read plainly; every other type is read as its text. */
const JSON_NATIVE = /^(json|jsonb|bool|boolean|smallint|int|int2|int4|integer|real|float|float4|float8|double( precision)?)$|\[\]$/i;

/**
 * fetchPagesPerParent's page (same columns, order and limit) for each row of another statement,
 * inside that statement: a LEFT JOIN LATERAL over the parent alias `parent` that aggregates each
 * parent's page into one JSON value, selected as `<alias>__rows`. Values keep the types a plain
 * read through `pg` has: booleans, whole and floating numbers, arrays and json(b) as JSON; every
 * other column (uuid, text, timestamps, numeric, bigint) as its text. `rowsOf` maps a row of the
 * parent statement and the parent's id to its page of plain rows (see plainMapper). First pages
 * only (no cursor).
 *
 * The parent column is not in the JSON (every row of a page has the parent's id, which rowsOf
 * sets), and `json_agg` takes the rows in the order the limited subquery yields them rather than
 * sorting them again: the aggregate reads its one input as it comes. Together ≈ 10 % of a
 * high-risk page's statement (bench/README.md, session 12).
 */
export function childPageJoin<T extends object>(
  em: Em,
  q: Omit<KeysetQuery<T>, 'tenantId' | 'where'> & { parentColumn: string; alias: string; parent: string },
): { select: string; join: string; rowsOf: (row: Record<string, unknown>, parentId: string) => T[] } {
  if (q.request.cursor !== null || q.request.backward) throw new Error('childPageJoin reads first pages only');
  const order = orderSql(q.keys, false, 't.id');
  // The statement text per entity, columns, size and aliases: built once, not per request.
  const key = [q.table, q.alias, q.parent, q.parentColumn, q.request.size, q.request.exact ?? false, order, q.columns?.join(',') ?? '*'].join(' ');
  let byKey = childJoins.get(em.getMetadata());
  if (!byKey) childJoins.set(em.getMetadata(), (byKey = new Map()));
  let built = byKey.get(key);
  if (!built) {
    const columnType = new Map(columnProperties(em, q.entity).map((p) => [p.fieldNames[0], String(p.columnTypes?.[0] ?? '')]));
    const read = (q.columns
      ? [...new Set([...q.columns, ...q.keys.map((k) => k.expr.replace(/^t\./, ''))])]
      : [...columnType.keys()]).filter((c) => c !== q.parentColumn);
    const values = read.map((c) => (JSON_NATIVE.test(columnType.get(c) ?? '') ? `t."${c}"` : `t."${c}"::text`));
    const join = `left join lateral (
      select json_agg(json_build_array(${values.join(', ')})) as rows
        from (select ${read.map((c) => `t."${c}"`).join(', ')} from ${q.table} t
               where t.tenant_id = ${q.parent}.tenant_id and t.${q.parentColumn} = ${q.parent}.id
               order by ${order} ${limitSql(q.request.size + (q.request.exact ? 0 : 1))}) t
    ) ${q.alias} on true`;
    byKey.set(key, (built = { read, join }));
  }
  const { read, join } = built;
  const map = plainMapper(em, q.entity);
  const name = `${q.alias}__rows`;
  return {
    select: `${q.alias}.rows as "${name}"`,
    join,
    rowsOf(row, parentId) {
      const value = row[name];
      const rows = (typeof value === 'string' ? JSON.parse(value) : value) as unknown[][] | null;
      if (!rows) return [];
      // One input for the parent's rows: `map` copies the values into a new object.
      const plain: Record<string, unknown> = { [q.parentColumn]: parentId };
      return rows.map((cells) => {
        for (let i = 0; i < read.length; i++) plain[read[i]] = cells[i];
        return map(plain);
      });
    },
  };
}
