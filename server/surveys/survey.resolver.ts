import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { WRITE } from '../auth/auth-checker.js';
import { isBrowserPrincipal } from '../auth/keys.service.js';
import { browserWriteInput } from '../widgets/browser-writes.js';
import type { Context } from '../context.js';
import { Customer } from '../customers/customer.entity.js';
import { customersByIds } from '../customers/customer.service.js';
import { PageArgs } from '../graphql/connection.js';
import { Channel } from '../graphql/enums.js';
import { BadUserInputError, NotFoundError } from '../graphql/errors.js';
import { checkPeriod, PeriodInput, TimeBucket } from '../graphql/period.js';
import { ServiceCase } from '../cases/case.entity.js';
import { serviceCasesByIds } from '../cases/case.service.js';
import { segmentsByIds } from '../segments/segment.service.js';
import { Segment } from '../segments/segment.types.js';
import { surveyAnalytics, SurveyAnalytics, Verbatim, VerbatimConnection, listVerbatims } from './analytics.service.js';
import { getInvitation, getSurveyResponse, listSurveyResponses, responsesByInvitationIds, submitSurveyResponse } from './response.service.js';
import {
  LocalizedText, Survey, SurveyAnswer, SurveyInvitation, SurveyKind, SurveyQuestion, SurveyResponse, SurveyStatus, SurveyVersion,
} from './survey.entity.js';
import {
  CreateSurveyInput, SubmitSurveyResponseInput, SurveyConnection, SurveyFilter, SurveyResponseConnection, SurveyResponseFilter,
  UpdateSurveyInput, VerbatimFilter,
} from './survey.inputs.js';
import {
  createSurvey, getSurvey, listSurveys, setSurveyStatus, surveysByIds, surveyVersionListsFor, surveyVersionsByKeys, updateSurvey, versionKey,
} from './survey.service.js';

function versionLoader(ctx: Context) {
  return ctx.loaders.get<string, SurveyVersion | null>('surveyVersion.byKey', (keys) => surveyVersionsByKeys(ctx.em, ctx.principal.tenantId, keys));
}

function surveyLoader(ctx: Context) {
  return ctx.loaders.get<string, Survey | null>('survey.byId', (ids) => surveysByIds(ctx.em, ctx.principal.tenantId, ids));
}

function customerLoader(ctx: Context) {
  return ctx.loaders.get<string, Customer | null>('customer.byId', (ids) => customersByIds(ctx.em, ctx.principal.tenantId, ids));
}

@Resolver(() => Survey)
export class SurveyResolver {
  @Query(() => Survey, { description: 'NOT_FOUND when this tenant has no such survey (with a publishable key: no such ACTIVE survey).' })
  async survey(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    const survey = await getSurvey(ctx.em, ctx.principal.tenantId, id);
    // A web page sees only surveys that are live; drafts and closed ones do not exist for it.
    if (isBrowserPrincipal(ctx.principal) && survey.status !== SurveyStatus.ACTIVE) throw new NotFoundError('Survey', id);
    return survey;
  }

  @Query(() => SurveyConnection, { description: 'Newest first.' })
  surveys(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => SurveyFilter, { nullable: true }) filter: SurveyFilter | null,
    @Ctx() ctx: Context,
  ) {
    return listSurveys(ctx.em, ctx.principal.tenantId, filter, page);
  }

  @Query(() => SurveyAnalytics, {
    description: 'Give surveyId for one survey, or kind for every survey of that kind (tenant-wide NPS, CSAT or CES).',
  })
  async surveyAnalytics(
    @Arg('surveyId', () => ID, { nullable: true }) surveyId: string | null,
    @Arg('kind', () => SurveyKind, { nullable: true }) kind: SurveyKind | null,
    @Arg('period', () => PeriodInput) period: PeriodInput,
    @Arg('bucket', () => TimeBucket, { defaultValue: TimeBucket.MONTH }) bucket: TimeBucket,
    @Arg('channel', () => Channel, { nullable: true }) channel: Channel | null,
    @Ctx() ctx: Context,
  ) {
    const checked = checkPeriod('period', period, bucket);
    if (!surveyId && !kind) throw new BadUserInputError([{ path: 'surveyId', message: 'give surveyId or kind' }]);
    const survey = surveyId ? await getSurvey(ctx.em, ctx.principal.tenantId, surveyId, 'surveyId') : null;
    if (survey && kind && survey.kind !== kind) {
      throw new BadUserInputError([{ path: 'kind', message: `survey ${survey.id} is a ${survey.kind} survey` }]);
    }
    return surveyAnalytics(
      ctx.em,
      { tenantId: ctx.principal.tenantId, surveyId: survey?.id ?? null, kind: survey?.kind ?? kind!, period: checked, channel },
      bucket,
    );
  }

  @FieldResolver(() => LocalizedText, { description: 'Of the current version.' })
  async title(@Root() survey: Survey, @Ctx() ctx: Context) {
    return LocalizedText.of((await versionLoader(ctx).load(versionKey(survey.id, survey.version)))?.title);
  }

  @FieldResolver(() => LocalizedText, { nullable: true, description: 'Of the current version.' })
  async description(@Root() survey: Survey, @Ctx() ctx: Context) {
    const v = await versionLoader(ctx).load(versionKey(survey.id, survey.version));
    return v?.description ? LocalizedText.of(v.description) : null;
  }

  @FieldResolver(() => [SurveyQuestion], { description: 'Of the current version.' })
  async questions(@Root() survey: Survey, @Ctx() ctx: Context) {
    return ((await versionLoader(ctx).load(versionKey(survey.id, survey.version)))?.questions ?? []).map(SurveyQuestion.of);
  }

  @FieldResolver(() => Segment, { nullable: true, description: 'The segment this survey is targeted at: only its current members may respond.' })
  targetSegment(@Root() survey: Survey, @Ctx() ctx: Context) {
    if (!survey.targetSegmentId) return null;
    return ctx.loaders
      .get<string, Segment | null>('segment.byId', (ids) => segmentsByIds(ctx.em, ctx.principal.tenantId, ids))
      .load(survey.targetSegmentId);
  }

  @FieldResolver(() => [SurveyVersion], { description: 'Every published version, oldest first.' })
  versions(@Root() survey: Survey, @Ctx() ctx: Context) {
    return ctx.loaders
      .get<string, SurveyVersion[]>('survey.versions', (ids) => surveyVersionListsFor(ctx.em, ctx.principal.tenantId, ids))
      .load(survey.id);
  }

  @Authorized(WRITE)
  @Mutation(() => Survey, { description: 'Created as DRAFT. A retry with the same idempotencyKey returns the first survey.' })
  createSurvey(
    @Arg('input', () => CreateSurveyInput) input: CreateSurveyInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: Context,
  ) {
    return createSurvey(ctx.em, ctx.principal, input, idempotencyKey);
  }

  @Authorized(WRITE)
  @Mutation(() => Survey, { description: 'CONFLICT when `revision` is not the current one. Content edits after activation publish a new version.' })
  updateSurvey(
    @Arg('id', () => ID) id: string,
    @Arg('revision', () => Int) revision: number,
    @Arg('input', () => UpdateSurveyInput) input: UpdateSurveyInput,
    @Ctx() ctx: Context,
  ) {
    return updateSurvey(ctx.em, ctx.principal, id, revision, input);
  }

  @Authorized(WRITE)
  @Mutation(() => Survey, { description: 'DRAFT -> ACTIVE | CLOSED; ACTIVE <-> CLOSED. Anything else is a CONFLICT.' })
  setSurveyStatus(@Arg('id', () => ID) id: string, @Arg('status', () => SurveyStatus) status: SurveyStatus, @Ctx() ctx: Context) {
    return setSurveyStatus(ctx.em, ctx.principal, id, status);
  }
}

@Resolver(() => SurveyVersion)
export class SurveyVersionResolver {
  @FieldResolver(() => LocalizedText)
  title(@Root() version: SurveyVersion) {
    return LocalizedText.of(version.title);
  }

  @FieldResolver(() => LocalizedText, { nullable: true })
  description(@Root() version: SurveyVersion) {
    return version.description ? LocalizedText.of(version.description) : null;
  }

  @FieldResolver(() => [SurveyQuestion])
  questions(@Root() version: SurveyVersion) {
    return version.questions.map(SurveyQuestion.of);
  }
}

@Resolver(() => SurveyResponse)
export class SurveyResponseResolver {
  @Query(() => SurveyResponse)
  surveyResponse(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return getSurveyResponse(ctx.em, ctx.principal.tenantId, id);
  }

  @Query(() => SurveyResponseConnection, { description: 'Newest first (by start).' })
  surveyResponses(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => SurveyResponseFilter, { nullable: true }) filter: SurveyResponseFilter | null,
    @Ctx() ctx: Context,
  ) {
    return listSurveyResponses(ctx.em, ctx.principal.tenantId, filter, page);
  }

  @Query(() => SurveyInvitation)
  surveyInvitation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return getInvitation(ctx.em, ctx.principal.tenantId, id);
  }

  @Authorized(WRITE)
  @Mutation(() => SurveyResponse, {
    description:
      'Partial submissions upsert answers under the idempotencyKey; the final one (partial: false) completes the response. ' +
      'A retry never creates a second response. CONFLICT for DRAFT or CLOSED surveys; BAD_USER_INPUT per answer (input.answers.<i>.value …).',
  })
  submitSurveyResponse(
    @Arg('input', () => SubmitSurveyResponseInput) input: SubmitSurveyResponseInput,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Ctx() ctx: Context,
  ) {
    return submitSurveyResponse(ctx.em, ctx.principal, browserWriteInput(ctx.principal, input, ['invitationId']), idempotencyKey);
  }

  @FieldResolver(() => Survey)
  survey(@Root() response: SurveyResponse, @Ctx() ctx: Context) {
    return surveyLoader(ctx).load(response.surveyId);
  }

  @FieldResolver(() => Customer, { nullable: true })
  customer(@Root() response: SurveyResponse, @Ctx() ctx: Context) {
    return response.customerId ? customerLoader(ctx).load(response.customerId) : null;
  }

  @FieldResolver(() => [SurveyAnswer], { description: 'In question order.' })
  async answers(@Root() response: SurveyResponse, @Ctx() ctx: Context): Promise<SurveyAnswer[]> {
    const version = await versionLoader(ctx).load(versionKey(response.surveyId, response.surveyVersion));
    const questions = version?.questions ?? [];
    const order = new Map(questions.map((q, i) => [q.id, i]));
    return Object.entries(response.answers)
      .sort(([a], [b]) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9))
      .map(([questionId, a]) => {
        const q = questions.find((x) => x.id === questionId);
        return Object.assign(new SurveyAnswer(), {
          questionId, question: q ? SurveyQuestion.of(q) : null, value: a.value ?? null, choiceIds: a.choiceIds ?? null, text: a.text ?? null,
          sentiment: a.sentiment ?? null,
        });
      });
  }

  @FieldResolver(() => SurveyInvitation, { nullable: true })
  invitation(@Root() response: SurveyResponse, @Ctx() ctx: Context) {
    if (!response.invitationId) return null;
    return ctx.loaders
      .get<string, SurveyInvitation | null>('surveyInvitation.byId', async (ids) => {
        const found = await ctx.em.find(SurveyInvitation, { tenantId: ctx.principal.tenantId, id: { $in: [...ids] } });
        return ids.map((id) => found.find((i) => i.id === id) ?? null);
      })
      .load(response.invitationId);
  }
}

@Resolver(() => SurveyInvitation)
export class SurveyInvitationResolver {
  @FieldResolver(() => Survey)
  survey(@Root() invitation: SurveyInvitation, @Ctx() ctx: Context) {
    return surveyLoader(ctx).load(invitation.surveyId);
  }

  @FieldResolver(() => Customer, { nullable: true })
  customer(@Root() invitation: SurveyInvitation, @Ctx() ctx: Context) {
    return invitation.customerId ? customerLoader(ctx).load(invitation.customerId) : null;
  }

  @FieldResolver(() => ServiceCase, { nullable: true, name: 'case' })
  serviceCase(@Root() invitation: SurveyInvitation, @Ctx() ctx: Context) {
    if (!invitation.caseId) return null;
    return ctx.loaders
      .get<string, ServiceCase | null>('serviceCase.byId', (ids) => serviceCasesByIds(ctx.em, ctx.principal.tenantId, ids))
      .load(invitation.caseId);
  }

  @FieldResolver(() => SurveyResponse, { nullable: true, description: 'Null until answered.' })
  response(@Root() invitation: SurveyInvitation, @Ctx() ctx: Context) {
    return ctx.loaders
      .get<string, SurveyResponse | null>('surveyInvitation.response', (ids) => responsesByInvitationIds(ctx.em, ctx.principal.tenantId, ids))
      .load(invitation.id);
  }
}

@Resolver(() => SurveyAnalytics)
export class SurveyAnalyticsResolver {
  @FieldResolver(() => VerbatimConnection, { description: 'Free-text answers of the same responses, newest first.' })
  verbatims(
    @Root() analytics: SurveyAnalytics,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => VerbatimFilter, { nullable: true }) filter: VerbatimFilter | null,
    @Ctx() ctx: Context,
  ) {
    return listVerbatims(ctx.em, analytics.scope, filter, page);
  }
}

@Resolver(() => Verbatim)
export class VerbatimResolver {
  @FieldResolver(() => Customer, { nullable: true })
  customer(@Root() verbatim: Verbatim, @Ctx() ctx: Context) {
    return verbatim.customerId ? customerLoader(ctx).load(verbatim.customerId) : null;
  }
}
