import type { TestServer } from '../../helpers/server.js';
import type { WidgetsSeed } from './provided.js';

/** One GraphQL call with tenant A's ADMIN key that must succeed. */
async function ok<T = any>(s: TestServer, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await s.gql<T>(query, variables);
  if (res.errors?.length) throw new Error(`seed failed: ${JSON.stringify(res.errors)} for ${query.slice(0, 80)}`);
  return res.data;
}

async function waitForJob(s: TestServer, id: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { metricsJob } = await ok(s, 'query($id: ID!) { metricsJob(id: $id) { status error } }', { id });
    if (metricsJob.status === 'SUCCEEDED') return;
    if (metricsJob.status === 'FAILED') throw new Error(`metrics recompute failed: ${metricsJob.error}`);
    if (Date.now() > deadline) throw new Error('metrics recompute did not finish');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const SURVEY_QUESTIONS = [
  { id: 'nps', kind: 'NPS', required: true, text: { en: 'How likely are you to recommend us to a friend?', zhCN: '您向朋友推荐我们的可能性有多大？' } },
  { id: 'speed', kind: 'RATING', scale: 5, required: true, text: { en: 'How fast was delivery?', zhCN: '配送速度如何？' } },
  {
    id: 'where', kind: 'SINGLE_CHOICE', required: false, text: { en: 'Where did you buy?', zhCN: '您在哪里购买？' },
    choices: [{ id: 'store', text: { en: 'Store', zhCN: '门店' } }, { id: 'online', text: { en: 'Online', zhCN: '网店' } }],
  },
  {
    id: 'likes', kind: 'MULTI_CHOICE', required: false, text: { en: 'What did you like?', zhCN: '您喜欢什么？' },
    choices: [
      { id: 'price', text: { en: 'Price', zhCN: '价格' } },
      { id: 'quality', text: { en: 'Quality', zhCN: '质量' } },
      { id: 'service', text: { en: 'Service', zhCN: '服务' } },
    ],
  },
  { id: 'comment', kind: 'TEXT', required: false, text: { en: 'Anything else?', zhCN: '还有什么想说的吗？' } },
] as const;

const DAY = 86_400_000;

/**
 * The data the widget tests and the end-to-end test need, created over GraphQL as a client would:
 * a customer with a purchase history (metrics recomputed), three-plus interactions, an open case and an
 * NPS answer; an empty customer; an ACTIVE survey with every question kind; publishable keys and widget
 * tokens (once the server supports them).
 */
export async function seedWidgets(s: TestServer, pageOrigins: string[]): Promise<Omit<WidgetsSeed, 'pageOrigin'>> {
  const now = Date.now();
  const { createCustomer: customer } = await ok(s, `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id name } }`, {
    input: { name: '张伟', kind: 'PERSON', company: 'Lotus Trading', title: 'Purchasing Manager', email: 'zhang.wei@example.com', phone: '+8613812348000' },
  });
  const { createCustomer: empty } = await ok(s, `mutation { createCustomer(input: { name: "Quiet Prospect" }) { id name } }`);

  // Six paid orders over the last two years: enough history for RFM, CLV and a churn estimate.
  for (const [i, daysAgo] of [700, 560, 400, 260, 150, 40].entries()) {
    await ok(s, `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { id } }`, {
      input: { customerId: customer.id, total: String(800 + i * 150), currency: 'CNY', occurredAt: new Date(now - daysAgo * DAY).toISOString(), channel: 'WEB' },
    });
  }
  const interactions = [
    { channel: 'PHONE', type: 'CALL', subject: 'Asked about bulk pricing', daysAgo: 20 },
    { channel: 'EMAIL', type: 'EMAIL', subject: 'Sent the spring catalogue', daysAgo: 9 },
    { channel: 'WECHAT', type: 'MESSAGE', subject: 'Delivery question', daysAgo: 3 },
    { channel: 'WEB', type: 'NOTE', subject: 'Visited the pricing page', daysAgo: 1 },
  ];
  for (const it of interactions) {
    await ok(s, `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { id } }`, {
      input: { customerId: customer.id, channel: it.channel, type: it.type, subject: it.subject, occurredAt: new Date(now - it.daysAgo * DAY).toISOString() },
    });
  }
  await ok(s, `mutation($input: OpenServiceCaseInput!) { openServiceCase(input: $input) { id } }`, {
    input: { customerId: customer.id, channel: 'PHONE', kind: 'COMPLAINT', priority: 'HIGH', subject: 'Damaged parcel' },
  });

  const { createSurvey: survey } = await ok(s, `mutation($input: CreateSurveyInput!) { createSurvey(input: $input) { id questions { id kind required choices { id } } } }`, {
    input: { name: 'Widget NPS', kind: 'NPS', title: { en: 'Tell us how we did', zhCN: '请评价我们的服务' }, questions: SURVEY_QUESTIONS },
  });
  await ok(s, `mutation($id: ID!) { setSurveyStatus(id: $id, status: ACTIVE) { id } }`, { id: survey.id });
  await ok(s, `mutation($input: SubmitSurveyResponseInput!) { submitSurveyResponse(idempotencyKey: "seed-nps-1", input: $input) { id } }`, {
    input: { surveyId: survey.id, customerId: customer.id, channel: 'WEB', answers: [{ questionId: 'nps', value: 9 }, { questionId: 'speed', value: 4 }] },
  });

  const { recomputeMetrics } = await ok(s, 'mutation { recomputeMetrics { id } }');
  await waitForJob(s, recomputeMetrics.id);

  const creds = await credentials(s, customer.id, empty.id, pageOrigins);
  return {
    endpoint: s.url,
    currency: 'CNY',
    customer: { id: customer.id, name: customer.name, company: 'Lotus Trading', title: 'Purchasing Manager' },
    emptyCustomer: { id: empty.id, name: empty.name },
    survey: {
      id: survey.id,
      questions: survey.questions.map((q: any) => ({ id: q.id, kind: q.kind, required: q.required, choiceIds: q.choices.map((c: any) => c.id) })),
    },
    adminKey: s.a.keys.ADMIN,
    ...creds,
  };
}

const PK = `mutation($input: CreatePublishableKeyInput!) { createPublishableKey(input: $input) { key } }`;
const TOKEN = `mutation($id: ID!, $scopes: [WidgetScope!]!, $ttl: Int) { createWidgetToken(customerId: $id, scopes: $scopes, ttlSeconds: $ttl) { token expiresAt } }`;

/** Mints a widget token as a partner back end does (secret key). */
export async function mintToken(s: TestServer, customerId: string, scopes: string[], ttlSeconds = 3600): Promise<string> {
  return (await ok(s, TOKEN, { id: customerId, scopes, ttl: ttlSeconds })).createWidgetToken.token;
}

/** Publishable keys for the page's origins (and one for elsewhere) and widget tokens, including one already expired. */
async function credentials(s: TestServer, customerId: string, emptyId: string, origins: string[]) {
  const publishableKey = (await ok(s, PK, { input: { name: 'widget tests', allowedOrigins: origins } })).createPublishableKey.key;
  const foreignPublishableKey = (await ok(s, PK, { input: { name: 'another site', allowedOrigins: ['https://elsewhere.example'] } })).createPublishableKey.key;
  const expired = await mintToken(s, customerId, ['CUSTOMER_CARD', 'CHURN_BADGE'], 1);
  const tokens = {
    card: await mintToken(s, customerId, ['CUSTOMER_CARD', 'CHURN_BADGE']),
    badge: await mintToken(s, customerId, ['CHURN_BADGE']),
    feedback: await mintToken(s, customerId, ['FEEDBACK']),
    emptyCard: await mintToken(s, emptyId, ['CUSTOMER_CARD', 'CHURN_BADGE']),
    expired,
  };
  // JWT expiry has one-second resolution: make sure the short token is past it.
  await new Promise((r) => setTimeout(r, 2100));
  return { publishableKey, foreignPublishableKey, tokens };
}
