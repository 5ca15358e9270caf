import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ADMIN, WRITE } from '../auth/auth-checker.js';
import type { Context } from '../context.js';
import { Customer } from '../customers/customer.entity.js';
import { customersByIds } from '../customers/customer.service.js';
import { PageArgs } from '../graphql/connection.js';
import { checkPeriod, PeriodInput } from '../graphql/period.js';
import {
  completeFollowUp, contactCompliance, createContactPolicy, generateFollowUps, getFollowUp, listContactPolicies, listFollowUps, rescheduleFollowUp,
  skipFollowUp, updateContactPolicy,
} from './contact-plan.service.js';
import {
  CompleteFollowUpInput, ContactComplianceEntry, ContactPolicy, ContactPolicyInput, FollowUp, FollowUpConnection, FollowUpStatus,
  GenerateFollowUpsResult,
} from './contact-plan.types.js';

@Resolver(() => ContactPolicy)
export class ContactPolicyResolver {
  @Query(() => [ContactPolicy])
  contactPolicies(@Ctx() ctx: Context) {
    return listContactPolicies(ctx.em, ctx.principal.tenantId);
  }

  @Authorized(ADMIN)
  @Mutation(() => ContactPolicy)
  createContactPolicy(@Arg('input', () => ContactPolicyInput) input: ContactPolicyInput, @Ctx() ctx: Context) {
    return createContactPolicy(ctx.em, ctx.principal.tenantId, input);
  }

  @Authorized(ADMIN)
  @Mutation(() => ContactPolicy, { description: 'Replaces the policy’s settings (set active: false to retire it).' })
  updateContactPolicy(@Arg('id', () => ID) id: string, @Arg('input', () => ContactPolicyInput) input: ContactPolicyInput, @Ctx() ctx: Context) {
    return updateContactPolicy(ctx.em, ctx.principal.tenantId, id, input);
  }

  @Query(() => [ContactComplianceEntry], { description: 'Per tier: the share of customers under a contact policy contacted within their cadence.' })
  contactCompliance(@Arg('period', () => PeriodInput) period: PeriodInput, @Ctx() ctx: Context) {
    return contactCompliance(ctx.em, ctx.principal.tenantId, checkPeriod('period', period));
  }
}

@Resolver(() => FollowUp)
export class FollowUpResolver {
  @Query(() => FollowUp)
  followUp(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return getFollowUp(ctx.em, ctx.principal.tenantId, id);
  }

  @Query(() => FollowUpConnection, { description: 'Soonest due first.' })
  followUps(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('status', () => FollowUpStatus, { nullable: true }) status: FollowUpStatus | null,
    @Arg('assignee', () => String, { nullable: true }) assignee: string | null,
    @Arg('customerId', () => ID, { nullable: true }) customerId: string | null,
    @Arg('dueBefore', () => Date, { nullable: true }) dueBefore: Date | null,
    @Arg('overdue', () => Boolean, { nullable: true }) overdue: boolean | null,
    @Ctx() ctx: Context,
  ) {
    return listFollowUps(ctx.em, ctx.principal.tenantId, { status, assignee, customerId, dueBefore, overdue }, page);
  }

  @Authorized(WRITE)
  @Mutation(() => GenerateFollowUpsResult, { description: 'Creates the follow-ups now due; running it again creates no duplicates.' })
  generateFollowUps(@Ctx() ctx: Context) {
    return generateFollowUps(ctx.em, ctx.principal.tenantId);
  }

  @Authorized(WRITE)
  @Mutation(() => FollowUp, { description: 'Records the contact as an Interaction with its outcome and closes the follow-up.' })
  completeFollowUp(@Arg('id', () => ID) id: string, @Arg('input', () => CompleteFollowUpInput) input: CompleteFollowUpInput, @Ctx() ctx: Context) {
    return completeFollowUp(ctx.em, ctx.principal, id, input);
  }

  @Authorized(WRITE)
  @Mutation(() => FollowUp)
  rescheduleFollowUp(
    @Arg('id', () => ID) id: string,
    @Arg('dueAt', () => Date) dueAt: Date,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: Context,
  ) {
    return rescheduleFollowUp(ctx.em, ctx.principal.tenantId, id, dueAt, reason);
  }

  @Authorized(WRITE)
  @Mutation(() => FollowUp)
  skipFollowUp(@Arg('id', () => ID) id: string, @Arg('reason', () => String) reason: string, @Ctx() ctx: Context) {
    return skipFollowUp(ctx.em, ctx.principal.tenantId, id, reason);
  }

  @FieldResolver(() => Customer, { nullable: true })
  customer(@Root() followUp: FollowUp, @Ctx() ctx: Context) {
    return ctx.loaders
      .get<string, Customer | null>('customer.byId', (ids) => customersByIds(ctx.em, ctx.principal.tenantId, ids))
      .load(followUp.customerId);
  }
}
