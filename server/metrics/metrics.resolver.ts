import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, Info, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { ADMIN } from '../auth/auth-checker.js';
import type { Context } from '../context.js';
import { Customer } from '../customers/customer.entity.js';
import { selectedPaths } from '../graphql/lookahead.js';
import { customersByIds } from '../customers/customer.service.js';
import { churnWatchlist, currentValueModel, demandForecast, lifecycleDistribution, pareto, rfmDistribution } from './analytics.service.js';
import { checkAsOf, createJob, getJob, listJobs, runJobInBackground } from './jobs.service.js';
import { MetricsJob, MetricsJobTrigger } from './metrics-job.entity.js';
import { MetricsSettingsInput } from './metrics.inputs.js';
import { customerMetricsLoader, metricsReadFor, prefetchedMetrics, readSettings, settingsView, updateSettings } from './metrics.service.js';
import {
  ChurnWatchlistEntry, CustomerMetrics, DemandForecast, LifecycleCount, MetricsSettingsType, Pareto, RfmSegmentCount, TenantAnalytics,
} from './metrics.types.js';
import { ValueModel, ValueModelKind } from './value-model.entity.js';

@Resolver(() => Customer)
export class CustomerMetricsResolver {
  @FieldResolver(() => CustomerMetrics, {
    nullable: true,
    description: 'Value metrics as of the last recompute or re-scoring (null until the first). Batched across a page.',
  })
  metrics(@Root() customer: Customer, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): CustomerMetrics | null | Promise<CustomerMetrics | null> {
    // Read with the customer (metricsJoin), or else batched: only the columns the
    // selection reads (one loader per distinct selection; a page has one).
    const read = prefetchedMetrics(customer);
    if (read !== undefined) return read;
    return ctx.loaders.forField(info, () => customerMetricsLoader(ctx, metricsReadFor(selectedPaths(info)))).load(customer.id);
  }
}

@ObjectType({ description: 'Orders that counted as purchases but added no spend: their currency has no exchange rate.' })
export class UnconvertedOrders {
  @Field(() => String) currency!: string;
  @Field(() => Int) orders!: number;
}

@Resolver(() => MetricsJob)
export class MetricsJobResolver {
  @Authorized(ADMIN)
  @Mutation(() => MetricsJob, {
    description:
      'Recomputes every customer’s metrics and refits the tenant’s models in the background; follow the job with metricsJob(id). ' +
      'asOf is the observation end (default now; orders after it are ignored, for back-testing); in the future it is BAD_USER_INPUT. ' +
      'CONFLICT while another recompute of the tenant is queued or running.',
  })
  async recomputeMetrics(@Arg('asOf', () => Date, { nullable: true }) asOf: Date | null, @Ctx() ctx: Context): Promise<MetricsJob> {
    const when = checkAsOf(asOf, 'asOf');
    const job = await createJob(ctx.em, ctx.principal.tenantId, when, MetricsJobTrigger.API, ctx.principal.keyId);
    runJobInBackground(ctx.em, ctx.principal.tenantId, job.id);
    return job;
  }

  @Query(() => MetricsJob, { description: 'A recompute job of this tenant; NOT_FOUND otherwise.' })
  metricsJob(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<MetricsJob> {
    return getJob(ctx.em, ctx.principal.tenantId, id);
  }

  @Query(() => [MetricsJob], { description: 'The tenant’s recompute jobs, newest first.' })
  metricsJobs(@Arg('first', () => Int, { defaultValue: 10 }) first: number, @Ctx() ctx: Context): Promise<MetricsJob[]> {
    return listJobs(ctx.em, ctx.principal.tenantId, first);
  }

  @FieldResolver(() => [ValueModel], { description: 'The models this job fitted (empty until it reaches FITTING).' })
  models(@Root() job: MetricsJob, @Ctx() ctx: Context): Promise<ValueModel[]> {
    const { em, principal } = ctx;
    return ctx.loaders
      .get<string, ValueModel[]>('metricsJob.models', async (jobIds) => {
        const rows = await em.execute<Record<string, unknown>[]>(
          `select * from value_model where tenant_id = ? and job_id in (${jobIds.map(() => '?').join(', ')}) order by kind`,
          [principal.tenantId, ...jobIds],
        );
        const models = rows.map((r) => em.map(ValueModel, r as never));
        return jobIds.map((id) => models.filter((m) => m.jobId === id));
      })
      .load(job.id);
  }

  @FieldResolver(() => [UnconvertedOrders], { description: 'Set when the job SUCCEEDED.' })
  unconvertedOrders(@Root() job: MetricsJob): UnconvertedOrders[] {
    const summary = typeof job.summary === 'string' ? JSON.parse(job.summary) : job.summary;
    return (summary?.unconvertedOrders ?? []).map((u: UnconvertedOrders) => Object.assign(new UnconvertedOrders(), u));
  }
}

@Resolver(() => TenantAnalytics)
export class TenantAnalyticsResolver {
  @Query(() => TenantAnalytics, { description: 'Tenant-wide analytics.' })
  analytics(@Ctx() ctx: Context): TenantAnalytics {
    return Object.assign(new TenantAnalytics(), { tenantId: ctx.principal.tenantId });
  }

  @FieldResolver(() => ValueModel, { nullable: true, description: 'The model of the latest successful recompute (null before the first).' })
  valueModel(@Arg('kind', () => ValueModelKind, { defaultValue: ValueModelKind.BGNBD }) kind: ValueModelKind, @Ctx() ctx: Context) {
    return currentValueModel(ctx.em, ctx.principal.tenantId, kind);
  }

  @FieldResolver(() => Pareto, { nullable: true, description: 'Share of revenue from the top 20 % of buying customers, at the latest recompute.' })
  pareto(@Ctx() ctx: Context) {
    return pareto(ctx.em, ctx.principal.tenantId);
  }

  @FieldResolver(() => [RfmSegmentCount], { description: 'Every RFM segment with its customers (the counts sum to the scored customers).' })
  rfmDistribution(@Ctx() ctx: Context) {
    return rfmDistribution(ctx.em, ctx.principal.tenantId);
  }

  @FieldResolver(() => [LifecycleCount], { description: 'Every lifecycle stage with its customers (the counts sum to the customers with metrics).' })
  lifecycleDistribution(@Ctx() ctx: Context) {
    return lifecycleDistribution(ctx.em, ctx.principal.tenantId);
  }

  @FieldResolver(() => [ChurnWatchlistEntry], {
    description: 'The accounts to save first: highest value at risk = predicted CLV × (1 − P(alive)). first: 1–100.',
  })
  churnWatchlist(@Arg('first', () => Int, { defaultValue: 20 }) first: number, @Ctx() ctx: Context) {
    return churnWatchlist(ctx.em, ctx.principal, first);
  }

  @FieldResolver(() => DemandForecast, { description: 'Expected orders and revenue in the next `days` days (0–3650), in total and per value tier.' })
  demandForecast(@Arg('days', () => Int) days: number, @Ctx() ctx: Context) {
    return demandForecast(ctx.em, ctx.principal.tenantId, days);
  }
}

@Resolver(() => ChurnWatchlistEntry)
export class ChurnWatchlistEntryResolver {
  @FieldResolver(() => Customer)
  customer(@Root() entry: ChurnWatchlistEntry, @Ctx() ctx: Context) {
    return ctx.loaders
      .get<string, Customer | null>('customer.byId', (ids) => customersByIds(ctx.em, ctx.principal.tenantId, ids))
      .load(entry.customerId);
  }
}

@Resolver()
export class MetricsSettingsResolver {
  @Query(() => MetricsSettingsType, { description: 'The tenant’s metric thresholds, with defaults filled in.' })
  async metricsSettings(@Ctx() ctx: Context) {
    return settingsView(await readSettings(ctx.em, ctx.principal.tenantId));
  }

  @Authorized(ADMIN)
  @Mutation(() => MetricsSettingsType, { description: 'Changes metric thresholds; they apply from the next recompute or re-scoring.' })
  async updateMetricsSettings(@Arg('input', () => MetricsSettingsInput) input: MetricsSettingsInput, @Ctx() ctx: Context) {
    return settingsView(await updateSettings(ctx.em, ctx.principal.tenantId, input));
  }
}
