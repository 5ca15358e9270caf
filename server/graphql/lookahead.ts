import { getArgumentValues, isInterfaceType, isObjectType, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/** One field selected on the nodes of a page, with its arguments coerced as its resolver gets them. */
export interface SelectedField {
  args: Record<string, unknown>;
}

/**
 * What the query selects on each node of the connection this resolver returns (`nodes { … }` and
 * `edges { node { … } }`, through fragments), by field name — so a list can read in its own
 * statement what the nodes' field resolvers would otherwise ask for one relation at a time.
 *
 * A field appears only when every selection of it has the same arguments and no directive
 * (`@include` / `@skip` leave it to its resolver); `nodeType` names the node's GraphQL type.
 */
export function selectedNodeFields(info: GraphQLResolveInfo, nodeType: string): Map<string, SelectedField> {
  const type = info.schema.getType(nodeType);
  if (!isObjectType(type) && !isInterfaceType(type)) return new Map();
  const definitions = type.getFields();
  const found = new Map<string, FieldNode[]>();
  const visit = (set: SelectionSetNode | undefined, depth: 'connection' | 'edge' | 'node') => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === 'InlineFragment') visit(selection.selectionSet, depth);
      else if (selection.kind === 'FragmentSpread') visit(info.fragments[selection.name.value]?.selectionSet, depth);
      else if (depth === 'node') found.set(selection.name.value, [...(found.get(selection.name.value) ?? []), selection]);
      else if (depth === 'connection' && selection.name.value === 'nodes') visit(selection.selectionSet, 'node');
      else if (depth === 'connection' && selection.name.value === 'edges') visit(selection.selectionSet, 'edge');
      else if (depth === 'edge' && selection.name.value === 'node') visit(selection.selectionSet, 'node');
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet, 'connection');

  const fields = new Map<string, SelectedField>();
  for (const [name, nodes] of found) {
    const definition = definitions[name];
    if (!definition || nodes.some((n) => n.directives?.length)) continue;
    const [args, ...others] = nodes.map((n) => getArgumentValues(definition, n, info.variableValues));
    if (others.every((o) => JSON.stringify(o) === JSON.stringify(args))) fields.set(name, { args });
  }
  return fields;
}
