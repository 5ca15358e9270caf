/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type CasePriority =
  | 'HIGH'
  | 'LOW'
  | 'MEDIUM'
  | 'URGENT';

/** OPEN -> IN_PROGRESS | WAITING_CUSTOMER | RESOLVED; IN_PROGRESS <-> WAITING_CUSTOMER; IN_PROGRESS | WAITING_CUSTOMER -> RESOLVED; RESOLVED -> CLOSED, or back to IN_PROGRESS (reopen). CLOSED is final. */
export type CaseStatus =
  | 'CLOSED'
  | 'IN_PROGRESS'
  | 'OPEN'
  | 'RESOLVED'
  | 'WAITING_CUSTOMER';

/** Where a customer touchpoint happened. */
export type Channel =
  | 'CHAT'
  | 'EMAIL'
  | 'IN_PERSON'
  | 'MOBILE_APP'
  | 'OTHER'
  | 'PARTNER'
  | 'PHONE'
  | 'SMS'
  | 'SOCIAL'
  | 'WEB'
  | 'WECHAT';

/** HIGH from churn score highRiskScore (default 60), MEDIUM from mediumRiskScore (default 30); CHURNED when the lifecycle stage is CHURNED. */
export type ChurnRiskLevel =
  | 'CHURNED'
  | 'HIGH'
  | 'LOW'
  | 'MEDIUM';

export type CustomerKind =
  | 'ORGANIZATION'
  | 'PERSON';

/** Where the customer is in their relationship, from the purchase history (rules in docs and server/metrics/lifecycle.ts). */
export type LifecycleStage =
  /** No purchase for churnedRecencyDays (default 365) or P(alive) below churnedPAlive (default 0.15). */
  | 'CHURNED'
  /** A one-time buyer past NEW; frequency or spend falling against their own baseline; overdue; or P(alive) below lowPAlive. */
  | 'DECLINING'
  /** Buying more often or spending more than their own baseline, or a repeat buyer in their first year. */
  | 'GROWING'
  /** A steady repeat customer. */
  | 'MATURE'
  /** First purchase within newCustomerDays (default 90). */
  | 'NEW'
  /** No purchase yet. */
  | 'PROSPECT'
  /** Bought again in the recent window after a gap of at least wonBackGapDays (default 180). */
  | 'WON_BACK';

/** NPS: value 0–10. RATING: value 1..scale. SINGLE_CHOICE: one choice id. MULTI_CHOICE: one or more choice ids. TEXT: up to 10,000 characters. */
export type QuestionKind =
  | 'MULTI_CHOICE'
  | 'NPS'
  | 'RATING'
  | 'SINGLE_CHOICE'
  | 'TEXT';

/** Named cell of the R × FM grid (server/metrics/rfm.ts segmentOf). */
export type RfmSegment =
  | 'ABOUT_TO_SLEEP'
  | 'AT_RISK'
  | 'CANNOT_LOSE_THEM'
  | 'CHAMPIONS'
  | 'HIBERNATING'
  | 'LOST'
  | 'LOYAL'
  | 'NEED_ATTENTION'
  | 'NEW'
  | 'POTENTIAL_LOYALIST'
  | 'PROMISING';

export type SubmitSurveyResponseInput = {
  answers: Array<SurveyAnswerInput>;
  channel: Channel;
  /** Omit for an anonymous response. */
  customerId?: string | number | null | undefined;
  /** The invitation answered (e.g. a case’s CSAT follow-up); implies its customer. */
  invitationId?: string | number | null | undefined;
  /** true: store these answers and keep the response open (required questions not enforced). false: complete it. */
  partial?: boolean | null | undefined;
  surveyId: string | number;
};

/** Give the field the question kind takes: value (NPS, RATING), choiceIds (choices) or text (TEXT). All empty clears the answer. */
export type SurveyAnswerInput = {
  choiceIds?: Array<string> | null | undefined;
  questionId: string;
  /** At most 10,000 characters. */
  text?: string | null | undefined;
  value?: number | null | undefined;
};

/** NPS scores its first NPS question (0–10); CSAT its first 1–5 RATING question; CES its first 1–7 RATING question; CUSTOM has no score. */
export type SurveyKind =
  | 'CES'
  | 'CSAT'
  | 'CUSTOM'
  | 'NPS';

export type SurveyResponseStatus =
  | 'COMPLETE'
  | 'PARTIAL';

/** Only ACTIVE surveys take responses. DRAFT -> ACTIVE <-> CLOSED. */
export type SurveyStatus =
  | 'ACTIVE'
  | 'CLOSED'
  | 'DRAFT';

export type WidgetChurnBadgeQueryVariables = Exact<{ [key: string]: never; }>;


export type WidgetChurnBadgeQuery = { widgetCustomer: { id: string, displayName: string, churn: { level: ChurnRiskLevel, score: number | null, reasons: Array<{ code: string, message: string }> } | null } };

export type WidgetCustomerCardQueryVariables = Exact<{ [key: string]: never; }>;


export type WidgetCustomerCardQuery = { widgetCustomer: { id: string, displayName: string, kind: CustomerKind, company: string | null, title: string | null, currency: string, tier: string | null, rfmSegment: RfmSegment | null, lifecycleStage: LifecycleStage | null, openCaseCount: number, historicValue: { amount: string, currency: string } | null, predictedClv: { amount: string, currency: string } | null, churn: { level: ChurnRiskLevel, score: number | null, reasons: Array<{ code: string, message: string }> } | null, recentInteractions: Array<{ id: string, channel: Channel, occurredAt: string, summary: string | null }>, openCases: Array<{ id: string, subject: string, priority: CasePriority, status: CaseStatus, dueAt: string | null, breached: boolean }>, latestNps: { score: number, respondedAt: string } | null } };

export type FeedbackFormSurveyQueryVariables = Exact<{
  id: string | number;
}>;


export type FeedbackFormSurveyQuery = { survey: { id: string, kind: SurveyKind, version: number, status: SurveyStatus, title: { en: string | null, zhCN: string | null }, description: { en: string | null, zhCN: string | null } | null, questions: Array<{ id: string, kind: QuestionKind, required: boolean, scale: number | null, text: { en: string | null, zhCN: string | null }, choices: Array<{ id: string, text: { en: string | null, zhCN: string | null } }> }> } };

export type FeedbackFormSubmitMutationVariables = Exact<{
  idempotencyKey: string;
  input: SubmitSurveyResponseInput;
}>;


export type FeedbackFormSubmitMutation = { submitSurveyResponse: { id: string, status: SurveyResponseStatus } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const WidgetChurnBadgeDocument = new TypedDocumentString(`
    query WidgetChurnBadge {
  widgetCustomer {
    id
    displayName
    churn {
      level
      score
      reasons {
        code
        message
      }
    }
  }
}
    `) as unknown as TypedDocumentString<WidgetChurnBadgeQuery, WidgetChurnBadgeQueryVariables>;
export const WidgetCustomerCardDocument = new TypedDocumentString(`
    query WidgetCustomerCard {
  widgetCustomer {
    id
    displayName
    kind
    company
    title
    currency
    tier
    historicValue {
      amount
      currency
    }
    predictedClv {
      amount
      currency
    }
    rfmSegment
    lifecycleStage
    churn {
      level
      score
      reasons {
        code
        message
      }
    }
    recentInteractions {
      id
      channel
      occurredAt
      summary
    }
    openCases {
      id
      subject
      priority
      status
      dueAt
      breached
    }
    openCaseCount
    latestNps {
      score
      respondedAt
    }
  }
}
    `) as unknown as TypedDocumentString<WidgetCustomerCardQuery, WidgetCustomerCardQueryVariables>;
export const FeedbackFormSurveyDocument = new TypedDocumentString(`
    query FeedbackFormSurvey($id: ID!) {
  survey(id: $id) {
    id
    kind
    version
    status
    title {
      en
      zhCN
    }
    description {
      en
      zhCN
    }
    questions {
      id
      kind
      required
      scale
      text {
        en
        zhCN
      }
      choices {
        id
        text {
          en
          zhCN
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<FeedbackFormSurveyQuery, FeedbackFormSurveyQueryVariables>;
export const FeedbackFormSubmitDocument = new TypedDocumentString(`
    mutation FeedbackFormSubmit($idempotencyKey: String!, $input: SubmitSurveyResponseInput!) {
  submitSurveyResponse(idempotencyKey: $idempotencyKey, input: $input) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<FeedbackFormSubmitMutation, FeedbackFormSubmitMutationVariables>;