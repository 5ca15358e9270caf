import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CaseKind, CasePriority } from './case.entity.js';

/**
 * SLA rules, pure: default targets, due dates, and the state of a clock at a moment.
 *
 * A case runs two clocks from the moment it opens:
 * - first response: due `firstResponseMinutes` after opening; AT_RISK once 75% of that window
 *   has passed; stops at the first move out of OPEN.
 * - resolution: AT_RISK once the resolution target passes, BREACHED once the hard maximum
 *   passes; stops at resolution. A reopened case resumes the same clock (it was not really
 *   resolved). Time in WAITING_CUSTOMER counts: promises are made in calendar time.
 * A stopped clock is ON_TRACK when it stopped by its due time and BREACHED otherwise (AT_RISK
 * is a warning for running clocks only). The case's state is the worse of the two.
 */

export enum SlaState {
  ON_TRACK = 'ON_TRACK',
  AT_RISK = 'AT_RISK',
  BREACHED = 'BREACHED',
}
registerEnumType(SlaState, { name: 'SlaState' });

export interface SlaTargets {
  firstResponseMinutes: number;
  resolutionTargetMinutes: number;
  resolutionMaxMinutes: number;
}

const H = 60;
const D = 24 * H;

/** Defaults at MEDIUM priority: what a tenant gets until an ADMIN sets its own policy. */
export const MEDIUM_DEFAULTS: Record<CaseKind, SlaTargets> = {
  COMPLAINT: { firstResponseMinutes: 4 * H, resolutionTargetMinutes: 2 * D, resolutionMaxMinutes: 3 * D },
  INQUIRY: { firstResponseMinutes: 8 * H, resolutionTargetMinutes: 1 * D, resolutionMaxMinutes: 2 * D },
  REPAIR: { firstResponseMinutes: 8 * H, resolutionTargetMinutes: 7 * D, resolutionMaxMinutes: 9 * D },
  REQUEST: { firstResponseMinutes: 8 * H, resolutionTargetMinutes: 3 * D, resolutionMaxMinutes: 5 * D },
  RETURN: { firstResponseMinutes: 8 * H, resolutionTargetMinutes: 5 * D, resolutionMaxMinutes: 7 * D },
};

/** Other priorities scale the MEDIUM times: URGENT a quarter, HIGH half, LOW one and a half. */
export const PRIORITY_FACTOR: Record<CasePriority, number> = { URGENT: 0.25, HIGH: 0.5, MEDIUM: 1, LOW: 1.5 };

export function defaultTargets(kind: CaseKind, priority: CasePriority): SlaTargets {
  const base = MEDIUM_DEFAULTS[kind];
  const f = PRIORITY_FACTOR[priority];
  return {
    firstResponseMinutes: Math.round(base.firstResponseMinutes * f),
    resolutionTargetMinutes: Math.round(base.resolutionTargetMinutes * f),
    resolutionMaxMinutes: Math.round(base.resolutionMaxMinutes * f),
  };
}

export interface CaseDueDates {
  firstResponseDueAt: Date;
  resolutionTargetAt: Date;
  resolutionDeadlineAt: Date;
}

const plusMinutes = (d: Date, minutes: number) => new Date(d.getTime() + minutes * 60_000);

export function dueDates(openedAt: Date, t: SlaTargets): CaseDueDates {
  return {
    firstResponseDueAt: plusMinutes(openedAt, t.firstResponseMinutes),
    resolutionTargetAt: plusMinutes(openedAt, t.resolutionTargetMinutes),
    resolutionDeadlineAt: plusMinutes(openedAt, t.resolutionMaxMinutes),
  };
}

@ObjectType({ description: 'One SLA clock of a case.' })
export class SlaClock {
  @Field(() => SlaState) state!: SlaState;
  @Field(() => Date, { description: 'From here the clock is AT_RISK (first response: 75% of its window; resolution: the target).' })
  atRiskAt!: Date;
  @Field(() => Date, { description: 'Past this the clock is BREACHED (first response due; resolution hard maximum).' }) dueAt!: Date;
  @Field(() => Date, { nullable: true, description: 'When the clock stopped (first response made / case resolved).' }) metAt!: Date | null;
  @Field(() => Int, { nullable: true, description: 'Seconds until dueAt (negative once overdue); null once stopped.' }) timeLeftSeconds!: number | null;
}

@ObjectType({ description: 'SLA standing of a case, computed at request time against the service clock.' })
export class CaseSla {
  @Field(() => SlaState, { description: 'The worse of the two clocks.' }) state!: SlaState;
  @Field(() => Int, { nullable: true, description: 'Seconds until the nearest running deadline (negative once overdue); null when resolved.' })
  timeLeftSeconds!: number | null;
  @Field(() => Date, { description: 'The promised resolution time.' }) targetAt!: Date;
  @Field(() => Date, { description: 'The hard maximum.' }) deadlineAt!: Date;
  @Field(() => SlaClock) firstResponse!: SlaClock;
  @Field(() => SlaClock) resolution!: SlaClock;
}

export function clockAt(now: Date, atRiskAt: Date, dueAt: Date, metAt: Date | null): SlaClock {
  const state = metAt
    ? metAt.getTime() > dueAt.getTime() ? SlaState.BREACHED : SlaState.ON_TRACK
    : now.getTime() > dueAt.getTime() ? SlaState.BREACHED : now.getTime() > atRiskAt.getTime() ? SlaState.AT_RISK : SlaState.ON_TRACK;
  return Object.assign(new SlaClock(), {
    state, atRiskAt, dueAt, metAt, timeLeftSeconds: metAt ? null : Math.round((dueAt.getTime() - now.getTime()) / 1000),
  });
}

const RANK: Record<SlaState, number> = { ON_TRACK: 0, AT_RISK: 1, BREACHED: 2 };

export interface SlaFacts {
  openedAt: Date;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  firstResponseDueAt: Date;
  resolutionTargetAt: Date;
  resolutionDeadlineAt: Date;
}

export function firstResponseAtRisk(c: Pick<SlaFacts, 'openedAt' | 'firstResponseDueAt'>): Date {
  return new Date(c.openedAt.getTime() + 0.75 * (c.firstResponseDueAt.getTime() - c.openedAt.getTime()));
}

export function caseSla(c: SlaFacts, now: Date): CaseSla {
  const firstResponse = clockAt(now, firstResponseAtRisk(c), c.firstResponseDueAt, c.firstResponseAt ?? c.resolvedAt);
  const resolution = clockAt(now, c.resolutionTargetAt, c.resolutionDeadlineAt, c.resolvedAt);
  const running = [firstResponse, resolution].map((k) => k.timeLeftSeconds).filter((s): s is number => s !== null);
  return Object.assign(new CaseSla(), {
    state: RANK[firstResponse.state] >= RANK[resolution.state] ? firstResponse.state : resolution.state,
    timeLeftSeconds: running.length ? Math.min(...running) : null,
    targetAt: c.resolutionTargetAt,
    deadlineAt: c.resolutionDeadlineAt,
    firstResponse,
    resolution,
  });
}

/**
 * The same state as `caseSla(...).state`, as SQL over service_case `t`, for filtering and
 * metrics. `now` is the service clock's own Date (never client input), inlined as a literal.
 */
export function slaStateSql(now: Date): string {
  const at = `'${now.toISOString()}'::timestamptz`;
  const responded = 'coalesce(t.first_response_at, t.resolved_at)';
  return `(case
    when coalesce(${responded}, ${at}) > t.first_response_due_at or coalesce(t.resolved_at, ${at}) > t.resolution_deadline_at then 'BREACHED'
    when (${responded} is null and ${at} > t.opened_at + (t.first_response_due_at - t.opened_at) * 0.75)
      or (t.resolved_at is null and ${at} > t.resolution_target_at) then 'AT_RISK'
    else 'ON_TRACK' end)`;
}
