import type { Context } from '../context.js';
import type { PageRequest } from '../graphql/connection.js';
import { perCustomerPageLoaders, prefetchCustomerPages } from '../customers/customer.prefetch.js';
import type { InteractionFilter } from './interaction.inputs.js';
import {
  interactionCountsFor, interactionPageFromJson, interactionPageJoin, interactionPageRequest, interactionPagesFor,
} from './interaction.service.js';

/** The request's loaders for `customer.interactions(...)` with these arguments. */
export function customerInteractionLoaders(ctx: Context, request: PageRequest, filter: InteractionFilter | null | undefined) {
  const { em, principal } = ctx;
  return perCustomerPageLoaders(ctx, 'interactions', request, filter, {
    pages: (ids, f, r, count) => interactionPagesFor(em, principal.tenantId, ids, f, r, count),
    counts: (ids, f) => interactionCountsFor(em, principal.tenantId, ids, f),
  });
}

// Unfiltered interaction pages of a customer list come in the list's statement.
prefetchCustomerPages('interactions', {
  pageRequest: interactionPageRequest,
  loaders: (ctx, request) => customerInteractionLoaders(ctx, request, null),
  join: (ctx, request, alias) => interactionPageJoin(ctx.em, ctx.principal.tenantId, null, request, alias),
  fromJson: (ctx, rows, request, countTotal) => interactionPageFromJson(ctx.em, rows, request, countTotal),
});
