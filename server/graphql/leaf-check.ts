import {
  getOperationAST, isAbstractType, isEnumType, isListType, isNonNullType, isObjectType, isScalarType, isSpecifiedScalarType, Kind,
  type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLObjectType, type GraphQLOutputType, type GraphQLSchema,
  type NamedTypeNode, type SelectionSetNode,
} from 'graphql';

/**
 * Checked leaves: an answer's String, ID, Int, Float, Boolean and enum values checked against
 * their types, for queries graphql-jit ran with `disableLeafSerialization`.
 *
 * graphql-jit 0.8.9 compiles every serialised leaf of every row into a call that builds the
 * error's locations and response path as new arrays (even though nothing fails) and reaches the
 * type's serializer through rest parameters: 7–13 % of the server's CPU on a high-risk page of
 * ~2,200 leaves (bench/README.md, sessions 14 and 16). With `disableLeafSerialization` it writes
 * those values as the resolvers return them. Where a value is already what the type's `serialize`
 * returns unchanged — a string for String and ID, a 32-bit integer for Int, a finite number for
 * Float, a boolean for Boolean, an enum's name when each of its values is its own name — the
 * answer is the same. This checks exactly that for every such leaf; when one is anything else (a
 * numeric column's string for an Int, say) the caller answers again with serialisation
 * (compiledQueries), so the client gets what graphql-js would send. Custom scalars (DateTimeISO,
 * JSON…) are serialised by graphql-jit either way.
 */

/** undefined when every checked leaf of `data` holds; otherwise the response path (`a.0.b`) of the first that does not. */
export type LeafCheck = (data: unknown) => string | undefined;

/** A part of the document this checker does not follow: the document keeps graphql-jit's serialisation. */
class Unchecked extends Error {}

/** What to check under a response value: a leaf's condition (code over a variable), a list's items, an object's fields. */
type Plan =
  | { kind: 'leaf'; holds: (v: string) => string }
  | { kind: 'enum'; names: Set<string> }
  | { kind: 'list'; item: Plan }
  | { kind: 'object'; fields: [key: string, plan: Plan][] };

/** Each condition holds exactly when the type's `serialize` returns the value unchanged. */
const SCALARS: Record<string, (v: string) => string> = {
  String: (v) => `typeof ${v} === "string"`,
  ID: (v) => `typeof ${v} === "string"`,
  Int: (v) => `typeof ${v} === "number" && (${v} | 0) === ${v}`, // a 32-bit integer (`|` would throw on a BigInt)
  Float: (v) => `typeof ${v} === "number" && ${v} - ${v} === 0`, // finite
  Boolean: (v) => `typeof ${v} === "boolean"`,
};

/**
 * An enum value is one of the names: compared in turn for a short enum (a Set hashes each new
 * string from the database first: 30–55 ns a value against 15–25), looked up in a Set otherwise.
 */
function enumHolds(names: Set<string>, v: string, constant: (set: Set<string>) => string): string {
  if (names.size > 24) return `${constant(names)}.has(${v})`;
  return [...names].map((name) => `${v} === ${JSON.stringify(name)}`).join(' || ');
}

/**
 * The check of a query operation's answer (`data`), or null when the operation cannot be checked
 * this way: not a query; @skip / @include or any other directive on a selection (what is
 * selected would depend on the variables); a field of an interface or union type (the answer
 * does not say which object type each value is); introspection; an enum whose values are not
 * their names. The check is generated code (like plainMapper's rows): the same property reads in
 * the same order for every answer: 3 µs for a high-risk page, where a loop over the keys took 27–47.
 */
export function leafCheck(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): LeafCheck | null {
  const operation = getOperationAST(document, operationName);
  const root = operation?.operation === 'query' ? schema.getQueryType() : null;
  if (!operation || !root) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let plan: Plan | null;
  try {
    plan = objectPlan(schema, fragments, root, [operation.selectionSet]);
  } catch (error) {
    if (error instanceof Unchecked) return null;
    throw error;
  }
  if (!plan) return () => undefined;
  const constants: unknown[] = [];
  let names = 0;
  // `path`: the response path so far, as JS string literals and loop variables.
  const emit = (plan: Plan, value: string, path: string[]): string => {
    const v = `v${names++}`;
    if (plan.kind === 'leaf' || plan.kind === 'enum') {
      const holds = plan.kind === 'leaf' ? plan.holds(v) : enumHolds(plan.names, v, (set) => `c[${constants.push(set) - 1}]`);
      return `{ const ${v} = ${value}; if (${v} != null && !(${holds})) return ${path.join(' + "." + ')}; }`;
    }
    if (plan.kind === 'list') {
      const i = `i${names++}`;
      return `{ const ${v} = ${value}; if (${v} != null) for (let ${i} = 0; ${i} < ${v}.length; ${i}++) ${emit(plan.item, `${v}[${i}]`, [...path, i])} }`;
    }
    const fields = plan.fields.map(([key, field]) => emit(field, `${v}[${JSON.stringify(key)}]`, [...path, JSON.stringify(key)]));
    return `{ const ${v} = ${value}; if (${v} != null) { ${fields.join('\n')} } }`;
  };
  const code = emit(plan, 'data', []);
  return new Function('c', `return function checkLeaves(data) {\n${code}\nreturn undefined; }`)(constants) as LeafCheck;
}

function objectPlan(
  schema: GraphQLSchema,
  fragments: Map<string, FragmentDefinitionNode>,
  type: GraphQLObjectType,
  selectionSets: readonly SelectionSetNode[],
): Plan | null {
  const fields = new Map<string, FieldNode[]>();
  const applies = (condition: NamedTypeNode | undefined) => {
    if (!condition) return true;
    const named = schema.getType(condition.name.value);
    return named === type || (!!named && isAbstractType(named) && schema.isSubType(named, type));
  };
  const collect = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.directives?.length) throw new Unchecked();
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        fields.set(key, [...(fields.get(key) ?? []), selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(selection.typeCondition)) collect(selection.selectionSet);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || fragment.directives?.length) throw new Unchecked();
        if (applies(fragment.typeCondition)) collect(fragment.selectionSet);
      }
    }
  };
  selectionSets.forEach(collect);
  const planned: [string, Plan][] = [];
  for (const [key, nodes] of fields) {
    const name = nodes[0].name.value;
    if (name === '__typename') continue; // graphql-jit writes the type's name
    const field = name.startsWith('__') ? undefined : type.getFields()[name];
    if (!field) throw new Unchecked();
    const plan = typePlan(schema, fragments, field.type, nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : [])));
    if (plan) planned.push([key, plan]);
  }
  return planned.length ? { kind: 'object', fields: planned } : null;
}

function typePlan(
  schema: GraphQLSchema,
  fragments: Map<string, FragmentDefinitionNode>,
  type: GraphQLOutputType,
  selectionSets: readonly SelectionSetNode[],
): Plan | null {
  if (isNonNullType(type)) return typePlan(schema, fragments, type.ofType, selectionSets);
  if (isListType(type)) {
    const item = typePlan(schema, fragments, type.ofType, selectionSets);
    return item && { kind: 'list', item };
  }
  if (isScalarType(type)) return isSpecifiedScalarType(type) ? { kind: 'leaf', holds: SCALARS[type.name] } : null; // custom: graphql-jit serialises
  if (isEnumType(type)) {
    const values = type.getValues();
    if (values.some((v) => v.value !== v.name)) throw new Unchecked();
    return { kind: 'enum', names: new Set(values.map((v) => v.name)) };
  }
  if (isObjectType(type)) return objectPlan(schema, fragments, type, selectionSets);
  throw new Unchecked(); // an interface or a union
}
