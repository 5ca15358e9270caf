import { createUnionType, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { connectionType } from '../graphql/connection.js';
import { Interaction } from '../interactions/interaction.entity.js';
import { Order } from '../orders/order.entity.js';
import { Feedback } from '../feedback/feedback.entity.js';
import { SurveyResponse } from '../surveys/survey.entity.js';
import { ServiceCase } from '../cases/case.entity.js';

export enum TimelineKind {
  INTERACTION = 'INTERACTION',
  ORDER = 'ORDER',
  FEEDBACK = 'FEEDBACK',
  SURVEY_RESPONSE = 'SURVEY_RESPONSE',
  SERVICE_CASE = 'SERVICE_CASE',
}
registerEnumType(TimelineKind, {
  name: 'TimelineKind',
  description: 'When each happened: interaction and order occurredAt, feedback occurredAt, survey response completedAt (completed ones only), case openedAt.',
});

export const TimelineItem = createUnionType({
  name: 'TimelineItem',
  types: () => [Interaction, Order, Feedback, SurveyResponse, ServiceCase] as const,
  resolveType: (value) => {
    if (value instanceof Interaction) return Interaction;
    if (value instanceof Order) return Order;
    if (value instanceof Feedback) return Feedback;
    if (value instanceof SurveyResponse) return SurveyResponse;
    if (value instanceof ServiceCase) return ServiceCase;
    return undefined;
  },
});

@ObjectType({ description: 'One thing that happened with a customer.' })
export class TimelineEntry {
  @Field(() => ID, { description: 'The id of the item.' }) id!: string;
  @Field(() => TimelineKind) kind!: TimelineKind;
  @Field(() => Date) occurredAt!: Date;
  customerId!: string;
}

export const TimelineConnection = connectionType(TimelineEntry, 'Timeline');
