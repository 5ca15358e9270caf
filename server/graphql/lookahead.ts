import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';

/**
 * The fields selected under the current field, as paths ("churnRisk", "churnRisk.reasons") down to
 * `depth` levels, through inline fragments and named fragments. It over-approximates on purpose:
 * a field under @skip / @include counts as selected, and fragments count whatever their type
 * condition, so a caller that reads what these fields need never reads too little. That also
 * makes the answer a function of the document alone, so it is computed once per field node of a
 * (cached) document rather than once per row: a list page asks it for every customer.
 */
export function selectedPaths(info: GraphQLResolveInfo, depth = 2): ReadonlySet<string> {
  const cacheable = info.fieldNodes.length === 1;
  let cached = cacheable ? cache.get(info.fieldNodes[0]) : undefined;
  const hit = cached?.get(depth);
  if (hit) return hit;
  const paths = new Set<string>();
  const visit = (set: SelectionSetNode | undefined, prefix: string, level: number, seen: Set<string>) => {
    if (!set || level > depth) return;
    for (const selection of set.selections) {
      if (selection.kind === 'Field') {
        const path = prefix + selection.name.value;
        paths.add(path);
        visit(selection.selectionSet, `${path}.`, level + 1, seen);
      } else if (selection.kind === 'InlineFragment') {
        visit(selection.selectionSet, prefix, level, seen);
      } else if (!seen.has(selection.name.value)) {
        // A fragment spread; `seen` guards against a (invalid, but cheap to survive) cycle.
        seen.add(selection.name.value);
        visit(info.fragments[selection.name.value]?.selectionSet, prefix, level, seen);
      }
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet, '', 1, new Set());
  if (cacheable) {
    if (!cached) cache.set(info.fieldNodes[0], (cached = new Map()));
    cached.set(depth, paths);
  }
  return paths;
}

/** Per field node, per depth. */
const cache = new WeakMap<FieldNode, Map<number, ReadonlySet<string>>>();

/**
 * The paths selected under `field` of a connection's items (`nodes { field { … } }` and
 * `edges { node { field { … } } }` together), as selectedPaths(…, 2) gives them at that field;
 * null when the items do not select it.
 */
export function connectionItemFieldPaths(info: GraphQLResolveInfo, field: string): ReadonlySet<string> | null {
  return pathsBelow(selectedPaths(info, 5), [`nodes.${field}`, `edges.node.${field}`]);
}

/** The paths selected under the current field's `field`, as selectedPaths(…, 2) gives them there; null when not selected. */
export function childFieldPaths(info: GraphQLResolveInfo, field: string): ReadonlySet<string> | null {
  return pathsBelow(selectedPaths(info, 3), [field]);
}

/**
 * The paths of `paths` below any of `fields` (two levels, relative), or null when none of them is
 * selected. One set per (cached) `paths` and fields, so what callers memoise on the set
 * (metricsReadFor) is computed once per document.
 */
function pathsBelow(paths: ReadonlySet<string>, fields: readonly string[]): ReadonlySet<string> | null {
  const key = fields.join(' ');
  let byFields = below.get(paths);
  if (!byFields) below.set(paths, (byFields = new Map()));
  if (byFields.has(key)) return byFields.get(key)!;
  const found = new Set<string>();
  let selected = false;
  for (const at of fields) {
    if (paths.has(at)) selected = true;
    for (const path of paths) {
      if (!path.startsWith(`${at}.`)) continue;
      const rest = path.slice(at.length + 1);
      if (rest.split('.').length <= 2) found.add(rest);
    }
  }
  const answer = selected ? found : null;
  byFields.set(key, answer);
  return answer;
}
const below = new WeakMap<ReadonlySet<string>, Map<string, ReadonlySet<string> | null>>();
