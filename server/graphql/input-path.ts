import { GraphQLError, Kind, parse, visit, type ArgumentNode, type ValueNode } from 'graphql';

/**
 * The dotted input path (`input.lineItems.0.quantity`) a schema-level input error is about, so
 * BAD_USER_INPUT always carries `fields[].path` — whether the bad value came in variables or
 * was written into the query.
 */
export function inputErrorPath(message: string, error: unknown): string | null {
  const missing = /Field "(?:[A-Za-z_][\w]*\.)?([A-Za-z_][\w]*)" of required type/.exec(message)?.[1];
  const unknown = /Field "([A-Za-z_][\w]*)" is not defined by type/.exec(message)?.[1];
  const leaf = missing ?? unknown;
  const withLeaf = (base: string) => (leaf && !base.endsWith(`.${leaf}`) ? `${base}.${leaf}` : base);

  // Variables: `Variable "$input" got invalid value … at "input.lineItems[0]"; …` (indices as `.0`, like ours)
  const at = /at "([^"]+)"/.exec(message);
  if (at) return withLeaf(at[1].replace(/\[(\d+)\]/g, '.$1'));
  const variable = /^Variable "\$([^"]+)"/.exec(message);
  if (variable) return withLeaf(variable[1]);

  // Literals: find the value the error points at in the query text.
  const original = error instanceof GraphQLError ? error : null;
  const position = original?.positions?.[0];
  const body = original?.source?.body;
  if (position !== undefined && body) {
    const found = pathInDocument(body, position);
    if (found) return withLeaf(found);
  }
  const arg = /[Aa]rgument "(?:[^"]*\()?([^"()]+)\)?"/.exec(message);
  return arg ? withLeaf(arg[1]) : null;
}

function contains(node: { loc?: { start: number; end: number } }, position: number): boolean {
  return Boolean(node.loc && node.loc.start <= position && position < node.loc.end);
}

function pathInValue(value: ValueNode, position: number, path: string[]): string[] {
  if (value.kind === Kind.OBJECT) {
    for (const field of value.fields) {
      if (contains(field, position)) return pathInValue(field.value, position, [...path, field.name.value]);
    }
  } else if (value.kind === Kind.LIST) {
    const index = value.values.findIndex((item) => contains(item, position));
    if (index >= 0) return pathInValue(value.values[index], position, [...path, String(index)]);
  }
  return path;
}

function pathInDocument(body: string, position: number): string | null {
  let document;
  try {
    document = parse(body, { noLocation: false });
  } catch {
    return null;
  }
  let found: string | null = null;
  visit(document, {
    Argument(node: ArgumentNode) {
      if (found === null && contains(node, position)) found = pathInValue(node.value, position, [node.name.value]).join('.');
    },
  });
  return found;
}
