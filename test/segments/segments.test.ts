import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyError, startTestServer, type TestServer } from '../helpers/server.js';
import { recompute } from '../metrics-integration/helpers.js';
import { daysAgo, ok, seedCustomers, sleep } from './fixtures.js';

let s: TestServer;
let ids: Record<string, string>;
const nameOf: Record<string, string> = {};

const SEGMENT = 'id name kind size version rule refreshedAt frozenAt archivedAt sourceSegmentId';

async function preview(rule: Record<string, unknown>): Promise<string[]> {
  const data = await ok(s, `query($rule: CustomerFilter!) { previewSegment(rule: $rule, sampleSize: 50) { count sample { id } } }`, { rule });
  expect(data.previewSegment.sample).toHaveLength(data.previewSegment.count);
  return data.previewSegment.sample.map((c: { id: string }) => nameOf[c.id]).sort();
}

async function members(id: string): Promise<string[]> {
  const data = await ok(s, `query($id: ID!) { segment(id: $id) { size customers(first: 100) { totalCount nodes { id } } } }`, { id });
  expect(data.segment.customers.totalCount).toBe(data.segment.size);
  return data.segment.customers.nodes.map((c: { id: string }) => nameOf[c.id]).sort();
}

async function membersAt(id: string, at: string): Promise<string[]> {
  const data = await ok(s, `query($id: ID!, $at: DateTimeISO!) { segment(id: $id) { membersAt(at: $at, first: 100) { nodes { id } } } }`, { id, at });
  return data.segment.membersAt.nodes.map((c: { id: string }) => nameOf[c.id]).sort();
}

async function createSegment(input: Record<string, unknown>, key?: string) {
  const data = await ok(s, `mutation($input: CreateSegmentInput!) { createSegment(input: $input) { ${SEGMENT} } }`, { input }, key);
  return data.createSegment;
}

async function moveCustomer(name: string, city: string) {
  const read = await ok(s, `query($id: ID!) { customer(id: $id) { version } }`, { id: ids[name] });
  await ok(s, `mutation($id: ID!, $v: Int!, $city: String) { updateCustomer(id: $id, version: $v, input: { city: $city }) { id } }`, {
    id: ids[name], v: read.customer.version, city,
  });
}

beforeAll(async () => {
  s = await startTestServer();
  ids = await seedCustomers(s);
  for (const [name, id] of Object.entries(ids)) nameOf[id] = name;
  await recompute(s);
});
afterAll(async () => s?.close());

describe('previewSegment(rule)', () => {
  it('matches profile fields', async () => {
    expect(await preview({ industry: { eq: 'Retail' } })).toEqual(['C1', 'C2']);
    expect(await preview({ city: { in: ['Shanghai', 'Shenzhen'] }, industry: { eq: 'Finance' } })).toEqual(['C3', 'C4']);
    expect(await preview({ companySize: { eq: 'SIZE_11_50' } })).toEqual(['C1']);
  });

  it('matches demographics: gender and age band from the birth date', async () => {
    expect(await preview({ gender: { eq: 'FEMALE' } })).toEqual(['C1', 'C4']);
    expect(await preview({ age: { gte: 50 } })).toEqual(['C2']);
    expect(await preview({ age: { gte: 18, lt: 50 } })).toEqual(['C1']);
  });

  it('matches behaviour: orders, last order and last interaction', async () => {
    expect(await preview({ orderCount: { gte: 2 } })).toEqual(['C1']);
    expect(await preview({ orderCount: { eq: 0 } })).toEqual(['C3']);
    expect(await preview({ lastOrderAt: { lt: daysAgo(365) } })).toEqual(['C2']);
    expect(await preview({ lastInteractionAt: { gte: daysAgo(7) } })).toEqual(['C3']);
  });

  it('matches tags, custom attributes and combinations with and / or / not', async () => {
    expect(await preview({ tags: ['vip'] })).toEqual(['C1']);
    expect(await preview({ customAttributes: { plan: 'gold' } })).toEqual(['C1']);
    expect(await preview({ customAttributes: { plan: 'basic' }, tags: ['lead'] })).toEqual(['C3']);
    expect(await preview({ or: [{ tags: ['lead'] }, { city: { eq: 'Beijing' } }] })).toEqual(['C2', 'C3']);
    expect(await preview({ not: { industry: { eq: 'Retail' } } })).toEqual(['C3', 'C4']);
  });

  it('matches customer value metrics', async () => {
    expect(await preview({ metrics: { historicValue: { gte: '1000' } } })).toEqual(['C1']);
    expect(await preview({ metrics: { historicValue: { gt: '0' } } })).toEqual(['C1', 'C2', 'C4']);
    expect(await preview({ metrics: { valueTier: { eq: 'KEY' } } })).toContain('C1');
  });
});

describe('rule validation', () => {
  const create = (rule: unknown) =>
    s.gql(`mutation($input: CreateSegmentInput!) { createSegment(input: $input) { id } }`, { input: { name: `Bad ${Math.random()}`, kind: 'DYNAMIC', rule } });

  it('answers BAD_USER_INPUT with the rule path for an unknown field', async () => {
    const err = onlyError(await create({ planet: { eq: 'Mars' } }));
    expect(err.extensions.code).toBe('BAD_USER_INPUT');
    expect(err.extensions.fields?.[0].path).toBe('input.rule.planet');
  });

  it('answers BAD_USER_INPUT with the rule path for a wrong operator', async () => {
    const err = onlyError(await create({ and: [{ city: { between: 'A' } }] }));
    expect(err.extensions.code).toBe('BAD_USER_INPUT');
    expect(err.extensions.fields?.[0].path).toBe('input.rule.and.0.city.between');
  });

  it('answers BAD_USER_INPUT with the rule path for a value of the wrong type', async () => {
    const err = onlyError(await create({ metrics: { churnRisk: { eq: 'SOMEWHAT' } } }));
    expect(err.extensions.code).toBe('BAD_USER_INPUT');
    expect(err.extensions.fields?.[0].path).toBe('input.rule.metrics.churnRisk.eq');
    const age = onlyError(await create({ age: { gte: 'old' } }));
    expect(age.extensions.fields?.[0].path).toBe('input.rule.age.gte');
  });

  it('answers BAD_USER_INPUT with the rule path for values the compiler refuses, and saves nothing', async () => {
    const err = onlyError(await create({ or: [{ city: { eq: null } }] }));
    expect(err.extensions.code).toBe('BAD_USER_INPUT');
    expect(err.extensions.fields?.[0].path).toBe('input.rule.or.0.city.eq');
    const rule = onlyError(await s.gql(`query { previewSegment(rule: { search: "${'x'.repeat(201)}" }) { count } }`));
    expect(rule.extensions.fields?.[0].path).toBe('rule.search');
    const list = await ok(s, `query { segments(first: 100) { nodes { name } } }`);
    expect(list.segments.nodes.filter((n: { name: string }) => n.name.startsWith('Bad '))).toEqual([]);
  });

  it('requires a rule for DYNAMIC and refuses one for STATIC', async () => {
    const missing = onlyError(await s.gql(`mutation { createSegment(input: { name: "No rule", kind: DYNAMIC }) { id } }`));
    expect(missing.extensions.fields?.[0].path).toBe('input.rule');
    const extra = onlyError(await s.gql(`mutation { createSegment(input: { name: "Rule", kind: STATIC, rule: {} }) { id } }`));
    expect(extra.extensions.fields?.[0].path).toBe('input.rule');
  });
});

describe('DYNAMIC segments', () => {
  it('are created evaluated, listed, and shown on customer.segments', async () => {
    const seg = await createSegment({ name: 'Shanghai', kind: 'DYNAMIC', rule: { city: { eq: 'Shanghai' } } });
    expect(seg).toMatchObject({ kind: 'DYNAMIC', size: 2, rule: { city: { eq: 'Shanghai' } } });
    expect(await members(seg.id)).toEqual(['C1', 'C3']);
    const list = await ok(s, `query { segments(first: 10, kind: DYNAMIC) { nodes { id } } }`);
    expect(list.segments.nodes.map((n: { id: string }) => n.id)).toContain(seg.id);
    const customers = await ok(s, `query { customers(first: 10, orderBy: [{ field: NAME }]) { nodes { name segments { name } } } }`);
    const byName = Object.fromEntries(customers.customers.nodes.map((c: any) => [c.name, c.segments.map((x: { name: string }) => x.name)]));
    expect(byName['Alice Retail']).toContain('Shanghai');
    expect(byName['Bob Retail']).not.toContain('Shanghai');
  });

  it('records entries and exits at each refresh and answers membership at any instant', async () => {
    const seg = await createSegment({ name: 'Shanghai history', kind: 'DYNAMIC', rule: { city: { eq: 'Shanghai' } } });
    const beforeCreate = new Date(Date.parse(seg.refreshedAt) - 1).toISOString();
    await sleep(15);
    const afterCreate = new Date().toISOString();
    await sleep(15);

    await moveCustomer('C4', 'Shanghai');
    expect(await members(seg.id)).toEqual(['C1', 'C3']); // not until a refresh
    const first = await ok(s, `mutation($id: ID!) { refreshSegment(id: $id) { entered exited segment { size } } }`, { id: seg.id });
    expect(first.refreshSegment).toEqual({ entered: 1, exited: 0, segment: { size: 3 } });
    await sleep(15);
    const afterFirst = new Date().toISOString();
    await sleep(15);

    await moveCustomer('C1', 'Hangzhou');
    const second = await ok(s, `mutation($id: ID!) { refreshSegment(id: $id) { entered exited segment { size } } }`, { id: seg.id });
    expect(second.refreshSegment).toEqual({ entered: 0, exited: 1, segment: { size: 2 } });
    const again = await ok(s, `mutation($id: ID!) { refreshSegment(id: $id) { entered exited } }`, { id: seg.id });
    expect(again.refreshSegment).toEqual({ entered: 0, exited: 0 });

    expect(await members(seg.id)).toEqual(['C3', 'C4']);
    expect(await membersAt(seg.id, beforeCreate)).toEqual([]);
    expect(await membersAt(seg.id, afterCreate)).toEqual(['C1', 'C3']);
    expect(await membersAt(seg.id, afterFirst)).toEqual(['C1', 'C3', 'C4']);
    expect(await membersAt(seg.id, new Date().toISOString())).toEqual(['C3', 'C4']);

    const changes = await ok(s, `query($id: ID!, $since: DateTimeISO!) { segment(id: $id) { changes(since: $since) { change customer { name } } } }`, {
      id: seg.id, since: afterCreate,
    });
    expect(changes.segment.changes).toEqual([
      { change: 'ENTERED', customer: { name: 'Dan Finance' } },
      { change: 'EXITED', customer: { name: 'Alice Retail' } },
    ]);
    await moveCustomer('C1', 'Shanghai');
    await moveCustomer('C4', 'Shenzhen');
  });

  it('keep dates and decimals of a saved rule across refreshes', async () => {
    const seg = await createSegment({
      name: 'Recent buyers', kind: 'DYNAMIC', rule: { lastOrderAt: { gte: daysAgo(60) }, metrics: { historicValue: { gte: '100.50' } } },
    });
    expect(await members(seg.id)).toEqual(['C1', 'C4']);
    const again = await ok(s, `mutation($id: ID!) { refreshSegment(id: $id) { entered exited } }`, { id: seg.id });
    expect(again.refreshSegment).toEqual({ entered: 0, exited: 0 });
  });

  it('costs the same number of SQL statements for customers { segments } on a page of 1 or of 4', async () => {
    const q = `query($n: Int!) { customers(first: $n) { nodes { id segments { id name } } } }`;
    const one = await s.gql(q, { n: 1 });
    const four = await s.gql(q, { n: 4 });
    expect(four.data.customers.nodes).toHaveLength(4);
    expect(four.extensions?.sqlStatements).toBe(one.extensions?.sqlStatements);
  });

  it('evaluates a refresh in a constant number of SQL statements, whatever the number of members', async () => {
    const small = await createSegment({ name: 'Small', kind: 'DYNAMIC', rule: { tags: ['vip'] } });
    const large = await createSegment({ name: 'Large', kind: 'DYNAMIC', rule: {} });
    expect(large.size).toBe(4);
    const q = `mutation($id: ID!) { refreshSegment(id: $id) { entered } }`;
    const a = await s.gql(q, { id: small.id });
    const b = await s.gql(q, { id: large.id });
    expect(a.extensions?.sqlStatements).toBeGreaterThan(0);
    expect(b.extensions?.sqlStatements).toBe(a.extensions?.sqlStatements);
  });

  it('updates the rule with the version read, refreshing at once; a stale version is CONFLICT', async () => {
    const seg = await createSegment({ name: 'Retail', kind: 'DYNAMIC', rule: { industry: { eq: 'Retail' } } });
    const q = `mutation($id: ID!, $v: Int!, $input: UpdateSegmentInput!) { updateSegment(id: $id, version: $v, input: $input) { name size version rule } }`;
    const updated = await ok(s, q, { id: seg.id, v: seg.version, input: { name: 'Finance', rule: { industry: { eq: 'Finance' } } } });
    expect(updated.updateSegment).toMatchObject({ name: 'Finance', size: 2, version: seg.version + 1 });
    expect(await members(seg.id)).toEqual(['C3', 'C4']);
    const stale = onlyError(await s.gql(q, { id: seg.id, v: seg.version, input: { name: 'Again' } }));
    expect(stale.extensions.code).toBe('CONFLICT');
  });

  it('describes, pages members with keyset cursors, and refreshes all dynamic segments at once', async () => {
    const seg = await createSegment({ name: 'Paged', description: 'Everyone', kind: 'DYNAMIC', rule: {} });
    const q = `mutation($id: ID!, $v: Int!, $input: UpdateSegmentInput!) { updateSegment(id: $id, version: $v, input: $input) { description } }`;
    expect((await ok(s, q, { id: seg.id, v: seg.version, input: { description: null } })).updateSegment.description).toBeNull();
    const page1 = await ok(s, `query($id: ID!) { segment(id: $id) { customers(first: 3) { pageInfo { hasNextPage endCursor } nodes { id } } } }`, { id: seg.id });
    expect(page1.segment.customers.nodes).toHaveLength(3);
    expect(page1.segment.customers.pageInfo.hasNextPage).toBe(true);
    const page2 = await ok(s, `query($id: ID!, $after: String) { segment(id: $id) { customers(first: 3, after: $after) { pageInfo { hasNextPage } nodes { id } } } }`, {
      id: seg.id, after: page1.segment.customers.pageInfo.endCursor,
    });
    expect(page2.segment.customers.nodes).toHaveLength(1);
    expect(page2.segment.customers.pageInfo.hasNextPage).toBe(false);
    const dynamic = await ok(s, `query { segments(first: 100, kind: DYNAMIC) { totalCount } }`);
    expect((await ok(s, `mutation { refreshSegments }`)).refreshSegments).toBe(dynamic.segments.totalCount);
  });

  it('returns the first result when a create is retried with the same idempotency key', async () => {
    const q = `mutation($key: String) { createSegment(input: { name: "Once", kind: DYNAMIC, rule: { tags: ["vip"] } }, idempotencyKey: $key) { id size } }`;
    const a = await ok(s, q, { key: 'segment-once' });
    const b = await ok(s, q, { key: 'segment-once' });
    expect(b.createSegment).toEqual(a.createSegment);
  });

  it('archives on delete (restorable) and refuses a second active segment with the same name', async () => {
    const seg = await createSegment({ name: 'Temporary', kind: 'DYNAMIC', rule: {} });
    const dup = onlyError(await s.gql(`mutation { createSegment(input: { name: "temporary", kind: DYNAMIC, rule: {} }) { id } }`));
    expect(dup.extensions.code).toBe('CONFLICT');
    const deleted = await ok(s, `mutation($id: ID!) { deleteSegment(id: $id) { archivedAt } }`, { id: seg.id });
    expect(deleted.deleteSegment.archivedAt).not.toBeNull();
    const list = await ok(s, `query { segments(first: 100) { nodes { id } } }`);
    expect(list.segments.nodes.map((n: { id: string }) => n.id)).not.toContain(seg.id);
    const restored = await ok(s, `mutation($id: ID!) { restoreSegment(id: $id) { archivedAt } }`, { id: seg.id });
    expect(restored.restoreSegment.archivedAt).toBeNull();
  });

  it('are refreshed after every metrics recompute', async () => {
    const seg = await createSegment({ name: 'Buyers', kind: 'DYNAMIC', rule: { metrics: { historicValue: { gt: '0' } } } });
    expect(await members(seg.id)).toEqual(['C1', 'C2', 'C4']);
    await ok(s, `mutation($input: [ImportOrderInput!]!) { importOrders(input: $input) { outcome } }`, {
      input: [{ externalId: 'O3a', customerExternalId: 'C3', occurredAt: daysAgo(1), total: '20.00' }],
    });
    await recompute(s);
    expect(await members(seg.id)).toEqual(['C1', 'C2', 'C3', 'C4']);
    const changes = await ok(s, `query($id: ID!, $since: DateTimeISO!) { segment(id: $id) { changes(since: $since) { change customerId } } }`, {
      id: seg.id, since: seg.refreshedAt,
    });
    expect(changes.segment.changes.filter((c: { change: string }) => c.change === 'ENTERED').length).toBe(4);
  });
});

describe('STATIC and SNAPSHOT segments', () => {
  it('add and remove members by id and by filter, in bulk, with history', async () => {
    const seg = await createSegment({ name: 'Hand-picked', kind: 'STATIC', customerIds: [ids.C1] });
    expect(seg.size).toBe(1);
    const added = await ok(s, `mutation($id: ID!) { addSegmentMembers(id: $id, filter: { industry: { eq: "Finance" } }, customerIds: []) { entered segment { size } } }`, { id: seg.id });
    expect(added.addSegmentMembers).toEqual({ entered: 2, segment: { size: 3 } });
    const again = await ok(s, `mutation($id: ID!, $ids: [ID!]) { addSegmentMembers(id: $id, customerIds: $ids) { entered } }`, { id: seg.id, ids: [ids.C1] });
    expect(again.addSegmentMembers.entered).toBe(0);
    const removed = await ok(s, `mutation($id: ID!, $ids: [ID!]) { removeSegmentMembers(id: $id, customerIds: $ids) { exited segment { size } } }`, { id: seg.id, ids: [ids.C3] });
    expect(removed.removeSegmentMembers).toEqual({ exited: 1, segment: { size: 2 } });
    expect(await members(seg.id)).toEqual(['C1', 'C4']);
    const unknown = onlyError(await s.gql(`mutation($id: ID!, $ids: [ID!]) { addSegmentMembers(id: $id, customerIds: $ids) { entered } }`, { id: seg.id, ids: ['0190a0b0-0000-7000-8000-000000000000'] }));
    expect(unknown.extensions.fields?.[0].path).toBe('customerIds.0');
    const refresh = onlyError(await s.gql(`mutation($id: ID!) { refreshSegment(id: $id) { entered } }`, { id: seg.id }));
    expect(refresh.extensions.code).toBe('CONFLICT');
  });

  it('freeze a dynamic segment: later changes do not reach the snapshot', async () => {
    const source = await createSegment({ name: 'Female', kind: 'DYNAMIC', rule: { gender: { eq: 'FEMALE' } } });
    const snap = await ok(s, `mutation($id: ID!) { snapshotSegment(id: $id, name: "Female, frozen") { ${SEGMENT} } }`, { id: source.id });
    expect(snap.snapshotSegment).toMatchObject({ kind: 'SNAPSHOT', size: 2, sourceSegmentId: source.id });
    expect(snap.snapshotSegment.frozenAt).not.toBeNull();
    const read = await ok(s, `query($id: ID!) { customer(id: $id) { version } }`, { id: ids.C2 });
    await ok(s, `mutation($id: ID!, $v: Int!) { updateCustomer(id: $id, version: $v, input: { gender: FEMALE }) { id } }`, { id: ids.C2, v: read.customer.version });
    await ok(s, `mutation($id: ID!) { refreshSegment(id: $id) { entered } }`, { id: source.id });
    expect(await members(source.id)).toEqual(['C1', 'C2', 'C4']);
    expect(await members(snap.snapshotSegment.id)).toEqual(['C1', 'C4']);
    const direct = await createSegment({ name: 'Retail then', kind: 'SNAPSHOT', rule: { industry: { eq: 'Retail' } } });
    expect(direct.size).toBe(2);
    expect(onlyError(await s.gql(`mutation($id: ID!) { refreshSegment(id: $id) { entered } }`, { id: direct.id })).extensions.code).toBe('CONFLICT');
  });
});

describe('segment stats', () => {
  it('give size, revenue share, average predicted CLV and the churn-risk mix', async () => {
    const seg = await createSegment({ name: 'Stats', kind: 'STATIC', customerIds: [ids.C1, ids.C3] });
    const data = await ok(s, `query($id: ID!) { segment(id: $id) { stats { size revenue revenueShare averagePredictedClv churnRiskMix { level customers share } averageNps npsResponses } } }`, { id: seg.id });
    const stats = data.segment.stats;
    expect(stats.size).toBe(2);
    // C1 1,500 + C3 20 of 1,500 + 80 + 300 + 20.
    expect(Number(stats.revenue)).toBe(1520);
    expect(stats.revenueShare).toBeCloseTo(1520 / 1900, 6);
    expect(stats.churnRiskMix.reduce((n: number, m: { customers: number }) => n + m.customers, 0)).toBe(2);
    expect(stats.averageNps).toBeNull();
    expect(stats.npsResponses).toBe(0);
  });

  it('give the members’ NPS from each one’s latest NPS answer', async () => {
    const seg = await createSegment({ name: 'NPS', kind: 'STATIC', customerIds: [ids.C1, ids.C2, ids.C3] });
    const survey = (await ok(s, `mutation { createSurvey(input: { name: "NPS", kind: NPS }) { id } }`)).createSurvey;
    await ok(s, `mutation($id: ID!) { setSurveyStatus(id: $id, status: ACTIVE) { id } }`, { id: survey.id });
    const submit = (customer: string, value: number, key: string) =>
      ok(s, `mutation($input: SubmitSurveyResponseInput!, $key: String!) { submitSurveyResponse(input: $input, idempotencyKey: $key) { id } }`, {
        input: { surveyId: survey.id, channel: 'WEB', customerId: ids[customer], answers: [{ questionId: 'nps', value }] }, key,
      });
    await submit('C1', 3, 'nps-c1-old');
    await submit('C1', 10, 'nps-c1-new');
    await submit('C2', 5, 'nps-c2');
    await submit('C4', 0, 'nps-c4'); // not a member
    const data = await ok(s, `query($id: ID!) { segment(id: $id) { stats { averageNps npsResponses } } }`, { id: seg.id });
    // Latest answers of members: C1 10 (promoter), C2 5 (detractor) -> (1 - 1) / 2 = 0.
    expect(data.segment.stats).toEqual({ averageNps: 0, npsResponses: 2 });
  });
});

describe('roles and tenants', () => {
  it('lets READ_ONLY read segments but not change them; AGENT may', async () => {
    const denied = onlyError(await s.gql(`mutation { createSegment(input: { name: "RO", kind: DYNAMIC, rule: {} }) { id } }`, {}, s.a.keys.READ_ONLY));
    expect(denied.extensions.code).toBe('FORBIDDEN');
    await ok(s, `query { segments(first: 1) { nodes { id } } previewSegment(rule: {}) { count } }`, {}, s.a.keys.READ_ONLY);
    const agent = await createSegment({ name: 'By agent', kind: 'STATIC' }, s.a.keys.AGENT);
    expect(agent.kind).toBe('STATIC');
  });

  it('keeps segments and their members inside their tenant', async () => {
    const mine = await createSegment({ name: 'Everyone A', kind: 'DYNAMIC', rule: {} });
    const other = await s.gql(`query($id: ID!) { segment(id: $id) { id } }`, { id: mine.id }, s.b.keys.ADMIN);
    expect(onlyError(other).extensions.code).toBe('NOT_FOUND');
    const listB = await ok(s, `query { segments(first: 100) { nodes { id } } }`, {}, s.b.keys.ADMIN);
    expect(listB.segments.nodes).toEqual([]);
    await ok(s, `mutation { createCustomer(input: { name: "Globex One" }) { id } }`, {}, s.b.keys.ADMIN);
    const theirs = await ok(s, `mutation { createSegment(input: { name: "Everyone A", kind: DYNAMIC, rule: {} }) { id size customers(first: 10) { nodes { name } } } }`, {}, s.b.keys.ADMIN);
    expect(theirs.createSegment.size).toBe(1);
    expect(theirs.createSegment.customers.nodes).toEqual([{ name: 'Globex One' }]);
    const cross = onlyError(await s.gql(`mutation($id: ID!, $ids: [ID!]) { addSegmentMembers(id: $id, customerIds: $ids) { entered } }`, { id: mine.id, ids: [ids.C1] }, s.b.keys.ADMIN));
    expect(cross.extensions.code).toBe('NOT_FOUND');
  });
});
