import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { Em } from '../db/orm.js';
import { buildConnection, connectionType, pageRequest, type PageArgs } from '../graphql/connection.js';
import { BadUserInputError } from '../graphql/errors.js';
import { Channel } from '../graphql/enums.js';
import { bucketSeries, percent, Period, TimeBucket, truncUnit } from '../graphql/period.js';
import { compileFilter, joinSql, keysetSql, orderSql, sql, type FieldSpec, type Sql, type SqlSortKey } from '../graphql/sql.js';
import { checkId } from '../graphql/validate.js';
import { Sentiment } from '../feedback/sentiment.js';
import { ValueTier } from '../metrics/metrics.types.js';
import { SurveyKind } from './survey.entity.js';
import type { VerbatimFilter } from './survey.inputs.js';

@ObjectType({ description: 'Net Promoter Score: promoters 9–10, passives 7–8, detractors 0–6; score = %promoters − %detractors.' })
export class NpsResult {
  @Field(() => Int) responses!: number;
  @Field(() => Int) promoters!: number;
  @Field(() => Int) passives!: number;
  @Field(() => Int) detractors!: number;
  @Field(() => Float, { nullable: true }) promoterPercent!: number | null;
  @Field(() => Float, { nullable: true }) passivePercent!: number | null;
  @Field(() => Float, { nullable: true }) detractorPercent!: number | null;
  @Field(() => Float, { nullable: true, description: 'From -100 to 100; null without responses.' }) score!: number | null;
}

@ObjectType({ description: 'Customer satisfaction on 1–5: satisfied = 4 or 5.' })
export class CsatResult {
  @Field(() => Int) responses!: number;
  @Field(() => Int) satisfied!: number;
  @Field(() => Float, { nullable: true }) satisfiedPercent!: number | null;
  @Field(() => Float, { nullable: true }) average!: number | null;
}

@ObjectType({ description: 'Customer effort on 1–7 (7 = very easy).' })
export class CesResult {
  @Field(() => Int) responses!: number;
  @Field(() => Float, { nullable: true }) average!: number | null;
  @Field(() => Float, { nullable: true, description: 'Share answering 5–7.' }) easyPercent!: number | null;
}

@ObjectType({ description: 'Completed responses and the score of the survey kind (the other two are null).' })
export class ScoreSummary {
  @Field(() => Int, { description: 'Completed responses.' }) responses!: number;
  @Field(() => NpsResult, { nullable: true }) nps!: NpsResult | null;
  @Field(() => CsatResult, { nullable: true }) csat!: CsatResult | null;
  @Field(() => CesResult, { nullable: true }) ces!: CesResult | null;
}

@ObjectType()
export class ScoreBucket {
  @Field(() => Date, { description: 'Bucket start in the tenant’s time zone (the first may start before the period).' }) start!: Date;
  @Field(() => Date) end!: Date;
  @Field(() => ScoreSummary) summary!: ScoreSummary;
}

@ObjectType()
export class ChannelScore {
  @Field(() => Channel) channel!: Channel;
  @Field(() => ScoreSummary) summary!: ScoreSummary;
}

@ObjectType()
export class TierScore {
  @Field(() => ValueTier, { nullable: true, description: 'The customer’s value tier (customer.metrics); null for anonymous or not yet scored customers.' })
  tier!: ValueTier | null;
  @Field(() => ScoreSummary) summary!: ScoreSummary;
}

@ObjectType({ description: 'Responses of the current members of one segment (a customer in several segments counts in each).' })
export class SegmentScore {
  @Field(() => ID) segmentId!: string;
  @Field(() => String) name!: string;
  @Field(() => Int, { description: 'Completed responses by the segment’s current members.' }) responses!: number;
  @Field(() => ScoreSummary) summary!: ScoreSummary;
}

@ObjectType()
export class OptionCount {
  @Field(() => String, { description: 'The value (NPS, RATING) or the choice id.' }) option!: string;
  @Field(() => Int) count!: number;
  @Field(() => Float, { nullable: true, description: '% of the responses answering the question.' }) percent!: number | null;
}

@ObjectType({ description: 'How one question was answered across the completed responses of the period.' })
export class QuestionStats {
  @Field(() => String) questionId!: string;
  @Field(() => Int) answered!: number;
  @Field(() => Float, { nullable: true, description: 'NPS and RATING questions.' }) average!: number | null;
  @Field(() => [OptionCount], { description: 'Counts per value or choice, most frequent first (none for TEXT).' }) options!: OptionCount[];
}

@ObjectType({ description: 'A free-text answer, with the response it belongs to.' })
export class Verbatim {
  /** The response id, as the cursor's tie-break; exposed as responseId. */
  id!: string;
  @Field(() => ID) responseId!: string;
  @Field(() => ID) surveyId!: string;
  @Field(() => String) questionId!: string;
  @Field(() => String) text!: string;
  @Field(() => Sentiment, { nullable: true }) sentiment!: Sentiment | null;
  @Field(() => Int, { nullable: true }) score!: number | null;
  @Field(() => Channel) channel!: Channel;
  @Field(() => ID, { nullable: true }) customerId!: string | null;
  @Field(() => Date) submittedAt!: Date;
}

export const VerbatimConnection = connectionType(Verbatim, 'Verbatim');

/** Which responses an analytics request covers. */
export interface AnalyticsScope {
  tenantId: string;
  surveyId: string | null;
  kind: SurveyKind;
  period: Period;
  channel: Channel | null;
}

@ObjectType({ description: 'Scores, counts, trends, breakdowns and verbatims of completed responses in a period.' })
export class SurveyAnalytics {
  scope!: AnalyticsScope;
  @Field(() => ID, { nullable: true }) surveyId!: string | null;
  @Field(() => SurveyKind) kind!: SurveyKind;
  @Field(() => Period) period!: Period;
  @Field(() => TimeBucket) bucket!: TimeBucket;
  @Field(() => ScoreSummary) summary!: ScoreSummary;
  @Field(() => Int, { description: 'Responses started in the period and not (yet) completed.' }) partialResponses!: number;
  @Field(() => [ScoreBucket], { description: 'Every bucket of the period, oldest first.' }) buckets!: ScoreBucket[];
  @Field(() => [ChannelScore], { description: 'Channels with responses, most responses first.' }) byChannel!: ChannelScore[];
  @Field(() => [TierScore], { description: 'By the responding customer’s value tier, KEY first; null tier last.' }) byTier!: TierScore[];
  @Field(() => [SegmentScore], {
    description: 'By the (non-archived) segments the responding customer belongs to now, most responses first; anonymous and unsegmented responses are left out.',
  })
  bySegment!: SegmentScore[];
  @Field(() => [QuestionStats], { description: 'Per question (only for one survey).' }) questions!: QuestionStats[];
}

interface ScoreRow {
  gb: number;
  gc: number;
  gt: number;
  bucket: Date | null;
  channel: Channel | null;
  tier: ValueTier | null;
  responses: number;
  partial: number;
  scored: number;
  promoters: number;
  passives: number;
  detractors: number;
  satisfied: number;
  easy: number;
  average: number | null;
}

const round2 = (v: number | null | undefined) => (v == null ? null : Math.round(Number(v) * 100) / 100);

function summaryOf(kind: SurveyKind, r: ScoreRow | undefined): ScoreSummary {
  const n = (v: unknown) => Number(v ?? 0);
  const scored = n(r?.scored);
  const nps =
    kind === SurveyKind.NPS
      ? Object.assign(new NpsResult(), {
          responses: scored,
          promoters: n(r?.promoters),
          passives: n(r?.passives),
          detractors: n(r?.detractors),
          promoterPercent: percent(n(r?.promoters), scored),
          passivePercent: percent(n(r?.passives), scored),
          detractorPercent: percent(n(r?.detractors), scored),
          score: scored ? Math.round(((n(r?.promoters) - n(r?.detractors)) / scored) * 10_000) / 100 : null,
        })
      : null;
  const csat =
    kind === SurveyKind.CSAT
      ? Object.assign(new CsatResult(), {
          responses: scored, satisfied: n(r?.satisfied), satisfiedPercent: percent(n(r?.satisfied), scored), average: round2(r?.average),
        })
      : null;
  const ces =
    kind === SurveyKind.CES
      ? Object.assign(new CesResult(), { responses: scored, average: round2(r?.average), easyPercent: percent(n(r?.easy), scored) })
      : null;
  return Object.assign(new ScoreSummary(), { responses: n(r?.responses), nps, csat, ces });
}

/** The responses of the scope as SQL over survey_response `r` (joined to survey `s`). */
function scopeSql(scope: AnalyticsScope, timeColumn: string): Sql {
  return joinSql(
    [
      sql('r.tenant_id = ?', [scope.tenantId]),
      scope.surveyId ? sql('r.survey_id = ?', [scope.surveyId]) : sql('s.kind = ?', [scope.kind]),
      sql(`${timeColumn} >= ? and ${timeColumn} < ?`, [scope.period.from, scope.period.to]),
      scope.channel ? sql('r.channel = ?', [scope.channel]) : sql(''),
    ],
    ' and ',
  );
}

const FROM_RESPONSES = 'survey_response r join survey s on s.tenant_id = r.tenant_id and s.id = r.survey_id';

export async function surveyAnalytics(em: Em, scope: AnalyticsScope, bucket: TimeBucket): Promise<SurveyAnalytics> {
  const complete = scopeSql(scope, 'r.completed_at');
  const rows = await em.execute<ScoreRow[]>(
    `select grouping(bucket)::int as gb, grouping(channel)::int as gc, grouping(tier)::int as gt, bucket, channel, tier,
            count(*)::int as responses, 0 as partial, count(score)::int as scored,
            count(*) filter (where score >= 9)::int as promoters,
            count(*) filter (where score between 7 and 8)::int as passives,
            count(*) filter (where score <= 6)::int as detractors,
            count(*) filter (where score >= 4)::int as satisfied,
            count(*) filter (where score >= 5)::int as easy,
            avg(score)::float8 as average
       from (
         select r.channel, r.score, m.value_tier as tier,
                (date_trunc(?, r.completed_at at time zone tz.time_zone) at time zone tz.time_zone) as bucket
           from ${FROM_RESPONSES}
           cross join (select time_zone from tenant where id = ?) tz
           left join customer_metrics m on m.tenant_id = r.tenant_id and m.customer_id = r.customer_id
          where r.status = 'COMPLETE' and ${complete.text}
       ) x
      group by grouping sets ((), (bucket), (channel), (tier))`,
    [truncUnit(bucket), scope.tenantId, ...complete.params],
  );
  const started = scopeSql(scope, 'r.started_at');
  const [{ partial }] = await em.execute<{ partial: number }[]>(
    `select count(*)::int as partial from ${FROM_RESPONSES} where r.status = 'PARTIAL' and ${started.text}`,
    started.params,
  );
  const series = await bucketSeries((text, params) => em.execute(text, params), scope.tenantId, scope.period, bucket);
  const overall = rows.find((r) => Number(r.gb) && Number(r.gc) && Number(r.gt));
  const byBucket = new Map(rows.filter((r) => !Number(r.gb)).map((r) => [new Date(r.bucket!).toISOString(), r]));
  const channels = rows.filter((r) => !Number(r.gc)).sort((a, b) => Number(b.responses) - Number(a.responses) || a.channel!.localeCompare(b.channel!));
  const tierOrder = (t: ValueTier | null) => (t ? Object.values(ValueTier).indexOf(t) : 99);
  const tiers = rows.filter((r) => !Number(r.gt)).sort((a, b) => tierOrder(a.tier) - tierOrder(b.tier));
  return Object.assign(new SurveyAnalytics(), {
    scope,
    surveyId: scope.surveyId,
    kind: scope.kind,
    period: scope.period,
    bucket,
    summary: summaryOf(scope.kind, overall),
    partialResponses: Number(partial),
    buckets: series.map((b) =>
      Object.assign(new ScoreBucket(), { start: b.start, end: b.end, summary: summaryOf(scope.kind, byBucket.get(b.start.toISOString())) }),
    ),
    byChannel: channels.map((r) => Object.assign(new ChannelScore(), { channel: r.channel, summary: summaryOf(scope.kind, r) })),
    byTier: tiers.map((r) => Object.assign(new TierScore(), { tier: r.tier ?? null, summary: summaryOf(scope.kind, r) })),
    bySegment: await segmentScores(em, scope),
    questions: scope.surveyId ? await questionStats(em, scope) : [],
  });
}

/** Per current segment of the responding customer, in one statement over segment_member. */
async function segmentScores(em: Em, scope: AnalyticsScope): Promise<SegmentScore[]> {
  const complete = scopeSql(scope, 'r.completed_at');
  const rows = await em.execute<(ScoreRow & { segment_id: string; name: string })[]>(
    `select sg.id as segment_id, sg.name,
            count(*)::int as responses, count(r.score)::int as scored,
            count(*) filter (where r.score >= 9)::int as promoters,
            count(*) filter (where r.score between 7 and 8)::int as passives,
            count(*) filter (where r.score <= 6)::int as detractors,
            count(*) filter (where r.score >= 4)::int as satisfied,
            count(*) filter (where r.score >= 5)::int as easy,
            avg(r.score)::float8 as average
       from ${FROM_RESPONSES}
       join segment_member sm on sm.tenant_id = r.tenant_id and sm.customer_id = r.customer_id
       join segment sg on sg.tenant_id = sm.tenant_id and sg.id = sm.segment_id and sg.archived_at is null
      where r.status = 'COMPLETE' and ${complete.text}
      group by sg.id, sg.name
      order by count(*) desc, sg.name, sg.id`,
    complete.params,
  );
  return rows.map((r) =>
    Object.assign(new SegmentScore(), { segmentId: r.segment_id, name: r.name, responses: Number(r.responses), summary: summaryOf(scope.kind, r) }),
  );
}

async function questionStats(em: Em, scope: AnalyticsScope): Promise<QuestionStats[]> {
  const where = scopeSql(scope, 'r.completed_at');
  const rows = await em.execute<{ gk: number; question_id: string; option: string | null; n: number; average: number | null }[]>(
    `select grouping(o.option)::int as gk, a.key as question_id, o.option, count(distinct r.id)::int as n,
            avg((a.value->>'value')::numeric)::float8 as average
       from ${FROM_RESPONSES}
       cross join lateral jsonb_each(r.answers) a
       cross join lateral (
         select a.value->>'value' as option where a.value->>'value' is not null
         union all
         select c.choice from jsonb_array_elements_text(case when jsonb_typeof(a.value->'choiceIds') = 'array' then a.value->'choiceIds' else '[]'::jsonb end) c(choice)
         union all
         select null where a.value->>'text' is not null
       ) o
      where r.status = 'COMPLETE' and ${where.text}
      group by grouping sets ((a.key), (a.key, o.option))`,
    where.params,
  );
  const stats = new Map<string, QuestionStats>();
  for (const r of rows.filter((x) => Number(x.gk))) {
    stats.set(r.question_id, Object.assign(new QuestionStats(), { questionId: r.question_id, answered: Number(r.n), average: round2(r.average), options: [] }));
  }
  for (const r of rows.filter((x) => !Number(x.gk) && x.option !== null)) {
    const s = stats.get(r.question_id)!;
    s.options.push(Object.assign(new OptionCount(), { option: r.option, count: Number(r.n), percent: percent(Number(r.n), s.answered) }));
  }
  for (const s of stats.values()) s.options.sort((a, b) => b.count - a.count || a.option.localeCompare(b.option, 'en', { numeric: true }));
  return [...stats.values()].sort((a, b) => a.questionId.localeCompare(b.questionId));
}

const VERBATIM_KEYS: SqlSortKey[] = [
  { expr: 'r.completed_at', prop: 'submittedAt', desc: true, kind: 'date' },
  { expr: 'a.key', prop: 'questionId', desc: true, kind: 'string' },
];

const VERBATIM_FIELDS: Record<string, FieldSpec> = {
  sentiment: { expr: `(a.value->>'sentiment')`, kind: 'enum' },
  score: { expr: 'r.score', kind: 'number' },
  channel: { expr: 'r.channel', kind: 'enum' },
  customerId: { expr: 'r.customer_id', kind: 'id' },
};

/** Free-text answers of the scope, newest first, keyset-paginated over (completed_at, question id, response id). */
export async function listVerbatims(em: Em, scope: AnalyticsScope, filter: VerbatimFilter | null | undefined, page: PageArgs) {
  const request = pageRequest(page, 3);
  if (filter?.customerId?.eq) checkId(filter.customerId.eq, 'filter.customerId.eq');
  if (filter?.contains != null && filter.contains.length > 200) {
    throw new BadUserInputError([{ path: 'filter.contains', message: 'must be at most 200 characters' }]);
  }
  const contains = filter?.contains ? `%${filter.contains.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const matching = joinSql(
    [
      scopeSql(scope, 'r.completed_at'),
      sql(`r.status = 'COMPLETE' and a.value->>'text' is not null`),
      filter?.questionId ? sql('a.key = ?', [filter.questionId]) : sql(''),
      contains ? sql(`a.value->>'text' ilike ?`, [contains]) : sql(''),
      compileFilter({ sentiment: filter?.sentiment, score: filter?.score, channel: filter?.channel, customerId: filter?.customerId }, VERBATIM_FIELDS),
    ],
    ' and ',
  );
  const where = joinSql([matching, keysetSql(VERBATIM_KEYS, request, 'r.id')], ' and ');
  const rows = await em.execute<Record<string, any>[]>(
    `select r.id as response_id, r.survey_id, a.key as question_id, a.value->>'text' as text, a.value->>'sentiment' as sentiment,
            r.score, r.channel, r.customer_id, r.completed_at
       from ${FROM_RESPONSES} cross join lateral jsonb_each(r.answers) a
      where ${where.text}
      order by ${orderSql(VERBATIM_KEYS, request.backward, 'r.id')} limit ?`,
    [...where.params, request.size + 1],
  );
  const nodes = rows.map((r) =>
    Object.assign(new Verbatim(), {
      id: r.response_id, responseId: r.response_id, surveyId: r.survey_id, questionId: r.question_id, text: r.text,
      sentiment: r.sentiment ?? null, score: r.score ?? null, channel: r.channel, customerId: r.customer_id ?? null, submittedAt: new Date(r.completed_at),
    }),
  );
  return buildConnection(VerbatimConnection, nodes, request, VERBATIM_KEYS, async () => {
    const [{ count }] = await em.execute<{ count: number }[]>(
      `select count(*)::int as count from ${FROM_RESPONSES} cross join lateral jsonb_each(r.answers) a where ${matching.text}`,
      matching.params,
    );
    return Number(count);
  });
}
