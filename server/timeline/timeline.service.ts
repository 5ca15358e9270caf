import type { EntityClass } from '@mikro-orm/core';
import type { Em } from '../db/orm.js';
import { buildConnection, pageRequest, type PageArgs, type PageRequest } from '../graphql/connection.js';
import { joinSql, keysetSql, orderSql, sql, type Sql, type SqlSortKey } from '../graphql/sql.js';
import { Interaction } from '../interactions/interaction.entity.js';
import { Order } from '../orders/order.entity.js';
import { Feedback } from '../feedback/feedback.entity.js';
import { SurveyResponse } from '../surveys/survey.entity.js';
import { ServiceCase } from '../cases/case.entity.js';
import { TimelineConnection, TimelineEntry, TimelineKind } from './timeline.types.js';

/** Where each kind of event lives and which column dates it. */
const SOURCES: Record<TimelineKind, { table: string; time: string; extra?: string; entity: EntityClass<object> }> = {
  INTERACTION: { table: 'interaction', time: 'occurred_at', entity: Interaction },
  ORDER: { table: 'customer_order', time: 'occurred_at', entity: Order },
  FEEDBACK: { table: 'feedback', time: 'occurred_at', entity: Feedback },
  SURVEY_RESPONSE: { table: 'survey_response', time: 'completed_at', extra: `t.status = 'COMPLETE'`, entity: SurveyResponse },
  SERVICE_CASE: { table: 'service_case', time: 'opened_at', entity: ServiceCase },
};

export const timelineEntityOf = (kind: TimelineKind) => SOURCES[kind].entity;

export function timelinePageRequest(page: PageArgs): PageRequest {
  return pageRequest(page, 3);
}

const OUTER_KEYS: SqlSortKey[] = [
  { expr: 'u.occurred_at', prop: 'occurredAt', desc: true, kind: 'date' },
  { expr: 'u.kind', prop: 'kind', desc: true, kind: 'string' },
];

function customerValues(customerIds: readonly string[]): Sql {
  return sql(`(values ${customerIds.map(() => '(?::uuid)').join(', ')}) c(id)`, [...customerIds]);
}

/**
 * One statement for the timelines of many customers: per source, a lateral keyset-limited scan
 * of each customer's rows (using the (tenant_id, customer_id, time desc, id desc) indexes), then
 * UNION ALL, numbered per customer in (occurred_at, kind, id) order and cut at size + 1.
 */
export async function timelinePagesFor(
  em: Em,
  tenantId: string,
  customerIds: readonly string[],
  kinds: TimelineKind[] | null | undefined,
  request: PageRequest,
  countLoader: (customerId: string) => Promise<number>,
) {
  const selected = (kinds?.length ? [...new Set(kinds)] : Object.values(TimelineKind)).sort();
  const values = customerValues(customerIds);
  const branches = selected.map((kind) => {
    const s = SOURCES[kind];
    const keys: SqlSortKey[] = [
      { expr: `t.${s.time}`, prop: 'occurredAt', desc: true, kind: 'date' },
      { expr: `'${kind}'::text`, prop: 'kind', desc: true, kind: 'string' },
    ];
    const where = joinSql(
      [sql('t.tenant_id = ? and t.customer_id = c.id', [tenantId]), sql(s.extra ?? ''), keysetSql(keys, request, 't.id')],
      ' and ',
    );
    return sql(
      `select x.* from ${values.text} cross join lateral (
         select '${kind}'::text as kind, t.id, t.customer_id, t.${s.time} as occurred_at from ${s.table} t
          where ${where.text}
          order by ${orderSql([keys[0]], request.backward, 't.id')} limit ?
       ) x`,
      [...values.params, ...where.params, request.size + 1],
    );
  });
  const union = joinSql(branches, ' union all ');
  const rows = await em.execute<{ kind: TimelineKind; id: string; customer_id: string; occurred_at: Date }[]>(
    `select kind, id, customer_id, occurred_at from (
       select u.*, row_number() over (partition by u.customer_id order by ${orderSql(OUTER_KEYS, request.backward, 'u.id')}) as rn
         from (${union.text}) u
     ) ranked where rn <= ? order by customer_id, rn`,
    [...union.params, request.size + 1],
  );
  const grouped = new Map<string, TimelineEntry[]>(customerIds.map((id) => [id, []]));
  for (const r of rows) {
    grouped.get(String(r.customer_id))?.push(
      Object.assign(new TimelineEntry(), { id: String(r.id), kind: r.kind, occurredAt: new Date(r.occurred_at), customerId: String(r.customer_id) }),
    );
  }
  return customerIds.map((id) => buildConnection(TimelineConnection, grouped.get(id)!, request, OUTER_KEYS, () => countLoader(id)));
}

/** Event counts per customer across the selected sources, in one statement. */
export async function timelineCountsFor(em: Em, tenantId: string, customerIds: readonly string[], kinds: TimelineKind[] | null | undefined) {
  const selected = kinds?.length ? [...new Set(kinds)] : Object.values(TimelineKind);
  const list = customerIds.map(() => '?').join(', ');
  const branches = selected.map((kind) => {
    const s = SOURCES[kind];
    return sql(
      `select t.customer_id from ${s.table} t where t.tenant_id = ? and t.customer_id in (${list})${s.extra ? ` and ${s.extra}` : ''}`,
      [tenantId, ...customerIds],
    );
  });
  const rows = await em.execute<{ customer_id: string; count: number }[]>(
    `select customer_id, count(*)::int as count from (${branches.map((b) => b.text).join(' union all ')}) u group by customer_id`,
    branches.flatMap((b) => b.params),
  );
  const byCustomer = new Map(rows.map((r) => [String(r.customer_id), Number(r.count)]));
  return customerIds.map((id) => byCustomer.get(id) ?? 0);
}

/** Loads the items of one kind by id (for a loader). */
export async function timelineItemsByIds(em: Em, tenantId: string, kind: TimelineKind, ids: readonly string[]): Promise<(object | null)[]> {
  const found = (await em.find(SOURCES[kind].entity, { tenantId, id: { $in: [...ids] } } as never)) as { id: string }[];
  const byId = new Map(found.map((e) => [e.id, e]));
  return ids.map((id) => byId.get(id) ?? null);
}
