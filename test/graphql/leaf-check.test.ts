import 'reflect-metadata';
import {
  buildSchema, execute, GraphQLBoolean, GraphQLFloat, GraphQLID, GraphQLInt, GraphQLString, isObjectType, parse, type DocumentNode,
  type ExecutionResult, type GraphQLScalarType, type GraphQLSchema,
} from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { Admission } from '../../server/graphql/admission.js';
import { compiledQueries } from '../../server/graphql/execution.js';
import { leafCheck } from '../../server/graphql/leaf-check.js';

const SDL = `
  enum Level { LOW HIGH }
  enum Code { ${Array.from({ length: 30 }, (_, i) => `C${i}`).join(' ')} }
  scalar Stamp
  interface Named { name: String }
  type Item implements Named { id: ID! name: String score: Float level: Level tags: [String!] stamp: Stamp }
  type Other implements Named { name: String }
  union Thing = Item | Other
  type Query { count: Int! flag: Boolean item: Item items: [Item!]! named: Named thing: Thing code: Code }
  type Mutation { touch: Int }
`;

/** The schema with each field reading `answers[field]` (or the parent's property). */
function schemaAnswering(answers: Record<string, unknown>): GraphQLSchema {
  const schema = buildSchema(SDL);
  const query = schema.getQueryType()!;
  for (const [name, field] of Object.entries(query.getFields())) field.resolve = () => answers[name];
  for (const type of Object.values(schema.getTypeMap())) {
    if (isObjectType(type) && type !== query) for (const field of Object.values(type.getFields())) field.resolve = (root) => root[field.name];
  }
  return schema;
}

const check = (schema: GraphQLSchema, query: string, name?: string) => leafCheck(schema, parse(query), name);

describe('leafCheck (the answer graphql-jit writes without serialising leaves)', () => {
  const schema = buildSchema(SDL);

  it('holds for a leaf exactly when the type would write the value unchanged', () => {
    const values = [0, -0, 1, -1, 1.5, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, NaN, Infinity, -Infinity, '', '5', 'x', true, false, {}, [], [1], new Date(0), 10n, Symbol('s')];
    const cases: [string, GraphQLScalarType][] = [['count', GraphQLInt], ['item { score }', GraphQLFloat], ['flag', GraphQLBoolean], ['item { id }', GraphQLID], ['item { name }', GraphQLString]];
    for (const [selection, type] of cases) {
      const leaf = check(schema, `{ ${selection} }`)!;
      const field = selection.includes('{') ? selection.replace(/^item \{ (\w+) \}$/, '$1') : selection;
      for (const value of values) {
        const data = selection.includes('{') ? { item: { [field]: value } } : { [field]: value };
        let unchanged: boolean;
        try {
          unchanged = Object.is(type.serialize(value), value);
        } catch {
          unchanged = false;
        }
        // -0: Int and Float write it as it is (JSON writes 0 either way).
        expect([type.name, value, leaf(data) === undefined]).toEqual([type.name, value, unchanged]);
      }
    }
  });

  it('names the first leaf that fails, through lists, aliases and fragments; null passes anywhere', () => {
    const leaf = check(schema, `{ a: items { ...F tags } b: item { ... on Item { level } } } fragment F on Named { name }`)!;
    expect(leaf({ a: [{ name: 'x', tags: ['t'] }, { name: null, tags: null }], b: { level: 'HIGH' } })).toBeUndefined();
    expect(leaf({ a: [{ name: 'x', tags: ['t', 5] }], b: null })).toBe('a.0.tags.1');
    expect(leaf({ a: [], b: { level: 'MEDIUM' } })).toBe('b.level');
    expect(leaf({ a: [{ name: 1 }], b: null })).toBe('a.0.name');
    expect(leaf(null)).toBeUndefined();
  });

  it('checks short and long enums alike', () => {
    const leaf = check(schema, `{ code item { level } }`)!;
    expect(leaf({ code: 'C29', item: { level: 'LOW' } })).toBeUndefined();
    expect(leaf({ code: 'C30', item: null })).toBe('code');
    expect(leaf({ code: 'C0', item: { level: 'low' } })).toBe('item.level');
  });

  it('leaves custom scalars and __typename to graphql-jit', () => {
    const leaf = check(schema, `{ __typename item { __typename stamp } }`)!;
    expect(leaf({ __typename: 'Query', item: { __typename: 'Item', stamp: { any: 'thing' } } })).toBeUndefined();
  });

  it('declines what it cannot follow: mutations, directives, interfaces and unions, introspection, enums with other values', () => {
    expect(check(schema, `mutation { touch }`)).toBeNull();
    expect(check(schema, `query($s: Boolean!) { count @skip(if: $s) }`)).toBeNull();
    expect(check(schema, `{ named { name } }`)).toBeNull();
    expect(check(schema, `{ thing { ... on Item { id } } }`)).toBeNull();
    expect(check(schema, `{ __schema { queryType { name } } }`)).toBeNull();
    const renamed = buildSchema(SDL);
    const level = renamed.getType('Level') as unknown as { getValues(): { value: unknown }[] };
    level.getValues()[0].value = 'low';
    expect(check(renamed, `{ item { level } }`)).toBeNull();
    expect(check(renamed, `{ item { id } }`)).not.toBeNull();
  });

  it('picks the named operation of a document with several', () => {
    const document = `query A { count } query B { item { id } }`;
    expect(check(schema, document, 'A')!({ count: '1' })).toBe('count');
    expect(check(schema, document, 'B')!({ item: { id: 'i' } })).toBeUndefined();
    expect(check(schema, document, 'C')).toBeNull();
  });
});

describe('compiled queries with unserialised leaves', () => {
  /** Runs `query` through compiledQueries' executor as Apollo does (compiled from the second time). */
  function executorFor(schema: GraphQLSchema, log: (message: string) => void) {
    const gateway = compiledQueries(schema, new Admission(4, 1000), log);
    return async (document: DocumentNode): Promise<ExecutionResult> => {
      const { executor } = await gateway.load({ apollo: {} } as never);
      if (!executor) throw new Error('compiledQueries gave no executor');
      const operation = document.definitions[0] as never;
      return executor({ document, operation, context: {}, request: { variables: {} } } as never) as Promise<ExecutionResult>;
    };
  }

  it('answers as graphql-js does when a resolver returns a value of another type, and says so once', async () => {
    const answers = { count: '7', flag: true, item: { id: 'i1', score: 2, level: 'HIGH', tags: ['a', 1] }, items: [] };
    const schema = schemaAnswering(answers);
    const document = parse(`{ count flag item { id score level tags } }`);
    const expected = JSON.parse(JSON.stringify(await execute({ schema, document })));
    expect(expected.data).toMatchObject({ count: 7, item: { tags: ['a', '1'] } });
    const log = vi.fn();
    const run = executorFor(schema, log);
    expect(JSON.parse(JSON.stringify(await run(document)))).toEqual(expected); // graphql-js, the first time
    // Compiled from here; requests already running when the first one finds the leaf warn no more.
    const concurrent = await Promise.all([run(document), run(document), run(document)]);
    for (const result of [...concurrent, await run(document)]) expect(JSON.parse(JSON.stringify(result))).toEqual(expected);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][0]).toMatch(/the value at count is not of the type the schema declares/);
  });

  it('words a value no type accepts as graphql-js does', async () => {
    const schema = schemaAnswering({ count: 'seven', item: { id: 'i1', level: 'MEDIUM' }, items: [] });
    const document = parse(`{ item { id level } count }`);
    const expected = JSON.parse(JSON.stringify(await execute({ schema, document })));
    expect(expected.errors?.length).toBeGreaterThan(0);
    const log = vi.fn();
    const run = executorFor(schema, log);
    for (let i = 0; i < 3; i++) expect(JSON.parse(JSON.stringify(await run(document)))).toEqual(expected);
    expect(log).toHaveBeenCalledTimes(1);
  });

  it('keeps an answer whose leaves all hold as graphql-jit wrote it, without a warning', async () => {
    const schema = schemaAnswering({ count: 3, flag: false, item: null, items: [{ id: 'a', score: 0.5, level: 'LOW', tags: [] }] });
    const document = parse(`{ count flag item { id } items { id score level tags } }`);
    const expected = JSON.parse(JSON.stringify(await execute({ schema, document })));
    const log = vi.fn();
    const run = executorFor(schema, log);
    for (let i = 0; i < 3; i++) expect(JSON.parse(JSON.stringify(await run(document)))).toEqual(expected);
    expect(log).not.toHaveBeenCalled();
  });
});
