import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlEm } from '../../server/db/orm.js';
import { seedCustomers } from '../../server/db/seed/demo.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { childPageJoin } from '../../server/graphql/keyset-query.js';
import { Interaction } from '../../server/interactions/interaction.entity.js';

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
    // auth + customers with their interactions and orders + contacts
    expect(one.extensions?.sqlStatements).toBe(3);
    expect(hundred.extensions?.sqlStatements).toBe(one.extensions?.sqlStatements);
  });

  it('reads one interactions or orders field in the customers’ statement with the answers of the batched read', async () => {
    const connections = {
      interactions: (first: number) =>
        `interactions(first: ${first}) { totalCount nodes { id type channel direction subject body occurredAt durationSeconds outcome agent createdAt customer { id } }
          edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }`,
      orders: (first: number) =>
        `orders(first: ${first}) { totalCount nodes { id externalId occurredAt status channel total { amount currency } lineItems { sku name quantity unitPrice { amount currency } total { amount } } createdAt customer { id } }
          edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }`,
    };
    for (const [field, connection] of Object.entries(connections)) {
      for (const first of [1, 3, 0]) {
        const joined = await s.gql(`{ customers(first: 60, orderBy: [{ field: NAME, direction: ASC }]) { nodes { id a: ${connection(first)} } } }`);
        // Two such fields (aliases) are each left to their own batched read.
        const batched = await s.gql(`{ customers(first: 60, orderBy: [{ field: NAME, direction: ASC }]) { nodes { id a: ${connection(first)} b: ${field}(first: 1) { nodes { id } } } } }`);
        expect(joined.errors).toBeUndefined();
        expect(batched.errors).toBeUndefined();
        type Node = { id: string; a: { nodes: unknown[]; pageInfo: { hasNextPage: boolean } } };
        const nodes = joined.data.customers.nodes as Node[];
        expect(nodes, `${field}(first: ${first})`).toEqual((batched.data.customers.nodes as Node[]).map(({ id, a }) => ({ id, a })));
        if (first > 0) expect(nodes.filter((n) => n.a.nodes.length === first && n.a.pageInfo.hasNextPage).length).toBeGreaterThan(5);
      }
    }
    // auth + customers with their interactions and orders (+ the counts for totalCount, batched)
    const one = await s.gql(`{ customers(first: 60) { nodes { id interactions(first: 3) { nodes { id } } orders(first: 3) { nodes { id } } } } }`);
    expect(one.extensions?.sqlStatements).toBe(2);
  });

  it('reads no row beyond a joined first page when its selection does not ask hasNextPage, with the same answers', async () => {
    for (const field of ['interactions', 'orders']) {
      const unasked = `${field}(first: 2) { nodes { id } edges { cursor } pageInfo { endCursor hasPreviousPage } }`;
      const joined = await s.gql(`{ customers(first: 60, orderBy: [{ field: NAME, direction: ASC }]) { nodes { id a: ${unasked} } } }`);
      // Two fields (aliases) are each left to their batched read, which reads one row more.
      const batched = await s.gql(`{ customers(first: 60, orderBy: [{ field: NAME, direction: ASC }]) { nodes { id a: ${unasked} b: ${field}(first: 1) { nodes { id } } } } }`);
      expect(joined.errors).toBeUndefined();
      expect(batched.errors).toBeUndefined();
      type Node = { id: string; a: { nodes: unknown[] } };
      const nodes = joined.data.customers.nodes as Node[];
      expect(nodes.filter((n) => n.a.nodes.length === 2).length, field).toBeGreaterThan(5);
      expect(nodes, field).toEqual((batched.data.customers.nodes as Node[]).map(({ id, a }) => ({ id, a })));
    }
    const join = (exact: boolean) =>
      childPageJoin(sqlEm(s.orm), {
        entity: Interaction, table: 'interaction', keys: [{ expr: 't.occurred_at', prop: 'occurredAt', desc: true, kind: 'date' }], parentColumn: 'customer_id', alias: 'pi', parent: 'c',
        request: { size: 2, backward: false, cursor: null, exact },
      }).join;
    expect(join(true)).toMatch(/limit 2\)/);
    expect(join(false)).toMatch(/limit 3\)/);
    // Each row's parent is the row it is joined to; the limited subquery gives the order.
    expect(join(true)).toMatch(/json_agg\(json_build_array\([^)]*\)\) as rows/);
    expect(join(true)).not.toMatch(/json_build_array\([^)]*customer_id/);
  });

  it('reads a customer’s interactions with the customer, and leaves a filtered or bad page to its own read', async () => {
    const list = await s.gql(`{ customers(first: 30, orderBy: [{ field: NAME, direction: ASC }]) { nodes { id interactions(first: 2) { nodes { id occurredAt } } } } }`);
    expect(list.errors).toBeUndefined();
    const withSome = (list.data.customers.nodes as { id: string; interactions: { nodes: unknown[] } }[]).find((n) => n.interactions.nodes.length === 2)!;
    const card = await s.gql(`query($id: ID!) { customer(id: $id) { id interactions(first: 2) { nodes { id occurredAt } } } }`, { id: withSome.id });
    expect(card.errors).toBeUndefined();
    expect(card.data.customer).toEqual(withSome);
    expect(card.extensions?.sqlStatements).toBe(2);
    const filtered = await s.gql(`query($id: ID!) { customer(id: $id) { interactions(first: 2, filter: { type: { eq: CALL } }) { nodes { type } } } }`, { id: withSome.id });
    expect(filtered.errors).toBeUndefined();
    expect(filtered.extensions?.sqlStatements).toBe(3);
    for (const n of filtered.data.customer.interactions.nodes) expect(n.type).toBe('CALL');
    const tooMany = await s.gql(`{ customers(first: 2) { nodes { id interactions(first: 500) { nodes { id } } } } }`);
    expect(tooMany.errors?.[0]).toMatchObject({ path: ['customers', 'nodes', 0, 'interactions'], extensions: { code: 'BAD_USER_INPUT' } });
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
    // auth + customers with their orders + the counts
    expect(one.extensions?.sqlStatements).toBe(3);
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
