import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyError, startTestServer, type TestServer } from '../helpers/server.js';
import { browserGql, CREATE_PK, createActiveSurvey, createCustomer, createPk, mintToken, ok } from './helpers.js';

let s: TestServer;
let pk: string;
let survey: { id: string; questionId: string };
const SHOP = 'https://shop.example.com';
const OTHER = 'https://evil.example.net';

beforeAll(async () => {
  s = await startTestServer();
  pk = (await createPk(s, [SHOP, 'http://localhost:8080'])).key;
  survey = await createActiveSurvey(s);
});
afterAll(async () => s?.close());

const SURVEY = `query($id: ID!) { survey(id: $id) { id kind version status title { en zhCN } questions { id kind required scale text { text(locale: "zh-CN") } choices { id text { en } } } } }`;
const SUBMIT = `mutation($key: String!, $input: SubmitSurveyResponseInput!) {
  submitSurveyResponse(idempotencyKey: $key, input: $input) { id status score completedAt }
}`;
const asPk = (key = pk, origin: string | null = SHOP, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${key}`, ...(origin ? { origin } : {}), ...extra,
});

describe('createPublishableKey', () => {
  it('creates a pk_ key that the API lists with its origins (the key itself is shown once)', async () => {
    const data = await ok(s.gql(CREATE_PK, { input: { name: 'Landing page', allowedOrigins: ['https://www.example.com', 'http://127.0.0.1:3000'] } }));
    const created = data.createPublishableKey;
    expect(created.key).toMatch(new RegExp(`^pk_${s.a.id.replaceAll('-', '')}_[A-Za-z0-9_-]{43}$`));
    expect(created.apiKey).toMatchObject({
      kind: 'PUBLISHABLE', role: 'READ_ONLY', name: 'Landing page', allowedOrigins: ['https://www.example.com', 'http://127.0.0.1:3000'], revokedAt: null,
    });
    expect(created.apiKey.prefix).toBe(`${created.key.slice(0, 11)}…${created.key.slice(-4)}`);
    const list = await ok(s.gql('{ apiKeys { id kind name allowedOrigins } }'));
    expect(list.apiKeys).toContainEqual({ id: created.apiKey.id, kind: 'PUBLISHABLE', name: 'Landing page', allowedOrigins: ['https://www.example.com', 'http://127.0.0.1:3000'] });
    expect(JSON.stringify(list)).not.toContain(created.key);
  });

  it.each([
    ['a path', 'https://shop.example.com/checkout'],
    ['a trailing slash', 'https://shop.example.com/'],
    ['a wildcard', 'https://*.example.com'],
    ['no scheme', 'shop.example.com'],
    ['another scheme', 'ftp://shop.example.com'],
    ['a default port written out', 'https://shop.example.com:443'],
  ])('rejects an origin with %s as BAD_USER_INPUT at its index', async (_what, origin) => {
    const res = await s.gql(CREATE_PK, { input: { name: 'x', allowedOrigins: ['https://ok.example.com', origin] } });
    const err = onlyError(res);
    expect(err.extensions.code).toBe('BAD_USER_INPUT');
    expect(err.extensions.fields?.map((f) => f.path)).toEqual(['input.allowedOrigins.1']);
  });

  it('stores origins as browsers send them (host in lower case)', async () => {
    const data = await ok(s.gql(CREATE_PK, { input: { name: 'caps', allowedOrigins: ['https://Shop.Example.com:8443'] } }));
    expect(data.createPublishableKey.apiKey.allowedOrigins).toEqual(['https://shop.example.com:8443']);
  });

  it('rejects an empty origin list and an empty name, both at once', async () => {
    const err = onlyError(await s.gql(CREATE_PK, { input: { name: ' ', allowedOrigins: [] } }));
    expect(err.extensions.fields?.map((f) => f.path).sort()).toEqual(['input.allowedOrigins', 'input.name']);
  });

  it('is for ADMIN keys only', async () => {
    for (const role of ['AGENT', 'ANALYST', 'READ_ONLY'] as const) {
      const err = onlyError(await s.gql(CREATE_PK, { input: { name: 'x', allowedOrigins: [SHOP] } }, s.a.keys[role]));
      expect(err.extensions.code).toBe('FORBIDDEN');
    }
    expect(onlyError(await s.gql('{ apiKeys { id } }', {}, s.a.keys.AGENT)).extensions.code).toBe('FORBIDDEN');
  });
});

describe('a publishable key in a browser', () => {
  it('reads an ACTIVE survey from an allowed origin, with CORS allowing exactly that origin', async () => {
    const res = await browserGql(s, SURVEY, { id: survey.id }, asPk());
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data.survey).toMatchObject({ id: survey.id, kind: 'NPS', status: 'ACTIVE' });
    expect(res.data.survey.questions[0].kind).toBe('NPS');
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(res.headers.get('vary')).toMatch(/Origin/i);
  });

  it('is FORBIDDEN (403) from an origin not on its list, and CORS does not allow that origin', async () => {
    const res = await browserGql(s, SURVEY, { id: survey.id }, asPk(pk, OTHER));
    expect(res.status).toBe(403);
    expect(onlyError(res).extensions.code).toBe('FORBIDDEN');
    expect(res.data ?? null).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('is FORBIDDEN (403) without an Origin header (e.g. from a server)', async () => {
    const res = await browserGql(s, SURVEY, { id: survey.id }, asPk(pk, null));
    expect(res.status).toBe(403);
    expect(onlyError(res).extensions.code).toBe('FORBIDDEN');
  });

  it('answers the CORS preflight for any origin with the widget headers allowed', async () => {
    const res = await fetch(s.url, {
      method: 'OPTIONS',
      headers: { origin: OTHER, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-clientele-widget-token' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(OTHER);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase().split(',')).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'idempotency-key', 'x-clientele-widget-token']),
    );
  });

  it('keeps CORS open for secret-key requests as before', async () => {
    const res = await browserGql(s, '{ viewer { role } }', {}, { authorization: `Bearer ${s.a.keys.READ_ONLY}`, origin: OTHER });
    expect(res.data.viewer.role).toBe('READ_ONLY');
    expect(res.headers.get('access-control-allow-origin')).toBe(OTHER);
  });

  it.each([
    ['customers', '{ customers { totalCount } }', 'Query.customers'],
    ['the viewer', '{ viewer { role } }', 'Query.viewer'],
    ['a survey’s responses through a nested field', 'query($id: ID!) { survey(id: $id) { id versions { version } } }', 'Survey.versions'],
    ['introspection', '{ __schema { queryType { name } } }', 'Query.__schema'],
    ['a mutation other than the two', 'mutation { createCustomer(input: { name: "x" }) { id } }', 'Mutation.createCustomer'],
  ])('may not select %s: FORBIDDEN naming the field, before anything runs', async (_what, query, coordinate) => {
    const res = await browserGql(s, query, { id: survey.id }, asPk());
    expect(res.status).toBe(403);
    const err = onlyError(res);
    expect(err.extensions.code).toBe('FORBIDDEN');
    expect(err.extensions.field).toBe(coordinate);
    expect(err.message).toContain(coordinate);
  });

  it('finds disallowed fields inside fragments too', async () => {
    const res = await browserGql(
      s,
      'query($id: ID!) { survey(id: $id) { ...S } } fragment S on Survey { id ...T } fragment T on Survey { targetSegment { id } }',
      { id: survey.id },
      asPk(),
    );
    expect(onlyError(res).extensions.field).toBe('Survey.targetSegment');
  });

  it('sees a DRAFT or CLOSED survey as NOT_FOUND', async () => {
    const draft = await createActiveSurvey(s, s.a.keys.ADMIN, false);
    expect(onlyError(await browserGql(s, SURVEY, { id: draft.id }, asPk())).extensions.code).toBe('NOT_FOUND');
    const closed = await createActiveSurvey(s);
    await ok(s.gql(`mutation($id: ID!) { setSurveyStatus(id: $id, status: CLOSED) { status } }`, { id: closed.id }));
    expect(onlyError(await browserGql(s, SURVEY, { id: closed.id }, asPk())).extensions.code).toBe('NOT_FOUND');
    // The secret API still sees both.
    expect((await ok(s.gql(SURVEY, { id: draft.id }))).survey.status).toBe('DRAFT');
  });

  it('cannot read another tenant’s survey', async () => {
    const other = await createActiveSurvey(s, s.b.keys.ADMIN);
    expect(onlyError(await browserGql(s, SURVEY, { id: other.id }, asPk())).extensions.code).toBe('NOT_FOUND');
  });

  it('submits an anonymous response, partial then final, as one response (idempotency kept)', async () => {
    const input = { surveyId: survey.id, channel: 'WEB', answers: [{ questionId: survey.questionId, value: 7 }], partial: true };
    const first = await ok(browserGql(s, SUBMIT, { key: 'web-anon-1', input }, asPk()));
    expect(first.submitSurveyResponse).toMatchObject({ status: 'PARTIAL', score: 7, completedAt: null });
    const final = await ok(browserGql(s, SUBMIT, { key: 'web-anon-1', input: { ...input, answers: [{ questionId: survey.questionId, value: 9 }], partial: false } }, asPk()));
    expect(final.submitSurveyResponse).toMatchObject({ id: first.submitSurveyResponse.id, status: 'COMPLETE', score: 9 });
    const again = await ok(browserGql(s, SUBMIT, { key: 'web-anon-1', input: { ...input, answers: [{ questionId: survey.questionId, value: 9 }], partial: false } }, asPk()));
    expect(again.submitSurveyResponse.id).toBe(first.submitSurveyResponse.id);
    const seen = await ok(s.gql(`query($id: ID!) { surveyResponse(id: $id) { customerId channel status } }`, { id: first.submitSurveyResponse.id }));
    expect(seen.surveyResponse).toEqual({ customerId: null, channel: 'WEB', status: 'COMPLETE' });
  });

  it('may not name the customer itself: BAD_USER_INPUT at input.customerId', async () => {
    const customerId = await createCustomer(s, { name: 'Mallory' });
    const res = await browserGql(s, SUBMIT, {
      key: 'web-claim-1', input: { surveyId: survey.id, channel: 'WEB', customerId, answers: [{ questionId: survey.questionId, value: 10 }] },
    }, asPk());
    const err = onlyError(res);
    expect(err.extensions.code).toBe('BAD_USER_INPUT');
    expect(err.extensions.fields?.map((f) => f.path)).toEqual(['input.customerId']);
    const fb = await browserGql(s, 'mutation($c: ID!) { submitFeedback(input: { text: "hi", source: WIDGET, customerId: $c, assignee: "me" }) { id } }', { c: customerId }, asPk());
    expect(onlyError(fb).extensions.fields?.map((f) => f.path).sort()).toEqual(['input.assignee', 'input.customerId']);
  });

  it('submits feedback anonymously', async () => {
    const data = await ok(browserGql(s, 'mutation { submitFeedback(idempotencyKey: "fb-web-1", input: { text: "Checkout was slow", source: WIDGET }) { id status } }', {}, asPk()));
    const seen = await ok(s.gql('query($id: ID!) { feedback(id: $id) { text customerId source } }', { id: data.submitFeedback.id }));
    expect(seen.feedback).toEqual({ text: 'Checkout was slow', customerId: null, source: 'WIDGET' });
  });

  it('with a FEEDBACK widget token ties the response and feedback to the token’s customer', async () => {
    const customerId = await createCustomer(s, { name: 'Zhao Min' });
    const token = await mintToken(s, customerId, ['FEEDBACK']);
    const headers = asPk(pk, SHOP, { 'x-clientele-widget-token': token });
    const data = await ok(browserGql(s, SUBMIT, {
      key: 'web-tied-1', input: { surveyId: survey.id, channel: 'WEB', answers: [{ questionId: survey.questionId, value: 3 }] },
    }, headers));
    const seen = await ok(s.gql(`query($id: ID!) { surveyResponse(id: $id) { customerId customer { name } score } }`, { id: data.submitSurveyResponse.id }));
    expect(seen.surveyResponse).toEqual({ customerId, customer: { name: 'Zhao Min' }, score: 3 });
    const fb = await ok(browserGql(s, 'mutation { submitFeedback(input: { text: "Great service", source: WIDGET }) { id } }', {}, headers));
    const fbSeen = await ok(s.gql('query($id: ID!) { feedback(id: $id) { customerId } }', { id: fb.submitFeedback.id }));
    expect(fbSeen.feedback.customerId).toBe(customerId);
  });

  it('with a token lacking FEEDBACK is FORBIDDEN to submit; with an invalid token UNAUTHENTICATED', async () => {
    const customerId = await createCustomer(s, { name: 'Badge only' });
    const token = await mintToken(s, customerId, ['CHURN_BADGE']);
    const input = { surveyId: survey.id, channel: 'WEB', answers: [{ questionId: survey.questionId, value: 5 }] };
    const res = await browserGql(s, SUBMIT, { key: 'web-scope-1', input }, asPk(pk, SHOP, { 'x-clientele-widget-token': token }));
    expect(onlyError(res).extensions.code).toBe('FORBIDDEN');
    const bad = await browserGql(s, SUBMIT, { key: 'web-scope-2', input }, asPk(pk, SHOP, { 'x-clientele-widget-token': `${token.slice(0, -2)}xx` }));
    expect(bad.status).toBe(401);
    expect(onlyError(bad).extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
  });

  it('a token of tenant B next to a pk of tenant A is UNAUTHENTICATED', async () => {
    const bCustomer = await createCustomer(s, { name: 'B person' }, s.b.keys.ADMIN);
    const token = await mintToken(s, bCustomer, ['FEEDBACK'], 600, s.b.keys.ADMIN);
    const res = await browserGql(s, SURVEY, { id: survey.id }, asPk(pk, SHOP, { 'x-clientele-widget-token': token }));
    expect(onlyError(res).extensions.code).toBe('UNAUTHENTICATED');
  });

  it('stops working once revoked', async () => {
    const { key, id } = await createPk(s, [SHOP]);
    expect((await ok(browserGql(s, SURVEY, { id: survey.id }, asPk(key)))).survey.id).toBe(survey.id);
    const revoked = await ok(s.gql('mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }', { id }));
    expect(revoked.revokeApiKey.revokedAt).not.toBeNull();
    const res = await browserGql(s, SURVEY, { id: survey.id }, asPk(key));
    expect(res.status).toBe(401);
    expect(onlyError(res).extensions.code).toBe('UNAUTHENTICATED');
  });

  it('is not a secret key: the same random part under sk_ is rejected', async () => {
    const forged = pk.replace(/^pk_/, 'sk_');
    expect((await s.gql('{ viewer { role } }', {}, forged)).status).toBe(401);
  });
});
