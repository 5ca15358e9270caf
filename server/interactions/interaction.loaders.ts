import type { Context } from '../context.js';
import type { PageArgs, PageRequest } from '../graphql/connection.js';
import { customerPagePrefetches } from '../customers/customer.prefetch.js';
import type { InteractionConnection, InteractionFilter } from './interaction.inputs.js';
import {
  interactionCountsFor, interactionPageFromJson, interactionPageJoin, interactionPageRequest, interactionPagesFor,
} from './interaction.service.js';

type InteractionPage = InstanceType<typeof InteractionConnection>;

/** The request's loaders for `customer.interactions(...)` with these arguments: pages and total counts. */
export function customerInteractionLoaders(ctx: Context, request: PageRequest, filter: InteractionFilter | null | undefined) {
  const { em, principal, loaders } = ctx;
  const counts = loaders.get<string, number>(`customer.interactions.count:${JSON.stringify(filter ?? null)}`, (ids) =>
    interactionCountsFor(em, principal.tenantId, ids, filter),
  );
  const pages = loaders.get<string, InteractionPage>(`customer.interactions:${JSON.stringify([request, filter ?? null])}`, (ids) =>
    interactionPagesFor(em, principal.tenantId, ids, filter, request, (id) => counts.load(id)),
  );
  return { pages, counts };
}

// Unfiltered interaction pages of a customer list come in the list's statement.
customerPagePrefetches.interactions = (ctx, args) => {
  if (args.filter != null) return null;
  let request: PageRequest;
  try {
    request = interactionPageRequest(args as PageArgs);
  } catch {
    return null; // the field's resolver reports its bad arguments
  }
  const { pages, counts } = customerInteractionLoaders(ctx, request, null);
  const join = interactionPageJoin(ctx.principal.tenantId, null, request, 'pi__');
  return {
    select: ', pi__.rows as "pi__rows"',
    join: join.text,
    params: join.params,
    prime(rows) {
      for (const row of rows) {
        const id = String(row.id);
        pages.prime(id, interactionPageFromJson(ctx.em, row.pi__rows as Record<string, unknown>[] | null, request, () => counts.load(id)));
      }
    },
  };
};
