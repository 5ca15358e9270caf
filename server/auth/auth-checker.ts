import type { AuthChecker } from 'type-graphql';
import type { Context } from '../context.js';
import { ForbiddenError } from '../graphql/errors.js';
import { Role } from './api-key.entity.js';
import { WRITE_ROLES } from './keys.service.js';

/** What `@Authorized(...)` may ask for. */
export const WRITE = 'WRITE';
export const ADMIN = 'ADMIN';

/**
 * `@Authorized(WRITE)`: ADMIN or AGENT. `@Authorized(ADMIN)`: ADMIN only.
 * Authentication itself happens before GraphQL runs (401 without a valid key).
 */
export const authChecker: AuthChecker<Context> = ({ context }, required) => {
  const role = context.principal.role;
  if (required.includes(ADMIN) && role !== Role.ADMIN) throw new ForbiddenError('Only an ADMIN key may do this');
  if (required.includes(WRITE) && !WRITE_ROLES.has(role)) {
    throw new ForbiddenError(`A ${role} key cannot change data; use an ADMIN or AGENT key`);
  }
  return true;
};
