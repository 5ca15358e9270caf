import DataLoader from 'dataloader';
import type { FieldNode, GraphQLResolveInfo } from 'graphql';
import type { Principal } from './auth/keys.service.js';
import type { WidgetTokens } from './auth/widget-tokens.service.js';
import type { Em } from './db/orm.js';

/**
 * One DataLoader per (relation, arguments) for the life of one request.
 * `key` names the relation and its arguments, e.g. `interactions:{"first":3}`.
 */
export class Loaders {
  private readonly loaders = new Map<string, DataLoader<unknown, unknown>>();

  /**
   * The loader of one field of the document, found once per request with `find` (usually a `get`
   * by a key built from the field's arguments and selection). Both are fixed by the document and
   * the request's variables, so a list page builds that key once, not once per row.
   */
  forField<K, V>(info: GraphQLResolveInfo, find: () => DataLoader<K, V>): DataLoader<K, V> {
    const node = info.fieldNodes[0];
    let loader = this.byField.get(node) as DataLoader<K, V> | undefined;
    if (!loader) this.byField.set(node, (loader = find()) as DataLoader<unknown, unknown>);
    return loader;
  }

  private readonly byField = new WeakMap<FieldNode, DataLoader<unknown, unknown>>();

  get<K, V>(key: string, batch: (keys: readonly K[]) => Promise<V[]>): DataLoader<K, V> {
    let loader = this.loaders.get(key) as DataLoader<K, V> | undefined;
    if (!loader) {
      loader = new DataLoader<K, V>(batch, { maxBatchSize: 1000 });
      this.loaders.set(key, loader as DataLoader<unknown, unknown>);
    }
    return loader;
  }
}

export interface Context {
  principal: Principal;
  /** A fresh EntityManager for this request only. */
  em: Em;
  loaders: Loaders;
  requestId: string;
  /** Signs widget tokens (createWidgetToken); set by the app. */
  widgetTokens?: WidgetTokens;
}
