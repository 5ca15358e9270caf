import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ADMIN, WRITE } from '../auth/auth-checker.js';
import type { Context } from '../context.js';
import { browserWriteInput } from '../widgets/browser-writes.js';
import { Customer } from '../customers/customer.entity.js';
import { customersByIds } from '../customers/customer.service.js';
import { PageArgs } from '../graphql/connection.js';
import { checkPeriod, PeriodInput } from '../graphql/period.js';
import { ServiceCase } from '../cases/case.entity.js';
import { serviceCasesByIds } from '../cases/case.service.js';
import { Feedback, FeedbackCategory, FeedbackStatus } from './feedback.entity.js';
import { FeedbackCategoryInput, FeedbackConnection, FeedbackFilter, SubmitFeedbackInput, UpdateFeedbackInput } from './feedback.inputs.js';
import {
  categoriesByIds, createCategory, getFeedback, listCategories, listFeedback, setCategoryArchived, setFeedbackStatus, submitFeedback,
  updateCategory, updateFeedback,
} from './feedback.service.js';
import { VocCategory, voiceOfCustomer, VoiceOfCustomer } from './voc.service.js';

function categoryLoader(ctx: Context) {
  return ctx.loaders.get<string, FeedbackCategory | null>('feedbackCategory.byId', (ids) => categoriesByIds(ctx.em, ctx.principal.tenantId, ids));
}

@Resolver(() => Feedback)
export class FeedbackResolver {
  @Query(() => Feedback, { description: 'NOT_FOUND when this tenant has no such item.' })
  feedback(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return getFeedback(ctx.em, ctx.principal.tenantId, id);
  }

  @Query(() => FeedbackConnection, { description: 'The tenant’s feedback, newest first.' })
  feedbackItems(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => FeedbackFilter, { nullable: true }) filter: FeedbackFilter | null,
    @Ctx() ctx: Context,
  ) {
    return listFeedback(ctx.em, ctx.principal.tenantId, filter, page);
  }

  @Query(() => VoiceOfCustomer, { description: 'Categories ranked by volume and by the value of the customers raising them, with the trend.' })
  voiceOfCustomer(@Arg('period', () => PeriodInput) period: PeriodInput, @Ctx() ctx: Context) {
    return voiceOfCustomer(ctx.em, ctx.principal.tenantId, ctx.principal.tenant.defaultCurrency, checkPeriod('period', period));
  }

  @Query(() => [FeedbackCategory], { description: 'The tenant’s feedback taxonomy, by name.' })
  feedbackCategories(@Arg('includeArchived', () => Boolean, { defaultValue: false }) includeArchived: boolean, @Ctx() ctx: Context) {
    return listCategories(ctx.em, ctx.principal.tenantId, includeArchived);
  }

  @FieldResolver(() => FeedbackCategory, { nullable: true })
  category(@Root() feedback: Feedback, @Ctx() ctx: Context) {
    return feedback.categoryId ? categoryLoader(ctx).load(feedback.categoryId) : null;
  }

  @FieldResolver(() => Customer, { nullable: true })
  customer(@Root() feedback: Feedback, @Ctx() ctx: Context) {
    if (!feedback.customerId) return null;
    return ctx.loaders
      .get<string, Customer | null>('customer.byId', (ids) => customersByIds(ctx.em, ctx.principal.tenantId, ids))
      .load(feedback.customerId);
  }

  @FieldResolver(() => ServiceCase, { nullable: true, name: 'case' })
  serviceCase(@Root() feedback: Feedback, @Ctx() ctx: Context) {
    if (!feedback.caseId) return null;
    return ctx.loaders
      .get<string, ServiceCase | null>('serviceCase.byId', (ids) => serviceCasesByIds(ctx.em, ctx.principal.tenantId, ids))
      .load(feedback.caseId);
  }

  @Authorized(WRITE)
  @Mutation(() => Feedback, { description: 'Sentiment is read from the text. A retry with the same idempotencyKey returns the first item.' })
  submitFeedback(
    @Arg('input', () => SubmitFeedbackInput) input: SubmitFeedbackInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: Context,
  ) {
    return submitFeedback(ctx.em, ctx.principal, browserWriteInput(ctx.principal, input, ['categoryId', 'assignee', 'caseId']), idempotencyKey);
  }

  @Authorized(WRITE)
  @Mutation(() => Feedback, { description: 'Triage: category, tags, assignee, case link. CONFLICT when `version` is not the current one.' })
  updateFeedback(
    @Arg('id', () => ID) id: string,
    @Arg('version', () => Int) version: number,
    @Arg('input', () => UpdateFeedbackInput) input: UpdateFeedbackInput,
    @Ctx() ctx: Context,
  ) {
    return updateFeedback(ctx.em, ctx.principal, id, version, input);
  }

  @Authorized(WRITE)
  @Mutation(() => Feedback, { description: 'Moves along NEW -> TRIAGED -> IN_PROGRESS -> RESOLVED -> CLOSED; an illegal move is a CONFLICT.' })
  setFeedbackStatus(
    @Arg('id', () => ID) id: string,
    @Arg('status', () => FeedbackStatus) status: FeedbackStatus,
    @Arg('version', () => Int, { nullable: true }) version: number | null,
    @Ctx() ctx: Context,
  ) {
    return setFeedbackStatus(ctx.em, ctx.principal, id, status, version);
  }

  @Authorized(ADMIN)
  @Mutation(() => FeedbackCategory)
  createFeedbackCategory(@Arg('input', () => FeedbackCategoryInput) input: FeedbackCategoryInput, @Ctx() ctx: Context) {
    return createCategory(ctx.em, ctx.principal.tenantId, input);
  }

  @Authorized(ADMIN)
  @Mutation(() => FeedbackCategory)
  updateFeedbackCategory(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => FeedbackCategoryInput) input: FeedbackCategoryInput,
    @Ctx() ctx: Context,
  ) {
    return updateCategory(ctx.em, ctx.principal.tenantId, id, input);
  }

  @Authorized(ADMIN)
  @Mutation(() => FeedbackCategory, { description: 'Archives it (restorable); its feedback keeps the category, new feedback cannot use it.' })
  deleteFeedbackCategory(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return setCategoryArchived(ctx.em, ctx.principal.tenantId, id, true);
  }

  @Authorized(ADMIN)
  @Mutation(() => FeedbackCategory)
  restoreFeedbackCategory(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return setCategoryArchived(ctx.em, ctx.principal.tenantId, id, false);
  }
}

@Resolver(() => VocCategory)
export class VocCategoryResolver {
  @FieldResolver(() => FeedbackCategory, { nullable: true })
  category(@Root() item: VocCategory, @Ctx() ctx: Context) {
    return item.categoryId ? categoryLoader(ctx).load(item.categoryId) : null;
  }
}
