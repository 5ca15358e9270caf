import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyError, startTestServer, type TestServer } from '../helpers/server.js';

const IMPORT = `mutation($input: [ImportOrderInput!]!) {
  importOrders(input: $input) { index externalId outcome errors { path message } order { id externalId customerId total { amount currency } status } }
}`;

let s: TestServer;
const customers: Record<string, string> = {};

beforeAll(async () => {
  s = await startTestServer();
  const res = await s.gql(
    `mutation($input: [UpsertCustomerInput!]!) { upsertCustomers(input: $input) { externalId customer { id } } }`,
    { input: [{ externalId: 'ACME-1', name: 'Acme One' }, { externalId: 'ACME-2', name: 'Acme Two' }] },
  );
  for (const r of res.data.upsertCustomers) customers[r.externalId] = r.customer.id;
});
afterAll(async () => s?.close());

describe('importOrders', () => {
  const rows = () => [
    { externalId: 'IMP-1', customerId: customers['ACME-1'], occurredAt: '2025-03-01T10:00:00Z', total: '120.50' },
    { externalId: 'IMP-2', customerExternalId: 'ACME-2', occurredAt: '2025-03-02T10:00:00Z', lineItems: [{ sku: 'A', quantity: 2, unitPrice: '9.99' }] },
    { externalId: 'IMP-3', customerExternalId: 'ACME-2', occurredAt: '2025-03-03T10:00:00Z', total: '15', currency: 'usd', status: 'REFUNDED' },
  ];

  it('creates each row once and reports a re-import as EXISTING with the same order', async () => {
    const first = await s.gql(IMPORT, { input: rows() });
    expect(first.errors).toBeUndefined();
    const created = first.data.importOrders;
    expect(created.map((r: any) => [r.index, r.outcome])).toEqual([[0, 'CREATED'], [1, 'CREATED'], [2, 'CREATED']]);
    expect(created[1].order).toMatchObject({ customerId: customers['ACME-2'], total: { amount: '19.98', currency: 'CNY' } });
    expect(created[2].order).toMatchObject({ total: { amount: '15.00', currency: 'USD' }, status: 'REFUNDED' });

    const again = await s.gql(IMPORT, { input: rows() });
    expect(again.data.importOrders.map((r: any) => r.outcome)).toEqual(['EXISTING', 'EXISTING', 'EXISTING']);
    expect(again.data.importOrders.map((r: any) => r.order.id)).toEqual(created.map((r: any) => r.order.id));
    const count = await s.gql(`{ orders(filter: { externalId: { startsWith: "IMP-" } }) { totalCount } }`);
    expect(count.data.orders.totalCount).toBe(3);
  });

  it('reports every bad row with its path and stores the good rows anyway', async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const input = [
      { externalId: 'BAD-0', customerId: customers['ACME-1'], occurredAt: '2025-04-01T00:00:00Z', total: '10' },
      { externalId: 'BAD-1', customerId: customers['ACME-1'], occurredAt: '2025-04-01T00:00:00Z', total: '-5' },
      { externalId: 'BAD-2', customerExternalId: 'NOPE', occurredAt: '2025-04-01T00:00:00Z', total: '10' },
      { externalId: 'BAD-3', occurredAt: '2025-04-01T00:00:00Z', total: '10' },
      { externalId: 'BAD-4', customerId: customers['ACME-1'], occurredAt: future, total: '10' },
      { externalId: 'BAD-0', customerId: customers['ACME-1'], occurredAt: '2025-04-02T00:00:00Z', total: '10' },
      { externalId: 'BAD-6', customerId: 'not-an-id', occurredAt: '2025-04-01T00:00:00Z', total: '10' },
      { externalId: 'BAD-7', customerId: customers['ACME-1'], occurredAt: '2025-04-01T00:00:00Z', total: '10', currency: 'XYZQ' },
      { externalId: 'BAD-8', customerId: customers['ACME-1'], occurredAt: '2025-04-01T00:00:00Z', lineItems: [{ sku: 'A', quantity: 0, unitPrice: '1' }] },
      { externalId: 'IMP-1', customerId: customers['ACME-2'], occurredAt: '2025-03-01T10:00:00Z', total: '120.50' },
      { externalId: ' ', customerId: customers['ACME-1'], occurredAt: '2025-04-01T00:00:00Z', total: '10' },
      { externalId: 'BAD-11', customerId: customers['ACME-2'], occurredAt: '2025-04-03T00:00:00Z', total: '33.30' },
    ];
    const res = await s.gql(IMPORT, { input });
    expect(res.errors).toBeUndefined();
    const results = res.data.importOrders;
    expect(results).toHaveLength(input.length);
    const paths = results.map((r: any) => r.errors.map((e: any) => e.path));
    expect(paths).toEqual([
      [],
      ['input.1.total'],
      ['input.2.customerExternalId'],
      ['input.3.customerId'],
      ['input.4.occurredAt'],
      ['input.5.externalId'],
      ['input.6.customerId'],
      ['input.7.currency'],
      ['input.8.lineItems.0.quantity'],
      ['input.9.externalId'],
      ['input.10.externalId'],
      [],
    ]);
    expect(results.map((r: any) => r.outcome)).toEqual(['CREATED', ...Array(10).fill('FAILED'), 'CREATED']);
    expect(results[9].errors[0].message).toMatch(/another customer/);
    expect(results[1].order).toBeNull();
  });

  it('takes 5,000 rows in a handful of statements and refuses 5,001 outright', async () => {
    const many = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({
        externalId: `${prefix}-${i}`,
        customerExternalId: i % 2 ? 'ACME-1' : 'ACME-2',
        occurredAt: new Date(Date.UTC(2024, 0, 1) + (i % 700) * 86_400_000).toISOString(),
        total: `${(i % 97) + 1}.25`,
      }));
    const tooMany = await s.gql(IMPORT, { input: many(5001, 'TOO') });
    const error = onlyError(tooMany);
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.fields).toEqual([{ path: 'input', message: expect.stringMatching(/at most 5000 rows/) }]);
    const none = await s.gql(`{ orders(filter: { externalId: { startsWith: "TOO-" } }) { totalCount } }`);
    expect(none.data.orders.totalCount).toBe(0);

    const ok = await s.gql(`mutation($input: [ImportOrderInput!]!) { importOrders(input: $input) { outcome } }`, { input: many(5000, 'BULK') });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.importOrders.every((r: any) => r.outcome === 'CREATED')).toBe(true);
    // auth, customer and order lookups, 10 insert batches in a transaction, the stored orders, re-scoring.
    expect(ok.extensions?.sqlStatements).toBeLessThan(30);
    const again = await s.gql(`mutation($input: [ImportOrderInput!]!) { importOrders(input: $input) { outcome } }`, { input: many(5000, 'BULK') });
    expect(again.data.importOrders.every((r: any) => r.outcome === 'EXISTING')).toBe(true);
  });

  it('needs a write key and never reaches another tenant’s customers', async () => {
    const readOnly = await s.gql(IMPORT, { input: rows() }, s.a.keys.READ_ONLY);
    expect(onlyError(readOnly).extensions.code).toBe('FORBIDDEN');
    const other = await s.gql(IMPORT, { input: [{ ...rows()[0], externalId: 'B-1' }] }, s.b.keys.ADMIN);
    expect(other.data.importOrders[0]).toMatchObject({
      outcome: 'FAILED',
      errors: [{ path: 'input.0.customerId', message: 'no such customer in this tenant' }],
    });
  });

  it('re-scores the customers it added orders to', async () => {
    const res = await s.gql(`query($id: ID!) { customer(id: $id) { metrics { frequency orderCount monetary { total { amount } } } } }`, { id: customers['ACME-2'] });
    expect(res.errors).toBeUndefined();
    // Every ACME-2 order imported above that counts (the REFUNDED one does not).
    expect(res.data.customer.metrics.orderCount).toBeGreaterThan(2500);
  });
});
