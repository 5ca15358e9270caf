import type { Em } from '../db/orm.js';
import type { CustomerFilter } from '../customers/customer.inputs.js';
import { customerConditions, getCustomer } from '../customers/customer.service.js';
import { BadUserInputError, InputErrors } from '../graphql/errors.js';
import { sql, type Sql } from '../graphql/sql.js';
import { withJoinedMetrics } from '../metrics/metrics.service.js';
import { withoutJit } from '../metrics/aggregate.js';
import { checkText, LIMITS } from '../graphql/validate.js';
import {
  CustomerTier, TierChange, TierDistributionEntry, TierOverride, TierPolicy, TierRefreshResult, TierRule, type TierChangeSource, type TierRuleInput,
} from './tier.types.js';

const TIER_NAME = /^[A-Z][A-Z0-9_]{0,39}$/;
const MAX_RULES = 20;

/** The built-in policy, from the value metrics: Pareto KEY customers are VIP, GROWTH are REGULAR. */
export const DEFAULT_TIER_RULES: { tier: string; rule: Record<string, unknown> }[] = [
  { tier: 'VIP', rule: { metrics: { valueTier: { eq: 'KEY' } } } },
  { tier: 'REGULAR', rule: { metrics: { valueTier: { eq: 'GROWTH' } } } },
  { tier: 'POTENTIAL', rule: { or: [{ metrics: { lifecycleStage: { in: ['PROSPECT', 'NEW', 'GROWING', 'WON_BACK'] } } }, { orderCount: { eq: 0 } }] } },
  { tier: 'LOW_VALUE', rule: {} },
];

/** The tier a customer has now, over alias `t` of customer_tier: an unexpired override wins. */
export function effectiveTierSql(t: string): string {
  return `(case when ${t}.override_tier is not null and (${t}.override_expires_at is null or ${t}.override_expires_at > now()) then ${t}.override_tier else ${t}.computed_tier end)`;
}

async function policyRow(em: Em, tenantId: string): Promise<{ rules: TierRule[]; isDefault: boolean; updatedAt: Date | null }> {
  const [row] = await em.execute<{ rules: unknown; updated_at: string }[]>('select rules, updated_at from tier_policy where tenant_id = ?', [tenantId]);
  const raw = row ? ((typeof row.rules === 'string' ? JSON.parse(row.rules) : row.rules) as { tier: string; rule: Record<string, unknown> }[]) : DEFAULT_TIER_RULES;
  return {
    rules: raw.map((r) => Object.assign(new TierRule(), r)),
    isDefault: !row,
    updatedAt: row ? new Date(row.updated_at) : null,
  };
}

export async function getTierPolicy(em: Em, tenantId: string): Promise<TierPolicy> {
  return Object.assign(new TierPolicy(), await policyRow(em, tenantId));
}

/** `case when <rule 1> then 'VIP' when … end` over alias `c`: every customer's tier in one expression. */
function tierCase(rules: { tier: string; rule: Record<string, unknown> | CustomerFilter }[], path: string): Sql {
  const params: unknown[] = [];
  const whens = rules.map((r, i) => {
    const cond = customerConditions(r.rule as CustomerFilter, `${path}.${i}.rule`);
    params.push(...cond.params, r.tier);
    return `when ${cond.text || 'true'} then ?::text`;
  });
  return sql(whens.length ? `case ${whens.join(' ')} end` : 'null::text', params);
}

export async function setTierPolicy(em: Em, tenantId: string, rules: TierRuleInput[]): Promise<TierPolicy> {
  const errors = new InputErrors();
  if (!rules.length) errors.add('rules', 'needs at least one rule');
  if (rules.length > MAX_RULES) errors.add('rules', `takes at most ${MAX_RULES} rules`);
  rules.forEach((r, i) => {
    if (!TIER_NAME.test(r.tier)) errors.add(`rules.${i}.tier`, 'must be upper-case letters, digits and _ (at most 40), starting with a letter');
  });
  errors.throwIfAny();
  tierCase(rules, 'rules'); // compiles every rule: bad fields, operators or values are reported with their path
  const json = JSON.stringify(rules.map((r) => ({ tier: r.tier, rule: JSON.parse(JSON.stringify(r.rule)) })));
  await em.execute(
    `insert into tier_policy (tenant_id, rules, updated_at) values (?, ?::jsonb, now())
     on conflict (tenant_id) do update set rules = excluded.rules, updated_at = excluded.updated_at`,
    [tenantId, json],
  );
  await refreshTiers(em, tenantId);
  return getTierPolicy(em, tenantId);
}

export async function resetTierPolicy(em: Em, tenantId: string): Promise<TierPolicy> {
  await em.execute('delete from tier_policy where tenant_id = ?', [tenantId]);
  await refreshTiers(em, tenantId);
  return getTierPolicy(em, tenantId);
}

/**
 * Assigns every active customer the tier of the first rule it matches, in ONE statement, and
 * records each change of computed tier in the history.
 */
export async function refreshTiers(em: Em, tenantId: string, at = new Date()): Promise<TierRefreshResult> {
  const { rules } = await policyRow(em, tenantId);
  // Metric conditions test the one joined metrics row (a hash join), not an EXISTS per customer and rule.
  const { result: tier, used } = withJoinedMetrics('tm', () => tierCase(rules, 'policy.rules'));
  const join = used ? 'left join customer_metrics tm on tm.tenant_id = c.tenant_id and tm.customer_id = c.id' : '';
  // One statement over every customer: its plan cost is far above jit_above_cost, and compiling it would cost more than it saves.
  const [row] = await withoutJit(em, (tx) => tx.execute<{ customers: number; changed: number }[]>(
    `with computed as materialized (
       select c.id as customer_id, ${tier.text} as tier from customer c ${join} where c.tenant_id = ? and c.archived_at is null),
     prev as (select customer_id, computed_tier from customer_tier where tenant_id = ?),
     changed as (
       select x.customer_id, p.computed_tier as from_tier, x.tier as to_tier
         from computed x left join prev p on p.customer_id = x.customer_id
        where p.customer_id is null or p.computed_tier is distinct from x.tier),
     upserted as (
       insert into customer_tier (tenant_id, customer_id, computed_tier, computed_at)
       select ?::uuid, customer_id, to_tier, ?::timestamptz from changed
       on conflict (tenant_id, customer_id) do update set computed_tier = excluded.computed_tier, computed_at = excluded.computed_at
       returning customer_id),
     history as (
       insert into customer_tier_history (tenant_id, customer_id, occurred_at, source, from_tier, to_tier)
       select ?::uuid, customer_id, ?::timestamptz, 'COMPUTED', from_tier, to_tier from changed where from_tier is distinct from to_tier
       returning customer_id)
     select (select count(*) from computed)::int as customers, (select count(*) from history)::int as changed,
            (select count(*) from upserted)::int as written`,
    [...tier.params, tenantId, tenantId, tenantId, at, tenantId, at],
  ));
  return Object.assign(new TierRefreshResult(), { customers: Number(row.customers), changed: Number(row.changed) });
}

function checkTierName(errors: InputErrors, path: string, tier: string): void {
  if (!TIER_NAME.test(tier)) errors.add(path, 'must be upper-case letters, digits and _ (at most 40), starting with a letter');
}

export async function setTierOverride(
  em: Em, tenantId: string, customerId: string, tier: string, reason: string, expiresAt: Date | null | undefined,
): Promise<CustomerTier> {
  const errors = new InputErrors();
  checkTierName(errors, 'tier', tier);
  const why = checkText(errors, 'reason', reason, LIMITS.shortText, { required: true });
  if (expiresAt && (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now())) errors.add('expiresAt', 'must be in the future');
  errors.throwIfAny();
  await getCustomer(em, tenantId, customerId, 'customerId');
  const at = new Date();
  await em.transactional(async (tx) => {
    const [prev] = await tx.execute<{ tier: string | null }[]>(
      `select ${effectiveTierSql('t')} as tier from customer_tier t where t.tenant_id = ? and t.customer_id = ?`,
      [tenantId, customerId],
    );
    await tx.execute(
      `insert into customer_tier (tenant_id, customer_id, computed_tier, computed_at, override_tier, override_reason, override_expires_at, override_set_at)
       values (?, ?, null, ?, ?, ?, ?, ?)
       on conflict (tenant_id, customer_id) do update set override_tier = excluded.override_tier, override_reason = excluded.override_reason,
         override_expires_at = excluded.override_expires_at, override_set_at = excluded.override_set_at`,
      [tenantId, customerId, at, tier, why, expiresAt ?? null, at],
    );
    await tx.execute(
      `insert into customer_tier_history (tenant_id, customer_id, occurred_at, source, from_tier, to_tier, reason) values (?, ?, ?, 'OVERRIDE', ?, ?, ?)`,
      [tenantId, customerId, at, prev?.tier ?? null, tier, why],
    );
  });
  return (await tiersOfCustomers(em, tenantId, [customerId]))[0]!;
}

export async function clearTierOverride(em: Em, tenantId: string, customerId: string, reason: string | null | undefined): Promise<CustomerTier | null> {
  const errors = new InputErrors();
  const why = checkText(errors, 'reason', reason, LIMITS.shortText) ?? null;
  errors.throwIfAny();
  await getCustomer(em, tenantId, customerId, 'customerId');
  const at = new Date();
  await em.transactional(async (tx) => {
    const [prev] = await tx.execute<{ override_tier: string | null; computed_tier: string | null }[]>(
      'select override_tier, computed_tier from customer_tier where tenant_id = ? and customer_id = ? for update',
      [tenantId, customerId],
    );
    if (!prev?.override_tier) return;
    await tx.execute(
      `update customer_tier set override_tier = null, override_reason = null, override_expires_at = null, override_set_at = null where tenant_id = ? and customer_id = ?`,
      [tenantId, customerId],
    );
    await tx.execute(
      `insert into customer_tier_history (tenant_id, customer_id, occurred_at, source, from_tier, to_tier, reason) values (?, ?, ?, 'OVERRIDE_CLEARED', ?, ?, ?)`,
      [tenantId, customerId, at, prev.override_tier, prev.computed_tier, why],
    );
  });
  return (await tiersOfCustomers(em, tenantId, [customerId]))[0];
}

/** Batch: each customer's tier (null when never assigned), in key order. */
export async function tiersOfCustomers(em: Em, tenantId: string, customerIds: readonly string[]): Promise<(CustomerTier | null)[]> {
  const rows = await em.execute<Record<string, any>[]>(
    `select t.*, ${effectiveTierSql('t')} as tier, (t.override_tier is not null and (t.override_expires_at is null or t.override_expires_at > now())) as override_active
       from customer_tier t where t.tenant_id = ? and t.customer_id in (${customerIds.map(() => '?').join(', ')})`,
    [tenantId, ...customerIds],
  );
  const byId = new Map(rows.map((r) => [String(r.customer_id), r]));
  return customerIds.map((id) => {
    const r = byId.get(id);
    if (!r) return null;
    return Object.assign(new CustomerTier(), {
      customerId: id,
      tier: r.tier ?? null,
      computedTier: r.computed_tier ?? null,
      computedAt: new Date(r.computed_at),
      override: r.override_active
        ? Object.assign(new TierOverride(), {
          tier: r.override_tier, reason: r.override_reason, expiresAt: r.override_expires_at ? new Date(r.override_expires_at) : null, setAt: new Date(r.override_set_at),
        })
        : null,
    });
  });
}

/** Batch: the newest `first` tier changes of each customer, one statement (window function). */
export async function tierHistoryOfCustomers(em: Em, tenantId: string, customerIds: readonly string[], first: number): Promise<TierChange[][]> {
  const rows = await em.execute<Record<string, any>[]>(
    `select * from (
       select h.*, row_number() over (partition by h.customer_id order by h.occurred_at desc, h.source desc) as n__
         from customer_tier_history h where h.tenant_id = ? and h.customer_id in (${customerIds.map(() => '?').join(', ')})) x
      where n__ <= ? order by customer_id, n__`,
    [tenantId, ...customerIds, first],
  );
  const grouped = new Map<string, TierChange[]>(customerIds.map((id) => [id, []]));
  for (const r of rows) {
    grouped.get(String(r.customer_id))?.push(Object.assign(new TierChange(), {
      occurredAt: new Date(r.occurred_at), source: r.source as TierChangeSource, fromTier: r.from_tier ?? null, toTier: r.to_tier ?? null, reason: r.reason ?? null,
    }));
  }
  return customerIds.map((id) => grouped.get(id)!);
}

export function checkHistoryFirst(first: number): void {
  if (first < 1 || first > 100) throw new BadUserInputError([{ path: 'first', message: 'must be between 1 and 100' }]);
}

/** Active customers and their historic spend per tier (the tier they have now). */
export async function tierDistribution(em: Em, tenantId: string): Promise<TierDistributionEntry[]> {
  const rows = await em.execute<{ tier: string | null; customers: number; revenue: string }[]>(
    `select ${effectiveTierSql('t')} as tier, count(*)::int as customers, coalesce(sum(m.total_spend), 0)::text as revenue
       from customer c
       left join customer_tier t on t.tenant_id = c.tenant_id and t.customer_id = c.id
       left join customer_metrics m on m.tenant_id = c.tenant_id and m.customer_id = c.id
      where c.tenant_id = ? and c.archived_at is null
      group by 1 order by 2 desc, 1`,
    [tenantId],
  );
  const [tenant] = await em.execute<{ default_currency: string }[]>('select default_currency from tenant where id = ?', [tenantId]);
  const total = rows.reduce((s, r) => s + Number(r.customers), 0);
  const revenue = rows.reduce((s, r) => s + Number(r.revenue), 0);
  return rows.map((r) => Object.assign(new TierDistributionEntry(), {
    tier: r.tier ?? null,
    customers: Number(r.customers),
    customerShare: total ? Number(r.customers) / total : 0,
    revenue: r.revenue,
    revenueShare: revenue > 0 ? Number(r.revenue) / revenue : null,
    currency: String(tenant?.default_currency ?? '').trim(),
  }));
}

