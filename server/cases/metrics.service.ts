import { Field, Float, Int, ObjectType } from 'type-graphql';
import type { Em } from '../db/orm.js';
import { percent, Period, TimeBucket, truncUnit } from '../graphql/period.js';
import { CaseKind } from './case.entity.js';
import { now } from './clock.js';

@ObjectType({ description: 'Service-desk figures for a slice of time (and of case kinds).' })
export class ServiceMetricSet {
  @Field(() => Int, { description: 'Cases opened in the slice.' }) opened!: number;
  @Field(() => Int, { description: 'Cases resolved in the slice.' }) resolved!: number;
  @Field(() => Float, { nullable: true, description: 'Resolved cases that met both SLA clocks (first response in time, resolved by the hard maximum), %.' })
  slaCompliancePercent!: number | null;
  @Field(() => Float, { nullable: true, description: 'Resolved cases resolved by the resolution target, %.' }) targetMetPercent!: number | null;
  @Field(() => Int, { nullable: true, description: 'Median opening-to-resolution time of the cases resolved, seconds.' }) medianResolutionSeconds!: number | null;
  @Field(() => Int, { nullable: true, description: '90th percentile of the same, seconds.' }) p90ResolutionSeconds!: number | null;
  @Field(() => Int, { description: 'Cases open (not resolved) at the end of the slice, or now if earlier.' }) openBacklog!: number;
  @Field(() => Int, { description: 'Of the backlog, cases past an SLA due time.' }) openBreached!: number;
  @Field(() => Int, { description: 'COMPLAINT cases opened in the slice.' }) complaints!: number;
  @Field(() => Float, { nullable: true, description: 'complaints per 100 customers (customers existing at the end of the slice).' })
  complaintsPer100Customers!: number | null;
  @Field(() => Float, { nullable: true, description: 'opened per 100 customers.' }) casesPer100Customers!: number | null;
}

@ObjectType()
export class ServiceKindMetrics {
  @Field(() => CaseKind) kind!: CaseKind;
  @Field(() => ServiceMetricSet) metrics!: ServiceMetricSet;
}

@ObjectType()
export class ServiceBucketMetrics {
  @Field(() => Date, { description: 'Bucket start in the tenant’s time zone (the first bucket may start before the period).' }) start!: Date;
  @Field(() => Date) end!: Date;
  @Field(() => ServiceMetricSet) metrics!: ServiceMetricSet;
}

@ObjectType()
export class ServiceMetrics {
  @Field(() => Period) period!: Period;
  @Field(() => TimeBucket) bucket!: TimeBucket;
  @Field(() => Int, { description: 'Customers at the end of the period.' }) customers!: number;
  @Field(() => ServiceMetricSet) overall!: ServiceMetricSet;
  @Field(() => [ServiceKindMetrics], { description: 'Every kind, in enum order.' }) byKind!: ServiceKindMetrics[];
  @Field(() => [ServiceBucketMetrics], { description: 'Every bucket of the period, oldest first.' }) byPeriod!: ServiceBucketMetrics[];
}

interface FlowRow {
  gk: number;
  gb: number;
  kind: CaseKind | null;
  bucket: Date | null;
  opened: number;
  complaints: number;
  resolved: number;
  compliant: number;
  target_met: number;
  median: number | null;
  p90: number | null;
}

interface StockRow {
  gk: number;
  kind: CaseKind | null;
  bucket: Date | null;
  bucket_end: Date | null;
  customers: number;
  backlog: number;
  breached: number;
}

const key = (kind: string | null, bucket: Date | null) => `${kind ?? '*'}|${bucket ? new Date(bucket).toISOString() : '*'}`;

function metricSet(flow: FlowRow | undefined, stock: StockRow | undefined, customers: number): ServiceMetricSet {
  const n = (v: unknown) => Number(v ?? 0);
  const opened = n(flow?.opened);
  const complaints = n(flow?.complaints);
  const resolved = n(flow?.resolved);
  const round = (v: number | null | undefined) => (v == null ? null : Math.round(Number(v)));
  return Object.assign(new ServiceMetricSet(), {
    opened,
    resolved,
    slaCompliancePercent: percent(n(flow?.compliant), resolved),
    targetMetPercent: percent(n(flow?.target_met), resolved),
    medianResolutionSeconds: round(flow?.median),
    p90ResolutionSeconds: round(flow?.p90),
    openBacklog: n(stock?.backlog),
    openBreached: n(stock?.breached),
    complaints,
    complaintsPer100Customers: customers > 0 ? Math.round((complaints / customers) * 100 * 100) / 100 : null,
    casesPer100Customers: customers > 0 ? Math.round((opened / customers) * 100 * 100) / 100 : null,
  });
}

/**
 * SLA compliance, resolution times, backlog and complaint rates for a period, overall, by kind
 * and by bucket. Two statements: flows (opened / resolved in each slice, with percentiles, via
 * GROUPING SETS) and stocks (backlog and customers at the end of each slice).
 */
export async function serviceMetrics(em: Em, tenantId: string, period: Period, bucket: TimeBucket): Promise<ServiceMetrics> {
  const unit = truncUnit(bucket);
  const { from, to } = period;
  const at = now();
  const flows = await em.execute<FlowRow[]>(
    `with c as (
       select * from service_case t
        where t.tenant_id = ? and t.opened_at < ? and (t.opened_at >= ? or t.resolved_at >= ?)
     ),
     ev as (
       select kind, opened_at as ts, true as is_opened, false as is_resolved, null::float8 as secs, null::boolean as compliant, null::boolean as target_met
         from c where opened_at >= ? and opened_at < ?
       union all
       select kind, resolved_at, false, true, extract(epoch from resolved_at - opened_at)::float8,
              resolved_at <= resolution_deadline_at and coalesce(first_response_at, resolved_at) <= first_response_due_at,
              resolved_at <= resolution_target_at
         from c where resolved_at >= ? and resolved_at < ?
     ),
     x as (
       select ev.*, (date_trunc(?, ev.ts at time zone tz.time_zone) at time zone tz.time_zone) as bucket
         from ev, (select time_zone from tenant where id = ?) tz
     )
     select grouping(kind)::int as gk, grouping(bucket)::int as gb, kind, bucket,
            count(*) filter (where is_opened)::int as opened,
            count(*) filter (where is_opened and kind = 'COMPLAINT')::int as complaints,
            count(*) filter (where is_resolved)::int as resolved,
            count(*) filter (where compliant)::int as compliant,
            count(*) filter (where target_met)::int as target_met,
            percentile_cont(0.5) within group (order by secs) as median,
            percentile_cont(0.9) within group (order by secs) as p90
       from x group by grouping sets ((), (kind), (bucket))`,
    [tenantId, to, from, from, from, to, from, to, unit, tenantId],
  );
  const stocks = await em.execute<StockRow[]>(
    `with tz as (select time_zone from tenant where id = ?),
     b as (
       select (gs at time zone tz.time_zone) as bucket, ((gs + ?::interval) at time zone tz.time_zone) as bucket_end
         from tz, generate_series(date_trunc(?, ?::timestamptz at time zone tz.time_zone),
                                  (?::timestamptz - interval '1 microsecond') at time zone tz.time_zone, ?::interval) gs
     ),
     p as (
       select bucket, bucket_end, least(bucket_end, ?::timestamptz, ?::timestamptz) as ts from b
       union all
       select null, null, least(?::timestamptz, ?::timestamptz)
     ),
     pc as (
       select p.*, (select count(*) from customer cu where cu.tenant_id = ? and cu.created_at < p.ts and cu.merged_into_id is null)::int as customers
         from p
     )
     select grouping(t.kind)::int as gk, t.kind, pc.bucket, pc.bucket_end, pc.customers,
            count(t.id)::int as backlog,
            count(t.id) filter (where t.resolution_deadline_at < pc.ts or coalesce(t.first_response_at, pc.ts) > t.first_response_due_at)::int as breached
       from pc left join service_case t
         on t.tenant_id = ? and t.opened_at < pc.ts and (t.resolved_at is null or t.resolved_at >= pc.ts)
      group by grouping sets ((pc.bucket, pc.bucket_end, pc.customers), (pc.bucket, pc.bucket_end, pc.customers, t.kind))
      order by pc.bucket nulls first`,
    [tenantId, `1 ${unit}`, unit, from, to, `1 ${unit}`, to, at, to, at, tenantId, tenantId],
  );
  const flowBy = new Map(flows.map((r) => [key(Number(r.gk) ? null : r.kind, Number(r.gb) ? null : r.bucket), r]));
  const stockBy = new Map(stocks.filter((r) => Number(r.gk) || r.kind).map((r) => [key(Number(r.gk) ? null : r.kind, r.bucket), r]));
  const total = stocks.find((r) => r.bucket === null && Number(r.gk));
  const customers = Number(total?.customers ?? 0);
  const buckets = stocks.filter((r) => r.bucket !== null && Number(r.gk));
  return Object.assign(new ServiceMetrics(), {
    period,
    bucket,
    customers,
    overall: metricSet(flowBy.get(key(null, null)), total, customers),
    byKind: Object.values(CaseKind).map((kind) =>
      Object.assign(new ServiceKindMetrics(), { kind, metrics: metricSet(flowBy.get(key(kind, null)), stockBy.get(key(kind, null)), customers) }),
    ),
    byPeriod: buckets.map((b) =>
      Object.assign(new ServiceBucketMetrics(), {
        start: new Date(b.bucket!),
        end: new Date(b.bucket_end!),
        metrics: metricSet(flowBy.get(key(null, b.bucket)), b, Number(b.customers)),
      }),
    ),
  });
}
