import { LRUCache } from 'lru-cache';
import { hashKey, type Principal } from './keys.service.js';

/** Every live PrincipalCache of this process (one per app), told when a tenant's keys or settings change. */
const caches = new Set<PrincipalCache>();

/**
 * Call after a write that changes what a key of `tenantId` stands for (a key revoked, its origins
 * replaced, the tenant's settings changed): this process stops answering from the old principal
 * at once. Other processes see the change when their entry expires (`CLIENTELE_KEY_CACHE_SECONDS`).
 */
export function tenantKeysChanged(tenantId: string): void {
  for (const cache of caches) cache.forgetTenant(tenantId);
}

/**
 * The principals of secret and publishable keys seen in the last few seconds, so a busy key costs
 * one lookup per `ttlMs` instead of one statement per request. Keyed by the key's SHA-256 (the raw
 * key is not kept); unknown, malformed and revoked keys are never cached, so they are looked up —
 * and refused — every time. A lookup that started before an invalidation does not store its
 * (possibly stale) answer. `ttlMs` 0 turns the cache off.
 */
export class PrincipalCache {
  private readonly entries: LRUCache<string, Principal> | null;
  /** Bumped by every invalidation; a lookup stores its answer only if none happened meanwhile. */
  private generation = 0;

  constructor(ttlMs: number, max = 10_000) {
    this.entries = ttlMs > 0 ? new LRUCache<string, Principal>({ max, ttl: ttlMs }) : null;
    caches.add(this);
  }

  async principalOf(key: string, lookup: () => Promise<Principal | null>): Promise<Principal | null> {
    if (!this.entries) return lookup();
    const hash = hashKey(key);
    const cached = this.entries.get(hash);
    if (cached) return cached;
    const generation = this.generation;
    const principal = await lookup();
    if (principal && generation === this.generation) this.entries.set(hash, deepFreeze(principal));
    return principal;
  }

  forgetTenant(tenantId: string): void {
    this.generation++;
    if (!this.entries) return;
    for (const [hash, principal] of this.entries.entries()) if (principal.tenantId === tenantId) this.entries.delete(hash);
  }

  close(): void {
    caches.delete(this);
    this.entries?.clear();
  }
}

/** A cached principal is shared by every request of its key: nothing may change it in place. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
