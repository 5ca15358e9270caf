import type { Principal } from '../auth/keys.service.js';
import type { Em } from '../db/orm.js';
import { newId } from '../db/ids.js';
import { buildConnection, pageRequest, type PageArgs } from '../graphql/connection.js';
import { BadUserInputError, ConflictError, InputErrors, NotFoundError } from '../graphql/errors.js';
import { createOnce } from '../graphql/idempotency.js';
import { countRows, fetchPage } from '../graphql/keyset-query.js';
import { compileOperators, compileFilter, type FieldSpec, type SqlSortKey } from '../graphql/sql.js';
import { checkCurrency, checkDateTime, checkId, checkIdempotencyKey, checkText, LIMITS } from '../graphql/validate.js';
import { getCustomer } from '../customers/customer.service.js';
import { rescoreAfterSignal } from '../feedback/churn-signals.js';
import { fromUnits, toUnits } from '../orders/money.js';
import { caseFollowUpSurvey } from '../surveys/survey.service.js';
import { SurveyInvitation } from '../surveys/survey.entity.js';
import { CaseCompensation, CaseEvent, CasePriority, CaseStatus, ServiceCase } from './case.entity.js';
import {
  ServiceCaseConnection, ServiceCaseSort, type CompensationInput, type OpenServiceCaseInput, type ServiceCaseFilter,
  type TransitionServiceCaseInput, type UpdateServiceCaseInput,
} from './case.inputs.js';
import { now } from './clock.js';
import { dueDates, slaStateSql } from './sla.js';
import { targetsFor } from './sla-policy.service.js';

const FIELDS: Record<string, FieldSpec> = {
  kind: { expr: 't.kind', kind: 'enum' },
  priority: { expr: 't.priority', kind: 'enum' },
  status: { expr: 't.status', kind: 'enum' },
  channel: { expr: 't.channel', kind: 'enum' },
  customerId: { expr: 't.customer_id', kind: 'id' },
  assignee: { expr: 't.assignee', kind: 'string' },
  openedAt: { expr: 't.opened_at', kind: 'date' },
  resolvedAt: { expr: 't.resolved_at', kind: 'date' },
};

const SORTS: Record<ServiceCaseSort, SqlSortKey[]> = {
  NEWEST: [{ expr: 't.opened_at', prop: 'openedAt', desc: true, kind: 'date' }],
  DEADLINE: [{ expr: 't.resolution_deadline_at', prop: 'resolutionDeadlineAt', desc: false, kind: 'date' }],
};

/** Where each status may go. Same status is a no-op, not an error (a retried call). */
export const CASE_TRANSITIONS: Record<CaseStatus, CaseStatus[]> = {
  OPEN: [CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CUSTOMER, CaseStatus.RESOLVED],
  IN_PROGRESS: [CaseStatus.WAITING_CUSTOMER, CaseStatus.RESOLVED],
  WAITING_CUSTOMER: [CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED],
  RESOLVED: [CaseStatus.CLOSED, CaseStatus.IN_PROGRESS],
  CLOSED: [],
};

export async function getServiceCase(em: Em, tenantId: string, id: string, path = 'id'): Promise<ServiceCase> {
  checkId(id, path);
  const found = await em.findOne(ServiceCase, { tenantId, id });
  if (!found) throw new NotFoundError('ServiceCase', id);
  return found;
}

export async function listServiceCases(
  em: Em,
  tenantId: string,
  filter: ServiceCaseFilter | null | undefined,
  sort: ServiceCaseSort,
  page: PageArgs,
) {
  const request = pageRequest(page, 2);
  const keys = SORTS[sort];
  const at = now();
  const where = compileFilter(filter, FIELDS, {
    slaState: (value: Record<string, unknown>, path: string) => compileOperators({ expr: slaStateSql(at), kind: 'enum' }, value, path),
  } as never);
  const rows = await fetchPage(em, { entity: ServiceCase, table: 'service_case', tenantId, where, keys, request });
  return buildConnection(ServiceCaseConnection, rows, request, keys, () => countRows(em, 'service_case', tenantId, where));
}

export async function serviceCasesByIds(em: Em, tenantId: string, ids: readonly string[]): Promise<(ServiceCase | null)[]> {
  const found = await em.find(ServiceCase, { tenantId, id: { $in: [...ids] } });
  const byId = new Map(found.map((c) => [c.id, c]));
  return ids.map((id) => byId.get(id) ?? null);
}

export async function eventsForCases(em: Em, tenantId: string, caseIds: readonly string[]): Promise<CaseEvent[][]> {
  const found = await em.find(CaseEvent, { tenantId, caseId: { $in: [...caseIds] } }, { orderBy: { occurredAt: 'asc', id: 'asc' } });
  return caseIds.map((id) => found.filter((e) => e.caseId === id));
}

export async function compensationsForCases(em: Em, tenantId: string, caseIds: readonly string[]): Promise<CaseCompensation[][]> {
  const found = await em.find(CaseCompensation, { tenantId, caseId: { $in: [...caseIds] } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  return caseIds.map((id) => found.filter((c) => c.caseId === id));
}

export async function followUpsForCases(em: Em, tenantId: string, caseIds: readonly string[]): Promise<(SurveyInvitation | null)[]> {
  const found = await em.find(SurveyInvitation, { tenantId, caseId: { $in: [...caseIds] } });
  const byCase = new Map(found.map((i) => [i.caseId!, i]));
  return caseIds.map((id) => byCase.get(id) ?? null);
}

async function recordEvent(tx: Em, tenantId: string, caseId: string, from: CaseStatus | null, to: CaseStatus, note: string | null, actor: string, at: Date) {
  await tx.execute(
    'insert into case_event (tenant_id, id, case_id, from_status, to_status, note, actor_key_id, occurred_at) values (?, ?, ?, ?, ?, ?, ?, ?)',
    [tenantId, newId(), caseId, from, to, note, actor, at],
  );
}

export async function openServiceCase(
  em: Em,
  principal: Principal,
  input: OpenServiceCaseInput,
  idempotencyKey: string | null | undefined,
): Promise<ServiceCase> {
  const tenantId = principal.tenantId;
  const errors = new InputErrors();
  checkIdempotencyKey(errors, 'idempotencyKey', idempotencyKey);
  const subject = checkText(errors, 'input.subject', input.subject, LIMITS.shortText, { required: true }) as string;
  const description = checkText(errors, 'input.description', input.description, LIMITS.notes) ?? null;
  const assignee = checkText(errors, 'input.assignee', input.assignee, LIMITS.shortText) ?? null;
  checkDateTime(errors, 'input.openedAt', input.openedAt, { allowFuture: false });
  if (input.openedAt && input.openedAt.getTime() > now().getTime()) errors.add('input.openedAt', 'must not be in the future');
  errors.throwIfAny();
  await getCustomer(em, tenantId, input.customerId, 'input.customerId');
  if (input.feedbackId) {
    checkId(input.feedbackId, 'input.feedbackId');
    const [fb] = await em.execute<{ customer_id: string | null }[]>('select customer_id from feedback where tenant_id = ? and id = ?', [tenantId, input.feedbackId]);
    if (!fb) throw new NotFoundError('Feedback', input.feedbackId);
    if (fb.customer_id && fb.customer_id !== input.customerId) {
      throw new BadUserInputError([{ path: 'input.feedbackId', message: 'was given by another customer' }]);
    }
  }
  const priority = input.priority ?? CasePriority.MEDIUM;
  const openedAt = input.openedAt ?? now();
  const due = dueDates(openedAt, await targetsFor(em, tenantId, input.kind, priority));
  const { id, created } = await createOnce(
    em,
    { tenantId, scope: 'openServiceCase', key: idempotencyKey, request: input, id: newId() },
    async (tx, caseId) => {
      tx.create(ServiceCase, {
        id: caseId, tenantId, customerId: input.customerId, kind: input.kind, priority, channel: input.channel, subject, description, assignee,
        openedAt, ...due,
      } as ServiceCase);
      await tx.flush();
      await recordEvent(tx, tenantId, caseId, null, CaseStatus.OPEN, null, principal.keyId, openedAt);
      if (input.feedbackId) {
        await tx.execute(
          'update feedback set case_id = ?, customer_id = coalesce(customer_id, ?), version = version + 1, updated_at = now() where tenant_id = ? and id = ?',
          [caseId, input.customerId, tenantId, input.feedbackId],
        );
      }
    },
  );
  if (created) await rescoreAfterSignal(em, tenantId, [input.customerId], principal.tenant);
  return getServiceCase(em, tenantId, id);
}

function staleCase(id: string, current: number, given: number): ConflictError {
  return new ConflictError(`Service case ${id} is at version ${current}, not ${given}; read it again and retry`, { path: 'version', currentVersion: current });
}

export async function updateServiceCase(
  em: Em,
  principal: Principal,
  id: string,
  version: number,
  input: UpdateServiceCaseInput,
): Promise<ServiceCase> {
  const tenantId = principal.tenantId;
  const found = await getServiceCase(em, tenantId, id);
  if (found.version !== version) throw staleCase(id, found.version, version);
  const errors = new InputErrors();
  const sets: string[] = [];
  const params: unknown[] = [];
  const set = (column: string, value: unknown) => {
    sets.push(`${column} = ?`);
    params.push(value);
  };
  if (input.subject != null) set('subject', checkText(errors, 'input.subject', input.subject, LIMITS.shortText, { required: true }));
  if (input.description !== undefined) set('description', checkText(errors, 'input.description', input.description, LIMITS.notes) ?? null);
  if (input.assignee !== undefined) set('assignee', checkText(errors, 'input.assignee', input.assignee, LIMITS.shortText) ?? null);
  errors.throwIfAny();
  const kind = input.kind ?? found.kind;
  const priority = input.priority ?? found.priority;
  if (kind !== found.kind || priority !== found.priority) {
    if (found.status === CaseStatus.CLOSED) throw new ConflictError('A CLOSED case keeps its kind and priority', { path: 'input' });
    const due = dueDates(found.openedAt, await targetsFor(em, tenantId, kind, priority));
    set('kind', kind);
    set('priority', priority);
    set('first_response_due_at', due.firstResponseDueAt);
    set('resolution_target_at', due.resolutionTargetAt);
    set('resolution_deadline_at', due.resolutionDeadlineAt);
  }
  if (!sets.length) return found;
  const updated = await em.execute<{ id: string }[]>(
    `update service_case set ${sets.join(', ')}, version = version + 1, updated_at = now() where tenant_id = ? and id = ? and version = ? returning id`,
    [...params, tenantId, id, version],
  );
  if (!updated.length) throw staleCase(id, version + 1, version);
  return (await em.findOne(ServiceCase, { tenantId, id }, { refresh: true }))!;
}

/**
 * Moves a case along its lifecycle. Leaving OPEN is the first response; RESOLVED stops the
 * resolution clock and sends the CSAT follow-up; RESOLVED -> IN_PROGRESS reopens (the clock
 * resumes against the original deadline). Anything else is a CONFLICT naming what is allowed.
 */
export async function transitionServiceCase(em: Em, principal: Principal, input: TransitionServiceCaseInput): Promise<ServiceCase> {
  const tenantId = principal.tenantId;
  const found = await getServiceCase(em, tenantId, input.caseId, 'input.caseId');
  if (input.version != null && found.version !== input.version) throw staleCase(found.id, found.version, input.version);
  const errors = new InputErrors();
  const note = checkText(errors, 'input.note', input.note, LIMITS.notes) ?? null;
  errors.throwIfAny();
  const from = found.status;
  const to = input.to;
  if (from === to) return found;
  const allowed = CASE_TRANSITIONS[from];
  if (!allowed.includes(to)) {
    const hint = from === CaseStatus.CLOSED ? ' (a CLOSED case is final; open a new case)' : to === CaseStatus.CLOSED ? ' (resolve it first)' : '';
    throw new ConflictError(`A ${from} case cannot move to ${to}; allowed: ${allowed.join(', ') || 'none'}${hint}`, {
      path: 'input.to', from, to, allowed,
    });
  }
  const at = now();
  await em.transactional(async (txEm) => {
    const tx = txEm as Em;
    const sets = ['status = ?'];
    const params: unknown[] = [to];
    const stamp = (column: string) => {
      sets.push(`${column} = ?`);
      params.push(at);
    };
    if (from === CaseStatus.OPEN) stamp('first_response_at');
    if (to === CaseStatus.RESOLVED) {
      stamp('resolved_at');
      sets.push('resolution = coalesce(?, resolution)');
      params.push(note);
    }
    if (from === CaseStatus.RESOLVED && to === CaseStatus.IN_PROGRESS) sets.push('resolved_at = null', 'reopen_count = reopen_count + 1');
    if (to === CaseStatus.CLOSED) stamp('closed_at');
    const updated = await tx.execute<{ id: string }[]>(
      `update service_case set ${sets.join(', ')}, version = version + 1, updated_at = now()
        where tenant_id = ? and id = ? and version = ? and status = ? returning id`,
      [...params, tenantId, found.id, found.version, from],
    );
    if (!updated.length) throw staleCase(found.id, found.version + 1, found.version);
    await recordEvent(tx, tenantId, found.id, from, to, note, principal.keyId, at);
    if (to === CaseStatus.RESOLVED) await sendFollowUp(tx, tenantId, found, at);
  });
  await rescoreAfterSignal(em, tenantId, [found.customerId], principal.tenant);
  return (await em.findOne(ServiceCase, { tenantId, id: found.id }, { refresh: true }))!;
}

/** Links the tenant's CSAT follow-up survey to the case (once per case, kept across reopenings). */
async function sendFollowUp(tx: Em, tenantId: string, serviceCase: ServiceCase, at: Date): Promise<void> {
  const survey = await caseFollowUpSurvey(tx, tenantId);
  if (!survey) return;
  await tx.execute(
    `insert into survey_invitation (tenant_id, id, survey_id, customer_id, case_id, created_at) values (?, ?, ?, ?, ?, ?)
     on conflict (tenant_id, case_id) where case_id is not null do nothing`,
    [tenantId, newId(), survey.id, serviceCase.customerId, serviceCase.id, at],
  );
}

export async function addCaseCompensation(
  em: Em,
  principal: Principal,
  caseId: string,
  input: CompensationInput,
  idempotencyKey: string | null | undefined,
): Promise<CaseCompensation> {
  const tenantId = principal.tenantId;
  const errors = new InputErrors();
  checkIdempotencyKey(errors, 'idempotencyKey', idempotencyKey);
  const description = checkText(errors, 'input.description', input.description, 2000) ?? null;
  let amount: string | null = null;
  let currency: string | null = null;
  if (input.amount != null) {
    if (input.amount.startsWith('-')) errors.add('input.amount', 'must not be negative');
    amount = fromUnits(toUnits(input.amount));
    currency = checkCurrency(errors, 'input.currency', input.currency ?? principal.tenant.defaultCurrency);
  } else if (input.currency != null) {
    errors.add('input.currency', 'applies only with an amount');
  }
  errors.throwIfAny();
  await getServiceCase(em, tenantId, caseId, 'caseId');
  const { id } = await createOnce(
    em,
    { tenantId, scope: 'addCaseCompensation', key: idempotencyKey, request: { caseId, input }, id: newId() },
    async (tx, compensationId) => {
      tx.create(CaseCompensation, {
        id: compensationId, tenantId, caseId, kind: input.kind, amountValue: amount, currency, description, createdAt: now(),
      } as CaseCompensation);
      await tx.flush();
    },
  );
  return (await em.findOne(CaseCompensation, { tenantId, id }))!;
}
