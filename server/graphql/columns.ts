import { ReferenceKind, type EntityClass } from '@mikro-orm/core';
import type { GraphQLResolveInfo } from 'graphql';
import type { Em } from '../db/orm.js';
import { selectedPaths } from './lookahead.js';
import type { SqlSortKey } from './sql.js';

/** What a read of an entity's rows must fetch besides the columns of the selected fields. */
export interface ColumnReads {
  /** Properties every row needs whatever is selected (its keys). */
  always: readonly string[];
  /**
   * Field resolvers and the properties each reads of its row: fields that are not columns, and
   * fields named like a column whose resolver reads more (Order.lineItems prices in the order's currency).
   */
  resolvers: Readonly<Record<string, readonly string[]>>;
}

/**
 * The columns of an entity's table that a selection of its GraphQL fields needs, or null for every
 * column when a selected field is neither a column of the entity nor listed in `reads.resolvers` —
 * so a field resolver nobody declared gets the whole row, as before, and only costs the time.
 * A GraphQL field names its column through the entity property of the same name. Rows read this
 * way lack the other columns and must only be serialised (plain rows of a query, never flushed).
 *
 * `fields` comes from selectedPaths, which is cached per field node of a cached document, so the
 * answer is memoised on it and the entity (each entity has one `reads`): a list page asks once per
 * request, not once per row.
 */
export function columnsFor(em: Em, entity: EntityClass<object>, fields: ReadonlySet<string>, reads: ColumnReads): readonly string[] | null {
  let byEntity = memo.get(fields);
  if (!byEntity) memo.set(fields, (byEntity = new Map()));
  if (byEntity.has(entity)) return byEntity.get(entity)!;
  const properties = em.getMetadata().get(entity).properties as Record<string, { kind: ReferenceKind; fieldNames?: string[]; persist?: boolean }>;
  const columnOf = (name: string) => {
    const p = properties[name];
    return p && p.kind === ReferenceKind.SCALAR && p.persist !== false && p.fieldNames?.length === 1 ? p.fieldNames[0] : undefined;
  };
  const columns = new Set<string>();
  let all = false;
  for (const name of [...reads.always, ...fields]) {
    if (name.startsWith('__')) continue; // __typename
    const needs = reads.resolvers[name] ?? (columnOf(name) ? [name] : undefined);
    const needed = needs?.map(columnOf);
    if (needed?.every((c) => c !== undefined)) for (const c of needed) columns.add(c!);
    else all = true;
  }
  const answer = all ? null : [...columns].sort();
  byEntity.set(entity, answer);
  return answer;
}
const memo = new WeakMap<ReadonlySet<string>, Map<EntityClass<object>, readonly string[] | null>>();

/** The columns a connection field (`nodes` / `edges.node` of `entity`) needs for its selection (columnsFor). */
export function connectionColumns(em: Em, entity: EntityClass<object>, info: GraphQLResolveInfo, reads: ColumnReads): readonly string[] | null {
  return columnsFor(em, entity, connectionItemFields(selectedPaths(info, 3)), reads);
}

/** The fields selected on the items of a connection (`nodes { … }`, `edges { node { … } }`), from selectedPaths(info, 3). */
export function connectionItemFields(paths: ReadonlySet<string>): ReadonlySet<string> {
  let fields = itemFields.get(paths);
  if (fields) return fields;
  const found = new Set<string>();
  for (const path of paths) {
    const item = /^(?:nodes|edges\.node)\.([^.]+)$/.exec(path);
    if (item) found.add(item[1]);
  }
  itemFields.set(paths, found);
  return found;
}
const itemFields = new WeakMap<ReadonlySet<string>, ReadonlySet<string>>();

/**
 * The select list over `alias` for `columns` (null: `alias.*`), plus the columns of the sort keys
 * (`alias.column` expressions; the cursor is built from them) and `extra` columns.
 */
export function selectList(alias: string, columns: readonly string[] | null | undefined, keys: readonly SqlSortKey[], extra: readonly string[] = []): string {
  if (!columns) return `${alias}.*`;
  const all = new Set(columns);
  for (const column of extra) all.add(column);
  for (const key of keys) if (key.expr.startsWith(`${alias}.`) && /^\w+$/.test(key.expr.slice(alias.length + 1))) all.add(key.expr.slice(alias.length + 1));
  return [...all].map((c) => `${alias}."${c}"`).join(', ');
}
