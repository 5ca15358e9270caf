import { GraphQLScalarType, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

/* eslint-disable @typescript-eslint/no-explicit-any -- mirrors type-graphql's untyped metadata */

/**
 * Calls query and field-resolver methods (and object-type methods with arguments) without
 * type-graphql's per-call machinery. For every call
 * type-graphql sorts the parameter list, looks the resolver instance up in its container and runs
 * each @Arg / @Args through an async `validateArg` (then `Promise.all`) even with validation off:
 * on a list page that is ~100 promise chains per request for `metrics` and `interactions` alone.
 * Here the parameters are ordered once and built synchronously, with the same conversion of
 * arguments to instances of their input and args classes as type-graphql's convert-args.
 *
 * Only for what that machinery would not change: no roles (@Authorized) and no middlewares on the
 * resolver, parameters of kinds root (without a reflected type), context, info, args and arg
 * without per-argument validation. Everything else keeps type-graphql's resolver. The schema is
 * built with `validate: false`, no global middlewares and the default container (server/schema.ts),
 * the other preconditions.
 */
export function withLeanResolvers(schema: GraphQLSchema): GraphQLSchema {
  const storage = getMetadataStorage() as any;
  const instances = new Map<new () => object, object>();
  const instanceOf = (target: new () => object) => {
    let instance = instances.get(target);
    if (!instance) instances.set(target, (instance = new target()));
    return instance;
  };
  const replace = (typeName: string | undefined, fieldName: string, meta: any) => {
    const type = typeName ? schema.getType(typeName) : undefined;
    const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
    const resolve = field && leanResolver(meta, instanceOf);
    if (field && resolve) field.resolve = resolve;
  };
  const queryType = schema.getQueryType()?.name;
  for (const query of storage.queries) replace(queryType, query.schemaName, query);
  for (const resolver of storage.fieldResolvers) {
    const target = resolver.getObjectType?.();
    const objectType = storage.objectTypes.find((o: any) => o.target === target);
    // Methods of an object type with arguments (`predictedClv(months)`); getters without
    // parameters are already answered directly (withPlainFieldResolvers).
    if (resolver.kind === 'internal' && !resolver.params?.length) continue;
    replace(objectType?.name, resolver.schemaName, resolver);
  }
  return schema;
}

const LEAN_PARAMS = new Set(['root', 'context', 'info', 'args', 'arg']);

function leanResolver(meta: any, instanceOf: (target: new () => object) => object): GraphQLFieldResolver<unknown, unknown> | undefined {
  const params: any[] = [...(meta.params ?? [])].sort((a, b) => a.index - b.index);
  const lean =
    !meta.roles &&
    !meta.middlewares?.length &&
    params.every(
      (p) =>
        LEAN_PARAMS.has(p.kind) &&
        !(p.kind === 'root' && p.getType) &&
        !((p.kind === 'arg' || p.kind === 'args') && (p.validateSettings !== undefined || p.validateFn)),
    );
  if (!lean) return undefined;
  type Get = (root: any, args: any, context: any, info: any) => unknown;
  const getters: Get[] = params.map((p): Get => {
    switch (p.kind) {
      case 'root':
        return p.propertyName ? (root) => root[p.propertyName] : (root) => root;
      case 'context':
        return p.propertyName ? (_r, _a, context) => context[p.propertyName] : (_r, _a, context) => context;
      case 'info':
        return (_r, _a, _c, info) => info;
      case 'args':
        return (_r, args) => argsToInstance(p.getType(), args);
      default: // 'arg'
        return (_r, args) => valuesToInstances(p.getType(), args[p.name]);
    }
  });
  const method = meta.methodName as string;
  if (meta.kind === 'internal') {
    // A method of the object type itself: called on the root, as an instance of its class.
    const Type = meta.getObjectType();
    return (root, args, context, info) => {
      const target = convertToType(Type, root);
      const value = target[method];
      return typeof value === 'function' ? value.apply(target, getters.map((get) => get(root, args, context, info))) : value;
    };
  }
  const instance = instanceOf(meta.target) as Record<string, (...values: unknown[]) => unknown>;
  switch (getters.length) {
    case 0:
      return () => instance[method]();
    case 1:
      return (root, args, context, info) => instance[method](getters[0](root, args, context, info));
    case 2:
      return (root, args, context, info) => instance[method](getters[0](root, args, context, info), getters[1](root, args, context, info));
    default:
      return (root, args, context, info) => instance[method](...getters.map((get) => get(root, args, context, info)));
  }
}

// ---------- type-graphql's convert-args, synchronously (same trees, same instances) ----------

interface InputTree {
  target: new () => object;
  fields: () => { name: string; target: any; fields: InputTree | null | undefined }[];
}

const SIMPLE_TYPES: unknown[] = [String, Boolean, Number, Date, Array, Promise];

/** type-graphql's convertToType. */
function convertToType(Target: any, data: any): any {
  if (data == null) return data;
  if (Target instanceof GraphQLScalarType) return data;
  if (SIMPLE_TYPES.includes(data.constructor)) return data;
  if (data instanceof Target) return data;
  if (Array.isArray(data)) return data.map((item) => convertToType(Target, item));
  const instance = new Target();
  for (const key of Object.keys(instance)) {
    if (instance[key] === undefined && !(key in data)) delete instance[key];
  }
  return Object.assign(instance, data);
}

const trees = new Map<unknown, InputTree | null>();

function inputTree(target: any): InputTree | null {
  if (trees.has(target)) return trees.get(target)!;
  const storage = getMetadataStorage() as any;
  const inputOf = (t: any) => storage.inputTypes.find((i: any) => i.target === t);
  const metadata = inputOf(target);
  if (!metadata) {
    trees.set(target, null);
    return null;
  }
  const build = (meta: any): InputTree => {
    let fields: any[] = meta.fields;
    for (let superClass = Object.getPrototypeOf(meta.target); superClass.prototype !== undefined; superClass = Object.getPrototypeOf(superClass)) {
      const parent = inputOf(superClass);
      if (parent) {
        const names = new Set(fields.map((f) => f.name));
        fields = [...fields, ...parent.fields.filter((f: any) => !names.has(f.name))];
      }
    }
    let resolved: ReturnType<InputTree['fields']> | undefined;
    const tree: InputTree = {
      target: meta.target,
      // Resolved on first use: field types may be declared after this input (thunks).
      fields: () =>
        (resolved ??= fields.map((f) => {
          const fieldTarget = f.getType();
          const fieldInput = inputOf(fieldTarget);
          return { name: f.name, target: fieldTarget, fields: fieldTarget === meta.target ? tree : fieldInput && build(fieldInput) };
        })),
    };
    return tree;
  };
  const tree = build(metadata);
  trees.set(target, tree);
  return tree;
}

function toInput(tree: InputTree, data: any): any {
  if (data == null) return data;
  if (Array.isArray(data)) return data.map((item) => toInput(tree, item));
  const fields: Record<string, unknown> = {};
  for (const field of tree.fields()) {
    const value = data[field.name];
    if (value === undefined) continue;
    if (value === null || !field.fields) fields[field.name] = convertToType(field.target, value);
    else if (Array.isArray(value)) fields[field.name] = value.map((item) => toInput(field.fields!, item));
    else fields[field.name] = toInput(field.fields, value);
  }
  return convertToType(tree.target, fields);
}

function valuesToInstances(target: any, value: any): any {
  if (value == null) return value;
  if (Array.isArray(value)) return value.map((item) => valuesToInstances(target, item));
  const tree = inputTree(target);
  return tree ? toInput(tree, value) : convertToType(target, value);
}

const argsFields = new Map<unknown, { name: string; getType: () => unknown }[]>();

function argsToInstance(ArgsClass: any, args: Record<string, unknown>): any {
  let fields = argsFields.get(ArgsClass);
  if (!fields) {
    const storage = getMetadataStorage() as any;
    const argsOf = (t: any) => storage.argumentTypes.find((a: any) => a.target === t);
    const own = argsOf(ArgsClass);
    fields = [...own.fields];
    for (let superClass = Object.getPrototypeOf(own.target); superClass.prototype !== undefined; superClass = Object.getPrototypeOf(superClass)) {
      const parent = argsOf(superClass);
      if (parent) fields.push(...parent.fields);
    }
    argsFields.set(ArgsClass, fields);
  }
  const values: Record<string, unknown> = {};
  for (const field of fields) {
    const value = args[field.name];
    if (value !== undefined) values[field.name] = valuesToInstances(field.getType(), value);
  }
  return convertToType(ArgsClass, values);
}
