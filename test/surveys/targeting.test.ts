import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyError, startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let vip = '';
let other = '';
let member1 = '';
let member2 = '';
let outsider = '';

async function ok<T = any>(query: string, variables: Record<string, unknown> = {}, key = s.a.keys.ADMIN): Promise<T> {
  const res = await s.gql(query, variables, key);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as T;
}

const customer = async (name: string) => (await ok(`mutation($n: String!) { createCustomer(input: { name: $n }) { id } }`, { n: name })).createCustomer.id as string;
const segment = async (name: string, customerIds: string[], key = s.a.keys.ADMIN) =>
  (await ok(`mutation($input: CreateSegmentInput!) { createSegment(input: $input) { id size } }`, { input: { name, kind: 'STATIC', customerIds } }, key))
    .createSegment.id as string;

const CREATE = `mutation($input: CreateSurveyInput!) { createSurvey(input: $input) { id targetSegmentId targetSegment { id name size } } }`;
const UPDATE = `mutation($id: ID!, $revision: Int!, $input: UpdateSurveyInput!) {
  updateSurvey(id: $id, revision: $revision, input: $input) { id revision targetSegmentId targetSegment { id } } }`;
const SUBMIT = `mutation($input: SubmitSurveyResponseInput!, $key: String!) { submitSurveyResponse(input: $input, idempotencyKey: $key) { id status customerId } }`;

let seq = 0;
function submit(surveyId: string, customerId: string | null, value: number, extra: Record<string, unknown> = {}) {
  return s.gql(SUBMIT, { input: { surveyId, customerId, channel: 'WEB', answers: [{ questionId: 'nps', value }], ...extra }, key: `t-${seq++}` });
}

async function activeSurvey(input: Record<string, unknown>): Promise<string> {
  const id = (await ok(CREATE, { input })).createSurvey.id as string;
  await ok(`mutation($id: ID!) { setSurveyStatus(id: $id, status: ACTIVE) { id } }`, { id });
  return id;
}

beforeAll(async () => {
  s = await startTestServer();
  [member1, member2, outsider] = [await customer('Member One'), await customer('Member Two'), await customer('Outsider')];
  vip = await segment('VIP', [member1, member2]);
  other = await segment('Early adopters', [member2]);
});
afterAll(async () => s?.close());

describe('survey targeting by segment', () => {
  it('creates a survey targeted at a segment and exposes it', async () => {
    const { createSurvey } = await ok(CREATE, { input: { name: 'VIP NPS', kind: 'NPS', targetSegmentId: vip } });
    expect(createSurvey).toMatchObject({ targetSegmentId: vip, targetSegment: { id: vip, name: 'VIP', size: 2 } });
    const untargeted = (await ok(CREATE, { input: { name: 'Open NPS', kind: 'NPS' } })).createSurvey;
    expect(untargeted).toMatchObject({ targetSegmentId: null, targetSegment: null });
  });

  it('refuses a target segment that is unknown, of another tenant, archived or not an id', async () => {
    const foreign = await segment('Globex list', [], s.b.keys.ADMIN);
    for (const targetSegmentId of [foreign, '00000000-0000-4000-8000-000000000000', 'nope']) {
      const e = onlyError(await s.gql(CREATE, { input: { name: 'Bad', kind: 'NPS', targetSegmentId } }));
      expect(e.extensions?.code).toBe('BAD_USER_INPUT');
      expect((e.extensions?.fields as any[])[0].path).toBe('input.targetSegmentId');
    }
    const archived = await segment('Archived', [member1]);
    await ok(`mutation($id: ID!) { deleteSegment(id: $id) { id } }`, { id: archived });
    const e = onlyError(await s.gql(CREATE, { input: { name: 'Bad', kind: 'NPS', targetSegmentId: archived } }));
    expect(e.extensions?.fields).toEqual([{ path: 'input.targetSegmentId', message: `segment ${archived} is archived` }]);
  });

  it('sets, keeps and clears the target on update', async () => {
    const created = (await ok(CREATE, { input: { name: 'Retarget', kind: 'NPS' } })).createSurvey;
    const set = (await ok(UPDATE, { id: created.id, revision: 1, input: { targetSegmentId: other } })).updateSurvey;
    expect(set).toMatchObject({ revision: 2, targetSegmentId: other, targetSegment: { id: other } });
    const kept = (await ok(UPDATE, { id: created.id, revision: 2, input: { name: 'Renamed' } })).updateSurvey;
    expect(kept.targetSegmentId).toBe(other);
    const cleared = (await ok(UPDATE, { id: created.id, revision: 3, input: { targetSegmentId: null } })).updateSurvey;
    expect(cleared).toMatchObject({ targetSegmentId: null, targetSegment: null });
    const foreign = onlyError(await s.gql(UPDATE, { id: created.id, revision: 4, input: { targetSegmentId: '00000000-0000-4000-8000-000000000000' } }));
    expect((foreign.extensions?.fields as any[])[0].path).toBe('input.targetSegmentId');
  });

  it('takes responses from members only; non-members and anonymous respondents are refused with the path', async () => {
    const surveyId = await activeSurvey({ name: 'Members only', kind: 'NPS', targetSegmentId: vip });
    const accepted = await submit(surveyId, member1, 10);
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data.submitSurveyResponse).toMatchObject({ status: 'COMPLETE', customerId: member1 });

    const refused = onlyError(await submit(surveyId, outsider, 3));
    expect(refused.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.extensions?.fields).toEqual([
      { path: 'input.customerId', message: `customer ${outsider} is not a member of segment ${vip}, which this survey is targeted at` },
    ]);
    const anonymous = onlyError(await submit(surveyId, null, 3));
    expect(anonymous.extensions?.fields).toEqual([{ path: 'input.customerId', message: 'this survey is targeted at a segment; identify the customer' }]);
    const stored = await s.orm.em.fork().getConnection().execute<{ count: number }[]>(
      'select count(*)::int as count from survey_response where survey_id = ?', [surveyId],
    );
    expect(Number(stored[0].count)).toBe(1);

    // A customer removed from the segment can no longer respond.
    await ok(`mutation($id: ID!, $ids: [ID!]) { removeSegmentMembers(id: $id, customerIds: $ids) { exited } }`, { id: vip, ids: [member2] });
    expect(onlyError(await submit(surveyId, member2, 8)).extensions?.code).toBe('BAD_USER_INPUT');
    await ok(`mutation($id: ID!, $ids: [ID!]) { addSegmentMembers(id: $id, customerIds: $ids) { entered } }`, { id: vip, ids: [member2] });
    expect((await submit(surveyId, member2, 8)).errors).toBeUndefined();
  });

  it('checks the target again when a partial response is completed', async () => {
    const created = (await ok(CREATE, { input: { name: 'Later targeted', kind: 'NPS' } })).createSurvey;
    await ok(`mutation($id: ID!) { setSurveyStatus(id: $id, status: ACTIVE) { id } }`, { id: created.id });
    const key = `partial-${seq++}`;
    const input = { surveyId: created.id, customerId: null, channel: 'WEB', answers: [{ questionId: 'nps', value: 6 }] };
    expect((await s.gql(SUBMIT, { input: { ...input, partial: true }, key })).errors).toBeUndefined();
    await ok(UPDATE, { id: created.id, revision: 2, input: { targetSegmentId: vip } });
    const anonymous = onlyError(await s.gql(SUBMIT, { input, key }));
    expect((anonymous.extensions?.fields as any[])[0].path).toBe('input.customerId');
    const done = await s.gql(SUBMIT, { input: { ...input, customerId: member1 }, key });
    expect(done.errors).toBeUndefined();
    expect(done.data.submitSurveyResponse).toMatchObject({ status: 'COMPLETE', customerId: member1 });
  });

  it('still takes anonymous responses to an untargeted survey', async () => {
    const surveyId = await activeSurvey({ name: 'Everyone', kind: 'NPS' });
    expect((await submit(surveyId, null, 9)).errors).toBeUndefined();
    expect((await submit(surveyId, outsider, 9)).errors).toBeUndefined();
  });
});

describe('surveyAnalytics bySegment', () => {
  const ANALYTICS = `query($surveyId: ID, $kind: SurveyKind, $period: PeriodInput!) {
    surveyAnalytics(surveyId: $surveyId, kind: $kind, period: $period) {
      summary { responses nps { score } }
      bySegment { segmentId name responses summary { responses nps { responses promoters passives detractors score } } }
    }
  }`;
  const PERIOD = { from: new Date(Date.now() - 30 * 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() };

  it('breaks responses down by the segments the customer belongs to now, in one statement', async () => {
    const surveyId = await activeSurvey({ name: 'Breakdown', kind: 'NPS' });
    // member1 (VIP): 10 and 9; member2 (VIP + Early adopters): 3; outsider: 7; anonymous: 0.
    for (const [customerId, value] of [[member1, 10], [member1, 9], [member2, 3], [outsider, 7], [null, 0]] as const) {
      expect((await submit(surveyId, customerId, value)).errors).toBeUndefined();
    }
    const res = await s.gql(ANALYTICS, { surveyId, period: PERIOD });
    expect(res.errors).toBeUndefined();
    const a = res.data.surveyAnalytics;
    expect(a.summary.responses).toBe(5);
    expect(a.bySegment).toEqual([
      {
        segmentId: vip, name: 'VIP', responses: 3,
        summary: { responses: 3, nps: { responses: 3, promoters: 2, passives: 0, detractors: 1, score: 33.33 } },
      },
      {
        segmentId: other, name: 'Early adopters', responses: 1,
        summary: { responses: 1, nps: { responses: 1, promoters: 0, passives: 0, detractors: 1, score: -100 } },
      },
    ]);
  });

  it('is empty when no respondent is in a segment', async () => {
    const surveyId = await activeSurvey({ name: 'Nobody segmented', kind: 'NPS' });
    expect((await submit(surveyId, outsider, 10)).errors).toBeUndefined();
    const a = (await ok(ANALYTICS, { surveyId, period: PERIOD })).surveyAnalytics;
    expect(a).toMatchObject({ summary: { responses: 1 }, bySegment: [] });
  });
});
