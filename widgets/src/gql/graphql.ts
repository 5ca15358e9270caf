/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
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

/** NPS: value 0–10. RATING: value 1..scale. SINGLE_CHOICE: one choice id. MULTI_CHOICE: one or more choice ids. TEXT: up to 10,000 characters. */
export type QuestionKind =
  | 'MULTI_CHOICE'
  | 'NPS'
  | 'RATING'
  | 'SINGLE_CHOICE'
  | 'TEXT';

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