import { randomBytes } from 'node:crypto';
import type { Em } from '../db/orm.js';
import { InputErrors, NotFoundError } from '../graphql/errors.js';
import { checkId } from '../graphql/validate.js';
import { ApiKey, ApiKeyKind, Role } from './api-key.entity.js';
import { hashKey } from './keys.service.js';
import { tenantKeysChanged } from './principal-cache.js';

const PUBLISHABLE_PREFIX = 'pk_';
const MAX_ORIGINS = 20;

/**
 * An origin exactly as a browser sends it in the Origin header: scheme://host[:port], lower case,
 * no path, no default port. Returns null when `raw` is not one (so "https://a.com/" is rejected
 * rather than silently trimmed: the key owner should see what will be compared).
 */
export function normalizeOrigin(raw: string): string | null {
  if (typeof raw !== 'string' || raw.length > 300 || raw !== raw.trim()) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password || url.search || url.hash) return null;
  if (url.pathname !== '/' || raw.endsWith('/')) return null;
  if (!url.hostname || url.hostname.includes('*')) return null;
  return url.origin === raw.toLowerCase() ? url.origin : null;
}

/** BAD_USER_INPUT (all at once) for a bad name or origin list; the normalized origins otherwise. */
export function checkPublishableKeyInput(name: string, origins: string[], path = 'input'): { name: string; origins: string[] } {
  const errors = new InputErrors();
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 100) errors.add(`${path}.name`, 'must be 1 to 100 characters');
  if (origins.length < 1) errors.add(`${path}.allowedOrigins`, 'give at least one origin, e.g. https://shop.example.com');
  if (origins.length > MAX_ORIGINS) errors.add(`${path}.allowedOrigins`, `at most ${MAX_ORIGINS} origins`);
  const seen = new Set<string>();
  origins.forEach((raw, i) => {
    const origin = normalizeOrigin(raw);
    if (!origin) {
      errors.add(`${path}.allowedOrigins.${i}`, 'must be an origin like https://shop.example.com or http://localhost:8080 (scheme, host and optional port; no path, no wildcard)');
    } else if (seen.has(origin)) {
      errors.add(`${path}.allowedOrigins.${i}`, 'is listed twice');
    } else {
      seen.add(origin);
    }
  });
  errors.throwIfAny();
  return { name: trimmed, origins: [...seen] };
}

/**
 * `pk_<tenant id hex>_<256 random bits>`: the same shape as a secret key, so it is looked up the
 * same way. Publishable keys are meant to sit in web pages; what they can do is bounded by the
 * publishable allowlist, and where from by allowedOrigins. They carry the least role (READ_ONLY).
 */
export async function createPublishableKey(
  em: Em,
  tenantId: string,
  name: string,
  allowedOrigins: string[],
): Promise<{ key: string; apiKey: ApiKey }> {
  const checked = checkPublishableKeyInput(name, allowedOrigins);
  const key = `${PUBLISHABLE_PREFIX}${tenantId.replaceAll('-', '')}_${randomBytes(32).toString('base64url')}`;
  const apiKey = em.create(ApiKey, {
    tenantId,
    role: Role.READ_ONLY,
    name: checked.name,
    kind: ApiKeyKind.PUBLISHABLE,
    prefix: `${key.slice(0, 11)}…${key.slice(-4)}`,
    keyHash: hashKey(key),
    allowedOrigins: checked.origins,
  } as ApiKey);
  await em.flush();
  return { key, apiKey };
}

export async function listApiKeys(em: Em, tenantId: string): Promise<ApiKey[]> {
  return em.find(ApiKey, { tenantId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

/** Revoking is final and idempotent; widget tokens minted with the key stop working with it. */
export async function revokeApiKey(em: Em, tenantId: string, id: string): Promise<ApiKey> {
  checkId(id, 'id');
  const key = await em.findOne(ApiKey, { tenantId, id });
  if (!key) throw new NotFoundError('ApiKey', id);
  if (!key.revokedAt) {
    key.revokedAt = new Date();
    await em.flush();
    tenantKeysChanged(tenantId);
  }
  return key;
}

/** Replaces a publishable key's origins (the demo uses this when its port changes). */
export async function setAllowedOrigins(em: Em, tenantId: string, id: string, origins: string[]): Promise<ApiKey> {
  const key = await em.findOne(ApiKey, { tenantId, id });
  if (!key) throw new NotFoundError('ApiKey', id);
  key.allowedOrigins = checkPublishableKeyInput(key.name, origins).origins;
  await em.flush();
  tenantKeysChanged(tenantId);
  return key;
}
