import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, so widgets/dist is found from any working directory. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every environment variable Clientele reads, parsed and validated once. */
export interface Config {
  /** PostgreSQL URL; when absent the embedded PGlite database in `dataDir` is used. */
  databaseUrl: string | undefined;
  /** Where PGlite keeps its files and the demo key is written. */
  dataDir: string;
  port: number;
  host: string;
  /** Seed a demo tenant on the first start of an empty database. */
  seedDemo: boolean;
  /** Number of demo customers seeded on first start. */
  demoCustomers: number;
  /** Milliseconds a request waits for a database connection before answering UNAVAILABLE. */
  dbConnectTimeoutMs: number;
  /** Maximum pooled PostgreSQL connections. */
  dbPoolMax: number;
  /**
   * GraphQL requests executed at once (CLIENTELE_CONCURRENT_REQUESTS, default twice DB_POOL_MAX);
   * the others wait their turn, in arrival order, for up to DB_CONNECT_TIMEOUT_MS.
   */
  concurrentRequests: number;
  /**
   * Query operations executed at once (CLIENTELE_CONCURRENT_QUERIES, default 6, at most
   * concurrentRequests); the others wait their turn, in arrival order, for up to DB_CONNECT_TIMEOUT_MS.
   */
  concurrentQueries: number;
  /**
   * How long a key's principal (tenant, role, settings) is reused without a lookup
   * (CLIENTELE_KEY_CACHE_SECONDS, default 5, 0 = look up every request). Revocations and settings
   * changed through this process apply at once; other processes see them within this time.
   */
  keyCacheMs: number;
  /** Adds `extensions.sqlStatements` to every GraphQL response (tests and diagnostics only). */
  exposeSqlCount: boolean;
  logLevel: 'silent' | 'info' | 'debug';
  /**
   * HS256 secret for widget tokens (CLIENTELE_WIDGET_TOKEN_SECRET, at least 32 characters). When
   * unset, the server keeps a generated one in `<dataDir>/widget-token-secret`.
   */
  widgetTokenSecret: string | undefined;
  /** Built widget bundles served under /widgets/ (CLIENTELE_WIDGETS_DIR, default widgets/dist). */
  widgetsDir: string;
}

export class ConfigError extends Error {}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function boolVar(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const logLevel = (env.LOG_LEVEL ?? 'info') as Config['logLevel'];
  if (!['silent', 'info', 'debug'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be silent, info or debug, got "${env.LOG_LEVEL}"`);
  }
  const widgetTokenSecret = env.CLIENTELE_WIDGET_TOKEN_SECRET || undefined;
  if (widgetTokenSecret !== undefined && widgetTokenSecret.length < 32) {
    throw new ConfigError('CLIENTELE_WIDGET_TOKEN_SECRET must be at least 32 characters (e.g. openssl rand -base64 48)');
  }
  const dbPoolMax = intVar(env, 'DB_POOL_MAX', 10, 1, 200);
  const concurrentRequests = intVar(env, 'CLIENTELE_CONCURRENT_REQUESTS', 2 * dbPoolMax, 1, 10_000);
  return {
    databaseUrl,
    dataDir: path.resolve(env.CLIENTELE_DATA_DIR || '.data'),
    port: intVar(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    seedDemo: boolVar(env, 'CLIENTELE_SEED_DEMO', true),
    demoCustomers: intVar(env, 'CLIENTELE_DEMO_CUSTOMERS', 2000, 0, 1_000_000),
    dbConnectTimeoutMs: intVar(env, 'DB_CONNECT_TIMEOUT_MS', 2000, 100, 60_000),
    dbPoolMax,
    concurrentRequests,
    concurrentQueries: Math.min(intVar(env, 'CLIENTELE_CONCURRENT_QUERIES', 6, 1, 10_000), concurrentRequests),
    keyCacheMs: intVar(env, 'CLIENTELE_KEY_CACHE_SECONDS', 5, 0, 300) * 1000,
    exposeSqlCount: boolVar(env, 'CLIENTELE_EXPOSE_SQL_COUNT', false),
    logLevel,
    widgetTokenSecret,
    widgetsDir: env.CLIENTELE_WIDGETS_DIR ? path.resolve(env.CLIENTELE_WIDGETS_DIR) : path.join(ROOT, 'widgets', 'dist'),
  };
}
