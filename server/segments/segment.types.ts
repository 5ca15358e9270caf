import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Customer } from '../customers/customer.entity.js';
import { CustomerFilter } from '../customers/customer.inputs.js';
import { connectionType } from '../graphql/connection.js';
import { DecimalScalar } from '../graphql/scalars.js';

export enum SegmentKind {
  DYNAMIC = 'DYNAMIC',
  STATIC = 'STATIC',
  SNAPSHOT = 'SNAPSHOT',
}
registerEnumType(SegmentKind, {
  name: 'SegmentKind',
  description: 'DYNAMIC: members are the customers matching a saved CustomerFilter, as of the last refresh. STATIC: members added and removed explicitly. SNAPSHOT: a rule evaluated once and frozen.',
});

export enum MembershipChange {
  ENTERED = 'ENTERED',
  EXITED = 'EXITED',
}
registerEnumType(MembershipChange, { name: 'MembershipChange' });

/** A segment row as read from the database (resolvers add customers, history and stats). */
@ObjectType({ description: 'A named group of customers.' })
export class Segment {
  @Field(() => ID) id!: string;
  tenantId!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => SegmentKind) kind!: SegmentKind;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The saved CustomerFilter (DYNAMIC, and the rule a SNAPSHOT froze).' })
  rule!: Record<string, unknown> | null;
  @Field(() => ID, { nullable: true, description: 'The segment a SNAPSHOT was taken of.' }) sourceSegmentId!: string | null;
  @Field(() => Int, { description: 'Members now (as of the last refresh for DYNAMIC).' }) size!: number;
  @Field(() => Date, { nullable: true }) refreshedAt!: Date | null;
  @Field(() => Date, { nullable: true, description: 'When a SNAPSHOT was frozen.' }) frozenAt!: Date | null;
  @Field(() => Int) version!: number;
  @Field(() => Date, { nullable: true }) archivedAt!: Date | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

export const SegmentConnection = connectionType(Segment, 'Segment');

@ObjectType({ description: 'A customer entering or leaving a segment.' })
export class SegmentMembershipEvent {
  @Field(() => ID) customerId!: string;
  @Field(() => MembershipChange) change!: MembershipChange;
  @Field(() => Date) occurredAt!: Date;
  @Field(() => Customer, { nullable: true }) customer?: Customer | null;
}

@ObjectType()
export class SegmentPreview {
  @Field(() => Int, { description: 'Customers the rule matches now.' }) count!: number;
  @Field(() => [Customer], { description: 'Some of them, newest first.' }) sample!: Customer[];
}

@ObjectType({ description: 'What one refresh or membership change did.' })
export class SegmentRefreshResult {
  @Field(() => Segment) segment!: Segment;
  @Field(() => Int) entered!: number;
  @Field(() => Int) exited!: number;
}

@ObjectType()
export class ChurnRiskCount {
  @Field(() => String, { description: 'LOW, MEDIUM or HIGH; NONE for members without a churn risk yet.' }) level!: string;
  @Field(() => Int) customers!: number;
  @Field(() => Float) share!: number;
}

@ObjectType({ description: 'Figures over a segment’s current members, from customer metrics and NPS responses.' })
export class SegmentStats {
  @Field(() => Int) size!: number;
  @Field(() => DecimalScalar, { description: 'Historic spend of the members, in the tenant currency.' }) revenue!: string;
  @Field(() => Float, { nullable: true, description: 'Members’ share of the whole tenant’s historic spend (0–1).' }) revenueShare!: number | null;
  @Field(() => DecimalScalar, { nullable: true }) averagePredictedClv!: string | null;
  @Field(() => [ChurnRiskCount]) churnRiskMix!: ChurnRiskCount[];
  @Field(() => Float, { nullable: true, description: 'NPS (−100…100) over each member’s latest NPS answer; null when none answered.' }) averageNps!: number | null;
  @Field(() => Int) npsResponses!: number;
}

@InputType()
export class CreateSegmentInput {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => SegmentKind) kind!: SegmentKind;
  @Field(() => CustomerFilter, { nullable: true, description: 'Required for DYNAMIC and SNAPSHOT; not allowed for STATIC.' }) rule?: CustomerFilter | null;
  @Field(() => [ID], { nullable: true, description: 'STATIC: the first members.' }) customerIds?: string[] | null;
}

@InputType()
export class UpdateSegmentInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => CustomerFilter, { nullable: true, description: 'DYNAMIC only; the segment is refreshed with the new rule.' }) rule?: CustomerFilter | null;
}
