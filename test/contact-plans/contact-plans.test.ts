import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyError, startTestServer, type TestServer } from '../helpers/server.js';
import { daysAgo, ok, seedCustomers } from '../segments/fixtures.js';

let s: TestServer;
let ids: Record<string, string>;
const nameOf: Record<string, string> = {};

const FOLLOW_UP = 'id customerId status dueAt overdue channel assignee outcome reason interactionId rescheduleCount policyId';
const POLICY = `mutation($input: ContactPolicyInput!) { createContactPolicy(input: $input) { id tier segmentId cadenceDays channel } }`;

async function followUps(args = '', key?: string) {
  const data = await ok(s, `query { followUps(first: 50${args}) { totalCount nodes { ${FOLLOW_UP} } } }`, {}, key);
  return data.followUps;
}
const generate = async (key?: string) => (await ok(s, `mutation { generateFollowUps { created } }`, {}, key)).generateFollowUps.created;

beforeAll(async () => {
  s = await startTestServer();
  ids = await seedCustomers(s);
  for (const [name, id] of Object.entries(ids)) nameOf[id] = name;
  // Deterministic tiers: C1 VIP, C2 and C4 REGULAR, C3 POTENTIAL.
  await ok(s, `mutation($rules: [TierRuleInput!]!) { setTierPolicy(rules: $rules) { isDefault } }`, {
    rules: [{ tier: 'VIP', rule: { tags: ['vip'] } }, { tier: 'REGULAR', rule: { orderCount: { gte: 1 } } }, { tier: 'POTENTIAL', rule: {} }],
  });
  await ok(s, `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { id } }`, {
    input: { customerId: ids.C4, type: 'EMAIL', channel: 'EMAIL', occurredAt: daysAgo(10) },
  });
  const seg = await ok(s, `mutation($ids: [ID!]) { createSegment(input: { name: "Key visits", kind: STATIC, customerIds: $ids }) { id } }`, { ids: [ids.C2] });
  await ok(s, POLICY, { input: { name: 'VIP calls', tier: 'VIP', cadenceDays: 14, channel: 'PHONE' } });
  await ok(s, POLICY, { input: { name: 'Regular mail', tier: 'REGULAR', cadenceDays: 90, channel: 'EMAIL' } });
  await ok(s, POLICY, { input: { name: 'Potential mail', tier: 'POTENTIAL', cadenceDays: 60, channel: 'EMAIL' } });
  await ok(s, POLICY, { input: { name: 'Key visits', segmentId: seg.createSegment.id, cadenceDays: 30, channel: 'IN_PERSON', priority: 10 } });
});
afterAll(async () => s?.close());

describe('contact policies', () => {
  it('are listed by priority', async () => {
    const data = await ok(s, `query { contactPolicies { name tier cadenceDays channel priority active } }`);
    expect(data.contactPolicies.map((p: { name: string }) => p.name)).toEqual(['Key visits', 'VIP calls', 'Potential mail', 'Regular mail']);
  });

  it('take exactly one of tier and segment, and a cadence of 1–3660 days', async () => {
    const both = onlyError(await s.gql(POLICY, { input: { name: 'X', cadenceDays: 0, channel: 'EMAIL' } }));
    expect(both.extensions.fields?.map((f) => f.path)).toEqual(['input.tier', 'input.cadenceDays']);
    const seg = onlyError(await s.gql(POLICY, { input: { name: 'X', segmentId: '0190a0b0-0000-7000-8000-000000000000', cadenceDays: 7, channel: 'EMAIL' } }));
    expect(seg.extensions.code).toBe('NOT_FOUND');
  });
});

describe('generateFollowUps', () => {
  it('creates a task for each customer whose last contact is older than the cadence, assigned to the owner', async () => {
    expect(await generate()).toBe(2);
    const list = await followUps();
    expect(list.totalCount).toBe(2);
    const byName = Object.fromEntries(list.nodes.map((f: any) => [nameOf[f.customerId], f]));
    // C1: VIP, never contacted. C2: the segment policy (priority 10) wins over REGULAR. C3 and C4 were contacted within cadence.
    expect(byName.C1).toMatchObject({ status: 'OPEN', channel: 'PHONE', assignee: 'wang', overdue: true });
    expect(byName.C2).toMatchObject({ status: 'OPEN', channel: 'IN_PERSON', assignee: 'li' });
    expect(byName.C1.id[14]).toBe('7'); // time-ordered UUIDv7, like every other id
    expect(Object.keys(byName).sort()).toEqual(['C1', 'C2']);
  });

  it('is idempotent: running it again creates no duplicates', async () => {
    expect(await generate()).toBe(0);
    expect(await generate()).toBe(0);
    expect((await followUps()).totalCount).toBe(2);
  });

  it('filters by status, assignee, due date and overdue', async () => {
    expect((await followUps(', assignee: "wang"')).nodes.map((f: any) => nameOf[f.customerId])).toEqual(['C1']);
    expect((await followUps(', overdue: true')).totalCount).toBe(2);
    expect((await followUps(`, dueBefore: "${daysAgo(365)}"`)).totalCount).toBe(0);
    expect((await followUps(', status: DONE')).totalCount).toBe(0);
  });
});

describe('working follow-ups', () => {
  it('completing one records an Interaction with its outcome; retrying changes nothing', async () => {
    const [task] = (await followUps(', assignee: "wang"')).nodes;
    const q = `mutation($id: ID!) { completeFollowUp(id: $id, input: { outcome: "Agreed renewal", body: "Called about the renewal" }) { ${FOLLOW_UP} } }`;
    const done = (await ok(s, q, { id: task.id })).completeFollowUp;
    expect(done).toMatchObject({ status: 'DONE', outcome: 'Agreed renewal', overdue: false });
    expect(done.interactionId).toBeTruthy();
    const again = (await ok(s, q, { id: task.id })).completeFollowUp;
    expect(again.interactionId).toBe(done.interactionId);
    const c1 = await ok(s, `query($id: ID!) { customer(id: $id) { interactions(first: 10) { nodes { id type channel direction outcome } } } }`, { id: ids.C1 });
    expect(c1.customer.interactions.nodes).toEqual([{ id: done.interactionId, type: 'CALL', channel: 'PHONE', direction: 'OUTBOUND', outcome: 'Agreed renewal' }]);
    expect(await generate()).toBe(0); // C1 was just contacted
  });

  it('rescheduling and skipping need a reason; a skipped customer is not due again within the cadence', async () => {
    const [task] = (await followUps(', assignee: "li"')).nodes;
    const due = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const R = `mutation($id: ID!, $due: DateTimeISO!, $reason: String!) { rescheduleFollowUp(id: $id, dueAt: $due, reason: $reason) { ${FOLLOW_UP} } }`;
    expect(onlyError(await s.gql(R, { id: task.id, due, reason: ' ' })).extensions.fields?.[0].path).toBe('reason');
    const moved = (await ok(s, R, { id: task.id, due, reason: 'Customer travelling' })).rescheduleFollowUp;
    expect(moved).toMatchObject({ dueAt: due, rescheduleCount: 1, reason: 'Customer travelling', overdue: false, status: 'OPEN' });
    const S = `mutation($id: ID!, $reason: String!) { skipFollowUp(id: $id, reason: $reason) { status reason } }`;
    expect(onlyError(await s.gql(S, { id: task.id, reason: '' })).extensions.code).toBe('BAD_USER_INPUT');
    expect((await ok(s, S, { id: task.id, reason: 'Visited at the trade fair' })).skipFollowUp).toEqual({ status: 'SKIPPED', reason: 'Visited at the trade fair' });
    expect(await generate()).toBe(0);
    const complete = onlyError(await s.gql(`mutation($id: ID!) { completeFollowUp(id: $id, input: { outcome: "x" }) { id } }`, { id: task.id }));
    expect(complete.extensions.code).toBe('CONFLICT');
  });
});

describe('contactCompliance(period)', () => {
  it('gives per tier the share of customers contacted within their cadence', async () => {
    const period = { from: daysAgo(30), to: new Date(Date.now() + 60_000).toISOString() };
    const data = await ok(s, `query($period: PeriodInput!) { contactCompliance(period: $period) { tier customers contactedWithinCadence share followUpsCompleted followUpsOverdue } }`, { period });
    const byTier = Object.fromEntries(data.contactCompliance.map((e: any) => [e.tier, e]));
    expect(byTier.VIP).toEqual({ tier: 'VIP', customers: 1, contactedWithinCadence: 1, share: 1, followUpsCompleted: 1, followUpsOverdue: 0 });
    expect(byTier.REGULAR).toMatchObject({ customers: 2, contactedWithinCadence: 1, share: 0.5 });
    expect(byTier.POTENTIAL).toMatchObject({ customers: 1, contactedWithinCadence: 1 });
  });
});

describe('roles and tenants', () => {
  it('lets AGENT work follow-ups but reserves policies to ADMIN; READ_ONLY only reads', async () => {
    expect(onlyError(await s.gql(POLICY, { input: { name: 'A', tier: 'VIP', cadenceDays: 7, channel: 'EMAIL' } }, s.a.keys.AGENT)).extensions.code).toBe('FORBIDDEN');
    expect(onlyError(await s.gql(`mutation { generateFollowUps { created } }`, {}, s.a.keys.READ_ONLY)).extensions.code).toBe('FORBIDDEN');
    expect(await generate(s.a.keys.AGENT)).toBe(0);
    expect((await followUps('', s.a.keys.READ_ONLY)).totalCount).toBe(2);
  });

  it('keeps tasks and policies inside their tenant', async () => {
    expect(await generate(s.b.keys.ADMIN)).toBe(0);
    expect((await followUps('', s.b.keys.ADMIN)).totalCount).toBe(0);
    expect((await ok(s, `query { contactPolicies { id } }`, {}, s.b.keys.ADMIN)).contactPolicies).toEqual([]);
    const [task] = (await followUps()).nodes;
    const cross = onlyError(await s.gql(`mutation($id: ID!) { skipFollowUp(id: $id, reason: "not mine") { id } }`, { id: task.id }, s.b.keys.ADMIN));
    expect(cross.extensions.code).toBe('NOT_FOUND');
  });
});
