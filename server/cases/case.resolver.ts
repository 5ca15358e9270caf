import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ADMIN, WRITE } from '../auth/auth-checker.js';
import type { Context } from '../context.js';
import { Customer } from '../customers/customer.entity.js';
import { customersByIds } from '../customers/customer.service.js';
import { PageArgs, pageRequest } from '../graphql/connection.js';
import { checkPeriod, PeriodInput, TimeBucket } from '../graphql/period.js';
import { Money } from '../graphql/scalars.js';
import { FeedbackConnection } from '../feedback/feedback.inputs.js';
import { feedbackCountsForCases, feedbackPagesForCases } from '../feedback/feedback.service.js';
import { SurveyInvitation } from '../surveys/survey.entity.js';
import { CaseCompensation, CaseEvent, CaseKind, CasePriority, ServiceCase } from './case.entity.js';
import {
  CompensationInput, OpenServiceCaseInput, ServiceCaseConnection, ServiceCaseFilter, ServiceCaseSort, SlaPolicy, SlaPolicyInput,
  TransitionServiceCaseInput, UpdateServiceCaseInput,
} from './case.inputs.js';
import {
  addCaseCompensation, compensationsForCases, eventsForCases, followUpsForCases, getServiceCase, listServiceCases, openServiceCase,
  transitionServiceCase, updateServiceCase,
} from './case.service.js';
import { now } from './clock.js';
import { serviceMetrics, ServiceMetrics } from './metrics.service.js';
import { listSlaPolicies, resetSlaPolicy, setSlaPolicy } from './sla-policy.service.js';
import { caseSla, CaseSla } from './sla.js';

type FeedbackPage = InstanceType<typeof FeedbackConnection>;

@Resolver(() => ServiceCase)
export class ServiceCaseResolver {
  @Query(() => ServiceCase, { description: 'NOT_FOUND when this tenant has no such case.' })
  serviceCase(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return getServiceCase(ctx.em, ctx.principal.tenantId, id);
  }

  @Query(() => ServiceCaseConnection)
  serviceCases(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ServiceCaseFilter, { nullable: true }) filter: ServiceCaseFilter | null,
    @Arg('sort', () => ServiceCaseSort, { defaultValue: ServiceCaseSort.NEWEST }) sort: ServiceCaseSort,
    @Ctx() ctx: Context,
  ) {
    return listServiceCases(ctx.em, ctx.principal.tenantId, filter, sort, page);
  }

  @Query(() => ServiceMetrics, { description: 'SLA compliance, resolution times, backlog and complaint rates, overall, by kind and by bucket.' })
  serviceMetrics(
    @Arg('period', () => PeriodInput) period: PeriodInput,
    @Arg('bucket', () => TimeBucket, { defaultValue: TimeBucket.MONTH }) bucket: TimeBucket,
    @Ctx() ctx: Context,
  ) {
    return serviceMetrics(ctx.em, ctx.principal.tenantId, checkPeriod('period', period, bucket), bucket);
  }

  @Query(() => [SlaPolicy], { description: 'Every kind × priority: the tenant’s own policy where set, else the default.' })
  slaPolicies(@Ctx() ctx: Context) {
    return listSlaPolicies(ctx.em, ctx.principal.tenantId);
  }

  @FieldResolver(() => CaseSla)
  sla(@Root() serviceCase: ServiceCase): CaseSla {
    return caseSla(serviceCase, now());
  }

  @FieldResolver(() => Customer, { nullable: true })
  customer(@Root() serviceCase: ServiceCase, @Ctx() ctx: Context) {
    return ctx.loaders
      .get<string, Customer | null>('customer.byId', (ids) => customersByIds(ctx.em, ctx.principal.tenantId, ids))
      .load(serviceCase.customerId);
  }

  @FieldResolver(() => [CaseEvent], { description: 'Status changes, oldest first.' })
  history(@Root() serviceCase: ServiceCase, @Ctx() ctx: Context) {
    return ctx.loaders
      .get<string, CaseEvent[]>('case.events', (ids) => eventsForCases(ctx.em, ctx.principal.tenantId, ids))
      .load(serviceCase.id);
  }

  @FieldResolver(() => [CaseCompensation])
  compensations(@Root() serviceCase: ServiceCase, @Ctx() ctx: Context) {
    return ctx.loaders
      .get<string, CaseCompensation[]>('case.compensations', (ids) => compensationsForCases(ctx.em, ctx.principal.tenantId, ids))
      .load(serviceCase.id);
  }

  @FieldResolver(() => SurveyInvitation, { nullable: true, description: 'The CSAT follow-up sent when the case was resolved.' })
  followUpSurvey(@Root() serviceCase: ServiceCase, @Ctx() ctx: Context) {
    return ctx.loaders
      .get<string, SurveyInvitation | null>('case.followUp', (ids) => followUpsForCases(ctx.em, ctx.principal.tenantId, ids))
      .load(serviceCase.id);
  }

  @FieldResolver(() => FeedbackConnection, { description: 'Feedback linked to this case, newest first.' })
  feedback(@Root() serviceCase: ServiceCase, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context): Promise<FeedbackPage> {
    const request = pageRequest(page, 2);
    const { em, principal, loaders } = ctx;
    const counts = loaders.get<string, number>('case.feedback.count', (ids) => feedbackCountsForCases(em, principal.tenantId, ids));
    return loaders
      .get<string, FeedbackPage>(`case.feedback:${JSON.stringify(page)}`, (ids) =>
        feedbackPagesForCases(em, principal.tenantId, ids, request, (id) => counts.load(id)),
      )
      .load(serviceCase.id);
  }

  @Authorized(WRITE)
  @Mutation(() => ServiceCase, { description: 'SLA due times come from the policy for its kind × priority. A retry with the same idempotencyKey returns the first case.' })
  openServiceCase(
    @Arg('input', () => OpenServiceCaseInput) input: OpenServiceCaseInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: Context,
  ) {
    return openServiceCase(ctx.em, ctx.principal, input, idempotencyKey);
  }

  @Authorized(WRITE)
  @Mutation(() => ServiceCase, { description: 'CONFLICT when `version` is not the current one.' })
  updateServiceCase(
    @Arg('id', () => ID) id: string,
    @Arg('version', () => Int) version: number,
    @Arg('input', () => UpdateServiceCaseInput) input: UpdateServiceCaseInput,
    @Ctx() ctx: Context,
  ) {
    return updateServiceCase(ctx.em, ctx.principal, id, version, input);
  }

  @Authorized(WRITE)
  @Mutation(() => ServiceCase, { description: 'Moves a case along its lifecycle (see CaseStatus); an illegal move is a CONFLICT naming the allowed ones.' })
  transitionServiceCase(@Arg('input', () => TransitionServiceCaseInput) input: TransitionServiceCaseInput, @Ctx() ctx: Context) {
    return transitionServiceCase(ctx.em, ctx.principal, input);
  }

  @Authorized(WRITE)
  @Mutation(() => CaseCompensation)
  addCaseCompensation(
    @Arg('caseId', () => ID) caseId: string,
    @Arg('input', () => CompensationInput) input: CompensationInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: Context,
  ) {
    return addCaseCompensation(ctx.em, ctx.principal, caseId, input, idempotencyKey);
  }

  @Authorized(ADMIN)
  @Mutation(() => SlaPolicy, { description: 'Applies to cases opened (or re-timed) from now on.' })
  setSlaPolicy(@Arg('input', () => SlaPolicyInput) input: SlaPolicyInput, @Ctx() ctx: Context) {
    return setSlaPolicy(ctx.em, ctx.principal.tenantId, input);
  }

  @Authorized(ADMIN)
  @Mutation(() => SlaPolicy, { description: 'Back to the built-in default.' })
  resetSlaPolicy(
    @Arg('kind', () => CaseKind) kind: CaseKind,
    @Arg('priority', () => CasePriority) priority: CasePriority,
    @Ctx() ctx: Context,
  ) {
    return resetSlaPolicy(ctx.em, ctx.principal.tenantId, kind, priority);
  }
}

@Resolver(() => CaseCompensation)
export class CaseCompensationResolver {
  @FieldResolver(() => Money, { nullable: true })
  amount(@Root() compensation: CaseCompensation): Money | null {
    return compensation.amountValue != null && compensation.currency ? Money.of(compensation.amountValue, compensation.currency) : null;
  }
}
