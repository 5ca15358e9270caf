import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { InputErrors } from './errors.js';

/** Report helpers shared by survey analytics, voice of the customer and service metrics. */

export enum TimeBucket {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}
registerEnumType(TimeBucket, { name: 'TimeBucket', description: 'Bucket width for time series, in the tenant’s time zone. Weeks start on Monday.' });

@InputType({ description: 'A half-open time range [from, to).' })
export class PeriodInput {
  @Field(() => Date) from!: Date;
  @Field(() => Date) to!: Date;
}

@ObjectType({ description: 'A half-open time range [from, to).' })
export class Period {
  @Field(() => Date) from!: Date;
  @Field(() => Date) to!: Date;

  static of(from: Date, to: Date): Period {
    return Object.assign(new Period(), { from, to });
  }
}

const MAX_SPAN_MS = 10 * 366 * 24 * 3600 * 1000;
const BUCKET_MS: Record<TimeBucket, number> = { DAY: 86_400_000, WEEK: 7 * 86_400_000, MONTH: 28 * 86_400_000 };
export const MAX_BUCKETS = 1000;

/** Validates a period (from < to, at most ten years) and, when given, that it splits into at most 1000 buckets. */
export function checkPeriod(path: string, period: PeriodInput, bucket?: TimeBucket | null): Period {
  const errors = new InputErrors();
  const from = period.from.getTime();
  const to = period.to.getTime();
  if (Number.isNaN(from)) errors.add(`${path}.from`, 'is not a valid date');
  if (Number.isNaN(to)) errors.add(`${path}.to`, 'is not a valid date');
  if (!errors.any && from >= to) errors.add(`${path}.to`, 'must be after from');
  if (!errors.any && to - from > MAX_SPAN_MS) errors.add(path, 'must span at most ten years');
  if (!errors.any && bucket && (to - from) / BUCKET_MS[bucket] > MAX_BUCKETS) {
    errors.add(path, `splits into more than ${MAX_BUCKETS} ${bucket} buckets; use a wider bucket`);
  }
  errors.throwIfAny();
  return Period.of(period.from, period.to);
}

/** The period of the same length right before `period` (for trends). */
export function previousPeriod(period: Period): Period {
  const span = period.to.getTime() - period.from.getTime();
  return Period.of(new Date(period.from.getTime() - span), period.from);
}

/** PostgreSQL `date_trunc` unit for a bucket. */
export function truncUnit(bucket: TimeBucket): 'day' | 'week' | 'month' {
  return bucket === TimeBucket.DAY ? 'day' : bucket === TimeBucket.WEEK ? 'week' : 'month';
}

/**
 * SQL for the start of the bucket holding `expr`, computed in the tenant's time zone and
 * returned as timestamptz. Takes one parameter (the `truncUnit`) and needs `TENANT_TZ_SQL` in the from clause.
 */
export function bucketSql(expr: string): string {
  return `(date_trunc(?, ${expr} at time zone tz.time_zone) at time zone tz.time_zone)`;
}

/** A `from` clause item binding `tz.time_zone` for `bucketSql` (one parameter: the tenant id). */
export const TENANT_TZ_SQL = '(select time_zone from tenant where id = ?) tz';

export function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 100 : null;
}

/** Every bucket of a period as [start, end) in the tenant's time zone, oldest first (one statement). */
export async function bucketSeries(
  execute: (sql: string, params: unknown[]) => Promise<{ start: Date; end: Date }[]>,
  tenantId: string,
  period: Period,
  bucket: TimeBucket,
): Promise<{ start: Date; end: Date }[]> {
  const unit = truncUnit(bucket);
  const rows = await execute(
    `select (gs at time zone tz.time_zone) as start, ((gs + ?::interval) at time zone tz.time_zone) as "end"
       from (select time_zone from tenant where id = ?) tz,
            generate_series(date_trunc(?, ?::timestamptz at time zone tz.time_zone),
                            (?::timestamptz - interval '1 microsecond') at time zone tz.time_zone, ?::interval) gs
      order by 1`,
    [`1 ${unit}`, tenantId, unit, period.from, period.to, `1 ${unit}`],
  );
  return rows.map((r) => ({ start: new Date(r.start), end: new Date(r.end) }));
}
