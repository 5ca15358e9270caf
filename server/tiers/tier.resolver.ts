import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ADMIN, WRITE } from '../auth/auth-checker.js';
import type { Context } from '../context.js';
import { Customer } from '../customers/customer.entity.js';
import {
  checkHistoryFirst, clearTierOverride, getTierPolicy, refreshTiers, resetTierPolicy, setTierOverride, setTierPolicy, tierDistribution,
  tierHistoryOfCustomers, tiersOfCustomers,
} from './tier.service.js';
import { CustomerTier, TierChange, TierDistributionEntry, TierPolicy, TierRefreshResult, TierRuleInput } from './tier.types.js';

@Resolver(() => TierPolicy)
export class TierResolver {
  @Query(() => TierPolicy)
  tierPolicy(@Ctx() ctx: Context) {
    return getTierPolicy(ctx.em, ctx.principal.tenantId);
  }

  @Query(() => [TierDistributionEntry], { description: 'Active customers and their historic spend per tier, largest first.' })
  tierDistribution(@Ctx() ctx: Context) {
    return tierDistribution(ctx.em, ctx.principal.tenantId);
  }

  @Authorized(ADMIN)
  @Mutation(() => TierPolicy, { description: 'Replaces the tier policy (ordered rules, first match wins) and reassigns every customer.' })
  setTierPolicy(@Arg('rules', () => [TierRuleInput]) rules: TierRuleInput[], @Ctx() ctx: Context) {
    return setTierPolicy(ctx.em, ctx.principal.tenantId, rules);
  }

  @Authorized(ADMIN)
  @Mutation(() => TierPolicy, { description: 'Back to the built-in policy (VIP, REGULAR, POTENTIAL, LOW_VALUE).' })
  resetTierPolicy(@Ctx() ctx: Context) {
    return resetTierPolicy(ctx.em, ctx.principal.tenantId);
  }

  @Authorized(WRITE)
  @Mutation(() => TierRefreshResult, { description: 'Reassigns every customer’s computed tier now (also done after every metrics recompute).' })
  refreshTiers(@Ctx() ctx: Context) {
    return refreshTiers(ctx.em, ctx.principal.tenantId);
  }

  @Authorized(WRITE)
  @Mutation(() => CustomerTier, { description: 'Puts a customer in a tier by hand, with a reason, until expiresAt (or until cleared).' })
  setTierOverride(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('tier', () => String) tier: string,
    @Arg('reason', () => String) reason: string,
    @Arg('expiresAt', () => Date, { nullable: true }) expiresAt: Date | null,
    @Ctx() ctx: Context,
  ) {
    return setTierOverride(ctx.em, ctx.principal.tenantId, customerId, tier, reason, expiresAt);
  }

  @Authorized(WRITE)
  @Mutation(() => CustomerTier, { nullable: true })
  clearTierOverride(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: Context,
  ) {
    return clearTierOverride(ctx.em, ctx.principal.tenantId, customerId, reason);
  }
}

@Resolver(() => Customer)
export class CustomerTierResolver {
  @FieldResolver(() => CustomerTier, { nullable: true, description: 'null until tiers are first assigned (refreshTiers or a metrics recompute).' })
  tier(@Root() customer: Customer, @Ctx() ctx: Context) {
    return ctx.loaders
      .get<string, CustomerTier | null>('customer.tier', (ids) => tiersOfCustomers(ctx.em, ctx.principal.tenantId, ids))
      .load(customer.id);
  }

  @FieldResolver(() => [TierChange], { description: 'Tier changes, newest first.' })
  tierHistory(@Root() customer: Customer, @Arg('first', () => Int, { defaultValue: 20 }) first: number, @Ctx() ctx: Context) {
    checkHistoryFirst(first);
    return ctx.loaders
      .get<string, TierChange[]>(`customer.tierHistory:${first}`, (ids) => tierHistoryOfCustomers(ctx.em, ctx.principal.tenantId, ids, first))
      .load(customer.id);
  }
}
