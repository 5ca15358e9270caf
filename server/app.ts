import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { unwrapResolverError } from '@apollo/server/errors';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import helmet from 'helmet';
import type { Config } from './config.js';
import { ApiKeyKind } from './auth/api-key.entity.js';
import { authenticateKey, type Principal } from './auth/keys.service.js';
import { PrincipalCache } from './auth/principal-cache.js';
import { widgetAllowlistPlugin } from './auth/widget-allowlist.js';
import { looksLikeJwt, randomWidgetTokenSecret, tokenError, WidgetTokens } from './auth/widget-tokens.service.js';
import { Loaders, type Context } from './context.js';
import { pendingMigrations, sqlEm, type Orm } from './db/orm.js';
import { countSqlIn, currentSqlCounter } from './db/sql-counter.js';
import { isDatabaseUnavailable, type ErrorCode } from './graphql/errors.js';
import { compiledQueries, executionPlugins } from './graphql/execution.js';
import { Admission } from './graphql/admission.js';
import { graphqlEndpoint, isGraphqlPath } from './graphql/http-endpoint.js';
import { inputErrorPath } from './graphql/input-path.js';
import { getSchema } from './schema.js';
import { demoPage, type DemoWidgets } from './widgets/demo.js';

/** widgets/demo: the demo page template and its stylesheet. */
const DEMO_DIR = fileURLToPath(new URL('../widgets/demo', import.meta.url));

const CLIENT_CODES = new Set<string>(['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'UNAVAILABLE']);

/**
 * The one place errors become responses: known codes pass through, an unreachable database is
 * UNAVAILABLE, schema-level input errors become BAD_USER_INPUT with a field path, and anything
 * else is masked as INTERNAL_SERVER_ERROR (logged with its request id, never sent).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const code = String(formatted.extensions?.code ?? '');
  const { stacktrace: _omit, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
  // Our own errors pass through; Apollo's BAD_USER_INPUT (bad variables) has no fields yet.
  if (original instanceof GraphQLError && CLIENT_CODES.has(String(original.extensions?.code)) && (code !== 'BAD_USER_INPUT' || Array.isArray(extensions.fields))) {
    return { ...formatted, extensions };
  }
  if (isDatabaseUnavailable(original)) {
    return { message: 'The database is unavailable; retry shortly', path: formatted.path, extensions: { code: 'UNAVAILABLE' satisfies ErrorCode, retryable: true } };
  }
  if (code === 'BAD_USER_INPUT' || code === 'GRAPHQL_VALIDATION_FAILED' && /Expected type|Expected value of type|cannot represent|does not exist in|got invalid value|required type|was not provided|is not defined by type|Int cannot|String cannot|Float cannot/i.test(formatted.message)) {
    const path = inputErrorPath(formatted.message, original);
    return { ...formatted, extensions: { ...extensions, code: 'BAD_USER_INPUT', fields: path ? [{ path, message: formatted.message }] : [] } };
  }
  if (['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE'].includes(code)) {
    return { ...formatted, extensions };
  }
  return {
    message: 'Internal server error',
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' satisfies ErrorCode, internal: original },
  };
}

/** Gives masked errors their request id and logs the real cause once. */
function requestIdPlugin(log: (msg: string) => void): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors as GraphQLFormattedError[] | undefined;
          for (const err of errors ?? []) {
            const ext = err.extensions as Record<string, unknown> | undefined;
            if (ext?.code === 'INTERNAL_SERVER_ERROR' && 'internal' in ext) {
              const cause = ext.internal as Error;
              delete ext.internal;
              ext.requestId = contextValue?.requestId ?? 'unknown';
              log(`[${ext.requestId}] ${cause?.stack ?? cause}`);
            }
          }
        },
      };
    },
  };
}

/** Adds `extensions.sqlStatements` (only when CLIENTELE_EXPOSE_SQL_COUNT is on). */
function sqlCountPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const counter = currentSqlCounter();
          if (counter && response.body.kind === 'single') {
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, sqlStatements: counter.count };
          }
        },
      };
    },
  };
}

export interface App {
  server: http.Server;
  apollo: ApolloServer<Context>;
  /** Signs and verifies widget tokens with this app's secret. */
  widgetTokens: WidgetTokens;
  /** What the demo page at / embeds; set once the demo is ready (after listen, when the port is known). */
  demo: { current: DemoWidgets | null; unavailable?: string };
  close(): Promise<void>;
}

const CORS_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Clientele-Widget-Token'];

/** A request that authenticates with a publishable key: CORS for it is decided once the key's origins are known. */
function usesPublishableKey(req: { method?: string; headers: http.IncomingHttpHeaders }): boolean {
  return req.method !== 'OPTIONS' && /^Bearer\s+pk_/i.test(req.headers.authorization ?? '');
}

function forbiddenOrigin(origin: string | undefined): GraphQLError {
  return new GraphQLError(
    origin
      ? `This publishable key may not be used from ${origin.slice(0, 200)}; add the origin to the key's allowedOrigins`
      : 'A publishable key is only accepted from a browser page on one of its allowed origins (Origin header missing)',
    { extensions: { code: 'FORBIDDEN', http: { status: 403 } } },
  );
}

/** Vite names split chunks `name-<8 char hash>.js`: those never change, so they may be cached for a year. */
const HASHED_ASSET = /-(?=[A-Za-z0-9_]*[0-9A-Z])[A-Za-z0-9_]{8}\.(?:js|mjs|css|map)$/;

/** Resolves when every promise in `pending` (and any added meanwhile) has settled, or after `ms`. */
async function settled(pending: Set<Promise<unknown>>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (pending.size && Date.now() < deadline) {
    await Promise.race([Promise.allSettled([...pending]), new Promise((resolve) => setTimeout(resolve, deadline - Date.now()).unref())]);
  }
}

export async function createApp(config: Config, orm: Orm, opts: { log?: (msg: string) => void } = {}): Promise<App> {
  const log = opts.log ?? ((msg: string) => console.error(msg));
  const app = express();
  // Requests reach Express, except GraphQL's, which the endpoint below answers on node:http.
  const server = http.createServer();
  const schema = await getSchema();
  const apollo = new ApolloServer<Context>({
    // The schema, with queries executed by graphql-jit (see compiledQueries).
    gateway: compiledQueries(schema, new Admission(config.concurrentQueries, config.dbConnectTimeoutMs), log),
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // server/main.ts handles SIGINT/SIGTERM (HTTP, background jobs, then the database pool).
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      requestIdPlugin(log),
      widgetAllowlistPlugin(),
      // Read path measured by bench/load.ts: no cache-control field wrapping, plain rows for queries.
      ...executionPlugins(),
      ...(config.exposeSqlCount ? [sqlCountPlugin()] : []),
    ],
  });
  await apollo.start();
  const widgetTokens = new WidgetTokens(config.widgetTokenSecret ?? randomWidgetTokenSecret());
  const principals = new PrincipalCache(config.keyCacheMs);
  const demo: App['demo'] = { current: null };

  app.disable('x-powered-by');
  // res.send would hash every GraphQL answer (a SHA-1 of 30 KB per list page) for an ETag no
  // client sends back for a POST; static files keep theirs (serve-static sets its own).
  app.set('etag', false);
  const securityHeaders = helmet({ contentSecurityPolicy: false, crossOriginEmbedderPolicy: false });
  app.use(securityHeaders);

  // Browsers ask every page for one; answer quietly instead of logging a 404 in the console.
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', async (_req, res) => {
    try {
      const pending = await pendingMigrations(orm);
      if (pending > 0) {
        res.status(503).json({ status: 'unavailable', reason: `${pending} migrations pending` });
        return;
      }
      await orm.em.getConnection().execute('select 1');
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable', reason: 'database unreachable' });
    }
  });

  /**
   * Secret key, publishable key (Origin checked, CORS answered), widget token, or a publishable
   * key with a widget token in X-Clientele-Widget-Token (the feedback form tied to a customer).
   */
  async function authenticate(em: Context['em'], credential: string | undefined, req: http.IncomingMessage, res: http.ServerResponse): Promise<Principal | null> {
    if (!credential) return null;
    if (looksLikeJwt(credential)) return widgetTokens.authenticate(em, credential);
    const principal = await principals.principalOf(credential, () => authenticateKey(em, credential));
    if (!principal || principal.kind !== ApiKeyKind.PUBLISHABLE) return principal;
    const origin = req.headers.origin;
    // cors() left publishable-key requests alone, so nothing has set Vary yet.
    res.setHeader('Vary', 'Origin');
    if (!origin || !principal.allowedOrigins?.includes(origin)) throw forbiddenOrigin(origin);
    res.setHeader('Access-Control-Allow-Origin', origin);
    const token = req.headers['x-clientele-widget-token'];
    if (typeof token === 'string' && token !== '') {
      const tokenPrincipal = await widgetTokens.authenticate(em, token);
      if (tokenPrincipal.tenantId !== principal.tenantId) throw tokenError('TOKEN_INVALID', 'The widget token belongs to another tenant than the publishable key');
      return { ...principal, widget: tokenPrincipal.widget };
    }
    return principal;
  }

  // Built widget bundles, for any site to load: cacheable, CORS-open, cross-origin embeddable.
  app.use(
    '/widgets',
    (_req: Request, res: Response, next: NextFunction) => {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      if (!fs.existsSync(config.widgetsDir)) {
        res.status(404).type('text/plain').send('widgets not built: run npm run build:widgets\n');
        return;
      }
      next();
    },
    express.static(config.widgetsDir, {
      index: false,
      cacheControl: false,
      dotfiles: 'ignore',
      setHeaders(res, file) {
        res.setHeader('Cache-Control', HASHED_ASSET.test(path.basename(file)) ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
      },
    }),
    (_req: Request, res: Response) => {
      res.status(404).type('text/plain').send('not found\n');
    },
  );

  app.get('/demo/demo.css', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.sendFile(path.join(DEMO_DIR, 'demo.css'));
  });

  app.get('/', async (req, res, next) => {
    if (!config.seedDemo || demo.unavailable) {
      res.json({
        name: 'Clientele', graphql: '/graphql', docs: 'POST GraphQL to /graphql with Authorization: Bearer <key>',
        ...(demo.unavailable ? { demo: demo.unavailable } : {}),
      });
      return;
    }
    if (!demo.current) {
      res.status(503).type('text/plain').send('The demo is still starting; reload in a moment.\n');
      return;
    }
    try {
      const html = await demoPage(demo.current, widgetTokens, `${req.protocol}://${req.get('host')}`);
      res.setHeader('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self'");
      res.setHeader('Cache-Control', 'no-store');
      res.type('html').send(html);
    } catch (error) {
      next(error);
    }
  });

  /** GraphQL requests not answered yet (see close()). */
  const inFlight = new Set<Promise<unknown>>();
  const endpoint = graphqlEndpoint({
    apollo,
    middleware: [
      securityHeaders,
      // Preflights and secret-key or token requests: any origin (the credential is the gate). Publishable-key
      // requests: Access-Control-Allow-Origin only for the key's own origins, set after authentication.
      cors<cors.CorsRequest>((req, callback) => callback(null, { origin: !usesPublishableKey(req), allowedHeaders: CORS_HEADERS, maxAge: 600 })),
    ],
    // Waiting for a turn counts against the same limit as waiting for a pooled connection.
    admission: new Admission(config.concurrentRequests, config.dbConnectTimeoutMs),
    // Every statement this request issues (auth included) is counted in its own async scope.
    scope: (fn) => countSqlIn(fn).result,
    limitBytes: 10 * 1024 * 1024,
    log,
    context: async (req, res): Promise<Context> => {
      const requestId = (req.headers['x-request-id'] as string | undefined)?.slice(0, 100) || randomUUID();
      const header = req.headers.authorization ?? '';
      const key = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      const em = sqlEm(orm);
      let principal: Principal | null;
      try {
        principal = await authenticate(em, key, req, res);
      } catch (error) {
        if (isDatabaseUnavailable(error)) {
          throw new GraphQLError('The database is unavailable; retry shortly', {
            extensions: { code: 'UNAVAILABLE', retryable: true, http: { status: 503 } },
          });
        }
        throw error;
      }
      if (!principal) {
        throw new GraphQLError(key ? 'The key is not valid or was revoked' : 'Send a secret key as Authorization: Bearer <key>', {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } },
        });
      }
      return { principal, em, loaders: new Loaders(), requestId, widgetTokens };
    },
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!isGraphqlPath(req.url)) {
      app(req, res);
      return;
    }
    // Tracked until Apollo has answered, even when the client has gone away meanwhile: close()
    // lets these finish before the database pool closes under them.
    const answered = endpoint.handle(req, res).finally(() => inFlight.delete(answered));
    inFlight.add(answered);
  });

  // Errors of the pages above (static files, the demo); GraphQL answers its own.
  app.use((err: Error & { status?: number }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) log(String(err.stack ?? err));
    const message = status === 500 ? 'Internal server error' : err.message;
    res.status(status).json({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
  });

  return {
    server,
    apollo,
    widgetTokens,
    demo,
    async close() {
      await apollo.stop();
      // The drain ends when the connections do; a request whose client left may still be running.
      await settled(inFlight, 10_000);
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
      principals.close();
    },
  };
}
