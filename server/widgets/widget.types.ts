import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ApiKey } from '../auth/api-key.entity.js';
import { CasePriority, CaseStatus } from '../cases/case.entity.js';
import { CustomerKind } from '../customers/customer.entity.js';
import { Channel } from '../graphql/enums.js';
import { ChurnRiskLevel } from '../metrics/metrics.types.js';

export enum WidgetScope {
  CUSTOMER_CARD = 'CUSTOMER_CARD',
  CHURN_BADGE = 'CHURN_BADGE',
  FEEDBACK = 'FEEDBACK',
}
registerEnumType(WidgetScope, {
  name: 'WidgetScope',
  description: 'What a widget token may do. CUSTOMER_CARD: read widgetCustomer. CHURN_BADGE: read widgetCustomer { id displayName churn }. FEEDBACK: tie survey responses and feedback sent with a publishable key to the customer.',
});

@ObjectType({ description: 'A signed, short-lived credential for one customer, for widgets in a browser. Send it as Authorization: Bearer <token>, or as X-Clientele-Widget-Token next to a publishable key.' })
export class WidgetToken {
  @Field(() => String) token!: string;
  @Field(() => Date) expiresAt!: Date;
  @Field(() => ID) customerId!: string;
  @Field(() => [WidgetScope]) scopes!: WidgetScope[];
}

@ObjectType({ description: 'A newly created key. `key` is shown only this once; only its hash is stored.' })
export class CreatedApiKey {
  @Field(() => String) key!: string;
  @Field(() => ApiKey) apiKey!: ApiKey;
}

@InputType()
export class CreatePublishableKeyInput {
  @Field(() => String, { description: 'What the key is for (1–100 characters).' }) name!: string;
  @Field(() => [String], {
    description: 'Exact origins (scheme://host[:port], no path) browsers may use the key from; 1–20 of them.',
  })
  allowedOrigins!: string[];
}

@ObjectType({ description: 'Why a customer is at risk.' })
export class WidgetChurnReason {
  @Field(() => String, { description: 'A ChurnReasonCode, e.g. PURCHASE_FREQUENCY_FALLING.' }) code!: string;
  @Field(() => String, { description: 'One plain English sentence.' }) message!: string;
}

@ObjectType()
export class WidgetChurn {
  @Field(() => ChurnRiskLevel) level!: ChurnRiskLevel;
  @Field(() => Float, { nullable: true, description: '0–100.' }) score!: number | null;
  @Field(() => [WidgetChurnReason], { description: 'Strongest first.' }) reasons!: WidgetChurnReason[];
}

@ObjectType()
export class WidgetInteraction {
  @Field(() => ID) id!: string;
  @Field(() => Channel) channel!: Channel;
  @Field(() => Date) occurredAt!: Date;
  @Field(() => String, { nullable: true, description: 'The subject (no body).' }) summary!: string | null;
}

@ObjectType()
export class WidgetCase {
  @Field(() => ID) id!: string;
  @Field(() => String) subject!: string;
  @Field(() => CasePriority) priority!: CasePriority;
  @Field(() => CaseStatus) status!: CaseStatus;
  @Field(() => Date, { nullable: true, description: 'Resolution due (SLA).' }) dueAt!: Date | null;
  @Field(() => Boolean, { description: 'The SLA due time has passed.' }) breached!: boolean;
}

@ObjectType()
export class WidgetNps {
  @Field(() => Int) score!: number;
  @Field(() => Date) respondedAt!: Date;
}

@ObjectType({ description: 'The customer a widget token is bound to, with PII masked. Only for widget tokens.' })
export class WidgetCustomer {
  @Field(() => ID) id!: string;
  @Field(() => String) displayName!: string;
  @Field(() => CustomerKind) kind!: CustomerKind;
  @Field(() => String, { nullable: true }) company!: string | null;
  @Field(() => String, { nullable: true }) title!: string | null;
  @Field(() => String, { nullable: true, description: 'Masked: first character, ***, @domain (z***@example.com).' }) email!: string | null;
  @Field(() => String, { nullable: true, description: 'Masked: first 3 and last 4 digits kept (138****8000).' }) phone!: string | null;
  @Field(() => String, { description: 'The tenant currency (ISO 4217).' }) currency!: string;
  // tier, historicValue, predictedClv, rfmSegment, lifecycleStage and churn: field resolvers (WidgetCustomerResolver).
  @Field(() => [WidgetInteraction], { description: 'The last 3, newest first.' }) recentInteractions!: WidgetInteraction[];
  @Field(() => [WidgetCase], { description: 'Open cases (not RESOLVED or CLOSED), most urgent first, at most 5.' }) openCases!: WidgetCase[];
  @Field(() => Int) openCaseCount!: number;
  @Field(() => WidgetNps, { nullable: true, description: 'The latest completed NPS answer.' }) latestNps!: WidgetNps | null;
}
