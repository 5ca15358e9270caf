import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setClock } from '../../server/cases/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let customerId = '';

async function ok<T = any>(query: string, variables: Record<string, unknown> = {}, key = s.a.keys.ADMIN): Promise<T> {
  const res = await s.gql(query, variables, key);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as T;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** Midnight UTC two days from now: cases are timed by the simulated service clock from here. */
const D0 = Math.ceil(Date.now() / DAY) * DAY + DAY;
const at = (days: number, hours = 0) => new Date(D0 + days * DAY + hours * HOUR);

const CASE_FIELDS = `id kind priority channel status subject assignee resolution reopenCount version openedAt firstResponseAt resolvedAt closedAt
  customer { id }
  sla { state timeLeftSeconds targetAt deadlineAt firstResponse { state atRiskAt dueAt metAt timeLeftSeconds } resolution { state atRiskAt dueAt metAt timeLeftSeconds } }`;
const OPEN = `mutation($input: OpenServiceCaseInput!, $key: String) { openServiceCase(input: $input, idempotencyKey: $key) { ${CASE_FIELDS} } }`;
const MOVE = `mutation($input: TransitionServiceCaseInput!) { transitionServiceCase(input: $input) { ${CASE_FIELDS} history { fromStatus toStatus note occurredAt } } }`;
const GET = `query($id: ID!) { serviceCase(id: $id) { ${CASE_FIELDS} } }`;

function open(input: Record<string, unknown>, key = s.a.keys.ADMIN, cid = customerId) {
  return s.gql(OPEN, { input: { customerId: cid, kind: 'REPAIR', channel: 'PHONE', subject: 'Washing machine leaks', ...input } }, key);
}
function move(caseId: string, to: string, extra: Record<string, unknown> = {}, key = s.a.keys.ADMIN) {
  return s.gql(MOVE, { input: { caseId, to, ...extra } }, key);
}
async function get(id: string) {
  return (await ok(GET, { id })).serviceCase;
}

beforeAll(async () => {
  s = await startTestServer();
  customerId = (await ok('mutation { createCustomer(input: { name: "赵敏" }) { id } }')).createCustomer.id;
});
afterEach(() => setClock(null));
afterAll(async () => s?.close());

describe('openServiceCase', () => {
  it('opens an OPEN case timed by the default policy: REPAIR at MEDIUM is 7 days target, 9 days maximum', async () => {
    setClock(at(0));
    const c = (await open({ assignee: 'repair.desk' })).data.openServiceCase;
    expect(c).toMatchObject({ kind: 'REPAIR', priority: 'MEDIUM', status: 'OPEN', assignee: 'repair.desk', openedAt: at(0).toISOString(), customer: { id: customerId } });
    expect(c.sla).toMatchObject({
      state: 'ON_TRACK',
      targetAt: at(7).toISOString(),
      deadlineAt: at(9).toISOString(),
      timeLeftSeconds: 8 * 3600, // the first response (8 h) is the nearest deadline
      firstResponse: { state: 'ON_TRACK', dueAt: at(0, 8).toISOString(), atRiskAt: at(0, 6).toISOString(), metAt: null },
      resolution: { state: 'ON_TRACK', atRiskAt: at(7).toISOString(), dueAt: at(9).toISOString(), timeLeftSeconds: 9 * 86_400 },
    });
  });

  it('validates subject, description, assignee and the customer', async () => {
    const res = await open({ subject: ' ', description: 'x'.repeat(10_001), assignee: 'y'.repeat(201) });
    expect(res.errors?.[0].extensions.fields?.map((f) => f.path)).toEqual(['input.subject', 'input.description', 'input.assignee']);
    const otherCustomer = (await ok('mutation { createCustomer(input: { name: "B" }) { id } }', {}, s.b.keys.ADMIN)).createCustomer.id;
    expect((await open({}, s.a.keys.ADMIN, otherCustomer)).errors?.[0].extensions.code).toBe('NOT_FOUND');
    expect((await open({ kind: 'FIX' })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('returns the first case for a retry with the same idempotencyKey', async () => {
    const a = await s.gql(OPEN, { input: { customerId, kind: 'INQUIRY', channel: 'EMAIL', subject: 'Once' }, key: 'case-once' });
    const b = await s.gql(OPEN, { input: { customerId, kind: 'INQUIRY', channel: 'EMAIL', subject: 'Once' }, key: 'case-once' });
    expect(b.data.openServiceCase.id).toBe(a.data.openServiceCase.id);
  });

  it('refuses READ_ONLY and ANALYST keys', async () => {
    for (const role of ['READ_ONLY', 'ANALYST'] as const) expect((await open({}, s.a.keys[role])).errors?.[0].extensions.code).toBe('FORBIDDEN');
  });

  it('links the feedback that led to it', async () => {
    const fb = (await ok(`mutation($c: ID!) { submitFeedback(input: { text: "Machine broken again", source: PHONE, customerId: $c }) { id } }`, { c: customerId })).submitFeedback.id;
    const c = (await open({ feedbackId: fb })).data.openServiceCase;
    const linked = await ok(`query($id: ID!) { feedback(id: $id) { case { id } } }`, { id: fb });
    expect(linked.feedback.case).toEqual({ id: c.id });
  });
});

describe('SLA state across a simulated clock', () => {
  it('goes ON_TRACK -> AT_RISK -> BREACHED on the first response and then on the resolution', async () => {
    const base = 30; // days after D0, clear of other cases
    setClock(at(base));
    const { id } = (await open({ subject: 'SLA walk' })).data.openServiceCase;

    setClock(at(base, 5));
    expect((await get(id)).sla).toMatchObject({ state: 'ON_TRACK', timeLeftSeconds: 3 * 3600 });
    setClock(at(base, 7));
    expect((await get(id)).sla).toMatchObject({ state: 'AT_RISK', firstResponse: { state: 'AT_RISK', timeLeftSeconds: 3600 } });

    // The first response stops that clock in time; the resolution clock runs on.
    const started = (await move(id, 'IN_PROGRESS')).data.transitionServiceCase;
    expect(started.firstResponseAt).toBe(at(base, 7).toISOString());
    expect(started.sla).toMatchObject({ state: 'ON_TRACK', firstResponse: { state: 'ON_TRACK', metAt: at(base, 7).toISOString(), timeLeftSeconds: null } });

    setClock(at(base + 2));
    expect((await get(id)).sla).toMatchObject({ state: 'ON_TRACK', timeLeftSeconds: 7 * 86_400 });
    setClock(at(base + 7, 1));
    expect((await get(id)).sla).toMatchObject({ state: 'AT_RISK', timeLeftSeconds: 2 * 86_400 - 3600, resolution: { state: 'AT_RISK' } });
    setClock(at(base + 9, 0));
    expect((await get(id)).sla.state).toBe('AT_RISK'); // exactly at the maximum is still in time
    setClock(at(base + 9, 1));
    expect((await get(id)).sla).toMatchObject({ state: 'BREACHED', timeLeftSeconds: -3600, resolution: { state: 'BREACHED' } });

    const breached = await ok(`{ serviceCases(first: 100, filter: { slaState: { eq: BREACHED } }) { nodes { id } } }`);
    expect(breached.serviceCases.nodes.map((n: any) => n.id)).toContain(id);
    const onTrack = await ok(`{ serviceCases(first: 100, filter: { slaState: { in: [ON_TRACK, AT_RISK] } }) { nodes { id } } }`);
    expect(onTrack.serviceCases.nodes.map((n: any) => n.id)).not.toContain(id);

    setClock(at(base + 9, 2));
    const resolved = (await move(id, 'RESOLVED', { note: 'Replaced the pump' })).data.transitionServiceCase;
    expect(resolved).toMatchObject({ status: 'RESOLVED', resolution: 'Replaced the pump' });
    expect(resolved.sla).toMatchObject({ state: 'BREACHED', timeLeftSeconds: null, resolution: { metAt: at(base + 9, 2).toISOString() } });
    setClock(at(base + 20));
    expect((await get(id)).sla.state).toBe('BREACHED'); // a stopped clock keeps its verdict
  });

  it('counts a resolution in time as ON_TRACK and a missed first response as BREACHED', async () => {
    const base = 60;
    setClock(at(base));
    const fast = (await open({ kind: 'INQUIRY', subject: 'Fast' })).data.openServiceCase.id;
    const late = (await open({ kind: 'INQUIRY', subject: 'Late first response' })).data.openServiceCase.id;
    setClock(at(base, 1));
    expect((await move(fast, 'RESOLVED')).data.transitionServiceCase.sla.state).toBe('ON_TRACK');
    setClock(at(base, 9)); // INQUIRY first response is due after 8 h
    expect((await get(late)).sla).toMatchObject({ state: 'BREACHED', firstResponse: { state: 'BREACHED' }, resolution: { state: 'ON_TRACK' } });
    const answered = (await move(late, 'WAITING_CUSTOMER')).data.transitionServiceCase;
    expect(answered.sla).toMatchObject({ state: 'BREACHED', firstResponse: { state: 'BREACHED', metAt: at(base, 9).toISOString() } });
  });

  it('re-times a case when its priority changes', async () => {
    setClock(at(90));
    const c = (await open({ subject: 'Escalate me' })).data.openServiceCase;
    const q = `mutation($id: ID!, $v: Int!) { updateServiceCase(id: $id, version: $v, input: { priority: URGENT, assignee: "senior" }) { priority assignee version sla { targetAt deadlineAt } } }`;
    const updated = (await ok(q, { id: c.id, v: c.version })).updateServiceCase;
    expect(updated).toMatchObject({ priority: 'URGENT', assignee: 'senior', version: 2, sla: { targetAt: at(90, 42).toISOString(), deadlineAt: at(90, 54).toISOString() } });
    const stale = await s.gql(q, { id: c.id, v: 1 });
    expect(stale.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', path: 'version' });
  });
});

describe('case lifecycle', () => {
  it('walks OPEN -> IN_PROGRESS -> WAITING_CUSTOMER -> IN_PROGRESS -> RESOLVED -> CLOSED with a history', async () => {
    const c = (await open({ subject: 'Lifecycle' })).data.openServiceCase;
    for (const to of ['IN_PROGRESS', 'WAITING_CUSTOMER', 'IN_PROGRESS', 'RESOLVED']) {
      const res = await move(c.id, to, { note: `to ${to}` });
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      expect(res.data.transitionServiceCase.status).toBe(to);
    }
    const closed = (await move(c.id, 'CLOSED')).data.transitionServiceCase;
    expect(closed.closedAt).not.toBeNull();
    expect(closed.history.map((h: any) => [h.fromStatus, h.toStatus])).toEqual([
      [null, 'OPEN'], ['OPEN', 'IN_PROGRESS'], ['IN_PROGRESS', 'WAITING_CUSTOMER'], ['WAITING_CUSTOMER', 'IN_PROGRESS'],
      ['IN_PROGRESS', 'RESOLVED'], ['RESOLVED', 'CLOSED'],
    ]);
    const reopen = await move(c.id, 'IN_PROGRESS');
    expect(reopen.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', path: 'input.to', from: 'CLOSED', to: 'IN_PROGRESS', allowed: [] });
    expect(reopen.errors?.[0].message).toMatch(/CLOSED case is final/);
  });

  it('answers CONFLICT with the allowed moves for an illegal transition', async () => {
    const c = (await open({ subject: 'Illegal' })).data.openServiceCase;
    const res = await move(c.id, 'CLOSED');
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', path: 'input.to', from: 'OPEN', to: 'CLOSED', allowed: ['IN_PROGRESS', 'WAITING_CUSTOMER', 'RESOLVED'] });
    expect(res.errors?.[0].message).toBe('A OPEN case cannot move to CLOSED; allowed: IN_PROGRESS, WAITING_CUSTOMER, RESOLVED (resolve it first)');
    const stale = await move(c.id, 'IN_PROGRESS', { version: 99 });
    expect(stale.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', path: 'version' });
    expect((await get(c.id)).status).toBe('OPEN');
  });

  it('reopens a RESOLVED case: back to IN_PROGRESS, resolvedAt cleared, reopenCount up', async () => {
    const c = (await open({ subject: 'Reopen' })).data.openServiceCase;
    await move(c.id, 'RESOLVED');
    const reopened = (await move(c.id, 'IN_PROGRESS', { note: 'Still leaking' })).data.transitionServiceCase;
    expect(reopened).toMatchObject({ status: 'IN_PROGRESS', resolvedAt: null, reopenCount: 1 });
    expect((await move(c.id, 'IN_PROGRESS')).errors).toBeUndefined(); // same status: no change, no error
  });

  it('keeps tenants apart and READ_ONLY keys out', async () => {
    const c = (await open({ subject: 'Mine' })).data.openServiceCase;
    expect((await move(c.id, 'IN_PROGRESS', {}, s.b.keys.ADMIN)).errors?.[0].extensions.code).toBe('NOT_FOUND');
    expect((await s.gql(GET, { id: c.id }, s.b.keys.ADMIN)).errors?.[0].extensions.code).toBe('NOT_FOUND');
    expect((await move(c.id, 'IN_PROGRESS', {}, s.a.keys.READ_ONLY)).errors?.[0].extensions.code).toBe('FORBIDDEN');
    const theirs = await ok(`{ serviceCases { totalCount } }`, {}, s.b.keys.READ_ONLY);
    expect(theirs.serviceCases.totalCount).toBe(0);
  });

  it('batches every nested field of a page of cases (no N+1)', async () => {
    const q = `query($n: Int!) { serviceCases(first: $n) { nodes { id sla { state } customer { id } history { toStatus } compensations { kind }
      followUpSurvey { id survey { id } response { id } } feedback(first: 2) { totalCount nodes { id } } } } }`;
    const one = await s.gql(q, { n: 1 });
    const many = await s.gql(q, { n: 100 });
    expect(many.errors).toBeUndefined();
    expect(many.data.serviceCases.nodes.length).toBeGreaterThan(10);
    expect(many.extensions?.sqlStatements).toBeLessThanOrEqual(one.extensions!.sqlStatements! + 2); // + survey and response of follow-ups, present on some pages only
    expect(many.extensions?.sqlStatements).toBeLessThanOrEqual(11);
  });

  it('lists the work queue by deadline and filters by kind, status and customer', async () => {
    const q = `query($f: ServiceCaseFilter, $sort: ServiceCaseSort) { serviceCases(first: 100, filter: $f, sort: $sort) { totalCount nodes { kind status sla { deadlineAt } } } }`;
    const queue = (await ok(q, { sort: 'DEADLINE', f: { status: { notIn: ['RESOLVED', 'CLOSED'] } } })).serviceCases.nodes;
    const deadlines = queue.map((n: any) => Date.parse(n.sla.deadlineAt));
    expect(deadlines).toEqual([...deadlines].sort((a, b) => a - b));
    expect(queue.every((n: any) => !['RESOLVED', 'CLOSED'].includes(n.status))).toBe(true);
    const inquiries = (await ok(q, { f: { kind: { eq: 'INQUIRY' }, customerId: { eq: customerId } } })).serviceCases;
    expect(inquiries.nodes.every((n: any) => n.kind === 'INQUIRY')).toBe(true);
    expect(inquiries.totalCount).toBeGreaterThan(0);
  });
});

describe('CSAT follow-up on resolution', () => {
  it('links a CSAT survey invitation the customer can answer once, kept across reopenings', async () => {
    const c = (await open({ kind: 'COMPLAINT', subject: 'Rude driver' })).data.openServiceCase;
    const followUpQ = `query($id: ID!) { serviceCase(id: $id) { followUpSurvey { id case { id } customer { id } survey { kind status caseFollowUp questions { id } } response { id score } } } }`;
    expect((await ok(followUpQ, { id: c.id })).serviceCase.followUpSurvey).toBeNull();
    await move(c.id, 'RESOLVED');
    const invitation = (await ok(followUpQ, { id: c.id })).serviceCase.followUpSurvey;
    expect(invitation).toMatchObject({ case: { id: c.id }, customer: { id: customerId }, survey: { kind: 'CSAT', status: 'ACTIVE', caseFollowUp: true }, response: null });
    const submit = `mutation($input: SubmitSurveyResponseInput!, $key: String!) { submitSurveyResponse(input: $input, idempotencyKey: $key) { id score customerId invitation { case { id } } } }`;
    const surveyId = (await ok(`query($id: ID!) { surveyInvitation(id: $id) { survey { id } } }`, { id: invitation.id })).surveyInvitation.survey.id;
    const answered = (await ok(submit, { input: { surveyId, invitationId: invitation.id, channel: 'SMS', answers: [{ questionId: 'csat', value: 2 }] }, key: 'csat-1' })).submitSurveyResponse;
    expect(answered).toMatchObject({ score: 2, customerId, invitation: { case: { id: c.id } } });
    expect((await ok(followUpQ, { id: c.id })).serviceCase.followUpSurvey.response).toEqual({ id: answered.id, score: 2 });
    const twice = await s.gql(submit, { input: { surveyId, invitationId: invitation.id, channel: 'SMS', answers: [{ questionId: 'csat', value: 5 }] }, key: 'csat-2' });
    expect(twice.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', path: 'input.invitationId' });
    await move(c.id, 'IN_PROGRESS');
    await move(c.id, 'RESOLVED');
    expect((await ok(followUpQ, { id: c.id })).serviceCase.followUpSurvey.id).toBe(invitation.id);
  });

  it('uses the survey the tenant marked as the case follow-up', async () => {
    const own = (await ok(`mutation { createSurvey(input: { name: "Our CSAT", kind: CSAT, caseFollowUp: true }) { id } }`, {}, s.b.keys.ADMIN)).createSurvey.id;
    await ok(`mutation($id: ID!) { setSurveyStatus(id: $id, status: ACTIVE) { id } }`, { id: own }, s.b.keys.ADMIN);
    const bCustomer = (await ok('mutation { createCustomer(input: { name: "B2" }) { id } }', {}, s.b.keys.ADMIN)).createCustomer.id;
    const c = (await open({ subject: 'B case' }, s.b.keys.ADMIN, bCustomer)).data.openServiceCase;
    await move(c.id, 'RESOLVED', {}, s.b.keys.ADMIN);
    const res = await ok(`query($id: ID!) { serviceCase(id: $id) { followUpSurvey { survey { id } } } }`, { id: c.id }, s.b.keys.ADMIN);
    expect(res.serviceCase.followUpSurvey.survey.id).toBe(own);
    const notCsat = await s.gql(`mutation { createSurvey(input: { name: "x", kind: NPS, caseFollowUp: true }) { id } }`, {}, s.b.keys.ADMIN);
    expect(notCsat.errors?.[0].extensions.fields?.[0].path).toBe('input.caseFollowUp');
  });
});

describe('compensation', () => {
  it('records money and non-money compensation on a case', async () => {
    const c = (await open({ subject: 'Compensate' })).data.openServiceCase;
    const add = `mutation($id: ID!, $input: CompensationInput!, $key: String) { addCaseCompensation(caseId: $id, input: $input, idempotencyKey: $key) { kind amount { amount currency } description } }`;
    expect((await ok(add, { id: c.id, input: { kind: 'REFUND', amount: '100.5', description: 'Partial refund' }, key: 'comp-1' })).addCaseCompensation)
      .toEqual({ kind: 'REFUND', amount: { amount: '100.50', currency: 'CNY' }, description: 'Partial refund' });
    await ok(add, { id: c.id, input: { kind: 'REFUND', amount: '100.5', description: 'Partial refund' }, key: 'comp-1' });
    await ok(add, { id: c.id, input: { kind: 'REPLACEMENT', description: 'New pump' } });
    const list = await ok(`query($id: ID!) { serviceCase(id: $id) { compensations { kind amount { amount } } } }`, { id: c.id });
    expect(list.serviceCase.compensations).toEqual([{ kind: 'REFUND', amount: { amount: '100.50' } }, { kind: 'REPLACEMENT', amount: null }]);
    const bad = await s.gql(add, { id: c.id, input: { kind: 'CREDIT', amount: '-5', currency: 'XXX1' } });
    expect(bad.errors?.[0].extensions.fields?.map((f) => f.path)).toEqual(['input.amount', 'input.currency']);
    const currencyOnly = await s.gql(add, { id: c.id, input: { kind: 'CREDIT', currency: 'USD' } });
    expect(currencyOnly.errors?.[0].extensions.fields?.[0].path).toBe('input.currency');
  });
});

describe('SLA policies', () => {
  it('lists every kind × priority with defaults and lets an ADMIN set and reset one', async () => {
    const { slaPolicies } = await ok(`{ slaPolicies { kind priority firstResponseMinutes resolutionTargetMinutes resolutionMaxMinutes isDefault } }`);
    expect(slaPolicies).toHaveLength(20);
    expect(slaPolicies.find((p: any) => p.kind === 'REPAIR' && p.priority === 'MEDIUM')).toEqual({
      kind: 'REPAIR', priority: 'MEDIUM', firstResponseMinutes: 480, resolutionTargetMinutes: 7 * 1440, resolutionMaxMinutes: 9 * 1440, isDefault: true,
    });
    const set = `mutation($input: SlaPolicyInput!) { setSlaPolicy(input: $input) { resolutionTargetMinutes resolutionMaxMinutes isDefault } }`;
    const input = { kind: 'REPAIR', priority: 'MEDIUM', firstResponseMinutes: 60, resolutionTargetMinutes: 5 * 1440, resolutionMaxMinutes: 6 * 1440 };
    expect((await s.gql(set, { input }, s.a.keys.AGENT)).errors?.[0].extensions.code).toBe('FORBIDDEN');
    expect((await ok(set, { input })).setSlaPolicy).toEqual({ resolutionTargetMinutes: 7200, resolutionMaxMinutes: 8640, isDefault: false });
    setClock(at(120));
    const c = (await open({ subject: 'New policy' })).data.openServiceCase;
    expect(c.sla).toMatchObject({ targetAt: at(125).toISOString(), deadlineAt: at(126).toISOString(), firstResponse: { dueAt: at(120, 1).toISOString() } });
    const bad = await s.gql(set, { input: { ...input, resolutionMaxMinutes: 10, firstResponseMinutes: 0 } });
    expect(bad.errors?.[0].extensions.fields?.map((f) => f.path)).toEqual(['input.firstResponseMinutes']);
    const bad2 = await s.gql(set, { input: { ...input, resolutionMaxMinutes: 10 } });
    expect(bad2.errors?.[0].extensions.fields?.map((f) => f.path)).toEqual(['input.resolutionMaxMinutes']);
    const reset = await ok(`mutation { resetSlaPolicy(kind: REPAIR, priority: MEDIUM) { resolutionMaxMinutes isDefault } }`);
    expect(reset.resetSlaPolicy).toEqual({ resolutionMaxMinutes: 9 * 1440, isDefault: true });
    // Tenant B never saw A's policy.
    const theirs = await ok(`{ slaPolicies { isDefault } }`, {}, s.b.keys.READ_ONLY);
    expect(theirs.slaPolicies.every((p: any) => p.isDefault)).toBe(true);
  });
});

describe('serviceMetrics', () => {
  // Tenant B holds exactly these cases (opened and moved on the simulated clock).
  beforeAll(async () => {
    const key = s.b.keys.ADMIN;
    const cust = async (name: string) => (await ok(`mutation($n: String!) { createCustomer(input: { name: $n }) { id } }`, { n: name }, key)).createCustomer.id;
    const [c1, c2] = [await cust('m1'), await cust('m2')];
    const openB = async (when: Date, input: Record<string, unknown>) => {
      setClock(when);
      return (await ok(OPEN, { input: { customerId: c1, channel: 'PHONE', subject: 'm', ...input } }, key)).openServiceCase.id as string;
    };
    const moveB = async (when: Date, id: string, to: string) => {
      setClock(when);
      await ok(MOVE, { input: { caseId: id, to } }, key);
    };
    // 1. REPAIR: answered in 2 h, resolved after 3 days (target 7 d, max 9 d): compliant.
    const r1 = await openB(at(0), { kind: 'REPAIR' });
    await moveB(at(0, 2), r1, 'IN_PROGRESS');
    await moveB(at(3), r1, 'RESOLVED');
    // 2. COMPLAINT: first response after 5 h (due 4 h), resolved after 24 h: not compliant, target met.
    const r2 = await openB(at(0, 1), { kind: 'COMPLAINT', customerId: c2 });
    await moveB(at(0, 6), r2, 'IN_PROGRESS');
    await moveB(at(1, 1), r2, 'RESOLVED');
    // 3. COMPLAINT HIGH (2 h / 1 d / 1.5 d): answered in 1 h, resolved at exactly 36 h: compliant, target missed.
    const r3 = await openB(at(1), { kind: 'COMPLAINT', priority: 'HIGH' });
    await moveB(at(1, 1), r3, 'IN_PROGRESS');
    await moveB(at(2, 12), r3, 'RESOLVED');
    // 4. INQUIRY never answered: in the backlog, breached (first response due after 8 h).
    await openB(at(2), { kind: 'INQUIRY' });
    // 5. RETURN LOW answered, open at the end: in the backlog, on track.
    const r5 = await openB(at(5), { kind: 'RETURN', priority: 'LOW' });
    await moveB(at(5, 1), r5, 'IN_PROGRESS');
    setClock(at(7, 1));
  });

  const Q = `query($p: PeriodInput!, $b: TimeBucket) { serviceMetrics(period: $p, bucket: $b) {
    customers
    overall { opened resolved slaCompliancePercent targetMetPercent medianResolutionSeconds p90ResolutionSeconds openBacklog openBreached complaints complaintsPer100Customers casesPer100Customers }
    byKind { kind metrics { opened resolved slaCompliancePercent medianResolutionSeconds openBacklog complaints } }
    byPeriod { start end metrics { opened resolved openBacklog } }
  } }`;

  it('reports SLA compliance, median and p90 resolution times, backlog and complaints per 100 customers', async () => {
    setClock(at(7, 1));
    const m = (await ok(Q, { p: { from: at(0).toISOString(), to: at(7).toISOString() }, b: 'DAY' }, s.b.keys.ANALYST)).serviceMetrics;
    const customers = m.customers;
    expect(customers).toBeGreaterThanOrEqual(2);
    expect(m.overall).toEqual({
      opened: 5, resolved: 3, slaCompliancePercent: 66.67, targetMetPercent: 66.67,
      medianResolutionSeconds: 36 * 3600, p90ResolutionSeconds: Math.round(64.8 * 3600),
      openBacklog: 2, openBreached: 1, complaints: 2,
      complaintsPer100Customers: Math.round((2 / customers) * 100 * 100) / 100,
      casesPer100Customers: Math.round((5 / customers) * 100 * 100) / 100,
    });
    const byKind = Object.fromEntries(m.byKind.map((k: any) => [k.kind, k.metrics]));
    expect(Object.keys(byKind)).toEqual(['COMPLAINT', 'INQUIRY', 'REPAIR', 'REQUEST', 'RETURN']);
    expect(byKind.COMPLAINT).toEqual({ opened: 2, resolved: 2, slaCompliancePercent: 50, medianResolutionSeconds: 30 * 3600, openBacklog: 0, complaints: 2 });
    expect(byKind.INQUIRY).toMatchObject({ opened: 1, resolved: 0, slaCompliancePercent: null, openBacklog: 1 });
    expect(byKind.REQUEST).toMatchObject({ opened: 0, openBacklog: 0 });
    expect(m.byPeriod.map((d: any) => [d.start, d.metrics.opened, d.metrics.resolved, d.metrics.openBacklog])).toEqual([
      [at(0).toISOString(), 2, 0, 2],
      [at(1).toISOString(), 1, 1, 2],
      [at(2).toISOString(), 1, 1, 2],
      [at(3).toISOString(), 0, 1, 1],
      [at(4).toISOString(), 0, 0, 1],
      [at(5).toISOString(), 1, 0, 2],
      [at(6).toISOString(), 0, 0, 2],
    ]);
  });

  it('validates the period', async () => {
    const res = await s.gql(Q, { p: { from: at(7).toISOString(), to: at(0).toISOString() } });
    expect(res.errors?.[0].extensions.fields?.[0].path).toBe('period.to');
  });
});
