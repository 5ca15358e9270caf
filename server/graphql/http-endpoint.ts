import type http from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from '@apollo/server';
import type { Context } from '../context.js';
import { BUSY, type Admission } from './admission.js';

/** A connect-style middleware (helmet, cors) called on the bare node request. */
export type NodeMiddleware = (req: http.IncomingMessage, res: http.ServerResponse, next: (err?: unknown) => void) => void;

export interface GraphqlEndpointOptions {
  apollo: ApolloServer<Context>;
  /** Builds the request's context (authenticates); a GraphQLError thrown here is answered by Apollo. */
  context(req: http.IncomingMessage, res: http.ServerResponse): Promise<Context>;
  /** Run in order before the request is read; a middleware that answers (a CORS preflight) ends it. */
  middleware: NodeMiddleware[];
  /** Lets a request run once fewer than its limit do; middleware (preflights) runs before it. */
  admission: Admission;
  /** Runs the request in its own scope (the SQL statement counter). */
  scope<T>(fn: () => T): T;
  limitBytes: number;
  log(msg: string): void;
}

/** `/graphql`, `/graphql/`, with or without a query string, in any case (as Express matched it). */
export function isGraphqlPath(url: string | undefined): boolean {
  if (!url) return false;
  const end = url.indexOf('?');
  const path = end === -1 ? url : url.slice(0, end);
  return path.length <= 9 && /^\/graphql\/?$/i.test(path);
}

class BodyError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * The GraphQL endpoint on node:http, beside Express rather than inside it: the load benchmark's
 * requests all come here, and Express's router, request decoration and body-parser cost more per
 * request than executing a small query (see bench/README.md, session 10). Headers, CORS, body limits
 * and error shapes are the ones Express gave: helmet and cors are the same middleware, called here.
 */
export function graphqlEndpoint(opts: GraphqlEndpointOptions): { handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> } {
  const { apollo, middleware, admission, limitBytes, log } = opts;

  function runMiddleware(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    for (const mw of middleware) {
      let passed = false;
      mw(req, res, (err) => {
        if (err) throw err;
        passed = true;
      });
      if (!passed) return false;
    }
    return true;
  }

  async function answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let body: unknown;
    try {
      body = req.method === 'POST' ? await readJsonBody(req, limitBytes) : undefined;
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      // The body may be left partly unread (or its stream destroyed by the reader): the answer
      // goes out and the connection closes, so the client does not send its next request on it.
      req.resume();
      res.setHeader('Connection', 'close');
      sendError(res, error.status, error.message, 'BAD_REQUEST');
      return;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      headers,
      search: query === -1 ? '' : url.slice(query),
      body,
    };
    const response = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: () => opts.context(req, res) });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(req.method === 'HEAD' ? undefined : response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  return {
    async handle(req, res) {
      let admitted = false;
      try {
        if (!runMiddleware(req, res)) return;
        admitted = await admission.enter();
        if (!admitted) {
          res.setHeader('Retry-After', String(BUSY.retryAfterSeconds));
          sendError(res, BUSY.status, BUSY.message, 'UNAVAILABLE', { retryable: true });
          return;
        }
        // A client that gave up while waiting is not answered.
        if (req.socket.destroyed) return;
        await opts.scope(() => answer(req, res));
      } catch (error) {
        log(String((error as Error)?.stack ?? error));
        if (!res.headersSent) sendError(res, 500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
        else res.destroy();
      } finally {
        if (admitted) admission.leave();
      }
    },
  };
}

function sendError(res: http.ServerResponse, status: number, message: string, code: string, more: Record<string, unknown> = {}): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ errors: [{ message, extensions: { code, ...more } }] }));
}

const JSON_TYPE = /^application\/json\s*(?:;|$)/i;

/**
 * The body as express.json() read it: only `application/json` is parsed (anything else is left to
 * Apollo, which refuses it), UTF-8, gzip/deflate/br decoded, at most `limit` bytes after decoding.
 */
async function readJsonBody(req: http.IncomingMessage, limit: number): Promise<unknown> {
  const type = req.headers['content-type'];
  if (!type || !JSON_TYPE.test(type)) {
    req.resume();
    return undefined;
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw new BodyError(415, `The request body's charset ${charset.slice(0, 40)} is not supported; send UTF-8`);
  }
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    throw new BodyError(413, 'The request body is too large');
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  const decoder =
    encoding === 'identity' ? null
    : encoding === 'gzip' ? createGunzip()
    : encoding === 'deflate' ? createInflate()
    : encoding === 'br' ? createBrotliDecompress()
    : undefined;
  if (decoder === undefined) {
    throw new BodyError(415, `Content-Encoding ${encoding.slice(0, 40)} is not supported`);
  }
  const stream: NodeJS.ReadableStream = decoder ? req.pipe(decoder) : req;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new BodyError(413, 'The request body is too large');
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof BodyError) throw error;
    throw new BodyError(400, 'The request body could not be read');
  }
  const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new BodyError(400, 'The request body is not valid JSON');
  }
}
