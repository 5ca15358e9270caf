import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType, isObjectType, Kind, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type FragmentDefinitionNode,
  type GraphQLSchema, type OperationDefinitionNode,
} from 'graphql';
import type { Context } from '../context.js';
import { AppError } from '../graphql/errors.js';
import { ApiKeyKind } from './api-key.entity.js';
import type { Principal } from './keys.service.js';

/**
 * What browser credentials may select, as schema coordinates (`Type.field`). Everything else is
 * FORBIDDEN before execution, so a leaked publishable key or token can never reach a resolver
 * it was not made for, whatever the resolver itself checks.
 */
const LOCALIZED = ['LocalizedText.en', 'LocalizedText.zhCN', 'LocalizedText.text'];

/** Publishable keys: read a survey to render it, submit answers and feedback. */
export const PUBLISHABLE_FIELDS: ReadonlySet<string> = new Set([
  'Query.survey',
  ...['id', 'kind', 'version', 'title', 'description', 'questions', 'status'].map((f) => `Survey.${f}`),
  ...['id', 'kind', 'required', 'scale', 'text', 'choices'].map((f) => `SurveyQuestion.${f}`),
  'SurveyChoice.id', 'SurveyChoice.text',
  ...LOCALIZED,
  'Mutation.submitSurveyResponse',
  // What a form needs back; not the answers, the customer or the invitation.
  ...['id', 'status', 'score', 'channel', 'surveyId', 'surveyVersion', 'startedAt', 'updatedAt', 'completedAt'].map((f) => `SurveyResponse.${f}`),
  'Mutation.submitFeedback',
  ...['id', 'status', 'source', 'rating', 'sentiment', 'occurredAt', 'createdAt'].map((f) => `Feedback.${f}`),
]);

/** The mutations the publishable allowlist contains (the auth checker lets these through). */
export const PUBLISHABLE_WRITES: ReadonlySet<string> = new Set(['Mutation.submitSurveyResponse', 'Mutation.submitFeedback']);

const CHURN_FIELDS = ['WidgetChurn.level', 'WidgetChurn.score', 'WidgetChurn.reasons', 'WidgetChurnReason.code', 'WidgetChurnReason.message'];

/** Widget tokens: per scope. FEEDBACK grants nothing to read; it ties answers sent with a publishable key to the customer. */
export const TOKEN_SCOPE_FIELDS: Record<string, ReadonlySet<string>> = {
  CHURN_BADGE: new Set(['Query.widgetCustomer', 'WidgetCustomer.id', 'WidgetCustomer.displayName', 'WidgetCustomer.churn', ...CHURN_FIELDS]),
  CUSTOMER_CARD: new Set([
    'Query.widgetCustomer',
    ...['id', 'displayName', 'kind', 'company', 'title', 'email', 'phone', 'currency', 'tier', 'historicValue', 'predictedClv', 'rfmSegment',
      'lifecycleStage', 'churn', 'recentInteractions', 'openCases', 'openCaseCount', 'latestNps'].map((f) => `WidgetCustomer.${f}`),
    ...CHURN_FIELDS,
    'Money.amount', 'Money.currency',
    ...['id', 'channel', 'occurredAt', 'summary'].map((f) => `WidgetInteraction.${f}`),
    ...['id', 'subject', 'priority', 'status', 'dueAt', 'breached'].map((f) => `WidgetCase.${f}`),
    'WidgetNps.score', 'WidgetNps.respondedAt',
  ]),
  FEEDBACK: new Set(),
};

/** The coordinates a browser principal may select, or null for a secret key (no restriction). */
export function allowedFields(principal: Principal): ((coordinate: string) => boolean) | null {
  if (principal.kind === ApiKeyKind.PUBLISHABLE) return (c) => PUBLISHABLE_FIELDS.has(c);
  if (principal.widget) {
    const sets = principal.widget.scopes.map((s) => TOKEN_SCOPE_FIELDS[s]).filter(Boolean);
    return (c) => sets.some((set) => set.has(c));
  }
  return null;
}

/**
 * The first selected field (in document order, fragments followed where they are spread) that
 * `allowed` rejects, as a coordinate; null when every field is allowed. `__typename` is always fine.
 */
export function firstDisallowedField(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  allowed: (coordinate: string) => boolean,
): string | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const pending: (OperationDefinitionNode | FragmentDefinitionNode)[] = [operation];
  const seen = new Set<string>();
  let found: string | null = null;
  while (pending.length && !found) {
    const node = pending.shift()!;
    const typeInfo = new TypeInfo(schema);
    visit(
      node,
      visitWithTypeInfo(typeInfo, {
        Field(field) {
          if (found) return false;
          const name = field.name.value;
          if (name === '__typename') return undefined;
          const parent = typeInfo.getParentType();
          const coordinate = `${parent ? getNamedType(parent).name : '?'}.${name}`;
          if (!allowed(coordinate)) {
            found = coordinate;
            return false;
          }
          // Sanity: an allowed field of an unknown type would be a validation error already.
          if (parent && !isObjectType(parent)) {
            found = coordinate;
            return false;
          }
          return undefined;
        },
        FragmentSpread(spread) {
          const name = spread.name.value;
          if (!seen.has(name) && fragments.has(name)) {
            seen.add(name);
            pending.push(fragments.get(name)!);
          }
        },
      }),
    );
  }
  return found;
}

/**
 * Holds publishable keys and widget tokens to their allowlists once per operation, after it is
 * parsed and validated and before anything executes. Secret keys skip the walk entirely.
 */
export function widgetAllowlistPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, document, operation, schema }) {
          const allowed = allowedFields(contextValue.principal);
          if (!allowed || !operation) return;
          const field = firstDisallowedField(schema, document, operation, allowed);
          if (field) {
            const who = contextValue.principal.kind === ApiKeyKind.PUBLISHABLE ? 'A publishable key' : 'This widget token';
            throw new AppError('FORBIDDEN', `${who} may not select ${field}`, { field, http: { status: 403 } });
          }
        },
      };
    },
  };
}
