import type { Em } from '../db/orm.js';
import { InputErrors } from '../graphql/errors.js';
import { CaseKind, CasePriority } from './case.entity.js';
import { SlaPolicy, type SlaPolicyInput } from './case.inputs.js';
import { defaultTargets, type SlaTargets } from './sla.js';

const MAX_MINUTES = 365 * 24 * 60;

interface PolicyRow {
  kind: CaseKind;
  priority: CasePriority;
  first_response_minutes: number;
  resolution_target_minutes: number;
  resolution_max_minutes: number;
}

function toPolicy(kind: CaseKind, priority: CasePriority, row: PolicyRow | undefined): SlaPolicy {
  const t = row
    ? { firstResponseMinutes: row.first_response_minutes, resolutionTargetMinutes: row.resolution_target_minutes, resolutionMaxMinutes: row.resolution_max_minutes }
    : defaultTargets(kind, priority);
  return Object.assign(new SlaPolicy(), { kind, priority, ...t, isDefault: !row });
}

/** Every kind × priority, the tenant's own where set, the default elsewhere. */
export async function listSlaPolicies(em: Em, tenantId: string): Promise<SlaPolicy[]> {
  const rows = await em.execute<PolicyRow[]>('select * from sla_policy where tenant_id = ?', [tenantId]);
  const byKey = new Map(rows.map((r) => [`${r.kind}:${r.priority}`, r]));
  return Object.values(CaseKind).flatMap((kind) =>
    Object.values(CasePriority).map((priority) => toPolicy(kind, priority, byKey.get(`${kind}:${priority}`))),
  );
}

export async function targetsFor(em: Em, tenantId: string, kind: CaseKind, priority: CasePriority): Promise<SlaTargets> {
  const [row] = await em.execute<PolicyRow[]>('select * from sla_policy where tenant_id = ? and kind = ? and priority = ?', [tenantId, kind, priority]);
  const p = toPolicy(kind, priority, row);
  return { firstResponseMinutes: p.firstResponseMinutes, resolutionTargetMinutes: p.resolutionTargetMinutes, resolutionMaxMinutes: p.resolutionMaxMinutes };
}

export async function setSlaPolicy(em: Em, tenantId: string, input: SlaPolicyInput): Promise<SlaPolicy> {
  const errors = new InputErrors();
  for (const field of ['firstResponseMinutes', 'resolutionTargetMinutes', 'resolutionMaxMinutes'] as const) {
    const v = input[field];
    if (!Number.isInteger(v) || v < 1 || v > MAX_MINUTES) errors.add(`input.${field}`, `must be a whole number of minutes from 1 to ${MAX_MINUTES} (a year)`);
  }
  if (!errors.any && input.resolutionMaxMinutes < input.resolutionTargetMinutes) {
    errors.add('input.resolutionMaxMinutes', 'must be at least resolutionTargetMinutes');
  }
  if (!errors.any && input.firstResponseMinutes > input.resolutionMaxMinutes) {
    errors.add('input.firstResponseMinutes', 'must not exceed resolutionMaxMinutes');
  }
  errors.throwIfAny();
  await em.execute(
    `insert into sla_policy (tenant_id, kind, priority, first_response_minutes, resolution_target_minutes, resolution_max_minutes)
     values (?, ?, ?, ?, ?, ?)
     on conflict (tenant_id, kind, priority) do update set first_response_minutes = excluded.first_response_minutes,
       resolution_target_minutes = excluded.resolution_target_minutes, resolution_max_minutes = excluded.resolution_max_minutes, updated_at = now()`,
    [tenantId, input.kind, input.priority, input.firstResponseMinutes, input.resolutionTargetMinutes, input.resolutionMaxMinutes],
  );
  return toPolicy(input.kind, input.priority, {
    kind: input.kind, priority: input.priority, first_response_minutes: input.firstResponseMinutes,
    resolution_target_minutes: input.resolutionTargetMinutes, resolution_max_minutes: input.resolutionMaxMinutes,
  });
}

export async function resetSlaPolicy(em: Em, tenantId: string, kind: CaseKind, priority: CasePriority): Promise<SlaPolicy> {
  await em.execute('delete from sla_policy where tenant_id = ? and kind = ? and priority = ?', [tenantId, kind, priority]);
  return toPolicy(kind, priority, undefined);
}
