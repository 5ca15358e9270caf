import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyKind, Role } from '../../server/auth/api-key.entity.js';
import { createApiKey, type Principal } from '../../server/auth/keys.service.js';
import { PrincipalCache, tenantKeysChanged } from '../../server/auth/principal-cache.js';
import { sqlEm } from '../../server/db/orm.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const VIEWER = '{ viewer { role tenant { slug } } }';

describe('key cache over GraphQL (CLIENTELE_KEY_CACHE_SECONDS)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ config: { keyCacheMs: 60_000 } });
  });
  afterAll(async () => s?.close());

  it('looks a key up on its first request only', async () => {
    const { key } = await createApiKey(sqlEm(s.orm), s.a.id, Role.READ_ONLY, 'cached');
    const first = await s.gql(VIEWER, {}, key);
    const second = await s.gql(VIEWER, {}, key);
    expect(first.data.viewer).toEqual({ role: 'READ_ONLY', tenant: { slug: 'acme' } });
    expect(second.data).toEqual(first.data);
    expect(second.extensions?.sqlStatements).toBe(first.extensions!.sqlStatements! - 1);
  });

  it('refuses a key revoked through the API at once, while the tenant’s other keys keep working', async () => {
    const { key, apiKey } = await createApiKey(sqlEm(s.orm), s.a.id, Role.AGENT, 'revoked while cached');
    expect((await s.gql(VIEWER, {}, key)).status).toBe(200);
    const revoked = await s.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`, { id: apiKey.id });
    expect(revoked.errors).toBeUndefined();
    const refused = await s.gql(VIEWER, {}, key);
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await s.gql(VIEWER, {}, s.a.keys.AGENT)).status).toBe(200);
  });

  it('reads the key again after the tenant’s settings change (principals carry them), and only that tenant’s keys', async () => {
    const [a, b] = [s.a.keys.READ_ONLY, s.b.keys.READ_ONLY];
    await s.gql(VIEWER, {}, a);
    await s.gql(VIEWER, {}, b);
    const cachedA = (await s.gql(VIEWER, {}, a)).extensions!.sqlStatements!;
    const cachedB = (await s.gql(VIEWER, {}, b)).extensions!.sqlStatements!;
    const changed = await s.gql('mutation { updateMetricsSettings(input: { clvMonths: 24 }) { clvMonths } }');
    expect(changed.data.updateMetricsSettings.clvMonths).toBe(24);
    expect((await s.gql(VIEWER, {}, a)).extensions?.sqlStatements).toBe(cachedA + 1);
    expect((await s.gql(VIEWER, {}, b)).extensions?.sqlStatements).toBe(cachedB);
  });
});

describe('PrincipalCache', () => {
  const principal = (tenantId: string): Principal => ({
    tenantId,
    keyId: 'k1',
    role: Role.ADMIN,
    kind: ApiKeyKind.SECRET,
    tenant: { slug: 't', defaultCurrency: 'USD', defaultCountry: 'US', timeZone: 'UTC', settings: { metrics: { clvMonths: 12 } } },
  });
  const counting = (answer: Principal | null) => {
    const lookup = async () => {
      lookup.calls++;
      return answer;
    };
    lookup.calls = 0;
    return lookup;
  };

  it('answers from the cache until the entry expires', async () => {
    const cache = new PrincipalCache(40);
    const lookup = counting(principal('t1'));
    await cache.principalOf('sk_key', lookup);
    await cache.principalOf('sk_key', lookup);
    expect(lookup.calls).toBe(1);
    await new Promise((r) => setTimeout(r, 80));
    await cache.principalOf('sk_key', lookup);
    expect(lookup.calls).toBe(2);
    cache.close();
  });

  it('never keeps a refusal: an unknown or revoked key is looked up every time', async () => {
    const cache = new PrincipalCache(60_000);
    const lookup = counting(null);
    expect(await cache.principalOf('sk_unknown', lookup)).toBeNull();
    expect(await cache.principalOf('sk_unknown', lookup)).toBeNull();
    expect(lookup.calls).toBe(2);
    cache.close();
  });

  it('does not store an answer whose lookup overlapped an invalidation', async () => {
    const cache = new PrincipalCache(60_000);
    let release!: () => void;
    const slow = async () => {
      await new Promise<void>((r) => (release = r));
      return principal('t1');
    };
    const pending = cache.principalOf('sk_key', slow);
    tenantKeysChanged('t1'); // e.g. the key was revoked while it was being read
    release();
    await pending;
    const lookup = counting(principal('t1'));
    await cache.principalOf('sk_key', lookup);
    expect(lookup.calls).toBe(1);
    cache.close();
  });

  it('forgets one tenant’s keys and keeps the others', async () => {
    const cache = new PrincipalCache(60_000);
    await cache.principalOf('sk_one', counting(principal('t1')));
    await cache.principalOf('sk_two', counting(principal('t2')));
    tenantKeysChanged('t1');
    const [one, two] = [counting(principal('t1')), counting(principal('t2'))];
    await cache.principalOf('sk_one', one);
    await cache.principalOf('sk_two', two);
    expect([one.calls, two.calls]).toEqual([1, 0]);
    cache.close();
  });

  it('hands out a frozen principal: a request cannot change what the next one sees', async () => {
    const cache = new PrincipalCache(60_000);
    const shared = await cache.principalOf('sk_key', counting(principal('t1')));
    expect(() => {
      (shared!.tenant.settings as { metrics: { clvMonths: number } }).metrics.clvMonths = 1;
    }).toThrow(TypeError);
    cache.close();
  });

  it('with ttl 0 looks every request up', async () => {
    const cache = new PrincipalCache(0);
    const lookup = counting(principal('t1'));
    await cache.principalOf('sk_key', lookup);
    await cache.principalOf('sk_key', lookup);
    expect(lookup.calls).toBe(2);
    cache.close();
  });
});
