import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../db/ids.js';
import { Sentiment } from './sentiment.js';

export enum FeedbackSource {
  WIDGET = 'WIDGET',
  SURVEY = 'SURVEY',
  EMAIL = 'EMAIL',
  PHONE = 'PHONE',
  SOCIAL = 'SOCIAL',
  SALES_REP = 'SALES_REP',
  SERVICE_REP = 'SERVICE_REP',
  MEETING = 'MEETING',
  REVIEW = 'REVIEW',
}
registerEnumType(FeedbackSource, { name: 'FeedbackSource', description: 'The listening post the feedback came through.' });

export enum FeedbackStatus {
  NEW = 'NEW',
  TRIAGED = 'TRIAGED',
  IN_PROGRESS = 'IN_PROGRESS',
  RESOLVED = 'RESOLVED',
  CLOSED = 'CLOSED',
}
registerEnumType(FeedbackStatus, {
  name: 'FeedbackStatus',
  description: 'NEW -> TRIAGED -> IN_PROGRESS -> RESOLVED -> CLOSED. Steps may be skipped forward; RESOLVED may reopen to IN_PROGRESS; CLOSED is final.',
});

@ObjectType({ description: 'A category of the tenant’s feedback taxonomy.' })
@Entity({ tableName: 'feedback_category' })
export class FeedbackCategory {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Field(() => String, { description: 'Unique per tenant, ignoring case.' })
  @Property({ type: 'string' })
  name!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Field(() => Date, { nullable: true, description: 'Archived categories keep their feedback but take no new items.' })
  @Property({ type: 'datetime', nullable: true })
  archivedAt: Date | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}

@ObjectType({ description: 'What a customer told us, through any listening post.' })
@Entity({ tableName: 'feedback' })
export class Feedback {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Field(() => ID, { nullable: true, description: 'Null when the author is unknown.' })
  @Property({ type: 'uuid', nullable: true })
  customerId: string | null = null;

  @Field(() => FeedbackSource)
  @Enum({ items: () => FeedbackSource })
  source!: FeedbackSource;

  @Field(() => ID, { nullable: true })
  @Property({ type: 'uuid', nullable: true })
  categoryId: string | null = null;

  @Field(() => [String])
  @Property({ type: 'json' })
  tags: string[] = [];

  @Field(() => String)
  @Property({ type: 'text' })
  text!: string;

  @Field(() => Int, { nullable: true, description: '1–5 stars, when the listening post collects one.' })
  @Property({ type: 'smallint', nullable: true })
  rating: number | null = null;

  @Field(() => Sentiment)
  @Enum({ items: () => Sentiment })
  sentiment!: Sentiment;

  @Field(() => Float, { description: 'From -1 (most negative) to 1 (most positive).' })
  @Property({ type: 'float' })
  sentimentScore!: number;

  @Field(() => String, { description: '"en" or "zh": the language the sentiment was read in.' })
  @Property({ type: 'string' })
  language!: string;

  @Field(() => FeedbackStatus)
  @Enum({ items: () => FeedbackStatus })
  status: FeedbackStatus = FeedbackStatus.NEW;

  @Field(() => String, { nullable: true, description: 'Who on the tenant’s side owns it.' })
  @Property({ type: 'string', nullable: true })
  assignee: string | null = null;

  @Field(() => ID, { nullable: true })
  @Property({ type: 'uuid', nullable: true })
  caseId: string | null = null;

  @Field(() => ID, { nullable: true, description: 'Set for feedback taken from a survey response’s free text.' })
  @Property({ type: 'uuid', nullable: true })
  surveyResponseId: string | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  occurredAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  resolvedAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  closedAt: Date | null = null;

  @Field(() => Int, { description: 'Increments on every change; pass it back to updateFeedback.' })
  @Property({ type: 'integer' })
  version: number = 1;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
