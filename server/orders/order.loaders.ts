import type { Context } from '../context.js';
import type { PageRequest } from '../graphql/connection.js';
import { perCustomerPageLoaders, prefetchCustomerPages } from '../customers/customer.prefetch.js';
import type { OrderFilter } from './order.inputs.js';
import { orderCountsFor, orderPageFromJson, orderPageJoin, orderPageRequest, orderPagesFor } from './order.service.js';

/** The request's loaders for `customer.orders(...)` with these arguments. */
export function customerOrderLoaders(ctx: Context, request: PageRequest, filter: OrderFilter | null | undefined) {
  const { em, principal } = ctx;
  return perCustomerPageLoaders(ctx, 'orders', request, filter, {
    pages: (ids, f, r, count) => orderPagesFor(em, principal.tenantId, ids, f, r, count),
    counts: (ids, f) => orderCountsFor(em, principal.tenantId, ids, f),
  });
}

// Unfiltered order pages of a customer list or card come in its statement.
prefetchCustomerPages('orders', {
  pageRequest: orderPageRequest,
  loaders: (ctx, request) => customerOrderLoaders(ctx, request, null),
  join: (ctx, request, alias) => orderPageJoin(ctx.em, ctx.principal.tenantId, null, request, alias),
  fromJson: (ctx, rows, request, countTotal) => orderPageFromJson(ctx.em, rows, request, countTotal),
});
