import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { userEvent } from 'vitest/browser';
import '../../widgets/src/churn-badge/index.js';
import '../../widgets/src/provider/index.js';
import type { CrmChurnBadge } from '../../widgets/src/churn-badge/index.js';
import type { CrmErrorDetail, CrmLoadDetail } from '../../widgets/src/shared/events.js';
import { $, admin, axeViolations, cleanup, mount, nextEvent, seed, text, until } from './widget-test-helpers.js';

const REASONS = [
  { code: 'PURCHASES_OVERDUE', message: 'No purchase for 120 days, 3.0 times the usual 40 days between purchases.' },
  { code: 'SPEND_FALLING', message: 'Spend fell 60% in the last 90 days against the 365 days before.' },
];

let expected: { level: string; score: number; reasons: { code: string; message: string }[] };

beforeAll(async () => {
  const data = await admin(`query($id: ID!) { customer(id: $id) { metrics { churnRisk { level score reasons { code message } } } } }`, { id: seed.customer.id });
  expected = data.customer.metrics.churnRisk;
});

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const badgeOf = (el: Element) => $(el, '[part=badge]')!;
const tooltipOf = (el: Element) => $(el, '[role=tooltip]');

describe('<crm-churn-badge risk>', () => {
  it('shows a text label with the level colour, from the attribute alone, without any request', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const el = await mount<CrmChurnBadge>('<crm-churn-badge risk="HIGH"></crm-churn-badge>');
    expect(text(badgeOf(el))).toBe('High churn risk');
    expect(badgeOf(el).classList).toContain('HIGH');
    const seen: string[][] = [];
    for (const risk of ['LOW', 'MEDIUM', 'HIGH', 'CHURNED']) {
      el.risk = risk;
      await el.updateComplete;
      seen.push([text(badgeOf(el)), getComputedStyle(badgeOf(el)).backgroundColor]);
    }
    expect(seen.map(([label]) => label)).toEqual(['Low churn risk', 'Medium churn risk', 'High churn risk', 'Churned']);
    expect(new Set(seen.map(([, bg]) => bg)).size).toBe(4);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('speaks Simplified Chinese from the closest lang or its locale attribute', async () => {
    const wrap = await mount('<div lang="zh-CN"><crm-churn-badge risk="MEDIUM"></crm-churn-badge><crm-churn-badge risk="LOW" locale="en"></crm-churn-badge></div>');
    const [zh, en] = wrap.querySelectorAll('crm-churn-badge');
    await (zh as CrmChurnBadge).updateComplete;
    expect(text(badgeOf(zh))).toBe('流失风险中');
    expect(text(badgeOf(en))).toBe('Low churn risk');
  });

  it('is not focusable and has no tooltip when there is nothing to explain', async () => {
    const el = await mount('<crm-churn-badge risk="LOW"></crm-churn-badge>');
    expect(badgeOf(el).tagName).toBe('SPAN');
    expect(badgeOf(el).tabIndex).toBe(-1);
    expect(tooltipOf(el)).toBeNull();
  });
});

describe('<crm-churn-badge> reasons tooltip', () => {
  async function badgeWithReasons(lang = 'en') {
    const el = await mount<CrmChurnBadge>(`<crm-churn-badge risk="HIGH" locale="${lang}"></crm-churn-badge>`);
    el.reasons = REASONS;
    el.score = 72;
    await el.updateComplete;
    return el;
  }

  it('is reachable with Tab, shows the reasons on focus and hides them on Escape', async () => {
    const before = await mount('<button>before</button>');
    const el = await badgeWithReasons();
    const tip = tooltipOf(el)!;
    expect(tip.hidden).toBe(true);
    expect(badgeOf(el).getAttribute('aria-describedby')).toBe(tip.id);

    before.focus();
    await userEvent.tab();
    expect(el.shadowRoot!.activeElement).toBe(badgeOf(el));
    await until(() => expect(tip.hidden).toBe(false));
    expect(text(tip)).toContain('Churn score 72 of 100');
    expect(text(tip)).toContain(REASONS[0].message);
    expect(text(tip)).toContain(REASONS[1].message);

    await userEvent.keyboard('{Escape}');
    await until(() => expect(tip.hidden).toBe(true));
    expect(el.shadowRoot!.activeElement).toBe(badgeOf(el));
  });

  it('shows the reasons on hover and hides them when the pointer leaves', async () => {
    const el = await badgeWithReasons();
    await userEvent.hover(badgeOf(el));
    await until(() => expect(tooltipOf(el)!.hidden).toBe(false));
    await userEvent.unhover(badgeOf(el));
    await until(() => expect(tooltipOf(el)!.hidden).toBe(true));
  });

  it('translates known reason codes in Chinese', async () => {
    const el = await badgeWithReasons('zh-CN');
    badgeOf(el).focus();
    await until(() => expect(tooltipOf(el)!.hidden).toBe(false));
    expect(text(tooltipOf(el))).toContain('流失评分 72/100');
    expect(text(tooltipOf(el))).toContain('距上次购买的时间已远超其通常的购买间隔。');
  });

  it('has no axe violations with the tooltip open, in both languages', async () => {
    const en = await badgeWithReasons('en');
    const zh = await badgeWithReasons('zh-CN');
    badgeOf(en).focus();
    await until(() => expect(tooltipOf(en)!.hidden).toBe(false));
    await mount('<crm-churn-badge risk="CHURNED"></crm-churn-badge><crm-churn-badge risk="LOW"></crm-churn-badge>');
    expect(zh).toBeTruthy();
    expect(await axeViolations()).toEqual([]);
  });
});

describe('<crm-churn-badge> with a widget token', () => {
  it('fetches the churn risk the server computed, with a badge-only token, and fires crm-load', async () => {
    const loaded = nextEvent<CrmLoadDetail>('crm-load');
    const el = await mount(`<crm-churn-badge endpoint="${seed.endpoint}" token="${seed.tokens.badge}" customer-id="${seed.customer.id}"></crm-churn-badge>`);
    const event = await loaded;
    expect(event.detail).toEqual({ customerId: seed.customer.id });
    expect(event.composed && event.bubbles).toBe(true);
    await until(() => expect(badgeOf(el).classList).toContain(expected.level));
    const labels: Record<string, string> = { LOW: 'Low churn risk', MEDIUM: 'Medium churn risk', HIGH: 'High churn risk', CHURNED: 'Churned' };
    expect(text(badgeOf(el))).toBe(labels[expected.level]);
    badgeOf(el).focus();
    await until(() => expect(tooltipOf(el)!.hidden).toBe(false));
    expect(text(tooltipOf(el))).toContain(`Churn score ${Math.round(expected.score)} of 100`);
    for (const r of expected.reasons) expect(text(tooltipOf(el))).toContain(r.message);
  });

  it('says the session expired and fires crm-error with TOKEN_EXPIRED for an expired token', async () => {
    const failed = nextEvent<CrmErrorDetail>('crm-error');
    const el = await mount(`<crm-churn-badge endpoint="${seed.endpoint}" token="${seed.tokens.expired}"></crm-churn-badge>`);
    expect((await failed).detail).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED', retryable: false });
    await until(() => expect(text(badgeOf(el))).toBe('Session expired'));
  });

  it('takes endpoint, token and locale from <crm-provider>, and its own attributes win', async () => {
    const wrap = await mount(`<crm-provider endpoint="${seed.endpoint}" token="${seed.tokens.badge}" locale="zh-CN">
        <crm-churn-badge id="inherits"></crm-churn-badge>
        <crm-churn-badge id="overrides" token="${seed.tokens.expired}" locale="en"></crm-churn-badge>
      </crm-provider>`);
    const inherits = wrap.querySelector('#inherits')!;
    const overrides = wrap.querySelector('#overrides')!;
    await until(() => expect(badgeOf(inherits).classList).toContain(expected.level));
    expect(text(badgeOf(inherits))).toMatch(/^(流失风险[低中高]|已流失)$/);
    await until(() => expect(text(badgeOf(overrides))).toBe('Session expired'));
  });
});
