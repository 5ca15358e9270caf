import { createHash } from 'node:crypto';
import type { Em } from '../db/orm.js';
import { ConflictError } from './errors.js';
import { sql, type Sql } from './sql.js';

/**
 * The request as a retry may spell it differently: keys sorted, and `null` dropped, since a
 * create treats an absent field and a null one alike (`{ body: null }` is the same request as `{}`).
 */
function canonical(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== null && v !== undefined);
    return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

export function requestHash(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(request))).digest('hex');
}

export interface OnceOptions {
  tenantId: string;
  scope: string;
  key: string | null | undefined;
  request: unknown;
  /** The id the row gets if this call creates it. */
  id: string;
}

/**
 * Runs a create at most once per (tenant, scope, key). The record is written in the same
 * transaction as the row it names, so a retry — even a concurrent one, which waits on the
 * primary key — gets the first result and never a second row.
 *
 * `create(em, id)` must create the row with the given id inside `em`'s transaction.
 * Returns the id of the row that answers this request and whether this call created it.
 */
export async function createOnce(
  em: Em,
  opts: OnceOptions,
  create: (tx: Em, id: string) => Promise<void>,
): Promise<{ id: string; created: boolean }> {
  if (opts.key == null) {
    await em.transactional(async (tx) => create(tx as Em, opts.id));
    return { id: opts.id, created: true };
  }
  const hash = requestHash(opts.request);
  return em.transactional(async (txEm) => {
    const tx = txEm as Em;
    const inserted = await tx.execute<{ result_id: string }[]>(
      `insert into idempotency_record (tenant_id, scope, key, request_hash, result_id) values (?, ?, ?, ?, ?)
       on conflict do nothing returning result_id`,
      [opts.tenantId, opts.scope, opts.key, hash, opts.id],
    );
    if (inserted.length === 0) {
      const [existing] = await tx.execute<{ result_id: string; request_hash: string }[]>(
        'select result_id, request_hash from idempotency_record where tenant_id = ? and scope = ? and key = ?',
        [opts.tenantId, opts.scope, opts.key],
      );
      if (existing.request_hash !== hash) {
        throw new ConflictError('This idempotencyKey was already used with different input', { path: 'idempotencyKey' });
      }
      return { id: existing.result_id, created: false };
    }
    await create(tx, opts.id);
    return { id: opts.id, created: true };
  });
}

/**
 * `createOnce` inside ONE statement, for hot paths (no transaction round trips): a CTE `rec`
 * that, for each row of the CTE `source` (the create's precondition, e.g. the customer exists),
 * inserts the record — or, when the key is taken, locks the first record and returns it, after
 * waiting for a concurrent first request to commit. The caller's insert of the row selects
 * `from rec where rec.result_id = <opts.id>`, so only a first request creates it, and the
 * statement stores both rows or neither. Read the outcome with `onceOutcome`.
 */
export function onceCte(opts: OnceOptions & { key: string }, source: string): Sql {
  return sql(
    `rec as (
       insert into idempotency_record (tenant_id, scope, key, request_hash, result_id)
       select ?::uuid, ?, ?, ?, ?::uuid from ${source}
       on conflict (tenant_id, scope, key) do update set request_hash = idempotency_record.request_hash
       returning result_id, request_hash
     )`,
    [opts.tenantId, opts.scope, opts.key, requestHash(opts.request), opts.id],
  );
}

/**
 * The `rec` row a statement built with `onceCte` returned -> the id of the row that answers the
 * request and whether this call created it; CONFLICT when the key was first used with other input.
 */
export function onceOutcome(opts: OnceOptions, rec: { result_id: string; request_hash: string }): { id: string; created: boolean } {
  if (rec.result_id === opts.id) return { id: opts.id, created: true };
  if (rec.request_hash !== requestHash(opts.request)) {
    throw new ConflictError('This idempotencyKey was already used with different input', { path: 'idempotencyKey' });
  }
  return { id: String(rec.result_id), created: false };
}
