import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Principal } from '../auth/keys.service.js';
import type { Em } from '../db/orm.js';
import { newId } from '../db/ids.js';
import { buildConnection, pageRequest, type PageArgs, type PageRequest } from '../graphql/connection.js';
import { BadUserInputError, ConflictError, InputErrors, NotFoundError } from '../graphql/errors.js';
import { createOnce } from '../graphql/idempotency.js';
import { countPerParent, countRows, fetchPage, fetchPagesPerParent } from '../graphql/keyset-query.js';
import { compileFilter, sql, type FieldSpec, type Sql, type SqlSortKey } from '../graphql/sql.js';
import { checkDateTime, checkId, checkIdempotencyKey, checkTags, checkText, LIMITS } from '../graphql/validate.js';
import { getCustomer } from '../customers/customer.service.js';
import { ServiceCase } from '../cases/case.entity.js';
import { Feedback, FeedbackCategory, FeedbackSource, FeedbackStatus } from './feedback.entity.js';
import {
  FeedbackConnection, type FeedbackCategoryInput, type FeedbackFilter, type SubmitFeedbackInput, type UpdateFeedbackInput,
} from './feedback.inputs.js';
import { rescoreAfterSignal } from './churn-signals.js';
import { analyzeSentiment } from './sentiment.js';

const FIELDS: Record<string, FieldSpec> = {
  source: { expr: 't.source', kind: 'enum' },
  status: { expr: 't.status', kind: 'enum' },
  sentiment: { expr: 't.sentiment', kind: 'enum' },
  categoryId: { expr: 't.category_id', kind: 'id' },
  customerId: { expr: 't.customer_id', kind: 'id' },
  caseId: { expr: 't.case_id', kind: 'id' },
  assignee: { expr: 't.assignee', kind: 'string' },
  occurredAt: { expr: 't.occurred_at', kind: 'date' },
};
const SPECIAL = {
  uncategorized: (value: boolean) => sql(value ? 't.category_id is null' : 't.category_id is not null'),
  tags: (tags: string[]) => sql('t.tags @> ?::jsonb', [JSON.stringify(tags)]),
  search: (text: string) => sql('t.text ilike ?', [`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]),
};
const NEWEST_FIRST: SqlSortKey[] = [{ expr: 't.occurred_at', prop: 'occurredAt', desc: true, kind: 'date' }];

/** Forward along NEW -> TRIAGED -> IN_PROGRESS -> RESOLVED -> CLOSED (steps may be skipped); RESOLVED may reopen. */
const ORDER = [FeedbackStatus.NEW, FeedbackStatus.TRIAGED, FeedbackStatus.IN_PROGRESS, FeedbackStatus.RESOLVED, FeedbackStatus.CLOSED];
export function allowedFeedbackMoves(from: FeedbackStatus): FeedbackStatus[] {
  const later = ORDER.slice(ORDER.indexOf(from) + 1);
  return from === FeedbackStatus.RESOLVED ? [FeedbackStatus.IN_PROGRESS, ...later] : later;
}

const filterSql = (filter: FeedbackFilter | null | undefined) => compileFilter(filter, FIELDS, SPECIAL as never);

export async function getFeedback(em: Em, tenantId: string, id: string, path = 'id'): Promise<Feedback> {
  checkId(id, path);
  const feedback = await em.findOne(Feedback, { tenantId, id });
  if (!feedback) throw new NotFoundError('Feedback', id);
  return feedback;
}

export async function listFeedback(em: Em, tenantId: string, filter: FeedbackFilter | null | undefined, page: PageArgs) {
  const request = pageRequest(page, 2);
  const where = filterSql(filter);
  const rows = await fetchPage(em, { entity: Feedback, table: 'feedback', tenantId, where, keys: NEWEST_FIRST, request });
  return buildConnection(FeedbackConnection, rows, request, NEWEST_FIRST, () => countRows(em, 'feedback', tenantId, where));
}

/** Batch for `serviceCase.feedback`: one statement for every case on the page. */
export async function feedbackPagesForCases(
  em: Em,
  tenantId: string,
  caseIds: readonly string[],
  request: PageRequest,
  countLoader: (caseId: string) => Promise<number>,
) {
  const pages = await fetchPagesPerParent(em, {
    entity: Feedback, table: 'feedback', tenantId, where: sql(''), keys: NEWEST_FIRST, request, parentColumn: 'case_id', parentIds: caseIds,
  });
  return pages.map((rows, i) => buildConnection(FeedbackConnection, rows, request, NEWEST_FIRST, () => countLoader(caseIds[i])));
}

export function feedbackCountsForCases(em: Em, tenantId: string, caseIds: readonly string[]) {
  return countPerParent(em, 'feedback', 'case_id', tenantId, caseIds, sql(''));
}

async function checkCategory(em: Em, tenantId: string, categoryId: string, path: string): Promise<void> {
  checkId(categoryId, path);
  const category = await em.findOne(FeedbackCategory, { tenantId, id: categoryId });
  if (!category) throw new NotFoundError('FeedbackCategory', categoryId);
  if (category.archivedAt) throw new BadUserInputError([{ path, message: `category "${category.name}" is archived` }]);
}

async function checkCase(em: Em, tenantId: string, caseId: string, customerId: string | null, path: string): Promise<void> {
  checkId(caseId, path);
  const serviceCase = await em.findOne(ServiceCase, { tenantId, id: caseId });
  if (!serviceCase) throw new NotFoundError('ServiceCase', caseId);
  if (customerId && serviceCase.customerId !== customerId) {
    throw new BadUserInputError([{ path, message: 'belongs to another customer than this feedback' }]);
  }
}

function checkRating(errors: InputErrors, path: string, rating: number | null | undefined): void {
  if (rating != null && (!Number.isInteger(rating) || rating < 1 || rating > 5)) errors.add(path, 'must be a whole number from 1 to 5');
}

export async function submitFeedback(
  em: Em,
  principal: Principal,
  input: SubmitFeedbackInput,
  idempotencyKey: string | null | undefined,
): Promise<Feedback> {
  const tenantId = principal.tenantId;
  const errors = new InputErrors();
  checkIdempotencyKey(errors, 'idempotencyKey', idempotencyKey);
  const text = checkText(errors, 'input.text', input.text, LIMITS.notes, { required: true }) as string;
  const tags = checkTags(errors, 'input.tags', input.tags) ?? [];
  checkRating(errors, 'input.rating', input.rating);
  checkDateTime(errors, 'input.occurredAt', input.occurredAt, { allowFuture: false });
  const assignee = checkText(errors, 'input.assignee', input.assignee, LIMITS.shortText) ?? null;
  errors.throwIfAny();
  if (input.customerId) await getCustomer(em, tenantId, input.customerId, 'input.customerId');
  if (input.categoryId) await checkCategory(em, tenantId, input.categoryId, 'input.categoryId');
  if (input.caseId) await checkCase(em, tenantId, input.caseId, input.customerId ?? null, 'input.caseId');
  const sentiment = analyzeSentiment(text);
  const { id, created } = await createOnce(
    em,
    { tenantId, scope: 'submitFeedback', key: idempotencyKey, request: input, id: newId() },
    async (tx, feedbackId) => {
      tx.create(Feedback, {
        id: feedbackId, tenantId, customerId: input.customerId ?? null, source: input.source, categoryId: input.categoryId ?? null, tags, text,
        rating: input.rating ?? null, sentiment: sentiment.sentiment, sentimentScore: sentiment.score, language: sentiment.language,
        assignee, caseId: input.caseId ?? null, occurredAt: input.occurredAt ?? new Date(),
      } as Feedback);
      await tx.flush();
    },
  );
  if (created && sentiment.sentiment === 'NEGATIVE') await rescoreAfterSignal(em, tenantId, [input.customerId], principal.tenant);
  return getFeedback(em, tenantId, id);
}

/** Called inside the survey-response transaction when a response with free text completes. */
export async function feedbackFromSurveyResponse(
  tx: Em,
  tenantId: string,
  r: { responseId: string; customerId: string | null; text: string; rating: number | null },
): Promise<void> {
  const insert = feedbackFromSurveyResponseSql(tenantId, r);
  await tx.execute(insert.text, insert.params);
}

/** The insert of `feedbackFromSurveyResponse`; with `from` (a CTE name) it inserts once per row of it, to run inside a larger statement. */
export function feedbackFromSurveyResponseSql(
  tenantId: string,
  r: { responseId: string; customerId: string | null; text: string; rating: number | null },
  from?: string,
): Sql {
  const sentiment = analyzeSentiment(r.text);
  return sql(
    `insert into feedback (tenant_id, id, customer_id, source, text, rating, sentiment, sentiment_score, language, status, survey_response_id, occurred_at)
     select ?::uuid, ?::uuid, ?::uuid, ?, ?, ?::smallint, ?, ?::real, ?, 'NEW', ?::uuid, now() ${from ? `from ${from}` : ''}
     on conflict (tenant_id, survey_response_id) where survey_response_id is not null do nothing`,
    [tenantId, newId(), r.customerId, FeedbackSource.SURVEY, r.text, r.rating, sentiment.sentiment, sentiment.score, sentiment.language, r.responseId],
  );
}

function staleFeedback(id: string, current: number, given: number): ConflictError {
  return new ConflictError(`Feedback ${id} is at version ${current}, not ${given}; read it again and retry`, { path: 'version', currentVersion: current });
}

export async function updateFeedback(em: Em, principal: Principal, id: string, version: number, input: UpdateFeedbackInput): Promise<Feedback> {
  const tenantId = principal.tenantId;
  const feedback = await getFeedback(em, tenantId, id);
  if (feedback.version !== version) throw staleFeedback(id, feedback.version, version);
  const errors = new InputErrors();
  const tags = checkTags(errors, 'input.tags', input.tags);
  checkRating(errors, 'input.rating', input.rating);
  const assignee = input.assignee !== undefined ? (checkText(errors, 'input.assignee', input.assignee, LIMITS.shortText) ?? null) : undefined;
  errors.throwIfAny();
  if (input.categoryId) await checkCategory(em, tenantId, input.categoryId, 'input.categoryId');
  if (input.caseId) await checkCase(em, tenantId, input.caseId, feedback.customerId, 'input.caseId');
  const sets: string[] = [];
  const params: unknown[] = [];
  const set = (column: string, value: unknown, cast = '') => {
    sets.push(`${column} = ?${cast}`);
    params.push(value);
  };
  if (input.categoryId !== undefined) set('category_id', input.categoryId);
  if (tags !== undefined) set('tags', JSON.stringify(tags), '::jsonb');
  if (assignee !== undefined) set('assignee', assignee);
  if (input.caseId !== undefined) set('case_id', input.caseId);
  if (input.rating !== undefined) set('rating', input.rating);
  return saveFeedback(em, tenantId, feedback, version, sets, params);
}

async function saveFeedback(em: Em, tenantId: string, feedback: Feedback, version: number, sets: string[], params: unknown[]): Promise<Feedback> {
  if (sets.length) {
    const updated = await em.execute<{ id: string }[]>(
      `update feedback set ${sets.join(', ')}, version = version + 1, updated_at = now() where tenant_id = ? and id = ? and version = ? returning id`,
      [...params, tenantId, feedback.id, version],
    );
    if (updated.length === 0) {
      const current = await em.fork().findOne(Feedback, { tenantId, id: feedback.id });
      throw staleFeedback(feedback.id, current?.version ?? version + 1, version);
    }
  }
  return (await em.findOne(Feedback, { tenantId, id: feedback.id }, { refresh: true }))!;
}

export async function setFeedbackStatus(
  em: Em,
  principal: Principal,
  id: string,
  status: FeedbackStatus,
  version: number | null | undefined,
): Promise<Feedback> {
  const tenantId = principal.tenantId;
  const feedback = await getFeedback(em, tenantId, id);
  if (version != null && feedback.version !== version) throw staleFeedback(id, feedback.version, version);
  if (feedback.status === status) return feedback;
  const allowed = allowedFeedbackMoves(feedback.status);
  if (!allowed.includes(status)) {
    throw new ConflictError(`Feedback cannot move from ${feedback.status} to ${status}; allowed: ${allowed.join(', ') || 'none (CLOSED is final)'}`, {
      path: 'status', from: feedback.status, to: status, allowed,
    });
  }
  const sets = ['status = ?'];
  const params: unknown[] = [status];
  if (status === FeedbackStatus.RESOLVED) sets.push('resolved_at = now()');
  if (status === FeedbackStatus.IN_PROGRESS) sets.push('resolved_at = null');
  if (status === FeedbackStatus.CLOSED) sets.push('closed_at = now()');
  return saveFeedback(em, tenantId, feedback, feedback.version, sets, params);
}

// ---------- categories ----------

export async function listCategories(em: Em, tenantId: string, includeArchived: boolean): Promise<FeedbackCategory[]> {
  return em.find(FeedbackCategory, { tenantId, ...(includeArchived ? {} : { archivedAt: null }) }, { orderBy: { name: 'asc', id: 'asc' } });
}

export async function categoriesByIds(em: Em, tenantId: string, ids: readonly string[]): Promise<(FeedbackCategory | null)[]> {
  const found = await em.find(FeedbackCategory, { tenantId, id: { $in: [...ids] } });
  const byId = new Map(found.map((c) => [c.id, c]));
  return ids.map((id) => byId.get(id) ?? null);
}

function normalizeCategory(input: FeedbackCategoryInput) {
  const errors = new InputErrors();
  const name = checkText(errors, 'input.name', input.name, 100, { required: true }) as string;
  const description = checkText(errors, 'input.description', input.description, 2000) ?? null;
  errors.throwIfAny();
  return { name, description };
}

function nameTaken(error: unknown, name: string): never {
  if (error instanceof UniqueConstraintViolationException) {
    throw new ConflictError(`A feedback category named "${name}" already exists`, { path: 'input.name' });
  }
  throw error;
}

export async function createCategory(em: Em, tenantId: string, input: FeedbackCategoryInput): Promise<FeedbackCategory> {
  const { name, description } = normalizeCategory(input);
  const category = em.create(FeedbackCategory, { tenantId, name, description } as FeedbackCategory);
  await em.flush().catch((e) => nameTaken(e, name));
  return category;
}

export async function updateCategory(em: Em, tenantId: string, id: string, input: FeedbackCategoryInput): Promise<FeedbackCategory> {
  checkId(id, 'id');
  const { name, description } = normalizeCategory(input);
  const rows = await em
    .execute<{ id: string }[]>(
      'update feedback_category set name = ?, description = ?, updated_at = now() where tenant_id = ? and id = ? returning id',
      [name, description, tenantId, id],
    )
    .catch((e) => nameTaken(e, name));
  if (rows.length === 0) throw new NotFoundError('FeedbackCategory', id);
  return (await em.findOne(FeedbackCategory, { tenantId, id }, { refresh: true }))!;
}

/** Archives (restorable with restoreFeedbackCategory); its feedback keeps the category. */
export async function setCategoryArchived(em: Em, tenantId: string, id: string, archived: boolean): Promise<FeedbackCategory> {
  checkId(id, 'id');
  const rows = await em.execute<{ id: string }[]>(
    `update feedback_category set archived_at = ${archived ? 'coalesce(archived_at, now())' : 'null'}, updated_at = now()
      where tenant_id = ? and id = ? returning id`,
    [tenantId, id],
  );
  if (rows.length === 0) throw new NotFoundError('FeedbackCategory', id);
  return (await em.findOne(FeedbackCategory, { tenantId, id }, { refresh: true }))!;
}
