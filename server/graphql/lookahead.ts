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

/** A field selected below the current one (customerJoins): what is selected under it, and its nodes in the document. */
export interface SelectedField {
  /** Paths under the field, three levels (selectedPaths form, relative to it). */
  paths: ReadonlySet<string>;
  /** Its field nodes (more than one with aliases or repeated selections). */
  nodes: readonly FieldNode[];
}

/** `field` on a connection's items (`nodes { field }` and `edges { node { field } }` together), or null when not selected. */
export function connectionItemField(info: GraphQLResolveInfo, field: string): SelectedField | null {
  return selectedBelow(info, [`nodes.${field}`, `edges.node.${field}`]);
}

/** The current field's `field`, or null when not selected. */
export function childField(info: GraphQLResolveInfo, field: string): SelectedField | null {
  return selectedBelow(info, [field]);
}

/**
 * What is selected at any of `at` (dotted paths from the current field), or null when none is.
 * Per (cached) document field node and paths, so what callers memoise on `paths` (metricsReadFor)
 * is computed once per document.
 */
function selectedBelow(info: GraphQLResolveInfo, at: readonly string[]): SelectedField | null {
  const depth = Math.max(...at.map((path) => path.split('.').length));
  const paths = selectedPaths(info, depth + 3);
  const key = at.join(' ');
  let byAt = below.get(paths);
  if (!byAt) below.set(paths, (byAt = new Map()));
  if (byAt.has(key)) return byAt.get(key)!;
  let answer: SelectedField | null = null;
  if (at.some((path) => paths.has(path))) {
    const found = new Set<string>();
    for (const path of at) {
      for (const selected of paths) if (selected.startsWith(`${path}.`)) found.add(selected.slice(path.length + 1));
    }
    answer = { paths: found, nodes: at.flatMap((path) => fieldNodesAt(info, path.split('.'))) };
  }
  byAt.set(key, answer);
  return answer;
}
const below = new WeakMap<ReadonlySet<string>, Map<string, SelectedField | null>>();

/** The field nodes at `path` below the current field, through inline fragments and fragment spreads. */
function fieldNodesAt(info: GraphQLResolveInfo, path: readonly string[]): FieldNode[] {
  let level: FieldNode[] = [...info.fieldNodes];
  for (const name of path) {
    const next: FieldNode[] = [];
    const visit = (set: SelectionSetNode | undefined, seen: Set<string>) => {
      for (const selection of set?.selections ?? []) {
        if (selection.kind === 'Field') {
          if (selection.name.value === name) next.push(selection);
        } else if (selection.kind === 'InlineFragment') {
          visit(selection.selectionSet, seen);
        } else if (!seen.has(selection.name.value)) {
          seen.add(selection.name.value);
          visit(info.fragments[selection.name.value]?.selectionSet, seen);
        }
      }
    };
    for (const node of level) visit(node.selectionSet, new Set());
    level = next;
  }
  return level;
}
