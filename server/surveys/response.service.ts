import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Principal } from '../auth/keys.service.js';
import type { Em } from '../db/orm.js';
import { newId } from '../db/ids.js';
import { buildConnection, pageRequest, type PageArgs } from '../graphql/connection.js';
import { BadUserInputError, ConflictError, InputErrors, NotFoundError } from '../graphql/errors.js';
import { countRows, fetchPage } from '../graphql/keyset-query.js';
import { compileFilter, type FieldSpec, type SqlSortKey } from '../graphql/sql.js';
import { checkId } from '../graphql/validate.js';
import { getCustomer } from '../customers/customer.service.js';
import { rescoreAfterSignal } from '../feedback/churn-signals.js';
import { feedbackFromSurveyResponse } from '../feedback/feedback.service.js';
import { AnswerErrors, checkRequired, mergeAnswers, sameAnswers, scoreQuestion, validateAnswers } from './questions.js';
import {
  ResponseStatus, Survey, SurveyInvitation, SurveyKind, SurveyResponse, SurveyStatus, type StoredAnswer, type StoredQuestion,
} from './survey.entity.js';
import { SurveyResponseConnection, type SubmitSurveyResponseInput, type SurveyResponseFilter } from './survey.inputs.js';
import { getSurvey } from './survey.service.js';

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
 * anonymous responses and non-members get BAD_USER_INPUT at input.customerId. Read inside the
 * submitting transaction, so it holds for the targeting and membership of that moment.
 */
async function checkTarget(tx: Em, tenantId: string, targetSegmentId: string | null, customerId: string | null): Promise<void> {
  if (!targetSegmentId) return;
  if (!customerId) {
    throw new BadUserInputError([{ path: 'input.customerId', message: 'this survey is targeted at a segment; identify the customer' }]);
  }
  const member = await tx.execute<{ one: number }[]>(
    'select 1 as one from segment_member where tenant_id = ? and segment_id = ? and customer_id = ?',
    [tenantId, targetSegmentId, customerId],
  );
  if (!member.length) {
    throw new BadUserInputError([
      { path: 'input.customerId', message: `customer ${customerId} is not a member of segment ${targetSegmentId}, which this survey is targeted at` },
    ]);
  }
}

function scoreOf(survey: Survey, questions: StoredQuestion[], answers: Record<string, StoredAnswer>): number | null {
  const q = scoreQuestion(survey.kind, questions);
  return q ? (answers[q.id]?.value ?? null) : null;
}

/**
 * Stores answers under an idempotency key. The first call creates the response (PARTIAL, or
 * COMPLETE when `partial` is false); later calls with the same key merge their answers into it
 * until it completes. A completed response never changes: a retry that changes nothing gets it
 * back, anything else is a CONFLICT. Concurrent duplicates meet on the (tenant_id,
 * idempotency_key) unique constraint, so exactly one row exists. All validation happens inside
 * the transaction, before any write: a response is stored whole or not at all.
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
  const survey = await getSurvey(em, tenantId, input.surveyId, 'input.surveyId');
  let customerId = input.customerId ?? null;
  if (customerId) await getCustomer(em, tenantId, customerId, 'input.customerId');
  const invitationId = input.invitationId ?? null;
  if (invitationId) {
    const invitation = await getInvitation(em, tenantId, invitationId, 'input.invitationId');
    if (invitation.surveyId !== survey.id) {
      throw new BadUserInputError([{ path: 'input.invitationId', message: `invites to survey ${invitation.surveyId}, not ${survey.id}` }]);
    }
    if (customerId && invitation.customerId && customerId !== invitation.customerId) {
      throw new BadUserInputError([{ path: 'input.customerId', message: 'is not the customer this invitation was sent to' }]);
    }
    customerId = invitation.customerId;
  }
  const partial = input.partial ?? false;

  const { id: responseId, completed } = await em
    .transactional(async (txEm): Promise<{ id: string; completed: boolean }> => {
      const tx = txEm as Em;
      const lock = () =>
        tx.execute<ResponseRow[]>('select * from survey_response where tenant_id = ? and idempotency_key = ? for update', [tenantId, idempotencyKey]);
      const [status] = await tx.execute<{ status: SurveyStatus; version: number; target_segment_id: string | null }[]>(
        'select status, version, target_segment_id from survey where tenant_id = ? and id = ?',
        [tenantId, survey.id],
      );
      let [row] = await lock();
      if (!row) {
        if (status.status !== SurveyStatus.ACTIVE) throw notAnswerable({ id: survey.id, status: status.status });
        const questions = await questionsOf(tx, tenantId, survey.id, status.version);
        const errors = new AnswerErrors();
        const answers = mergeAnswers({}, validateAnswers(errors, 'input.answers', input.answers, questions));
        if (!partial) checkRequired(errors, 'input.answers', questions, answers);
        errors.throwIfAny();
        await checkTarget(tx, tenantId, status.target_segment_id ?? null, customerId);
        if (invitationId) await ensureInvitationOpen(tx, tenantId, invitationId);
        const id = newId();
        const complete = !partial;
        const inserted = await tx.execute<{ id: string }[]>(
          `insert into survey_response
             (tenant_id, id, survey_id, survey_version, customer_id, invitation_id, channel, status, answers, score, idempotency_key,
              started_at, updated_at, completed_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, now(), now(), ${complete ? 'now()' : 'null'})
           on conflict (tenant_id, idempotency_key) do nothing returning id`,
          [tenantId, id, survey.id, status.version, customerId, invitationId, input.channel, complete ? 'COMPLETE' : 'PARTIAL',
            JSON.stringify(answers), scoreOf(survey, questions, answers), idempotencyKey],
        );
        if (inserted.length) {
          if (complete) await onCompleted(tx, tenantId, id, customerId, survey, questions, answers);
          return { id, completed: complete };
        }
        // A concurrent duplicate inserted first (we waited for it to commit): continue on its row.
        [row] = await lock();
      }
      return continueResponse(tx, tenantId, row, {
        survey, status: status.status, targetSegmentId: status.target_segment_id ?? null, customerId, invitationId, partial, input,
      });
    })
    .catch((error) => {
      if (error instanceof UniqueConstraintViolationException && /invitation/.test(error.message)) {
        throw new ConflictError('This invitation was already answered', { path: 'input.invitationId' });
      }
      throw error;
    });
  const response = (await em.findOne(SurveyResponse, { tenantId, id: responseId }, { refresh: true }))!;
  if (completed && response.score !== null) await rescoreAfterSignal(em, tenantId, [response.customerId], principal.tenant);
  return response;
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
    survey: Survey;
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
  survey: Survey,
  questions: StoredQuestion[],
  answers: Record<string, StoredAnswer>,
): Promise<void> {
  const texts = questions.map((q) => answers[q.id]?.text).filter((t): t is string => !!t);
  if (!texts.length) return;
  const score = scoreOf(survey, questions, answers);
  await feedbackFromSurveyResponse(tx, tenantId, {
    responseId, customerId, text: texts.join('\n\n'), rating: survey.kind === SurveyKind.CSAT ? score : null,
  });
}
