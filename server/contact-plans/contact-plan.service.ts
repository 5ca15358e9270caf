import type { Principal } from '../auth/keys.service.js';
import type { Em } from '../db/orm.js';
import { isUuid, newId } from '../db/ids.js';
import { buildConnection, pageRequest, type PageArgs } from '../graphql/connection.js';
import { Channel } from '../graphql/enums.js';
import { BadUserInputError, ConflictError, InputErrors, NotFoundError } from '../graphql/errors.js';
import type { Period } from '../graphql/period.js';
import { joinSql, keysetSql, orderSql, sql, type Sql, type SqlSortKey } from '../graphql/sql.js';
import { checkText, LIMITS } from '../graphql/validate.js';
import { Direction, InteractionType } from '../interactions/interaction.entity.js';
import { logInteraction } from '../interactions/interaction.service.js';
import { getSegment } from '../segments/segment.service.js';
import { effectiveTierSql } from '../tiers/tier.service.js';
import {
  ContactComplianceEntry, ContactPolicy, FollowUp, FollowUpConnection, FollowUpStatus, GenerateFollowUpsResult,
  type CompleteFollowUpInput, type ContactPolicyInput,
} from './contact-plan.types.js';

const TIER_NAME = /^[A-Z][A-Z0-9_]{0,39}$/;

/** A UUIDv7 made in SQL (ms timestamp + random bits), so set-based inserts keep time-ordered ids like newId(). */
const UUID_V7_SQL = `encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid`;

function toPolicy(r: Record<string, any>): ContactPolicy {
  return Object.assign(new ContactPolicy(), {
    id: r.id, name: r.name, tier: r.tier ?? null, segmentId: r.segment_id ?? null, cadenceDays: Number(r.cadence_days), channel: r.channel,
    priority: Number(r.priority), active: Boolean(r.active), createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
  });
}

function toFollowUp(r: Record<string, any>): FollowUp {
  const dueAt = new Date(r.due_at);
  return Object.assign(new FollowUp(), {
    id: r.id, tenantId: r.tenant_id, customerId: r.customer_id, policyId: r.policy_id ?? null, status: r.status, dueAt,
    overdue: r.status === FollowUpStatus.OPEN && dueAt.getTime() < Date.now(), channel: r.channel, assignee: r.assignee ?? null,
    outcome: r.outcome ?? null, reason: r.reason ?? null, interactionId: r.interaction_id ?? null, rescheduleCount: Number(r.reschedule_count),
    closedAt: r.closed_at ? new Date(r.closed_at) : null, createdAt: new Date(r.created_at),
  });
}

// ---------- policies ----------

export async function listContactPolicies(em: Em, tenantId: string): Promise<ContactPolicy[]> {
  const rows = await em.execute<Record<string, any>[]>('select * from contact_policy where tenant_id = ? order by priority desc, cadence_days, name, id', [tenantId]);
  return rows.map(toPolicy);
}

async function getPolicy(em: Em, tenantId: string, id: string): Promise<ContactPolicy> {
  if (!isUuid(id)) throw new BadUserInputError([{ path: 'id', message: 'is not a valid id' }]);
  const [row] = await em.execute<Record<string, any>[]>('select * from contact_policy where tenant_id = ? and id = ?', [tenantId, id]);
  if (!row) throw new NotFoundError('ContactPolicy', id);
  return toPolicy(row);
}

async function checkPolicyInput(em: Em, tenantId: string, input: ContactPolicyInput): Promise<{ name: string }> {
  const errors = new InputErrors();
  const name = checkText(errors, 'input.name', input.name, LIMITS.shortText, { required: true });
  const hasTier = input.tier != null;
  const hasSegment = input.segmentId != null;
  if (hasTier === hasSegment) errors.add('input.tier', 'give exactly one of tier and segmentId');
  if (hasTier && !TIER_NAME.test(input.tier!)) errors.add('input.tier', 'must be upper-case letters, digits and _, starting with a letter');
  if (!Number.isInteger(input.cadenceDays) || input.cadenceDays < 1 || input.cadenceDays > 3660) errors.add('input.cadenceDays', 'must be between 1 and 3660');
  if (input.priority != null && Math.abs(input.priority) > 1000) errors.add('input.priority', 'must be between -1000 and 1000');
  errors.throwIfAny();
  if (hasSegment) await getSegment(em, tenantId, input.segmentId!, 'input.segmentId');
  return { name: name! };
}

export async function createContactPolicy(em: Em, tenantId: string, input: ContactPolicyInput): Promise<ContactPolicy> {
  const { name } = await checkPolicyInput(em, tenantId, input);
  const id = newId();
  await em.execute(
    `insert into contact_policy (tenant_id, id, name, tier, segment_id, cadence_days, channel, priority, active) values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [tenantId, id, name, input.tier ?? null, input.segmentId ?? null, input.cadenceDays, input.channel, input.priority ?? 0, input.active ?? true],
  );
  return getPolicy(em, tenantId, id);
}

export async function updateContactPolicy(em: Em, tenantId: string, id: string, input: ContactPolicyInput): Promise<ContactPolicy> {
  await getPolicy(em, tenantId, id);
  const { name } = await checkPolicyInput(em, tenantId, input);
  await em.execute(
    `update contact_policy set name = ?, tier = ?, segment_id = ?, cadence_days = ?, channel = ?, priority = ?, active = ?, updated_at = now()
      where tenant_id = ? and id = ?`,
    [name, input.tier ?? null, input.segmentId ?? null, input.cadenceDays, input.channel, input.priority ?? 0, input.active ?? true, tenantId, id],
  );
  return getPolicy(em, tenantId, id);
}

// ---------- follow-ups ----------

/**
 * Creates an OPEN follow-up for every active customer whose applicable policy's cadence has
 * passed since their last interaction, assigned to the customer's owner — in ONE statement.
 * Idempotent: a customer has at most one OPEN follow-up (a partial unique index; conflicts are
 * skipped), and a follow-up skipped within the cadence is not recreated.
 */
export async function generateFollowUps(em: Em, tenantId: string, asOf = new Date()): Promise<GenerateFollowUpsResult> {
  const rows = await em.execute<{ id: string }[]>(
    `with applicable as (
       select distinct on (c.id) c.id as customer_id, c.owner, p.id as policy_id, p.cadence_days, p.channel
         from customer c
         join contact_policy p on p.tenant_id = c.tenant_id and p.active
         left join customer_tier t on t.tenant_id = c.tenant_id and t.customer_id = c.id
        where c.tenant_id = ? and c.archived_at is null
          and ((p.tier is not null and p.tier = ${effectiveTierSql('t')})
            or (p.segment_id is not null and exists (
                  select 1 from segment_member sm where sm.tenant_id = c.tenant_id and sm.segment_id = p.segment_id and sm.customer_id = c.id)))
        order by c.id, p.priority desc, p.cadence_days, p.id),
     due as (
       select a.*, (select max(i.occurred_at) from interaction i where i.tenant_id = ? and i.customer_id = a.customer_id and i.occurred_at <= ?::timestamptz) as last_at
         from applicable a)
     insert into follow_up (tenant_id, id, customer_id, policy_id, status, due_at, channel, assignee, created_at, updated_at)
     select ?::uuid, ${UUID_V7_SQL}, d.customer_id, d.policy_id, 'OPEN', coalesce(d.last_at + make_interval(days => d.cadence_days), ?::timestamptz), d.channel, d.owner, ?::timestamptz, ?::timestamptz
       from due d
      where (d.last_at is null or d.last_at < ?::timestamptz - make_interval(days => d.cadence_days))
        and not exists (select 1 from follow_up f where f.tenant_id = ? and f.customer_id = d.customer_id and f.status = 'SKIPPED'
                          and f.closed_at > ?::timestamptz - make_interval(days => d.cadence_days))
     on conflict (tenant_id, customer_id) where status = 'OPEN' do nothing
     returning id`,
    [tenantId, tenantId, asOf, tenantId, asOf, asOf, asOf, asOf, tenantId, asOf],
  );
  return Object.assign(new GenerateFollowUpsResult(), { created: rows.length, asOf });
}

export interface FollowUpQuery {
  status?: FollowUpStatus | null;
  assignee?: string | null;
  customerId?: string | null;
  dueBefore?: Date | null;
  overdue?: boolean | null;
}

export async function listFollowUps(em: Em, tenantId: string, q: FollowUpQuery, page: PageArgs) {
  if (q.customerId && !isUuid(q.customerId)) throw new BadUserInputError([{ path: 'customerId', message: 'is not a valid id' }]);
  const keys: SqlSortKey[] = [{ expr: 't.due_at', prop: 'dueAt', kind: 'date', desc: false }];
  const request = pageRequest(page, 2);
  const where = joinSql(
    [
      sql('t.tenant_id = ?', [tenantId]),
      q.status ? sql('t.status = ?', [q.status]) : sql(''),
      q.assignee != null ? sql('t.assignee = ?', [q.assignee]) : sql(''),
      q.customerId ? sql('t.customer_id = ?', [q.customerId]) : sql(''),
      q.dueBefore ? sql('t.due_at < ?', [q.dueBefore]) : sql(''),
      q.overdue === true ? sql(`t.status = 'OPEN' and t.due_at < now()`) : q.overdue === false ? sql(`not (t.status = 'OPEN' and t.due_at < now())`) : sql(''),
    ],
    ' and ',
  );
  const keyset = keysetSql(keys, request, 't.id');
  const pageWhere: Sql = keyset.text ? joinSql([where, keyset], ' and ') : where;
  const rows = await em.execute<Record<string, any>[]>(
    `select t.* from follow_up t where ${pageWhere.text} order by ${orderSql(keys, request.backward, 't.id')} limit ?`,
    [...pageWhere.params, request.size + 1],
  );
  return buildConnection(FollowUpConnection, rows.map(toFollowUp), request, keys, async () => {
    const [{ count }] = await em.execute<{ count: number }[]>(`select count(*)::int as count from follow_up t where ${where.text}`, where.params);
    return Number(count);
  });
}

export async function getFollowUp(em: Em, tenantId: string, id: string): Promise<FollowUp> {
  if (!isUuid(id)) throw new BadUserInputError([{ path: 'id', message: 'is not a valid id' }]);
  const [row] = await em.execute<Record<string, any>[]>('select * from follow_up where tenant_id = ? and id = ?', [tenantId, id]);
  if (!row) throw new NotFoundError('FollowUp', id);
  return toFollowUp(row);
}

function requireOpen(followUp: FollowUp): void {
  if (followUp.status !== FollowUpStatus.OPEN) throw new ConflictError(`Follow-up ${followUp.id} is already ${followUp.status}`, { path: 'id', status: followUp.status });
}

const TYPE_BY_CHANNEL: Partial<Record<Channel, InteractionType>> = {
  [Channel.PHONE]: InteractionType.CALL,
  [Channel.EMAIL]: InteractionType.EMAIL,
  [Channel.IN_PERSON]: InteractionType.VISIT,
  [Channel.CHAT]: InteractionType.CHAT,
  [Channel.WECHAT]: InteractionType.CHAT,
  [Channel.SMS]: InteractionType.MESSAGE,
  [Channel.SOCIAL]: InteractionType.SOCIAL,
};

/** Records the contact as an Interaction (outbound, with its outcome) and closes the follow-up. Retrying returns the same result. */
export async function completeFollowUp(em: Em, principal: Principal, id: string, input: CompleteFollowUpInput): Promise<FollowUp> {
  const followUp = await getFollowUp(em, principal.tenantId, id);
  if (followUp.status === FollowUpStatus.DONE) return followUp;
  requireOpen(followUp);
  const errors = new InputErrors();
  const outcome = checkText(errors, 'input.outcome', input.outcome, LIMITS.shortText, { required: true });
  errors.throwIfAny();
  const channel = input.channel ?? followUp.channel;
  // The idempotency key ties the interaction to this follow-up: a retry never logs it twice.
  const interaction = await logInteraction(em, principal, {
    customerId: followUp.customerId,
    type: input.type ?? TYPE_BY_CHANNEL[channel] ?? InteractionType.NOTE,
    channel,
    direction: Direction.OUTBOUND,
    subject: input.subject ?? 'Contact plan follow-up',
    body: input.body ?? null,
    occurredAt: input.occurredAt ?? null,
    durationSeconds: input.durationSeconds ?? null,
    outcome,
    agent: followUp.assignee,
  }, `follow-up:${id}`);
  await em.execute(
    `update follow_up set status = 'DONE', outcome = ?, interaction_id = ?, closed_at = now(), updated_at = now() where tenant_id = ? and id = ? and status = 'OPEN'`,
    [outcome, interaction.id, principal.tenantId, id],
  );
  return getFollowUp(em, principal.tenantId, id);
}

function checkReason(reason: string): string {
  const errors = new InputErrors();
  const checked = checkText(errors, 'reason', reason, LIMITS.shortText, { required: true });
  errors.throwIfAny();
  return checked!;
}

export async function rescheduleFollowUp(em: Em, tenantId: string, id: string, dueAt: Date, reason: string): Promise<FollowUp> {
  const why = checkReason(reason);
  if (Number.isNaN(dueAt.getTime())) throw new BadUserInputError([{ path: 'dueAt', message: 'is not a valid date' }]);
  if (dueAt.getTime() < Date.now() - 60_000) throw new BadUserInputError([{ path: 'dueAt', message: 'must not be in the past' }]);
  requireOpen(await getFollowUp(em, tenantId, id));
  const done = await em.execute<{ id: string }[]>(
    `update follow_up set due_at = ?, reason = ?, reschedule_count = reschedule_count + 1, updated_at = now()
      where tenant_id = ? and id = ? and status = 'OPEN' returning id`,
    [dueAt, why, tenantId, id],
  );
  if (!done.length) throw new ConflictError(`Follow-up ${id} was closed meanwhile`, { path: 'id' });
  return getFollowUp(em, tenantId, id);
}

/** Skips this contact; the customer is not due again until a cadence after the skip. */
export async function skipFollowUp(em: Em, tenantId: string, id: string, reason: string): Promise<FollowUp> {
  const why = checkReason(reason);
  requireOpen(await getFollowUp(em, tenantId, id));
  const done = await em.execute<{ id: string }[]>(
    `update follow_up set status = 'SKIPPED', reason = ?, closed_at = now(), updated_at = now() where tenant_id = ? and id = ? and status = 'OPEN' returning id`,
    [why, tenantId, id],
  );
  if (!done.length) throw new ConflictError(`Follow-up ${id} was closed meanwhile`, { path: 'id' });
  return getFollowUp(em, tenantId, id);
}

/**
 * Per tier: active customers under a contact policy, and those whose last interaction before the
 * end of the period lies within their cadence; follow-ups completed in the period and overdue at its end.
 */
export async function contactCompliance(em: Em, tenantId: string, period: Period): Promise<ContactComplianceEntry[]> {
  const to = period.to;
  const rows = await em.execute<Record<string, any>[]>(
    `with applicable as (
       select distinct on (c.id) c.id as customer_id, ${effectiveTierSql('t')} as tier, p.cadence_days
         from customer c
         join contact_policy p on p.tenant_id = c.tenant_id and p.active
         left join customer_tier t on t.tenant_id = c.tenant_id and t.customer_id = c.id
        where c.tenant_id = ? and c.archived_at is null
          and ((p.tier is not null and p.tier = ${effectiveTierSql('t')})
            or (p.segment_id is not null and exists (
                  select 1 from segment_member sm where sm.tenant_id = c.tenant_id and sm.segment_id = p.segment_id and sm.customer_id = c.id)))
        order by c.id, p.priority desc, p.cadence_days, p.id)
     select a.tier, count(*)::int as customers,
            count(*) filter (where exists (
              select 1 from interaction i where i.tenant_id = ? and i.customer_id = a.customer_id
                and i.occurred_at <= ? and i.occurred_at > ?::timestamptz - make_interval(days => a.cadence_days)))::int as contacted,
            (select count(*) from follow_up f where f.tenant_id = ? and f.status = 'DONE' and f.closed_at >= ? and f.closed_at < ?
               and f.customer_id in (select b.customer_id from applicable b where b.tier is not distinct from a.tier))::int as completed,
            (select count(*) from follow_up f where f.tenant_id = ? and f.status = 'OPEN' and f.due_at < ?
               and f.customer_id in (select b.customer_id from applicable b where b.tier is not distinct from a.tier))::int as overdue
       from applicable a group by a.tier order by a.tier nulls last`,
    [tenantId, tenantId, to, to, tenantId, period.from, to, tenantId, to],
  );
  return rows.map((r) => Object.assign(new ContactComplianceEntry(), {
    tier: r.tier ?? null,
    customers: Number(r.customers),
    contactedWithinCadence: Number(r.contacted),
    share: Number(r.customers) ? Number(r.contacted) / Number(r.customers) : null,
    followUpsCompleted: Number(r.completed),
    followUpsOverdue: Number(r.overdue),
  }));
}
