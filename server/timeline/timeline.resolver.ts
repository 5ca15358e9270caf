import { Arg, Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../context.js';
import { Customer } from '../customers/customer.entity.js';
import { PageArgs } from '../graphql/connection.js';
import { TimelineConnection, TimelineEntry, TimelineItem, TimelineKind } from './timeline.types.js';
import { timelineCountsFor, timelineItemsByIds, timelinePageRequest, timelinePagesFor } from './timeline.service.js';

type TimelinePage = InstanceType<typeof TimelineConnection>;

@Resolver(() => Customer)
export class CustomerTimelineResolver {
  @FieldResolver(() => TimelineConnection, {
    description: 'Interactions, orders, feedback, completed survey responses and service cases in one list, newest first; batched across a page of customers.',
  })
  timeline(
    @Root() customer: Customer,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('kinds', () => [TimelineKind], { nullable: true, description: 'Only these kinds (default: all).' }) kinds: TimelineKind[] | null,
    @Ctx() ctx: Context,
  ): Promise<TimelinePage> {
    const request = timelinePageRequest(page);
    const { em, principal, loaders } = ctx;
    const counts = loaders.get<string, number>(`customer.timeline.count:${JSON.stringify(kinds)}`, (ids) =>
      timelineCountsFor(em, principal.tenantId, ids, kinds),
    );
    return loaders
      .get<string, TimelinePage>(`customer.timeline:${JSON.stringify([page, kinds])}`, (ids) =>
        timelinePagesFor(em, principal.tenantId, ids, kinds, request, (id) => counts.load(id)),
      )
      .load(customer.id);
  }
}

@Resolver(() => TimelineEntry)
export class TimelineEntryResolver {
  @FieldResolver(() => TimelineItem, { description: 'The interaction, order, feedback, survey response or case itself (one statement per kind per request).' })
  item(@Root() entry: TimelineEntry, @Ctx() ctx: Context) {
    return ctx.loaders
      .get<string, object | null>(`timeline.item:${entry.kind}`, (ids) => timelineItemsByIds(ctx.em, ctx.principal.tenantId, entry.kind, ids))
      .load(entry.id);
  }
}
