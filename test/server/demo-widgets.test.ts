import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomWidgetTokenSecret, WidgetTokens } from '../../server/auth/widget-tokens.service.js';
import { loadConfig } from '../../server/config.js';
import { startServer, type RunningServer } from '../../server/server.js';
import { demoPage } from '../../server/widgets/demo.js';
import { freshDatabase } from '../helpers/database.js';

/** `npm start` with the demo: the page at / embeds the widgets with a fresh token and the demo publishable key. */
describe('the widgets demo page', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clientele-demo-widgets-'));
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let running: RunningServer | undefined;
  let config: ReturnType<typeof loadConfig>;
  const origin = () => running!.url.replace(/\/graphql$/, '').replace('localhost', '127.0.0.1');

  beforeAll(async () => {
    db = await freshDatabase();
    config = loadConfig({
      CLIENTELE_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', CLIENTELE_DEMO_CUSTOMERS: '80', ...(db.url ? { DATABASE_URL: db.url } : {}),
    });
    running = await startServer(config, { quiet: true });
  }, 180_000);
  afterAll(async () => {
    await running?.stop();
    await db?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const attr = (html: string, element: string, name: string): string => {
    const tag = new RegExp(`<${element}\\b[^>]*>`).exec(html)?.[0] ?? '';
    return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] ?? '';
  };
  const gql = async (query: string, variables: Record<string, unknown>, headers: Record<string, string>) => {
    const res = await fetch(running!.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
    return { status: res.status, ...((await res.json()) as { data: any; errors?: any[] }) };
  };

  it('serves the page under a strict CSP, loading only same-origin script and style', async () => {
    const res = await fetch(`${origin()}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'self'; script-src 'self'; style-src 'self'");
    const html = await res.text();
    expect(html).toContain('<script src="/widgets/crm-widgets.js" defer></script>');
    expect(html).toContain('<link rel="stylesheet" href="/demo/demo.css">');
    // No inline script or style anywhere (the CSP would block them).
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script src="/widgets/crm-widgets.js" defer>']);
    expect(html).not.toMatch(/<style\b|\sstyle="|\son[a-z]+="/i);
    expect(html).not.toMatch(/\{\{\w+\}\}/);
    const css = await fetch(`${origin()}/demo/demo.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('embeds a card and badge with a 15-minute token that reads the demo customer', async () => {
    const html = await (await fetch(`${origin()}/`)).text();
    const token = attr(html, 'crm-customer-card', 'token');
    const customerId = attr(html, 'crm-customer-card', 'customer-id');
    expect(attr(html, 'crm-churn-badge', 'token')).toBe(token);
    expect(attr(html, 'crm-customer-card', 'endpoint')).toBe(`${origin()}/graphql`);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(900);
    expect(claims.scp).toEqual(['CUSTOMER_CARD', 'CHURN_BADGE']);
    const res = await gql('{ widgetCustomer { id displayName openCaseCount openCases { breached } latestNps { score } recentInteractions { id } churn { level } } }', {}, { authorization: `Bearer ${token}` });
    expect(res.errors, JSON.stringify(res)).toBeUndefined();
    expect(res.data.widgetCustomer.id).toBe(customerId);
    const seen = JSON.stringify(res.data);
    expect(res.data.widgetCustomer.recentInteractions.length, seen).toBeGreaterThan(0);
    // Something in every section of the card: an overdue complaint and a detractor's NPS answer.
    expect(res.data.widgetCustomer.openCases, seen).toContainEqual({ breached: true });
    expect(res.data.widgetCustomer.latestNps, seen).toEqual({ score: 5 });
    // A new token on every page view.
    const again = await (await fetch(`${origin()}/`)).text();
    expect(attr(again, 'crm-customer-card', 'token'), 'a fresh token per view').not.toBe(token);
  });

  it('embeds the feedback form with an ACTIVE NPS survey and a publishable key for this origin', async () => {
    const html = await (await fetch(`${origin()}/`)).text();
    const pk = attr(html, 'crm-feedback-form', 'publishable-key');
    const surveyId = attr(html, 'crm-feedback-form', 'survey-id');
    expect(pk).toMatch(/^pk_/);
    const keyFile = path.join(dataDir, 'demo-publishable-key');
    expect(fs.readFileSync(keyFile, 'utf8').trim()).toBe(pk);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    for (const o of [origin(), origin().replace('127.0.0.1', 'localhost')]) {
      const res = await gql('query($id: ID!) { survey(id: $id) { kind status questions { kind } } }', { id: surveyId }, { authorization: `Bearer ${pk}`, origin: o });
      expect(res.errors).toBeUndefined();
      expect(res.data.survey).toEqual({ kind: 'NPS', status: 'ACTIVE', questions: expect.arrayContaining([{ kind: 'NPS' }]) });
    }
    const elsewhere = await gql('query($id: ID!) { survey(id: $id) { id } }', { id: surveyId }, { authorization: `Bearer ${pk}`, origin: 'https://elsewhere.example' });
    expect(elsewhere.status).toBe(403);
  });

  it('keeps the key, survey and widget token secret across a restart on another port, moving the key’s origins', async () => {
    const html = await (await fetch(`${origin()}/`)).text();
    const pk = attr(html, 'crm-feedback-form', 'publishable-key');
    const surveyId = attr(html, 'crm-feedback-form', 'survey-id');
    const token = attr(html, 'crm-customer-card', 'token');
    const secretFile = path.join(dataDir, 'widget-token-secret');
    expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
    const oldOrigin = origin();
    await running!.stop();
    running = await startServer(config, { quiet: true });
    expect(origin()).not.toBe(oldOrigin);
    const after = await (await fetch(`${origin()}/`)).text();
    expect(attr(after, 'crm-feedback-form', 'publishable-key')).toBe(pk);
    expect(attr(after, 'crm-feedback-form', 'survey-id')).toBe(surveyId);
    const res = await gql('query($id: ID!) { survey(id: $id) { id } }', { id: surveyId }, { authorization: `Bearer ${pk}`, origin: origin() });
    expect(res.data.survey.id).toBe(surveyId);
    // Tokens minted before the restart still verify (the secret was kept).
    const card = await gql('{ widgetCustomer { id } }', {}, { authorization: `Bearer ${token}` });
    expect(card.errors).toBeUndefined();
  });
});

describe('demoPage', () => {
  it('HTML-escapes every value it puts into attributes', async () => {
    const html = await demoPage(
      {
        tenantId: '01890000-0000-7000-8000-000000000001', mintingKeyId: '01890000-0000-7000-8000-000000000002',
        customerId: '01890000-0000-7000-8000-000000000003', customerName: `<b onmouseover="x">Tom & 'Jerry'</b>`,
        surveyId: '01890000-0000-7000-8000-000000000004', publishableKey: 'pk_"><script>alert(1)</script>',
      },
      new WidgetTokens(randomWidgetTokenSecret()),
      'http://localhost:4000',
    );
    expect(html).toContain('&lt;b onmouseover=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;');
    expect(html).toContain('publishable-key="pk_&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).not.toContain('<b onmouseover');
    expect(html).not.toContain('<script>alert');
  });
});
