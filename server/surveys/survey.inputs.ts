import { Field, ID, InputType, Int } from 'type-graphql';
import { Channel } from '../graphql/enums.js';
import { connectionType } from '../graphql/connection.js';
import { DateTimeFilter, enumFilter, IdFilter, StringFilter } from '../graphql/filters.js';
import { Sentiment } from '../feedback/sentiment.js';
import { ChannelFilter } from '../interactions/interaction.inputs.js';
import { QuestionKind, ResponseStatus, Survey, SurveyKind, SurveyResponse, SurveyStatus } from './survey.entity.js';

export const SurveyConnection = connectionType(Survey, 'Survey');
export const SurveyResponseConnection = connectionType(SurveyResponse, 'SurveyResponse');
export const SurveyKindFilter = enumFilter<SurveyKind>(SurveyKind, 'SurveyKind');
export const SurveyStatusFilter = enumFilter<SurveyStatus>(SurveyStatus, 'SurveyStatus');
export const SurveyResponseStatusFilter = enumFilter<ResponseStatus>(ResponseStatus, 'SurveyResponseStatus');
export const SentimentFilter = enumFilter<Sentiment>(Sentiment, 'Sentiment');

@InputType({ description: 'Whole-number comparisons.' })
export class ScoreFilter {
  @Field(() => Int, { nullable: true }) eq?: number;
  @Field(() => Int, { nullable: true }) ne?: number;
  @Field(() => [Int], { nullable: true }) in?: number[];
  @Field(() => Int, { nullable: true }) lt?: number;
  @Field(() => Int, { nullable: true }) lte?: number;
  @Field(() => Int, { nullable: true }) gt?: number;
  @Field(() => Int, { nullable: true }) gte?: number;
  @Field(() => Boolean, { nullable: true }) isNull?: boolean;
}

@InputType({ description: 'Text in English, Simplified Chinese or both (at least one).' })
export class LocalizedTextInput {
  @Field(() => String, { nullable: true }) en?: string | null;
  @Field(() => String, { nullable: true, description: 'Simplified Chinese (zh-CN).' }) zhCN?: string | null;
}

@InputType()
export class SurveyChoiceInput {
  @Field(() => String, { nullable: true, description: 'Stable id (letters, digits, _ and -); generated (c1, c2…) when omitted.' }) id?: string | null;
  @Field(() => LocalizedTextInput) text!: LocalizedTextInput;
}

@InputType()
export class SurveyQuestionInput {
  @Field(() => String, { nullable: true, description: 'Stable id; keep it across edits so answers stay comparable. Generated (q1, q2…) when omitted.' })
  id?: string | null;
  @Field(() => QuestionKind) kind!: QuestionKind;
  @Field(() => Boolean, { nullable: true, defaultValue: false }) required?: boolean;
  @Field(() => LocalizedTextInput) text!: LocalizedTextInput;
  @Field(() => Int, { nullable: true, description: 'RATING only: 2–10 (answers 1..scale).' }) scale?: number | null;
  @Field(() => [SurveyChoiceInput], { nullable: true, description: 'SINGLE_CHOICE / MULTI_CHOICE: 2–50 choices.' }) choices?: SurveyChoiceInput[] | null;
}

@InputType()
export class CreateSurveyInput {
  @Field(() => String, { description: 'Internal name, at most 200 characters.' }) name!: string;
  @Field(() => SurveyKind) kind!: SurveyKind;
  @Field(() => LocalizedTextInput, { nullable: true, description: 'Shown to customers; defaults to the name.' }) title?: LocalizedTextInput | null;
  @Field(() => LocalizedTextInput, { nullable: true }) description?: LocalizedTextInput | null;
  @Field(() => [SurveyQuestionInput], { nullable: true, description: 'Defaults to the standard questions of the kind (required for CUSTOM).' })
  questions?: SurveyQuestionInput[] | null;
  @Field(() => Boolean, { nullable: true, description: 'Make this the CSAT follow-up of resolved service cases (CSAT only).' })
  caseFollowUp?: boolean | null;
  @Field(() => ID, { nullable: true, description: 'Target one (non-archived) segment of this tenant: only its current members may respond.' })
  targetSegmentId?: string | null;
}

@InputType({ description: 'Changing title, description or questions of a survey that has been ACTIVE publishes a new version.' })
export class UpdateSurveyInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => LocalizedTextInput, { nullable: true }) title?: LocalizedTextInput | null;
  @Field(() => LocalizedTextInput, { nullable: true }) description?: LocalizedTextInput | null;
  @Field(() => [SurveyQuestionInput], { nullable: true }) questions?: SurveyQuestionInput[] | null;
  @Field(() => Boolean, { nullable: true }) caseFollowUp?: boolean | null;
  @Field(() => ID, { nullable: true, description: 'A segment id targets the survey at it; null removes the targeting; omitted keeps it.' })
  targetSegmentId?: string | null;
}

@InputType({ description: 'Give the field the question kind takes: value (NPS, RATING), choiceIds (choices) or text (TEXT). All empty clears the answer.' })
export class SurveyAnswerInput {
  @Field(() => String) questionId!: string;
  @Field(() => Int, { nullable: true }) value?: number | null;
  @Field(() => [String], { nullable: true }) choiceIds?: string[] | null;
  @Field(() => String, { nullable: true, description: 'At most 10,000 characters.' }) text?: string | null;
}

@InputType()
export class SubmitSurveyResponseInput {
  @Field(() => ID) surveyId!: string;
  @Field(() => [SurveyAnswerInput]) answers!: SurveyAnswerInput[];
  @Field(() => ID, { nullable: true, description: 'Omit for an anonymous response.' }) customerId?: string | null;
  @Field(() => ID, { nullable: true, description: 'The invitation answered (e.g. a case’s CSAT follow-up); implies its customer.' })
  invitationId?: string | null;
  @Field(() => Channel) channel!: Channel;
  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'true: store these answers and keep the response open (required questions not enforced). false: complete it.',
  })
  partial?: boolean;
}

@InputType()
export class SurveyFilter {
  @Field(() => SurveyKindFilter, { nullable: true }) kind?: InstanceType<typeof SurveyKindFilter>;
  @Field(() => SurveyStatusFilter, { nullable: true }) status?: InstanceType<typeof SurveyStatusFilter>;
  @Field(() => StringFilter, { nullable: true }) name?: StringFilter;
  @Field(() => DateTimeFilter, { nullable: true }) createdAt?: DateTimeFilter;
  @Field(() => [SurveyFilter], { nullable: true }) and?: SurveyFilter[];
  @Field(() => [SurveyFilter], { nullable: true }) or?: SurveyFilter[];
  @Field(() => SurveyFilter, { nullable: true }) not?: SurveyFilter;
}

@InputType()
export class SurveyResponseFilter {
  @Field(() => IdFilter, { nullable: true }) surveyId?: IdFilter;
  @Field(() => IdFilter, { nullable: true }) customerId?: IdFilter;
  @Field(() => ChannelFilter, { nullable: true }) channel?: InstanceType<typeof ChannelFilter>;
  @Field(() => SurveyResponseStatusFilter, { nullable: true }) status?: InstanceType<typeof SurveyResponseStatusFilter>;
  @Field(() => ScoreFilter, { nullable: true }) score?: ScoreFilter;
  @Field(() => DateTimeFilter, { nullable: true }) startedAt?: DateTimeFilter;
  @Field(() => DateTimeFilter, { nullable: true }) completedAt?: DateTimeFilter;
  @Field(() => [SurveyResponseFilter], { nullable: true }) and?: SurveyResponseFilter[];
  @Field(() => [SurveyResponseFilter], { nullable: true }) or?: SurveyResponseFilter[];
  @Field(() => SurveyResponseFilter, { nullable: true }) not?: SurveyResponseFilter;
}

@InputType({ description: 'Which free-text answers to list.' })
export class VerbatimFilter {
  @Field(() => String, { nullable: true, description: 'Only answers to this question.' }) questionId?: string | null;
  @Field(() => SentimentFilter, { nullable: true }) sentiment?: InstanceType<typeof SentimentFilter>;
  @Field(() => ScoreFilter, { nullable: true, description: 'The response’s score, e.g. { lte: 6 } for NPS detractors.' }) score?: ScoreFilter;
  @Field(() => ChannelFilter, { nullable: true }) channel?: InstanceType<typeof ChannelFilter>;
  @Field(() => IdFilter, { nullable: true }) customerId?: IdFilter;
  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the text.' }) contains?: string | null;
}
