import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../server/db/ids.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let customerId = '';
let npsSurvey = '';

async function ok<T = any>(query: string, variables: Record<string, unknown> = {}, key = s.a.keys.ADMIN): Promise<T> {
  const res = await s.gql(query, variables, key);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as T;
}

const t = (day: number, hour = 0) => new Date(Date.UTC(2025, 0, day, hour)).toISOString();

async function newCustomer(name: string, key = s.a.keys.ADMIN): Promise<string> {
  return (await ok(`mutation($n: String!) { createCustomer(input: { name: $n }) { id } }`, { n: name }, key)).createCustomer.id;
}

/** 40 customers "Batch 00".."Batch 39"; every fourth has one row of each kind (days 1–5), written directly for speed. */
async function seedBatch(n: number) {
  const db = s.orm.em.fork().getConnection();
  const tenant = s.a.id;
  for (let i = 0; i < n; i++) {
    const cid = newId();
    await db.execute(`insert into customer (tenant_id, id, kind, name) values (?, ?, 'PERSON', ?)`, [tenant, cid, `Batch ${String(i).padStart(2, '0')}`]);
    if (i % 4) continue;
    await db.execute(`insert into interaction (tenant_id, id, customer_id, type, channel, direction, occurred_at) values (?, ?, ?, 'CALL', 'PHONE', 'INBOUND', ?)`, [tenant, newId(), cid, t(1)]);
    await db.execute(`insert into customer_order (tenant_id, id, customer_id, occurred_at, total_amount, currency, status) values (?, ?, ?, ?, 10, 'CNY', 'PAID')`, [tenant, newId(), cid, t(2)]);
    await db.execute(
      `insert into feedback (tenant_id, id, customer_id, source, text, sentiment, sentiment_score, language, status, occurred_at) values (?, ?, ?, 'EMAIL', 'ok', 'NEUTRAL', 0, 'en', 'NEW', ?)`,
      [tenant, newId(), cid, t(3)],
    );
    await db.execute(
      `insert into service_case (tenant_id, id, customer_id, kind, priority, channel, status, subject, opened_at, first_response_due_at, resolution_target_at, resolution_deadline_at)
       values (?, ?, ?, 'INQUIRY', 'MEDIUM', 'EMAIL', 'OPEN', 'q', ?, ?, ?, ?)`,
      [tenant, newId(), cid, t(4), t(5), t(6), t(7)],
    );
    await db.execute(
      `insert into survey_response (tenant_id, id, survey_id, survey_version, customer_id, channel, status, answers, score, idempotency_key, started_at, updated_at, completed_at)
       values (?, ?, ?, 1, ?, 'WEB', 'COMPLETE', '{"nps":{"value":9}}', 9, ?, ?, ?, ?)`,
      [tenant, newId(), npsSurvey, cid, `seed-${i}`, t(5), t(5), t(5)],
    );
  }
}

let seq = 0;
/** One of each kind for a customer, at the given days (in January 2025). */
async function history(cid: string, days: { interaction?: number[]; order?: number[]; feedback?: number[]; response?: number[]; serviceCase?: number[] }) {
  for (const d of days.interaction ?? []) {
    await ok(`mutation($i: LogInteractionInput!) { logInteraction(input: $i) { id } }`, { i: { customerId: cid, type: 'CALL', channel: 'PHONE', occurredAt: t(d) } });
  }
  for (const d of days.order ?? []) {
    await ok(`mutation($i: RecordOrderInput!) { recordOrder(input: $i) { id } }`, { i: { customerId: cid, total: '10.00', occurredAt: t(d) } });
  }
  for (const d of days.feedback ?? []) {
    await ok(`mutation($i: SubmitFeedbackInput!) { submitFeedback(input: $i) { id } }`, { i: { customerId: cid, source: 'EMAIL', text: 'Nice', occurredAt: t(d) } });
  }
  for (const d of days.response ?? []) {
    const key = `tl-${seq++}`;
    await ok(`mutation($i: SubmitSurveyResponseInput!, $k: String!) { submitSurveyResponse(input: $i, idempotencyKey: $k) { id } }`, {
      i: { surveyId: npsSurvey, customerId: cid, channel: 'WEB', answers: [{ questionId: 'nps', value: 9 }] }, k: key,
    });
    await s.orm.em.fork().getConnection().execute('update survey_response set completed_at = ?, started_at = ? where idempotency_key = ?', [t(d), t(d), key]);
  }
  for (const d of days.serviceCase ?? []) {
    await ok(`mutation($i: OpenServiceCaseInput!) { openServiceCase(input: $i) { id } }`, {
      i: { customerId: cid, kind: 'INQUIRY', channel: 'EMAIL', subject: 'Question', openedAt: t(d) },
    });
  }
}

const TIMELINE = `query($id: ID!, $first: Int, $after: String, $kinds: [TimelineKind!]) {
  customer(id: $id) {
    timeline(first: $first, after: $after, kinds: $kinds) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id kind occurredAt item {
        __typename
        ... on Interaction { type }
        ... on Order { total { amount } }
        ... on Feedback { text }
        ... on SurveyResponse { score }
        ... on ServiceCase { subject }
      } } }
    }
  }
}`;

beforeAll(async () => {
  s = await startTestServer();
  npsSurvey = (await ok(`mutation { createSurvey(input: { name: "NPS", kind: NPS }) { id } }`)).createSurvey.id;
  await ok(`mutation($id: ID!) { setSurveyStatus(id: $id, status: ACTIVE) { id } }`, { id: npsSurvey });
  customerId = await newCustomer('Timeline');
  await history(customerId, { interaction: [1, 5, 9], order: [2, 6], feedback: [3, 7], response: [4, 8], serviceCase: [10, 5] });
  // A partial response never shows (only completed ones have happened).
  await ok(`mutation($i: SubmitSurveyResponseInput!) { submitSurveyResponse(input: $i, idempotencyKey: "tl-partial") { id } }`, {
    i: { surveyId: npsSurvey, customerId, channel: 'WEB', partial: true, answers: [{ questionId: 'nps', value: 1 }] },
  });
});
afterAll(async () => s?.close());

describe('customer.timeline', () => {
  it('merges interactions, orders, feedback, completed survey responses and cases, newest first', async () => {
    const tl = (await ok(TIMELINE, { id: customerId, first: 20 })).customer.timeline;
    expect(tl.totalCount).toBe(11);
    expect(tl.pageInfo.hasNextPage).toBe(false);
    const nodes = tl.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => [n.occurredAt.slice(8, 10), n.kind])).toEqual([
      ['10', 'SERVICE_CASE'], ['09', 'INTERACTION'], ['08', 'SURVEY_RESPONSE'], ['07', 'FEEDBACK'], ['06', 'ORDER'],
      // Day 5 holds an interaction and a case: ties go by kind (descending), then id.
      ['05', 'SERVICE_CASE'], ['05', 'INTERACTION'],
      ['04', 'SURVEY_RESPONSE'], ['03', 'FEEDBACK'], ['02', 'ORDER'], ['01', 'INTERACTION'],
    ]);
    expect(nodes.map((n: any) => n.item.__typename)).toEqual([
      'ServiceCase', 'Interaction', 'SurveyResponse', 'Feedback', 'Order', 'ServiceCase', 'Interaction', 'SurveyResponse', 'Feedback', 'Order', 'Interaction',
    ]);
    expect(nodes[0].item).toEqual({ __typename: 'ServiceCase', subject: 'Question' });
    expect(nodes[2].item).toEqual({ __typename: 'SurveyResponse', score: 9 });
    expect(nodes.every((n: any) => n.id)).toBe(true);
  });

  it('pages with keyset cursors without gaps or repeats', async () => {
    const all = (await ok(TIMELINE, { id: customerId, first: 20 })).customer.timeline.edges.map((e: any) => e.node.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const tl: any = (await ok(TIMELINE, { id: customerId, first: 3, after })).customer.timeline;
      seen.push(...tl.edges.map((e: any) => e.node.id));
      if (!tl.pageInfo.hasNextPage) break;
      after = tl.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
    // Still stable when something older is added between pages.
    const first = (await ok(TIMELINE, { id: customerId, first: 4 })).customer.timeline;
    await history(customerId, { interaction: [1] });
    const rest = (await ok(TIMELINE, { id: customerId, first: 20, after: first.pageInfo.endCursor })).customer.timeline;
    const combined = [...first.edges, ...rest.edges].map((e: any) => e.node.id);
    expect(combined).toHaveLength(all.length + 1);
    expect(combined.filter((id: string) => all.includes(id))).toEqual(all);
  });

  it('filters by kind', async () => {
    const tl = (await ok(TIMELINE, { id: customerId, first: 20, kinds: ['ORDER', 'SERVICE_CASE'] })).customer.timeline;
    expect(tl.totalCount).toBe(4);
    expect(tl.edges.map((e: any) => e.node.kind)).toEqual(['SERVICE_CASE', 'ORDER', 'SERVICE_CASE', 'ORDER']);
  });

  it('rejects a forged cursor', async () => {
    const res = await s.gql(TIMELINE, { id: customerId, after: 'bm9wZQ' });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'after' }] });
  });

  it('shows nothing of another tenant', async () => {
    const res = await s.gql(TIMELINE, { id: customerId }, s.b.keys.ADMIN);
    expect(res.errors?.[0].extensions.code).toBe('NOT_FOUND');
    const theirs = await newCustomer('B', s.b.keys.ADMIN);
    const tl = (await ok(TIMELINE, { id: theirs }, s.b.keys.ADMIN)).customer.timeline;
    expect(tl).toMatchObject({ totalCount: 0, edges: [] });
  });

  it('costs the same number of SQL statements for a page of 40 customers as for 1 (no N+1)', async () => {
    await seedBatch(40);
    const q = `query($n: Int!) { customers(first: $n, filter: { name: { startsWith: "Batch" } }, orderBy: [{ field: NAME, direction: ASC }]) { nodes { id
      timeline(first: 3) { totalCount nodes { kind item { __typename ... on Interaction { id } ... on Order { id } ... on Feedback { id } ... on SurveyResponse { id } ... on ServiceCase { id } } } }
    } } }`;
    const one = await s.gql(q, { n: 1 });
    const many = await s.gql(q, { n: 40 });
    expect(many.errors).toBeUndefined();
    expect(many.data.customers.nodes).toHaveLength(40);
    expect(many.data.customers.nodes.filter((n: any) => n.timeline.nodes.length === 3)).toHaveLength(10);
    // auth + customers + timeline page + timeline counts + one statement per item kind shown (3 here)
    expect(many.extensions?.sqlStatements).toBe(one.extensions?.sqlStatements);
    expect(one.extensions?.sqlStatements).toBe(7);
  });
});
