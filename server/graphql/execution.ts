import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { Context } from '../context.js';
import { readOnlyEm } from './keyset-query.js';

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
