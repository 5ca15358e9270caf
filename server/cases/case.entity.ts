import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../db/ids.js';
import { Channel } from '../graphql/enums.js';

export enum CaseKind {
  COMPLAINT = 'COMPLAINT',
  INQUIRY = 'INQUIRY',
  REPAIR = 'REPAIR',
  REQUEST = 'REQUEST',
  RETURN = 'RETURN',
}
registerEnumType(CaseKind, { name: 'CaseKind' });

export enum CasePriority {
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
  URGENT = 'URGENT',
}
registerEnumType(CasePriority, { name: 'CasePriority' });

export enum CaseStatus {
  OPEN = 'OPEN',
  IN_PROGRESS = 'IN_PROGRESS',
  WAITING_CUSTOMER = 'WAITING_CUSTOMER',
  RESOLVED = 'RESOLVED',
  CLOSED = 'CLOSED',
}
registerEnumType(CaseStatus, {
  name: 'CaseStatus',
  description:
    'OPEN -> IN_PROGRESS | WAITING_CUSTOMER | RESOLVED; IN_PROGRESS <-> WAITING_CUSTOMER; IN_PROGRESS | WAITING_CUSTOMER -> RESOLVED; ' +
    'RESOLVED -> CLOSED, or back to IN_PROGRESS (reopen). CLOSED is final.',
});

export enum CompensationKind {
  REFUND = 'REFUND',
  CREDIT = 'CREDIT',
  VOUCHER = 'VOUCHER',
  DISCOUNT = 'DISCOUNT',
  REPLACEMENT = 'REPLACEMENT',
  GIFT = 'GIFT',
  OTHER = 'OTHER',
}
registerEnumType(CompensationKind, { name: 'CompensationKind' });

@ObjectType({ description: 'A complaint, inquiry, repair, request or return the tenant must handle within its SLA.' })
@Entity({ tableName: 'service_case' })
export class ServiceCase {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Field(() => ID)
  @Property({ type: 'uuid' })
  customerId!: string;

  @Field(() => CaseKind)
  @Enum({ items: () => CaseKind })
  kind!: CaseKind;

  @Field(() => CasePriority)
  @Enum({ items: () => CasePriority })
  priority!: CasePriority;

  @Field(() => Channel)
  @Enum({ items: () => Channel })
  channel!: Channel;

  @Field(() => CaseStatus)
  @Enum({ items: () => CaseStatus })
  status: CaseStatus = CaseStatus.OPEN;

  @Field(() => String)
  @Property({ type: 'string' })
  subject!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', nullable: true })
  assignee: string | null = null;

  @Field(() => String, { nullable: true, description: 'How it was resolved (given when resolving).' })
  @Property({ type: 'text', nullable: true })
  resolution: string | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  openedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'First move out of OPEN.' })
  @Property({ type: 'datetime', nullable: true })
  firstResponseAt: Date | null = null;

  @Field(() => Date, { nullable: true, description: 'Latest resolution; cleared when reopened.' })
  @Property({ type: 'datetime', nullable: true })
  resolvedAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  closedAt: Date | null = null;

  @Property({ type: 'datetime' })
  firstResponseDueAt!: Date;

  @Property({ type: 'datetime' })
  resolutionTargetAt!: Date;

  @Property({ type: 'datetime' })
  resolutionDeadlineAt!: Date;

  @Field(() => Int)
  @Property({ type: 'integer' })
  reopenCount: number = 0;

  @Field(() => Int, { description: 'Increments on every change; pass it back to updateServiceCase and transitionServiceCase.' })
  @Property({ type: 'integer' })
  version: number = 1;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}

@ObjectType({ description: 'One status change of a case.' })
@Entity({ tableName: 'case_event' })
export class CaseEvent {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Field(() => ID)
  @Property({ type: 'uuid' })
  caseId!: string;

  @Field(() => CaseStatus, { nullable: true, description: 'Null for the opening event.' })
  @Enum({ items: () => CaseStatus, nullable: true })
  fromStatus: CaseStatus | null = null;

  @Field(() => CaseStatus)
  @Enum({ items: () => CaseStatus })
  toStatus!: CaseStatus;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  note: string | null = null;

  @Field(() => ID, { nullable: true, description: 'The API key that made the change.' })
  @Property({ type: 'uuid', nullable: true })
  actorKeyId: string | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  occurredAt!: Date;
}

@ObjectType({ description: 'Something given to the customer to make up for the problem.' })
@Entity({ tableName: 'case_compensation' })
export class CaseCompensation {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Field(() => ID)
  @Property({ type: 'uuid' })
  caseId!: string;

  @Field(() => CompensationKind)
  @Enum({ items: () => CompensationKind })
  kind!: CompensationKind;

  /** Exact decimal; exposed as `amount: Money`. */
  @Property({ type: 'decimal', precision: 19, scale: 4, nullable: true, fieldName: 'amount' })
  amountValue: string | null = null;

  @Property({ type: 'string', nullable: true })
  currency: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
