/**
 * orderCount, lastOrderAt and lastInteractionAt read columns kept on the customer by triggers
 * (migration 000006). These tests change orders and interactions every way the product (and a
 * back office writing SQL) can, and check what customers(filter:) and previewSegment answer, and
 * that the stored values equal a recount for every customer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ok } from './fixtures.js';

let s: TestServer;
const ids: Record<string, string> = {};
const nameOf: Record<string, string> = {};

const T1 = '2026-01-10T09:00:00.000Z';
const T2 = '2026-03-05T12:00:00.000Z';
const T3 = '2026-05-20T18:30:00.000Z';

async function matching(filter: Record<string, unknown>, key?: string): Promise<string[]> {
  const data = await ok(s, `query($f: CustomerFilter) { customers(filter: $f, first: 100) { nodes { id } } }`, { f: filter }, key);
  return data.customers.nodes.map((c: { id: string }) => nameOf[c.id]).sort();
}

async function previewCount(rule: Record<string, unknown>): Promise<number> {
  const data = await ok(s, `query($rule: CustomerFilter!) { previewSegment(rule: $rule, sampleSize: 0) { count } }`, { rule });
  return data.previewSegment.count;
}

async function sqlRun(text: string, params: unknown[] = []) {
  return s.orm.em.fork().getConnection().execute<Record<string, unknown>[]>(text, params);
}

/** Every customer's stored activity equals a recount from customer_order and interaction. */
async function expectStoredEqualsRecount(): Promise<void> {
  const rows = await sqlRun(`
    select c.id,
           c.order_count = (select count(*) from customer_order o where o.tenant_id = c.tenant_id and o.customer_id = c.id) as count_ok,
           c.last_order_at is not distinct from (select max(o.occurred_at) from customer_order o where o.tenant_id = c.tenant_id and o.customer_id = c.id) as last_ok,
           c.last_interaction_at is not distinct from (select max(i.occurred_at) from interaction i where i.tenant_id = c.tenant_id and i.customer_id = c.id) as interaction_ok
      from customer c`);
  expect(rows.length).toBeGreaterThan(0);
  for (const r of rows) expect({ id: r.id, count: r.count_ok, last: r.last_ok, interaction: r.interaction_ok }).toEqual({ id: r.id, count: true, last: true, interaction: true });
}

beforeAll(async () => {
  s = await startTestServer();
  for (const name of ['X', 'Y', 'Z']) {
    const data = await ok(s, `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }`, {
      input: { name, externalId: `act-${name}` },
    });
    ids[name] = data.createCustomer.id;
    nameOf[ids[name]] = name;
  }
  const other = await ok(s, `mutation { createCustomer(input: { name: "B1" }) { id } }`, {}, s.b.keys.ADMIN);
  ids.B1 = other.createCustomer.id;
  nameOf[ids.B1] = 'B1';
});
afterAll(async () => s?.close());

describe('orderCount / lastOrderAt / lastInteractionAt stay exact', () => {
  it('start at zero and null', async () => {
    expect(await matching({ orderCount: { eq: 0 } })).toEqual(['X', 'Y', 'Z']);
    expect(await matching({ lastOrderAt: { gte: T1 } })).toEqual([]);
    expect(await matching({ lastInteractionAt: { gte: T1 } })).toEqual([]);
    await expectStoredEqualsRecount();
  });

  it('follow recordOrder', async () => {
    await ok(s, `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { id } }`, {
      input: { customerId: ids.X, occurredAt: T2, lineItems: [{ sku: 'A', quantity: 1, unitPrice: '10' }] },
    });
    expect(await matching({ orderCount: { eq: 1 } })).toEqual(['X']);
    expect(await matching({ lastOrderAt: { gte: T2, lte: T2 } })).toEqual(['X']);
    await expectStoredEqualsRecount();
  });

  it('follow importOrders (by id and by customer externalId), older orders keep the latest, a repeat changes nothing', async () => {
    const input = [
      { externalId: 'act-o1', customerId: ids.X, occurredAt: T1, total: '5' },
      { externalId: 'act-o2', customerId: ids.X, occurredAt: T3, total: '7', status: 'CANCELLED' },
      { externalId: 'act-o3', customerExternalId: 'act-Y', occurredAt: T1, total: '3' },
    ];
    for (let round = 0; round < 2; round++) {
      const data = await ok(s, `mutation($input: [ImportOrderInput!]!) { importOrders(input: $input) { outcome } }`, { input });
      expect(data.importOrders.map((r: { outcome: string }) => r.outcome)).toEqual(round === 0 ? ['CREATED', 'CREATED', 'CREATED'] : ['EXISTING', 'EXISTING', 'EXISTING']);
      // Every order counts whatever its status, as before (the filter counts orders, not purchases).
      expect(await matching({ orderCount: { eq: 3 } })).toEqual(['X']);
      expect(await matching({ orderCount: { eq: 1 } })).toEqual(['Y']);
      expect(await matching({ lastOrderAt: { gt: T2 } })).toEqual(['X']);
      expect(await matching({ lastOrderAt: { lt: T2 } })).toEqual(['Y']);
    }
    expect(await previewCount({ orderCount: { gte: 1 }, lastOrderAt: { lt: T2 } })).toBe(1);
    await expectStoredEqualsRecount();
  });

  it('follow order changes and deletions made in SQL (status, time, customer)', async () => {
    // A status change moves nothing.
    await sqlRun(`update customer_order set status = 'REFUNDED' where external_id = 'act-o1'`);
    expect(await matching({ orderCount: { eq: 3 } })).toEqual(['X']);
    // The latest order moves back in time: lastOrderAt is recomputed.
    await sqlRun(`update customer_order set occurred_at = ? where external_id = 'act-o2'`, ['2026-02-01T00:00:00.000Z']);
    expect(await matching({ lastOrderAt: { gte: T2, lte: T2 } })).toEqual(['X']);
    // An order moves to another customer.
    await sqlRun(`update customer_order set customer_id = ? where external_id = 'act-o1'`, [ids.Z]);
    expect(await matching({ orderCount: { eq: 2 } })).toEqual(['X']);
    expect(await matching({ orderCount: { eq: 1 } })).toEqual(['Y', 'Z']);
    // Deleting the only order of Z empties it again.
    await sqlRun(`delete from customer_order where external_id = 'act-o1'`);
    expect(await matching({ orderCount: { eq: 0 } })).toEqual(['Z']);
    expect(await matching({ lastOrderAt: { gte: T1 } })).toEqual(['X', 'Y']);
    await expectStoredEqualsRecount();
  });

  it('follow logInteraction, and interactions changed in SQL', async () => {
    await ok(s, `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { id } }`, {
      input: { customerId: ids.Y, type: 'CALL', channel: 'PHONE', occurredAt: T2 },
    });
    await ok(s, `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { id } }`, {
      input: { customerId: ids.Y, type: 'EMAIL', channel: 'EMAIL', occurredAt: T1 },
    });
    expect(await matching({ lastInteractionAt: { gte: T2, lte: T2 } })).toEqual(['Y']);
    await sqlRun(`delete from interaction where customer_id = ? and occurred_at = ?`, [ids.Y, T2]);
    expect(await matching({ lastInteractionAt: { gte: T1, lte: T1 } })).toEqual(['Y']);
    await expectStoredEqualsRecount();
  });

  it('follow mergeCustomers: the survivor gets the duplicate’s orders and interactions', async () => {
    await ok(s, `mutation($survivor: ID!, $dups: [ID!]!) { mergeCustomers(survivorId: $survivor, duplicateIds: $dups) { survivor { id } } }`, {
      survivor: ids.Z, dups: [ids.Y],
    });
    expect(await matching({ orderCount: { eq: 1 } })).toEqual(['Z']);
    expect(await matching({ lastOrderAt: { gte: T1, lte: T1 } })).toEqual(['Z']);
    expect(await matching({ lastInteractionAt: { gte: T1 } })).toEqual(['Z']);
    await expectStoredEqualsRecount();
  });

  it('stay within the tenant', async () => {
    expect(await matching({ orderCount: { eq: 0 } }, s.b.keys.ADMIN)).toEqual(['B1']);
    expect(await matching({ orderCount: { gte: 1 } }, s.b.keys.ADMIN)).toEqual([]);
  });
});
