import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { unwrapResolverError } from '@apollo/server/errors';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import helmet from 'helmet';
import type { Config } from './config.js';
import { authenticateKey } from './auth/keys.service.js';
import { Loaders, type Context } from './context.js';
import { pendingMigrations, sqlEm, type Orm } from './db/orm.js';
import { countSqlIn, currentSqlCounter } from './db/sql-counter.js';
import { isDatabaseUnavailable, type ErrorCode } from './graphql/errors.js';
import { inputErrorPath } from './graphql/input-path.js';
import { getSchema } from './schema.js';

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
  close(): Promise<void>;
}

export async function createApp(config: Config, orm: Orm, opts: { log?: (msg: string) => void } = {}): Promise<App> {
  const log = opts.log ?? ((msg: string) => console.error(msg));
  const app = express();
  const server = http.createServer(app);
  const schema = await getSchema();
  const apollo = new ApolloServer<Context>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      requestIdPlugin(log),
      ...(config.exposeSqlCount ? [sqlCountPlugin()] : []),
    ],
  });
  await apollo.start();

  app.disable('x-powered-by');
  app.use(helmet({ contentSecurityPolicy: false, crossOriginEmbedderPolicy: false }));

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

  app.use(
    '/graphql',
    cors<cors.CorsRequest>({ origin: true, allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'], maxAge: 600 }),
    express.json({ limit: '10mb' }),
    (_req: Request, _res: Response, next: NextFunction) => {
      // Every statement this request issues (auth included) is counted in its own async scope.
      countSqlIn(() => next());
    },
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<Context> => {
        const requestId = (req.headers['x-request-id'] as string | undefined)?.slice(0, 100) || randomUUID();
        const header = req.headers.authorization ?? '';
        const key = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
        const em = sqlEm(orm);
        let principal;
        try {
          principal = key ? await authenticateKey(em, key) : null;
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
        return { principal, em, loaders: new Loaders(), requestId };
      },
    }),
  );
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) log(String(err.stack ?? err));
    const message =
      err.type === 'entity.parse.failed' ? 'The request body is not valid JSON'
      : err.type === 'entity.too.large' ? 'The request body is too large'
      : status === 500 ? 'Internal server error' : err.message;
    res.status(status).json({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
  });

  return {
    server,
    apollo,
    async close() {
      await apollo.stop();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}
