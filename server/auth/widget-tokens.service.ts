import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Em } from '../db/orm.js';
import { AppError } from '../graphql/errors.js';
import { ApiKeyKind, Role } from './api-key.entity.js';
import type { Principal, WidgetGrant } from './keys.service.js';

export const WIDGET_TOKEN_SCOPES = ['CUSTOMER_CARD', 'CHURN_BADGE', 'FEEDBACK'] as const;
export const MAX_WIDGET_TOKEN_TTL = 3600;
const ISSUER = 'clientele';
const AUDIENCE = 'clientele-widgets';
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface WidgetTokenClaims {
  tenantId: string;
  customerId: string;
  scopes: string[];
  /** The secret key that minted the token. */
  keyId: string;
}

/** UNAUTHENTICATED (HTTP 401) with a machine-readable reason, so a widget can tell "mint a new one" from "broken". */
export function tokenError(reason: 'TOKEN_EXPIRED' | 'TOKEN_INVALID', message: string): AppError {
  return new AppError('UNAUTHENTICATED', message, {
    reason,
    http: { status: 401, headers: new Map([['www-authenticate', 'Bearer error="invalid_token"']]) },
  });
}

export function looksLikeJwt(credential: string): boolean {
  return credential.length < 4096 && JWT_SHAPE.test(credential);
}

/**
 * Signs and verifies widget tokens (HS256 JWTs). Stateless apart from one indexed lookup per
 * request that checks the minting key is still live (revoking a key kills its tokens) and reads
 * the tenant, which the request needs anyway.
 */
export class WidgetTokens {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('the widget token secret must be at least 32 characters');
    this.key = new TextEncoder().encode(secret);
  }

  /** `now` lets tests mint tokens that are already expired. */
  async mint(claims: WidgetTokenClaims, ttlSeconds: number, now = new Date()): Promise<{ token: string; expiresAt: Date; tokenId: string }> {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + ttlSeconds;
    const tokenId = randomUUID();
    const token = await new SignJWT({ tid: claims.tenantId, scp: claims.scopes, kid: claims.keyId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(claims.customerId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(tokenId)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000), tokenId };
  }

  /** The claims of a genuine, unexpired token; UNAUTHENTICATED (reason TOKEN_EXPIRED / TOKEN_INVALID) otherwise. */
  async verify(token: string): Promise<WidgetTokenClaims & { tokenId: string; expiresAt: Date }> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, requiredClaims: ['exp', 'iat', 'jti', 'sub'] }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw tokenError('TOKEN_EXPIRED', 'The widget token has expired; mint a new one');
      throw tokenError('TOKEN_INVALID', 'The widget token is not valid');
    }
    const { tid, scp, kid, sub, jti, exp } = payload as Record<string, unknown>;
    const scopes = Array.isArray(scp) ? scp.filter((s): s is string => (WIDGET_TOKEN_SCOPES as readonly string[]).includes(s as string)) : [];
    if (typeof tid !== 'string' || typeof kid !== 'string' || typeof sub !== 'string' || !scopes.length) {
      throw tokenError('TOKEN_INVALID', 'The widget token is not valid');
    }
    return { tenantId: tid, customerId: sub, scopes, keyId: kid, tokenId: String(jti), expiresAt: new Date(Number(exp) * 1000) };
  }

  /**
   * A principal for the token: one query on api_key's primary key, joined to the tenant. A
   * revoked (or unknown) minting key makes the token invalid.
   */
  async authenticate(em: Em, token: string): Promise<Principal> {
    const claims = await this.verify(token);
    const rows = await em.getConnection().execute<
      { kind: ApiKeyKind; revoked_at: Date | null; slug: string; default_currency: string; time_zone: string; settings: Record<string, unknown> | string }[]
    >(
      `select k.kind, k.revoked_at, t.slug, t.default_currency, t.time_zone, t.settings
         from api_key k join tenant t on t.id = k.tenant_id
        where k.tenant_id = ? and k.id = ?`,
      [claims.tenantId, claims.keyId],
    );
    const row = rows[0];
    if (!row || row.kind !== ApiKeyKind.SECRET) throw tokenError('TOKEN_INVALID', 'The widget token is not valid');
    if (row.revoked_at) throw tokenError('TOKEN_INVALID', 'The key that minted this widget token was revoked');
    const settings = (typeof row.settings === 'string' ? JSON.parse(row.settings) : row.settings) ?? {};
    const widget: WidgetGrant = {
      customerId: claims.customerId, scopes: claims.scopes, mintedBy: claims.keyId, tokenId: claims.tokenId, expiresAt: claims.expiresAt,
    };
    return {
      tenantId: claims.tenantId,
      keyId: claims.keyId,
      role: Role.READ_ONLY,
      kind: ApiKeyKind.SECRET,
      tenant: {
        slug: row.slug,
        defaultCurrency: row.default_currency,
        defaultCountry: typeof settings.defaultCountry === 'string' ? settings.defaultCountry : 'US',
        timeZone: row.time_zone,
        settings,
      },
      widget,
    };
  }
}

/**
 * The configured secret, else one generated on first use and kept in `<dataDir>/widget-token-secret`
 * (mode 0600) so tokens survive a restart.
 */
export function loadWidgetTokenSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'widget-token-secret');
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch {
    // first start: create it below
  }
  const secret = randomBytes(48).toString('base64url');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return secret;
}

/** For test servers and anything else that does not need tokens to survive a restart. */
export function randomWidgetTokenSecret(): string {
  return randomBytes(48).toString('base64url');
}
