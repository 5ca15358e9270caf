import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let customerId = '';

async function ok<T = any>(query: string, variables: Record<string, unknown> = {}, key = s.a.keys.ADMIN): Promise<T> {
  const res = await s.gql(query, variables, key);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as T;
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const rows = await s.orm.em.fork().getConnection().execute<{ count: number }[]>(`select count(*)::int as count from ${sql}`, params);
  return Number(rows[0].count);
}

const SURVEY_FIELDS = `id name kind status version revision caseFollowUp activatedAt closedAt
  title { en zhCN text(locale: "zh-CN") }
  questions { id kind required scale text { en zhCN } choices { id text { en zhCN } } }`;

const CREATE = `mutation($input: CreateSurveyInput!, $key: String) { createSurvey(input: $input, idempotencyKey: $key) { ${SURVEY_FIELDS} } }`;
const STATUS = `mutation($id: ID!, $status: SurveyStatus!) { setSurveyStatus(id: $id, status: $status) { id status version revision activatedAt closedAt } }`;
const UPDATE = `mutation($id: ID!, $revision: Int!, $input: UpdateSurveyInput!) { updateSurvey(id: $id, revision: $revision, input: $input) { ${SURVEY_FIELDS} versions { version questions { id } } } }`;
const SUBMIT = `mutation($input: SubmitSurveyResponseInput!, $key: String!) {
  submitSurveyResponse(input: $input, idempotencyKey: $key) {
    id status score surveyVersion channel customerId completedAt
    answers { questionId value choiceIds text sentiment question { kind } }
    survey { id } customer { id }
  }
}`;

/** A CUSTOM survey exercising every question kind. */
const CUSTOM_QUESTIONS = [
  { id: 'nps', kind: 'NPS', required: true, text: { en: 'Recommend us?', zhCN: '推荐我们吗？' } },
  { id: 'speed', kind: 'RATING', scale: 5, required: true, text: { en: 'Delivery speed', zhCN: '配送速度' } },
  {
    id: 'channel', kind: 'SINGLE_CHOICE', required: false, text: { en: 'Where did you buy?', zhCN: '您在哪里购买？' },
    choices: [{ id: 'store', text: { en: 'Store', zhCN: '门店' } }, { id: 'online', text: { en: 'Online', zhCN: '网店' } }],
  },
  {
    id: 'likes', kind: 'MULTI_CHOICE', text: { en: 'What did you like?', zhCN: '您喜欢什么？' },
    choices: [{ text: { en: 'Price' } }, { text: { en: 'Quality' } }, { text: { en: 'Service', zhCN: '服务' } }],
  },
  { id: 'comment', kind: 'TEXT', text: { en: 'Anything else?', zhCN: '还有什么想说的吗？' } },
];

async function activeSurvey(input: Record<string, unknown>): Promise<any> {
  const created = (await ok(CREATE, { input })).createSurvey;
  await ok(STATUS, { id: created.id, status: 'ACTIVE' });
  return { ...created, status: 'ACTIVE' };
}

function submit(input: Record<string, unknown>, key: string, apiKey = s.a.keys.ADMIN) {
  return s.gql(SUBMIT, { input: { channel: 'WEB', ...input }, key }, apiKey);
}

let custom: any;
beforeAll(async () => {
  s = await startTestServer();
  customerId = (await ok('mutation { createCustomer(input: { name: "王芳" }) { id } }')).createCustomer.id;
  custom = await activeSurvey({ name: 'Post-purchase', kind: 'CUSTOM', questions: CUSTOM_QUESTIONS });
});
afterAll(async () => s?.close());

describe('createSurvey', () => {
  it('creates an NPS survey with the standard bilingual questions when none are given, as DRAFT version 1', async () => {
    const { createSurvey } = await ok(CREATE, { input: { name: 'Quarterly NPS', kind: 'NPS' } });
    expect(createSurvey).toMatchObject({ kind: 'NPS', status: 'DRAFT', version: 1, revision: 1, title: { en: 'Quarterly NPS', zhCN: null } });
    expect(createSurvey.questions[0]).toMatchObject({ id: 'nps', kind: 'NPS', required: true, scale: 10 });
    expect(createSurvey.questions[0].text.zhCN).toMatch(/推荐/);
  });

  it('defaults CSAT to a 1–5 rating and CES to a 1–7 rating', async () => {
    const csat = (await ok(CREATE, { input: { name: 'CSAT', kind: 'CSAT' } })).createSurvey;
    const ces = (await ok(CREATE, { input: { name: 'CES', kind: 'CES' } })).createSurvey;
    expect(csat.questions[0]).toMatchObject({ kind: 'RATING', scale: 5 });
    expect(ces.questions[0]).toMatchObject({ kind: 'RATING', scale: 7 });
  });

  it('stores every question kind with its choices, generating missing choice ids', async () => {
    const likes = custom.questions.find((q: any) => q.id === 'likes');
    expect(custom.questions.map((q: any) => q.kind)).toEqual(['NPS', 'RATING', 'SINGLE_CHOICE', 'MULTI_CHOICE', 'TEXT']);
    expect(likes.choices.map((c: any) => c.id)).toEqual(['c1', 'c2', 'c3']);
    expect(custom.title.text).toBe('Post-purchase');
  });

  it('rejects bad question sets with a path per problem', async () => {
    const res = await s.gql(CREATE, {
      input: {
        name: 'Bad', kind: 'CSAT',
        questions: [
          { id: 'r', kind: 'RATING', text: { en: 'No scale' } },
          { id: 'r', kind: 'SINGLE_CHOICE', text: {}, choices: [{ text: { en: 'only one' } }] },
          { kind: 'TEXT', text: { en: 'x'.repeat(1001) }, choices: [{ text: { en: 'a' } }, { text: { en: 'b' } }] },
        ],
      },
    });
    const paths = res.errors?.[0].extensions.fields?.map((f) => f.path);
    expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(paths).toEqual(expect.arrayContaining([
      'input.questions.0.scale', 'input.questions.1.id', 'input.questions.1.text', 'input.questions.1.choices',
      'input.questions.2.text.en', 'input.questions.2.choices',
    ]));
  });

  it('requires an NPS question in an NPS survey and questions in a CUSTOM one', async () => {
    const nps = await s.gql(CREATE, { input: { name: 'x', kind: 'NPS', questions: [{ kind: 'TEXT', text: { en: 'Hi' } }] } });
    expect(nps.errors?.[0].extensions.fields).toEqual([{ path: 'input.questions', message: expect.stringMatching(/NPS question/) }]);
    const customRes = await s.gql(CREATE, { input: { name: 'x', kind: 'CUSTOM' } });
    expect(customRes.errors?.[0].extensions.fields?.[0].path).toBe('input.questions');
  });

  it('returns the first survey for a retry with the same idempotencyKey', async () => {
    const a = (await ok(CREATE, { input: { name: 'Once', kind: 'CES' }, key: 'survey-once' })).createSurvey;
    const b = (await ok(CREATE, { input: { name: 'Once', kind: 'CES' }, key: 'survey-once' })).createSurvey;
    expect(b.id).toBe(a.id);
    expect(await count(`survey where name = 'Once'`)).toBe(1);
  });
});

describe('survey status and versions', () => {
  it('moves DRAFT -> ACTIVE -> CLOSED -> ACTIVE and refuses to go back to DRAFT', async () => {
    const { id } = (await ok(CREATE, { input: { name: 'Lifecycle', kind: 'NPS' } })).createSurvey;
    const active = (await ok(STATUS, { id, status: 'ACTIVE' })).setSurveyStatus;
    expect(active.status).toBe('ACTIVE');
    expect(active.activatedAt).not.toBeNull();
    expect((await ok(STATUS, { id, status: 'CLOSED' })).setSurveyStatus.closedAt).not.toBeNull();
    expect((await ok(STATUS, { id, status: 'ACTIVE' })).setSurveyStatus).toMatchObject({ status: 'ACTIVE', closedAt: null });
    const back = await s.gql(STATUS, { id, status: 'DRAFT' });
    expect(back.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', path: 'status', from: 'ACTIVE', to: 'DRAFT' });
  });

  it('edits a DRAFT in place but publishes a new version when an ACTIVE survey changes', async () => {
    const draft = (await ok(CREATE, { input: { name: 'Versioned', kind: 'NPS' } })).createSurvey;
    const edited = (await ok(UPDATE, { id: draft.id, revision: 1, input: { title: { en: 'Tell us', zhCN: '告诉我们' } } })).updateSurvey;
    expect(edited).toMatchObject({ version: 1, revision: 2, title: { en: 'Tell us', zhCN: '告诉我们' } });
    await ok(STATUS, { id: draft.id, status: 'ACTIVE' });
    const first = (await submit({ surveyId: draft.id, answers: [{ questionId: 'nps', value: 9 }] }, 'versioned-1')).data.submitSurveyResponse;
    expect(first.surveyVersion).toBe(1);
    const questions = [
      { id: 'nps', kind: 'NPS', required: true, text: { en: 'Would you recommend us?' } },
      { id: 'why', kind: 'TEXT', required: true, text: { en: 'Why?' } },
    ];
    const v2 = (await ok(UPDATE, { id: draft.id, revision: 3, input: { questions } })).updateSurvey;
    expect(v2.version).toBe(2);
    expect(v2.versions.map((v: any) => [v.version, v.questions.map((q: any) => q.id)])).toEqual([[1, ['nps', 'reason']], [2, ['nps', 'why']]]);
    const second = await submit({ surveyId: draft.id, answers: [{ questionId: 'nps', value: 3 }, { questionId: 'why', text: 'slow' }] }, 'versioned-2');
    expect(second.data.submitSurveyResponse.surveyVersion).toBe(2);
    // The first response still reads its own version's questions.
    const again = await ok(`query($id: ID!) { surveyResponse(id: $id) { surveyVersion answers { questionId question { text { en } } } } }`, { id: first.id });
    expect(again.surveyResponse).toMatchObject({ surveyVersion: 1, answers: [{ questionId: 'nps', question: { text: { en: expect.stringMatching(/recommend us to a friend/) } } }] });
  });

  it('answers CONFLICT when the revision moved', async () => {
    const { id } = (await ok(CREATE, { input: { name: 'Stale', kind: 'NPS' } })).createSurvey;
    await ok(UPDATE, { id, revision: 1, input: { name: 'Stale 2' } });
    const res = await s.gql(UPDATE, { id, revision: 1, input: { name: 'Stale 3' } });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', path: 'revision', currentRevision: 2 });
  });
});

describe('submitSurveyResponse', () => {
  const full = [
    { questionId: 'nps', value: 10 },
    { questionId: 'speed', value: 4 },
    { questionId: 'channel', choiceIds: ['online'] },
    { questionId: 'likes', choiceIds: ['c3', 'c1'] },
    { questionId: 'comment', text: '客服态度很好，非常满意！' },
  ];

  it('stores a complete response with every answer kind, its score and sentiment', async () => {
    const res = await submit({ surveyId: custom.id, customerId, answers: full }, 'full-1');
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const r = res.data.submitSurveyResponse;
    expect(r).toMatchObject({ status: 'COMPLETE', score: null, surveyVersion: 1, customerId, customer: { id: customerId }, survey: { id: custom.id } });
    expect(r.answers).toEqual([
      { questionId: 'nps', value: 10, choiceIds: null, text: null, sentiment: null, question: { kind: 'NPS' } },
      { questionId: 'speed', value: 4, choiceIds: null, text: null, sentiment: null, question: { kind: 'RATING' } },
      { questionId: 'channel', value: null, choiceIds: ['online'], text: null, sentiment: null, question: { kind: 'SINGLE_CHOICE' } },
      { questionId: 'likes', value: null, choiceIds: ['c1', 'c3'], text: null, sentiment: null, question: { kind: 'MULTI_CHOICE' } },
      { questionId: 'comment', value: null, choiceIds: null, text: '客服态度很好，非常满意！', sentiment: 'POSITIVE', question: { kind: 'TEXT' } },
    ]);
  });

  it('stores a first response with its feedback in 3 SQL statements: key check, one read, one write', async () => {
    const query = `mutation($input: SubmitSurveyResponseInput!, $key: String!) { submitSurveyResponse(input: $input, idempotencyKey: $key) { id status score } }`;
    const res = await s.gql(query, { input: { surveyId: custom.id, customerId, channel: 'WEB', answers: full }, key: 'counted-1' });
    expect(res.errors).toBeUndefined();
    expect(res.data.submitSurveyResponse.status).toBe('COMPLETE');
    expect(res.extensions?.sqlStatements).toBe(3); // a CUSTOM survey gives no score: no churn signal to re-score
    const [feedback] = await s.orm.em.fork().getConnection().execute<{ source: string }[]>(
      'select source from feedback where survey_response_id = ?', [res.data.submitSurveyResponse.id],
    );
    expect(feedback.source).toBe('SURVEY');
    // An NPS score is a churn signal: re-scoring's read finds the customer without a churn risk, and writes nothing.
    const nps = await activeSurvey({ name: 'Counted NPS', kind: 'NPS' });
    const scored = await s.gql(query, { input: { surveyId: nps.id, customerId, channel: 'WEB', answers: [{ questionId: 'nps', value: 4 }] }, key: 'counted-2' });
    expect(scored.data.submitSurveyResponse.score).toBe(4);
    expect(scored.extensions?.sqlStatements).toBe(4);
  });

  it('accepts anonymous responses', async () => {
    const res = await submit({ surveyId: custom.id, answers: full.slice(0, 2) }, 'anon-1');
    expect(res.data.submitSurveyResponse).toMatchObject({ status: 'COMPLETE', customerId: null, customer: null });
  });

  it('upserts partial answers under one key and completes on the final submit', async () => {
    const p1 = await submit({ surveyId: custom.id, customerId, partial: true, answers: [{ questionId: 'nps', value: 6 }] }, 'progressive');
    expect(p1.data.submitSurveyResponse).toMatchObject({ status: 'PARTIAL', completedAt: null });
    const p2 = await submit({ surveyId: custom.id, partial: true, answers: [{ questionId: 'nps', value: 7 }, { questionId: 'comment', text: 'ok' }] }, 'progressive');
    expect(p2.data.submitSurveyResponse.id).toBe(p1.data.submitSurveyResponse.id);
    expect(p2.data.submitSurveyResponse.answers.map((a: any) => [a.questionId, a.value ?? a.text])).toEqual([['nps', 7], ['comment', 'ok']]);
    // Final submit without the required "speed" fails and changes nothing.
    const missing = await submit({ surveyId: custom.id, answers: [] }, 'progressive');
    expect(missing.errors?.[0].extensions.fields).toEqual([{ path: 'input.answers', questionId: 'speed', message: expect.stringMatching(/"speed" is required/) }]);
    const done = await submit({ surveyId: custom.id, answers: [{ questionId: 'speed', value: 2 }, { questionId: 'comment', text: null }] }, 'progressive');
    expect(done.data.submitSurveyResponse).toMatchObject({ id: p1.data.submitSurveyResponse.id, status: 'COMPLETE', customerId });
    expect(done.data.submitSurveyResponse.answers.map((a: any) => a.questionId)).toEqual(['nps', 'speed']);
    expect(await count(`survey_response where idempotency_key = 'progressive'`)).toBe(1);
  });

  it('returns the completed response for a retry, and CONFLICT when a retry would change it', async () => {
    const input = { surveyId: custom.id, customerId, answers: full };
    const a = await submit(input, 'retry-1');
    const b = await submit(input, 'retry-1');
    expect(b.errors).toBeUndefined();
    expect(b.data.submitSurveyResponse).toEqual(a.data.submitSurveyResponse);
    const changed = await submit({ ...input, answers: [{ questionId: 'nps', value: 0 }] }, 'retry-1');
    expect(changed.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', path: 'idempotencyKey' });
    const otherSurvey = (await activeSurvey({ name: 'Other', kind: 'NPS' })).id;
    const wrongSurvey = await submit({ surveyId: otherSurvey, answers: [{ questionId: 'nps', value: 1 }] }, 'retry-1');
    expect(wrongSurvey.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', path: 'idempotencyKey' });
    expect(await count(`survey_response where idempotency_key = 'retry-1'`)).toBe(1);
  });

  it('stores exactly one response when the same submission arrives many times at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => submit({ surveyId: custom.id, customerId, answers: full }, 'concurrent-final')),
    );
    for (const r of results) expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(new Set(results.map((r) => r.data.submitSurveyResponse.id)).size).toBe(1);
    expect(await count(`survey_response where idempotency_key = 'concurrent-final'`)).toBe(1);
    expect(await count(`feedback f join survey_response r on r.tenant_id = f.tenant_id and r.id = f.survey_response_id where r.idempotency_key = 'concurrent-final'`)).toBe(1);
  });

  it('merges concurrent partial submissions under one key into one response', async () => {
    const results = await Promise.all([
      submit({ surveyId: custom.id, partial: true, answers: [{ questionId: 'nps', value: 8 }] }, 'concurrent-partial'),
      submit({ surveyId: custom.id, partial: true, answers: [{ questionId: 'speed', value: 3 }] }, 'concurrent-partial'),
      submit({ surveyId: custom.id, partial: true, answers: [{ questionId: 'channel', choiceIds: ['store'] }] }, 'concurrent-partial'),
    ]);
    for (const r of results) expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(await count(`survey_response where idempotency_key = 'concurrent-partial'`)).toBe(1);
    const [row] = await s.orm.em.fork().getConnection().execute(`select answers from survey_response where idempotency_key = 'concurrent-partial'`);
    const answers = typeof row.answers === 'string' ? JSON.parse(row.answers) : row.answers;
    expect(Object.keys(answers).sort()).toEqual(['channel', 'nps', 'speed']);
  });

  it('reports each bad answer with its path and question id, and stores nothing', async () => {
    const before = await count('survey_response');
    const res = await submit({
      surveyId: custom.id,
      answers: [
        { questionId: 'nps', value: 11 },
        { questionId: 'speed', value: 0 },
        { questionId: 'channel', choiceIds: ['store', 'online'], text: 'both' },
        { questionId: 'likes', choiceIds: ['c1', 'nope'] },
        { questionId: 'comment', text: 'x'.repeat(10_001) },
        { questionId: 'ghost', value: 1 },
        { questionId: 'nps', value: 5 },
      ],
    }, 'bad-answers');
    expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].extensions.fields).toEqual([
      { path: 'input.answers.0.value', questionId: 'nps', message: 'must be a whole number from 0 to 10' },
      { path: 'input.answers.1.value', questionId: 'speed', message: 'must be a whole number from 1 to 5' },
      { path: 'input.answers.2.text', questionId: 'channel', message: expect.stringMatching(/does not apply to a SINGLE_CHOICE question; give choiceIds/) },
      { path: 'input.answers.2.choiceIds', questionId: 'channel', message: expect.stringMatching(/exactly one/) },
      { path: 'input.answers.3.choiceIds.1', questionId: 'likes', message: expect.stringMatching(/"nope" is not a choice/) },
      { path: 'input.answers.4.text', questionId: 'comment', message: 'must be at most 10000 characters' },
      { path: 'input.answers.5.questionId', questionId: 'ghost', message: expect.stringMatching(/not a question/) },
      { path: 'input.answers.6.questionId', questionId: 'nps', message: expect.stringMatching(/second time/) },
    ]);
    expect(await count('survey_response')).toBe(before);
  });

  it('accepts the limits themselves: NPS 0 and 10, rating 1 and scale, 10,000 characters', async () => {
    const res = await submit({
      surveyId: custom.id,
      answers: [{ questionId: 'nps', value: 0 }, { questionId: 'speed', value: 5 }, { questionId: 'comment', text: '长'.repeat(10_000) }],
    }, 'limits');
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  });

  it('answers CONFLICT for DRAFT and CLOSED surveys', async () => {
    const draft = (await ok(CREATE, { input: { name: 'Draft', kind: 'NPS' } })).createSurvey;
    const toDraft = await submit({ surveyId: draft.id, answers: [{ questionId: 'nps', value: 9 }] }, 'draft-1');
    expect(toDraft.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', path: 'input.surveyId', status: 'DRAFT' });
    const closed = await activeSurvey({ name: 'Closing', kind: 'NPS' });
    await submit({ surveyId: closed.id, answers: [{ questionId: 'nps', value: 9 }] }, 'closing-done');
    await submit({ surveyId: closed.id, partial: true, answers: [{ questionId: 'nps', value: 9 }] }, 'closing-partial');
    await ok(STATUS, { id: closed.id, status: 'CLOSED' });
    const toClosed = await submit({ surveyId: closed.id, answers: [{ questionId: 'nps', value: 9 }] }, 'closed-1');
    expect(toClosed.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', path: 'input.surveyId', status: 'CLOSED' });
    // A partial response cannot be completed once the survey closed…
    const finishing = await submit({ surveyId: closed.id, answers: [] }, 'closing-partial');
    expect(finishing.errors?.[0].extensions.code).toBe('CONFLICT');
    // …but a retry of a completed one still gets its response back.
    const retry = await submit({ surveyId: closed.id, answers: [{ questionId: 'nps', value: 9 }] }, 'closing-done');
    expect(retry.errors).toBeUndefined();
  });

  it('answers NOT_FOUND for a survey or customer of another tenant', async () => {
    const otherSurvey = await s.gql(SUBMIT, { input: { surveyId: custom.id, channel: 'WEB', answers: [] }, key: 'x-tenant' }, s.b.keys.ADMIN);
    expect(otherSurvey.errors?.[0].extensions.code).toBe('NOT_FOUND');
    const otherCustomer = (await s.gql('mutation { createCustomer(input: { name: "B" }) { id } }', {}, s.b.keys.ADMIN)).data.createCustomer.id;
    const res = await submit({ surveyId: custom.id, customerId: otherCustomer, answers: full }, 'x-customer');
    expect(res.errors?.[0].extensions.code).toBe('NOT_FOUND');
  });

  it('refuses READ_ONLY and ANALYST keys', async () => {
    for (const role of ['READ_ONLY', 'ANALYST'] as const) {
      const res = await submit({ surveyId: custom.id, answers: full }, `role-${role}`, s.a.keys[role]);
      expect(res.errors?.[0].extensions.code).toBe('FORBIDDEN');
      const create = await s.gql(CREATE, { input: { name: 'no', kind: 'NPS' } }, s.a.keys[role]);
      expect(create.errors?.[0].extensions.code).toBe('FORBIDDEN');
    }
    expect(await count(`survey_response where idempotency_key like 'role-%'`)).toBe(0);
  });

  it('turns the free text of a completed response into SURVEY feedback with sentiment', async () => {
    const nps = await activeSurvey({ name: 'Feedback from NPS', kind: 'NPS' });
    const r = (await submit({ surveyId: nps.id, customerId, answers: [{ questionId: 'nps', value: 2 }, { questionId: 'reason', text: 'Terrible support, nobody called back.' }] }, 'fb-1')).data.submitSurveyResponse;
    const { feedbackItems } = await ok(`query($id: ID!) { feedbackItems(filter: { customerId: { eq: $id }, source: { eq: SURVEY } }) { nodes { text sentiment surveyResponseId status } } }`, { id: customerId });
    expect(feedbackItems.nodes).toContainEqual({ text: 'Terrible support, nobody called back.', sentiment: 'NEGATIVE', surveyResponseId: r.id, status: 'NEW' });
  });
});

describe('surveys and surveyResponses lists', () => {
  it('batches surveys, customers and question texts of a page of responses (no N+1)', async () => {
    const q = `query($n: Int!) { surveyResponses(first: $n) { nodes { id survey { id kind } customer { id } answers { questionId question { kind } } } } }`;
    const one = await s.gql(q, { n: 1 });
    const many = await s.gql(q, { n: 100 });
    expect(many.errors).toBeUndefined();
    expect(many.data.surveyResponses.nodes.length).toBeGreaterThan(10);
    // auth + responses + surveys + customers + survey versions
    expect(one.extensions?.sqlStatements).toBe(5);
    expect(many.extensions?.sqlStatements).toBe(5);
  });

  it('lists, filters and isolates by tenant', async () => {
    const mine = await ok(`{ surveys(first: 100, filter: { kind: { eq: CUSTOM } }) { totalCount nodes { id } } }`);
    expect(mine.surveys.nodes.map((n: any) => n.id)).toContain(custom.id);
    const theirs = await ok(`{ surveys(first: 100) { totalCount } surveyResponses(first: 100) { totalCount } }`, {}, s.b.keys.READ_ONLY);
    expect(theirs).toEqual({ surveys: { totalCount: 0 }, surveyResponses: { totalCount: 0 } });
    const byCustomer = await ok(`query($id: ID!) { surveyResponses(first: 5, filter: { customerId: { eq: $id }, status: { eq: COMPLETE } }) { totalCount nodes { customerId status } } }`, { id: customerId });
    expect(byCustomer.surveyResponses.totalCount).toBeGreaterThan(2);
    expect(byCustomer.surveyResponses.nodes.every((n: any) => n.customerId === customerId && n.status === 'COMPLETE')).toBe(true);
    const foreign = await s.gql(`query($id: ID!) { survey(id: $id) { id } }`, { id: custom.id }, s.b.keys.ADMIN);
    expect(foreign.errors?.[0].extensions.code).toBe('NOT_FOUND');
  });
});

/** Analytics over responses dated in early 2025 (the rest of this file answers today), so the counts here are exact. */
describe('surveyAnalytics', () => {
  let lilei = '';
  let nps = '';
  let nps2 = '';
  let csat = '';
  let ces = '';

  async function activate(kind: string, name: string): Promise<string> {
    const id = (await ok(`mutation($i: CreateSurveyInput!) { createSurvey(input: $i) { id } }`, { i: { name, kind } })).createSurvey.id;
    await ok(`mutation($id: ID!) { setSurveyStatus(id: $id, status: ACTIVE) { id } }`, { id });
    return id;
  }

  let rseq = 0;
  /** Submits a response and dates it (completed and started) at `at`. */
  async function respond(surveyId: string, answers: unknown[], at: string, channel = 'WEB', opts: { partial?: boolean; customer?: boolean } = {}) {
    const key = `k-${rseq++}`;
    const res = await s.gql(
      `mutation($input: SubmitSurveyResponseInput!, $key: String!) { submitSurveyResponse(input: $input, idempotencyKey: $key) { id } }`,
      { input: { surveyId, answers, channel, partial: opts.partial ?? false, customerId: opts.customer ? lilei : null }, key },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    await s.orm.em.fork().getConnection().execute(
      `update survey_response set started_at = ?, completed_at = case when status = 'COMPLETE' then ?::timestamptz end where idempotency_key = ?`,
      [at, at, key],
    );
    return res.data.submitSurveyResponse.id as string;
  }

  const JAN = '2025-01-15T10:00:00Z';
  const FEB = '2025-02-10T10:00:00Z';
  const PERIOD = { from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z' };

  const ANALYTICS = `query($surveyId: ID, $kind: SurveyKind, $period: PeriodInput!, $bucket: TimeBucket, $channel: Channel) {
    surveyAnalytics(surveyId: $surveyId, kind: $kind, period: $period, bucket: $bucket, channel: $channel) {
      surveyId kind partialResponses
      summary {
        responses
        nps { responses promoters passives detractors promoterPercent passivePercent detractorPercent score }
        csat { responses satisfied satisfiedPercent average }
        ces { responses average easyPercent }
      }
      buckets { start end summary { responses nps { score } } }
      byChannel { channel summary { responses nps { score } } }
      questions { questionId answered average options { option count percent } }
    }
  }`;

  beforeAll(async () => {
    lilei = (await ok('mutation { createCustomer(input: { name: "李雷" }) { id } }')).createCustomer.id;
    [nps, nps2, csat, ces] = [await activate('NPS', 'NPS'), await activate('NPS', 'NPS 2'), await activate('CSAT', 'CSAT'), await activate('CES', 'CES')];
    // NPS: 5 promoters, 2 passives, 3 detractors -> 50% - 30% = 20.
    const scores = [10, 10, 9, 9, 9, 8, 7, 6, 2, 0];
    for (const [i, score] of scores.entries()) {
      const reason = score <= 6 ? 'Terrible support, very slow.' : score >= 9 ? 'Great service, thank you!' : null;
      await respond(nps, [{ questionId: 'nps', value: score }, ...(reason ? [{ questionId: 'reason', text: reason }] : [])], i < 6 ? JAN : FEB, i % 2 ? 'EMAIL' : 'WEB', { customer: i === 9 });
    }
    await respond(nps, [{ questionId: 'nps', value: 4 }], JAN, 'WEB', { partial: true });
    await respond(nps, [{ questionId: 'nps', value: 0 }], '2024-12-31T23:59:59Z'); // before the period
    await respond(nps2, [{ questionId: 'nps', value: 10 }], FEB);
    for (const score of [5, 4, 4, 3, 1]) await respond(csat, [{ questionId: 'csat', value: score }], JAN);
    for (const score of [7, 6, 5, 2]) await respond(ces, [{ questionId: 'ces', value: score }], FEB);
  });

  describe('computations', () => {
    it('computes NPS: promoter, passive and detractor shares and the score', async () => {
      const { surveyAnalytics: a } = await ok(ANALYTICS, { surveyId: nps, period: PERIOD });
      expect(a.summary).toEqual({
        responses: 10,
        nps: { responses: 10, promoters: 5, passives: 2, detractors: 3, promoterPercent: 50, passivePercent: 20, detractorPercent: 30, score: 20 },
        csat: null,
        ces: null,
      });
      expect(a.partialResponses).toBe(1);
      expect(a.kind).toBe('NPS');
    });

    it('computes CSAT % satisfied (4–5) and CES average', async () => {
      const c = (await ok(ANALYTICS, { surveyId: csat, period: PERIOD })).surveyAnalytics.summary;
      expect(c.csat).toEqual({ responses: 5, satisfied: 3, satisfiedPercent: 60, average: 3.4 });
      const e = (await ok(ANALYTICS, { surveyId: ces, period: PERIOD })).surveyAnalytics.summary;
      expect(e.ces).toEqual({ responses: 4, average: 5, easyPercent: 75 });
    });

    it('buckets by month and by day, including empty buckets', async () => {
      const months = (await ok(ANALYTICS, { surveyId: nps, period: PERIOD, bucket: 'MONTH' })).surveyAnalytics.buckets;
      expect(months).toEqual([
        { start: '2025-01-01T00:00:00.000Z', end: '2025-02-01T00:00:00.000Z', summary: { responses: 6, nps: { score: 83.33 } } },
        { start: '2025-02-01T00:00:00.000Z', end: '2025-03-01T00:00:00.000Z', summary: { responses: 4, nps: { score: -75 } } },
      ]);
      const days = (await ok(ANALYTICS, { surveyId: nps, period: PERIOD, bucket: 'DAY' })).surveyAnalytics.buckets;
      expect(days).toHaveLength(59);
      expect(days.filter((d: any) => d.summary.responses > 0).map((d: any) => [d.start.slice(0, 10), d.summary.responses])).toEqual([
        ['2025-01-15', 6], ['2025-02-10', 4],
      ]);
      const weeks = (await ok(ANALYTICS, { surveyId: nps, period: PERIOD, bucket: 'WEEK' })).surveyAnalytics.buckets;
      expect(weeks[0].start).toBe('2024-12-30T00:00:00.000Z'); // weeks start on Monday
    });

    it('breaks down by channel and filters by channel', async () => {
      const { byChannel } = (await ok(ANALYTICS, { surveyId: nps, period: PERIOD })).surveyAnalytics;
      expect(byChannel).toEqual([
        { channel: 'EMAIL', summary: { responses: 5, nps: { score: 0 } } },
        { channel: 'WEB', summary: { responses: 5, nps: { score: 40 } } },
      ]);
      const web = (await ok(ANALYTICS, { surveyId: nps, period: PERIOD, channel: 'WEB' })).surveyAnalytics.summary;
      expect(web.responses).toBe(5);
    });

    it('breaks down by the customer’s value tier (customer.metrics), unscored and anonymous last', async () => {
      await s.orm.em.fork().getConnection().execute(
        `insert into customer_metrics (tenant_id, customer_id, as_of, computed_at, currency, lifecycle_stage, value_tier)
         values (?, ?, now(), now(), 'CNY', 'ACTIVE', 'KEY')
         on conflict (tenant_id, customer_id) do update set value_tier = excluded.value_tier`,
        [s.a.id, lilei],
      );
      const q = `query($id: ID!, $period: PeriodInput!) { surveyAnalytics(surveyId: $id, period: $period) { byTier { tier summary { responses nps { detractors } } } } }`;
      const { byTier } = (await ok(q, { id: nps, period: PERIOD })).surveyAnalytics;
      expect(byTier).toEqual([
        { tier: 'KEY', summary: { responses: 1, nps: { detractors: 1 } } },
        { tier: null, summary: { responses: 9, nps: { detractors: 2 } } },
      ]);
    });

    it('aggregates every survey of a kind tenant-wide', async () => {
      const { surveyAnalytics: a } = await ok(ANALYTICS, { kind: 'NPS', period: PERIOD });
      expect(a.surveyId).toBeNull();
      expect(a.summary.nps).toMatchObject({ responses: 11, promoters: 6, detractors: 3 });
      expect(a.questions).toEqual([]);
    });

    it('reports per-question answer counts and averages', async () => {
      const { questions } = (await ok(ANALYTICS, { surveyId: nps, period: PERIOD })).surveyAnalytics;
      const q = questions.find((x: any) => x.questionId === 'nps');
      expect(q).toMatchObject({ answered: 10, average: 7 });
      expect(q.options.slice(0, 2)).toEqual([{ option: '9', count: 3, percent: 30 }, { option: '10', count: 2, percent: 20 }]);
      expect(questions.find((x: any) => x.questionId === 'reason')).toMatchObject({ answered: 8, average: null, options: [] });
    });

    it('lists verbatims with filters and keyset pagination', async () => {
      const q = `query($id: ID!, $period: PeriodInput!, $filter: VerbatimFilter, $after: String) {
        surveyAnalytics(surveyId: $id, period: $period) {
          verbatims(first: 2, after: $after, filter: $filter) { totalCount pageInfo { hasNextPage endCursor } nodes { text sentiment score channel customer { id } } }
        }
      }`;
      const detractors = (await ok(q, { id: nps, period: PERIOD, filter: { score: { lte: 6 } } })).surveyAnalytics.verbatims;
      expect(detractors.totalCount).toBe(3);
      expect(detractors.nodes.every((n: any) => n.score <= 6 && n.sentiment === 'NEGATIVE')).toBe(true);
      const next = (await ok(q, { id: nps, period: PERIOD, filter: { score: { lte: 6 } }, after: detractors.pageInfo.endCursor })).surveyAnalytics.verbatims;
      expect(next.nodes).toHaveLength(1);
      expect(next.pageInfo.hasNextPage).toBe(false);
      expect([...detractors.nodes, ...next.nodes].filter((n: any) => n.customer?.id === lilei)).toHaveLength(1);
      const positive = (await ok(q, { id: nps, period: PERIOD, filter: { sentiment: { eq: 'POSITIVE' }, contains: 'GREAT' } })).surveyAnalytics.verbatims;
      expect(positive.totalCount).toBe(5);
      const email = (await ok(q, { id: nps, period: PERIOD, filter: { channel: { eq: 'EMAIL' } } })).surveyAnalytics.verbatims;
      expect(email.nodes.every((n: any) => n.channel === 'EMAIL')).toBe(true);
    });

    it('rejects bad periods and missing scope with paths', async () => {
      const backwards = await s.gql(ANALYTICS, { surveyId: nps, period: { from: PERIOD.to, to: PERIOD.from } });
      expect(backwards.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'period.to' }] });
      const tooMany = await s.gql(ANALYTICS, { surveyId: nps, period: { from: '2020-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }, bucket: 'DAY' });
      expect(tooMany.errors?.[0].extensions.fields?.[0].path).toBe('period');
      const none = await s.gql(ANALYTICS, { period: PERIOD });
      expect(none.errors?.[0].extensions.fields?.[0].path).toBe('surveyId');
      const mismatch = await s.gql(ANALYTICS, { surveyId: nps, kind: 'CSAT', period: PERIOD });
      expect(mismatch.errors?.[0].extensions.fields?.[0].path).toBe('kind');
    });

    it('keeps tenants apart', async () => {
      const other = await s.gql(ANALYTICS, { surveyId: nps, period: PERIOD }, s.b.keys.READ_ONLY);
      expect(other.errors?.[0].extensions.code).toBe('NOT_FOUND');
      const theirs = await ok(ANALYTICS, { kind: 'NPS', period: PERIOD }, s.b.keys.READ_ONLY);
      expect(theirs.surveyAnalytics.summary).toMatchObject({ responses: 0, nps: { responses: 0, score: null } });
    });

    it('lets READ_ONLY keys read analytics', async () => {
      const { surveyAnalytics: a } = await ok(ANALYTICS, { surveyId: nps, period: PERIOD }, s.a.keys.READ_ONLY);
      expect(a.summary.responses).toBe(10);
    });
  });
});
