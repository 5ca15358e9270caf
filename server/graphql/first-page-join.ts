import type { EntityClass } from '@mikro-orm/core';
import { getArgumentValues, type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';
import type { Principal } from '../auth/keys.service.js';
import type { Loaders } from '../context.js';
import type { Em } from '../db/orm.js';
import { buildConnection, type PageArgs, type PageRequest } from './connection.js';
import { childPageJoin } from './keyset-query.js';
import type { SelectedField } from './lookahead.js';
import type { SqlSortKey } from './sql.js';

/** The request a parent statement is built for. */
export interface ParentRequest {
  em: Em;
  principal: Principal;
  loaders: Loaders;
  info: GraphQLResolveInfo;
}

/** Rows of another table read in a parent statement (CustomerJoin has this shape). */
export interface ParentRowJoin {
  select: string;
  join: string;
  /**
   * When `join` starts with a join the parent statement may already make for its filter or sort
   * (same table, same key): that join's alias, and what to add instead of `join` when it does.
   */
  reuse?: { alias: string; join: string };
  attach(rows: readonly Record<string, unknown>[], parents: readonly { id: string }[]): void;
}

/**
 * A connection field of a parent type (`Customer.interactions`) whose first page is read in the
 * parents' own statement (childPageJoin), for one such field without a filter or cursor. `join`
 * builds it for a selection, or declines (null) — two fields (aliases), a filter, a cursor or a
 * page size the field's resolver refuses — and the field then keeps its batched read, which also
 * reports its errors. `read` is what the field's resolver answers from when the page was read.
 */
export function firstPageJoin<T extends object, C extends object>(spec: {
  /** Parent GraphQL type and the field. */
  parentType: string;
  field: string;
  entity: EntityClass<T>;
  table: string;
  parentColumn: string;
  /** Alias of the lateral join (unique among a parent statement's joins). */
  alias: string;
  keys: SqlSortKey[];
  connection: new () => C;
  pageRequest: (page: PageArgs) => PageRequest;
  /** Columns the selection under the field needs (columnsFor), null for all. */
  columns: (em: Em, field: SelectedField) => readonly string[] | null;
  /** `totalCount` of a parent's connection. */
  count: (request: ParentRequest, parentId: string) => Promise<number>;
}) {
  const READ = Symbol(`${spec.field} read with the ${spec.parentType}`);
  type Stored = { node: FieldNode; connection: C };
  return {
    join(request: ParentRequest, field: SelectedField): ParentRowJoin | null {
      if (field.nodes.length !== 1) return null;
      const [node] = field.nodes;
      const definition = (request.info.schema.getType(spec.parentType) as GraphQLObjectType).getFields()[spec.field];
      const args = getArgumentValues(definition, node, request.info.variableValues);
      if (args.filter != null || args.after != null || args.before != null || args.last != null) return null;
      let page: PageRequest;
      try {
        page = spec.pageRequest(args as PageArgs);
      } catch {
        return null;
      }
      // A card's or a list's last few interactions seldom ask whether there are more: read no more.
      if (!field.paths.has('pageInfo.hasNextPage')) page = { ...page, exact: true };
      const child = childPageJoin(request.em, {
        entity: spec.entity, table: spec.table, keys: spec.keys, request: page, parentColumn: spec.parentColumn,
        columns: spec.columns(request.em, field), alias: spec.alias, parent: 'c',
      });
      return {
        select: child.select,
        join: child.join,
        attach(rows, parents) {
          parents.forEach((parent, i) => {
            const connection = buildConnection(spec.connection as never, child.rowsOf(rows[i], parent.id), page, spec.keys, () => spec.count(request, parent.id)) as C;
            (parent as { [READ]?: Stored })[READ] = { node, connection };
          });
        },
      };
    },
    /** The connection read with `parent` for this field node, or undefined. */
    read(parent: object, node: FieldNode): C | undefined {
      const stored = (parent as { [READ]?: Stored })[READ];
      return stored?.node === node ? stored.connection : undefined;
    },
  };
}
