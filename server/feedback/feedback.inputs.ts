import { Field, ID, InputType, Int } from 'type-graphql';
import { connectionType } from '../graphql/connection.js';
import { DateTimeFilter, enumFilter, IdFilter, StringFilter } from '../graphql/filters.js';
import { SentimentFilter } from '../surveys/survey.inputs.js';
import { Feedback, FeedbackSource, FeedbackStatus } from './feedback.entity.js';

export const FeedbackConnection = connectionType(Feedback, 'Feedback');
export const FeedbackSourceFilter = enumFilter<FeedbackSource>(FeedbackSource, 'FeedbackSource');
export const FeedbackStatusFilter = enumFilter<FeedbackStatus>(FeedbackStatus, 'FeedbackStatus');

@InputType()
export class SubmitFeedbackInput {
  @Field(() => String, { description: 'At most 10,000 characters; English, Chinese or both.' }) text!: string;
  @Field(() => FeedbackSource) source!: FeedbackSource;
  @Field(() => ID, { nullable: true, description: 'Omit when the author is unknown.' }) customerId?: string | null;
  @Field(() => ID, { nullable: true }) categoryId?: string | null;
  @Field(() => [String], { nullable: true, description: 'At most 50 tags of 50 characters.' }) tags?: string[] | null;
  @Field(() => Int, { nullable: true, description: '1–5 stars.' }) rating?: number | null;
  @Field(() => Date, { nullable: true, description: 'When the customer said it; defaults to now.' }) occurredAt?: Date | null;
  @Field(() => String, { nullable: true }) assignee?: string | null;
  @Field(() => ID, { nullable: true, description: 'Link to a service case of the same customer.' }) caseId?: string | null;
}

@InputType({ description: 'Omitted fields stay; null clears.' })
export class UpdateFeedbackInput {
  @Field(() => ID, { nullable: true }) categoryId?: string | null;
  @Field(() => [String], { nullable: true }) tags?: string[] | null;
  @Field(() => String, { nullable: true }) assignee?: string | null;
  @Field(() => ID, { nullable: true }) caseId?: string | null;
  @Field(() => Int, { nullable: true }) rating?: number | null;
}

@InputType()
export class FeedbackCategoryInput {
  @Field(() => String, { description: 'At most 100 characters; unique per tenant ignoring case.' }) name!: string;
  @Field(() => String, { nullable: true, description: 'At most 2,000 characters.' }) description?: string | null;
}

@InputType()
export class FeedbackFilter {
  @Field(() => FeedbackSourceFilter, { nullable: true }) source?: InstanceType<typeof FeedbackSourceFilter>;
  @Field(() => FeedbackStatusFilter, { nullable: true }) status?: InstanceType<typeof FeedbackStatusFilter>;
  @Field(() => SentimentFilter, { nullable: true }) sentiment?: InstanceType<typeof SentimentFilter>;
  @Field(() => IdFilter, { nullable: true }) categoryId?: IdFilter;
  @Field(() => Boolean, { nullable: true, description: 'true: only items without a category.' }) uncategorized?: boolean;
  @Field(() => IdFilter, { nullable: true }) customerId?: IdFilter;
  @Field(() => IdFilter, { nullable: true }) caseId?: IdFilter;
  @Field(() => StringFilter, { nullable: true }) assignee?: StringFilter;
  @Field(() => [String], { nullable: true, description: 'Items carrying all of these tags.' }) tags?: string[];
  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the text.' }) search?: string;
  @Field(() => DateTimeFilter, { nullable: true }) occurredAt?: DateTimeFilter;
  @Field(() => [FeedbackFilter], { nullable: true }) and?: FeedbackFilter[];
  @Field(() => [FeedbackFilter], { nullable: true }) or?: FeedbackFilter[];
  @Field(() => FeedbackFilter, { nullable: true }) not?: FeedbackFilter;
}
