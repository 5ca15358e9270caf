import { createHash } from 'node:crypto';
import type { Em } from '../db/orm.js';
import { ConflictError } from './errors.js';

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
  opts: { tenantId: string; scope: string; key: string | null | undefined; request: unknown; id: string },
  create: (tx: Em, id: string) => Promise<void>,
): Promise<{ id: string; created: boolean }> {
  if (opts.key == null) {
    await em.transactional(async (tx) => create(tx as Em, opts.id));
    return { id: opts.id, created: true };
  }
  const requestHash = createHash('sha256').update(JSON.stringify(canonical(opts.request))).digest('hex');
  return em.transactional(async (txEm) => {
    const tx = txEm as Em;
    const inserted = await tx.execute<{ result_id: string }[]>(
      `insert into idempotency_record (tenant_id, scope, key, request_hash, result_id) values (?, ?, ?, ?, ?)
       on conflict do nothing returning result_id`,
      [opts.tenantId, opts.scope, opts.key, requestHash, opts.id],
    );
    if (inserted.length === 0) {
      const [existing] = await tx.execute<{ result_id: string; request_hash: string }[]>(
        'select result_id, request_hash from idempotency_record where tenant_id = ? and scope = ? and key = ?',
        [opts.tenantId, opts.scope, opts.key],
      );
      if (existing.request_hash !== requestHash) {
        throw new ConflictError('This idempotencyKey was already used with different input', { path: 'idempotencyKey' });
      }
      return { id: existing.result_id, created: false };
    }
    await create(tx, opts.id);
    return { id: opts.id, created: true };
  });
}
