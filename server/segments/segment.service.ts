import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Em } from '../db/orm.js';
import { isUuid, newId } from '../db/ids.js';
import { Customer } from '../customers/customer.entity.js';
import type { CustomerFilter } from '../customers/customer.inputs.js';
import { customerWhere, listCustomers } from '../customers/customer.service.js';
import { buildConnection, pageRequest, type PageArgs } from '../graphql/connection.js';
import { BadUserInputError, ConflictError, InputErrors, NotFoundError } from '../graphql/errors.js';
import { createOnce } from '../graphql/idempotency.js';
import { joinSql, keysetSql, orderSql, sql, type Sql, type SqlSortKey } from '../graphql/sql.js';
import { checkIdempotencyKey, checkText, LIMITS } from '../graphql/validate.js';
import { withoutJit } from '../metrics/aggregate.js';
import {
  ChurnRiskCount, MembershipChange, Segment, SegmentConnection, SegmentKind, SegmentMembershipEvent, SegmentPreview, SegmentRefreshResult,
  SegmentStats, type CreateSegmentInput, type UpdateSegmentInput,
} from './segment.types.js';

const MAX_IDS = 1000;

function toSegment(row: Record<string, any>): Segment {
  const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  return Object.assign(new Segment(), {
    id: row.id, tenantId: row.tenant_id, name: row.name, description: row.description ?? null, kind: row.kind,
    rule: row.rule == null ? null : parse(row.rule), sourceSegmentId: row.source_segment_id ?? null, size: Number(row.member_count),
    refreshedAt: row.refreshed_at ? new Date(row.refreshed_at) : null, frozenAt: row.frozen_at ? new Date(row.frozen_at) : null,
    version: Number(row.version), archivedAt: row.archived_at ? new Date(row.archived_at) : null,
    createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at),
  });
}

/** A rule as stored: the filter input as plain JSON (dates as ISO strings), nothing undefined. */
function ruleJson(rule: CustomerFilter): Record<string, unknown> {
  return JSON.parse(JSON.stringify(rule)) as Record<string, unknown>;
}

/** Compiles a rule (checking operators and values, errors under `path`) to the where of one statement. */
export function ruleWhere(tenantId: string, rule: CustomerFilter | Record<string, unknown> | null, path: string): Sql {
  return customerWhere(tenantId, (rule ?? {}) as CustomerFilter, path);
}

export async function getSegment(em: Em, tenantId: string, id: string, path = 'id'): Promise<Segment> {
  if (!isUuid(id)) throw new BadUserInputError([{ path, message: 'is not a valid id' }]);
  const [row] = await em.execute<Record<string, any>[]>('select * from segment where tenant_id = ? and id = ?', [tenantId, id]);
  if (!row) throw new NotFoundError('Segment', id);
  return toSegment(row);
}

/** Batch: segments by id (archived ones included), in one statement. */
export async function segmentsByIds(em: Em, tenantId: string, ids: readonly string[]): Promise<(Segment | null)[]> {
  const valid = ids.filter(isUuid);
  if (!valid.length) return ids.map(() => null);
  const rows = await em.execute<Record<string, any>[]>(
    `select * from segment where tenant_id = ? and id in (${valid.map(() => '?').join(', ')})`,
    [tenantId, ...valid],
  );
  const byId = new Map(rows.map((r) => [String(r.id), toSegment(r)]));
  return ids.map((id) => byId.get(id) ?? null);
}

export async function listSegments(em: Em, tenantId: string, kind: SegmentKind | null | undefined, includeArchived: boolean, page: PageArgs) {
  const keys: SqlSortKey[] = [{ expr: 't.created_at', prop: 'createdAt', kind: 'date', desc: true }];
  const request = pageRequest(page, 2);
  const where = joinSql(
    [sql('t.tenant_id = ?', [tenantId]), kind ? sql('t.kind = ?', [kind]) : sql(''), includeArchived ? sql('') : sql('t.archived_at is null')],
    ' and ',
  );
  const keyset = keysetSql(keys, request, 't.id');
  const pageWhere = keyset.text ? joinSql([where, keyset], ' and ') : where;
  const rows = await em.execute<Record<string, any>[]>(
    `select t.* from segment t where ${pageWhere.text} order by ${orderSql(keys, request.backward, 't.id')} limit ?`,
    [...pageWhere.params, request.size + 1],
  );
  return buildConnection(SegmentConnection, rows.map(toSegment), request, keys, async () => {
    const [{ count }] = await em.execute<{ count: number }[]>(`select count(*)::int as count from segment t where ${where.text}`, where.params);
    return Number(count);
  });
}

// ---------- evaluating ----------

/**
 * Brings a segment's members in line with `target` (customer ids selected over alias `c`) in ONE
 * statement: new matches enter, members no longer matching exit, both are written to the history,
 * and the segment's size and refresh time are updated. Set-based whatever the tenant's size.
 */
async function syncMembers(em: Em, tenantId: string, segmentId: string, target: Sql, at: Date, mode: 'sync' | 'add' | 'remove'): Promise<{ entered: number; exited: number }> {
  const parts: string[] = [`target as materialized (${target.text})`];
  const params: unknown[] = [...target.params];
  if (mode === 'remove') {
    parts.push(`entered as (select null::uuid as customer_id where false)`);
    parts.push(`exited as (
      delete from segment_member m using target t where m.tenant_id = ? and m.segment_id = ? and m.customer_id = t.id
      returning m.customer_id)`);
    params.push(tenantId, segmentId);
  } else {
    // A full join is always a hash or merge join: the set difference stays O(n log n) whatever
    // the planner's row estimates (a nested-loop anti join over a fresh table would be O(n²)).
    parts.push(`diff as materialized (
      select t.id as new_id, m.customer_id as old_id
        from target t
        full join (select customer_id from segment_member where tenant_id = ? and segment_id = ?) m on m.customer_id = t.id
       where t.id is null or m.customer_id is null)`);
    params.push(tenantId, segmentId);
    parts.push(`entered as (
      insert into segment_member (tenant_id, segment_id, customer_id, added_at)
      select ?::uuid, ?::uuid, d.new_id, ?::timestamptz from diff d where d.new_id is not null
      on conflict do nothing returning customer_id)`);
    params.push(tenantId, segmentId, at);
    if (mode === 'sync') {
      // = any(array(…)): always lookups in the primary key, whatever the (possibly missing)
      // statistics of segment_member say; a join here can turn into a nested loop over all members.
      parts.push(`exited as (
        delete from segment_member m
         where m.tenant_id = ? and m.segment_id = ? and m.customer_id = any(array(select d.old_id from diff d where d.new_id is null))
        returning m.customer_id)`);
      params.push(tenantId, segmentId);
    } else parts.push(`exited as (select null::uuid as customer_id where false)`);
  }
  parts.push(`events as (
    insert into segment_membership_event (tenant_id, segment_id, customer_id, occurred_at, change)
    select ?::uuid, ?::uuid, customer_id, ?::timestamptz, 'ENTERED' from entered
    union all select ?::uuid, ?::uuid, customer_id, ?::timestamptz, 'EXITED' from exited
    returning change)`);
  params.push(tenantId, segmentId, at, tenantId, segmentId, at);
  // One statement over every customer of the tenant: JIT compiling would cost 0.2–0.4 s of it.
  const [row] = await withoutJit(em, (tx) => tx.execute<{ entered: number; exited: number }[]>(
    `with ${parts.join(',\n')}
     select (select count(*) from events where change = 'ENTERED')::int as entered,
            (select count(*) from events where change = 'EXITED')::int as exited`,
    params,
  ));
  const entered = Number(row.entered);
  const exited = Number(row.exited);
  await em.execute(
    `update segment set member_count = member_count + ? - ?, refreshed_at = ?, updated_at = ? where tenant_id = ? and id = ?`,
    [entered, exited, at, at, tenantId, segmentId],
  );
  return { entered, exited };
}

function ruleTarget(tenantId: string, rule: Record<string, unknown> | CustomerFilter | null, path: string): Sql {
  const where = ruleWhere(tenantId, rule, path);
  return sql(`select c.id from customer c where ${where.text}`, where.params);
}

export async function refreshSegment(em: Em, tenantId: string, id: string, at = new Date()): Promise<SegmentRefreshResult> {
  const segment = await getSegment(em, tenantId, id);
  if (segment.kind !== SegmentKind.DYNAMIC) {
    throw new ConflictError(`Segment ${id} is ${segment.kind}; only DYNAMIC segments are refreshed`, { path: 'id' });
  }
  if (segment.archivedAt) throw new ConflictError(`Segment ${id} is archived`, { path: 'id' });
  const counts = await syncMembers(em, tenantId, id, ruleTarget(tenantId, segment.rule, 'rule'), at, 'sync');
  return Object.assign(new SegmentRefreshResult(), { segment: await getSegment(em, tenantId, id), ...counts });
}

/** Refreshes every active DYNAMIC segment of a tenant (on demand, and after each metrics recompute). */
export async function refreshAllSegments(em: Em, tenantId: string, at = new Date()): Promise<number> {
  const rows = await em.execute<{ id: string }[]>(
    `select id from segment where tenant_id = ? and kind = 'DYNAMIC' and archived_at is null order by created_at, id`,
    [tenantId],
  );
  for (const { id } of rows) await refreshSegment(em, tenantId, id, at);
  return rows.length;
}

export async function previewSegment(em: Em, tenantId: string, rule: CustomerFilter, sampleSize: number): Promise<SegmentPreview> {
  if (sampleSize < 0 || sampleSize > 100) throw new BadUserInputError([{ path: 'sampleSize', message: 'must be between 0 and 100' }]);
  const where = ruleWhere(tenantId, rule, 'rule');
  // Both statements read up to every customer: without JIT, whose compile time is most of a preview at 100k.
  const { count, rows } = await withoutJit(em, async (tx) => {
    const [{ count }] = await tx.execute<{ count: number }[]>(`select count(*)::int as count from customer c where ${where.text}`, where.params);
    const rows = sampleSize
      ? await tx.execute<Record<string, unknown>[]>(`select c.* from customer c where ${where.text} order by c.created_at desc, c.id desc limit ?`, [...where.params, sampleSize])
      : [];
    return { count, rows };
  });
  return Object.assign(new SegmentPreview(), { count: Number(count), sample: rows.map((r) => em.map(Customer, r as never)) });
}

// ---------- writing ----------

function checkName(errors: InputErrors, path: string, name: string | null | undefined): string | undefined {
  return checkText(errors, path, name, LIMITS.shortText, { required: true }) ?? undefined;
}

async function ensureNameFree(em: Em, tenantId: string, name: string, exceptId: string | null): Promise<void> {
  const [row] = await em.execute<{ id: string }[]>(
    'select id from segment where tenant_id = ? and lower(name) = lower(?) and archived_at is null',
    [tenantId, name],
  );
  if (row && row.id !== exceptId) throw new ConflictError(`A segment named "${name}" already exists`, { path: 'input.name', existingId: row.id });
}

/** Two writers raced for one name: the unique index decided, report it like the pre-check does. */
function nameConflict(error: unknown, name: string): never {
  if (error instanceof UniqueConstraintViolationException && /segment_name_idx/.test(error.message)) {
    throw new ConflictError(`A segment named "${name}" already exists`, { path: 'input.name' });
  }
  throw error;
}

async function checkCustomerIds(em: Em, tenantId: string, ids: string[], path: string): Promise<void> {
  const errors = new InputErrors();
  if (ids.length > MAX_IDS) errors.add(path, `takes at most ${MAX_IDS} ids per call`);
  ids.forEach((id, i) => {
    if (!isUuid(id)) errors.add(`${path}.${i}`, 'is not a valid id');
  });
  errors.throwIfAny();
  if (!ids.length) return;
  const found = await em.execute<{ id: string }[]>(
    `select id from customer where tenant_id = ? and id in (${ids.map(() => '?').join(', ')})`,
    [tenantId, ...ids],
  );
  const known = new Set(found.map((r) => r.id));
  ids.forEach((id, i) => {
    if (!known.has(id)) errors.add(`${path}.${i}`, 'is not a customer of this tenant');
  });
  errors.throwIfAny();
}

function idsTarget(tenantId: string, ids: string[]): Sql {
  return sql(`select c.id from customer c where c.tenant_id = ? and c.id in (${ids.map(() => '?').join(', ')})`, [tenantId, ...ids]);
}

export async function createSegment(em: Em, tenantId: string, input: CreateSegmentInput, idempotencyKey: string | null | undefined): Promise<Segment> {
  const errors = new InputErrors();
  checkIdempotencyKey(errors, 'idempotencyKey', idempotencyKey);
  const name = checkName(errors, 'input.name', input.name);
  const description = checkText(errors, 'input.description', input.description, LIMITS.notes) ?? null;
  const hasRule = input.rule != null;
  if (input.kind === SegmentKind.STATIC && hasRule) errors.add('input.rule', 'is not allowed for a STATIC segment; add members by filter instead');
  if (input.kind !== SegmentKind.STATIC && !hasRule) errors.add('input.rule', `is required for a ${input.kind} segment`);
  if (input.kind !== SegmentKind.STATIC && input.customerIds?.length) errors.add('input.customerIds', 'is only for STATIC segments');
  errors.throwIfAny();
  // Compile now: an unknown field, a wrong operator or a bad value is reported before anything is saved.
  if (hasRule) ruleWhere(tenantId, input.rule!, 'input.rule');
  if (input.customerIds?.length) await checkCustomerIds(em, tenantId, input.customerIds, 'input.customerIds');
  const { id } = await createOnce(
    em,
    { tenantId, scope: 'createSegment', key: idempotencyKey, request: input, id: newId() },
    async (tx, segmentId) => {
      await ensureNameFree(tx, tenantId, name!, null);
      const at = new Date();
      await tx.execute(
        `insert into segment (tenant_id, id, name, description, kind, rule, member_count, frozen_at, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?::jsonb, 0, ?, ?, ?)`,
        [tenantId, segmentId, name, description, input.kind, hasRule ? JSON.stringify(ruleJson(input.rule!)) : null,
          input.kind === SegmentKind.SNAPSHOT ? at : null, at, at],
      );
      if (hasRule) await syncMembers(tx as Em, tenantId, segmentId, ruleTarget(tenantId, input.rule!, 'input.rule'), at, 'sync');
      else if (input.customerIds?.length) await syncMembers(tx as Em, tenantId, segmentId, idsTarget(tenantId, input.customerIds), at, 'add');
    },
  ).catch((error) => nameConflict(error, name!));
  return getSegment(em, tenantId, id);
}

export async function updateSegment(em: Em, tenantId: string, id: string, version: number, input: UpdateSegmentInput): Promise<Segment> {
  const segment = await getSegment(em, tenantId, id);
  if (segment.version !== version) {
    throw new ConflictError(`Segment ${id} is at version ${segment.version}, not ${version}; read it again and retry`, { path: 'version', currentVersion: segment.version });
  }
  const errors = new InputErrors();
  const name = input.name !== undefined ? checkName(errors, 'input.name', input.name) : undefined;
  const description = input.description !== undefined ? (checkText(errors, 'input.description', input.description, LIMITS.notes) ?? null) : undefined;
  if (input.rule != null && segment.kind !== SegmentKind.DYNAMIC) errors.add('input.rule', `cannot change on a ${segment.kind} segment`);
  errors.throwIfAny();
  if (input.rule != null) ruleWhere(tenantId, input.rule, 'input.rule');
  if (name && name.toLowerCase() !== segment.name.toLowerCase()) await ensureNameFree(em, tenantId, name, id);
  const updated = await em.execute<{ id: string }[]>(
    `update segment set name = coalesce(?, name), description = case when ? then ? else description end,
            rule = coalesce(?::jsonb, rule), version = version + 1, updated_at = now()
      where tenant_id = ? and id = ? and version = ? returning id`,
    [name ?? null, description !== undefined, description ?? null, input.rule != null ? JSON.stringify(ruleJson(input.rule)) : null, tenantId, id, version],
  ).catch((error) => nameConflict(error, name ?? segment.name));
  if (!updated.length) throw new ConflictError(`Segment ${id} was changed by someone else; read it again and retry`, { path: 'version' });
  if (input.rule != null) await refreshSegment(em, tenantId, id);
  return getSegment(em, tenantId, id);
}

/** Archives (restorable with restoreSegment); members and history are kept. */
export async function setSegmentArchived(em: Em, tenantId: string, id: string, archived: boolean): Promise<Segment> {
  const segment = await getSegment(em, tenantId, id);
  if (!archived && segment.archivedAt) await ensureNameFree(em, tenantId, segment.name, id);
  await em.execute(
    `update segment set archived_at = ${archived ? 'coalesce(archived_at, now())' : 'null'}, version = version + 1, updated_at = now() where tenant_id = ? and id = ?`,
    [tenantId, id],
  );
  return getSegment(em, tenantId, id);
}

/** Freezes a segment's current members into a new SNAPSHOT segment. */
export async function snapshotSegment(em: Em, tenantId: string, id: string, name: string): Promise<Segment> {
  const source = await getSegment(em, tenantId, id);
  const errors = new InputErrors();
  const checked = checkName(errors, 'name', name);
  errors.throwIfAny();
  await ensureNameFree(em, tenantId, checked!, null);
  const snapshotId = newId();
  const at = new Date();
  await em.transactional(async (tx) => {
    await tx.execute(
      `insert into segment (tenant_id, id, name, description, kind, rule, source_segment_id, member_count, frozen_at, refreshed_at, created_at, updated_at)
       select tenant_id, ?, ?, description, 'SNAPSHOT', rule, id, member_count, ?, ?, ?, ? from segment where tenant_id = ? and id = ?`,
      [snapshotId, checked, at, at, at, at, tenantId, id],
    );
    await tx.execute(
      `insert into segment_member (tenant_id, segment_id, customer_id, added_at) select tenant_id, ?, customer_id, ? from segment_member where tenant_id = ? and segment_id = ?`,
      [snapshotId, at, tenantId, source.id],
    );
    await tx.execute(
      `insert into segment_membership_event (tenant_id, segment_id, customer_id, occurred_at, change)
       select tenant_id, ?, customer_id, ?, 'ENTERED' from segment_member where tenant_id = ? and segment_id = ?`,
      [snapshotId, at, tenantId, snapshotId],
    );
  });
  return getSegment(em, tenantId, snapshotId);
}

/** STATIC segments: adds or removes members by id and/or by filter, in bulk (one statement each). */
export async function changeStaticMembers(
  em: Em,
  tenantId: string,
  id: string,
  customerIds: string[] | null | undefined,
  filter: CustomerFilter | null | undefined,
  mode: 'add' | 'remove',
): Promise<SegmentRefreshResult> {
  const segment = await getSegment(em, tenantId, id);
  if (segment.kind !== SegmentKind.STATIC) throw new ConflictError(`Segment ${id} is ${segment.kind}; only STATIC segments take members by hand`, { path: 'id' });
  if (!customerIds?.length && !filter) throw new BadUserInputError([{ path: 'customerIds', message: 'give customerIds, a filter, or both' }]);
  if (customerIds?.length) await checkCustomerIds(em, tenantId, customerIds, 'customerIds');
  const filterTarget = filter ? ruleTarget(tenantId, filter, 'filter') : null;
  const at = new Date();
  let entered = 0;
  let exited = 0;
  await em.transactional(async (tx) => {
    for (const target of [customerIds?.length ? idsTarget(tenantId, customerIds) : null, filterTarget]) {
      if (!target) continue;
      const counts = await syncMembers(tx as Em, tenantId, id, target, at, mode);
      entered += counts.entered;
      exited += counts.exited;
    }
  });
  return Object.assign(new SegmentRefreshResult(), { segment: await getSegment(em, tenantId, id), entered, exited });
}

// ---------- reading members ----------

export function listMembers(em: Em, segment: Segment, filter: CustomerFilter | null | undefined, page: PageArgs) {
  return listCustomers(em, segment.tenantId, filter, null, page, {
    scope: sql(
      'exists (select 1 from segment_member sm where sm.tenant_id = c.tenant_id and sm.segment_id = ? and sm.customer_id = c.id)',
      [segment.id],
    ),
  });
}

/** Members at an instant: each customer's last entry or exit at or before it. */
export function listMembersAt(em: Em, segment: Segment, at: Date, page: PageArgs) {
  if (Number.isNaN(at.getTime())) throw new BadUserInputError([{ path: 'at', message: 'is not a valid date' }]);
  return listCustomers(em, segment.tenantId, null, null, page, {
    scope: sql(
      `c.id in (select e.customer_id from (
          select distinct on (e.customer_id) e.customer_id, e.change from segment_membership_event e
           where e.tenant_id = c.tenant_id and e.segment_id = ? and e.occurred_at <= ?
           order by e.customer_id, e.occurred_at desc, e.change desc) e
        where e.change = 'ENTERED')`,
      [segment.id, at],
    ),
  });
}

export async function listChanges(em: Em, segment: Segment, since: Date, first: number): Promise<SegmentMembershipEvent[]> {
  if (first < 1 || first > 1000) throw new BadUserInputError([{ path: 'first', message: 'must be between 1 and 1000' }]);
  const rows = await em.execute<{ customer_id: string; change: MembershipChange; occurred_at: string }[]>(
    `select customer_id, change, occurred_at from segment_membership_event
      where tenant_id = ? and segment_id = ? and occurred_at >= ? order by occurred_at, change, customer_id limit ?`,
    [segment.tenantId, segment.id, since, first],
  );
  return rows.map((r) => Object.assign(new SegmentMembershipEvent(), { customerId: r.customer_id, change: r.change, occurredAt: new Date(r.occurred_at) }));
}

/** Batch: each customer's current (non-archived) segments, by name. */
export async function segmentsOfCustomers(em: Em, tenantId: string, customerIds: readonly string[]): Promise<Segment[][]> {
  const rows = await em.execute<Record<string, any>[]>(
    `select sm.customer_id as member_id__, s.* from segment_member sm join segment s on s.tenant_id = sm.tenant_id and s.id = sm.segment_id
      where sm.tenant_id = ? and sm.customer_id in (${customerIds.map(() => '?').join(', ')}) and s.archived_at is null
      order by s.name, s.id`,
    [tenantId, ...customerIds],
  );
  const grouped = new Map<string, Segment[]>(customerIds.map((id) => [id, []]));
  for (const row of rows) grouped.get(String(row.member_id__))?.push(toSegment(row));
  return customerIds.map((id) => grouped.get(id)!);
}

export async function segmentStats(em: Em, segment: Segment): Promise<SegmentStats> {
  const params = [segment.tenantId, segment.id];
  const [row] = await em.execute<Record<string, any>[]>(
    `with members as (select customer_id from segment_member where tenant_id = ? and segment_id = ?)
     select (select count(*) from members)::int as size,
            coalesce((select sum(m.total_spend) from customer_metrics m join members x on x.customer_id = m.customer_id where m.tenant_id = ?), 0)::text as revenue,
            (select sum(m.total_spend) from customer_metrics m where m.tenant_id = ?)::text as tenant_revenue,
            (select avg(m.predicted_clv) from customer_metrics m join members x on x.customer_id = m.customer_id where m.tenant_id = ? and m.predicted_clv is not null)::numeric(19, 2)::text as avg_clv`,
    [...params, segment.tenantId, segment.tenantId, segment.tenantId],
  );
  const mix = await em.execute<{ level: string; customers: number }[]>(
    `select coalesce(m.churn_level, 'NONE') as level, count(*)::int as customers
       from segment_member x left join customer_metrics m on m.tenant_id = x.tenant_id and m.customer_id = x.customer_id
      where x.tenant_id = ? and x.segment_id = ? group by 1 order by 1`,
    params,
  );
  const [nps] = await em.execute<{ promoters: number; detractors: number; answers: number }[]>(
    `select count(*) filter (where score >= 9)::int as promoters, count(*) filter (where score <= 6)::int as detractors, count(*)::int as answers
       from (select distinct on (r.customer_id) r.score from survey_response r
               join survey s on s.tenant_id = r.tenant_id and s.id = r.survey_id and s.kind = 'NPS'
               join segment_member x on x.tenant_id = r.tenant_id and x.customer_id = r.customer_id and x.segment_id = ?
              where r.tenant_id = ? and r.score is not null
              order by r.customer_id, r.completed_at desc nulls last) latest`,
    [segment.id, segment.tenantId],
  );
  const size = Number(row.size);
  const tenantRevenue = row.tenant_revenue == null ? 0 : Number(row.tenant_revenue);
  const answers = Number(nps?.answers ?? 0);
  return Object.assign(new SegmentStats(), {
    size,
    revenue: row.revenue,
    revenueShare: tenantRevenue > 0 ? Number(row.revenue) / tenantRevenue : null,
    averagePredictedClv: row.avg_clv ?? null,
    churnRiskMix: mix.map((m) => Object.assign(new ChurnRiskCount(), { level: m.level, customers: Number(m.customers), share: size ? Number(m.customers) / size : 0 })),
    averageNps: answers ? Math.round(((Number(nps.promoters) - Number(nps.detractors)) / answers) * 1000) / 10 : null,
    npsResponses: answers,
  });
}
