/**
 * importOrders: up to 5,000 orders per call, idempotent by order externalId, each row
 * validated on its own (one bad row never blocks the others). A handful of statements per call:
 * customer lookups (by id, by externalId), existing orders, batched multi-row inserts, the
 * stored orders, then the order-recorded hooks (metrics re-scoring) once for all customers.
 */
import type { Principal } from '../auth/keys.service.js';
import type { Em } from '../db/orm.js';
import { isUuid, newId } from '../db/ids.js';
import { BadUserInputError, InputErrors } from '../graphql/errors.js';
import { LIMITS } from '../graphql/validate.js';
import { ImportOutcome, ImportOrderResult, type ImportOrderInput } from './import.inputs.js';
import { Order } from './order.entity.js';
import { normalizeOrder, runOrderRecordedHooks, type NormalizedOrder } from './order.service.js';

export const MAX_IMPORT_ROWS = 5000;
const INSERT_BATCH = 500;

interface Pending {
  index: number;
  customerId: string;
  order: NormalizedOrder & { externalId: string };
}

function result(index: number, externalId: string | null, outcome: ImportOutcome, order: Order | null, errors: InputErrors | null): ImportOrderResult {
  return Object.assign(new ImportOrderResult(), { index, externalId, outcome, order, errors: errors?.fields ?? [] });
}

export async function importOrders(em: Em, principal: Principal, rows: ImportOrderInput[]): Promise<ImportOrderResult[]> {
  if (rows.length > MAX_IMPORT_ROWS) {
    throw new BadUserInputError([{ path: 'input', message: `takes at most ${MAX_IMPORT_ROWS} rows per call; got ${rows.length}` }]);
  }
  const tenantId = principal.tenantId;

  // 1. Validate every row on its own.
  const checked = rows.map((row, index) => {
    const errors = new InputErrors();
    const path = `input.${index}`;
    const externalId = row.externalId?.trim() ?? '';
    if (!externalId) errors.add(`${path}.externalId`, 'is required: it makes the import safe to repeat');
    const order = normalizeOrder(errors, path, { ...row, externalId }, principal.tenant.defaultCurrency);
    const byId = row.customerId != null && row.customerId !== '';
    const byExternal = row.customerExternalId != null && row.customerExternalId.trim() !== '';
    if (byId === byExternal) errors.add(`${path}.customerId`, 'give exactly one of customerId and customerExternalId');
    else if (byId && !isUuid(row.customerId!)) errors.add(`${path}.customerId`, 'is not a valid id');
    else if (byExternal && row.customerExternalId!.trim().length > LIMITS.shortText) errors.add(`${path}.customerExternalId`, `must be at most ${LIMITS.shortText} characters`);
    return { index, row, errors, externalId, order, byId };
  });
  const seen = new Map<string, number>();
  for (const c of checked) {
    if (!c.externalId) continue;
    if (seen.has(c.externalId)) c.errors.add(`input.${c.index}.externalId`, `repeats row ${seen.get(c.externalId)} of this call`);
    else seen.set(c.externalId, c.index);
  }

  // 2. Resolve customers (merged duplicates lead to their survivor) and find orders imported before.
  const ids = [...new Set(checked.filter((c) => !c.errors.any && c.byId).map((c) => c.row.customerId!))];
  const externalIds = [...new Set(checked.filter((c) => !c.errors.any && !c.byId).map((c) => c.row.customerExternalId!.trim()))];
  const customerRows = ids.length || externalIds.length
    ? await em.execute<{ id: string; external_id: string | null; merged_into_id: string | null }[]>(
        `select id, external_id, merged_into_id from customer where tenant_id = ? and (${[
          ids.length ? 'id in (?)' : null,
          externalIds.length ? 'external_id in (?)' : null,
        ].filter(Boolean).join(' or ')})`,
        [tenantId, ...(ids.length ? [ids] : []), ...(externalIds.length ? [externalIds] : [])],
      )
    : [];
  const survivor = (c: { id: string; merged_into_id: string | null }) => c.merged_into_id ?? c.id;
  const customerById = new Map(customerRows.map((c) => [c.id, survivor(c)]));
  const customerByExternalId = new Map(customerRows.filter((c) => c.external_id).map((c) => [c.external_id!, survivor(c)]));

  const orderExternalIds = checked.filter((c) => !c.errors.any).map((c) => c.externalId);
  const existing = orderExternalIds.length
    ? await em.execute<{ id: string; external_id: string; customer_id: string }[]>(
        'select id, external_id, customer_id from customer_order where tenant_id = ? and external_id in (?)',
        [tenantId, orderExternalIds],
      )
    : [];
  const existingByExternalId = new Map(existing.map((o) => [o.external_id, o]));

  const outcomes = new Map<number, { outcome: ImportOutcome; orderId: string | null }>();
  const pending: Pending[] = [];
  for (const c of checked) {
    if (c.errors.any) continue;
    const path = `input.${c.index}`;
    const customerId = c.byId ? customerById.get(c.row.customerId!) : customerByExternalId.get(c.row.customerExternalId!.trim());
    if (!customerId) {
      c.errors.add(c.byId ? `${path}.customerId` : `${path}.customerExternalId`, 'no such customer in this tenant');
      continue;
    }
    const before = existingByExternalId.get(c.externalId);
    if (before) {
      if (before.customer_id !== customerId) {
        c.errors.add(`${path}.externalId`, 'was already imported for another customer');
      } else {
        outcomes.set(c.index, { outcome: ImportOutcome.EXISTING, orderId: before.id });
      }
      continue;
    }
    pending.push({ index: c.index, customerId, order: { ...c.order, externalId: c.externalId } });
  }

  // 3. Insert the new ones. A concurrent import of the same externalId loses the race quietly
  //    (on conflict do nothing) and is reported EXISTING.
  const created: Pending[] = [];
  if (pending.length) {
    await em.transactional(async (txEm) => {
      const tx = txEm as Em;
      for (let start = 0; start < pending.length; start += INSERT_BATCH) {
        const batch = pending.slice(start, start + INSERT_BATCH).map((p) => ({ ...p, id: newId() }));
        const inserted = await tx.execute<{ id: string; external_id: string }[]>(
          `insert into customer_order (tenant_id, id, customer_id, external_id, occurred_at, total_amount, currency, status, channel, line_items)
           values ${batch.map(() => '(?, ?, ?, ?, ?::timestamptz, ?::numeric, ?, ?, ?, ?::jsonb)').join(', ')}
           on conflict (tenant_id, external_id) do nothing
           returning id, external_id`,
          batch.flatMap((p) => [
            tenantId, p.id, p.customerId, p.order.externalId, p.order.occurredAt.toISOString(), p.order.totalAmount,
            p.order.currency, p.order.status, p.order.channel ?? null, JSON.stringify(p.order.lineItems),
          ]),
        );
        const won = new Set(inserted.map((r) => r.external_id));
        for (const p of batch) {
          if (won.has(p.order.externalId)) {
            outcomes.set(p.index, { outcome: ImportOutcome.CREATED, orderId: p.id });
            created.push(p);
          }
        }
      }
    });
    const lost = pending.filter((p) => !outcomes.has(p.index));
    if (lost.length) {
      const raced = await em.execute<{ id: string; external_id: string }[]>(
        'select id, external_id from customer_order where tenant_id = ? and external_id in (?)',
        [tenantId, lost.map((p) => p.order.externalId)],
      );
      const byExternal = new Map(raced.map((r) => [r.external_id, r.id]));
      for (const p of lost) outcomes.set(p.index, { outcome: ImportOutcome.EXISTING, orderId: byExternal.get(p.order.externalId) ?? null });
    }
  }

  // 4. The stored orders, in one statement.
  const orderIds = [...new Set([...outcomes.values()].map((o) => o.orderId).filter((id): id is string => id !== null))];
  const stored = orderIds.length
    ? await em.execute<Record<string, unknown>[]>('select * from customer_order where tenant_id = ? and id in (?)', [tenantId, orderIds])
    : [];
  const orders = new Map(stored.map((row) => [String(row.id), em.map(Order, row as never)]));

  if (created.length) await runOrderRecordedHooks(em, tenantId, [...new Set(created.map((p) => p.customerId))], principal.tenant);

  return checked.map((c) => {
    const done = outcomes.get(c.index);
    if (!done || c.errors.any) return result(c.index, c.row.externalId ?? null, ImportOutcome.FAILED, null, c.errors);
    return result(c.index, c.externalId, done.outcome, done.orderId ? (orders.get(done.orderId) ?? null) : null, null);
  });
}
