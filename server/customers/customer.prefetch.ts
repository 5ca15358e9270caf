import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context.js';
import { selectedNodeFields } from '../graphql/lookahead.js';
import type { CustomerPagePrefetch } from './customer.service.js';

/**
 * Per `Customer` field, how its feature reads it inside the customer page's statement: given the
 * field's arguments, a prefetch, or null to leave the field to its resolver (e.g. arguments it
 * does not prefetch). Features register here on import, as with customerSortExtensions.
 */
export const customerPagePrefetches: Record<string, (ctx: Context, args: Record<string, unknown>) => CustomerPagePrefetch | null> = {};

/** The prefetches for what this query selects on the customers of a page. */
export function customerPagePrefetch(ctx: Context, info: GraphQLResolveInfo): CustomerPagePrefetch[] {
  const selected = selectedNodeFields(info, 'Customer');
  return Object.entries(customerPagePrefetches).flatMap(([field, plan]) => {
    const selection = selected.get(field);
    return (selection && plan(ctx, selection.args)) || [];
  });
}
