import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Principal } from '../auth/keys.service.js';
import type { Em } from '../db/orm.js';
import { isUuid, newId } from '../db/ids.js';
import { queryPrepared } from '../db/prepared.js';
import { buildConnection, pageRequest, type PageArgs } from '../graphql/connection.js';
import { BadUserInputError, ConflictError, InputErrors, NotFoundError } from '../graphql/errors.js';
import { countRows, fetchPage } from '../graphql/keyset-query.js';
import { compileFilter, sql, type FieldSpec, type Sql, type SqlSortKey } from '../graphql/sql.js';
import { checkId } from '../graphql/validate.js';
import { rescoreAfterSignal } from '../feedback/churn-signals.js';
import { feedbackFromSurveyResponseSql } from '../feedback/feedback.service.js';
import { AnswerErrors, checkRequired, mergeAnswers, sameAnswers, scoreQuestion, validateAnswers } from './questions.js';
import {
  ResponseStatus, Survey, SurveyInvitation, SurveyKind, SurveyResponse, SurveyStatus, type StoredAnswer, type StoredQuestion,
} from './survey.entity.js';
import { SurveyResponseConnection, type SubmitSurveyResponseInput, type SurveyResponseFilter } from './survey.inputs.js';

const FIELDS: Record<string, FieldSpec> = {
  surveyId: { expr: 't.survey_id', kind: 'id' },
  customerId: { expr: 't.customer_id', kind: 'id' },
  channel: { expr: 't.channel', kind: 'enum' },
  status: { expr: 't.status', kind: 'enum' },
  score: { expr: 't.score', kind: 'number' },
  startedAt: { expr: 't.started_at', kind: 'date' },
  completedAt: { expr: 't.completed_at', kind: 'date' },
};
const NEWEST_FIRST: SqlSortKey[] = [{ expr: 't.started_at', prop: 'startedAt', desc: true, kind: 'date' }];

export async function getSurveyResponse(em: Em, tenantId: string, id: string): Promise<SurveyResponse> {
  checkId(id, 'id');
  const response = await em.findOne(SurveyResponse, { tenantId, id });
  if (!response) throw new NotFoundError('SurveyResponse', id);
  return response;
}

export async function listSurveyResponses(em: Em, tenantId: string, filter: SurveyResponseFilter | null | undefined, page: PageArgs) {
  const request = pageRequest(page, 2);
  const where = compileFilter(filter, FIELDS);
  const rows = await fetchPage(em, { entity: SurveyResponse, table: 'survey_response', tenantId, where, keys: NEWEST_FIRST, request });
  return buildConnection(SurveyResponseConnection, rows, request, NEWEST_FIRST, () => countRows(em, 'survey_response', tenantId, where));
}

export async function getInvitation(em: Em, tenantId: string, id: string, path = 'id'): Promise<SurveyInvitation> {
  checkId(id, path);
  const invitation = await em.findOne(SurveyInvitation, { tenantId, id });
  if (!invitation) throw new NotFoundError('SurveyInvitation', id);
  return invitation;
}

/** Batch: the response (if any) to each invitation. */
export async function responsesByInvitationIds(em: Em, tenantId: string, ids: readonly string[]): Promise<(SurveyResponse | null)[]> {
  const found = await em.find(SurveyResponse, { tenantId, invitationId: { $in: [...ids] } });
  const byInvitation = new Map(found.map((r) => [r.invitationId!, r]));
  return ids.map((id) => byInvitation.get(id) ?? null);
}

export async function invitationsByIds(em: Em, tenantId: string, ids: readonly string[]): Promise<(SurveyInvitation | null)[]> {
  const found = await em.find(SurveyInvitation, { tenantId, id: { $in: [...ids] } });
  const byId = new Map(found.map((i) => [i.id, i]));
  return ids.map((id) => byId.get(id) ?? null);
}

interface ResponseRow {
  id: string;
  survey_id: string;
  survey_version: number;
  customer_id: string | null;
  invitation_id: string | null;
  status: ResponseStatus;
  answers: Record<string, StoredAnswer> | string;
}

const parseJson = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

async function questionsOf(tx: Em, tenantId: string, surveyId: string, version: number): Promise<StoredQuestion[]> {
  const [row] = await tx.execute<{ questions: StoredQuestion[] | string }[]>(
    'select questions from survey_version where tenant_id = ? and survey_id = ? and version = ?',
    [tenantId, surveyId, version],
  );
  return parseJson(row.questions);
}

function notAnswerable(survey: { id: string; status: SurveyStatus }): ConflictError {
  return new ConflictError(
    survey.status === SurveyStatus.DRAFT
      ? `Survey ${survey.id} is a DRAFT; activate it before collecting responses`
      : `Survey ${survey.id} is CLOSED and takes no more responses`,
    { path: 'input.surveyId', status: survey.status },
  );
}

/**
 * A survey targeted at a segment takes responses only from the segment's current members:
 * anonymous responses and non-members get BAD_USER_INPUT at input.customerId. Read right before
 * the write (by `readSubmission` for a first response, here inside the transaction that
 * continues one), so it holds for the targeting and membership of that moment.
 */
async function checkTarget(tx: Em, tenantId: string, targetSegmentId: string | null, customerId: string | null): Promise<void> {
  if (!targetSegmentId || !customerId) {
    const error = targetError(targetSegmentId, customerId, false);
    if (error) throw error;
    return;
  }
  const member = await tx.execute<{ one: number }[]>(
    'select 1 as one from segment_member where tenant_id = ? and segment_id = ? and customer_id = ?',
    [tenantId, targetSegmentId, customerId],
  );
  const error = targetError(targetSegmentId, customerId, member.length > 0);
  if (error) throw error;
}

/** Why a response may not go to a targeted survey (null: it may). `member`: the customer is in the target segment. */
function targetError(targetSegmentId: string | null, customerId: string | null, member: boolean): BadUserInputError | null {
  if (!targetSegmentId) return null;
  if (!customerId) {
    return new BadUserInputError([{ path: 'input.customerId', message: 'this survey is targeted at a segment; identify the customer' }]);
  }
  if (member) return null;
  return new BadUserInputError([
    { path: 'input.customerId', message: `customer ${customerId} is not a member of segment ${targetSegmentId}, which this survey is targeted at` },
  ]);
}

function scoreOf(survey: Pick<Survey, 'kind'>, questions: StoredQuestion[], answers: Record<string, StoredAnswer>): number | null {
  const q = scoreQuestion(survey.kind, questions);
  return q ? (answers[q.id]?.value ?? null) : null;
}

/** What a submission is checked against, read in ONE statement before anything is written. */
interface SubmissionFacts {
  survey: { id: string; kind: SurveyKind; status: SurveyStatus; version: number; targetSegmentId: string | null } | null;
  /** The questions of the survey's current version. */
  questions: StoredQuestion[];
  customerExists: boolean;
  invitation: { surveyId: string; customerId: string | null } | null;
  /** The response that already answers the invitation, if any. */
  invitationResponseId: string | null;
  /** Whether the responding customer (the invitation's, else the given one) is in the survey's target segment. */
  member: boolean;
  /** Whether a response already exists under the idempotency key. */
  responseExists: boolean;
}

async function readSubmission(
  em: Em,
  tenantId: string,
  ids: { surveyId: string; customerId: string | null; invitationId: string | null },
  idempotencyKey: string,
): Promise<SubmissionFacts> {
  // Prepared (planned once per connection): every submission runs this same text.
  const [row] = await queryPrepared<Record<string, unknown>>(
    em,
    `select s.id, s.kind, s.status, s.version, s.target_segment_id, v.questions,
            exists (select 1 from customer c where c.tenant_id = ? and c.id = ?::uuid) as customer_exists,
            i.survey_id as invitation_survey_id, i.customer_id as invitation_customer_id, i.id is not null as invitation_found,
            (select r.id from survey_response r where r.tenant_id = ? and r.invitation_id = i.id limit 1) as invitation_response_id,
            exists (select 1 from segment_member m
                     where m.tenant_id = ? and m.segment_id = s.target_segment_id
                       and m.customer_id = case when i.id is not null then i.customer_id else ?::uuid end) as member,
            exists (select 1 from survey_response r where r.tenant_id = ? and r.idempotency_key = ?) as response_exists
       from (select 1) as one
       left join survey s on s.tenant_id = ? and s.id = ?::uuid
       left join survey_version v on v.tenant_id = s.tenant_id and v.survey_id = s.id and v.version = s.version
       left join survey_invitation i on i.tenant_id = ? and i.id = ?::uuid`,
    [tenantId, ids.customerId, tenantId, tenantId, ids.customerId, tenantId, idempotencyKey, tenantId, ids.surveyId, tenantId, ids.invitationId],
  );
  return {
    survey: row.id
      ? {
          id: String(row.id), kind: row.kind as SurveyKind, status: row.status as SurveyStatus, version: Number(row.version),
          targetSegmentId: (row.target_segment_id as string | null) ?? null,
        }
      : null,
    questions: row.questions ? parseJson(row.questions as StoredQuestion[] | string) : [],
    customerExists: row.customer_exists === true,
    invitation: row.invitation_found
      ? { surveyId: String(row.invitation_survey_id), customerId: (row.invitation_customer_id as string | null) ?? null }
      : null,
    invitationResponseId: (row.invitation_response_id as string | null) ?? null,
    member: row.member === true,
    responseExists: row.response_exists === true,
  };
}

/** Answers of a first submission, validated against the questions (BAD_USER_INPUT at their paths). */
function firstAnswers(questions: StoredQuestion[], input: SubmitSurveyResponseInput, partial: boolean): Record<string, StoredAnswer> {
  const errors = new AnswerErrors();
  const answers = mergeAnswers({}, validateAnswers(errors, 'input.answers', input.answers, questions));
  if (!partial) checkRequired(errors, 'input.answers', questions, answers);
  errors.throwIfAny();
  return answers;
}

/** The response columns in table order (as `returning *` gives them). */
const RESPONSE_COLUMNS = `tenant_id, id, survey_id, survey_version, customer_id, invitation_id, channel, status, answers, score, idempotency_key,
  started_at, updated_at, completed_at`;

/**
 * Stores answers under an idempotency key. The first call creates the response (PARTIAL, or
 * COMPLETE when `partial` is false); later calls with the same key merge their answers into it
 * until it completes. A completed response never changes: a retry that changes nothing gets it
 * back, anything else is a CONFLICT. Concurrent duplicates meet on the (tenant_id,
 * idempotency_key) unique constraint, so exactly one row exists. All validation happens before
 * any write: a response is stored whole or not at all.
 *
 * A first submission (the usual case) costs two statements: one read of everything it is checked
 * against, and one write of the response (and its feedback). A later one under the same key, or
 * one that loses the race to a concurrent duplicate, continues in a transaction that locks the row.
 */
export async function submitSurveyResponse(
  em: Em,
  principal: Principal,
  input: SubmitSurveyResponseInput,
  idempotencyKey: string,
): Promise<SurveyResponse> {
  const tenantId = principal.tenantId;
  const basic = new InputErrors();
  if (idempotencyKey.trim().length < 1 || idempotencyKey.length > 200) basic.add('idempotencyKey', 'must be 1 to 200 characters');
  basic.throwIfAny();
  checkId(input.surveyId, 'input.surveyId');
  const given = { customerId: input.customerId ?? null, invitationId: input.invitationId ?? null };
  const facts = await readSubmission(em, tenantId, {
    surveyId: input.surveyId,
    // Malformed ids are refused below, in the order the checks have always run.
    customerId: given.customerId && isUuid(given.customerId) ? given.customerId : null,
    invitationId: given.invitationId && isUuid(given.invitationId) ? given.invitationId : null,
  }, idempotencyKey);
  const survey = facts.survey;
  if (!survey) throw new NotFoundError('Survey', input.surveyId);
  let customerId = given.customerId;
  if (customerId) {
    checkId(customerId, 'input.customerId');
    if (!facts.customerExists) throw new NotFoundError('Customer', customerId);
  }
  const invitationId = given.invitationId;
  if (invitationId) {
    checkId(invitationId, 'input.invitationId');
    const invitation = facts.invitation;
    if (!invitation) throw new NotFoundError('SurveyInvitation', invitationId);
    if (invitation.surveyId !== survey.id) {
      throw new BadUserInputError([{ path: 'input.invitationId', message: `invites to survey ${invitation.surveyId}, not ${survey.id}` }]);
    }
    if (customerId && invitation.customerId && customerId !== invitation.customerId) {
      throw new BadUserInputError([{ path: 'input.customerId', message: 'is not the customer this invitation was sent to' }]);
    }
    customerId = invitation.customerId;
  }
  const partial = input.partial ?? false;
  const request = { survey, customerId, invitationId, partial, input, idempotencyKey };

  const first = facts.responseExists ? null : await insertFirstResponse(em, tenantId, facts, request).catch(invitationConflict);
  const outcome = first ?? (await continueInTransaction(em, tenantId, request).catch(invitationConflict));
  const response = outcome.row
    ? em.map(SurveyResponse, outcome.row as never)
    : (await em.findOne(SurveyResponse, { tenantId, id: outcome.id }, { refresh: true }))!;
  if (outcome.completed && response.score !== null) await rescoreAfterSignal(em, tenantId, [response.customerId], principal.tenant);
  return response;
}

interface SubmitRequest {
  survey: Pick<Survey, 'id' | 'kind'>;
  customerId: string | null;
  invitationId: string | null;
  partial: boolean;
  input: SubmitSurveyResponseInput;
  idempotencyKey: string;
}

interface SubmitOutcome {
  id: string;
  completed: boolean;
  /** The stored row when the write returned it. */
  row?: Record<string, unknown>;
}

function invitationConflict(error: unknown): never {
  if (error instanceof UniqueConstraintViolationException && /invitation/.test(error.message)) {
    throw new ConflictError('This invitation was already answered', { path: 'input.invitationId' });
  }
  throw error;
}

/**
 * A first submission, checked against `facts` and written in ONE statement: the response and,
 * when it completes with free text, its feedback. Null when a concurrent duplicate stored its
 * response first (the caller continues on that one).
 */
async function insertFirstResponse(em: Em, tenantId: string, facts: SubmissionFacts, req: SubmitRequest): Promise<SubmitOutcome | null> {
  const survey = facts.survey!;
  if (survey.status !== SurveyStatus.ACTIVE) throw notAnswerable(survey);
  const answers = firstAnswers(facts.questions, req.input, req.partial);
  const target = targetError(survey.targetSegmentId, req.customerId, facts.member);
  if (target) throw target;
  if (req.invitationId && facts.invitationResponseId) {
    throw new ConflictError('This invitation was already answered', { path: 'input.invitationId', responseId: facts.invitationResponseId });
  }
  const id = newId();
  const complete = !req.partial;
  const insert = sql(
    `r as (insert into survey_response (${RESPONSE_COLUMNS})
           values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, now(), now(), ${complete ? 'now()' : 'null'})
           on conflict (tenant_id, idempotency_key) do nothing returning *)`,
    [tenantId, id, survey.id, survey.version, req.customerId, req.invitationId, req.input.channel, complete ? 'COMPLETE' : 'PARTIAL',
      JSON.stringify(answers), scoreOf(survey, facts.questions, answers), req.idempotencyKey],
  );
  const feedback = complete ? completedFeedback(tenantId, id, req.customerId, survey, facts.questions, answers, 'r') : null;
  const text = feedback ? `with ${insert.text}, f as (${feedback.text}) select * from r` : `with ${insert.text} select * from r`;
  const [row] = await queryPrepared<Record<string, unknown>>(em, text, [...insert.params, ...(feedback?.params ?? [])]);
  return row ? { id, completed: complete, row } : null;
}

/** A later submission under the key (or a lost race): locks the response and merges into it. */
async function continueInTransaction(em: Em, tenantId: string, req: SubmitRequest): Promise<SubmitOutcome> {
  return em.transactional(async (txEm): Promise<SubmitOutcome> => {
    const tx = txEm as Em;
    const lock = () =>
      tx.execute<ResponseRow[]>('select * from survey_response where tenant_id = ? and idempotency_key = ? for update', [tenantId, req.idempotencyKey]);
    const [status] = await tx.execute<{ status: SurveyStatus; version: number; target_segment_id: string | null }[]>(
      'select status, version, target_segment_id from survey where tenant_id = ? and id = ?',
      [tenantId, req.survey.id],
    );
    let [row] = await lock();
    if (!row) {
      if (status.status !== SurveyStatus.ACTIVE) throw notAnswerable({ id: req.survey.id, status: status.status });
      const questions = await questionsOf(tx, tenantId, req.survey.id, status.version);
      const answers = firstAnswers(questions, req.input, req.partial);
      await checkTarget(tx, tenantId, status.target_segment_id ?? null, req.customerId);
      if (req.invitationId) await ensureInvitationOpen(tx, tenantId, req.invitationId);
      const id = newId();
      const complete = !req.partial;
      const inserted = await tx.execute<{ id: string }[]>(
        `insert into survey_response (${RESPONSE_COLUMNS})
         values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, now(), now(), ${complete ? 'now()' : 'null'})
         on conflict (tenant_id, idempotency_key) do nothing returning id`,
        [tenantId, id, req.survey.id, status.version, req.customerId, req.invitationId, req.input.channel, complete ? 'COMPLETE' : 'PARTIAL',
          JSON.stringify(answers), scoreOf(req.survey, questions, answers), req.idempotencyKey],
      );
      if (inserted.length) {
        if (complete) await onCompleted(tx, tenantId, id, req.customerId, req.survey, questions, answers);
        return { id, completed: complete };
      }
      // A concurrent duplicate inserted first (we waited for it to commit): continue on its row.
      [row] = await lock();
    }
    return continueResponse(tx, tenantId, row, {
      survey: req.survey, status: status.status, targetSegmentId: status.target_segment_id ?? null, customerId: req.customerId,
      invitationId: req.invitationId, partial: req.partial, input: req.input,
    });
  });
}

async function ensureInvitationOpen(tx: Em, tenantId: string, invitationId: string): Promise<void> {
  const answered = await tx.execute<{ id: string }[]>('select id from survey_response where tenant_id = ? and invitation_id = ?', [tenantId, invitationId]);
  if (answered.length) throw new ConflictError('This invitation was already answered', { path: 'input.invitationId', responseId: answered[0].id });
}

async function continueResponse(
  tx: Em,
  tenantId: string,
  row: ResponseRow,
  ctx: {
    survey: Pick<Survey, 'id' | 'kind'>;
    status: SurveyStatus;
    targetSegmentId: string | null;
    customerId: string | null;
    invitationId: string | null;
    partial: boolean;
    input: SubmitSurveyResponseInput;
  },
): Promise<{ id: string; completed: boolean }> {
  if (row.survey_id !== ctx.survey.id) {
    throw new ConflictError(`This idempotencyKey belongs to a response to survey ${row.survey_id}`, { path: 'idempotencyKey' });
  }
  if (ctx.customerId && row.customer_id && ctx.customerId !== row.customer_id) {
    throw new ConflictError('This idempotencyKey belongs to a response of another customer', { path: 'input.customerId' });
  }
  if (ctx.invitationId && row.invitation_id && ctx.invitationId !== row.invitation_id) {
    throw new ConflictError('This idempotencyKey belongs to a response to another invitation', { path: 'input.invitationId' });
  }
  const questions = await questionsOf(tx, tenantId, row.survey_id, row.survey_version);
  const errors = new AnswerErrors();
  const patch = validateAnswers(errors, 'input.answers', ctx.input.answers, questions);
  errors.throwIfAny();
  const stored = parseJson(row.answers);
  const answers = mergeAnswers(stored, patch);
  if (row.status === ResponseStatus.COMPLETE) {
    const unchanged = sameAnswers(answers, stored) && (!ctx.customerId || ctx.customerId === row.customer_id);
    if (unchanged) return { id: row.id, completed: false };
    throw new ConflictError('This response is complete and cannot change; submit under a new idempotencyKey', { path: 'idempotencyKey', responseId: row.id });
  }
  if (ctx.status !== SurveyStatus.ACTIVE) throw notAnswerable({ id: ctx.survey.id, status: ctx.status });
  if (!ctx.partial) checkRequired(errors, 'input.answers', questions, answers);
  errors.throwIfAny();
  const customerId = row.customer_id ?? ctx.customerId;
  await checkTarget(tx, tenantId, ctx.targetSegmentId, customerId);
  if (ctx.invitationId && !row.invitation_id) await ensureInvitationOpen(tx, tenantId, ctx.invitationId);
  const complete = !ctx.partial;
  await tx.execute(
    `update survey_response set answers = ?::jsonb, score = ?, status = ?, customer_id = ?, invitation_id = coalesce(invitation_id, ?),
            updated_at = now(), completed_at = ${complete ? 'now()' : 'null'}
      where tenant_id = ? and id = ?`,
    [JSON.stringify(answers), scoreOf(ctx.survey, questions, answers), complete ? 'COMPLETE' : 'PARTIAL', customerId, ctx.invitationId,
      tenantId, row.id],
  );
  if (complete) await onCompleted(tx, tenantId, row.id, customerId, ctx.survey, questions, answers);
  return { id: row.id, completed: complete };
}

/** A completed response with free text also becomes feedback (source SURVEY), in the same transaction. */
async function onCompleted(
  tx: Em,
  tenantId: string,
  responseId: string,
  customerId: string | null,
  survey: Pick<Survey, 'kind'>,
  questions: StoredQuestion[],
  answers: Record<string, StoredAnswer>,
): Promise<void> {
  const feedback = completedFeedback(tenantId, responseId, customerId, survey, questions, answers);
  if (feedback) await tx.execute(feedback.text, feedback.params);
}

/** The feedback insert of a completed response with free text (null: no text), for its own statement or, reading `from`, a CTE. */
function completedFeedback(
  tenantId: string,
  responseId: string,
  customerId: string | null,
  survey: Pick<Survey, 'kind'>,
  questions: StoredQuestion[],
  answers: Record<string, StoredAnswer>,
  from?: string,
): Sql | null {
  const texts = questions.map((q) => answers[q.id]?.text).filter((t): t is string => !!t);
  if (!texts.length) return null;
  const score = scoreOf(survey, questions, answers);
  return feedbackFromSurveyResponseSql(tenantId, {
    responseId, customerId, text: texts.join('\n\n'), rating: survey.kind === SurveyKind.CSAT ? score : null,
  }, from);
}
