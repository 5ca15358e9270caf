/** A failed widget request, typed by the server's `extensions.code` (or NETWORK / HTTP_<status>). */
export class WidgetError extends Error {
  readonly code: string;
  /** Worth trying again later (network down, server unavailable, rate limited). */
  readonly retryable: boolean;
  /** Per-field messages of a BAD_USER_INPUT error. */
  readonly fields: { path: string; message: string }[];
  /** `extensions.reason`, e.g. TOKEN_EXPIRED / TOKEN_INVALID on UNAUTHENTICATED. */
  readonly reason?: string;
  /** The HTTP status, when a response arrived. */
  readonly status?: number;

  constructor(
    code: string,
    message: string,
    opts: { retryable?: boolean; fields?: { path: string; message: string }[]; reason?: string; status?: number } = {},
  ) {
    super(message);
    this.name = 'WidgetError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.fields = opts.fields ?? [];
    this.reason = opts.reason;
    this.status = opts.status;
  }
}

const RETRYABLE_CODES = new Set(['UNAVAILABLE', 'INTERNAL_SERVER_ERROR', 'RATE_LIMITED', 'NETWORK']);

export interface RequestConfig {
  endpoint: string;
  token?: string;
  publishableKey?: string;
}

interface GraphQLErrorBody {
  message?: string;
  extensions?: { code?: string; reason?: string; retryable?: boolean; fields?: { path: string; message: string }[] };
}

export interface RequestOptions {
  /** Sent as the Idempotency-Key header (mutations take it as an argument too). */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** A codegen TypedDocumentString: result and variable types travel with the document. */
export interface TypedDocument<TResult, TVariables> {
  __apiType?: (variables: TVariables) => TResult;
  toString(): string;
}

/**
 * One GraphQL operation over fetch. A publishable key goes in Authorization (with the widget token,
 * if any, in X-Clientele-Widget-Token); a token alone goes in Authorization. Throws WidgetError:
 * NETWORK (retryable) when fetch fails, the server's `extensions.code` otherwise (retryable for 5xx,
 * UNAVAILABLE, INTERNAL_SERVER_ERROR, RATE_LIMITED). An abort rejects with the AbortError itself.
 */
export function request<TResult, TVariables>(
  config: RequestConfig,
  document: TypedDocument<TResult, TVariables>,
  variables?: TVariables,
  options?: RequestOptions,
): Promise<TResult>;
export function request<TResult, TVariables = Record<string, unknown>>(
  config: RequestConfig,
  document: string | { toString(): string },
  variables?: TVariables,
  options?: RequestOptions,
): Promise<TResult>;
export async function request<TResult, TVariables>(
  config: RequestConfig,
  document: string | { toString(): string },
  variables?: TVariables,
  options: RequestOptions = {},
): Promise<TResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (config.publishableKey) {
    headers.authorization = `Bearer ${config.publishableKey}`;
    if (config.token) headers['x-clientele-widget-token'] = config.token;
  } else if (config.token) {
    headers.authorization = `Bearer ${config.token}`;
  }
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;

  let res: Response;
  try {
    res = await fetch(config.endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: String(document), variables: variables ?? {} }),
      signal: options.signal,
      credentials: 'omit',
      mode: 'cors',
    });
  } catch (error) {
    if ((error as Error)?.name === 'AbortError') throw error;
    throw new WidgetError('NETWORK', 'The server could not be reached', { retryable: true });
  }

  let body: { data?: TResult | null; errors?: GraphQLErrorBody[] } | undefined;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const first = body?.errors?.[0];
  if (first) {
    const code = first.extensions?.code ?? (res.status >= 500 ? 'UNAVAILABLE' : 'BAD_REQUEST');
    throw new WidgetError(code, first.message ?? code, {
      retryable: RETRYABLE_CODES.has(code) || res.status >= 500 || first.extensions?.retryable === true,
      fields: first.extensions?.fields,
      reason: first.extensions?.reason,
      status: res.status,
    });
  }
  if (!res.ok || !body || body.data == null) {
    throw new WidgetError(res.status >= 500 || res.status === 0 ? 'UNAVAILABLE' : `HTTP_${res.status}`, `The server answered ${res.status}`, {
      retryable: res.status >= 500 || res.status === 429,
      status: res.status,
    });
  }
  return body.data;
}

/** True when the error means the widget token has expired (the host must mint a new one). */
export function isTokenExpired(error: unknown): boolean {
  return error instanceof WidgetError && error.code === 'UNAUTHENTICATED' && error.reason === 'TOKEN_EXPIRED';
}
