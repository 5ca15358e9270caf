import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Arg, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../db/ids.js';
import { Channel } from '../graphql/enums.js';
import { Sentiment } from '../feedback/sentiment.js';

export enum SurveyKind {
  NPS = 'NPS',
  CSAT = 'CSAT',
  CES = 'CES',
  CUSTOM = 'CUSTOM',
}
registerEnumType(SurveyKind, {
  name: 'SurveyKind',
  description: 'NPS scores its first NPS question (0–10); CSAT its first 1–5 RATING question; CES its first 1–7 RATING question; CUSTOM has no score.',
});

export enum SurveyStatus {
  DRAFT = 'DRAFT',
  ACTIVE = 'ACTIVE',
  CLOSED = 'CLOSED',
}
registerEnumType(SurveyStatus, { name: 'SurveyStatus', description: 'Only ACTIVE surveys take responses. DRAFT -> ACTIVE <-> CLOSED.' });

export enum QuestionKind {
  NPS = 'NPS',
  RATING = 'RATING',
  SINGLE_CHOICE = 'SINGLE_CHOICE',
  MULTI_CHOICE = 'MULTI_CHOICE',
  TEXT = 'TEXT',
}
registerEnumType(QuestionKind, {
  name: 'QuestionKind',
  description: 'NPS: value 0–10. RATING: value 1..scale. SINGLE_CHOICE: one choice id. MULTI_CHOICE: one or more choice ids. TEXT: up to 10,000 characters.',
});

export enum ResponseStatus {
  PARTIAL = 'PARTIAL',
  COMPLETE = 'COMPLETE',
}
registerEnumType(ResponseStatus, { name: 'SurveyResponseStatus' });

/** Text in English and Simplified Chinese, as stored. */
export interface StoredText {
  en: string | null;
  zhCN: string | null;
}

export interface StoredChoice {
  id: string;
  text: StoredText;
}

export interface StoredQuestion {
  id: string;
  kind: QuestionKind;
  required: boolean;
  text: StoredText;
  scale: number | null;
  choices: StoredChoice[];
}

/** One answer as stored in `survey_response.answers`, keyed by question id. */
export interface StoredAnswer {
  value?: number;
  choiceIds?: string[];
  text?: string;
  sentiment?: Sentiment;
}

@ObjectType({ description: 'Text in English and Simplified Chinese; either may be missing.' })
export class LocalizedText {
  @Field(() => String, { nullable: true }) en!: string | null;
  @Field(() => String, { nullable: true, description: 'Simplified Chinese (zh-CN).' }) zhCN!: string | null;

  @Field(() => String, { description: 'The text in `locale` ("en" or "zh-CN"), falling back to the other language.' })
  text(@Arg('locale', () => String, { defaultValue: 'en' }) locale: string): string {
    const zh = /^zh/i.test(locale);
    return (zh ? (this.zhCN ?? this.en) : (this.en ?? this.zhCN)) ?? '';
  }

  static of(stored: StoredText | null | undefined): LocalizedText {
    return Object.assign(new LocalizedText(), { en: stored?.en ?? null, zhCN: stored?.zhCN ?? null });
  }
}

@ObjectType()
export class SurveyChoice {
  @Field(() => String) id!: string;
  @Field(() => LocalizedText) text!: LocalizedText;
}

@ObjectType()
export class SurveyQuestion {
  @Field(() => String, { description: 'Stable across versions when kept in an edit; answers refer to it.' }) id!: string;
  @Field(() => QuestionKind) kind!: QuestionKind;
  @Field(() => Boolean) required!: boolean;
  @Field(() => LocalizedText) text!: LocalizedText;
  @Field(() => Int, { nullable: true, description: 'RATING: answers run from 1 to scale. NPS: 10 (answers 0–10).' }) scale!: number | null;
  @Field(() => [SurveyChoice]) choices!: SurveyChoice[];

  static of(q: StoredQuestion): SurveyQuestion {
    return Object.assign(new SurveyQuestion(), {
      id: q.id,
      kind: q.kind,
      required: q.required,
      text: LocalizedText.of(q.text),
      scale: q.kind === QuestionKind.NPS ? 10 : q.scale,
      choices: q.choices.map((c) => Object.assign(new SurveyChoice(), { id: c.id, text: LocalizedText.of(c.text) })),
    });
  }
}

@ObjectType({ description: 'One answer of a response, in question order.' })
export class SurveyAnswer {
  @Field(() => String) questionId!: string;
  @Field(() => SurveyQuestion, { nullable: true, description: 'The question as it read in the response’s version.' }) question!: SurveyQuestion | null;
  @Field(() => Int, { nullable: true }) value!: number | null;
  @Field(() => [String], { nullable: true }) choiceIds!: string[] | null;
  @Field(() => String, { nullable: true }) text!: string | null;
  @Field(() => Sentiment, { nullable: true, description: 'TEXT answers only.' }) sentiment!: Sentiment | null;
}

@ObjectType({ description: 'A questionnaire. Editing an ACTIVE or CLOSED survey publishes a new version; responses keep theirs.' })
@Entity({ tableName: 'survey' })
export class Survey {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Field(() => String, { description: 'Internal name (not shown to customers).' })
  @Property({ type: 'string' })
  name!: string;

  @Field(() => SurveyKind)
  @Enum({ items: () => SurveyKind })
  kind!: SurveyKind;

  @Field(() => SurveyStatus)
  @Enum({ items: () => SurveyStatus })
  status: SurveyStatus = SurveyStatus.DRAFT;

  @Field(() => Int, { description: 'The current question-set version; new responses answer this one.' })
  @Property({ type: 'integer' })
  version: number = 1;

  @Field(() => Int, { description: 'Increments on every change; pass it back to updateSurvey.' })
  @Property({ type: 'integer' })
  revision: number = 1;

  @Field(() => Boolean, { description: 'Sent as the CSAT follow-up when a service case is resolved (at most one per tenant).' })
  @Property({ type: 'boolean' })
  caseFollowUp: boolean = false;

  @Field(() => ID, { nullable: true, description: 'When set, only current members of this segment may respond (see targetSegment).' })
  @Property({ type: 'uuid', nullable: true })
  targetSegmentId: string | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  activatedAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  closedAt: Date | null = null;
}

@ObjectType({ description: 'One published question set of a survey.' })
@Entity({ tableName: 'survey_version' })
export class SurveyVersion {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Field(() => ID)
  @Property({ type: 'uuid' })
  surveyId!: string;

  @Field(() => Int)
  @Property({ type: 'integer' })
  version!: number;

  @Property({ type: 'json' })
  title!: StoredText;

  @Property({ type: 'json', nullable: true })
  description: StoredText | null = null;

  @Property({ type: 'json' })
  questions!: StoredQuestion[];

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}

@ObjectType({ description: 'A customer’s (or an anonymous) answers to one version of a survey.' })
@Entity({ tableName: 'survey_response' })
export class SurveyResponse {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Field(() => ID)
  @Property({ type: 'uuid' })
  surveyId!: string;

  @Field(() => Int, { description: 'The survey version these answers belong to.' })
  @Property({ type: 'integer' })
  surveyVersion!: number;

  @Field(() => ID, { nullable: true, description: 'Null for an anonymous response.' })
  @Property({ type: 'uuid', nullable: true })
  customerId: string | null = null;

  @Field(() => ID, { nullable: true })
  @Property({ type: 'uuid', nullable: true })
  invitationId: string | null = null;

  @Field(() => Channel)
  @Enum({ items: () => Channel })
  channel!: Channel;

  @Field(() => ResponseStatus)
  @Enum({ items: () => ResponseStatus })
  status: ResponseStatus = ResponseStatus.PARTIAL;

  @Property({ type: 'json' })
  answers: Record<string, StoredAnswer> = {};

  @Field(() => Int, { nullable: true, description: 'The answer to the survey’s score question (NPS 0–10, CSAT 1–5, CES 1–7).' })
  @Property({ type: 'smallint', nullable: true })
  score: number | null = null;

  @Property({ type: 'string' })
  idempotencyKey!: string;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  startedAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  completedAt: Date | null = null;
}

@ObjectType({ description: 'A survey sent to a customer, e.g. the CSAT follow-up of a resolved service case.' })
@Entity({ tableName: 'survey_invitation' })
export class SurveyInvitation {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Field(() => ID)
  @Property({ type: 'uuid' })
  surveyId!: string;

  @Field(() => ID, { nullable: true })
  @Property({ type: 'uuid', nullable: true })
  customerId: string | null = null;

  @Field(() => ID, { nullable: true })
  @Property({ type: 'uuid', nullable: true })
  caseId: string | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
