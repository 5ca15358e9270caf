import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;

/** Records of tenant A that the mutations below point at. */
const ids = { org: '', person: '', duplicate: '', archived: '', contact: '', field: '' };

const TABLES = ['customer', 'contact', 'interaction', 'customer_order', 'custom_field_definition', 'idempotency_record', 'customer_merge'];

/** Every tenant-owned row, so a test can prove nothing changed. */
async function snapshot(): Promise<string> {
  const conn = s.orm.em.fork().getConnection();
  const parts: unknown[] = [];
  for (const table of TABLES) parts.push(await conn.execute(`select * from ${table} order by tenant_id, 2`));
  return JSON.stringify(parts);
}

async function ok<T = any>(query: string, variables: Record<string, unknown> = {}, key = s.a.keys.ADMIN): Promise<T> {
  const res = await s.gql(query, variables, key);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as T;
}

/** One call per mutation of the schema, with arguments that would succeed for an ADMIN key. */
const MUTATIONS: Record<string, () => [string, Record<string, unknown>]> = {
  createCustomer: () => ['mutation { createCustomer(input: { name: "New" }, idempotencyKey: "role-create") { id } }', {}],
  updateCustomer: () => ['mutation($id: ID!) { updateCustomer(id: $id, version: 1, input: { name: "Renamed" }) { id } }', { id: ids.person }],
  archiveCustomer: () => ['mutation($id: ID!) { archiveCustomer(id: $id) { id } }', { id: ids.person }],
  restoreCustomer: () => ['mutation($id: ID!) { restoreCustomer(id: $id) { id } }', { id: ids.archived }],
  upsertCustomers: () => ['mutation { upsertCustomers(input: [{ externalId: "ext-role", name: "Upserted" }]) { outcome } }', {}],
  mergeCustomers: () => [
    'mutation($s: ID!, $d: [ID!]!) { mergeCustomers(survivorId: $s, duplicateIds: $d) { survivor { id } } }',
    { s: ids.person, d: [ids.duplicate] },
  ],
  createContact: () => ['mutation($id: ID!) { createContact(customerId: $id, input: { name: "Li Na" }) { id } }', { id: ids.org }],
  updateContact: () => ['mutation($id: ID!) { updateContact(id: $id, input: { title: "CEO" }) { id } }', { id: ids.contact }],
  removeContact: () => ['mutation($id: ID!) { removeContact(id: $id) { removedId } }', { id: ids.contact }],
  logInteraction: () => [
    'mutation($id: ID!) { logInteraction(input: { customerId: $id, type: CALL, channel: PHONE }, idempotencyKey: "role-log") { id } }',
    { id: ids.person },
  ],
  recordOrder: () => [
    'mutation($id: ID!) { recordOrder(input: { customerId: $id, total: "10.00" }, idempotencyKey: "role-order") { id } }',
    { id: ids.person },
  ],
  createCustomFieldDefinition: () => ['mutation { createCustomFieldDefinition(input: { key: "vip", label: "VIP", type: BOOLEAN }) { id } }', {}],
  updateCustomFieldDefinition: () => [
    'mutation($id: ID!) { updateCustomFieldDefinition(id: $id, input: { key: "tier", label: "Tier!", type: STRING }) { id } }',
    { id: ids.field },
  ],
  deleteCustomFieldDefinition: () => ['mutation($id: ID!) { deleteCustomFieldDefinition(id: $id) }', { id: ids.field }],
};

const ADMIN_ONLY = new Set(['createCustomFieldDefinition', 'updateCustomFieldDefinition', 'deleteCustomFieldDefinition']);

beforeAll(async () => {
  s = await startTestServer();
  ids.org = (await ok('mutation { createCustomer(input: { name: "Acme Org", kind: ORGANIZATION }) { id } }')).createCustomer.id;
  ids.person = (await ok('mutation { createCustomer(input: { name: "Wang Fang" }) { id } }')).createCustomer.id;
  ids.duplicate = (await ok('mutation { createCustomer(input: { name: "Wang Fang (dup)" }) { id } }')).createCustomer.id;
  ids.archived = (await ok('mutation { createCustomer(input: { name: "Old" }) { id } }')).createCustomer.id;
  await ok('mutation($id: ID!) { archiveCustomer(id: $id) { id } }', { id: ids.archived });
  ids.contact = (await ok('mutation($id: ID!) { createContact(customerId: $id, input: { name: "Zhang San" }) { id } }', { id: ids.org })).createContact.id;
  ids.field = (await ok('mutation { createCustomFieldDefinition(input: { key: "tier", label: "Tier", type: STRING }) { id } }')).createCustomFieldDefinition.id;
  await ok('mutation($id: ID!) { logInteraction(input: { customerId: $id, type: EMAIL, channel: EMAIL }) { id } }', { id: ids.person });
  await ok('mutation($id: ID!) { recordOrder(input: { customerId: $id, total: "5" }) { id } }', { id: ids.person });
});
afterAll(async () => s?.close());

describe('role table', () => {
  it('covers every mutation of the foundation (features of later issues test their own)', async () => {
    const data = await ok('{ __schema { mutationType { fields { name } } } }');
    const names = data.__schema.mutationType.fields.map((f: { name: string }) => f.name);
    const foundation = [
      'archiveCustomer', 'createContact', 'createCustomFieldDefinition', 'createCustomer', 'deleteCustomFieldDefinition', 'logInteraction',
      'mergeCustomers', 'recordOrder', 'removeContact', 'restoreCustomer', 'updateContact', 'updateCustomFieldDefinition', 'updateCustomer',
      'upsertCustomers',
    ];
    expect(names).toEqual(expect.arrayContaining(foundation));
    expect(Object.keys(MUTATIONS).sort()).toEqual(foundation);
  });
});

describe.each(['READ_ONLY', 'ANALYST'] as const)('a %s key', (role) => {
  it.each(Object.keys(MUTATIONS))('gets FORBIDDEN for %s and nothing is written', async (name) => {
    const before = await snapshot();
    const [query, variables] = MUTATIONS[name]();
    const res = await s.gql(query, variables, s.a.keys[role]);
    expect(res.errors?.[0]?.extensions.code, JSON.stringify(res.errors)).toBe('FORBIDDEN');
    expect(res.data).toBeNull();
    expect(await snapshot()).toBe(before);
  });

  it('reads customers, contacts, interactions, orders and custom field definitions', async () => {
    const data = await ok(
      `query($id: ID!) {
        viewer { role }
        customer(id: $id) { name interactions { totalCount } orders { totalCount } }
        org: customer(id: "${ids.org}") { contacts { name } }
        customers(first: 10) { totalCount }
        interactions { totalCount }
        orders { totalCount nodes { total { amount } } }
        customFieldDefinitions { key }
      }`,
      { id: ids.person },
      s.a.keys[role],
    );
    expect(data.viewer.role).toBe(role);
    expect(data.customer).toEqual({ name: 'Wang Fang', interactions: { totalCount: 1 }, orders: { totalCount: 1 } });
    expect(data.org.contacts).toEqual([{ name: 'Zhang San' }]);
    expect(data.customers.totalCount).toBe(3);
    expect(data.interactions.totalCount).toBe(1);
    expect(data.orders).toEqual({ totalCount: 1, nodes: [{ total: { amount: '5.00' } }] });
    expect(data.customFieldDefinitions).toEqual([{ key: 'tier' }]);
  });
});

describe('an AGENT key', () => {
  it.each([...ADMIN_ONLY])('gets FORBIDDEN for %s (ADMIN only) and nothing is written', async (name) => {
    const before = await snapshot();
    const [query, variables] = MUTATIONS[name]();
    const res = await s.gql(query, variables, s.a.keys.AGENT);
    expect(res.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    expect(await snapshot()).toBe(before);
  });

  it('writes customers, contacts, interactions and orders', async () => {
    // Order matters: restore before merge (merged customers stay archived), remove the contact last.
    const order = [
      'createCustomer', 'updateCustomer', 'restoreCustomer', 'upsertCustomers', 'createContact', 'updateContact',
      'logInteraction', 'recordOrder', 'mergeCustomers', 'archiveCustomer', 'removeContact',
    ];
    expect(new Set(order)).toEqual(new Set(Object.keys(MUTATIONS).filter((n) => !ADMIN_ONLY.has(n))));
    for (const name of order) {
      const [query, variables] = MUTATIONS[name]();
      const res = await s.gql(query, variables, s.a.keys.AGENT);
      expect(res.errors, `${name}: ${JSON.stringify(res.errors)}`).toBeUndefined();
      expect(res.data[name]).toBeTruthy();
    }
    const after = await ok(`{ customers(filter: { search: "Renamed" }) { nodes { name } } }`);
    expect(after.customers.nodes).toEqual([]); // archived last
    const archived = await ok(`{ customers(filter: { archived: true, search: "Renamed" }) { nodes { name merges { mergedId } } } }`);
    expect(archived.customers.nodes).toEqual([{ name: 'Renamed', merges: [{ mergedId: ids.duplicate }] }]);
  });

  it('is allowed to manage custom field definitions when it is an ADMIN key instead', async () => {
    for (const name of ['createCustomFieldDefinition', 'updateCustomFieldDefinition', 'deleteCustomFieldDefinition']) {
      const [query, variables] = MUTATIONS[name]();
      const res = await s.gql(query, variables, s.a.keys.ADMIN);
      expect(res.errors, `${name}: ${JSON.stringify(res.errors)}`).toBeUndefined();
    }
    const data = await ok('{ customFieldDefinitions { key } }');
    expect(data.customFieldDefinitions).toEqual([{ key: 'vip' }]);
  });
});
