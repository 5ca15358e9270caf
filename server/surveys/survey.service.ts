import type { Principal } from '../auth/keys.service.js';
import type { Em } from '../db/orm.js';
import { newId } from '../db/ids.js';
import { buildConnection, pageRequest, type PageArgs } from '../graphql/connection.js';
import { BadUserInputError, ConflictError, InputErrors, NotFoundError } from '../graphql/errors.js';
import { createOnce } from '../graphql/idempotency.js';
import { countRows, fetchPage } from '../graphql/keyset-query.js';
import { compileFilter, type FieldSpec, type SqlSortKey } from '../graphql/sql.js';
import { checkId, checkIdempotencyKey, checkText, LIMITS } from '../graphql/validate.js';
import { getSegment } from '../segments/segment.service.js';
import { checkLocalized, defaultQuestions, normalizeQuestions } from './questions.js';
import { Survey, SurveyKind, SurveyStatus, SurveyVersion, type StoredQuestion, type StoredText } from './survey.entity.js';
import { SurveyConnection, type CreateSurveyInput, type SurveyFilter, type UpdateSurveyInput } from './survey.inputs.js';

const FIELDS: Record<string, FieldSpec> = {
  kind: { expr: 't.kind', kind: 'enum' },
  status: { expr: 't.status', kind: 'enum' },
  name: { expr: 't.name', kind: 'string' },
  createdAt: { expr: 't.created_at', kind: 'date' },
};
const NEWEST_FIRST: SqlSortKey[] = [{ expr: 't.created_at', prop: 'createdAt', desc: true, kind: 'date' }];

/** Which status a survey may move to from each status (same status = no change). */
const SURVEY_TRANSITIONS: Record<SurveyStatus, SurveyStatus[]> = {
  DRAFT: [SurveyStatus.ACTIVE, SurveyStatus.CLOSED],
  ACTIVE: [SurveyStatus.CLOSED],
  CLOSED: [SurveyStatus.ACTIVE],
};

export async function getSurvey(em: Em, tenantId: string, id: string, path = 'id'): Promise<Survey> {
  checkId(id, path);
  const survey = await em.findOne(Survey, { tenantId, id });
  if (!survey) throw new NotFoundError('Survey', id);
  return survey;
}

export async function listSurveys(em: Em, tenantId: string, filter: SurveyFilter | null | undefined, page: PageArgs) {
  const request = pageRequest(page, 2);
  const where = compileFilter(filter, FIELDS);
  const rows = await fetchPage(em, { entity: Survey, table: 'survey', tenantId, where, keys: NEWEST_FIRST, request });
  return buildConnection(SurveyConnection, rows, request, NEWEST_FIRST, () => countRows(em, 'survey', tenantId, where));
}

export async function surveysByIds(em: Em, tenantId: string, ids: readonly string[]): Promise<(Survey | null)[]> {
  const found = await em.find(Survey, { tenantId, id: { $in: [...ids] } });
  const byId = new Map(found.map((s) => [s.id, s]));
  return ids.map((id) => byId.get(id) ?? null);
}

export const versionKey = (surveyId: string, version: number) => `${surveyId}:${version}`;

/** Batch for loaders keyed `surveyId:version`: one statement for every version asked for. */
export async function surveyVersionsByKeys(em: Em, tenantId: string, keys: readonly string[]): Promise<(SurveyVersion | null)[]> {
  const pairs = keys.map((k) => {
    const [surveyId, version] = k.split(':');
    return { surveyId, version: Number(version) };
  });
  const found = await em.find(SurveyVersion, { tenantId, $or: pairs });
  const byKey = new Map(found.map((v) => [versionKey(v.surveyId, v.version), v]));
  return keys.map((k) => byKey.get(k) ?? null);
}

/** Every version of each survey, oldest first, in one statement. */
export async function surveyVersionListsFor(em: Em, tenantId: string, surveyIds: readonly string[]): Promise<SurveyVersion[][]> {
  const found = await em.find(SurveyVersion, { tenantId, surveyId: { $in: [...surveyIds] } }, { orderBy: { version: 'asc' } });
  return surveyIds.map((id) => found.filter((v) => v.surveyId === id));
}

export async function currentVersion(em: Em, tenantId: string, survey: Survey): Promise<SurveyVersion> {
  const version = await em.findOne(SurveyVersion, { tenantId, surveyId: survey.id, version: survey.version });
  if (!version) throw new NotFoundError('SurveyVersion', versionKey(survey.id, survey.version));
  return version;
}

interface SurveyContent {
  title?: StoredText;
  description?: StoredText | null;
  questions?: StoredQuestion[];
}

function normalizeContent(errors: InputErrors, input: CreateSurveyInput | UpdateSurveyInput, kind: SurveyKind): SurveyContent {
  const content: SurveyContent = {};
  if (input.title != null) content.title = checkLocalized(errors, 'input.title', input.title, LIMITS.shortText) ?? undefined;
  if (input.description !== undefined) content.description = checkLocalized(errors, 'input.description', input.description, 2000, { required: false });
  if (input.questions != null) content.questions = normalizeQuestions(errors, 'input.questions', input.questions, kind);
  return content;
}

function checkFollowUp(errors: InputErrors, kind: SurveyKind, caseFollowUp: boolean | null | undefined): void {
  if (caseFollowUp && kind !== SurveyKind.CSAT) errors.add('input.caseFollowUp', 'only a CSAT survey can be the follow-up of resolved cases');
}

/** A target segment must be a non-archived segment of the tenant: BAD_USER_INPUT at input.targetSegmentId otherwise. */
async function checkTargetSegment(em: Em, tenantId: string, segmentId: string): Promise<string> {
  const segment = await getSegment(em, tenantId, segmentId, 'input.targetSegmentId').catch((error: unknown) => {
    if (error instanceof NotFoundError) {
      throw new BadUserInputError([{ path: 'input.targetSegmentId', message: `segment ${segmentId} was not found in this tenant` }]);
    }
    throw error;
  });
  if (segment.archivedAt) throw new BadUserInputError([{ path: 'input.targetSegmentId', message: `segment ${segment.id} is archived` }]);
  return segment.id;
}

async function clearFollowUpFlag(tx: Em, tenantId: string, exceptId: string): Promise<void> {
  await tx.execute('update survey set case_follow_up = false, revision = revision + 1 where tenant_id = ? and case_follow_up and id <> ?', [tenantId, exceptId]);
}

export async function createSurvey(em: Em, principal: Principal, input: CreateSurveyInput, idempotencyKey: string | null | undefined): Promise<Survey> {
  const errors = new InputErrors();
  checkIdempotencyKey(errors, 'idempotencyKey', idempotencyKey);
  const name = checkText(errors, 'input.name', input.name, LIMITS.name, { required: true }) as string;
  const content = normalizeContent(errors, input, input.kind);
  const questions = content.questions ?? defaultQuestions(input.kind);
  if (!questions) errors.add('input.questions', 'is required for a CUSTOM survey');
  checkFollowUp(errors, input.kind, input.caseFollowUp);
  errors.throwIfAny();
  const tenantId = principal.tenantId;
  const targetSegmentId = input.targetSegmentId ? await checkTargetSegment(em, tenantId, input.targetSegmentId) : null;
  const { id } = await createOnce(
    em,
    { tenantId, scope: 'createSurvey', key: idempotencyKey, request: input, id: newId() },
    async (tx, surveyId) => {
      if (input.caseFollowUp) await clearFollowUpFlag(tx, tenantId, surveyId);
      tx.create(Survey, { id: surveyId, tenantId, name, kind: input.kind, caseFollowUp: Boolean(input.caseFollowUp), targetSegmentId } as Survey);
      // No ORM relations are declared, so flush the survey before the version that references it.
      await tx.flush();
      tx.create(SurveyVersion, {
        tenantId, surveyId, version: 1, title: content.title ?? { en: name, zhCN: null }, description: content.description ?? null, questions: questions!,
      } as SurveyVersion);
      await tx.flush();
    },
  );
  return getSurvey(em, tenantId, id);
}

export async function updateSurvey(em: Em, principal: Principal, id: string, revision: number, input: UpdateSurveyInput): Promise<Survey> {
  const tenantId = principal.tenantId;
  const survey = await getSurvey(em, tenantId, id);
  const stale = () =>
    new ConflictError(`Survey ${id} is at revision ${survey.revision}, not ${revision}; read it again and retry`, {
      path: 'revision', currentRevision: survey.revision,
    });
  if (survey.revision !== revision) throw stale();
  const errors = new InputErrors();
  const name = input.name != null ? (checkText(errors, 'input.name', input.name, LIMITS.name, { required: true }) as string) : undefined;
  const content = normalizeContent(errors, input, survey.kind);
  checkFollowUp(errors, survey.kind, input.caseFollowUp);
  errors.throwIfAny();
  const retarget = input.targetSegmentId !== undefined;
  const targetSegmentId = input.targetSegmentId ? await checkTargetSegment(em, tenantId, input.targetSegmentId) : null;
  const current = await currentVersion(em, tenantId, survey);
  const contentChanged =
    (content.title !== undefined && JSON.stringify(content.title) !== JSON.stringify(current.title)) ||
    (content.description !== undefined && JSON.stringify(content.description) !== JSON.stringify(current.description)) ||
    (content.questions !== undefined && JSON.stringify(content.questions) !== JSON.stringify(current.questions));
  // A survey that was never ACTIVE has no responses: its one version is edited in place.
  const newVersion = contentChanged && survey.status !== SurveyStatus.DRAFT;
  const next = {
    title: content.title ?? current.title,
    description: content.description !== undefined ? content.description : current.description,
    questions: content.questions ?? current.questions,
  };
  await em.transactional(async (txEm) => {
    const tx = txEm as Em;
    if (input.caseFollowUp) await clearFollowUpFlag(tx, tenantId, id);
    const updated = await tx.execute<{ id: string }[]>(
      `update survey set name = coalesce(?, name), case_follow_up = coalesce(?, case_follow_up), version = version + ?,
              target_segment_id = case when ? then ?::uuid else target_segment_id end,
              revision = revision + 1, updated_at = now()
        where tenant_id = ? and id = ? and revision = ? returning id`,
      [name ?? null, input.caseFollowUp ?? null, newVersion ? 1 : 0, retarget, targetSegmentId, tenantId, id, revision],
    );
    if (updated.length === 0) throw stale();
    if (newVersion) {
      await tx.execute(
        `insert into survey_version (tenant_id, id, survey_id, version, title, description, questions) values (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb)`,
        [tenantId, newId(), id, survey.version + 1, JSON.stringify(next.title), next.description ? JSON.stringify(next.description) : null, JSON.stringify(next.questions)],
      );
    } else if (contentChanged) {
      await tx.execute(
        `update survey_version set title = ?::jsonb, description = ?::jsonb, questions = ?::jsonb where tenant_id = ? and survey_id = ? and version = ?`,
        [JSON.stringify(next.title), next.description ? JSON.stringify(next.description) : null, JSON.stringify(next.questions), tenantId, id, survey.version],
      );
    }
  });
  return (await em.findOne(Survey, { tenantId, id }, { refresh: true }))!;
}

export async function setSurveyStatus(em: Em, principal: Principal, id: string, status: SurveyStatus): Promise<Survey> {
  const tenantId = principal.tenantId;
  const survey = await getSurvey(em, tenantId, id);
  if (survey.status === status) return survey;
  const allowed = SURVEY_TRANSITIONS[survey.status];
  if (!allowed.includes(status)) {
    throw new ConflictError(
      `A ${survey.status} survey cannot become ${status}; allowed: ${allowed.join(', ') || 'none'}`,
      { path: 'status', from: survey.status, to: status, allowed },
    );
  }
  const updated = await em.execute<{ id: string }[]>(
    `update survey set status = ?, revision = revision + 1, updated_at = now(),
            activated_at = case when ? = 'ACTIVE' then coalesce(activated_at, now()) else activated_at end,
            closed_at = case when ? = 'CLOSED' then now() else null end
      where tenant_id = ? and id = ? and status = ? returning id`,
    [status, status, status, tenantId, id, survey.status],
  );
  if (updated.length === 0) throw new ConflictError(`Survey ${id} changed status at the same time; read it again and retry`, { path: 'status' });
  return (await em.findOne(Survey, { tenantId, id }, { refresh: true }))!;
}

/**
 * The survey a resolved case's customer is asked: the tenant's ACTIVE follow-up survey. When the
 * tenant has never chosen one, a standard CSAT survey is created, active and marked as the
 * follow-up; when the chosen one is not ACTIVE, no follow-up is sent.
 */
export async function caseFollowUpSurvey(tx: Em, tenantId: string): Promise<{ id: string; status: SurveyStatus } | null> {
  const find = () =>
    tx.execute<{ id: string; status: SurveyStatus }[]>('select id, status from survey where tenant_id = ? and case_follow_up', [tenantId]);
  let [row] = await find();
  if (!row) {
    const surveyId = newId();
    const inserted = await tx.execute<{ id: string }[]>(
      `insert into survey (tenant_id, id, name, kind, status, case_follow_up, activated_at)
       values (?, ?, 'Service follow-up (CSAT)', 'CSAT', 'ACTIVE', true, now())
       on conflict (tenant_id) where case_follow_up do nothing returning id`,
      [tenantId, surveyId],
    );
    if (inserted.length) {
      await tx.execute(
        `insert into survey_version (tenant_id, id, survey_id, version, title, questions) values (?, ?, ?, 1, ?::jsonb, ?::jsonb)`,
        [tenantId, newId(), surveyId, JSON.stringify({ en: 'How did we do?', zhCN: '我们的服务如何？' }), JSON.stringify(defaultQuestions(SurveyKind.CSAT))],
      );
    }
    [row] = await find();
  }
  return row && row.status === SurveyStatus.ACTIVE ? row : null;
}
