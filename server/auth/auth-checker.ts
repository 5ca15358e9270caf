import type { AuthChecker } from 'type-graphql';
import type { Context } from '../context.js';
import { ForbiddenError } from '../graphql/errors.js';
import { Role } from './api-key.entity.js';
import { isBrowserPrincipal, WRITE_ROLES } from './keys.service.js';
import { PUBLISHABLE_WRITES } from './widget-allowlist.js';

/** What `@Authorized(...)` may ask for. */
export const WRITE = 'WRITE';
export const ADMIN = 'ADMIN';
/** createWidgetToken: any secret key that may read customers except READ_ONLY (ADMIN, AGENT, ANALYST). */
export const MINT_WIDGET_TOKENS = 'MINT_WIDGET_TOKENS';

const MINT_ROLES: ReadonlySet<Role> = new Set([Role.ADMIN, Role.AGENT, Role.ANALYST]);

/**
 * `@Authorized(WRITE)`: ADMIN or AGENT. `@Authorized(ADMIN)`: ADMIN only.
 * Authentication itself happens before GraphQL runs (401 without a valid key). Browser
 * credentials (publishable keys, widget tokens) were already held to their allowlist before
 * execution; here they may write only through the few mutations made for them.
 */
export const authChecker: AuthChecker<Context> = ({ context, info }, required) => {
  const principal = context.principal;
  if (isBrowserPrincipal(principal)) {
    const coordinate = `${info.parentType.name}.${info.fieldName}`;
    if (required.includes(WRITE) && !required.includes(ADMIN) && PUBLISHABLE_WRITES.has(coordinate)) return true;
    throw new ForbiddenError(`A publishable key or widget token may not use ${coordinate}`);
  }
  const role = principal.role;
  if (required.includes(ADMIN) && role !== Role.ADMIN) throw new ForbiddenError('Only an ADMIN key may do this');
  if (required.includes(WRITE) && !WRITE_ROLES.has(role)) {
    throw new ForbiddenError(`A ${role} key cannot change data; use an ADMIN or AGENT key`);
  }
  if (required.includes(MINT_WIDGET_TOKENS) && !MINT_ROLES.has(role)) {
    throw new ForbiddenError('Only an ADMIN, AGENT or ANALYST key may mint widget tokens');
  }
  return true;
};
