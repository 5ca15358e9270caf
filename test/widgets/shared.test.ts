import { describe, expect, inject, it } from 'vitest';
import { request, WidgetError } from '../../widgets/src/shared/client.js';
import { defineElement } from '../../widgets/src/shared/define.js';
import { formatMoney, formatRelativeDate, resolveLocale, translator } from '../../widgets/src/shared/i18n.js';

const seed = inject('widgets');

describe('shared widget client', () => {
  it('reaches the real server from the browser page and reports its error code', async () => {
    expect(location.origin).toBe(seed.pageOrigin);
    const error = await request({ endpoint: seed.endpoint }, '{ __typename }').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WidgetError);
    expect((error as WidgetError).code).toBe('UNAUTHENTICATED');
    expect((error as WidgetError).retryable).toBe(false);
  });

  it('turns an unreachable endpoint into a retryable NETWORK error', async () => {
    const error = await request({ endpoint: 'http://127.0.0.1:9/graphql' }, '{ __typename }').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NETWORK', retryable: true });
  });
});

describe('shared i18n', () => {
  it('picks zh-CN from the closest lang, also across a shadow root, and en otherwise', () => {
    const outer = document.createElement('div');
    outer.lang = 'zh-Hans';
    const host = document.createElement('div');
    outer.append(host);
    const inner = document.createElement('span');
    host.attachShadow({ mode: 'open' }).append(inner);
    document.body.append(outer);
    expect(resolveLocale(inner)).toBe('zh-CN');
    expect(resolveLocale(inner, 'en-GB')).toBe('en');
    outer.remove();
  });

  it('formats money, relative dates and messages per locale', () => {
    expect(formatMoney('1234.5', 'CNY', 'zh-CN')).toBe('¥1,234.50');
    expect(formatMoney('1234.5', 'USD', 'en')).toBe('$1,234.50');
    const now = new Date('2026-03-10T12:00:00Z');
    expect(formatRelativeDate('2026-03-07T12:00:00Z', 'en', now)).toBe('3 days ago');
    expect(formatRelativeDate('2026-03-09T12:00:00Z', 'zh-CN', now)).toBe('昨天');
    const t = translator({ en: { hi: 'Hello {name}' }, 'zh-CN': { hi: '你好，{name}' } }, 'zh-CN');
    expect(t('hi', { name: '王芳' })).toBe('你好，王芳');
  });
});

describe('defineElement', () => {
  it('is harmless when the same element is defined twice', () => {
    class A extends HTMLElement {}
    class B extends HTMLElement {}
    defineElement('crm-test-twice', A);
    expect(() => defineElement('crm-test-twice', B)).not.toThrow();
    expect(customElements.get('crm-test-twice')).toBe(A);
  });
});
