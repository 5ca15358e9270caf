import type { AddressInfo } from 'node:net';
import { Role } from '../../server/auth/api-key.entity.js';
import { createApiKey } from '../../server/auth/keys.service.js';
import { createApp, type App } from '../../server/app.js';
import { loadConfig, type Config } from '../../server/config.js';
import { LEAF_OF_ANOTHER_TYPE } from '../../server/graphql/execution.js';
import { createOrm, migrate, sqlEm, type DatabaseTarget, type Orm } from '../../server/db/orm.js';
import { createTenant } from '../../server/tenants/tenant.service.js';
import { freshDatabase } from './database.js';

export interface TenantKeys {
  id: string;
  slug: string;
  keys: Record<Role, string>;
}

export interface GqlResult<T = any> {
  status: number;
  data: T;
  errors?: { message: string; path?: string[]; extensions: { code: string; fields?: { path: string; message: string }[]; [k: string]: unknown } }[];
  extensions?: { sqlStatements?: number };
  headers: Headers;
}

export interface TestServer {
  url: string;
  orm: Orm;
  app: App;
  target: DatabaseTarget;
  /** Tenant A ("acme", default country CN, currency CNY) and tenant B ("globex", US / USD). */
  a: TenantKeys;
  b: TenantKeys;
  /** A GraphQL request as a client sends it; the key defaults to tenant A's ADMIN key. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, key?: string | null): Promise<GqlResult<T>>;
  close(): Promise<void>;
}

async function tenantWithKeys(orm: Orm, slug: string, country: string, currency: string): Promise<TenantKeys> {
  const em = sqlEm(orm);
  const tenant = await createTenant(em, { slug, name: slug.toUpperCase(), defaultCountry: country, defaultCurrency: currency });
  const keys = {} as Record<Role, string>;
  for (const role of Object.values(Role)) keys[role] = (await createApiKey(em, tenant.id, role, `${role} test key`)).key;
  return { id: tenant.id, slug, keys };
}

/**
 * A real server on a random port over a fresh database, with two tenants and a key per role.
 * `config` overrides settings (e.g. `widgetsDir`).
 */
export async function startTestServer(opts: { config?: Partial<Config> } = {}): Promise<TestServer> {
  const db = await freshDatabase();
  const orm = await createOrm(db.target);
  await migrate(orm);
  // keyCacheMs 0: every request looks its key up, so statement counts do not depend on what ran
  // before (test/auth/key-cache.test.ts runs with the cache on).
  const config = { ...loadConfig({}), exposeSqlCount: true, seedDemo: false, port: 0, keyCacheMs: 0, ...opts.config };
  // Logs are dropped, except a resolver whose value is not of its field's type: close() fails on it.
  const leafWarnings: string[] = [];
  const app = await createApp(config, orm, { log: (message) => void (message.includes(LEAF_OF_ANOTHER_TYPE) && leafWarnings.push(message)) });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql`;
  const a = await tenantWithKeys(orm, 'acme', 'CN', 'CNY');
  const b = await tenantWithKeys(orm, 'globex', 'US', 'USD');
  return {
    url,
    orm,
    app,
    target: db.target,
    a,
    b,
    async gql(query, variables, key = a.keys.ADMIN) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as Omit<GqlResult, 'status' | 'headers'>;
      return { status: res.status, headers: res.headers, ...body };
    },
    async close() {
      await app.close();
      await orm.close();
      await db.drop();
      if (leafWarnings.length) throw new Error(`a compiled query found a leaf of another type than its field's: ${leafWarnings.join('; ')}`);
    },
  };
}

/** The single error of a response, failing loudly when there is none. */
export function onlyError(result: GqlResult) {
  if (!result.errors?.length) throw new Error(`expected an error, got ${JSON.stringify(result.data)}`);
  return result.errors[0];
}
