import { ApiKeyKind } from '../auth/api-key.entity.js';
import type { Principal } from '../auth/keys.service.js';
import { ForbiddenError, InputErrors } from '../graphql/errors.js';

/**
 * Writes made with a publishable key (survey responses, feedback) never name the customer
 * themselves: a page's visitor could claim to be anyone. The customer comes from a widget token
 * with scope FEEDBACK sent in X-Clientele-Widget-Token, or the answer is anonymous. Naming it
 * anyway (or another field only the back office sets) is BAD_USER_INPUT at that field.
 * Secret keys are unaffected: the input is returned as it is.
 */
export function browserWriteInput<T extends { customerId?: string | null }>(
  principal: Principal,
  input: T,
  backOfficeFields: (keyof T & string)[],
  path = 'input',
): T {
  if (principal.kind !== ApiKeyKind.PUBLISHABLE) return input;
  const errors = new InputErrors();
  if (input.customerId != null) {
    errors.add(`${path}.customerId`, 'a publishable key cannot name the customer; send a widget token with scope FEEDBACK as X-Clientele-Widget-Token');
  }
  for (const field of backOfficeFields) {
    if (input[field] != null) errors.add(`${path}.${field}`, 'cannot be set with a publishable key');
  }
  errors.throwIfAny();
  if (!principal.widget) return input;
  if (!principal.widget.scopes.includes('FEEDBACK')) throw new ForbiddenError('The widget token lacks scope FEEDBACK, which ties answers to its customer');
  return { ...input, customerId: principal.widget.customerId };
}
