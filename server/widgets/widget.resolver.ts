import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ApiKey } from '../auth/api-key.entity.js';
import { ADMIN, MINT_WIDGET_TOKENS } from '../auth/auth-checker.js';
import { createPublishableKey, listApiKeys, revokeApiKey } from '../auth/publishable-keys.service.js';
import type { Context } from '../context.js';
import { ForbiddenError } from '../graphql/errors.js';
import { Money } from '../graphql/scalars.js';
import { loadCustomerMetrics } from '../metrics/metrics.service.js';
import { CustomerMetrics, LifecycleStage, RfmSegment } from '../metrics/metrics.types.js';
import { tiersOfCustomers } from '../tiers/tier.service.js';
import { CustomerTier } from '../tiers/tier.types.js';
import { mintWidgetToken, widgetCustomer } from './widget.service.js';
import {
  CreatedApiKey, CreatePublishableKeyInput, WidgetChurn, WidgetChurnReason, WidgetCustomer, WidgetScope, WidgetToken,
} from './widget.types.js';

@Resolver()
export class WidgetResolver {
  @Query(() => WidgetCustomer, {
    description: 'The customer bound to the widget token (Authorization: Bearer <token>), PII masked. Scope CUSTOMER_CARD, or CHURN_BADGE for id, displayName and churn only.',
  })
  widgetCustomer(@Ctx() ctx: Context): Promise<WidgetCustomer> {
    if (!ctx.principal.widget) throw new ForbiddenError('widgetCustomer needs a widget token (mint one with createWidgetToken)');
    return widgetCustomer(ctx.em, ctx.principal, ctx.principal.widget.customerId);
  }

  @Authorized(MINT_WIDGET_TOKENS)
  @Mutation(() => WidgetToken, {
    description:
      'Mints a widget token for one customer (ADMIN, AGENT or ANALYST secret key). ttlSeconds 1–3600 (default 600). ' +
      'NOT_FOUND when the customer is not in this tenant. Revoking the key that minted it revokes the token.',
  })
  createWidgetToken(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('scopes', () => [WidgetScope]) scopes: WidgetScope[],
    @Arg('ttlSeconds', () => Int, { nullable: true, defaultValue: 600 }) ttlSeconds: number | null,
    @Ctx() ctx: Context,
  ): Promise<WidgetToken> {
    return mintWidgetToken(ctx, customerId, scopes, ttlSeconds ?? 600);
  }

  @Authorized(ADMIN)
  @Query(() => [ApiKey], { description: 'Every key of the tenant (secret and publishable, revoked included), oldest first. Keys themselves are never shown again.' })
  apiKeys(@Ctx() ctx: Context): Promise<ApiKey[]> {
    return listApiKeys(ctx.em, ctx.principal.tenantId);
  }

  @Authorized(ADMIN)
  @Mutation(() => CreatedApiKey, {
    description:
      'Creates a publishable key (pk_…) for browsers: it may only read ACTIVE surveys and submit survey responses and feedback, ' +
      'from the listed origins. BAD_USER_INPUT at input.allowedOrigins.<i> for a malformed origin.',
  })
  createPublishableKey(@Arg('input', () => CreatePublishableKeyInput) input: CreatePublishableKeyInput, @Ctx() ctx: Context): Promise<CreatedApiKey> {
    return createPublishableKey(ctx.em, ctx.principal.tenantId, input.name, input.allowedOrigins).then(({ key, apiKey }) =>
      Object.assign(new CreatedApiKey(), { key, apiKey }),
    );
  }

  @Authorized(ADMIN)
  @Mutation(() => ApiKey, { description: 'Revokes a key at once (idempotent). Widget tokens minted with it stop working too.' })
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ApiKey> {
    return revokeApiKey(ctx.em, ctx.principal.tenantId, id);
  }
}

function metricsOf(customer: WidgetCustomer, ctx: Context): Promise<CustomerMetrics | null> {
  // Every column (the widget fields derive several figures from one row); one batched read.
  return loadCustomerMetrics(ctx, customer.id);
}

@Resolver(() => WidgetCustomer)
export class WidgetCustomerResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description: 'The customer’s tier (VIP, REGULAR, POTENTIAL, LOW_VALUE or a custom one); null before tiers are assigned.',
  })
  async tier(@Root() customer: WidgetCustomer, @Ctx() ctx: Context): Promise<string | null> {
    const tier = await ctx.loaders
      .get<string, CustomerTier | null>('customer.tier', (ids) => tiersOfCustomers(ctx.em, ctx.principal.tenantId, ids))
      .load(customer.id);
    return tier?.tier ?? null;
  }

  @FieldResolver(() => Money, { nullable: true, description: 'Spent so far, in the tenant currency; null before metrics are computed.' })
  async historicValue(@Root() customer: WidgetCustomer, @Ctx() ctx: Context): Promise<Money | null> {
    return (await metricsOf(customer, ctx))?.historicValue ?? null;
  }

  @FieldResolver(() => Money, { nullable: true, description: 'Predicted CLV over the next 12 months, in the tenant currency.' })
  async predictedClv(@Root() customer: WidgetCustomer, @Ctx() ctx: Context): Promise<Money | null> {
    return (await metricsOf(customer, ctx))?.predictedClv(12) ?? null;
  }

  @FieldResolver(() => RfmSegment, { nullable: true })
  async rfmSegment(@Root() customer: WidgetCustomer, @Ctx() ctx: Context): Promise<RfmSegment | null> {
    return ((await metricsOf(customer, ctx))?.rfm?.segment as RfmSegment | undefined) ?? null;
  }

  @FieldResolver(() => LifecycleStage, { nullable: true })
  async lifecycleStage(@Root() customer: WidgetCustomer, @Ctx() ctx: Context): Promise<LifecycleStage | null> {
    return (await metricsOf(customer, ctx))?.lifecycleStage ?? null;
  }

  @FieldResolver(() => WidgetChurn, { nullable: true, description: 'Null for a prospect or before metrics are computed.' })
  async churn(@Root() customer: WidgetCustomer, @Ctx() ctx: Context): Promise<WidgetChurn | null> {
    const risk = (await metricsOf(customer, ctx))?.churnRisk;
    if (!risk) return null;
    return Object.assign(new WidgetChurn(), {
      level: risk.level,
      score: risk.score,
      reasons: risk.reasons.map((r) => Object.assign(new WidgetChurnReason(), { code: r.code, message: r.message })),
    });
  }
}
