// Helpers for the card, badge and provider browser tests.
import axe from 'axe-core';
import { expect, inject } from 'vitest';
import { commands } from 'vitest/browser';

export const seed = inject('widgets');

/** A plain, valid host page: one <main> with a heading, where tests mount their markup. */
function hostMain(): HTMLElement {
  let main = document.querySelector<HTMLElement>('main#host-page');
  if (!main) {
    main = document.createElement('main');
    main.id = 'host-page';
    main.innerHTML = '<h1>Partner portal</h1>';
    document.body.append(main);
  }
  return main;
}

/** Parses markup into a fresh container on the page and waits for the custom elements in it to render. */
export async function mount<T extends HTMLElement = HTMLElement>(markup: string, selector?: string): Promise<T> {
  const host = document.createElement('div');
  host.className = 'test-host';
  host.innerHTML = markup;
  hostMain().append(host);
  const el = (selector ? host.querySelector(selector) : host.firstElementChild) as T;
  await (el as unknown as { updateComplete?: Promise<unknown> }).updateComplete;
  return el;
}

/** Removes everything tests mounted. */
export function cleanup(): void {
  for (const el of document.querySelectorAll('.test-host')) el.remove();
  document.documentElement.removeAttribute('lang');
}

/** Query inside an element's shadow root. */
export function $<E extends Element = HTMLElement>(el: Element, selector: string): E | null {
  return el.shadowRoot!.querySelector<E>(selector);
}

export function $$<E extends Element = HTMLElement>(el: Element, selector: string): E[] {
  return [...el.shadowRoot!.querySelectorAll<E>(selector)];
}

/** The rendered text of a shadow root (whitespace collapsed), as a user reads it. */
export function text(el: Element | null | undefined): string {
  if (!el) return '';
  const root = (el as Element).shadowRoot ?? el;
  return (root instanceof ShadowRoot ? [...root.children].map((c) => deepText(c)).join(' ') : deepText(root as Element)).replace(/\s+/g, ' ').trim();
}

function deepText(node: Node): string {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent ?? '';
  if (node instanceof HTMLStyleElement) return '';
  if (node instanceof HTMLElement && node.hidden) return '';
  let out = '';
  if (node instanceof Element && node.shadowRoot) for (const c of node.shadowRoot.childNodes) out += ' ' + deepText(c);
  for (const c of node.childNodes) out += deepText(c);
  return node instanceof HTMLElement && getComputedStyle(node).display === 'block' ? ` ${out} ` : out;
}

/** Waits until `check` passes (it throws until then). */
export async function until(check: () => void | Promise<void>, timeout = 10_000): Promise<void> {
  await expect.poll(async () => {
    try {
      await check();
      return true;
    } catch {
      return false;
    }
  }, { timeout, interval: 25 }).toBe(true);
  await check();
}

/** Resolves with the next `type` event that reaches `target` (document by default). */
export function nextEvent<T = unknown>(type: string, target: EventTarget = document): Promise<CustomEvent<T>> {
  return new Promise((resolve) => target.addEventListener(type, (e) => resolve(e as CustomEvent<T>), { once: true }));
}

/**
 * axe-core over the whole document, open shadow roots included, as a host page embeds the widgets:
 * <html lang> set and the widgets inside the page's <main> (see mount). Returns the violations.
 */
export async function axeViolations(): Promise<string[]> {
  const hadLang = document.documentElement.hasAttribute('lang');
  if (!hadLang) document.documentElement.lang = 'en';
  try {
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  } finally {
    if (!hadLang) document.documentElement.removeAttribute('lang');
  }
}

/** A GraphQL call with the ADMIN secret key, made from Node: what the server itself says. */
export async function admin<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await commands.adminGraphql(query, variables);
  if (res.errors?.length) throw new Error(JSON.stringify(res.errors));
  return res.data as T;
}

/** Network and server back to normal. */
export async function restoreNetwork(): Promise<void> {
  await commands.failGraphql(null);
  await commands.setOffline(false);
}
