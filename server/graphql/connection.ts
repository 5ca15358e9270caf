import { Field, Int, ObjectType, ArgsType, type ClassType } from 'type-graphql';
import { BadUserInputError, InputErrors } from './errors.js';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  /** The page's nodes and their cursor encoding (buildConnection): cursors are encoded when read. */
  page!: readonly object[];
  cursorOf!: (node: object) => string;

  @Field(() => String, { nullable: true })
  get startCursor(): string | null {
    return this.page.length ? this.cursorOf(this.page[0]) : null;
  }

  @Field(() => String, { nullable: true })
  get endCursor(): string | null {
    return this.page.length ? this.cursorOf(this.page[this.page.length - 1]) : null;
  }
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Items after \`after\`; at most ${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}.` })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: `Items before \`before\`; at most ${MAX_PAGE_SIZE}.` })
  last?: number | null;

  @Field(() => String, { nullable: true })
  before?: string | null;
}

export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount(): Promise<number>;
  /** Set by buildConnection: a node's cursor, and the count run only when totalCount is asked for. */
  cursorOf(node: T): string;
  countTotal(): Promise<number>;
}

/** Builds `<Name>Connection` and `<Name>Edge` types for a node type (Relay style). */
export function connectionType<T extends object>(Node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String, { description: 'Opaque keyset cursor.' })
    cursor!: string;

    @Field(() => Node)
    node!: T;
  }

  @ObjectType(`${name}Connection`)
  class Connection implements ConnectionShape<T> {
    @Field(() => [Node])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    cursorOf!: (node: T) => string;
    countTotal!: () => Promise<number>;
    private edgeList?: Edge[];

    /** Built (and cursors encoded) only when asked for: most pages, nested ones above all, select `nodes`. */
    @Field(() => [Edge])
    get edges(): Edge[] {
      return (this.edgeList ??= this.nodes.map((node) => ({ cursor: this.cursorOf(node), node })));
    }

    @Field(() => Int, { description: 'All items matching the filter (counted only when asked for).' })
    totalCount(): Promise<number> {
      return this.countTotal();
    }
  }
  return Connection;
}

/** What a page request means after validation: direction, size and decoded cursor values. */
export interface PageRequest {
  size: number;
  backward: boolean;
  cursor: unknown[] | null;
  /** The argument the cursor came in (`after` / `before`, with any prefix), for error paths. */
  cursorPath?: string;
  /**
   * A first page whose selection does not ask `pageInfo.hasNextPage`: its read fetches `size` rows,
   * not the one more that tells whether there are others (hasNextPage then reads false, unasked).
   */
  exact?: boolean;
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, path: string, arity: number): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === arity && values.every((v) => v === null || ['string', 'number'].includes(typeof v))) {
      return values;
    }
  } catch {
    // fall through to the typed error
  }
  throw new BadUserInputError([{ path, message: 'is not a cursor this list issued' }]);
}

/** Validates first/after/last/before; `arity` is how many values a cursor of this list holds. */
export function pageRequest(args: PageArgs, arity: number, pathPrefix = ''): PageRequest {
  const errors = new InputErrors();
  const p = (name: string) => (pathPrefix ? `${pathPrefix}.${name}` : name);
  for (const name of ['first', 'last'] as const) {
    const value = args[name];
    if (value != null && (value < 0 || value > MAX_PAGE_SIZE)) {
      errors.add(p(name), `must be between 0 and ${MAX_PAGE_SIZE}`);
    }
  }
  if (args.first != null && args.last != null) errors.add(p('last'), 'cannot be combined with first');
  if (args.after != null && args.before != null) errors.add(p('before'), 'cannot be combined with after');
  errors.throwIfAny();
  const backward = args.last != null || (args.before != null && args.first == null);
  const raw = backward ? args.before : args.after;
  const cursorPath = p(backward ? 'before' : 'after');
  return {
    size: (backward ? args.last : args.first) ?? DEFAULT_PAGE_SIZE,
    backward,
    cursor: raw != null ? decodeCursor(raw, cursorPath, arity) : null,
    cursorPath,
  };
}

/** Cursor values for a row: the sort keys' properties in order, then the id. */
export function cursorValues(row: Record<string, unknown>, keys: { prop: string }[]): unknown[] {
  return [
    ...keys.map((k) => {
      const value = row[k.prop];
      return value instanceof Date ? value.toISOString() : (value ?? null);
    }),
    row.id,
  ];
}

/** Turns rows fetched with one extra (size + 1) into a connection. */
export function buildConnection<T extends object, C extends ConnectionShape<T>>(
  Conn: ClassType<C>,
  rows: T[],
  request: PageRequest,
  keys: { prop: string }[],
  countTotal: () => Promise<number>,
): C {
  const hasMore = rows.length > request.size;
  const page = rows.slice(0, request.size);
  if (request.backward) page.reverse();
  // Plain stores into instances whose lazy parts (edges, start/end cursors) are prototype getters:
  // one hidden class for every connection of a type, where per-instance accessors made each one slow.
  const cursorOf = (node: T) => encodeCursor(cursorValues(node as Record<string, unknown>, keys));
  const pageInfo = new PageInfo();
  pageInfo.hasNextPage = request.backward ? request.cursor !== null : hasMore;
  pageInfo.hasPreviousPage = request.backward ? hasMore : request.cursor !== null;
  pageInfo.page = page;
  pageInfo.cursorOf = cursorOf as (node: object) => string;
  const conn = new Conn();
  conn.nodes = page;
  conn.pageInfo = pageInfo;
  conn.cursorOf = cursorOf;
  conn.countTotal = countTotal;
  return conn;
}
