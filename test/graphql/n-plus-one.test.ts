import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlEm } from '../../server/db/orm.js';
import { seedCustomers } from '../../server/db/seed/demo.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  await seedCustomers(sqlEm(s.orm), s.a.id, 150);
});
afterAll(async () => s?.close());

const PAGE_WITH_RELATIONS = `query($first: Int!) {
  customers(first: $first, orderBy: [{ field: NAME, direction: ASC }]) {
    nodes {
      id name
      contacts { id name }
      interactions(first: 3) { nodes { id type occurredAt } }
      orders(first: 3) { nodes { id total { amount currency } lineItems { sku } } }
    }
  }
}`;

describe('customers with nested relations (no N+1)', () => {
  it('costs the same number of SQL statements for 100 customers as for 1, at most 5', async () => {
    const one = await s.gql(PAGE_WITH_RELATIONS, { first: 1 });
    const hundred = await s.gql(PAGE_WITH_RELATIONS, { first: 100 });
    expect(one.errors).toBeUndefined();
    expect(hundred.errors).toBeUndefined();
    expect(hundred.data.customers.nodes).toHaveLength(100);
    // The page really has nested data, so the loaders were exercised.
    const nodes = hundred.data.customers.nodes as { contacts: unknown[]; orders: { nodes: unknown[] }; interactions: { nodes: unknown[] } }[];
    expect(nodes.some((n) => n.contacts.length > 0)).toBe(true);
    expect(nodes.filter((n) => n.orders.nodes.length === 3).length).toBeGreaterThan(10);
    expect(nodes.every((n) => n.orders.nodes.length <= 3 && n.interactions.nodes.length <= 3)).toBe(true);
    // auth + customers + contacts + interactions + orders
    expect(one.extensions?.sqlStatements).toBe(5);
    expect(hundred.extensions?.sqlStatements).toBe(one.extensions?.sqlStatements);
  });

  it('loads the customers of a page of orders or interactions in one batched statement', async () => {
    const q = (list: 'orders' | 'interactions', first: number) => s.gql(`{ ${list}(first: ${first}) { nodes { id customer { id name } } } }`);
    for (const list of ['orders', 'interactions'] as const) {
      const [one, hundred] = [await q(list, 1), await q(list, 100)];
      expect(hundred.errors).toBeUndefined();
      expect(hundred.data[list].nodes).toHaveLength(100);
      expect(new Set(hundred.data[list].nodes.map((n: { customer: { id: string } }) => n.customer.id)).size).toBeGreaterThan(10);
      // auth + the list + one batched customer lookup
      expect(one.extensions?.sqlStatements).toBe(3);
      expect(hundred.extensions?.sqlStatements).toBe(3);
    }
  });

  it('counts totals per customer in one grouped statement', async () => {
    const q = (first: number) => s.gql(`{ customers(first: ${first}) { nodes { orders(first: 1) { totalCount } } } }`);
    const [one, many] = [await q(1), await q(50)];
    expect(many.errors).toBeUndefined();
    expect(many.extensions?.sqlStatements).toBe(one.extensions?.sqlStatements);
    expect(one.extensions?.sqlStatements).toBe(4);
  });
});

describe('indexes', () => {
  it('lead every index and unique constraint of a tenant-owned table with tenant_id', async () => {
    const rows = await sqlEm(s.orm).execute<{ tablename: string; indexname: string; indexdef: string }[]>(
      `select tablename, indexname, indexdef from pg_indexes where schemaname = current_schema() and tablename <> 'tenant' and tablename not like 'mikro_orm%'`,
    );
    expect(rows.length).toBeGreaterThan(10);
    const offenders = rows.filter((r) => !/\(tenant_id[,)]/.test(r.indexdef));
    expect(offenders).toEqual([]);
  });
});
