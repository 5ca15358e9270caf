import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/auth/api-key.entity.js';
import { createApiKey } from '../../server/auth/keys.service.js';
import { randomWidgetTokenSecret, WidgetTokens } from '../../server/auth/widget-tokens.service.js';
import { sqlEm } from '../../server/db/orm.js';
import { recompute } from '../metrics-integration/helpers.js';
import { onlyError, startTestServer, type TestServer } from '../helpers/server.js';
import { browserGql, createCustomer, createPk, mintToken, ok } from './helpers.js';

let s: TestServer;
let zhao: string;
let adminKeyId: string;

const MINT = `mutation($c: ID!, $s: [WidgetScope!]!, $t: Int) {
  createWidgetToken(customerId: $c, scopes: $s, ttlSeconds: $t) { token expiresAt customerId scopes }
}`;
const CARD = `{ widgetCustomer {
  id displayName kind company title email phone currency tier
  historicValue { amount currency } predictedClv { amount currency } rfmSegment lifecycleStage
  churn { level score reasons { code message } }
  recentInteractions { id channel occurredAt summary }
  openCases { id subject priority status dueAt breached }
  openCaseCount
  latestNps { score respondedAt }
} }`;
const BADGE = '{ widgetCustomer { id displayName churn { level score reasons { code message } } } }';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();

beforeAll(async () => {
  s = await startTestServer();
  zhao = await createCustomer(s, {
    name: '赵敏 Zhao Min', email: 'zhao.min@example.com', phone: '+8613800138000', company: 'Mingjiao Trading', title: 'Buyer',
  });
  // Steady buyer who stopped: orders every 30 days until 200 days ago, so the churn rules have something to say.
  for (let d = 560; d >= 200; d -= 30) {
    await ok(s.gql('mutation($i: RecordOrderInput!) { recordOrder(input: $i) { id } }', { i: { customerId: zhao, total: '120.00', occurredAt: daysAgo(d) } }));
  }
  // A few more buyers so the tenant's models have data.
  for (let c = 0; c < 6; c++) {
    const other = await createCustomer(s, { name: `Buyer ${c}` });
    for (let d = 400 - c * 20; d > 5; d -= 45 + c * 7) {
      await ok(s.gql('mutation($i: RecordOrderInput!) { recordOrder(input: $i) { id } }', { i: { customerId: other, total: `${50 + c * 10}.00`, occurredAt: daysAgo(d) } }));
    }
  }
  for (const [d, channel, subject] of [[40, 'PHONE', 'Asked about delivery'], [20, 'EMAIL', 'Invoice question'], [10, 'WECHAT', 'Complained about quality'], [5, 'EMAIL', 'Follow-up']] as const) {
    await ok(s.gql('mutation($i: LogInteractionInput!) { logInteraction(input: $i) { id } }', { i: { customerId: zhao, type: 'CALL', channel, subject, occurredAt: daysAgo(d) } }));
  }
  const open = 'mutation($i: OpenServiceCaseInput!) { openServiceCase(input: $i) { id } }';
  await ok(s.gql(open, { i: { customerId: zhao, kind: 'COMPLAINT', channel: 'PHONE', subject: 'Broken shipment', priority: 'URGENT', openedAt: daysAgo(20) } }));
  await ok(s.gql(open, { i: { customerId: zhao, kind: 'INQUIRY', channel: 'EMAIL', subject: 'Where is my invoice', priority: 'LOW' } }));
  const nps = await ok(s.gql('mutation { createSurvey(input: { name: "NPS", kind: NPS }) { id questions { id } } }'));
  await ok(s.gql('mutation($id: ID!) { setSurveyStatus(id: $id, status: ACTIVE) { status } }', { id: nps.createSurvey.id }));
  for (const [key, value] of [['nps-1', 9], ['nps-2', 4]] as const) {
    await ok(s.gql('mutation($k: String!, $i: SubmitSurveyResponseInput!) { submitSurveyResponse(idempotencyKey: $k, input: $i) { id } }', {
      k: key, i: { surveyId: nps.createSurvey.id, customerId: zhao, channel: 'WEB', answers: [{ questionId: nps.createSurvey.questions[0].id, value }] },
    }));
  }
  await recompute(s);
  const keys = await ok(s.gql('{ apiKeys { id name } }'));
  adminKeyId = keys.apiKeys.find((k: { name: string }) => k.name === 'ADMIN test key').id;
}, 180_000);
afterAll(async () => s?.close());

describe('createWidgetToken', () => {
  it('mints a signed token bound to tenant, customer, scopes and minting key', async () => {
    const before = Math.floor(Date.now() / 1000);
    const data = await ok(s.gql(MINT, { c: zhao, s: ['CUSTOMER_CARD', 'CHURN_BADGE'], t: 900 }));
    const minted = data.createWidgetToken;
    expect(minted).toMatchObject({ customerId: zhao, scopes: ['CUSTOMER_CARD', 'CHURN_BADGE'] });
    const claims = decodeJwt(minted.token);
    expect(claims).toMatchObject({ tid: s.a.id, sub: zhao, scp: ['CUSTOMER_CARD', 'CHURN_BADGE'], kid: adminKeyId });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(minted.expiresAt).getTime()).toBe(claims.exp! * 1000);
  });

  it('defaults to 600 seconds', async () => {
    const data = await ok(s.gql('mutation($c: ID!) { createWidgetToken(customerId: $c, scopes: [CHURN_BADGE]) { token } }', { c: zhao }));
    const claims = decodeJwt(data.createWidgetToken.token);
    expect(claims.exp! - claims.iat!).toBe(600);
  });

  it.each([0, -5, 3601])('rejects ttlSeconds %i as BAD_USER_INPUT at ttlSeconds', async (ttl) => {
    const err = onlyError(await s.gql(MINT, { c: zhao, s: ['CHURN_BADGE'], t: ttl }));
    expect(err.extensions.code).toBe('BAD_USER_INPUT');
    expect(err.extensions.fields?.map((f) => f.path)).toEqual(['ttlSeconds']);
  });

  it('rejects an empty scope list as BAD_USER_INPUT at scopes', async () => {
    const err = onlyError(await s.gql(MINT, { c: zhao, s: [], t: 60 }));
    expect(err.extensions.fields?.map((f) => f.path)).toEqual(['scopes']);
  });

  it('answers NOT_FOUND for an unknown customer and for another tenant’s customer', async () => {
    const bCustomer = await createCustomer(s, { name: 'Globex buyer' }, s.b.keys.ADMIN);
    expect(onlyError(await s.gql(MINT, { c: bCustomer, s: ['CHURN_BADGE'], t: 60 })).extensions.code).toBe('NOT_FOUND');
    expect(onlyError(await s.gql(MINT, { c: '01890000-0000-7000-8000-000000000000', s: ['CHURN_BADGE'], t: 60 })).extensions.code).toBe('NOT_FOUND');
  });

  it('may be minted by ADMIN, AGENT and ANALYST keys, not READ_ONLY, publishable keys or tokens', async () => {
    for (const role of ['AGENT', 'ANALYST'] as const) {
      expect((await ok(s.gql(MINT, { c: zhao, s: ['CHURN_BADGE'], t: 60 }, s.a.keys[role]))).createWidgetToken.customerId).toBe(zhao);
    }
    expect(onlyError(await s.gql(MINT, { c: zhao, s: ['CHURN_BADGE'], t: 60 }, s.a.keys.READ_ONLY)).extensions.code).toBe('FORBIDDEN');
    const pk = (await createPk(s, ['https://shop.example.com'])).key;
    const byPk = await browserGql(s, MINT, { c: zhao, s: ['CHURN_BADGE'], t: 60 }, { authorization: `Bearer ${pk}`, origin: 'https://shop.example.com' });
    expect(onlyError(byPk).extensions).toMatchObject({ code: 'FORBIDDEN', field: 'Mutation.createWidgetToken' });
    const token = await mintToken(s, zhao, ['CUSTOMER_CARD']);
    const byToken = await browserGql(s, MINT, { c: zhao, s: ['CHURN_BADGE'], t: 60 }, bearer(token));
    expect(onlyError(byToken).extensions).toMatchObject({ code: 'FORBIDDEN', field: 'Mutation.createWidgetToken' });
  });
});

describe('widgetCustomer with a CUSTOMER_CARD token', () => {
  it('shows the token’s customer with PII masked and the same figures as the secret API', async () => {
    const token = await mintToken(s, zhao, ['CUSTOMER_CARD']);
    const res = await browserGql(s, CARD, {}, { ...bearer(token), origin: 'https://portal.partner.example' });
    expect(res.errors).toBeUndefined();
    const card = res.data.widgetCustomer;
    expect(card).toMatchObject({
      id: zhao, displayName: '赵敏 Zhao Min', kind: 'PERSON', company: 'Mingjiao Trading', title: 'Buyer',
      email: 'z***@example.com', phone: '138****8000', currency: 'CNY', openCaseCount: 2,
    });
    // Any origin may use a token (the partner's back end minted it for that page).
    expect(res.headers.get('access-control-allow-origin')).toBe('https://portal.partner.example');

    const truth = await ok(s.gql(`query($id: ID!) { customer(id: $id) {
      tier { tier }
      metrics { historicValue { amount currency } predictedClv { amount currency } rfm { segment } lifecycleStage churnRisk { level score reasons { code message } } }
    } }`, { id: zhao }));
    const m = truth.customer.metrics;
    expect(card.tier).toBe(truth.customer.tier?.tier ?? null);
    expect(card.historicValue).toEqual(m.historicValue);
    expect(card.historicValue).toEqual({ amount: '1560.00', currency: 'CNY' });
    expect(card.predictedClv).toEqual(m.predictedClv);
    expect(card.rfmSegment).toBe(m.rfm.segment);
    expect(card.lifecycleStage).toBe(m.lifecycleStage);
    expect(card.churn).toEqual(m.churnRisk);
    expect(card.churn.reasons.length).toBeGreaterThan(0);

    expect(card.recentInteractions.map((i: { summary: string; channel: string }) => [i.channel, i.summary])).toEqual([
      ['EMAIL', 'Follow-up'], ['WECHAT', 'Complained about quality'], ['EMAIL', 'Invoice question'],
    ]);
    expect(card.openCases.map((c: { subject: string; priority: string; status: string }) => [c.subject, c.priority, c.status])).toEqual([
      ['Broken shipment', 'URGENT', 'OPEN'], ['Where is my invoice', 'LOW', 'OPEN'],
    ]);
    // Opened 20 days ago without a response: past every SLA. The new one is on track.
    expect(card.openCases.map((c: { breached: boolean }) => c.breached)).toEqual([true, false]);
    expect(card.openCases.every((c: { dueAt: string }) => !Number.isNaN(Date.parse(c.dueAt)))).toBe(true);
    expect(card.latestNps.score).toBe(4);
  });

  it('costs 4 SQL statements: token check, customer with its lists, metrics, tier', async () => {
    const token = await mintToken(s, zhao, ['CUSTOMER_CARD']);
    const res = await browserGql(s, CARD, {}, bearer(token));
    expect(res.errors).toBeUndefined();
    expect(res.extensions?.sqlStatements).toBe(4);
  });

  it('masks a foreign phone number with its calling code', async () => {
    const us = await createCustomer(s, { name: 'Sam', email: 's@x.io', phone: '+14155552671' });
    const token = await mintToken(s, us, ['CUSTOMER_CARD']);
    const card = await ok(browserGql(s, '{ widgetCustomer { email phone churn { level } tier latestNps { score } recentInteractions { id } openCases { id } openCaseCount } }', {}, bearer(token)));
    expect(card.widgetCustomer).toEqual({
      email: 's***@x.io', phone: '+1 415***2671', churn: null, tier: null, latestNps: null, recentInteractions: [], openCases: [], openCaseCount: 0,
    });
  });

  it('may not select anything outside widgetCustomer', async () => {
    const token = await mintToken(s, zhao, ['CUSTOMER_CARD']);
    const res = await browserGql(s, '{ widgetCustomer { id } customers { totalCount } }', {}, bearer(token));
    expect(res.status).toBe(403);
    expect(onlyError(res).extensions).toMatchObject({ code: 'FORBIDDEN', field: 'Query.customers' });
    expect(res.data ?? null).toBeNull();
  });
});

describe('widgetCustomer with a CHURN_BADGE token', () => {
  it('reads id, displayName and churn in 3 SQL statements', async () => {
    const token = await mintToken(s, zhao, ['CHURN_BADGE']);
    const res = await browserGql(s, BADGE, {}, bearer(token));
    expect(res.errors).toBeUndefined();
    expect(res.data.widgetCustomer.id).toBe(zhao);
    expect(res.data.widgetCustomer.churn.level).toMatch(/^(LOW|MEDIUM|HIGH|CHURNED)$/);
    expect(res.extensions?.sqlStatements).toBe(3);
  });

  it.each([
    ['email', '{ widgetCustomer { id email } }', 'WidgetCustomer.email'],
    ['openCases', '{ widgetCustomer { churn { level } openCases { id } } }', 'WidgetCustomer.openCases'],
    ['historicValue in a fragment', '{ widgetCustomer { ...F } } fragment F on WidgetCustomer { historicValue { amount } }', 'WidgetCustomer.historicValue'],
  ])('is FORBIDDEN to read %s, naming the field', async (_what, query, field) => {
    const token = await mintToken(s, zhao, ['CHURN_BADGE']);
    const res = await browserGql(s, query, {}, bearer(token));
    expect(res.status).toBe(403);
    expect(onlyError(res).extensions).toMatchObject({ code: 'FORBIDDEN', field });
  });

  it('a FEEDBACK-only token reads nothing', async () => {
    const token = await mintToken(s, zhao, ['FEEDBACK']);
    expect(onlyError(await browserGql(s, BADGE, {}, bearer(token))).extensions).toMatchObject({ code: 'FORBIDDEN', field: 'Query.widgetCustomer' });
  });

  it('a secret key gets FORBIDDEN from widgetCustomer (it has no customer)', async () => {
    expect(onlyError(await s.gql(BADGE)).extensions.code).toBe('FORBIDDEN');
  });
});

describe('bad widget tokens', () => {
  it('an expired token is UNAUTHENTICATED (401) with reason TOKEN_EXPIRED', async () => {
    const { token } = await s.app.widgetTokens.mint(
      { tenantId: s.a.id, customerId: zhao, scopes: ['CHURN_BADGE'], keyId: adminKeyId }, 60, new Date(Date.now() - 3600_000),
    );
    const res = await browserGql(s, BADGE, {}, bearer(token));
    expect(res.status).toBe(401);
    expect(onlyError(res).extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
    expect(res.data ?? null).toBeNull();
  });

  it('a token signed with another secret is UNAUTHENTICATED with reason TOKEN_INVALID', async () => {
    const forger = new WidgetTokens(randomWidgetTokenSecret());
    const { token } = await forger.mint({ tenantId: s.a.id, customerId: zhao, scopes: ['CUSTOMER_CARD'], keyId: adminKeyId }, 600);
    const res = await browserGql(s, BADGE, {}, bearer(token));
    expect(res.status).toBe(401);
    expect(onlyError(res).extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
  });

  it('a token with edited claims (scopes widened) or alg "none" is TOKEN_INVALID', async () => {
    const token = await mintToken(s, zhao, ['CHURN_BADGE']);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const widened = Buffer.from(JSON.stringify({ ...claims, scp: ['CUSTOMER_CARD'] })).toString('base64url');
    const edited = await browserGql(s, CARD, {}, bearer(`${header}.${widened}.${signature}`));
    expect(onlyError(edited).extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const unsigned = await browserGql(s, CARD, {}, bearer(`${none}.${widened}.x`));
    expect(onlyError(unsigned).extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
  });

  it('tenant A’s token cannot see tenant B: B’s customer is NOT_FOUND, and B as tenant is invalid', async () => {
    const bCustomer = await createCustomer(s, { name: 'Globex secret', email: 'boss@globex.com' }, s.b.keys.ADMIN);
    const sign = (tenantId: string) =>
      s.app.widgetTokens.mint({ tenantId, customerId: bCustomer, scopes: ['CUSTOMER_CARD'], keyId: adminKeyId }, 600);
    const crossCustomer = await browserGql(s, CARD, {}, bearer((await sign(s.a.id)).token));
    expect(onlyError(crossCustomer).extensions.code).toBe('NOT_FOUND');
    expect(JSON.stringify(crossCustomer)).not.toContain('Globex secret');
    const crossTenant = await browserGql(s, CARD, {}, bearer((await sign(s.b.id)).token));
    expect(onlyError(crossTenant).extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
  });

  it('revoking the minting key kills its tokens at once', async () => {
    const { key, apiKey } = await createApiKey(sqlEm(s.orm), s.a.id, Role.AGENT, 'partner backend');
    const token = await mintToken(s, zhao, ['CHURN_BADGE'], 600, key);
    expect((await ok(browserGql(s, BADGE, {}, bearer(token)))).widgetCustomer.id).toBe(zhao);
    await ok(s.gql('mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: apiKey.id }));
    const res = await browserGql(s, BADGE, {}, bearer(token));
    expect(res.status).toBe(401);
    expect(onlyError(res).extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
  });
});
