import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { authenticateKey, type Principal } from '../auth/keys.service.js';
import { createPublishableKey, setAllowedOrigins } from '../auth/publishable-keys.service.js';
import type { WidgetTokens } from '../auth/widget-tokens.service.js';
import type { Config } from '../config.js';
import type { Em } from '../db/orm.js';
import { DEMO_SLUG } from '../db/seed/demo.js';
import { CaseKind, CasePriority } from '../cases/case.entity.js';
import type { OpenServiceCaseInput } from '../cases/case.inputs.js';
import { openServiceCase } from '../cases/case.service.js';
import { Channel } from '../graphql/enums.js';
import { submitSurveyResponse } from '../surveys/response.service.js';
import { SurveyKind, SurveyStatus } from '../surveys/survey.entity.js';
import type { SubmitSurveyResponseInput } from '../surveys/survey.inputs.js';
import { createSurvey, setSurveyStatus } from '../surveys/survey.service.js';
import { findTenantBySlug } from '../tenants/tenant.service.js';

const TEMPLATE = fileURLToPath(new URL('../../widgets/demo/index.html', import.meta.url));
const DEMO_SURVEY_NAME = 'Website NPS (demo)';

/** What the demo page at / embeds. */
export interface DemoWidgets {
  tenantId: string;
  /** The demo ADMIN key's id: tokens minted for the page are minted "by" it. */
  mintingKeyId: string;
  customerId: string;
  customerName: string;
  surveyId: string;
  publishableKey: string;
}

export function demoOrigins(port: number): string[] {
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
}

/**
 * Makes sure the demo tenant has what the page shows: an ACTIVE NPS survey, a publishable key
 * for this port's origins (kept in `<dataDir>/demo-publishable-key`; its origins follow the port)
 * and a customer worth showing (HIGH churn risk with orders and interactions, if there is one).
 * Null when the database has no demo tenant or its ADMIN key file is gone.
 */
export async function ensureDemoWidgets(em: Em, config: Config, port: number): Promise<DemoWidgets | null> {
  const tenant = await findTenantBySlug(em, DEMO_SLUG);
  const adminKeyFile = path.join(config.dataDir, 'demo-admin-key');
  if (!tenant || !fs.existsSync(adminKeyFile)) return null;
  const admin = await authenticateKey(em, fs.readFileSync(adminKeyFile, 'utf8').trim());
  if (!admin || admin.tenantId !== tenant.id) return null;

  const surveyId = await ensureDemoSurvey(em, admin);
  const publishableKey = await ensureDemoPublishableKey(em, config, tenant.id, demoOrigins(port));
  const customer = await pickDemoCustomer(em, tenant.id);
  if (!customer) return null;
  await giveDemoCustomerAStory(em, admin, customer.id, surveyId);
  return { tenantId: tenant.id, mintingKeyId: admin.keyId, customerId: customer.id, customerName: customer.name, surveyId, publishableKey };
}

async function ensureDemoSurvey(em: Em, admin: Principal): Promise<string> {
  const [found] = await em.execute<{ id: string; status: SurveyStatus }[]>(
    `select id, status from survey where tenant_id = ? and name = ? and kind = 'NPS' order by created_at limit 1`,
    [admin.tenantId, DEMO_SURVEY_NAME],
  );
  let id = found?.id;
  if (!id) {
    const survey = await createSurvey(em, admin, {
      name: DEMO_SURVEY_NAME,
      kind: SurveyKind.NPS,
      title: { en: 'How likely are you to recommend Demo Trading Co. to a friend?', zhCN: '您有多大可能向朋友推荐演示贸易？' },
    } as never, null);
    id = survey.id;
  }
  if (found?.status !== SurveyStatus.ACTIVE) await setSurveyStatus(em, admin, id, SurveyStatus.ACTIVE);
  return id;
}

async function ensureDemoPublishableKey(em: Em, config: Config, tenantId: string, origins: string[]): Promise<string> {
  const file = path.join(config.dataDir, 'demo-publishable-key');
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
  const principal = existing ? await authenticateKey(em, existing) : null;
  if (principal && principal.tenantId === tenantId) {
    const current = principal.allowedOrigins ?? [];
    if (origins.some((o) => !current.includes(o))) await setAllowedOrigins(em, tenantId, principal.keyId, origins);
    return existing;
  }
  const { key } = await createPublishableKey(em, tenantId, 'demo page', origins);
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return key;
}

/** A HIGH churn risk customer with orders and interactions, else whoever has the most orders, else anyone. */
async function pickDemoCustomer(em: Em, tenantId: string): Promise<{ id: string; name: string } | null> {
  const [row] = await em.execute<{ id: string; name: string }[]>(
    `select c.id, c.name
       from customer c
       left join customer_metrics m on m.tenant_id = c.tenant_id and m.customer_id = c.id
      where c.tenant_id = ? and c.archived_at is null
      order by (m.churn_level = 'HIGH' and m.order_count >= 3
                and exists (select 1 from interaction i where i.tenant_id = c.tenant_id and i.customer_id = c.id)) desc nulls last,
               m.order_count desc nulls last, c.id
      limit 1`,
    [tenantId],
  );
  return row ?? null;
}

/**
 * An open complaint past its SLA and a detractor's NPS answer, so the card has something in
 * every section. Done once per customer: later starts find them there.
 */
async function giveDemoCustomerAStory(em: Em, admin: Principal, customerId: string, surveyId: string): Promise<void> {
  const open = await em.execute<{ one: number }[]>(
    `select 1 as one from service_case where tenant_id = ? and customer_id = ? and status not in ('RESOLVED', 'CLOSED') limit 1`,
    [admin.tenantId, customerId],
  );
  if (!open.length) {
    await openServiceCase(em, admin, {
      customerId, kind: CaseKind.COMPLAINT, priority: CasePriority.HIGH, channel: Channel.PHONE,
      subject: 'Second late delivery this quarter', openedAt: new Date(Date.now() - 2 * 86_400_000),
    } as OpenServiceCaseInput, null);
  }
  const [question] = await em.execute<{ id: string }[]>(
    `select q->>'id' as id from survey s join survey_version v on v.tenant_id = s.tenant_id and v.survey_id = s.id and v.version = s.version,
            jsonb_array_elements(v.questions) q
      where s.tenant_id = ? and s.id = ? and q->>'kind' = 'NPS' limit 1`,
    [admin.tenantId, surveyId],
  );
  if (!question) return;
  await submitSurveyResponse(em, admin, {
    surveyId, customerId, channel: Channel.WEB, partial: false, answers: [{ questionId: question.id, value: 5 }],
  } as SubmitSurveyResponseInput, `demo-widgets-nps-${customerId}`);
}

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/**
 * The demo page: the template with every value HTML-escaped into attributes, and a widget token
 * minted for this request (15 minutes; card and badge scopes).
 */
export async function demoPage(demo: DemoWidgets, tokens: WidgetTokens, origin: string): Promise<string> {
  const { token } = await tokens.mint(
    { tenantId: demo.tenantId, customerId: demo.customerId, scopes: ['CUSTOMER_CARD', 'CHURN_BADGE'], keyId: demo.mintingKeyId },
    900,
  );
  const values: Record<string, string> = {
    endpoint: `${origin}/graphql`,
    token,
    customerId: demo.customerId,
    customerName: demo.customerName,
    surveyId: demo.surveyId,
    publishableKey: demo.publishableKey,
  };
  const template = fs.readFileSync(TEMPLATE, 'utf8');
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in values ? escapeHtml(values[name]) : whole));
}
