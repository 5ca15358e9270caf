/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query WidgetChurnBadge {\n  widgetCustomer {\n    id\n    displayName\n    churn {\n      level\n      score\n      reasons {\n        code\n        message\n      }\n    }\n  }\n}": typeof types.WidgetChurnBadgeDocument,
    "query WidgetCustomerCard {\n  widgetCustomer {\n    id\n    displayName\n    kind\n    company\n    title\n    currency\n    tier\n    historicValue {\n      amount\n      currency\n    }\n    predictedClv {\n      amount\n      currency\n    }\n    rfmSegment\n    lifecycleStage\n    churn {\n      level\n      score\n      reasons {\n        code\n        message\n      }\n    }\n    recentInteractions {\n      id\n      channel\n      occurredAt\n      summary\n    }\n    openCases {\n      id\n      subject\n      priority\n      status\n      dueAt\n      breached\n    }\n    openCaseCount\n    latestNps {\n      score\n      respondedAt\n    }\n  }\n}": typeof types.WidgetCustomerCardDocument,
    "query FeedbackFormSurvey($id: ID!) {\n  survey(id: $id) {\n    id\n    kind\n    version\n    status\n    title {\n      en\n      zhCN\n    }\n    description {\n      en\n      zhCN\n    }\n    questions {\n      id\n      kind\n      required\n      scale\n      text {\n        en\n        zhCN\n      }\n      choices {\n        id\n        text {\n          en\n          zhCN\n        }\n      }\n    }\n  }\n}\n\nmutation FeedbackFormSubmit($idempotencyKey: String!, $input: SubmitSurveyResponseInput!) {\n  submitSurveyResponse(idempotencyKey: $idempotencyKey, input: $input) {\n    id\n    status\n  }\n}": typeof types.FeedbackFormSurveyDocument,
};
const documents: Documents = {
    "query WidgetChurnBadge {\n  widgetCustomer {\n    id\n    displayName\n    churn {\n      level\n      score\n      reasons {\n        code\n        message\n      }\n    }\n  }\n}": types.WidgetChurnBadgeDocument,
    "query WidgetCustomerCard {\n  widgetCustomer {\n    id\n    displayName\n    kind\n    company\n    title\n    currency\n    tier\n    historicValue {\n      amount\n      currency\n    }\n    predictedClv {\n      amount\n      currency\n    }\n    rfmSegment\n    lifecycleStage\n    churn {\n      level\n      score\n      reasons {\n        code\n        message\n      }\n    }\n    recentInteractions {\n      id\n      channel\n      occurredAt\n      summary\n    }\n    openCases {\n      id\n      subject\n      priority\n      status\n      dueAt\n      breached\n    }\n    openCaseCount\n    latestNps {\n      score\n      respondedAt\n    }\n  }\n}": types.WidgetCustomerCardDocument,
    "query FeedbackFormSurvey($id: ID!) {\n  survey(id: $id) {\n    id\n    kind\n    version\n    status\n    title {\n      en\n      zhCN\n    }\n    description {\n      en\n      zhCN\n    }\n    questions {\n      id\n      kind\n      required\n      scale\n      text {\n        en\n        zhCN\n      }\n      choices {\n        id\n        text {\n          en\n          zhCN\n        }\n      }\n    }\n  }\n}\n\nmutation FeedbackFormSubmit($idempotencyKey: String!, $input: SubmitSurveyResponseInput!) {\n  submitSurveyResponse(idempotencyKey: $idempotencyKey, input: $input) {\n    id\n    status\n  }\n}": types.FeedbackFormSurveyDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query WidgetChurnBadge {\n  widgetCustomer {\n    id\n    displayName\n    churn {\n      level\n      score\n      reasons {\n        code\n        message\n      }\n    }\n  }\n}"): typeof import('./graphql').WidgetChurnBadgeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query WidgetCustomerCard {\n  widgetCustomer {\n    id\n    displayName\n    kind\n    company\n    title\n    currency\n    tier\n    historicValue {\n      amount\n      currency\n    }\n    predictedClv {\n      amount\n      currency\n    }\n    rfmSegment\n    lifecycleStage\n    churn {\n      level\n      score\n      reasons {\n        code\n        message\n      }\n    }\n    recentInteractions {\n      id\n      channel\n      occurredAt\n      summary\n    }\n    openCases {\n      id\n      subject\n      priority\n      status\n      dueAt\n      breached\n    }\n    openCaseCount\n    latestNps {\n      score\n      respondedAt\n    }\n  }\n}"): typeof import('./graphql').WidgetCustomerCardDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query FeedbackFormSurvey($id: ID!) {\n  survey(id: $id) {\n    id\n    kind\n    version\n    status\n    title {\n      en\n      zhCN\n    }\n    description {\n      en\n      zhCN\n    }\n    questions {\n      id\n      kind\n      required\n      scale\n      text {\n        en\n        zhCN\n      }\n      choices {\n        id\n        text {\n          en\n          zhCN\n        }\n      }\n    }\n  }\n}\n\nmutation FeedbackFormSubmit($idempotencyKey: String!, $input: SubmitSurveyResponseInput!) {\n  submitSurveyResponse(idempotencyKey: $idempotencyKey, input: $input) {\n    id\n    status\n  }\n}"): typeof import('./graphql').FeedbackFormSurveyDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
