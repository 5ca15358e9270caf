import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../db/ids.js';
import { Channel } from '../graphql/enums.js';

export enum InteractionType {
  CALL = 'CALL',
  EMAIL = 'EMAIL',
  MEETING = 'MEETING',
  VISIT = 'VISIT',
  CHAT = 'CHAT',
  SOCIAL = 'SOCIAL',
  MESSAGE = 'MESSAGE',
  NOTE = 'NOTE',
  EVENT = 'EVENT',
}
registerEnumType(InteractionType, { name: 'InteractionType' });

export enum Direction {
  INBOUND = 'INBOUND',
  OUTBOUND = 'OUTBOUND',
  INTERNAL = 'INTERNAL',
}
registerEnumType(Direction, { name: 'Direction' });

@ObjectType({ description: 'One touchpoint with a customer: a call, an email, a visit…' })
@Entity({ tableName: 'interaction' })
export class Interaction {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Field(() => ID)
  @Property({ type: 'uuid' })
  customerId!: string;

  @Field(() => InteractionType)
  @Enum({ items: () => InteractionType })
  type!: InteractionType;

  @Field(() => Channel)
  @Enum({ items: () => Channel })
  channel!: Channel;

  @Field(() => Direction)
  @Enum({ items: () => Direction })
  direction: Direction = Direction.INBOUND;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', nullable: true })
  subject: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  body: string | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  occurredAt!: Date;

  @Field(() => Int, { nullable: true, description: 'Seconds.' })
  @Property({ type: 'integer', nullable: true })
  durationSeconds: number | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', nullable: true })
  outcome: string | null = null;

  @Field(() => String, { nullable: true, description: 'Who on the tenant’s side handled it.' })
  @Property({ type: 'string', nullable: true })
  agent: string | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
