import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Customer } from '../customers/customer.entity.js';
import { connectionType } from '../graphql/connection.js';
import { Channel } from '../graphql/enums.js';
import { InteractionType } from '../interactions/interaction.entity.js';

@ObjectType({ description: 'How often customers of a tier (or a segment) must be contacted, and how.' })
export class ContactPolicy {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true, description: 'Applies to customers in this tier…' }) tier!: string | null;
  @Field(() => ID, { nullable: true, description: '…or to the members of this segment.' }) segmentId!: string | null;
  @Field(() => Int) cadenceDays!: number;
  @Field(() => Channel) channel!: Channel;
  @Field(() => Int, { description: 'When several policies apply to a customer, the highest priority wins (then the shortest cadence).' }) priority!: number;
  @Field(() => Boolean) active!: boolean;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@InputType()
export class ContactPolicyInput {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true, description: 'Exactly one of tier and segmentId.' }) tier?: string | null;
  @Field(() => ID, { nullable: true }) segmentId?: string | null;
  @Field(() => Int, { description: '1–3660.' }) cadenceDays!: number;
  @Field(() => Channel) channel!: Channel;
  @Field(() => Int, { nullable: true, defaultValue: 0 }) priority?: number | null;
  @Field(() => Boolean, { nullable: true, defaultValue: true }) active?: boolean | null;
}

export enum FollowUpStatus {
  OPEN = 'OPEN',
  DONE = 'DONE',
  SKIPPED = 'SKIPPED',
}
registerEnumType(FollowUpStatus, { name: 'FollowUpStatus' });

@ObjectType({ description: 'A contact-plan task: contact this customer by `dueAt`.' })
export class FollowUp {
  @Field(() => ID) id!: string;
  tenantId!: string;
  @Field(() => ID) customerId!: string;
  @Field(() => Customer, { nullable: true }) customer?: Customer | null;
  @Field(() => ID, { nullable: true }) policyId!: string | null;
  @Field(() => FollowUpStatus) status!: FollowUpStatus;
  @Field(() => Date) dueAt!: Date;
  @Field(() => Boolean, { description: 'OPEN and past due.' }) overdue!: boolean;
  @Field(() => Channel) channel!: Channel;
  @Field(() => String, { nullable: true, description: 'The customer’s owner when generated.' }) assignee!: string | null;
  @Field(() => String, { nullable: true }) outcome!: string | null;
  @Field(() => String, { nullable: true, description: 'Why it was last rescheduled or skipped.' }) reason!: string | null;
  @Field(() => ID, { nullable: true, description: 'The interaction that completed it.' }) interactionId!: string | null;
  @Field(() => Int) rescheduleCount!: number;
  @Field(() => Date, { nullable: true }) closedAt!: Date | null;
  @Field(() => Date) createdAt!: Date;
}

export const FollowUpConnection = connectionType(FollowUp, 'FollowUp');

@ObjectType()
export class GenerateFollowUpsResult {
  @Field(() => Int, { description: 'Follow-ups created by this run (0 when run again with nothing new due).' }) created!: number;
  @Field(() => Date) asOf!: Date;
}

@InputType()
export class CompleteFollowUpInput {
  @Field(() => String, { description: 'What came of the contact.' }) outcome!: string;
  @Field(() => InteractionType, { nullable: true, description: 'Defaults from the follow-up’s channel (PHONE: CALL, EMAIL: EMAIL, IN_PERSON: VISIT…).' })
  type?: InteractionType | null;
  @Field(() => Channel, { nullable: true, description: 'Defaults to the follow-up’s channel.' }) channel?: Channel | null;
  @Field(() => String, { nullable: true }) subject?: string | null;
  @Field(() => String, { nullable: true }) body?: string | null;
  @Field(() => Date, { nullable: true, description: 'Defaults to now.' }) occurredAt?: Date | null;
  @Field(() => Int, { nullable: true }) durationSeconds?: number | null;
}

@ObjectType({ description: 'Customers under a contact policy at the end of the period, and how many were contacted within their cadence.' })
export class ContactComplianceEntry {
  @Field(() => String, { nullable: true, description: 'The customers’ tier now (null: no tier).' }) tier!: string | null;
  @Field(() => Int) customers!: number;
  @Field(() => Int) contactedWithinCadence!: number;
  @Field(() => Float, { nullable: true }) share!: number | null;
  @Field(() => Int, { description: 'Follow-ups completed during the period.' }) followUpsCompleted!: number;
  @Field(() => Int, { description: 'Follow-ups open and past due at the end of the period.' }) followUpsOverdue!: number;
}
