import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../server/db/ids.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let customerId = '';

async function ok<T = any>(query: string, variables: Record<string, unknown> = {}, key = s.a.keys.ADMIN): Promise<T> {
  const res = await s.gql(query, variables, key);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as T;
}

async function countOrders(where = 'true', params: unknown[] = []): Promise<number> {
  const rows = await s.orm.em.fork().getConnection().execute<{ count: number }[]>(`select count(*)::int as count from customer_order where ${where}`, params);
  return Number(rows[0].count);
}

const RECORD = `mutation($input: RecordOrderInput!, $key: String) {
  recordOrder(input: $input, idempotencyKey: $key) {
    id customerId externalId occurredAt status channel createdAt
    total { amount currency }
    lineItems { sku name category quantity unitPrice { amount currency } total { amount currency } }
    customer { id }
  }
}`;

function record(input: Record<string, unknown>, key?: string, apiKey = s.a.keys.ADMIN, customer = customerId) {
  return s.gql(RECORD, { input: { customerId: customer, ...input }, key }, apiKey);
}

beforeAll(async () => {
  s = await startTestServer();
  customerId = (await ok('mutation { createCustomer(input: { name: "刘洋" }) { id } }')).createCustomer.id;
});
afterAll(async () => s?.close());

describe('recordOrder', () => {
  it('computes the total of its line items exactly: 3 × 0.10 is 0.30', async () => {
    const res = await record({ lineItems: [{ sku: 'PEN', name: '笔', category: 'stationery', quantity: 3, unitPrice: '0.10' }] });
    expect(res.errors).toBeUndefined();
    const order = res.data.recordOrder;
    expect(order.total).toEqual({ amount: '0.30', currency: 'CNY' });
    expect(order.lineItems).toEqual([
      { sku: 'PEN', name: '笔', category: 'stationery', quantity: 3, unitPrice: { amount: '0.10', currency: 'CNY' }, total: { amount: '0.30', currency: 'CNY' } },
    ]);
    expect(order.status).toBe('PAID');
    expect(order.customer).toEqual({ id: customerId });
  });

  it('adds lines without float drift: 0.10 + 0.20 is 0.30, and 0.1 × 7 + 0.7 is 1.40', async () => {
    const a = await record({ lineItems: [{ sku: 'A', quantity: 1, unitPrice: '0.10' }, { sku: 'B', quantity: 1, unitPrice: '0.20' }] });
    expect(a.data.recordOrder.total.amount).toBe('0.30');
    const b = await record({ lineItems: [{ sku: 'A', quantity: 7, unitPrice: '0.1' }, { sku: 'B', quantity: 1, unitPrice: '0.7' }] });
    expect(b.data.recordOrder.total.amount).toBe('1.40');
  });

  it('keeps large and fine-grained amounts exact', async () => {
    const big = await record({ lineItems: [{ sku: 'CAR', quantity: 1, unitPrice: '999999999.99' }] });
    expect(big.data.recordOrder.total.amount).toBe('999999999.99');
    const bigger = await record({ lineItems: [{ sku: 'CAR', quantity: 1000, unitPrice: '999999999.99' }, { sku: 'X', quantity: 1, unitPrice: '0.01' }] });
    expect(bigger.data.recordOrder.total.amount).toBe('999999999990.01');
    expect(bigger.data.recordOrder.lineItems[0].total.amount).toBe('999999999990.00');
    const largest = await record({ total: '999999999999999.9999' });
    expect(largest.data.recordOrder.total.amount).toBe('999999999999999.9999');
    const tiny = await record({ lineItems: [{ sku: 'BOLT', quantity: 3, unitPrice: '0.0001' }] });
    expect(tiny.data.recordOrder.total.amount).toBe('0.0003');
    expect(tiny.data.recordOrder.lineItems[0].unitPrice.amount).toBe('0.0001');
  });

  it('returns Money amounts as exact strings, also when read back later', async () => {
    const created = (await record({ total: '1234.5' })).data.recordOrder;
    expect(created.total.amount).toBe('1234.50');
    const read = await ok('{ orders(first: 100) { nodes { id total { amount } } } }');
    const again = read.orders.nodes.find((o: { id: string }) => o.id === created.id);
    expect(again.total.amount).toBe('1234.50');
    for (const o of read.orders.nodes) expect(typeof o.total.amount).toBe('string');
  });

  it('accepts an explicit total, with or without line items, and a zero total', async () => {
    const explicit = await record({ total: '88.80', lineItems: [{ sku: 'GIFT', quantity: 1, unitPrice: '100.00' }] });
    expect(explicit.data.recordOrder.total.amount).toBe('88.80');
    expect(explicit.data.recordOrder.lineItems[0].total.amount).toBe('100.00');
    const zero = await record({ total: '0' });
    expect(zero.data.recordOrder.total.amount).toBe('0.00');
  });

  it('stores status, channel, externalId and occurredAt as given', async () => {
    const res = await record({ total: '9.90', status: 'PENDING', channel: 'WECHAT', externalId: 'SO-1', occurredAt: '2025-06-01T12:00:00.000Z' });
    expect(res.data.recordOrder).toMatchObject({ status: 'PENDING', channel: 'WECHAT', externalId: 'SO-1', occurredAt: '2025-06-01T12:00:00.000Z' });
  });

  describe('currency', () => {
    it('defaults to the tenant’s currency: CNY for tenant A, USD for tenant B', async () => {
      const a = await record({ total: '1' });
      expect(a.data.recordOrder.total.currency).toBe('CNY');
      const bCustomer = (await ok('mutation { createCustomer(input: { name: "Bob" }) { id } }', {}, s.b.keys.ADMIN)).createCustomer.id;
      const b = await record({ total: '1', lineItems: [{ sku: 'A', quantity: 1, unitPrice: '1' }] }, undefined, s.b.keys.ADMIN, bCustomer);
      expect(b.data.recordOrder.total.currency).toBe('USD');
      expect(b.data.recordOrder.lineItems[0].unitPrice.currency).toBe('USD');
    });

    it('normalizes a lowercase code: "eur" is EUR', async () => {
      const res = await record({ total: '1', currency: 'eur' });
      expect(res.data.recordOrder.total.currency).toBe('EUR');
    });

    it.each(['XYZ', 'usd1', '', 'US'])('rejects "%s" with BAD_USER_INPUT at input.currency', async (currency) => {
      const before = await countOrders();
      const res = await record({ total: '1', currency });
      expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].extensions.fields?.map((f) => f.path)).toEqual(['input.currency']);
      expect(await countOrders()).toBe(before);
    });
  });

  describe('validation', () => {
    const inTwoDays = () => new Date(Date.now() + 2 * 24 * 3600 * 1000).toISOString();
    it.each([
      ['a negative total', { total: '-1.00' }, 'input.total'],
      ['a negative unit price', { lineItems: [{ sku: 'A', quantity: 1, unitPrice: '-0.01' }] }, 'input.lineItems.0.unitPrice'],
      ['a quantity of 0', { lineItems: [{ sku: 'A', quantity: 0, unitPrice: '1' }] }, 'input.lineItems.0.quantity'],
      ['a negative quantity on the second line', { lineItems: [{ sku: 'A', quantity: 1, unitPrice: '1' }, { sku: 'B', quantity: -2, unitPrice: '1' }] }, 'input.lineItems.1.quantity'],
      ['an empty sku', { lineItems: [{ sku: '  ', quantity: 1, unitPrice: '1' }] }, 'input.lineItems.0.sku'],
      ['no total and no line items', {}, 'input.total'],
      ['an order before 1900', { total: '1', occurredAt: '1800-01-01T00:00:00Z' }, 'input.occurredAt'],
      ['an order in the future', { total: '1', occurredAt: inTwoDays }, 'input.occurredAt'],
      ['an order in the year 3000', { total: '1', occurredAt: '3000-01-01T00:00:00Z' }, 'input.occurredAt'],
      ['line items adding up to more than can be stored', { lineItems: [{ sku: 'A', quantity: 1_000_000, unitPrice: '999999999999999' }] }, 'input.lineItems'],
      ['a unit price with 5 decimals', { lineItems: [{ sku: 'A', quantity: 1, unitPrice: '1.00001' }] }, 'input.lineItems.0.unitPrice'],
      ['a total that is not a number', { total: 'ten' }, 'input.total'],
      ['a malformed customer id', { customerId: '42', total: '1' }, 'input.customerId'],
    ])('rejects %s with BAD_USER_INPUT at its path and writes nothing', async (_name, bad, path) => {
      const input = { ...(bad as Record<string, unknown>) };
      if (typeof input.occurredAt === 'function') input.occurredAt = (input.occurredAt as () => string)();
      const before = await countOrders();
      const res = await record(input);
      const error = res.errors?.[0];
      expect(error?.extensions.code, JSON.stringify(res.errors)).toBe('BAD_USER_INPUT');
      expect(error?.extensions.fields?.map((f) => f.path)).toEqual([path]);
      expect(res.data ?? null).toBeNull();
      expect(await countOrders()).toBe(before);
    });

    it('rejects line items whose sum could not be stored, without an internal error', async () => {
      const res = await record({ lineItems: Array.from({ length: 3 }, (_, i) => ({ sku: `L${i}`, quantity: 1, unitPrice: '999999999999999.9999' })) });
      expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].extensions.fields?.[0].path).toBe('input.lineItems');
    });

    it('rejects an unknown status with BAD_USER_INPUT at input.status', async () => {
      const res = await record({ total: '1', status: 'SHIPPED' });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'input.status' }] });
    });

    it('answers NOT_FOUND for a customer that does not exist, and writes nothing', async () => {
      const before = await countOrders();
      const res = await record({ total: '1', customerId: newId() });
      expect(res.errors?.[0].extensions.code).toBe('NOT_FOUND');
      expect(await countOrders()).toBe(before);
    });
  });

  describe('externalId', () => {
    it('answers CONFLICT for a second order with the same externalId', async () => {
      await record({ total: '5', externalId: 'SO-dup' });
      const res = await record({ total: '6', externalId: 'SO-dup' });
      expect(res.errors?.[0].extensions.code).toBe('CONFLICT');
      expect(await countOrders(`external_id = 'SO-dup'`)).toBe(1);
    });

    it('stores one order and answers CONFLICT to the others when the same externalId arrives at once', async () => {
      // Several rounds: on PostgreSQL the requests really overlap, and the unique constraint decides.
      for (let round = 0; round < 3; round++) {
        const externalId = `SO-race-${round}`;
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => record({ total: String(i + 1), externalId })));
        const codes = results.map((r) => r.errors?.[0]?.extensions.code ?? 'OK').sort();
        expect(codes).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'OK']);
        for (const r of results.filter((x) => x.errors)) expect(r.errors![0].extensions.path).toBe('input.externalId');
        expect(await countOrders('external_id = ?', [externalId])).toBe(1);
      }
    });
  });

  describe('idempotency', () => {
    it('returns the first order for a retry with the same idempotencyKey, and stores one row', async () => {
      const input = { lineItems: [{ sku: 'RETRY', quantity: 2, unitPrice: '19.99' }] };
      const first = await record(input, 'order-retry');
      const second = await record(input, 'order-retry');
      expect(second.errors).toBeUndefined();
      expect(second.data.recordOrder).toEqual(first.data.recordOrder);
      expect(first.data.recordOrder.total.amount).toBe('39.98');
      expect(await countOrders(`line_items::text like '%RETRY%'`)).toBe(1);
    });

    it('returns the first order for a retry that carries an externalId (no false CONFLICT)', async () => {
      const first = await record({ total: '12', externalId: 'SO-idem' }, 'order-retry-ext');
      const second = await record({ total: '12', externalId: 'SO-idem' }, 'order-retry-ext');
      expect(second.errors).toBeUndefined();
      expect(second.data.recordOrder.id).toBe(first.data.recordOrder.id);
    });

    it('stores exactly one order when the same request arrives many times at once', async () => {
      const input = { lineItems: [{ sku: 'CONCURRENT', quantity: 1, unitPrice: '5' }] };
      const results = await Promise.all(Array.from({ length: 8 }, () => record(input, 'order-concurrent')));
      for (const r of results) expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
      expect(new Set(results.map((r) => r.data.recordOrder.id)).size).toBe(1);
      expect(await countOrders(`line_items::text like '%CONCURRENT%'`)).toBe(1);
    });

    it('treats a retry with its fields in another order as the same request', async () => {
      const first = await record({ lineItems: [{ sku: 'ORDERED', quantity: 1, unitPrice: '2' }], channel: 'WEB' }, 'order-key-order');
      const second = await s.gql(RECORD, { key: 'order-key-order', input: { channel: 'WEB', lineItems: [{ unitPrice: '2', quantity: 1, sku: 'ORDERED' }], customerId, externalId: null } });
      expect(second.errors).toBeUndefined();
      expect(second.data.recordOrder.id).toBe(first.data.recordOrder.id);
    });

    it('answers CONFLICT when the key is reused with a different order', async () => {
      await record({ total: '1' }, 'order-reused');
      const res = await record({ total: '2' }, 'order-reused');
      expect(res.errors?.[0].extensions.code).toBe('CONFLICT');
    });

    it('costs 4 SQL statements (key check, one write, the re-scoring read and upsert), a retry 2', async () => {
      const query = `mutation($input: RecordOrderInput!, $key: String) {
        recordOrder(input: $input, idempotencyKey: $key) { id status occurredAt total { amount currency } } }`;
      const input = { customerId, lineItems: [{ sku: 'COUNTED', quantity: 2, unitPrice: '19.95' }] };
      const first = await s.gql(query, { input, key: 'order-counted' });
      expect(first.errors).toBeUndefined();
      expect(first.extensions?.sqlStatements).toBe(4);
      const retry = await s.gql(query, { input, key: 'order-counted' });
      expect(retry.data.recordOrder).toEqual(first.data.recordOrder);
      expect(retry.extensions?.sqlStatements).toBe(2);
      const keyless = await s.gql(query, { input });
      expect(keyless.errors).toBeUndefined();
      expect(keyless.extensions?.sqlStatements).toBe(4);
    });
  });
});

describe('listing orders', () => {
  // Tenant B holds only these, so every list below is exact.
  const ids: Record<string, string> = {};
  let x = '';
  let y = '';
  const rows: [string, 'x' | 'y', string, string, string][] = [
    ['o1', 'x', 'PAID', '99.99', '2024-01-10T09:00:00Z'],
    ['o2', 'x', 'PAID', '100.00', '2024-02-10T09:00:00Z'],
    ['o3', 'x', 'REFUNDED', '250.00', '2024-03-10T09:00:00Z'],
    ['o4', 'x', 'PENDING', '1000', '2024-03-10T09:00:00Z'],
    ['o5', 'x', 'PAID', '100.0001', '2024-04-10T09:00:00Z'],
    ['o6', 'y', 'PAID', '5000.50', '2024-03-15T09:00:00Z'],
    ['o7', 'y', 'CANCELLED', '20', '2024-06-01T09:00:00Z'],
  ];
  const asB = <T = any>(query: string, variables: Record<string, unknown> = {}) => ok<T>(query, variables, s.b.keys.ADMIN);
  const names = (nodes: { id: string }[]) => nodes.map((n) => Object.keys(ids).find((k) => ids[k] === n.id) ?? n.id);
  const newestFirst = (keys: string[]) =>
    [...keys].sort((p, q) => {
      const [tp, tq] = [rows.find((r) => r[0] === p)![4], rows.find((r) => r[0] === q)![4]];
      return tp === tq ? (ids[p] < ids[q] ? 1 : -1) : tp < tq ? 1 : -1;
    });

  beforeAll(async () => {
    await s.orm.em.fork().getConnection().execute('delete from customer_order where tenant_id = ?', [s.b.id]);
    x = (await asB('mutation { createCustomer(input: { name: "X" }) { id } }')).createCustomer.id;
    y = (await asB('mutation { createCustomer(input: { name: "Y" }) { id } }')).createCustomer.id;
    for (const [name, who, status, total, occurredAt] of rows) {
      const res = await s.gql(RECORD, { input: { customerId: who === 'x' ? x : y, status, total, occurredAt, externalId: name } }, s.b.keys.ADMIN);
      expect(res.errors).toBeUndefined();
      ids[name] = res.data.recordOrder.id;
    }
  });

  it('lists all of the tenant’s orders newest first', async () => {
    const res = await asB('{ orders(first: 100) { totalCount nodes { id } } }');
    expect(res.orders.totalCount).toBe(7);
    expect(names(res.orders.nodes)).toEqual(newestFirst(Object.keys(ids)));
  });

  it.each([
    ['status', '{ status: { eq: PAID } }', ['o1', 'o2', 'o5', 'o6']],
    ['status in', '{ status: { in: [CANCELLED, REFUNDED] } }', ['o3', 'o7']],
    ['total ≥ 100 (exactly 100.00 included, 99.99 not)', '{ total: { gte: "100" } }', ['o2', 'o3', 'o4', 'o5', 'o6']],
    ['total > 100 (100.0001 included)', '{ total: { gt: "100" } }', ['o3', 'o4', 'o5', 'o6']],
    ['total < 100', '{ total: { lt: "100" } }', ['o1', 'o7']],
    ['status and total', '{ status: { eq: PAID }, total: { gte: "100" } }', ['o2', 'o5', 'o6']],
    ['date range', '{ occurredAt: { gte: "2024-03-10T09:00:00Z", lt: "2024-04-10T09:00:00Z" } }', ['o3', 'o4', 'o6']],
    ['status, total and date range', '{ status: { eq: PAID }, total: { gte: "100" }, occurredAt: { gte: "2024-02-01T00:00:00Z", lt: "2024-04-01T00:00:00Z" } }', ['o2', 'o6']],
    ['externalId', '{ externalId: { eq: "o4" } }', ['o4']],
    ['currency', '{ currency: { eq: "USD" } }', ['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7']],
    ['customer', '{ customerId: { eq: "<y>" } }', ['o6', 'o7']],
  ])('filters the tenant-wide list by %s', async (_name, filter, expected) => {
    const res = await asB(`{ orders(first: 100, filter: ${filter.replace('<y>', y)}) { totalCount nodes { id } } }`);
    expect(names(res.orders.nodes)).toEqual(newestFirst(expected));
    expect(res.orders.totalCount).toBe(expected.length);
  });

  it('rejects a total filter that is not a decimal with BAD_USER_INPUT at its path', async () => {
    const res = await s.gql('{ orders(filter: { total: { gte: "lots" } }) { nodes { id } } }', {}, s.b.keys.ADMIN);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'filter.total.gte' }] });
  });

  it('pages through the list with first/after without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: any = await asB('query($after: String) { orders(first: 2, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }', { after });
      seen.push(...names(res.orders.nodes));
      if (!res.orders.pageInfo.hasNextPage) break;
      after = res.orders.pageInfo.endCursor;
    }
    expect(seen).toEqual(newestFirst(Object.keys(ids)));
  });

  it('lists one customer’s orders in customer.orders, filtered and newest first', async () => {
    const res = await asB(
      `query($x: ID!) {
        customer(id: $x) {
          all: orders(first: 100) { totalCount nodes { id total { amount currency } } }
          paid: orders(filter: { status: { eq: PAID } }) { totalCount nodes { id } }
          big: orders(filter: { total: { gte: "100" }, occurredAt: { lt: "2024-04-01T00:00:00Z" } }) { totalCount nodes { id } }
          top2: orders(first: 2) { nodes { id } pageInfo { hasNextPage endCursor } }
        }
      }`,
      { x },
    );
    const c = res.customer;
    expect(names(c.all.nodes)).toEqual(newestFirst(['o1', 'o2', 'o3', 'o4', 'o5']));
    expect(c.all.totalCount).toBe(5);
    expect(c.all.nodes.find((n: { id: string }) => n.id === ids.o5).total).toEqual({ amount: '100.0001', currency: 'USD' });
    expect(names(c.paid.nodes)).toEqual(newestFirst(['o1', 'o2', 'o5']));
    expect(c.paid.totalCount).toBe(3);
    expect(names(c.big.nodes)).toEqual(newestFirst(['o2', 'o3', 'o4']));
    expect(c.big.totalCount).toBe(3);
    expect(names(c.top2.nodes)).toEqual(['o5', ...newestFirst(['o3', 'o4']).slice(0, 1)]);
    const next = await asB('query($x: ID!, $after: String) { customer(id: $x) { orders(first: 10, after: $after) { nodes { id } } } }', { x, after: c.top2.pageInfo.endCursor });
    expect(names(next.customer.orders.nodes)).toEqual(newestFirst(['o1', 'o2', 'o3', 'o4', 'o5']).slice(2));
  });

  it('gives each customer of a page its own orders', async () => {
    const res = await asB('{ customers(first: 10, orderBy: [{ field: NAME }]) { nodes { name orders(first: 3, filter: { status: { eq: PAID } }) { totalCount nodes { id customer { name } } } } } }');
    const byName = Object.fromEntries(res.customers.nodes.map((c: any) => [c.name, c.orders]));
    expect(names(byName.X.nodes)).toEqual(newestFirst(['o1', 'o2', 'o5']));
    expect(byName.X.nodes.every((n: any) => n.customer.name === 'X')).toBe(true);
    expect(names(byName.Y.nodes)).toEqual(['o6']);
    expect(byName.Y.totalCount).toBe(1);
  });
});
