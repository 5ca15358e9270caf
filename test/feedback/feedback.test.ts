import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
const customers: Record<string, string> = {};
const categories: Record<string, string> = {};

async function ok<T = any>(query: string, variables: Record<string, unknown> = {}, key = s.a.keys.ADMIN): Promise<T> {
  const res = await s.gql(query, variables, key);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as T;
}

const FIELDS = `id customerId source categoryId tags text rating sentiment sentimentScore language status assignee caseId occurredAt version
  category { id name } customer { id } case { id }`;
const SUBMIT = `mutation($input: SubmitFeedbackInput!, $key: String) { submitFeedback(input: $input, idempotencyKey: $key) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $version: Int!, $input: UpdateFeedbackInput!) { updateFeedback(id: $id, version: $version, input: $input) { ${FIELDS} } }`;
const STATUS = `mutation($id: ID!, $status: FeedbackStatus!) { setFeedbackStatus(id: $id, status: $status) { id status version } }`;
const CATEGORY = `mutation($input: FeedbackCategoryInput!) { createFeedbackCategory(input: $input) { id name description archivedAt } }`;

function submit(input: Record<string, unknown>, key?: string, apiKey = s.a.keys.ADMIN) {
  return s.gql(SUBMIT, { input: { source: 'EMAIL', ...input }, key }, apiKey);
}

async function customer(name: string, orderTotal?: string): Promise<string> {
  const id = (await ok(`mutation($n: String!) { createCustomer(input: { name: $n }) { id } }`, { n: name })).createCustomer.id;
  if (orderTotal) {
    await ok(`mutation($i: RecordOrderInput!) { recordOrder(input: $i) { id } }`, { i: { customerId: id, total: orderTotal, occurredAt: '2024-06-01T00:00:00Z' } });
  }
  customers[name] = id;
  return id;
}

beforeAll(async () => {
  s = await startTestServer();
  await customer('Key Corp', '10000.00');
  await customer('Small 1', '500.00');
  await customer('Small 2', '400.00');
  await customer('Small 3', '300.00');
  await customer('Small 4', '200.00');
  for (const name of ['Delivery', 'Quality', 'Price']) {
    categories[name] = (await ok(CATEGORY, { input: { name, description: `${name} issues` } })).createFeedbackCategory.id;
  }
});
afterAll(async () => s?.close());

describe('submitFeedback', () => {
  it('stores feedback from every listening post with sentiment read from the text', async () => {
    const sources = ['WIDGET', 'SURVEY', 'EMAIL', 'PHONE', 'SOCIAL', 'SALES_REP', 'SERVICE_REP', 'MEETING', 'REVIEW'];
    const enumValues = (await ok(`{ __type(name: "FeedbackSource") { enumValues { name } } }`)).__type.enumValues.map((v: any) => v.name);
    expect(enumValues).toEqual(sources);
    for (const source of sources) {
      const res = await submit({ source, text: `Via ${source}: the staff were very helpful` });
      expect(res.data.submitFeedback).toMatchObject({ source, sentiment: 'POSITIVE', status: 'NEW', language: 'en', version: 1 });
    }
  });

  it('reads Chinese sentiment and keeps category, tags, rating, assignee and customer', async () => {
    const res = await submit({
      source: 'REVIEW', text: '维修了三次还是坏了，非常失望', customerId: customers['Small 1'], categoryId: categories.Quality,
      tags: [' repair ', 'repeat', 'repeat'], rating: 1, assignee: 'zhang.wei', occurredAt: '2025-01-05T08:00:00Z',
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data.submitFeedback).toMatchObject({
      sentiment: 'NEGATIVE', language: 'zh', tags: ['repair', 'repeat'], rating: 1, assignee: 'zhang.wei', occurredAt: '2025-01-05T08:00:00.000Z',
      category: { id: categories.Quality, name: 'Quality' }, customer: { id: customers['Small 1'] },
    });
    expect(res.data.submitFeedback.sentimentScore).toBeLessThan(-0.05);
  });

  it('rejects empty or overlong text, bad ratings and future dates with paths', async () => {
    const res = await submit({ text: '   ', rating: 6, occurredAt: '2999-01-01T00:00:00Z', tags: ['x'.repeat(51)] });
    expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].extensions.fields?.map((f) => f.path).sort()).toEqual(['input.occurredAt', 'input.rating', 'input.tags.0', 'input.text']);
    const long = await submit({ text: 'x'.repeat(10_001) });
    expect(long.errors?.[0].extensions.fields).toEqual([{ path: 'input.text', message: 'must be at most 10000 characters' }]);
    expect((await submit({ text: '好'.repeat(10_000) })).errors).toBeUndefined();
  });

  it('answers NOT_FOUND for another tenant’s customer or category, and BAD_USER_INPUT for an archived category', async () => {
    const otherCategory = (await ok(CATEGORY, { input: { name: 'Theirs' } }, s.b.keys.ADMIN)).createFeedbackCategory.id;
    expect((await submit({ text: 'x', categoryId: otherCategory })).errors?.[0].extensions.code).toBe('NOT_FOUND');
    const otherCustomer = (await ok('mutation { createCustomer(input: { name: "B" }) { id } }', {}, s.b.keys.ADMIN)).createCustomer.id;
    expect((await submit({ text: 'x', customerId: otherCustomer })).errors?.[0].extensions.code).toBe('NOT_FOUND');
    const archived = (await ok(CATEGORY, { input: { name: 'Old' } })).createFeedbackCategory.id;
    await ok(`mutation($id: ID!) { deleteFeedbackCategory(id: $id) { archivedAt } }`, { id: archived });
    const res = await submit({ text: 'x', categoryId: archived });
    expect(res.errors?.[0].extensions.fields).toEqual([{ path: 'input.categoryId', message: 'category "Old" is archived' }]);
  });

  it('returns the first item for a retry with the same idempotencyKey', async () => {
    const a = await submit({ text: 'Once only' }, 'fb-once');
    const b = await submit({ text: 'Once only' }, 'fb-once');
    expect(b.data.submitFeedback.id).toBe(a.data.submitFeedback.id);
    const list = await ok(`{ feedbackItems(filter: { search: "Once only" }) { totalCount } }`);
    expect(list.feedbackItems.totalCount).toBe(1);
  });

  it('refuses READ_ONLY and ANALYST keys', async () => {
    for (const role of ['READ_ONLY', 'ANALYST'] as const) {
      expect((await submit({ text: 'no' }, undefined, s.a.keys[role])).errors?.[0].extensions.code).toBe('FORBIDDEN');
    }
  });
});

describe('triage and status', () => {
  it('assigns a category, tags and an assignee, and moves NEW -> TRIAGED -> IN_PROGRESS -> RESOLVED -> CLOSED', async () => {
    const fb = (await submit({ text: 'Where is my parcel?', customerId: customers['Small 2'] })).data.submitFeedback;
    const triaged = (await ok(UPDATE, { id: fb.id, version: 1, input: { categoryId: categories.Delivery, tags: ['parcel'], assignee: 'li.na' } })).updateFeedback;
    expect(triaged).toMatchObject({ category: { name: 'Delivery' }, tags: ['parcel'], assignee: 'li.na', version: 2 });
    for (const status of ['TRIAGED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED']) {
      expect((await ok(STATUS, { id: fb.id, status })).setFeedbackStatus.status).toBe(status);
    }
    const reopen = await s.gql(STATUS, { id: fb.id, status: 'IN_PROGRESS' });
    expect(reopen.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', path: 'status', from: 'CLOSED', allowed: [] });
    expect(reopen.errors?.[0].message).toMatch(/CLOSED is final/);
  });

  it('may skip forward and reopen a RESOLVED item, but never move back', async () => {
    const fb = (await submit({ text: 'Skip me' })).data.submitFeedback;
    await ok(STATUS, { id: fb.id, status: 'RESOLVED' });
    expect((await ok(STATUS, { id: fb.id, status: 'IN_PROGRESS' })).setFeedbackStatus.status).toBe('IN_PROGRESS');
    const back = await s.gql(STATUS, { id: fb.id, status: 'NEW' });
    expect(back.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', from: 'IN_PROGRESS', to: 'NEW', allowed: ['RESOLVED', 'CLOSED'] });
  });

  it('answers CONFLICT for a stale version', async () => {
    const fb = (await submit({ text: 'Versioned' })).data.submitFeedback;
    await ok(UPDATE, { id: fb.id, version: 1, input: { assignee: 'a' } });
    const stale = await s.gql(UPDATE, { id: fb.id, version: 1, input: { assignee: 'b' } });
    expect(stale.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', path: 'version', currentVersion: 2 });
  });

  it('links to a service case of the same customer only', async () => {
    const caseId = (await ok(`mutation($c: ID!) { openServiceCase(input: { customerId: $c, kind: COMPLAINT, channel: EMAIL, subject: "Late" }) { id } }`, { c: customers['Small 3'] })).openServiceCase.id;
    const fb = (await submit({ text: 'Late again', customerId: customers['Small 3'] })).data.submitFeedback;
    const linked = (await ok(UPDATE, { id: fb.id, version: 1, input: { caseId } })).updateFeedback;
    expect(linked.case).toEqual({ id: caseId });
    const other = (await submit({ text: 'Not mine', customerId: customers['Small 4'] })).data.submitFeedback;
    const wrong = await s.gql(UPDATE, { id: other.id, version: 1, input: { caseId } });
    expect(wrong.errors?.[0].extensions.fields?.[0].path).toBe('input.caseId');
    const viaCase = await ok(`query($id: ID!) { serviceCase(id: $id) { feedback { totalCount nodes { id } } } }`, { id: caseId });
    expect(viaCase.serviceCase.feedback).toEqual({ totalCount: 1, nodes: [{ id: fb.id }] });
  });

  it('READ_ONLY keys cannot triage', async () => {
    const fb = (await submit({ text: 'ro' })).data.submitFeedback;
    expect((await s.gql(STATUS, { id: fb.id, status: 'TRIAGED' }, s.a.keys.READ_ONLY)).errors?.[0].extensions.code).toBe('FORBIDDEN');
    expect((await s.gql(STATUS, { id: fb.id, status: 'TRIAGED' }, s.b.keys.ADMIN)).errors?.[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('feedback categories', () => {
  it('creates, renames, archives and restores; names are unique ignoring case; ADMIN only', async () => {
    const c = (await ok(CATEGORY, { input: { name: 'Packaging' } })).createFeedbackCategory;
    const dup = await s.gql(CATEGORY, { input: { name: 'PACKAGING' } });
    expect(dup.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', path: 'input.name' });
    const renamed = await ok(`mutation($id: ID!) { updateFeedbackCategory(id: $id, input: { name: "Packing", description: "Boxes" }) { name description } }`, { id: c.id });
    expect(renamed.updateFeedbackCategory).toEqual({ name: 'Packing', description: 'Boxes' });
    await ok(`mutation($id: ID!) { deleteFeedbackCategory(id: $id) { id } }`, { id: c.id });
    const listed = await ok(`{ active: feedbackCategories { name } all: feedbackCategories(includeArchived: true) { name } }`);
    expect(listed.active.map((x: any) => x.name)).not.toContain('Packing');
    expect(listed.all.map((x: any) => x.name)).toContain('Packing');
    await ok(`mutation($id: ID!) { restoreFeedbackCategory(id: $id) { archivedAt } }`, { id: c.id });
    expect((await s.gql(CATEGORY, { input: { name: 'Nope' } }, s.a.keys.AGENT)).errors?.[0].extensions.code).toBe('FORBIDDEN');
    expect((await ok(`{ feedbackCategories { name } }`, {}, s.b.keys.READ_ONLY)).feedbackCategories.map((x: any) => x.name)).toEqual(['Theirs']);
  });
});

describe('feedbackItems', () => {
  it('filters by source, sentiment, category, tags, customer and text, newest first', async () => {
    const q = `query($f: FeedbackFilter) { feedbackItems(first: 100, filter: $f) { totalCount nodes { source sentiment occurredAt tags category { name } customerId } } }`;
    const negative = (await ok(q, { f: { sentiment: { eq: 'NEGATIVE' } } })).feedbackItems;
    expect(negative.nodes.every((n: any) => n.sentiment === 'NEGATIVE')).toBe(true);
    const tagged = (await ok(q, { f: { tags: ['repair', 'repeat'] } })).feedbackItems;
    expect(tagged.totalCount).toBe(1);
    const quality = (await ok(q, { f: { categoryId: { eq: categories.Quality }, source: { in: ['REVIEW'] } } })).feedbackItems;
    expect(quality.nodes).toEqual([expect.objectContaining({ category: { name: 'Quality' }, source: 'REVIEW' })]);
    const all = (await ok(q)).feedbackItems.nodes;
    const times = all.map((n: any) => Date.parse(n.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const uncategorized = (await ok(q, { f: { uncategorized: true } })).feedbackItems;
    expect(uncategorized.nodes.every((n: any) => n.category === null)).toBe(true);
    expect((await ok(`{ feedbackItems { totalCount } }`, {}, s.b.keys.READ_ONLY)).feedbackItems.totalCount).toBe(0);
  });
});

describe('voiceOfCustomer', () => {
  const PERIOD = { from: '2025-02-01T00:00:00Z', to: '2025-03-01T00:00:00Z' }; // previous: 2025-01-04 .. 2025-02-01
  const VOC = `query($p: PeriodInput!) { voiceOfCustomer(period: $p) {
    period { from to } previousPeriod { from to } total previousTotal valueSource
    byCount { category { name } count previousCount change changePercent trend customers keyCustomers customerValue { amount currency } negativeCount rankByCount rankByValue }
    byValue { category { name } customerValue { amount } keyCustomers }
  } }`;

  beforeAll(async () => {
    const at = (day: string) => `2025-${day}T09:00:00Z`;
    const add = (name: string | null, category: string, occurredAt: string, text = 'The delivery was slow and late') =>
      ok(SUBMIT, { input: { source: 'PHONE', text, customerId: name ? customers[name] : null, categoryId: categories[category], occurredAt } });
    // Current period: Delivery raised 3 times by small customers, Quality once by the key customer, Price once anonymously.
    await add('Small 1', 'Delivery', at('02-03'));
    await add('Small 2', 'Delivery', at('02-04'));
    await add('Small 3', 'Delivery', at('02-05'), 'Fast delivery, thanks');
    await add('Key Corp', 'Quality', at('02-06'), 'The product broke after a week');
    await add(null, 'Price', at('02-07'), 'Too expensive');
    // Previous period: Delivery once, Quality twice (plus the Chinese review of 2025-01-05 above).
    await add('Small 1', 'Delivery', at('01-10'));
    await add('Small 4', 'Quality', at('01-11'));
    await add('Small 4', 'Quality', at('01-12'));
  });

  it('ranks categories by count with the trend against the previous period', async () => {
    const voc = (await ok(VOC, { p: PERIOD })).voiceOfCustomer;
    expect(voc.previousPeriod).toEqual({ from: '2025-01-04T00:00:00.000Z', to: '2025-02-01T00:00:00.000Z' });
    expect(voc.valueSource).toBe('CUSTOMER_METRICS');
    expect(voc.total).toBe(5);
    expect(voc.byCount.map((c: any) => [c.category?.name ?? null, c.count, c.previousCount, c.trend, c.rankByCount])).toEqual([
      ['Delivery', 3, 1, 'UP', 1],
      ['Quality', 1, 3, 'DOWN', 2],
      ['Price', 1, 0, 'NEW', 3],
    ]);
    const delivery = voc.byCount[0];
    expect(delivery).toMatchObject({ change: 2, changePercent: 200, customers: 3, keyCustomers: 0, negativeCount: 2, customerValue: { amount: '1200.00', currency: 'CNY' } });
  });

  it('ranks by the value of the customers raising them, so the key customer’s demand comes first', async () => {
    const voc = (await ok(VOC, { p: PERIOD })).voiceOfCustomer;
    expect(voc.byValue.map((c: any) => [c.category.name, c.customerValue.amount, c.keyCustomers])).toEqual([
      ['Quality', '10000.00', 1],
      ['Delivery', '1200.00', 0],
      ['Price', '0.00', 0],
    ]);
    expect(voc.byCount.find((c: any) => c.category.name === 'Quality').rankByValue).toBe(1);
  });

  it('prefers customer_metrics value (historic + predicted CLV) where a customer is scored', async () => {
    await s.orm.em.fork().getConnection().execute(
      `insert into customer_metrics (tenant_id, customer_id, as_of, computed_at, currency, lifecycle_stage, customer_value)
       values (?, ?, now(), now(), 'CNY', 'ACTIVE', 50000)
       on conflict (tenant_id, customer_id) do update set customer_value = excluded.customer_value`,
      [s.a.id, customers['Small 2']],
    );
    const voc = (await ok(VOC, { p: PERIOD })).voiceOfCustomer;
    expect(voc.byValue[0]).toMatchObject({ category: { name: 'Delivery' }, customerValue: { amount: '50800.00' }, keyCustomers: 1 });
  });

  it('keeps tenants apart and validates the period', async () => {
    const theirs = (await ok(VOC, { p: PERIOD }, s.b.keys.READ_ONLY)).voiceOfCustomer;
    expect(theirs).toMatchObject({ total: 0, byCount: [] });
    const bad = await s.gql(VOC, { p: { from: PERIOD.to, to: PERIOD.from } });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'period.to' }] });
  });
});

/** Detractor scores, negative feedback, open complaints and breached SLAs as churn-risk reasons (server/feedback/churn-signals.ts). */
describe('churn signals in customer.metrics', () => {
  let churny = '';
  let npsSurvey = '';

  async function reasons(): Promise<Record<string, Record<string, number>>> {
    const q = `query($id: ID!) { customer(id: $id) { metrics { churnRisk { level score reasons { code message evidence { name value } } } } } }`;
    const risk = (await ok(q, { id: churny })).customer.metrics.churnRisk;
    return Object.fromEntries(risk.reasons.map((r: any) => [r.code, Object.fromEntries(r.evidence.map((e: any) => [e.name, e.value]))]));
  }

  let cseq = 0;
  const answer = (value: number) =>
    ok(`mutation($i: SubmitSurveyResponseInput!, $k: String!) { submitSurveyResponse(input: $i, idempotencyKey: $k) { id } }`, {
      i: { surveyId: npsSurvey, customerId: churny, channel: 'EMAIL', answers: [{ questionId: 'nps', value }] }, k: `churn-${cseq++}`,
    });

  beforeAll(async () => {
    churny = (await ok('mutation { createCustomer(input: { name: "Churny" }) { id } }')).createCustomer.id;
    const day = 86_400_000;
    await ok(`mutation($i: RecordOrderInput!) { recordOrder(input: $i) { id } }`, { i: { customerId: churny, total: '99.00', occurredAt: new Date(Date.now() - 20 * day).toISOString() } });
    npsSurvey = (await ok(`mutation { createSurvey(input: { name: "NPS", kind: NPS }) { id } }`)).createSurvey.id;
    await ok(`mutation($id: ID!) { setSurveyStatus(id: $id, status: ACTIVE) { id } }`, { id: npsSurvey });
  });

  describe('reasons', () => {
    it('registers the new reason codes in the ChurnReasonCode enum', async () => {
      const values = (await ok(`{ __type(name: "ChurnReasonCode") { enumValues { name } } }`)).__type.enumValues.map((v: any) => v.name);
      expect(values).toEqual(expect.arrayContaining(['DETRACTOR_SCORE', 'LOW_SATISFACTION', 'NEGATIVE_FEEDBACK', 'OPEN_COMPLAINTS', 'BREACHED_SLA']));
    });

    it('raises DETRACTOR_SCORE from the latest NPS answer, and drops it when a later answer is a promoter', async () => {
      expect(await reasons()).not.toHaveProperty('DETRACTOR_SCORE');
      await answer(3);
      expect((await reasons()).DETRACTOR_SCORE).toMatchObject({ npsScore: 3, daysAgo: 0, detractorResponses: 1 });
      await answer(10);
      expect(await reasons()).not.toHaveProperty('DETRACTOR_SCORE');
    });

    it('re-scores within submitSurveyResponse’s 5 SQL statements: key check, one read, one write, re-scoring’s read and upsert', async () => {
      const res = await s.gql(`mutation($i: SubmitSurveyResponseInput!, $k: String!) { submitSurveyResponse(input: $i, idempotencyKey: $k) { id status score } }`, {
        i: { surveyId: npsSurvey, customerId: churny, channel: 'EMAIL', answers: [{ questionId: 'nps', value: 5 }] }, k: `churn-${cseq++}`,
      });
      expect(res.errors).toBeUndefined();
      expect(res.extensions?.sqlStatements).toBe(5);
      expect((await reasons()).DETRACTOR_SCORE).toMatchObject({ npsScore: 5, daysAgo: 0 });
      await answer(10);
      expect(await reasons()).not.toHaveProperty('DETRACTOR_SCORE');
    });

    it('raises NEGATIVE_FEEDBACK with counts as evidence', async () => {
      await ok(`mutation($c: ID!) { submitFeedback(input: { customerId: $c, source: PHONE, text: "质量太差了，非常失望" }) { sentiment } }`, { c: churny });
      await ok(`mutation($c: ID!) { submitFeedback(input: { customerId: $c, source: EMAIL, text: "Great, thanks" }) { sentiment } }`, { c: churny });
      expect((await reasons()).NEGATIVE_FEEDBACK).toEqual({ negativeFeedback: 1, unresolved: 1, daysSinceLatest: 0 });
    });

    it('raises OPEN_COMPLAINTS while a complaint is open and BREACHED_SLA for a case past its maximum', async () => {
      const open = `mutation($i: OpenServiceCaseInput!) { openServiceCase(input: $i) { id } }`;
      const complaint = (await ok(open, { i: { customerId: churny, kind: 'COMPLAINT', channel: 'PHONE', subject: 'Rude' } })).openServiceCase.id;
      expect((await reasons()).OPEN_COMPLAINTS).toEqual({ openComplaints: 1, oldestOpenDays: 0 });
      await ok(`mutation($id: ID!) { transitionServiceCase(input: { caseId: $id, to: RESOLVED }) { id } }`, { id: complaint });
      expect(await reasons()).not.toHaveProperty('OPEN_COMPLAINTS');

      const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString();
      await ok(open, { i: { customerId: churny, kind: 'REPAIR', channel: 'PHONE', subject: 'Broken', openedAt: tenDaysAgo } });
      const breach = (await reasons()).BREACHED_SLA;
      expect(breach.breachedCases).toBe(1);
      expect(breach.worstOverdueHours).toBeGreaterThan(23); // 10 days open, 9 days maximum
      const risk = (await ok(`query($id: ID!) { customer(id: $id) { metrics { churnRisk { score reasons { code message } } } } }`, { id: churny })).customer.metrics.churnRisk;
      expect(risk.score).toBeGreaterThan(0);
      expect(risk.reasons.find((r: any) => r.code === 'BREACHED_SLA').message).toMatch(/missed the promised time/);
    });
  });
});
