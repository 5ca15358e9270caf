import type { ApolloServerOptionsWithGateway, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import {
  execute, type ExecutionResult, getNamedType, GraphQLError, isInputObjectType, isInterfaceType, isObjectType, isUnionType, typeFromAST, type DocumentNode, type GraphQLInputObjectType, type GraphQLSchema,
  type GraphQLType,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { getMetadataStorage } from 'type-graphql';
import type { Context } from '../context.js';
import { BUSY, type Admission } from './admission.js';
import { AppError } from './errors.js';
import { readOnlyEm } from './keyset-query.js';
import { leafCheck, type LeafCheck } from './leaf-check.js';

/**
 * Apollo options for the read path, measured by the load benchmark (bench/README.md, Load).
 * Wired in server/app.ts with one line: `plugins: [..., ...executionPlugins()]`.
 *
 * - Apollo's cache-control plugin is on by default and has a `willResolveField` hook, which makes
 *   Apollo wrap EVERY field resolver of the schema with its instrumentation (a closure, a hook call
 *   and a promise check per field: 1,500–3,000 fields on a list page). We send no cache hints and
 *   no Cache-Control headers, so it only costs.
 * - Query operations read only: their EntityManager maps rows to plain objects (readOnlyEm), so
 *   the metrics rows of a page (40 columns each) and every other `em.map` of a query skip entity
 *   hydration and the identity map. Mutations keep the full EntityManager.
 *
 * Parsed and validated documents are already cached by Apollo (its default in-memory document
 * store keyed by the query's hash), so a repeated query is parsed and validated once.
 */
export function executionPlugins(): ApolloServerPlugin<Context>[] {
  return [ApolloServerPluginCacheControlDisabled() as ApolloServerPlugin<Context>, readOnlyQueries()];
}

/** Gives query operations a read-only view of the request's EntityManager (see readOnlyEm). */
export function readOnlyQueries(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation === 'query') contextValue.em = readOnlyEm(contextValue.em);
        },
      };
    },
  };
}

/**
 * Drops type-graphql's wrapper from fields that only read a property. type-graphql gives every
 * `@Field` a resolver (`createBasicFieldResolver`: a resolver-data object and the middleware
 * chain, then `root[name]`) even with no middleware or `@Authorized` on it; a list page resolves
 * ~2,500 such fields. Without a resolver, graphql-js (and graphql-jit, which then inlines the
 * property read) reads `root[fieldName]` — the same value. Kept: field resolvers and methods,
 * fields with roles or middlewares, and renamed fields (`name` ≠ schema name).
 */
export function withPlainFieldResolvers(schema: GraphQLSchema): GraphQLSchema {
  const storage = getMetadataStorage();
  const resolved = new Set(storage.fieldResolvers.map((r) => `${r.getObjectType?.()?.name}.${r.methodName}`));
  for (const meta of storage.objectTypes) {
    const type = schema.getType(meta.name);
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    // Own fields and those inherited from parent classes (type-graphql copies those into the type).
    for (let target = meta.target; target?.prototype; target = Object.getPrototypeOf(target)) {
      const own = storage.objectTypes.find((o) => o.target === target)?.fields ?? [];
      for (const f of own) {
        const field = fields[f.schemaName];
        const plain = f.name === f.schemaName && !f.roles && !f.middlewares?.length && !f.params?.length;
        if (field && plain && !resolved.has(`${meta.target.name}.${f.name}`) && !resolved.has(`${target.name}.${f.name}`)) field.resolve = undefined;
      }
    }
  }
  // Getters (`@Field() get pAlive()`) are type-graphql field resolvers: per call a resolver-data
  // object, the middleware chain and convertToType. On an instance of the class the getter is all
  // that runs; anything else (a plain object) still goes through type-graphql.
  for (const r of storage.fieldResolvers) {
    const Target = r.getObjectType?.() as (abstract new () => object) | undefined;
    const getter = Target && Object.getOwnPropertyDescriptor(Target.prototype, r.methodName)?.get;
    if (!Target || !getter || r.kind !== 'internal' || r.methodName !== r.schemaName || r.roles || r.middlewares?.length || r.params?.length) continue;
    for (const meta of storage.objectTypes) {
      const type = schema.getType(meta.name);
      if (!isObjectType(type) || !(meta.target === Target || meta.target.prototype instanceof Target)) continue;
      const field = type.getFields()[r.schemaName];
      const wrapped = field?.resolve;
      if (!wrapped) continue;
      const name = r.methodName;
      field.resolve = (root, args, context, info) => (root instanceof Target ? root[name as keyof typeof root] : wrapped(root, args, context, info));
    }
  }
  return schema;
}

/** What compiledQueries logs about a resolver whose value is not of its field's type (the tests fail on it). */
export const LEAF_OF_ANOTHER_TYPE = 'is not of the type the schema declares';

type Gateway = ApolloServerOptionsWithGateway<Context>['gateway'];
/** A compiled operation and, when it writes its leaves unserialised, their check. */
type Compiled = { run: CompiledQuery['query']; leaves: LeafCheck | null };
type GatewayExecutor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;

/**
 * Query operations run as code compiled by graphql-jit, through Apollo Server's gateway
 * interface (the one way Apollo 5 takes another executor: `load()` returns `{ executor }`).
 * Everything before execution stays Apollo's: parsing, validation, the document cache, the
 * context (authentication), plugins (the widget allowlist, read-only EntityManager) and error
 * formatting. A document is compiled the second time it is executed (one-off documents are not
 * worth compiling) and kept as long as Apollo keeps the parsed document. graphql-js still runs:
 * mutations (serial execution, written once), the first execution of a document, and any request
 * whose variables do not coerce, so input errors read exactly as they always did — and operations
 * with a variable of a recursive input type (CustomerFilter's and / or / not): graphql-jit 0.8.9
 * generates their coercion inline and never ends (zalando-incubator/graphql-jit#81, open).
 *
 * Leaves are written unserialised and checked afterwards (leafCheck: a string for String, a 32-bit
 * integer for Int…). An answer with a leaf that fails the check is computed again with graphql-jit's
 * serialisation, which the document keeps from then on; `log` names the document and the leaf once,
 * since the resolver behind it returns a value of another type than the schema says.
 *
 * At most `queries.limit` query operations execute at once; the others wait their turn here, in
 * arrival order, after parsing and authentication. A read is CPU in PostgreSQL and in this process,
 * nothing else, so more reads at once than that only contend for the same cores: at 16 connections
 * on 2 cores, 4–6 at once read highRisk with 0.94 ms of PostgreSQL CPU each against 1.38 at 16
 * (bench/README.md, session 13). Mutations are not held back: they spend most of their time waiting
 * for their commit to reach the disk, and commits that wait together are flushed together.
 */
export function compiledQueries(schema: GraphQLSchema, queries: Admission, log: (message: string) => void = console.error): Gateway {
  const loopsBack = recursiveInputs(schema);
  /** Per parsed document (Apollo's document store hands out the same object): per operation name. */
  const compiled = new WeakMap<DocumentNode, Map<string, Compiled | 'seen once' | 'not compilable'>>();
  const executor: GatewayExecutor = async (request) => {
    if (request.operation?.operation !== 'query') return execution(request);
    if (!(await queries.enter())) return { errors: [busy()] };
    try {
      return await execution(request);
    } finally {
      queries.leave();
    }
  };
  const execution: GatewayExecutor = async (request) => {
    const { document, operation, context } = request;
    const operationName = request.operationName ?? request.request.operationName ?? null;
    const variables = request.request.variables ?? {};
    const graphqlJs = () => execute({ schema, document, contextValue: context, variableValues: variables, operationName });
    if (operation?.operation !== 'query' || operation.variableDefinitions?.some((v) => loopsBack(typeFromAST(schema, v.type)))) return graphqlJs();
    let byName = compiled.get(document);
    if (!byName) compiled.set(document, (byName = new Map()));
    const key = operationName ?? '';
    let query = byName.get(key);
    if (query === undefined) {
      byName.set(key, 'seen once');
      return graphqlJs();
    }
    if (query === 'seen once') byName.set(key, (query = compile(document, operationName, leafCheck(schema, document, operationName))));
    if (query === 'not compilable') return graphqlJs();
    let result = await query.run(undefined, context, variables);
    // No data at all: the variables did not coerce; graphql-js words those errors.
    if (result.data === undefined && result.errors?.length) return graphqlJs();
    const bad = query.leaves && result.data ? query.leaves(result.data) : undefined;
    if (bad !== undefined) {
      // Requests that ran the same plan meanwhile find it replaced already: one warning, one compilation.
      let serialised = byName.get(key);
      if (serialised === query) {
        log(`query ${operationName ?? '(unnamed)'}: the value at ${bad} ${LEAF_OF_ANOTHER_TYPE}; this document now runs with serialised leaves`);
        byName.set(key, (serialised = compile(document, operationName, null)));
      }
      if (typeof serialised !== 'object') return graphqlJs(); // graphql-jit could not compile it serialised
      result = await serialised.run(undefined, context, variables);
    }
    return result.errors?.length ? { ...result, errors: result.errors.map(withExtensions) } : result;
  };
  /** With a leaf check: leaves unserialised (see leafCheck); without: graphql-jit serialises them. */
  const compile = (document: DocumentNode, operationName: string | null, leaves: LeafCheck | null): Compiled | 'not compilable' => {
    let result: CompiledQuery | ExecutionResult | undefined;
    try {
      result = compileQuery(schema, document, operationName ?? undefined, { disablingCapturingStackErrors: true, disableLeafSerialization: !!leaves });
    } catch {
      // A document graphql-jit cannot compile simply keeps running on graphql-js.
    }
    return result && isCompiledQuery(result) ? { run: result.query, leaves } : 'not compilable';
  };
  return {
    async load() {
      return { executor };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async stop() {},
  };
}

/** A query that waited longer than DB_CONNECT_TIMEOUT_MS for its turn: what a request refused at the door gets. */
function busy(): AppError {
  const http = { status: BUSY.status, headers: new Map([['retry-after', String(BUSY.retryAfterSeconds)]]) };
  return new AppError('UNAVAILABLE', BUSY.message, { retryable: true, http });
}

/**
 * graphql-jit's errors leave `extensions` undefined (and read-only) when the resolver threw a plain
 * Error — a database outage, a bug. Apollo reads `extensions.code` before our formatError runs, so
 * such an error came out as a bare INTERNAL_SERVER_ERROR: never UNAVAILABLE, never logged, no
 * request id. Rebuilt as graphql-js builds them: same message, path, locations and cause.
 */
function withExtensions(error: GraphQLError): GraphQLError {
  if (error.extensions) return error;
  const rebuilt = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined });
  if (error.locations) (rebuilt as { locations?: GraphQLError['locations'] }).locations = error.locations;
  return rebuilt;
}

/** Whether a variable of an input type can hold itself, directly or through other inputs (memoised per schema). */
function recursiveInputs(schema: GraphQLSchema): (type: GraphQLType | undefined) => boolean {
  const memo = new Map<GraphQLInputObjectType, boolean>();
  const reaches = (from: GraphQLInputObjectType, target: GraphQLInputObjectType, seen: Set<GraphQLInputObjectType>): boolean =>
    Object.values(from.getFields()).some((f) => {
      const named = getNamedType(f.type);
      if (!isInputObjectType(named)) return false;
      if (named === target) return true;
      if (seen.has(named)) return false;
      seen.add(named);
      return reaches(named, target, seen);
    });
  const loops = (type: GraphQLInputObjectType): boolean => {
    let known = memo.get(type);
    if (known === undefined) {
      // The type, or an input type it holds at any depth, can reach itself.
      const all = new Set([type]);
      collectInputs(type, all);
      known = [...all].some((t) => reaches(t, t, new Set()));
      memo.set(type, known);
    }
    return known;
  };
  return (type) => {
    const named = type && getNamedType(type);
    return !!named && isInputObjectType(named) && loops(named);
  };
}

function collectInputs(type: GraphQLInputObjectType, into: Set<GraphQLInputObjectType>): void {
  for (const f of Object.values(type.getFields())) {
    const named = getNamedType(f.type);
    if (isInputObjectType(named) && !into.has(named)) {
      into.add(named);
      collectInputs(named, into);
    }
  }
}

/**
 * type-graphql wraps a union's or interface's own `resolveType` in an async function; graphql-js
 * awaits it, graphql-jit does not (a promise is no type name, so every item became an error).
 * Same mapping, synchronous when the class's resolveType is (TimelineItem's is): the class it
 * returns becomes its GraphQL type name.
 */
export function withSyncTypeResolvers(schema: GraphQLSchema): GraphQLSchema {
  const storage = getMetadataStorage();
  const nameOf = (resolved: unknown) =>
    typeof resolved === 'string' || resolved == null ? (resolved ?? undefined) : storage.objectTypes.find((o) => o.target === resolved)?.name;
  for (const meta of [...storage.unions, ...storage.interfaceTypes]) {
    const type = schema.getType(meta.name);
    const own = meta.resolveType;
    if (!own || !(isUnionType(type) || isInterfaceType(type))) continue;
    type.resolveType = (value, context, info, abstractType) => {
      const resolved = own(value, context, info, abstractType);
      return resolved instanceof Promise ? resolved.then(nameOf) : nameOf(resolved);
    };
  }
  return schema;
}
