import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Principal } from '../auth/keys.service.js';
import { MAX_WIDGET_TOKEN_TTL } from '../auth/widget-tokens.service.js';
import { CasePriority, CaseStatus } from '../cases/case.entity.js';
import { now as serviceNow } from '../cases/clock.js';
import { caseSla, SlaState } from '../cases/sla.js';
import type { Context } from '../context.js';
import { CustomerKind } from '../customers/customer.entity.js';
import { getCustomer } from '../customers/customer.service.js';
import type { Em } from '../db/orm.js';
import { Channel } from '../graphql/enums.js';
import { InputErrors, NotFoundError } from '../graphql/errors.js';
import { WidgetCase, WidgetCustomer, WidgetInteraction, WidgetNps, WidgetScope, WidgetToken } from './widget.types.js';

/** `zoe@example.com` -> `z***@example.com`: enough to recognise, not enough to contact. */
export function maskEmail(email: string | null): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/**
 * Keeps the first 3 and the last 4 digits of the national number: `+8613800138000` ->
 * `138****8000` in a CN tenant. A number of another country keeps its calling code
 * (`+1 415***2671`). Numbers too short to hide anything are fully starred.
 */
export function maskPhone(phone: string | null, tenantCountry: string): string | null {
  if (!phone) return null;
  const parsed = parsePhoneNumberFromString(phone);
  const national = parsed ? String(parsed.nationalNumber) : phone.replace(/\D/g, '');
  const masked = national.length > 7 ? `${national.slice(0, 3)}${'*'.repeat(national.length - 7)}${national.slice(-4)}` : '*'.repeat(national.length || 3);
  if (!parsed) return masked;
  const home = parsePhoneNumberFromString(`+${parsed.countryCallingCode}${parsed.nationalNumber}`)?.country ?? parsed.country;
  return home === tenantCountry.toUpperCase() ? masked : `+${parsed.countryCallingCode} ${masked}`;
}

export async function mintWidgetToken(ctx: Context, customerId: string, scopes: WidgetScope[], ttlSeconds: number): Promise<WidgetToken> {
  const errors = new InputErrors();
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_WIDGET_TOKEN_TTL) {
    errors.add('ttlSeconds', `must be between 1 and ${MAX_WIDGET_TOKEN_TTL} seconds`);
  }
  const unique = [...new Set(scopes)];
  if (!unique.length) errors.add('scopes', 'give at least one scope');
  errors.throwIfAny();
  await getCustomer(ctx.em, ctx.principal.tenantId, customerId, 'customerId');
  if (!ctx.widgetTokens) throw new Error('widget tokens are not configured on this server');
  const { token, expiresAt } = await ctx.widgetTokens.mint(
    { tenantId: ctx.principal.tenantId, customerId, scopes: unique, keyId: ctx.principal.keyId },
    ttlSeconds,
  );
  return Object.assign(new WidgetToken(), { token, expiresAt, customerId, scopes: unique });
}

interface WidgetRow {
  id: string;
  kind: CustomerKind;
  name: string;
  company: string | null;
  title: string | null;
  email: string | null;
  phone: string | null;
  interactions: { id: string; channel: Channel; occurred_at: string; subject: string | null }[] | string;
  open_cases: CaseRow[] | string;
  open_case_count: number;
  latest_nps: { score: number; responded_at: string } | string | null;
}

interface CaseRow {
  id: string;
  subject: string;
  priority: CasePriority;
  status: CaseStatus;
  opened_at: string;
  first_response_at: string | null;
  resolved_at: string | null;
  first_response_due_at: string;
  resolution_target_at: string;
  resolution_deadline_at: string;
}

const OPEN_CASE = `status not in ('${CaseStatus.RESOLVED}', '${CaseStatus.CLOSED}')`;
const URGENCY = `case priority when 'URGENT' then 4 when 'HIGH' then 3 when 'MEDIUM' then 2 else 1 end`;
const parseJson = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
const date = (v: string | null): Date | null => (v ? new Date(v) : null);

/**
 * The card's customer in one statement: the customer row plus its last 3 interactions, its 5
 * most urgent open cases and their count, and its latest completed NPS answer (each a bounded
 * subquery on a (tenant_id, customer_id, …) index). Metrics and tier are separate field
 * resolvers on the same loaders as Customer.metrics / Customer.tier, so a token that reads only
 * `churn` does not pay for the rest.
 */
export async function widgetCustomer(em: Em, principal: Principal, customerId: string): Promise<WidgetCustomer> {
  const [row] = await em.execute<WidgetRow[]>(
    `select c.id, c.kind, c.name, c.company, c.title, c.email, c.phone,
            (select coalesce(json_agg(json_build_object('id', i.id, 'channel', i.channel, 'occurred_at', i.occurred_at, 'subject', i.subject)
                                      order by i.occurred_at desc, i.id desc), '[]'::json)
               from (select id, channel, occurred_at, subject from interaction
                      where tenant_id = c.tenant_id and customer_id = c.id
                      order by occurred_at desc, id desc limit 3) i) as interactions,
            (select coalesce(json_agg(k order by k.urgency desc, k.resolution_deadline_at, k.id), '[]'::json)
               from (select id, subject, priority, status, opened_at, first_response_at, resolved_at, first_response_due_at,
                            resolution_target_at, resolution_deadline_at, ${URGENCY} as urgency
                       from service_case
                      where tenant_id = c.tenant_id and customer_id = c.id and ${OPEN_CASE}
                      order by urgency desc, resolution_deadline_at, id limit 5) k) as open_cases,
            (select count(*)::int from service_case where tenant_id = c.tenant_id and customer_id = c.id and ${OPEN_CASE}) as open_case_count,
            (select json_build_object('score', r.score, 'responded_at', r.completed_at)
               from survey_response r join survey s on s.tenant_id = r.tenant_id and s.id = r.survey_id
              where r.tenant_id = c.tenant_id and r.customer_id = c.id and r.status = 'COMPLETE' and r.score is not null and s.kind = 'NPS'
              order by r.completed_at desc, r.id desc limit 1) as latest_nps
       from customer c
      where c.tenant_id = ? and c.id = ?`,
    [principal.tenantId, customerId],
  );
  if (!row) throw new NotFoundError('Customer', customerId);
  const at = serviceNow();
  const nps = parseJson(row.latest_nps);
  return Object.assign(new WidgetCustomer(), {
    id: row.id,
    displayName: row.name,
    kind: row.kind,
    company: row.company,
    title: row.title,
    email: maskEmail(row.email),
    phone: maskPhone(row.phone, principal.tenant.defaultCountry),
    currency: principal.tenant.defaultCurrency.trim(),
    recentInteractions: parseJson(row.interactions).map((i) =>
      Object.assign(new WidgetInteraction(), { id: i.id, channel: i.channel, occurredAt: new Date(i.occurred_at), summary: i.subject }),
    ),
    openCases: parseJson(row.open_cases).map((k) => toWidgetCase(k, at)),
    openCaseCount: Number(row.open_case_count),
    latestNps: nps ? Object.assign(new WidgetNps(), { score: Number(nps.score), respondedAt: new Date(nps.responded_at) }) : null,
  });
}

/** SLA through the cases feature's own rules (caseSla), so the card agrees with `case.sla`. */
function toWidgetCase(k: CaseRow, at: Date): WidgetCase {
  const sla = caseSla(
    {
      openedAt: new Date(k.opened_at),
      firstResponseAt: date(k.first_response_at),
      resolvedAt: date(k.resolved_at),
      firstResponseDueAt: new Date(k.first_response_due_at),
      resolutionTargetAt: new Date(k.resolution_target_at),
      resolutionDeadlineAt: new Date(k.resolution_deadline_at),
    },
    at,
  );
  // The due time that matters now: the first response while none was given, then the resolution deadline.
  const dueAt = sla.firstResponse.metAt ? sla.resolution.dueAt : sla.firstResponse.dueAt;
  return Object.assign(new WidgetCase(), {
    id: k.id, subject: k.subject, priority: k.priority, status: k.status, dueAt, breached: sla.state === SlaState.BREACHED,
  });
}
