import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Em } from '../db/orm.js';
import { percent, Period, previousPeriod } from '../graphql/period.js';
import { Money } from '../graphql/scalars.js';
import { toUnits } from '../orders/money.js';
import { customerValueSource } from './customer-value.js';

const compareUnits = (a: bigint, b: bigint) => (a > b ? 1 : a < b ? -1 : 0);

export enum Trend {
  UP = 'UP',
  DOWN = 'DOWN',
  FLAT = 'FLAT',
  NEW = 'NEW',
}
registerEnumType(Trend, { name: 'Trend', description: 'Against the previous period of the same length. NEW: none in the previous period.' });

@ObjectType({ description: 'One category of the voice of the customer. categoryId null: feedback not yet categorized.' })
export class VocCategory {
  @Field(() => ID, { nullable: true }) categoryId!: string | null;
  @Field(() => Int, { description: 'Feedback items in the period.' }) count!: number;
  @Field(() => Int) previousCount!: number;
  @Field(() => Int, { description: 'count - previousCount.' }) change!: number;
  @Field(() => Float, { nullable: true, description: 'Change in % of previousCount; null when previousCount is 0.' }) changePercent!: number | null;
  @Field(() => Trend) trend!: Trend;
  @Field(() => Int, { description: 'NEGATIVE items in the period.' }) negativeCount!: number;
  @Field(() => Float, { nullable: true }) negativePercent!: number | null;
  @Field(() => Int, { description: 'Distinct known customers raising it in the period.' }) customers!: number;
  @Field(() => Int, { description: 'Of those, customers in the tenant’s top 20% by value (the 80/20 rule).' }) keyCustomers!: number;
  @Field(() => Money, { description: 'Sum of the value of the customers raising it (see VoiceOfCustomer.valueSource).' }) customerValue!: Money;
  @Field(() => Int, { description: '1 = most items.' }) rankByCount!: number;
  @Field(() => Int, { description: '1 = raised by the most valuable customers.' }) rankByValue!: number;
}

@ObjectType({ description: 'What customers talk about, ranked by volume and by the value of who says it.' })
export class VoiceOfCustomer {
  @Field(() => Period) period!: Period;
  @Field(() => Period) previousPeriod!: Period;
  @Field(() => Int) total!: number;
  @Field(() => Int) previousTotal!: number;
  @Field(() => String, {
    description: 'Where customer value comes from: CUSTOMER_METRICS (historic value + predicted CLV, order totals for customers not scored yet) or ORDERS.',
  })
  valueSource!: string;
  @Field(() => [VocCategory], { description: 'Most items first.' }) byCount!: VocCategory[];
  @Field(() => [VocCategory], { description: 'Highest customer value first; key customers’ demands surface here.' }) byValue!: VocCategory[];
}

interface Row {
  category_id: string | null;
  count: number;
  previous_count: number;
  negative: number;
  customers: number;
  key_customers: number;
  value: string;
}

function trendOf(count: number, previous: number): Trend {
  if (previous === 0) return count > 0 ? Trend.NEW : Trend.FLAT;
  return count > previous ? Trend.UP : count < previous ? Trend.DOWN : Trend.FLAT;
}

/** One statement: counts per category in both periods, and the value of the customers raising each. */
export async function voiceOfCustomer(em: Em, tenantId: string, currency: string, period: Period): Promise<VoiceOfCustomer> {
  const previous = previousPeriod(period);
  const value = await customerValueSource(em, tenantId, currency);
  const rows = await em.execute<Row[]>(
    `with fb as (
       select f.category_id, f.customer_id, f.sentiment, f.occurred_at >= ? as cur
         from feedback f where f.tenant_id = ? and f.occurred_at >= ? and f.occurred_at < ?
     ),
     val as (${value.sql}),
     ranked as (select customer_id, v, ntile(5) over (order by v desc, customer_id) as q from val where v > 0),
     cat as (
       select category_id, count(*) filter (where cur)::int as count, count(*) filter (where not cur)::int as previous_count,
              count(*) filter (where cur and sentiment = 'NEGATIVE')::int as negative
         from fb group by category_id
     ),
     cust as (select distinct category_id, customer_id from fb where cur and customer_id is not null),
     cv as (
       select cust.category_id, count(*)::int as customers, count(*) filter (where r.q = 1)::int as key_customers, coalesce(sum(r.v), 0) as value
         from cust left join ranked r on r.customer_id = cust.customer_id group by cust.category_id
     )
     select cat.category_id, cat.count, cat.previous_count, cat.negative,
            coalesce(cv.customers, 0) as customers, coalesce(cv.key_customers, 0) as key_customers, coalesce(cv.value, 0)::text as value
       from cat left join cv on cv.category_id is not distinct from cat.category_id`,
    [period.from, tenantId, previous.from, period.to, ...value.params],
  );
  const items = rows.map((r) => {
    const count = Number(r.count);
    const previousCount = Number(r.previous_count);
    return Object.assign(new VocCategory(), {
      categoryId: r.category_id,
      count,
      previousCount,
      change: count - previousCount,
      changePercent: previousCount ? Math.round(((count - previousCount) / previousCount) * 10_000) / 100 : null,
      trend: trendOf(count, previousCount),
      negativeCount: Number(r.negative),
      negativePercent: percent(Number(r.negative), count),
      customers: Number(r.customers),
      keyCustomers: Number(r.key_customers),
      customerValue: Money.of(String(r.value), currency),
    });
  });
  const tie = (a: VocCategory, b: VocCategory) => (a.categoryId ?? '').localeCompare(b.categoryId ?? '');
  const byCount = [...items].sort((a, b) => b.count - a.count || b.keyCustomers - a.keyCustomers || tie(a, b));
  const byValue = [...items].sort(
    (a, b) => compareUnits(toUnits(b.customerValue.amount), toUnits(a.customerValue.amount)) || b.keyCustomers - a.keyCustomers || b.count - a.count || tie(a, b),
  );
  byCount.forEach((c, i) => (c.rankByCount = i + 1));
  byValue.forEach((c, i) => (c.rankByValue = i + 1));
  return Object.assign(new VoiceOfCustomer(), {
    period,
    previousPeriod: previous,
    total: items.reduce((s, c) => s + c.count, 0),
    previousTotal: items.reduce((s, c) => s + c.previousCount, 0),
    valueSource: value.source,
    byCount,
    byValue,
  });
}
