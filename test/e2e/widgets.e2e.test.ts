/**
 * End to end: the BUILT widgets (widgets/dist, `npm run build:widgets`) served by a real Clientele
 * server on PostgreSQL, embedded by host pages in real Chromium (playwright-core, /usr/bin/chromium):
 * (a) a plain page on another origin that loads crm-widgets.js with one script tag;
 * (b) a page under `Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'`,
 *     same-origin with the API through a small proxy.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { chromiumArgs, chromiumPath } from '../widgets/setup/chromium.js';
import { seedWidgets } from '../widgets/setup/seed.js';

const hasChromium = existsSync(chromiumPath);
const dist = resolve(import.meta.dirname, '../../widgets/dist');
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'";

interface Host {
  origin: string;
  close(): Promise<void>;
}

/** A tiny host site: `pages` by path; with `proxyTo`, /graphql and /widgets/ are forwarded to the API (same origin). */
async function hostSite(
  pages: Record<string, { html: string; headers?: Record<string, string> }>,
  proxyTo?: string,
): Promise<Host & { set(path: string, html: string, headers?: Record<string, string>): void }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (proxyTo && (path === '/graphql' || path.startsWith('/widgets/'))) {
      const target = new URL(req.url!, proxyTo);
      const upstream = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
      return;
    }
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    const page = pages[path];
    if (!page) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...page.headers }).end(page.html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set(path, html, headers) {
      pages[path] = { html, headers };
    },
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/** What went wrong on a page: console errors, uncaught exceptions, CSP violations. */
function watch(page: Page) {
  const problems = { console: [] as string[], errors: [] as string[] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.console.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => problems.errors.push(String(err)));
  return problems;
}

describe.skipIf(!hasChromium)('built widgets embedded in host pages (real Chromium, PostgreSQL)', () => {
  let s: TestServer;
  let seed: Awaited<ReturnType<typeof seedWidgets>>;
  let browser: Browser;
  let plain: Awaited<ReturnType<typeof hostSite>>;
  let strict: Awaited<ReturnType<typeof hostSite>>;
  const previousDatabaseUrl = process.env.DATABASE_URL;

  beforeAll(async () => {
    expect(existsSync(`${dist}/crm-widgets.js`), 'widgets/dist is missing: run npm run build:widgets').toBe(true);
    // PostgreSQL always: DATABASE_URL when set, else the local test server (test/helpers/database.ts makes a fresh database next to it).
    process.env.DATABASE_URL = previousDatabaseUrl || 'postgres://postgres@127.0.0.1:5432/test';
    s = await startTestServer({ config: { widgetsDir: dist } });
    plain = await hostSite({});
    strict = await hostSite({}, new URL(s.url).origin);
    seed = await seedWidgets(s, [plain.origin, strict.origin]);
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    await plain?.close();
    await strict?.close();
    await s?.close();
    if (previousDatabaseUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previousDatabaseUrl;
  });

  /** Answers the seeded survey in a <crm-feedback-form> on `page` and waits for the thank-you. */
  async function answerSurvey(page: Page, marker: string) {
    const form = page.locator('crm-feedback-form');
    await form.locator('crm-nps-scale').getByRole('radio', { name: '9', exact: true }).click();
    await form.locator('fieldset').filter({ hasText: 'How fast was delivery?' }).getByRole('radio', { name: '4', exact: true }).click();
    await form.getByLabel('Anything else?').fill(marker);
    await form.getByRole('button', { name: 'Send' }).click();
    await form.locator('[part=thanks]').waitFor({ timeout: 15_000 });
  }

  async function responsesWith(marker: string) {
    const res = await s.gql(
      `query($s: ID!) { surveyResponses(filter: { surveyId: { eq: $s } }, first: 100) { nodes { id status channel customerId answers { questionId value text } } } }`,
      { s: seed.survey.id },
    );
    expect(res.errors).toBeUndefined();
    return (res.data.surveyResponses.nodes as { status: string; answers: { questionId: string; value: number | null; text: string | null }[] }[]).filter((r) =>
      r.answers.some((a) => a.text === marker),
    );
  }

  it('(a) renders the card from one script tag on another origin and delivers a feedback answer the API then returns', async () => {
    const api = new URL(s.url).origin;
    plain.set('/', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner portal</title>
      <script src="${api}/widgets/crm-widgets.js"></script>
      <script src="${api}/widgets/crm-widgets.js"></script>
      <script type="module" src="${api}/widgets/esm/crm-churn-badge.js"></script>
      </head><body><main><h1>Account</h1>
      <crm-customer-card customer-id="${seed.customer.id}" token="${seed.tokens.card}" endpoint="${s.url}"></crm-customer-card>
      <crm-churn-badge id="risk-only" risk="HIGH"></crm-churn-badge>
      <crm-feedback-form survey-id="${seed.survey.id}" publishable-key="${seed.publishableKey}" endpoint="${s.url}" locale="en"></crm-feedback-form>
      </main></body></html>`);
    const page = await browser.newPage();
    const problems = watch(page);
    try {
      await page.goto(`${plain.origin}/`);
      const name = page.locator('crm-customer-card [part=name]');
      await name.waitFor({ timeout: 15_000 });
      expect(await name.textContent()).toBe(seed.customer.name);
      expect(await page.locator('crm-customer-card [part=cases]').textContent()).toContain('Damaged parcel');
      expect(await page.locator('#risk-only [part=label]').textContent()).toBe('High churn risk');
      // The script was loaded twice plus a per-element module: each element is still defined once, quietly.
      expect(await page.evaluate(`customElements.get('crm-churn-badge').crmVersion`)).toBe('0.1.0');

      const marker = `e2e-plain-${Date.now()}`;
      await answerSurvey(page, marker);
      const stored = await responsesWith(marker);
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ status: 'COMPLETE' });
      expect(stored[0].answers).toEqual(expect.arrayContaining([
        expect.objectContaining({ questionId: 'nps', value: 9 }),
        expect.objectContaining({ questionId: 'speed', value: 4 }),
      ]));
      expect(problems).toEqual({ console: [], errors: [] });
    } finally {
      await page.close();
    }
  });

  it('(b) runs under a strict CSP, same-origin with the API, with no violations and no console errors', async () => {
    strict.set('/', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
      <script src="/widgets/crm-widgets.js" defer></script>
      </head><body><main><h1>Thanks for your order</h1>
      <crm-provider token="${seed.tokens.card}">
        <crm-customer-card></crm-customer-card>
        <div lang="zh-CN"><crm-churn-badge></crm-churn-badge></div>
      </crm-provider>
      <crm-feedback-form survey-id="${seed.survey.id}" publishable-key="${seed.publishableKey}" locale="en"></crm-feedback-form>
      </main></body></html>`, { 'content-security-policy': CSP });
    const context = await browser.newContext();
    // Registered through the DevTools protocol, so the page's CSP does not apply to this listener itself.
    await context.addInitScript(`
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
    `);
    const page = await context.newPage();
    const problems = watch(page);
    try {
      const response = await page.goto(`${strict.origin}/`);
      expect(response!.headers()['content-security-policy']).toBe(CSP);
      // No endpoint attribute: the widgets talk to /graphql on the origin that served the script.
      const name = page.locator('crm-customer-card [part=name]');
      await name.waitFor({ timeout: 15_000 });
      expect(await name.textContent()).toBe(seed.customer.name);
      const zhBadge = page.locator('div[lang=zh-CN] crm-churn-badge');
      await zhBadge.locator('[part=badge]:is(.LOW, .MEDIUM, .HIGH, .CHURNED)').waitFor();
      expect(await zhBadge.locator('[part=label]').textContent()).toMatch(/^(流失风险[低中高]|已流失)$/);
      // Styles apply (constructable stylesheets are allowed under style-src 'self').
      expect(await page.locator('crm-customer-card [part=card]').evaluate((el) => (globalThis as any).getComputedStyle(el).borderTopStyle)).toBe('solid');

      const marker = `e2e-csp-${Date.now()}`;
      await answerSurvey(page, marker);
      expect(await responsesWith(marker)).toHaveLength(1);

      await zhBadge.locator('[part=badge]').focus();
      expect(await page.evaluate('window.__violations')).toEqual([]);
      expect(problems).toEqual({ console: [], errors: [] });
    } finally {
      await context.close();
    }
  });
});
