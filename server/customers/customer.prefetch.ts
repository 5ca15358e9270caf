import type DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context.js';
import type { PageArgs, PageRequest } from '../graphql/connection.js';
import type { Sql } from '../graphql/sql.js';
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

/**
 * The request's loaders for a per-customer connection field (`orders`, `interactions`) with these
 * arguments: one page statement and one count statement for every customer that asks.
 */
export function perCustomerPageLoaders<Page, F>(
  ctx: Context,
  field: string,
  request: PageRequest,
  filter: F | null | undefined,
  batch: {
    pages: (ids: readonly string[], filter: F | null | undefined, request: PageRequest, count: (id: string) => Promise<number>) => Promise<Page[]>;
    counts: (ids: readonly string[], filter: F | null | undefined) => Promise<number[]>;
  },
) {
  const counts = ctx.loaders.get<string, number>(`customer.${field}.count:${JSON.stringify(filter ?? null)}`, (ids) => batch.counts(ids, filter));
  const pages = ctx.loaders.get<string, Page>(`customer.${field}:${JSON.stringify([request, filter ?? null])}`, (ids) =>
    batch.pages(ids, filter, request, (id) => counts.load(id)),
  );
  return { pages, counts };
}

/**
 * Registers a per-customer connection field whose unfiltered pages come in the customer page's
 * statement as JSON (pageJsonJoin), primed into the loaders of perCustomerPageLoaders.
 */
export function prefetchCustomerPages<Page>(
  field: string,
  spec: {
    pageRequest: (args: PageArgs) => PageRequest;
    loaders: (ctx: Context, request: PageRequest) => { pages: DataLoader<string, Page>; counts: DataLoader<string, number> };
    join: (ctx: Context, request: PageRequest, alias: string) => Sql;
    fromJson: (ctx: Context, rows: Record<string, unknown>[] | null, request: PageRequest, countTotal: () => Promise<number>) => Page;
  },
): void {
  const alias = `pf_${field}__`;
  customerPagePrefetches[field] = (ctx, args) => {
    if (args.filter != null) return null;
    let request: PageRequest;
    try {
      request = spec.pageRequest(args as PageArgs);
    } catch {
      return null; // the field's resolver reports its bad arguments
    }
    const { pages, counts } = spec.loaders(ctx, request);
    const join = spec.join(ctx, request, alias);
    return {
      select: `, ${alias}.rows as "${alias}rows"`,
      join: join.text,
      params: join.params,
      prime(rows) {
        for (const row of rows) {
          const id = String(row.id);
          pages.prime(id, spec.fromJson(ctx, row[`${alias}rows`] as Record<string, unknown>[] | null, request, () => counts.load(id)));
        }
      },
    };
  };
}
