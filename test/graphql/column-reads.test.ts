import {
  getNamedType, isEnumType, isNonNullType, isObjectType, isScalarType, type GraphQLField, type GraphQLObjectType, type GraphQLSchema,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Customer } from '../../server/customers/customer.entity.js';
import { CUSTOMER_READS } from '../../server/customers/customer.types.js';
import { sqlEm } from '../../server/db/orm.js';
import { seedCustomers } from '../../server/db/seed/demo.js';
import { columnsFor } from '../../server/graphql/columns.js';
import { Interaction } from '../../server/interactions/interaction.entity.js';
import { INTERACTION_READS } from '../../server/interactions/interaction.service.js';
import { Order } from '../../server/orders/order.entity.js';
import { ORDER_READS } from '../../server/orders/order.service.js';
import { getSchema } from '../../server/schema.js';
import { startTestServer, type GqlResult, type TestServer } from '../helpers/server.js';

/**
 * Pages of customers and their interactions read only the columns their selection needs
 * (server/graphql/columns.ts). The risk is a field that needs a column nobody selected: so every
 * field of Customer and of Interaction, asked alone, must get the answer it has among all fields.
 */
let s: TestServer;
let schema: GraphQLSchema;
beforeAll(async () => {
  s = await startTestServer();
  schema = await getSchema();
  const em = sqlEm(s.orm);
  await seedCustomers(em, s.a.id, 60);
  // The demo seed leaves these empty; fill them so a column that is not read shows as a difference.
  await em.execute(
    `update customer set external_id = 'ext-' || id, title = 'Buyer', industry = 'Retail', region = 'East', city = 'Hangzhou',
       address = 'Road ' || left(id::text, 4), birth_date = '1990-02-03', gender = 'OTHER', acquisition_source = 'fair',
       acquisition_channel = 'EMAIL', notes = 'note ' || name, custom_attributes = jsonb_build_object('k', name), marketing_consent = true
     where tenant_id = ?`,
    [s.a.id],
  );
  await em.execute(`update interaction set body = 'body of ' || id, duration_seconds = 42, outcome = 'ok' where tenant_id = ?`, [s.a.id]);
});
afterAll(async () => s?.close());

/** A selection of every leaf under `type`, `depth` object levels deep (no Customer inside, unions by __typename). */
function leaves(field: GraphQLField<unknown, unknown>, depth: number): string | null {
  const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  if (required.length) return null;
  const type = getNamedType(field.type);
  const args = field.args.some((a) => a.name === 'first') ? '(first: 3)' : '';
  if (isScalarType(type) || isEnumType(type)) return `${field.name}${args}`;
  if (!isObjectType(type)) return `${field.name}${args} { __typename }`;
  if (type.name === 'Customer' || depth === 0) return `${field.name}${args} { __typename }`;
  const inner = Object.values(type.getFields()).map((f) => leaves(f, depth - 1)).filter(Boolean);
  return `${field.name}${args} { ${inner.join(' ')} }`;
}

/** Every row of a tenant-wide list (`orders`, `interactions`: whole rows) with `selection`, by id. */
async function everyRow(list: string, selection: string): Promise<Map<unknown, Record<string, unknown>>> {
  const byId = new Map<unknown, Record<string, unknown>>();
  for (let after: string | null = null, more = true; more; ) {
    const res: GqlResult = await s.gql(`query($after: String) { ${list}(first: 100, after: $after) { nodes { id ${selection} } pageInfo { hasNextPage endCursor } } }`, { after });
    expect(res.errors).toBeUndefined();
    for (const row of res.data[list].nodes) byId.set(row.id, row);
    ({ hasNextPage: more, endCursor: after } = res.data[list].pageInfo);
  }
  return byId;
}

function selections(typeName: string): Map<string, string> {
  const type = schema.getType(typeName) as GraphQLObjectType;
  const all = new Map<string, string>();
  for (const field of Object.values(type.getFields())) {
    const selection = leaves(field, 2);
    if (selection) all.set(field.name, selection);
  }
  return all;
}

describe('pages read only the columns their selection needs', () => {
  it('knows the columns of plain fields and of the field resolvers it was told about, and reads everything otherwise', () => {
    const em = sqlEm(s.orm);
    expect(columnsFor(em, Order, new Set(['total', 'status']), ORDER_READS)).toEqual(['currency', 'customer_id', 'id', 'status', 'total_amount']);
    expect(columnsFor(em, Customer, new Set(['name', 'metrics', 'interactions', '__typename']), CUSTOMER_READS)).toEqual(['id', 'name']);
    expect(columnsFor(em, Customer, new Set(['name', 'aFieldNobodyDeclared']), CUSTOMER_READS)).toBeNull();
    expect(columnsFor(em, Interaction, new Set(['customer', 'occurredAt']), INTERACTION_READS)).toEqual(['customer_id', 'id', 'occurred_at']);
  });

  it('gives every Customer field, asked alone on a page, the answer it has among all fields', async () => {
    const fields = selections('Customer');
    expect(fields.size).toBeGreaterThan(35);
    const page = async (selection: string) => {
      const res = await s.gql(`{ customers(first: 40, orderBy: [{ field: NAME, direction: ASC }]) { nodes { id ${selection} } } }`);
      expect(res.errors, selection).toBeUndefined();
      return res.data.customers.nodes as Record<string, unknown>[];
    };
    const everything = [...fields.values()].join(' ');
    const all = await page(everything);
    expect(all).toHaveLength(40);
    // The reference: customer(id) reads whole rows.
    const one = await s.gql(`{ ${all.map((n, i) => `c${i}: customer(id: "${n.id}") { id ${everything} }`).join(' ')} }`);
    expect(one.errors).toBeUndefined();
    const reference = all.map((_, i) => one.data[`c${i}`]);
    expect(all).toEqual(reference);
    expect(reference.filter((c) => c.notes && c.address && c.birthDate).length).toBe(40);
    for (const [name, selection] of fields) {
      const alone = await page(selection);
      expect(alone, name).toEqual(reference.map((n) => ({ id: n.id, [name]: n[name] })));
    }
    // customer(id) reads only its selection's columns too.
    const ids = reference.slice(0, 5).map((n) => n.id);
    for (const [name, selection] of fields) {
      const res = await s.gql(`{ ${ids.map((id, i) => `c${i}: customer(id: "${id}") { id ${selection} }`).join(' ')} }`);
      expect(res.errors, name).toBeUndefined();
      expect(ids.map((_, i) => res.data[`c${i}`]), name).toEqual(reference.slice(0, 5).map((n) => ({ id: n.id, [name]: n[name] })));
    }
  });

  it('gives every Order field, asked alone on customers’ pages of orders (joined and batched), the answer it has among all fields', async () => {
    const fields = selections('Order');
    expect(fields.size).toBeGreaterThan(9);
    const everything = [...fields.values()].join(' ');
    // The reference: the tenant-wide order list reads whole rows.
    const byId = await everyRow('orders', everything);
    const segment = await s.gql(`mutation { createSegment(input: { name: "Order columns", kind: DYNAMIC, rule: { createdAt: { lte: "2100-01-01T00:00:00Z" } } }) { id } }`);
    expect(segment.errors).toBeUndefined();
    const ordersOf = (customers: { orders: { nodes: Record<string, unknown>[] } }[]) => customers.flatMap((c) => c.orders.nodes);
    const readers: [string, (selection: string) => Promise<Record<string, unknown>[]>][] = [
      // A page of customers reads its orders in its own statement (ordersWithCustomers)…
      ['joined', async (selection) => {
        const res = await s.gql(`{ customers(first: 40, orderBy: [{ field: NAME, direction: ASC }]) { nodes { orders(first: 3) { nodes { id ${selection} } } } } }`);
        expect(res.errors, selection).toBeUndefined();
        return ordersOf(res.data.customers.nodes);
      }],
      // …a segment's members are read without joins, so theirs are batched (orderPagesFor).
      ['batched', async (selection) => {
        const res = await s.gql(`query($id: ID!) { segment(id: $id) { customers(first: 40) { nodes { orders(first: 3) { nodes { id ${selection} } } } } } }`, {
          id: segment.data.createSegment.id,
        });
        expect(res.errors, selection).toBeUndefined();
        return ordersOf(res.data.segment.customers.nodes);
      }],
    ];
    for (const [how, read] of readers) {
      const all = await read(everything);
      const reference = all.map((o) => byId.get(o.id));
      expect(all.length, how).toBeGreaterThan(40);
      expect(all, how).toEqual(reference);
      expect(all.filter((o) => (o.lineItems as unknown[]).length).length, how).toBeGreaterThan(20);
      for (const [name, selection] of fields) {
        expect(await read(selection), `${how}: ${name}`).toEqual(reference.map((o) => ({ id: o!.id, [name]: o![name] })));
      }
    }
  });

  it('gives every Interaction field, asked alone on customers’ pages of interactions, the answer it has among all fields', async () => {
    const fields = selections('Interaction');
    expect(fields.size).toBeGreaterThan(12);
    const page = async (selection: string) => {
      const res = await s.gql(`{ customers(first: 40, orderBy: [{ field: NAME, direction: ASC }]) { nodes { id interactions(first: 3) { nodes { id ${selection} } } } } }`);
      expect(res.errors, selection).toBeUndefined();
      return (res.data.customers.nodes as { interactions: { nodes: Record<string, unknown>[] } }[]).flatMap((c) => c.interactions.nodes);
    };
    const everything = [...fields.values()].join(' ');
    const all = await page(everything);
    // The reference: the tenant-wide interaction list reads whole rows.
    const byId = await everyRow('interactions', everything);
    const reference = all.map((i) => byId.get(i.id));
    expect(all).toEqual(reference);
    expect(all.filter((i) => i.body).length).toBeGreaterThan(20);
    for (const [name, selection] of fields) {
      const alone = await page(selection);
      expect(alone, name).toEqual(reference.map((i) => ({ id: i!.id, [name]: i![name] })));
    }
  });

  it('answers two selections with the same arguments (aliases) each with its own columns', async () => {
    const res = await s.gql(`{ customers(first: 20, orderBy: [{ field: NAME, direction: ASC }]) { nodes {
      short: interactions(first: 3) { nodes { id } } long: interactions(first: 3) { nodes { id body outcome } } } } }`);
    expect(res.errors).toBeUndefined();
    const long = (res.data.customers.nodes as { long: { nodes: { body: string | null }[] } }[]).flatMap((c) => c.long.nodes);
    expect(long.length).toBeGreaterThan(10);
    expect(long.every((i) => typeof i.body === 'string' && i.body.startsWith('body of '))).toBe(true);
  });
});
