import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { commands, userEvent } from 'vitest/browser';
import '../../widgets/src/customer-card/index.js';
import '../../widgets/src/provider/index.js';
import type { CrmCustomerCard } from '../../widgets/src/customer-card/index.js';
import type { CrmErrorDetail, CrmLoadDetail } from '../../widgets/src/shared/events.js';
import { $, $$, admin, axeViolations, cleanup, mount, nextEvent, restoreNetwork, seed, text, until } from './widget-test-helpers.js';

interface Truth {
  tier: { tier: string | null } | null;
  metrics: {
    historicValue: { amount: string; currency: string } | null;
    predictedClv: { amount: string; currency: string } | null;
    rfm: { segment: string } | null;
    lifecycleStage: string | null;
    churnRisk: { level: string } | null;
  } | null;
}

let truth: Truth;
const money = (m: { amount: string; currency: string }, locale: string) =>
  new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency }).format(Number(m.amount));

beforeAll(async () => {
  const data = await admin(
    `query($id: ID!) { customer(id: $id) { tier { tier } metrics { historicValue { amount currency } predictedClv { amount currency } rfm { segment } lifecycleStage churnRisk { level } } } }`,
    { id: seed.customer.id },
  );
  truth = data.customer;
});

afterEach(async () => {
  cleanup();
  await restoreNetwork();
});

const card = (attrs: string) => mount<CrmCustomerCard>(`<crm-customer-card endpoint="${seed.endpoint}" ${attrs}></crm-customer-card>`);
const field = (el: Element, name: string) => text($(el, `[data-field=${name}]`));
const loaded = (el: Element) => until(() => expect($(el, 'article[part=card]')).not.toBeNull());

describe('<crm-customer-card>', () => {
  it('shows the customer the token is for, in English, with values in the tenant currency', async () => {
    const load = nextEvent<CrmLoadDetail>('crm-load');
    const el = await card(`token="${seed.tokens.card}" customer-id="${seed.customer.id}" locale="en"`);
    expect((await load).detail).toEqual({ customerId: seed.customer.id });
    await loaded(el);
    expect(text($(el, '[part=name]'))).toBe(seed.customer.name);
    expect(text($(el, '[part=meta]'))).toBe(`Person · ${seed.customer.title} · ${seed.customer.company}`);
    expect(truth.metrics?.historicValue?.currency).toBe(seed.currency);
    expect(field(el, 'historicValue')).toBe(money(truth.metrics!.historicValue!, 'en'));
    expect(field(el, 'historicValue')).toMatch(/^CN¥/);
    expect(field(el, 'predictedClv')).toBe(truth.metrics!.predictedClv ? money(truth.metrics!.predictedClv, 'en') : 'Not yet computed');
    const tierLabels: Record<string, string> = { VIP: 'VIP', REGULAR: 'Regular', POTENTIAL: 'Potential', LOW_VALUE: 'Low value' };
    expect(field(el, 'tier')).toBe(truth.tier?.tier ? tierLabels[truth.tier.tier] : 'Not yet computed');
    expect(field(el, 'rfmSegment')).not.toMatch(/_/);
    expect(field(el, 'rfmSegment').length).toBeGreaterThan(2);
    expect(field(el, 'lifecycleStage')).toMatch(/^[A-Z][a-z]+( [a-z]+)?$/);
    expect(field(el, 'latestNps')).toMatch(/^9 · promoter, (today|yesterday|\d+ (minutes?|hours?|seconds?) ago|now)$/);

    // The last three interactions, newest first, each with a labelled channel icon and a relative date.
    const items = $$(el, '[part=interactions] li');
    expect(items.map((li) => li.dataset.channel)).toEqual(['WEB', 'WECHAT', 'EMAIL']);
    expect(items.map((li) => li.querySelector('[role=img]')!.getAttribute('aria-label'))).toEqual(['Web', 'WeChat', 'Email']);
    expect(items.map((li) => text(li.querySelector('time')))).toEqual(['yesterday', '3 days ago', '9 days ago']);
    expect(text(items[1])).toContain('Delivery question');

    expect(text($(el, '[part=cases]'))).toContain('Damaged parcel');
    expect(text($(el, '[part=cases]'))).toContain('High');
    expect(text(el)).toContain('Open cases (1)');

    // The churn badge inside shows the server's level and exposes its parts to the host.
    const badge = $(el, 'crm-churn-badge')!;
    expect(badge.getAttribute('risk')).toBe(truth.metrics!.churnRisk!.level);
    expect(badge.getAttribute('exportparts')).toContain('badge: churn-badge');
  });

  it('shows every label in Simplified Chinese with locale="zh-CN"', async () => {
    const el = await card(`token="${seed.tokens.card}" locale="zh-CN"`);
    await loaded(el);
    expect(text($(el, '[part=meta]'))).toBe(`个人 · ${seed.customer.title} · ${seed.customer.company}`);
    expect(text(el)).toContain('最近互动');
    expect(text(el)).toContain('未结工单（1）');
    expect(text(el)).toContain('历史价值');
    expect(field(el, 'historicValue')).toBe(money(truth.metrics!.historicValue!, 'zh-CN'));
    expect(field(el, 'historicValue')).toMatch(/^¥/);
    expect(field(el, 'latestNps')).toMatch(/推荐者/);
    expect(field(el, 'lifecycleStage')).toMatch(/[\u4e00-\u9fff]/);
    expect(field(el, 'rfmSegment')).toMatch(/[\u4e00-\u9fff]/);
    const items = $$(el, '[part=interactions] li');
    expect(items.map((li) => li.querySelector('[role=img]')!.getAttribute('aria-label'))).toEqual(['网站', '微信', '电子邮件']);
    expect(items.map((li) => text(li.querySelector('time')))).toEqual(['昨天', '3天前', '9天前']);
    expect(text($(el, 'crm-churn-badge')!)).toMatch(/流失风险|已流失/);
  });

  it('shows a loading skeleton until the customer arrives', async () => {
    const el = await card(`token="${seed.tokens.card}"`);
    const skeleton = $(el, '[aria-busy=true]');
    expect(skeleton).not.toBeNull();
    expect(text(skeleton)).toBe('Loading customer…');
    await loaded(el);
    expect($(el, '[aria-busy=true]')).toBeNull();
  });

  it('shows an error with a Retry button when the server fails, and loads on Retry', async () => {
    await commands.failGraphql(503);
    const failed = nextEvent<CrmErrorDetail>('crm-error');
    const el = await card(`token="${seed.tokens.card}"`);
    expect((await failed).detail).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    await until(() => expect($(el, '[part=error]')).not.toBeNull());
    expect($(el, '[part=error]')!.getAttribute('role')).toBe('alert');
    expect(text($(el, '[part=error]'))).toContain('The customer could not be loaded.');

    await commands.failGraphql(null);
    await userEvent.click($(el, '[part=retry]')!);
    await loaded(el);
    expect(text($(el, '[part=name]'))).toBe(seed.customer.name);
  });

  it('says the server could not be reached when the browser is offline', async () => {
    await commands.setOffline(true);
    const failed = nextEvent<CrmErrorDetail>('crm-error');
    const el = await card(`token="${seed.tokens.card}"`);
    expect((await failed).detail).toMatchObject({ code: 'NETWORK', retryable: true });
    await until(() => expect(text($(el, '[part=error]'))).toContain('The server could not be reached.'));
    await commands.setOffline(false);
    $(el, '[part=retry]')!.click();
    await loaded(el);
  });

  it('says the session expired (no Retry) and fires crm-error when the token has expired; a fresh token reloads it', async () => {
    const failed = nextEvent<CrmErrorDetail>('crm-error');
    const el = await card(`token="${seed.tokens.expired}"`);
    const { detail } = await failed;
    expect(detail).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED', retryable: false });
    await until(() => expect(text($(el, '[part=error]'))).toBe('Your session has expired. Reload the page to sign in again.'));
    expect($(el, '[part=retry]')).toBeNull();

    // What a host does on crm-error: mint a new token and set it.
    el.token = seed.tokens.card;
    await loaded(el);
    expect(text($(el, '[part=name]'))).toBe(seed.customer.name);
  });

  it('refuses a token without the CUSTOMER_CARD scope', async () => {
    const failed = nextEvent<CrmErrorDetail>('crm-error');
    const el = await card(`token="${seed.tokens.badge}"`);
    expect((await failed).detail.code).toBe('FORBIDDEN');
    await until(() => expect(text($(el, '[part=error]'))).toContain('This token may not show this customer.'));
  });

  it('refuses to show a customer other than its customer-id', async () => {
    const el = await card(`token="${seed.tokens.card}" customer-id="${seed.emptyCustomer.id}"`);
    await until(() => expect(text($(el, '[part=error]'))).toContain('This token may not show this customer.'));
  });

  it('has an empty state without a token, and empty lists for a customer with no history', async () => {
    const none = await card('');
    expect(text(none)).toBe('No customer to show. Give the card a widget token.');
    const empty = await card(`token="${seed.tokens.emptyCard}"`);
    await loaded(empty);
    expect(text($(empty, '[part=name]'))).toBe(seed.emptyCustomer.name);
    expect(text(empty)).toContain('No interactions yet.');
    expect(text(empty)).toContain('No open cases.');
    expect(text(empty)).toContain('Open cases (0)');
    expect(field(empty, 'latestNps')).toBe('No answer yet');
  });

  it('takes its configuration from <crm-provider>; its own locale attribute wins', async () => {
    const wrap = await mount(`<crm-provider endpoint="${seed.endpoint}" token="${seed.tokens.card}" locale="zh-CN">
        <crm-customer-card id="zh"></crm-customer-card>
        <crm-customer-card id="en" locale="en"></crm-customer-card>
      </crm-provider>`);
    const zh = wrap.querySelector('#zh')!;
    const en = wrap.querySelector('#en')!;
    await loaded(zh);
    await loaded(en);
    expect(text(zh)).toContain('最近互动');
    expect(text(en)).toContain('Recent interactions');
    expect(text($(en, '[part=name]'))).toBe(seed.customer.name);
  });

  it('follows a provider that is configured after the card connected', async () => {
    const wrap = await mount('<crm-provider><crm-customer-card></crm-customer-card></crm-provider>');
    const el = wrap.querySelector('crm-customer-card')!;
    expect(text(el)).toBe('No customer to show. Give the card a widget token.');
    wrap.setAttribute('endpoint', seed.endpoint);
    wrap.setAttribute('token', seed.tokens.card);
    await loaded(el);
  });

  it('keeps host page styles out and its own styles in; themes through custom properties and parts', async () => {
    const style = document.createElement('style');
    style.textContent = `
      .test-host p, .test-host li { color: rgb(255, 0, 0); font-family: serif; letter-spacing: 5px; }
      .test-host { font-style: italic; }
      .name { color: rgb(0, 0, 255); }
      crm-customer-card.themed { --crm-color-text: rgb(1, 2, 3); }
      crm-customer-card.themed::part(name) { text-decoration: underline; }
    `;
    document.head.append(style);
    try {
      const el = await card(`class="themed" token="${seed.tokens.card}"`);
      await loaded(el);
      const name = $(el, '[part=name]')!;
      const meta = $(el, '[part=meta]')!;
      expect(getComputedStyle(meta).fontFamily).not.toContain('serif,');
      expect(getComputedStyle(meta).fontFamily).not.toBe('serif');
      expect(getComputedStyle(meta).letterSpacing).toBe('normal');
      expect(getComputedStyle(meta).fontStyle).toBe('normal');
      expect(getComputedStyle(name).color).toBe('rgb(1, 2, 3)');
      expect(getComputedStyle(name).textDecorationLine).toBe('underline');
      // The card's own classes do not reach host elements with the same class names.
      const outside = await mount('<p class="name">outside</p>');
      expect(getComputedStyle(outside).fontWeight).toBe('400');
    } finally {
      style.remove();
    }
  });

  it('has no axe violations when loaded (en and zh-CN), loading, empty or failed', async () => {
    const en = await card(`token="${seed.tokens.card}" locale="en"`);
    const zh = await card(`token="${seed.tokens.card}" locale="zh-CN"`);
    await loaded(en);
    await loaded(zh);
    await card('');
    const failed = await card(`token="${seed.tokens.expired}"`);
    await until(() => expect($(failed, '[part=error]')).not.toBeNull());
    const empty = await card(`token="${seed.tokens.emptyCard}"`);
    await loaded(empty);
    expect(await axeViolations()).toEqual([]);
  });
});
