import axe from 'axe-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { commands, userEvent } from 'vitest/browser';
import '../../widgets/src/feedback-form/index.js';
import '../../widgets/src/provider/index.js';
import type { CrmFeedbackForm, FeedbackErrorDetail, FeedbackSubmitDetail } from '../../widgets/src/feedback-form/index.js';
import type { CrmNpsScale } from '../../widgets/src/nps-scale/crm-nps-scale.js';
import { FeedbackFormSubmitDocument } from '../../widgets/src/gql/graphql.js';
import { flush, pending, randomId, submit, subscribe, type OutboxResult } from '../../widgets/src/shared/outbox.js';
import { browserKey, network, resetNetworkAndOutbox, responsesWith, seed, stopRetryTimer, unique } from './feedback-form.helpers.js';

// The outbox tests live here too: test files run in parallel pages that share the origin's
// IndexedDB, so everything that uses the outbox runs in this one file, one test after another.

const SESSION_KEY = `clientele-feedback:${seed.survey.id}`;

function mount(attrs: Record<string, string> = {}, parent: HTMLElement = document.body): CrmFeedbackForm {
  const el = document.createElement('crm-feedback-form');
  const all: Record<string, string> = {
    'survey-id': seed.survey.id,
    endpoint: seed.endpoint,
    'publishable-key': browserKey,
    locale: 'en',
    ...attrs,
  };
  for (const [name, value] of Object.entries(all)) el.setAttribute(name, value);
  parent.append(el);
  return el;
}

const $ = <T extends Element = HTMLElement>(el: CrmFeedbackForm, selector: string) => el.shadowRoot!.querySelector<T>(selector);
const $$ = <T extends Element = HTMLElement>(el: CrmFeedbackForm, selector: string) => [...el.shadowRoot!.querySelectorAll<T>(selector)];
const text = (node: Element | null | undefined) => node?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const nps = (el: CrmFeedbackForm) => $<CrmNpsScale>(el, 'crm-nps-scale')!;
const npsButton = (el: CrmFeedbackForm, score: number) => nps(el).shadowRoot!.querySelectorAll<HTMLButtonElement>('[role="radio"]')[score];
const input = (el: CrmFeedbackForm, question: number, value: string) => $<HTMLInputElement>(el, `[data-q="${question}"] input[value="${value}"]`)!;
const textarea = (el: CrmFeedbackForm) => $<HTMLTextAreaElement>(el, 'textarea')!;
const submitButton = (el: CrmFeedbackForm) => $<HTMLButtonElement>(el, 'button[type="submit"]')!;

async function ready(el: CrmFeedbackForm): Promise<void> {
  await vi.waitFor(() => expect($(el, 'form')).not.toBeNull(), { timeout: 10_000 });
  await nps(el).updateComplete;
}

async function settled(el: CrmFeedbackForm): Promise<void> {
  await el.updateComplete;
  const scale = $<CrmNpsScale>(el, 'crm-nps-scale');
  if (scale) await scale.updateComplete;
}

/** The next event of `type` from the element (listened to on document: it must bubble out of the shadow root). */
function nextEvent<T>(type: 'crm-feedback-submit' | 'crm-feedback-error', match: (d: T) => boolean = () => true): Promise<CustomEvent<T>> {
  return new Promise((resolve) => {
    const on = (e: Event) => {
      const event = e as CustomEvent<T>;
      if (!match(event.detail)) return;
      document.removeEventListener(type, on);
      resolve(event);
    };
    document.addEventListener(type, on);
  });
}

function sessionKey(): string {
  return (JSON.parse(sessionStorage.getItem(SESSION_KEY)!) as { key: string }).key;
}

async function expectNoAxeViolations(el: Element): Promise<void> {
  const results = await axe.run(el);
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' | ')}`)).toEqual([]);
}

/** A complete answer to the seeded survey, told apart on the server by its comment. */
function submission(idempotencyKey: string, marker: string, score = 8) {
  return {
    idempotencyKey,
    endpoint: seed.endpoint,
    publishableKey: browserKey,
    document: String(FeedbackFormSubmitDocument),
    variables: {
      idempotencyKey,
      input: {
        surveyId: seed.survey.id,
        channel: 'WEB',
        partial: false,
        answers: [
          { questionId: 'nps', value: score },
          { questionId: 'speed', value: 4 },
          { questionId: 'comment', text: marker },
        ],
      },
    },
  };
}

/** Resolves with the next outcome for `key` that matches `status`. */
function next(key: string, status: OutboxResult['status']): Promise<OutboxResult> {
  return new Promise((resolve) => {
    const off = subscribe((r) => {
      if (r.entry.idempotencyKey === key && r.status === status) {
        off();
        resolve(r);
      }
    });
  });
}

/** The raw IndexedDB store, read without the outbox module: what a reload would find. */
async function rawIndexedDbKeys(): Promise<string[]> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open('clientele-widgets');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  try {
    return await new Promise((resolve, reject) => {
      const req = db.transaction('outbox').objectStore('outbox').getAllKeys();
      req.onsuccess = () => resolve(req.result as string[]);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

beforeEach(async () => {
  sessionStorage.removeItem(SESSION_KEY);
  await resetNetworkAndOutbox();
});
afterEach(async () => {
  document.body.replaceChildren();
  await resetNetworkAndOutbox();
  sessionStorage.removeItem(SESSION_KEY);
});

describe('<crm-feedback-form> rendering', () => {
  it('renders every question kind of the ACTIVE survey in English', async () => {
    const el = mount();
    await el.updateComplete;
    expect($(el, '[part="loading"]')).not.toBeNull();
    await ready(el);

    expect(text($(el, '[part="title"]'))).toBe('Tell us how we did');
    expect($$(el, '[part="question-text"]').map(text)).toEqual([
      'How likely are you to recommend us to a friend?(Required)',
      'How fast was delivery?(Required)',
      'Where did you buy?',
      'What did you like?',
      'Anything else?',
    ]);
    expect(nps(el).getAttribute('label')).toBe('How likely are you to recommend us to a friend?');
    expect(text(nps(el).shadowRoot!.querySelector('[part="labels"]'))).toBe('Not at all likely Extremely likely');
    expect($$<HTMLInputElement>(el, '[data-q="1"] input[type="radio"]').map((i) => i.value)).toEqual(['1', '2', '3', '4', '5']);
    expect($$(el, '[data-q="2"] label').map(text)).toEqual(['Store', 'Online']);
    expect($$<HTMLInputElement>(el, '[data-q="3"] input').map((i) => i.type)).toEqual(['checkbox', 'checkbox', 'checkbox']);
    expect($$(el, '[data-q="3"] label').map(text)).toEqual(['Price', 'Quality', 'Service']);
    expect(textarea(el).labels![0].textContent).toContain('Anything else?');
    expect(text(submitButton(el))).toBe('Send');
  });

  it('renders in Simplified Chinese from locale, and switches language without another request', async () => {
    const el = mount({ locale: 'zh-CN' });
    await ready(el);
    expect(text($(el, '[part="title"]'))).toBe('请评价我们的服务');
    expect(text($$(el, '[part="question-text"]')[0])).toBe('您向朋友推荐我们的可能性有多大？(必填)');
    expect($$(el, '[data-q="2"] label').map(text)).toEqual(['门店', '网店']);
    expect($$(el, '[data-q="3"] label').map(text)).toEqual(['价格', '质量', '服务']);
    expect(text(nps(el).shadowRoot!.querySelector('[part="labels"]'))).toBe('完全不可能 极有可能');
    expect(text(submitButton(el))).toBe('提交');

    await userEvent.click(submitButton(el));
    await settled(el);
    expect(text(nps(el).shadowRoot!.querySelector('[part="error"]'))).toBe('请选择 0 到 10 之间的分数。');
    expect(text($(el, '[data-q="1"] [part="error"]'))).toBe('请选择 1 到 5 之间的评分。');

    const requests = network();
    el.setAttribute('locale', 'en');
    await settled(el);
    expect(text($(el, '[part="title"]'))).toBe('Tell us how we did');
    expect(text($(el, '[data-q="1"] [part="error"]'))).toBe('Please choose a rating from 1 to 5.');
    expect(vi.mocked(fetch).mock.calls).toHaveLength(0);
    requests.restore();
  });

  it('takes its endpoint, key and language from <crm-provider>', async () => {
    const provider = document.createElement('crm-provider');
    provider.setAttribute('endpoint', seed.endpoint);
    provider.setAttribute('publishable-key', browserKey);
    provider.setAttribute('locale', 'zh-CN');
    document.body.append(provider);
    const el = document.createElement('crm-feedback-form');
    el.setAttribute('survey-id', seed.survey.id);
    provider.append(el);
    await ready(el);
    expect(text($(el, '[part="title"]'))).toBe('请评价我们的服务');
  });
});

describe('<crm-feedback-form> validation', () => {
  it('shows a message under each unanswered required question, links it, and focuses the first one', async () => {
    const el = mount();
    await ready(el);
    const requests = network();
    await userEvent.click(submitButton(el));
    await settled(el);

    const group = nps(el).shadowRoot!.querySelector('[role="radiogroup"]')!;
    expect(group.getAttribute('aria-invalid')).toBe('true');
    expect(text(nps(el).shadowRoot!.getElementById(group.getAttribute('aria-describedby')!))).toBe('Please choose a score from 0 to 10.');
    const rating = $$<HTMLInputElement>(el, '[data-q="1"] input');
    expect(rating.every((r) => r.getAttribute('aria-invalid') === 'true')).toBe(true);
    expect(text(el.shadowRoot!.getElementById(rating[0].getAttribute('aria-describedby')!))).toBe('Please choose a rating from 1 to 5.');
    // Optional questions carry no message.
    expect($$(el, '[part="error"]')).toHaveLength(1);
    expect($(el, '[data-q="2"] input')!.getAttribute('aria-invalid')).toBe('false');
    expect(text($(el, '[part="status"]'))).toBe('Please answer the highlighted questions (2).');
    // Focus lands on the first invalid question: the NPS scale's tab stop.
    expect(el.shadowRoot!.activeElement).toBe(nps(el));
    expect(nps(el).shadowRoot!.activeElement).toBe(npsButton(el, 0));
    expect(vi.mocked(fetch).mock.calls).toHaveLength(0);
    requests.restore();

    // Answering a question clears its message; submitting again focuses the next invalid one.
    await userEvent.click(npsButton(el, 6));
    await settled(el);
    expect(group.getAttribute('aria-invalid')).toBe('false');
    await userEvent.click(submitButton(el));
    await settled(el);
    expect(el.shadowRoot!.activeElement).toBe(rating[0]);
    expect(text($(el, '[part="status"]'))).toBe('Please answer the highlighted questions (1).');
  });
});

describe('<crm-feedback-form> saving and submitting', () => {
  it('saves partial answers as the user goes, then completes the same response and thanks the user', async () => {
    const marker = unique('partial-then-final');
    const el = mount();
    await ready(el);
    const submits: CustomEvent<FeedbackSubmitDetail>[] = [];
    document.addEventListener('crm-feedback-submit', (e) => submits.push(e));

    await userEvent.click(npsButton(el, 9));
    await userEvent.fill(textarea(el), marker);
    // Saved without pressing Send (one or more debounced partial saves, however slow the machine).
    let stored: Awaited<ReturnType<typeof responsesWith>> = [];
    await vi.waitFor(
      async () => {
        stored = await responsesWith(marker);
        expect(stored).toHaveLength(1);
      },
      { timeout: 15_000, interval: 250 },
    );
    expect(stored[0].status).toBe('PARTIAL');
    expect(stored[0].answers.find((a) => a.questionId === 'nps')?.value).toBe(9);
    await vi.waitFor(() => expect(submits.some((e) => !e.detail.final && e.detail.responseId === stored[0].id)).toBe(true));
    const saved = submits[0];
    expect(saved.bubbles && saved.composed).toBe(true);
    expect(saved.target).toBe(el);
    expect(saved.detail).toEqual({ responseId: stored[0].id, final: false });
    await settled(el);
    expect(text($(el, '[part="status"]'))).toBe('Your answers so far are saved.');

    await userEvent.click(input(el, 1, '4'));
    await userEvent.click(input(el, 2, 'online'));
    await userEvent.click(input(el, 3, 'service'));
    await userEvent.click(input(el, 3, 'price'));
    const done = nextEvent<FeedbackSubmitDetail>('crm-feedback-submit', (d) => d.final);
    await userEvent.click(submitButton(el));
    const final = await done;
    expect(final.detail).toEqual({ responseId: saved.detail.responseId, final: true });

    stored = await responsesWith(marker);
    expect(stored).toHaveLength(1);
    expect(stored[0].status).toBe('COMPLETE');
    expect(Object.fromEntries(stored[0].answers.map((a) => [a.questionId, a.value ?? a.choiceIds ?? a.text]))).toEqual({
      nps: 9,
      speed: 4,
      where: ['online'],
      likes: ['price', 'service'],
      comment: marker,
    });
    await settled(el);
    expect(text($(el, '[part="thanks"] h2'))).toBe('Thank you for your feedback!');
    expect(text($(el, '[part="thanks"] [part="status"]'))).toBe('Your answers have been sent.');
    expect(el.shadowRoot!.activeElement).toBe($(el, '[part="thanks"]'));
    expect(submits.every((e) => e.detail.responseId === saved.detail.responseId)).toBe(true);
    expect(submits.at(-1)!.detail.final).toBe(true);
    expect(await pending()).toEqual([]);
  });

  it('continues the same response after a reload: same idempotency key, answers restored', async () => {
    const marker = unique('reload');
    let el = mount();
    await ready(el);
    const partial = nextEvent<FeedbackSubmitDetail>('crm-feedback-submit', (d) => !d.final);
    await userEvent.click(npsButton(el, 2));
    await userEvent.fill(textarea(el), marker);
    const first = await partial;
    const key = sessionKey();

    el.remove(); // the page reloads
    el = mount();
    await ready(el);
    expect(sessionKey()).toBe(key);
    expect(nps(el).value).toBe(2);
    expect(textarea(el).value).toBe(marker);

    await userEvent.click(input(el, 1, '3'));
    const done = nextEvent<FeedbackSubmitDetail>('crm-feedback-submit', (d) => d.final);
    await userEvent.click(submitButton(el));
    expect((await done).detail.responseId).toBe(first.detail.responseId);
    const stored = await responsesWith(marker);
    expect(stored.map((r) => r.status)).toEqual(['COMPLETE']);

    // Reloaded again after finishing: the thank-you, not a second response.
    el.remove();
    el = mount();
    await vi.waitFor(() => expect($(el, '[part="thanks"]')).not.toBeNull());
    expect(await responsesWith(marker)).toHaveLength(1);
  });

  it.skipIf(!seed.tokens.feedback)('ties the response to the customer of a FEEDBACK widget token', async () => {
    const marker = unique('token');
    const el = mount({ token: seed.tokens.feedback! });
    await ready(el);
    await userEvent.click(npsButton(el, 10));
    await userEvent.click(input(el, 1, '5'));
    await userEvent.fill(textarea(el), marker);
    const done = nextEvent<FeedbackSubmitDetail>('crm-feedback-submit', (d) => d.final);
    await userEvent.click(submitButton(el));
    await done;
    const stored = await responsesWith(marker);
    expect(stored.map((r) => [r.status, r.customerId])).toEqual([['COMPLETE', seed.customer.id]]);
  });
});

describe('<crm-feedback-form> offline outbox', () => {
  it('keeps the answer while the server is down, tells the user, and sends it once on the next page load', async () => {
    const marker = unique('element-503');
    let el = mount();
    await ready(el);
    await commands.failGraphql(503);
    const errors: FeedbackErrorDetail[] = [];
    document.addEventListener('crm-feedback-error', (e) => errors.push(e.detail));

    await userEvent.click(npsButton(el, 7));
    await userEvent.click(input(el, 1, '2'));
    await userEvent.fill(textarea(el), marker);
    await userEvent.click(submitButton(el));
    await vi.waitFor(() => expect($(el, '[part="thanks"]')).not.toBeNull());
    expect(text($(el, '[part="thanks"] [part="status"]'))).toBe(
      'Your answers are saved on this device and will be sent as soon as the connection is back.',
    );
    expect(errors[0]).toEqual({ code: 'UNAVAILABLE', retryable: true });
    const key = sessionKey();
    const waiting = await pending();
    expect(waiting.map((e) => e.idempotencyKey)).toEqual([key]);
    expect(waiting[0]).toMatchObject({ endpoint: seed.endpoint, publishableKey: browserKey, variables: { input: { partial: false } } });
    expect(await responsesWith(marker)).toEqual([]);

    // The server is back; the user opens the page again.
    stopRetryTimer();
    el.remove();
    await commands.failGraphql(null);
    const delivered = nextEvent<FeedbackSubmitDetail>('crm-feedback-submit', (d) => d.final);
    el = mount();
    const { detail } = await delivered;
    await settled(el);
    expect(text($(el, '[part="thanks"] [part="status"]'))).toBe('Your answers have been sent.');
    expect(await pending()).toEqual([]);
    const stored = await responsesWith(marker);
    expect(stored.map((r) => [r.id, r.status])).toEqual([[detail.responseId, 'COMPLETE']]);
    expect(stored[0].answers.find((a) => a.questionId === 'nps')?.value).toBe(7);

    // Nothing is left to resend.
    const requests = network();
    await flush();
    window.dispatchEvent(new Event('online'));
    await flush();
    expect(requests.count(key)).toBe(0);
    requests.restore();
    expect(await responsesWith(marker)).toHaveLength(1);
  });

  it('sends the kept answer when the browser comes back online, and says so', async () => {
    const marker = unique('element-offline');
    const el = mount({ locale: 'zh-CN' });
    await ready(el);
    const net = network();
    net.offline(true);
    await userEvent.click(npsButton(el, 4));
    await userEvent.click(input(el, 1, '5'));
    await userEvent.fill(textarea(el), marker);
    await userEvent.click(submitButton(el));
    await vi.waitFor(() => expect(text($(el, '[part="thanks"] [part="status"]'))).toBe('您的回答已保存在此设备上，网络恢复后将自动提交。'));
    expect(await pending()).toHaveLength(1);

    stopRetryTimer();
    const delivered = nextEvent<FeedbackSubmitDetail>('crm-feedback-submit', (d) => d.final);
    net.offline(false);
    window.dispatchEvent(new Event('online'));
    await delivered;
    net.restore();
    await settled(el);
    expect(text($(el, '[part="thanks"] [part="status"]'))).toBe('您的回答已提交。');
    expect(await pending()).toEqual([]);
    expect((await responsesWith(marker)).map((r) => r.status)).toEqual(['COMPLETE']);
  });
});

describe('<crm-feedback-form> errors', () => {
  it('shows a retry when the survey cannot be loaded, and loads it on retry', async () => {
    await commands.failGraphql(503);
    const failed = nextEvent<FeedbackErrorDetail>('crm-feedback-error');
    const el = mount();
    expect((await failed).detail).toEqual({ code: 'UNAVAILABLE', retryable: true });
    await settled(el);
    expect(text($(el, '[part="load-error"] p'))).toBe('We couldn’t load this survey.');
    await commands.failGraphql(null);
    await userEvent.click($(el, '[part="retry"]')!);
    await ready(el);
    expect(text($(el, '[part="title"]'))).toBe('Tell us how we did');
  });

  it('says a survey that is not available (unknown or not ACTIVE) is not available, without a retry', async () => {
    const failed = nextEvent<FeedbackErrorDetail>('crm-feedback-error');
    const el = mount({ 'survey-id': '00000000-0000-4000-8000-000000000000' });
    expect((await failed).detail).toEqual({ code: 'NOT_FOUND', retryable: false });
    await settled(el);
    expect(text($(el, '[part="load-error"] p'))).toBe('This survey is not available.');
    expect($(el, '[part="retry"]')).toBeNull();
  });
  it.skipIf(!seed.foreignPublishableKey)('cannot load with a publishable key for another site: CORS hides the survey from this page', async () => {
    const failed = nextEvent<FeedbackErrorDetail>('crm-feedback-error');
    const el = mount({ 'publishable-key': seed.foreignPublishableKey! });
    // The server answers without Access-Control-Allow-Origin, so the browser reports a network failure.
    expect((await failed).detail).toEqual({ code: 'NETWORK', retryable: true });
    await settled(el);
    expect(text($(el, '[part="load-error"] p'))).toBe('We couldn’t load this survey.');
    expect($(el, 'form')).toBeNull();
  });
});

describe('<crm-feedback-form> accessibility', () => {
  it('has no axe-core violations: the form, its validation messages and the thank-you', async () => {
    const main = document.createElement('main');
    main.lang = 'en';
    document.body.append(main);
    const el = mount({}, main);
    await ready(el);
    await expectNoAxeViolations(main);

    await userEvent.click(submitButton(el));
    await settled(el);
    await expectNoAxeViolations(main);

    await userEvent.click(npsButton(el, 8));
    await userEvent.click(input(el, 1, '4'));
    await userEvent.fill(textarea(el), unique('axe'));
    const done = nextEvent<FeedbackSubmitDetail>('crm-feedback-submit', (d) => d.final);
    await userEvent.click(submitButton(el));
    await done;
    await settled(el);
    await expectNoAxeViolations(main);
  });
});

describe('offline outbox (shared/outbox.ts)', () => {
  let requests: ReturnType<typeof network>;
  beforeEach(() => {
    requests = network();
  });
  afterEach(() => {
    requests.restore();
  });

  it('keeps an answer while the server answers 503 and delivers it exactly once when the server is back', async () => {
    const key = randomId();
    const marker = unique('outbox-503');
    await commands.failGraphql(503);

    const first = await submit(submission(key, marker));
    expect(first).toMatchObject({ status: 'kept', error: { code: 'UNAVAILABLE', retryable: true } });
    expect((await pending()).map((e) => e.idempotencyKey)).toEqual([key]);
    expect(await rawIndexedDbKeys()).toEqual([key]);
    expect(await responsesWith(marker)).toEqual([]);

    stopRetryTimer();
    const delivered = next(key, 'delivered');
    await commands.failGraphql(null);
    window.dispatchEvent(new Event('online'));
    const result = await delivered;
    const responseId = (result as { data: { submitSurveyResponse: { id: string } } }).data.submitSurveyResponse.id;

    expect(await pending()).toEqual([]);
    expect(await rawIndexedDbKeys()).toEqual([]);
    // A later flush (next page load) has nothing left to send.
    expect(await flush()).toEqual([]);
    const stored = await responsesWith(marker);
    expect(stored.map((r) => [r.id, r.status])).toEqual([[responseId, 'COMPLETE']]);
    expect(stored[0].answers.find((a) => a.questionId === 'nps')?.value).toBe(8);
    // One request failed (503), one delivered it: nothing else went out under this key.
    expect(requests.count(key)).toBe(2);
  });

  it('keeps an answer made offline and sends it once when the browser comes back online (the online event)', async () => {
    const key = randomId();
    const marker = unique('outbox-offline');
    requests.offline(true);
    const first = await submit(submission(key, marker, 3));
    expect(first).toMatchObject({ status: 'kept', error: { code: 'NETWORK', retryable: true } });
    expect(await rawIndexedDbKeys()).toEqual([key]);

    stopRetryTimer();
    const delivered = next(key, 'delivered');
    requests.offline(false);
    window.dispatchEvent(new Event('online')); // what the browser fires on reconnecting; nothing else resends now
    await delivered;
    expect(await pending()).toEqual([]);
    const stored = await responsesWith(marker);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ status: 'COMPLETE' });
    expect(stored[0].answers.find((a) => a.questionId === 'nps')?.value).toBe(3);
  });

  it('sends an entry once when two flushes race (Web Locks)', async () => {
    expect(navigator.locks).toBeDefined();
    const key = randomId();
    const marker = unique('outbox-race');
    await commands.failGraphql(503);
    await submit(submission(key, marker));
    stopRetryTimer();
    await commands.failGraphql(null);
    const sentBefore = requests.count(key);

    const [a, b] = await Promise.all([flush(), flush()]);
    const delivered = [...a, ...b].filter((r) => r.entry.idempotencyKey === key && r.status === 'delivered');
    expect(delivered).toHaveLength(1);
    expect(requests.count(key) - sentBefore).toBe(1);
    expect(await responsesWith(marker)).toHaveLength(1);
    expect(await pending()).toEqual([]);
  });

  it('sends an entry once when two flushes race without Web Locks (the in-page fallback)', async () => {
    Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true });
    try {
      const key = randomId();
      const marker = unique('outbox-race-nolocks');
      await commands.failGraphql(503);
      await submit(submission(key, marker));
      stopRetryTimer();
      await commands.failGraphql(null);
      const sentBefore = requests.count(key);
      const results = (await Promise.all([flush(), flush(), flush()])).flat();
      expect(results.filter((r) => r.entry.idempotencyKey === key && r.status === 'delivered')).toHaveLength(1);
      expect(requests.count(key) - sentBefore).toBe(1);
      expect(await responsesWith(marker)).toHaveLength(1);
    } finally {
      delete (navigator as { locks?: unknown }).locks;
    }
    expect(navigator.locks).toBeDefined();
  });

  it('replaces an older waiting submission under the same key, so only the newest answer is sent', async () => {
    const key = randomId();
    const marker = unique('outbox-replace');
    await commands.failGraphql(503);
    await submit(submission(key, marker, 2));
    await submit(submission(key, marker, 9));
    expect((await pending()).map((e) => (e.variables.input as { answers: { value?: number }[] }).answers[0].value)).toEqual([9]);
    await commands.failGraphql(null);
    await flush();
    const stored = await responsesWith(marker);
    expect(stored).toHaveLength(1);
    expect(stored[0].answers.find((a) => a.questionId === 'nps')?.value).toBe(9);
  });

  it('drops a submission the server refuses for good and reports it as not retryable', async () => {
    const key = randomId();
    const marker = unique('outbox-refused');
    const failed = next(key, 'failed');
    const result = await submit(submission(key, marker, 42));
    expect(result).toMatchObject({ status: 'failed', error: { code: 'BAD_USER_INPUT', retryable: false } });
    expect((await failed).entry.idempotencyKey).toBe(key);
    expect(await pending()).toEqual([]);
    expect(await responsesWith(marker)).toEqual([]);
  });

  it('falls back to localStorage when IndexedDB cannot be opened', async () => {
    const state = (globalThis as Record<symbol, { store?: unknown }>)[Symbol.for('clientele.outbox')]!;
    const saved = state.store;
    state.store = undefined; // choose the storage again, now without IndexedDB
    const open = vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('IndexedDB is disabled', 'SecurityError');
    });
    try {
      const key = randomId();
      const marker = unique('outbox-localstorage');
      await commands.failGraphql(503);
      expect(await submit(submission(key, marker))).toMatchObject({ status: 'kept' });
      expect(Object.keys(JSON.parse(localStorage.getItem('clientele-widgets.outbox') ?? '{}'))).toEqual([key]);

      await commands.failGraphql(null);
      await flush();
      expect(localStorage.getItem('clientele-widgets.outbox')).toBeNull();
      expect(await responsesWith(marker)).toHaveLength(1);
    } finally {
      open.mockRestore();
      state.store = saved;
    }
  });

  it('moves answers kept in localStorage into IndexedDB once IndexedDB can be opened again (next page load)', async () => {
    const state = (globalThis as Record<symbol, { store?: unknown }>)[Symbol.for('clientele.outbox')]!;
    const key = randomId();
    const marker = unique('outbox-migrate');
    state.store = undefined;
    const open = vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('IndexedDB is disabled', 'SecurityError');
    });
    try {
      await commands.failGraphql(503);
      expect(await submit(submission(key, marker))).toMatchObject({ status: 'kept' });
      stopRetryTimer();
    } finally {
      open.mockRestore();
      state.store = undefined; // the next page load chooses its storage afresh
    }
    expect(Object.keys(JSON.parse(localStorage.getItem('clientele-widgets.outbox') ?? '{}'))).toEqual([key]);

    expect((await pending()).map((e) => e.idempotencyKey)).toEqual([key]);
    expect(await rawIndexedDbKeys()).toEqual([key]);
    expect(localStorage.getItem('clientele-widgets.outbox')).toBeNull();
    await commands.failGraphql(null);
    await flush();
    expect(await pending()).toEqual([]);
    expect(await responsesWith(marker)).toHaveLength(1);
  });

  it.skipIf(!seed.tokens.expired)('delivers an answer whose widget token expired while it waited, unlinked rather than lost', async () => {
    const key = randomId();
    const marker = unique('outbox-expired');
    const result = await submit({ ...submission(key, marker), token: seed.tokens.expired! });
    expect(result).toMatchObject({ status: 'delivered' });
    const stored = await responsesWith(marker);
    expect(stored).toHaveLength(1);
    expect(stored[0].customerId).toBeNull();
  });
});
