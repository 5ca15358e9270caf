import { GraphQLError } from 'graphql';

/** The one small set of error codes every client can switch on (DESIGN §5). */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

export interface FieldError {
  /** Dotted path of the offending input, e.g. `input.email` or `input.lineItems.2.quantity`. */
  path: string;
  message: string;
}

export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extensions } });
  }
}

export class BadUserInputError extends AppError {
  constructor(public readonly fields: FieldError[], message?: string) {
    super('BAD_USER_INPUT', message ?? fields.map((f) => `${f.path}: ${f.message}`).join('; '), { fields });
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} was not found`, { id });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super('CONFLICT', message, extensions);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Your key’s role does not allow this') {
    super('FORBIDDEN', message);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Send a valid key as Authorization: Bearer <key>') {
    super('UNAUTHENTICATED', message);
  }
}

export class UnavailableError extends AppError {
  constructor(message = 'The database is unavailable; retry shortly') {
    super('UNAVAILABLE', message, { retryable: true });
  }
}

/**
 * Collects field errors so one response reports every bad field, not just the first.
 * Services call `check` per rule and `throwIfAny` before writing anything.
 */
export class InputErrors {
  readonly fields: FieldError[] = [];
  add(path: string, message: string): void {
    this.fields.push({ path, message });
  }
  get any(): boolean {
    return this.fields.length > 0;
  }
  throwIfAny(): void {
    if (this.any) throw new BadUserInputError(this.fields);
  }
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH',
  '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004',
]);

/** True when an error means "the database is not reachable right now", not a bug. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: any = error, depth = 0; e && depth < 5; e = e.cause ?? e.originalError, depth++) {
    if (typeof e.code === 'string' && CONNECTION_ERROR_CODES.has(e.code)) return true;
    const message = String(e.message ?? '');
    if (/timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/i.test(message)) {
      return true;
    }
    if (e.constructor?.name === 'ConnectionException') return true;
  }
  return false;
}
