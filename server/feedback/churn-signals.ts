/**
 * Churn signals from the voice of the customer, plugged into the metrics feature's churn-reason
 * registry (server/metrics/churn-providers.ts): detractor and low-satisfaction scores, negative
 * feedback, open complaints and breached SLAs become reasons in `customer.metrics`, with
 * evidence. Each provider reads a whole batch of customers with ONE query.
 *
 * Imported for its side effect (registration) by server/feedback/index.ts, before the schema is
 * built, so the codes join the ChurnReasonCode enum. `rescoreAfterSignal` re-scores customers
 * right after a write that changes these signals (as new orders do).
 */
import type { Em } from '../db/orm.js';
import { sql } from '../graphql/sql.js';
import { registerChurnReasonProvider, type ChurnScope } from '../metrics/churn-providers.js';
import type { ChurnReason } from '../metrics/churn.js';
import type { RescoreOptions } from '../metrics/recompute.service.js';
import { rescoreCoalesced } from '../metrics/rescore-queue.js';

const DAY_MS = 86_400_000;
const daysBetween = (from: Date | string, to: Date) => Math.max(0, Math.floor((to.getTime() - new Date(from).getTime()) / DAY_MS));
const cap = (v: number, max: number) => Math.min(max, v);

/** `and <condition on the batch>`, or nothing for a whole-tenant batch. */
function batch(scope: ChurnScope, column: string) {
  const c = scope.customers(column);
  return { text: c.text ? `and ${c.text}` : '', params: c.params };
}

// ---------- surveys: the latest NPS and CSAT answers in the recent window ----------

interface ScoreSignal {
  nps: number | null;
  npsAt: Date | null;
  detractorResponses: number;
  csat: number | null;
  csatAt: Date | null;
}

registerChurnReasonProvider<ScoreSignal>({
  name: 'survey-scores',
  codes: [
    { code: 'DETRACTOR_SCORE', description: 'The customer’s latest NPS answer in the recent window is a detractor score (0–6).' },
    { code: 'LOW_SATISFACTION', description: 'The customer’s latest CSAT answer in the recent window is 1 or 2 out of 5.' },
  ],
  query(scope) {
    // One row per customer: the latest NPS and CSAT answers (by completion, then id) and the NPS detractor count.
    const customers = batch(scope, 'r.customer_id');
    const latest = (column: string, kind: string) =>
      `(array_agg(${column} order by r.completed_at desc, r.id desc) filter (where s.kind = '${kind}'))[1]`;
    return sql(
      `select r.customer_id,
              ${latest('r.score', 'NPS')} as nps, ${latest('r.completed_at', 'NPS')} as nps_at,
              (count(*) filter (where s.kind = 'NPS' and r.score <= 6))::int as detractors,
              ${latest('r.score', 'CSAT')} as csat, ${latest('r.completed_at', 'CSAT')} as csat_at
         from survey_response r join survey s on s.tenant_id = r.tenant_id and s.id = r.survey_id
        where r.tenant_id = ? ${customers.text} and r.status = 'COMPLETE' and r.score is not null and s.kind in ('NPS', 'CSAT')
          and r.completed_at > ?::timestamptz and r.completed_at <= ?::timestamptz
        group by r.customer_id`,
      [scope.tenantId, ...customers.params, scope.recentStart.toISOString(), scope.asOf.toISOString()],
    );
  },
  read: (row) => ({
    nps: row.nps == null ? null : Number(row.nps),
    npsAt: row.nps_at == null ? null : new Date(row.nps_at as string),
    detractorResponses: Number(row.detractors),
    csat: row.csat == null ? null : Number(row.csat),
    csatAt: row.csat_at == null ? null : new Date(row.csat_at as string),
  }),
  evaluate(_customer, signal) {
    if (!signal) return [];
    const reasons: ChurnReason[] = [];
    const now = new Date();
    if (signal.nps !== null && signal.nps <= 6) {
      reasons.push({
        code: 'DETRACTOR_SCORE',
        message: `The customer’s latest NPS answer was ${signal.nps} out of 10 (a detractor), ${daysBetween(signal.npsAt!, now)} days ago.`,
        evidence: [
          { name: 'npsScore', value: signal.nps },
          { name: 'daysAgo', value: daysBetween(signal.npsAt!, now) },
          { name: 'detractorResponses', value: signal.detractorResponses },
        ],
        weight: 0.3 + (0.3 * (6 - signal.nps)) / 6,
      });
    }
    if (signal.csat !== null && signal.csat <= 2) {
      reasons.push({
        code: 'LOW_SATISFACTION',
        message: `The customer’s latest satisfaction (CSAT) answer was ${signal.csat} out of 5, ${daysBetween(signal.csatAt!, now)} days ago.`,
        evidence: [{ name: 'csatScore', value: signal.csat }, { name: 'daysAgo', value: daysBetween(signal.csatAt!, now) }],
        weight: signal.csat === 1 ? 0.4 : 0.3,
      });
    }
    return reasons;
  },
});

// ---------- feedback: negative items in the recent window ----------

interface FeedbackSignal {
  negative: number;
  unresolved: number;
  latestAt: Date;
}

registerChurnReasonProvider<FeedbackSignal>({
  name: 'negative-feedback',
  codes: [{ code: 'NEGATIVE_FEEDBACK', description: 'The customer gave negative feedback (by sentiment) in the recent window.' }],
  query(scope) {
    const customers = batch(scope, 'f.customer_id');
    return sql(
      `select f.customer_id, count(*)::int as negative,
              (count(*) filter (where f.status not in ('RESOLVED', 'CLOSED')))::int as unresolved, max(f.occurred_at) as latest_at
         from feedback f
        where f.tenant_id = ? ${customers.text} and f.customer_id is not null and f.sentiment = 'NEGATIVE'
          and f.occurred_at > ?::timestamptz and f.occurred_at <= ?::timestamptz
        group by f.customer_id`,
      [scope.tenantId, ...customers.params, scope.recentStart.toISOString(), scope.asOf.toISOString()],
    );
  },
  read: (row) => ({ negative: Number(row.negative), unresolved: Number(row.unresolved), latestAt: new Date(row.latest_at as string) }),
  evaluate(_customer, signal) {
    if (!signal) return [];
    return [{
      code: 'NEGATIVE_FEEDBACK',
      message: `${signal.negative} negative feedback item${signal.negative === 1 ? '' : 's'} recently (${signal.unresolved} not resolved), the latest ${daysBetween(signal.latestAt, new Date())} days ago.`,
      evidence: [
        { name: 'negativeFeedback', value: signal.negative },
        { name: 'unresolved', value: signal.unresolved },
        { name: 'daysSinceLatest', value: daysBetween(signal.latestAt, new Date()) },
      ],
      weight: cap(0.2 + 0.1 * (signal.negative - 1) + (signal.unresolved > 0 ? 0.1 : 0), 0.5),
    }];
  },
});

// ---------- service cases: open complaints and breached SLAs ----------

interface CaseSignal {
  openComplaints: number;
  oldestOpenComplaintAt: Date | null;
  breached: number;
  worstOverdueHours: number;
}

registerChurnReasonProvider<CaseSignal>({
  name: 'service-cases',
  codes: [
    { code: 'OPEN_COMPLAINTS', description: 'The customer has complaints that are not resolved yet.' },
    { code: 'BREACHED_SLA', description: 'A recent or open case of the customer missed its SLA (first response or hard maximum).' },
  ],
  query(scope) {
    const customers = batch(scope, 't.customer_id');
    const asOf = scope.asOf.toISOString();
    // Only customers with an open complaint or a breach get a row.
    return sql(
      `select c.customer_id,
              (count(*) filter (where c.kind = 'COMPLAINT' and c.open))::int as open_complaints,
              min(c.opened_at) filter (where c.kind = 'COMPLAINT' and c.open) as oldest_open,
              (count(*) filter (where c.breach_seconds > 0))::int as breached,
              max(c.breach_seconds) / 3600.0 as worst_overdue_hours
         from (
           select t.customer_id, t.kind, t.opened_at,
                  (t.resolved_at is null or t.resolved_at > ?::timestamptz) as open,
                  greatest(
                    extract(epoch from coalesce(t.first_response_at, t.resolved_at, ?::timestamptz) - t.first_response_due_at),
                    extract(epoch from least(coalesce(t.resolved_at, ?::timestamptz), ?::timestamptz) - t.resolution_deadline_at)
                  ) as breach_seconds
             from service_case t
            where t.tenant_id = ? ${customers.text} and t.opened_at <= ?::timestamptz
              and (t.resolved_at is null or t.resolved_at > ?::timestamptz)
         ) c
        group by c.customer_id
       having count(*) filter (where c.kind = 'COMPLAINT' and c.open) > 0 or count(*) filter (where c.breach_seconds > 0) > 0`,
      [asOf, asOf, asOf, asOf, scope.tenantId, ...customers.params, asOf, scope.recentStart.toISOString()],
    );
  },
  read: (row) => ({
    openComplaints: Number(row.open_complaints),
    oldestOpenComplaintAt: row.oldest_open == null ? null : new Date(row.oldest_open as string),
    breached: Number(row.breached),
    worstOverdueHours: Math.round(Number(row.worst_overdue_hours ?? 0) * 10) / 10,
  }),
  evaluate(_customer, signal) {
    if (!signal) return [];
    const reasons: ChurnReason[] = [];
    if (signal.openComplaints > 0) {
      const days = daysBetween(signal.oldestOpenComplaintAt!, new Date());
      reasons.push({
        code: 'OPEN_COMPLAINTS',
        message: `${signal.openComplaints} complaint${signal.openComplaints === 1 ? ' is' : 's are'} still open, the oldest for ${days} days.`,
        evidence: [{ name: 'openComplaints', value: signal.openComplaints }, { name: 'oldestOpenDays', value: days }],
        weight: cap(0.3 + 0.1 * (signal.openComplaints - 1), 0.6),
      });
    }
    if (signal.breached > 0) {
      reasons.push({
        code: 'BREACHED_SLA',
        message: `${signal.breached} service case${signal.breached === 1 ? '' : 's'} missed the promised time, by up to ${signal.worstOverdueHours} hours.`,
        evidence: [{ name: 'breachedCases', value: signal.breached }, { name: 'worstOverdueHours', value: signal.worstOverdueHours }],
        weight: cap(0.25 + 0.1 * (signal.breached - 1), 0.5),
      });
    }
    return reasons;
  },
});

/**
 * Re-scores customers after a write that changes their signals. Only customers that already
 * carry a churn risk are re-scored: a prospect's risk is null whatever its signals, and the next
 * recompute scores everyone anyway. `tenant`: as the request's key read it (saves a statement).
 * Metrics are derived data: a failure is logged, never turned into a failed write.
 */
export async function rescoreAfterSignal(
  em: Em,
  tenantId: string,
  customerIds: (string | null | undefined)[],
  tenant?: RescoreOptions['tenant'],
): Promise<void> {
  const given = [...new Set(customerIds.filter((id): id is string => !!id))];
  if (!given.length) return;
  try {
    await rescoreCoalesced(em, tenantId, given, { tenant, onlyScored: true });
  } catch (error) {
    console.error(`churn re-scoring of ${given.length} customer(s) after a feedback/survey/case change failed:`, error);
  }
}
