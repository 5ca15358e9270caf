import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Channel } from '../graphql/enums.js';
import { connectionType } from '../graphql/connection.js';
import { DateTimeFilter, enumFilter, IdFilter, StringFilter } from '../graphql/filters.js';
import { DecimalScalar } from '../graphql/scalars.js';
import { ChannelFilter } from '../interactions/interaction.inputs.js';
import { CaseKind, CasePriority, CaseStatus, CompensationKind, ServiceCase } from './case.entity.js';
import { SlaState } from './sla.js';

export const ServiceCaseConnection = connectionType(ServiceCase, 'ServiceCase');
export const CaseKindFilter = enumFilter<CaseKind>(CaseKind, 'CaseKind');
export const CasePriorityFilter = enumFilter<CasePriority>(CasePriority, 'CasePriority');
export const CaseStatusFilter = enumFilter<CaseStatus>(CaseStatus, 'CaseStatus');
export const SlaStateFilter = enumFilter<SlaState>(SlaState, 'SlaState');

export enum ServiceCaseSort {
  NEWEST = 'NEWEST',
  DEADLINE = 'DEADLINE',
}
registerEnumType(ServiceCaseSort, {
  name: 'ServiceCaseSort',
  description: 'NEWEST: latest opened first. DEADLINE: the earliest resolution deadline first (the work queue).',
});

@InputType()
export class OpenServiceCaseInput {
  @Field(() => ID) customerId!: string;
  @Field(() => CaseKind) kind!: CaseKind;
  @Field(() => CasePriority, { nullable: true, defaultValue: CasePriority.MEDIUM }) priority?: CasePriority;
  @Field(() => Channel) channel!: Channel;
  @Field(() => String, { description: 'At most 200 characters.' }) subject!: string;
  @Field(() => String, { nullable: true, description: 'At most 10,000 characters.' }) description?: string | null;
  @Field(() => String, { nullable: true }) assignee?: string | null;
  @Field(() => Date, { nullable: true, description: 'When the customer raised it (for imports); defaults to now. SLA clocks start here.' })
  openedAt?: Date | null;
  @Field(() => ID, { nullable: true, description: 'Feedback that led to this case; it gets linked.' }) feedbackId?: string | null;
}

@InputType({ description: 'Omitted fields stay. Changing kind or priority re-times the SLA from the opening under the current policy.' })
export class UpdateServiceCaseInput {
  @Field(() => CaseKind, { nullable: true }) kind?: CaseKind | null;
  @Field(() => CasePriority, { nullable: true }) priority?: CasePriority | null;
  @Field(() => String, { nullable: true }) subject?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => String, { nullable: true }) assignee?: string | null;
}

@InputType()
export class TransitionServiceCaseInput {
  @Field(() => ID) caseId!: string;
  @Field(() => CaseStatus, { description: 'RESOLVED -> IN_PROGRESS reopens.' }) to!: CaseStatus;
  @Field(() => Int, { nullable: true, description: 'The version read; CONFLICT when the case changed since.' }) version?: number | null;
  @Field(() => String, { nullable: true, description: 'Why; kept in the case history. When resolving, it is the resolution.' }) note?: string | null;
}

@InputType()
export class CompensationInput {
  @Field(() => CompensationKind) kind!: CompensationKind;
  @Field(() => DecimalScalar, { nullable: true, description: 'Omit for non-monetary compensation (e.g. a replacement).' }) amount?: string | null;
  @Field(() => String, { nullable: true, description: 'ISO 4217; defaults to the tenant’s currency.' }) currency?: string | null;
  @Field(() => String, { nullable: true, description: 'At most 2,000 characters.' }) description?: string | null;
}

@InputType()
export class SlaPolicyInput {
  @Field(() => CaseKind) kind!: CaseKind;
  @Field(() => CasePriority) priority!: CasePriority;
  @Field(() => Int) firstResponseMinutes!: number;
  @Field(() => Int) resolutionTargetMinutes!: number;
  @Field(() => Int, { description: 'The hard maximum; at least the target.' }) resolutionMaxMinutes!: number;
}

@ObjectType({ description: 'Promised times for one kind × priority. New cases are timed by it; open cases keep their due dates.' })
export class SlaPolicy {
  @Field(() => CaseKind) kind!: CaseKind;
  @Field(() => CasePriority) priority!: CasePriority;
  @Field(() => Int) firstResponseMinutes!: number;
  @Field(() => Int) resolutionTargetMinutes!: number;
  @Field(() => Int) resolutionMaxMinutes!: number;
  @Field(() => Boolean, { description: 'True while the built-in default applies.' }) isDefault!: boolean;
}

@InputType()
export class ServiceCaseFilter {
  @Field(() => CaseKindFilter, { nullable: true }) kind?: InstanceType<typeof CaseKindFilter>;
  @Field(() => CasePriorityFilter, { nullable: true }) priority?: InstanceType<typeof CasePriorityFilter>;
  @Field(() => CaseStatusFilter, { nullable: true }) status?: InstanceType<typeof CaseStatusFilter>;
  @Field(() => ChannelFilter, { nullable: true }) channel?: InstanceType<typeof ChannelFilter>;
  @Field(() => SlaStateFilter, { nullable: true, description: 'SLA state now.' }) slaState?: InstanceType<typeof SlaStateFilter>;
  @Field(() => IdFilter, { nullable: true }) customerId?: IdFilter;
  @Field(() => StringFilter, { nullable: true }) assignee?: StringFilter;
  @Field(() => DateTimeFilter, { nullable: true }) openedAt?: DateTimeFilter;
  @Field(() => DateTimeFilter, { nullable: true }) resolvedAt?: DateTimeFilter;
  @Field(() => [ServiceCaseFilter], { nullable: true }) and?: ServiceCaseFilter[];
  @Field(() => [ServiceCaseFilter], { nullable: true }) or?: ServiceCaseFilter[];
  @Field(() => ServiceCaseFilter, { nullable: true }) not?: ServiceCaseFilter;
}
