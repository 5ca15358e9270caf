import { createHash, randomBytes } from 'node:crypto';
import type { Em } from '../db/orm.js';
import { ApiKey, ApiKeyKind, Role } from './api-key.entity.js';
import { queryPrepared } from '../db/prepared.js';

export interface Principal {
  tenantId: string;
  keyId: string;
  role: Role;
  kind: ApiKeyKind;
  /** Tenant defaults read with the key, so requests need no second lookup. */
  tenant: { slug: string; defaultCurrency: string; defaultCountry: string; timeZone: string; settings: Record<string, unknown> };
  /** Publishable keys: the exact origins browsers may use the key from. */
  allowedOrigins?: string[];
  /** Set when a widget token came with the request (alone, or next to a publishable key). */
  widget?: WidgetGrant;
}

/** What a verified widget token grants: one customer, some scopes, until it expires. */
export interface WidgetGrant {
  customerId: string;
  scopes: string[];
  /** The key that minted the token (revoking it kills the token). */
  mintedBy: string;
  tokenId: string;
  expiresAt: Date;
}

/** A publishable key, or a widget token: a credential that lives in a browser. */
export function isBrowserPrincipal(principal: Principal): boolean {
  return principal.kind === ApiKeyKind.PUBLISHABLE || principal.widget !== undefined;
}

const SECRET_PREFIX = 'sk_';
/** Secret (sk_) and publishable (pk_) keys; the prefix must match the stored kind. */
const KEY_PATTERN = /^(sk|pk)_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

interface KeyRow {
  id: string;
  role: Role;
  kind: ApiKeyKind;
  revoked_at: Date | null;
  allowed_origins: string[] | string;
  slug: string;
  default_currency: string;
  time_zone: string;
  settings: Record<string, unknown> | string;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Keys look like `sk_<tenant id hex>_<256 random bits>`. The tenant id lets the lookup use the
 * (tenant_id, key_hash) index; the random part is the secret. Only its SHA-256 is stored —
 * enough for 256-bit random keys, which cannot be brute-forced the way passwords can.
 */
export async function createApiKey(
  em: Em,
  tenantId: string,
  role: Role,
  name: string,
): Promise<{ key: string; apiKey: ApiKey }> {
  const key = `${SECRET_PREFIX}${tenantId.replaceAll('-', '')}_${randomBytes(32).toString('base64url')}`;
  const apiKey = em.create(ApiKey, {
    tenantId,
    role,
    name,
    kind: ApiKeyKind.SECRET,
    prefix: `${key.slice(0, 11)}…${key.slice(-4)}`,
    keyHash: hashKey(key),
  } as ApiKey);
  await em.flush();
  return { key, apiKey };
}

/** The principal a key stands for, or null when the key is malformed, unknown or revoked. */
export async function authenticateKey(em: Em, key: string): Promise<Principal | null> {
  const match = KEY_PATTERN.exec(key);
  if (!match) return null;
  const hex = match[2];
  const tenantId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const rows = await queryPrepared<KeyRow>(
    em,
    `select k.id, k.role, k.kind, k.revoked_at, k.allowed_origins, t.slug, t.default_currency, t.time_zone, t.settings
       from api_key k join tenant t on t.id = k.tenant_id
      where k.tenant_id = ? and k.key_hash = ?`,
    [tenantId, hashKey(key)],
  );
  const row = rows[0];
  if (!row || row.revoked_at) return null;
  if ((match[1] === 'pk') !== (row.kind === ApiKeyKind.PUBLISHABLE)) return null;
  const settings = (typeof row.settings === 'string' ? JSON.parse(row.settings) : row.settings) ?? {};
  return {
    tenantId,
    keyId: row.id,
    role: row.role,
    kind: row.kind,
    tenant: {
      slug: row.slug,
      defaultCurrency: row.default_currency,
      defaultCountry: typeof settings.defaultCountry === 'string' ? settings.defaultCountry : 'US',
      timeZone: row.time_zone,
      settings,
    },
    ...(row.kind === ApiKeyKind.PUBLISHABLE
      ? { allowedOrigins: typeof row.allowed_origins === 'string' ? JSON.parse(row.allowed_origins) : row.allowed_origins }
      : {}),
  };
}

export const WRITE_ROLES: ReadonlySet<Role> = new Set([Role.ADMIN, Role.AGENT]);
