import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { WRITE } from '../auth/auth-checker.js';
import type { Context } from '../context.js';
import { Customer } from '../customers/customer.entity.js';
import { CustomerFilter } from '../customers/customer.inputs.js';
import { customersByIds } from '../customers/customer.service.js';
import { CustomerConnection } from '../customers/customer.types.js';
import { PageArgs } from '../graphql/connection.js';
import {
  changeStaticMembers, createSegment, getSegment, listChanges, listMembers, listMembersAt, listSegments, previewSegment, refreshAllSegments,
  refreshSegment, segmentsOfCustomers, segmentStats, setSegmentArchived, snapshotSegment, updateSegment,
} from './segment.service.js';
import {
  CreateSegmentInput, Segment, SegmentConnection, SegmentKind, SegmentMembershipEvent, SegmentPreview, SegmentRefreshResult, SegmentStats,
  UpdateSegmentInput,
} from './segment.types.js';

@Resolver(() => Segment)
export class SegmentResolver {
  @Query(() => Segment, { description: 'NOT_FOUND when this tenant has no such segment.' })
  segment(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return getSegment(ctx.em, ctx.principal.tenantId, id);
  }

  @Query(() => SegmentConnection, { description: 'Newest first.' })
  segments(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('kind', () => SegmentKind, { nullable: true }) kind: SegmentKind | null,
    @Arg('includeArchived', () => Boolean, { defaultValue: false }) includeArchived: boolean,
    @Ctx() ctx: Context,
  ) {
    return listSegments(ctx.em, ctx.principal.tenantId, kind, includeArchived, page);
  }

  @Query(() => SegmentPreview, { description: 'How many customers a rule matches now, and a sample, without saving anything.' })
  previewSegment(
    @Arg('rule', () => CustomerFilter) rule: CustomerFilter,
    @Arg('sampleSize', () => Int, { defaultValue: 10 }) sampleSize: number,
    @Ctx() ctx: Context,
  ) {
    return previewSegment(ctx.em, ctx.principal.tenantId, rule, sampleSize);
  }

  @Authorized(WRITE)
  @Mutation(() => Segment, { description: 'DYNAMIC and SNAPSHOT segments are evaluated at once.' })
  createSegment(
    @Arg('input', () => CreateSegmentInput) input: CreateSegmentInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: Context,
  ) {
    return createSegment(ctx.em, ctx.principal.tenantId, input, idempotencyKey);
  }

  @Authorized(WRITE)
  @Mutation(() => Segment)
  updateSegment(
    @Arg('id', () => ID) id: string,
    @Arg('version', () => Int) version: number,
    @Arg('input', () => UpdateSegmentInput) input: UpdateSegmentInput,
    @Ctx() ctx: Context,
  ) {
    return updateSegment(ctx.em, ctx.principal.tenantId, id, version, input);
  }

  @Authorized(WRITE)
  @Mutation(() => Segment, { description: 'Archives the segment (restoreSegment undoes it).' })
  deleteSegment(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return setSegmentArchived(ctx.em, ctx.principal.tenantId, id, true);
  }

  @Authorized(WRITE)
  @Mutation(() => Segment)
  restoreSegment(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return setSegmentArchived(ctx.em, ctx.principal.tenantId, id, false);
  }

  @Authorized(WRITE)
  @Mutation(() => SegmentRefreshResult, { description: 'Re-evaluates a DYNAMIC segment; entries and exits go to its history.' })
  refreshSegment(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return refreshSegment(ctx.em, ctx.principal.tenantId, id);
  }

  @Authorized(WRITE)
  @Mutation(() => Int, { description: 'Refreshes every DYNAMIC segment; returns how many.' })
  refreshSegments(@Ctx() ctx: Context) {
    return refreshAllSegments(ctx.em, ctx.principal.tenantId);
  }

  @Authorized(WRITE)
  @Mutation(() => Segment, { description: 'Freezes the current members into a new SNAPSHOT segment.' })
  snapshotSegment(@Arg('id', () => ID) id: string, @Arg('name', () => String) name: string, @Ctx() ctx: Context) {
    return snapshotSegment(ctx.em, ctx.principal.tenantId, id, name);
  }

  @Authorized(WRITE)
  @Mutation(() => SegmentRefreshResult, { description: 'STATIC segments: adds customers by id and/or every customer matching a filter.' })
  addSegmentMembers(
    @Arg('id', () => ID) id: string,
    @Arg('customerIds', () => [ID], { nullable: true }) customerIds: string[] | null,
    @Arg('filter', () => CustomerFilter, { nullable: true }) filter: CustomerFilter | null,
    @Ctx() ctx: Context,
  ) {
    return changeStaticMembers(ctx.em, ctx.principal.tenantId, id, customerIds, filter, 'add');
  }

  @Authorized(WRITE)
  @Mutation(() => SegmentRefreshResult, { description: 'STATIC segments: removes customers by id and/or every member matching a filter.' })
  removeSegmentMembers(
    @Arg('id', () => ID) id: string,
    @Arg('customerIds', () => [ID], { nullable: true }) customerIds: string[] | null,
    @Arg('filter', () => CustomerFilter, { nullable: true }) filter: CustomerFilter | null,
    @Ctx() ctx: Context,
  ) {
    return changeStaticMembers(ctx.em, ctx.principal.tenantId, id, customerIds, filter, 'remove');
  }

  @FieldResolver(() => CustomerConnection, { description: 'Current members (as of the last refresh), optionally narrowed by a filter.' })
  customers(
    @Root() segment: Segment,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => CustomerFilter, { nullable: true }) filter: CustomerFilter | null,
    @Ctx() ctx: Context,
  ) {
    return listMembers(ctx.em, segment, filter, page);
  }

  @FieldResolver(() => CustomerConnection, { description: 'Members at an instant, from the membership history.' })
  membersAt(@Root() segment: Segment, @Arg('at', () => Date) at: Date, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context) {
    return listMembersAt(ctx.em, segment, at, page);
  }

  @FieldResolver(() => [SegmentMembershipEvent], { description: 'Entries and exits at or after `since`, oldest first.' })
  changes(
    @Root() segment: Segment,
    @Arg('since', () => Date) since: Date,
    @Arg('first', () => Int, { defaultValue: 100 }) first: number,
    @Ctx() ctx: Context,
  ) {
    return listChanges(ctx.em, segment, since, first);
  }

  @FieldResolver(() => SegmentStats)
  stats(@Root() segment: Segment, @Ctx() ctx: Context) {
    return segmentStats(ctx.em, segment);
  }
}

@Resolver(() => SegmentMembershipEvent)
export class SegmentMembershipEventResolver {
  @FieldResolver(() => Customer, { nullable: true })
  customer(@Root() event: SegmentMembershipEvent, @Ctx() ctx: Context) {
    return ctx.loaders
      .get<string, Customer | null>('customer.byId', (ids) => customersByIds(ctx.em, ctx.principal.tenantId, ids))
      .load(event.customerId);
  }
}

@Resolver(() => Customer)
export class CustomerSegmentsResolver {
  @FieldResolver(() => [Segment], { description: 'Segments the customer is in now (by name).' })
  segments(@Root() customer: Customer, @Ctx() ctx: Context) {
    return ctx.loaders
      .get<string, Segment[]>('customer.segments', (ids) => segmentsOfCustomers(ctx.em, ctx.principal.tenantId, ids))
      .load(customer.id);
  }
}
