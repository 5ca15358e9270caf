import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlEm } from '../../server/db/orm.js';
import { onlyError, startTestServer, type TestServer } from '../helpers/server.js';
import { recompute } from '../metrics-integration/helpers.js';
import { ok, seedCustomers } from '../segments/fixtures.js';

let s: TestServer;
let ids: Record<string, string>;

const TIER = 'tier { tier computedTier override { tier reason expiresAt } }';

async function tierOf(name: string, key?: string) {
  const data = await ok(s, `query($id: ID!) { customer(id: $id) { ${TIER} tierHistory { source fromTier toTier reason } } }`, { id: ids[name] }, key);
  return data.customer;
}

async function tiers(): Promise<Record<string, string | null>> {
  const data = await ok(s, `query { customers(first: 10, orderBy: [{ field: NAME }]) { nodes { externalId tier { tier } } } }`);
  return Object.fromEntries(data.customers.nodes.map((c: any) => [c.externalId, c.tier?.tier ?? null]));
}

const CUSTOM = [
  { tier: 'GOLD', rule: { metrics: { historicValue: { gte: '1000' } } } },
  { tier: 'SILVER', rule: { orderCount: { gte: 1 } } },
  { tier: 'PROSPECT', rule: {} },
];
const SET_POLICY = `mutation($rules: [TierRuleInput!]!) { setTierPolicy(rules: $rules) { isDefault rules { tier rule } } }`;

beforeAll(async () => {
  s = await startTestServer();
  ids = await seedCustomers(s);
});
afterAll(async () => s?.close());

describe('tiers from the default policy', () => {
  it('are unassigned until the first recompute, then follow the value metrics', async () => {
    expect((await tierOf('C1')).tier).toBeNull();
    await recompute(s);
    const policy = await ok(s, `query { tierPolicy { isDefault rules { tier } } }`);
    expect(policy.tierPolicy.isDefault).toBe(true);
    expect(policy.tierPolicy.rules.map((r: { tier: string }) => r.tier)).toEqual(['VIP', 'REGULAR', 'POTENTIAL', 'LOW_VALUE']);
    const now = await tiers();
    expect(now.C1).toBe('VIP');
    expect(now.C3).toBe('POTENTIAL');
    expect(['REGULAR', 'POTENTIAL', 'LOW_VALUE']).toContain(now.C2);
    expect(['REGULAR', 'POTENTIAL', 'LOW_VALUE']).toContain(now.C4);
    const c1 = await tierOf('C1');
    expect(c1.tierHistory).toEqual([{ source: 'COMPUTED', fromTier: null, toTier: 'VIP', reason: null }]);
  });
});

describe('setTierPolicy', () => {
  it('reassigns every customer by the first matching rule and records the changes', async () => {
    const set = await ok(s, SET_POLICY, { rules: CUSTOM });
    expect(set.setTierPolicy.isDefault).toBe(false);
    expect(set.setTierPolicy.rules[0]).toEqual(CUSTOM[0]);
    expect(await tiers()).toEqual({ C1: 'GOLD', C2: 'SILVER', C3: 'PROSPECT', C4: 'SILVER' });
    const c1 = await tierOf('C1');
    expect(c1.tierHistory[0]).toEqual({ source: 'COMPUTED', fromTier: 'VIP', toTier: 'GOLD', reason: null });
    const again = await ok(s, `mutation { refreshTiers { customers changed } }`);
    expect(again.refreshTiers).toEqual({ customers: 4, changed: 0 });
  });

  it('reports a bad rule with its path and keeps the policy', async () => {
    const name = onlyError(await s.gql(SET_POLICY, { rules: [{ tier: 'gold', rule: {} }] }));
    expect(name.extensions.fields?.[0].path).toBe('rules.0.tier');
    const unknown = onlyError(await s.gql(SET_POLICY, { rules: [{ tier: 'A', rule: {} }, { tier: 'B', rule: { planet: { eq: 'Mars' } } }] }));
    expect(unknown.extensions.code).toBe('BAD_USER_INPUT');
    expect(unknown.extensions.fields?.[0].path).toBe('rules.1.rule.planet');
    const nullValue = onlyError(await s.gql(SET_POLICY, { rules: [{ tier: 'A', rule: { city: { eq: null } } }] }));
    expect(nullValue.extensions.fields?.[0].path).toBe('rules.0.rule.city.eq');
    const policy = await ok(s, `query { tierPolicy { rules { tier } } }`);
    expect(policy.tierPolicy.rules.map((r: { tier: string }) => r.tier)).toEqual(['GOLD', 'SILVER', 'PROSPECT']);
  });

  it('answers tierDistribution with customers and revenue per tier', async () => {
    const data = await ok(s, `query { tierDistribution { tier customers customerShare revenue revenueShare currency } }`);
    const byTier = Object.fromEntries(data.tierDistribution.map((d: any) => [d.tier, d]));
    expect(byTier.GOLD).toMatchObject({ customers: 1, customerShare: 0.25, currency: 'CNY' });
    expect(Number(byTier.GOLD.revenue)).toBe(1500);
    expect(byTier.SILVER.customers).toBe(2);
    expect(Number(byTier.SILVER.revenue)).toBe(380);
    expect(byTier.GOLD.revenueShare).toBeCloseTo(1500 / 1880, 6);
    expect(Number(byTier.PROSPECT.revenue)).toBe(0);
  });
});

describe('manual overrides', () => {
  const SET = `mutation($id: ID!, $tier: String!, $reason: String!, $expiresAt: DateTimeISO) {
    setTierOverride(customerId: $id, tier: $tier, reason: $reason, expiresAt: $expiresAt) { tier computedTier override { tier reason expiresAt } } }`;

  it('win over the computed tier until cleared, with the reason in the history', async () => {
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const set = await ok(s, SET, { id: ids.C2, tier: 'GOLD', reason: 'Strategic account', expiresAt });
    expect(set.setTierOverride).toEqual({ tier: 'GOLD', computedTier: 'SILVER', override: { tier: 'GOLD', reason: 'Strategic account', expiresAt } });
    await ok(s, `mutation { refreshTiers { changed } }`);
    expect((await tiers()).C2).toBe('GOLD');
    const c2 = await tierOf('C2');
    expect(c2.tierHistory[0]).toEqual({ source: 'OVERRIDE', fromTier: 'SILVER', toTier: 'GOLD', reason: 'Strategic account' });
    const cleared = await ok(s, `mutation($id: ID!) { clearTierOverride(customerId: $id, reason: "Review done") { tier override { tier } } }`, { id: ids.C2 });
    expect(cleared.clearTierOverride).toEqual({ tier: 'SILVER', override: null });
    expect((await tierOf('C2')).tierHistory[0]).toEqual({ source: 'OVERRIDE_CLEARED', fromTier: 'GOLD', toTier: 'SILVER', reason: 'Review done' });
  });

  it('lapse at their expiry', async () => {
    await ok(s, SET, { id: ids.C4, tier: 'GOLD', reason: 'Trial', expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    expect((await tiers()).C4).toBe('GOLD');
    await sqlEm(s.orm).execute(`update customer_tier set override_expires_at = now() - interval '1 second' where customer_id = ?`, [ids.C4]);
    const c4 = await tierOf('C4');
    expect(c4.tier).toEqual({ tier: 'SILVER', computedTier: 'SILVER', override: null });
  });

  it('need a reason, a valid tier name and a future expiry', async () => {
    const noReason = onlyError(await s.gql(SET, { id: ids.C1, tier: 'GOLD', reason: '  ' }));
    expect(noReason.extensions.fields?.map((f) => f.path)).toEqual(['reason']);
    const past = onlyError(await s.gql(SET, { id: ids.C1, tier: 'gold', reason: 'x', expiresAt: '2020-01-01T00:00:00Z' }));
    expect(past.extensions.fields?.map((f) => f.path)).toEqual(['tier', 'expiresAt']);
  });
});

describe('customer.tier on a page', () => {
  it('costs the same number of SQL statements for 1 or 4 customers', async () => {
    const q = `query($n: Int!) { customers(first: $n) { nodes { id ${TIER} tierHistory(first: 3) { toTier } } } }`;
    const one = await s.gql(q, { n: 1 });
    const four = await s.gql(q, { n: 4 });
    expect(four.data.customers.nodes).toHaveLength(4);
    expect(four.extensions?.sqlStatements).toBe(one.extensions?.sqlStatements);
  });
});

describe('roles and tenants', () => {
  it('reserves the policy to ADMIN; AGENT may override, READ_ONLY may not', async () => {
    expect(onlyError(await s.gql(SET_POLICY, { rules: CUSTOM }, s.a.keys.AGENT)).extensions.code).toBe('FORBIDDEN');
    const q = `mutation($id: ID!) { setTierOverride(customerId: $id, tier: "GOLD", reason: "Agent call") { tier } }`;
    expect(onlyError(await s.gql(q, { id: ids.C3 }, s.a.keys.READ_ONLY)).extensions.code).toBe('FORBIDDEN');
    expect((await ok(s, q, { id: ids.C3 }, s.a.keys.AGENT)).setTierOverride.tier).toBe('GOLD');
  });

  it('keeps each tenant’s policy, tiers and distribution apart', async () => {
    const b = await ok(s, `query { tierPolicy { isDefault } tierDistribution { tier customers } }`, {}, s.b.keys.ADMIN);
    expect(b.tierPolicy.isDefault).toBe(true);
    expect(b.tierDistribution).toEqual([]);
    const cross = onlyError(await s.gql(`mutation($id: ID!) { setTierOverride(customerId: $id, tier: "X", reason: "y") { tier } }`, { id: ids.C1 }, s.b.keys.ADMIN));
    expect(cross.extensions.code).toBe('NOT_FOUND');
  });

  it('resets to the default policy', async () => {
    const reset = await ok(s, `mutation { resetTierPolicy { isDefault } }`);
    expect(reset.resetTierPolicy.isDefault).toBe(true);
    expect((await tiers()).C1).toBe('VIP');
  });
});
