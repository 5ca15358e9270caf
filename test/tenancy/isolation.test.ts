import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../server/db/ids.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * A key of tenant B can never read, change or even detect tenant A's data: every query and
 * mutation answers for A's ids exactly as for ids that do not exist.
 */
let s: TestServer;

const A = { org: '', person: '', duplicate: '', archived: '', contact: '', field: '', interaction: '', order: '' };
const B = { person: '', duplicate: '' };

const TABLES = ['customer', 'contact', 'interaction', 'customer_order', 'custom_field_definition', 'idempotency_record', 'customer_merge'];

/** Every row tenant A owns. */
async function snapshotOfA(): Promise<string> {
  const conn = s.orm.em.fork().getConnection();
  const parts: unknown[] = [];
  for (const table of TABLES) parts.push(await conn.execute(`select * from ${table} where tenant_id = ? order by 2`, [s.a.id]));
  return JSON.stringify(parts);
}

async function ok<T = any>(query: string, variables: Record<string, unknown> = {}, key = s.a.keys.ADMIN): Promise<T> {
  const res = await s.gql(query, variables, key);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as T;
}

const asB = <T = any>(query: string, variables: Record<string, unknown> = {}) => ok<T>(query, variables, s.b.keys.ADMIN);

beforeAll(async () => {
  s = await startTestServer();
  const create = async (input: string, key = s.a.keys.ADMIN) => (await ok(`mutation { createCustomer(input: ${input}) { id } }`, {}, key)).createCustomer.id;
  A.org = await create('{ name: "阿里巴巴 Secret Org", kind: ORGANIZATION, email: "boss@alibaba-secret.cn", phone: "138 0013 8000", company: "Alibaba Secret", externalId: "crm-1" }');
  A.person = await create('{ name: "Secret Person", email: "person@secret.example", externalId: "crm-2", tags: ["vip"] }');
  A.duplicate = await create('{ name: "Secret Duplicate" }');
  A.archived = await create('{ name: "Secret Archived" }');
  await ok('mutation($id: ID!) { archiveCustomer(id: $id) { id } }', { id: A.archived });
  A.contact = (await ok('mutation($id: ID!) { createContact(customerId: $id, input: { name: "Secret Contact" }) { id } }', { id: A.org })).createContact.id;
  A.field = (await ok('mutation { createCustomFieldDefinition(input: { key: "tier", label: "Tier", type: STRING }) { id } }')).createCustomFieldDefinition.id;
  A.interaction = (
    await ok('mutation($id: ID!) { logInteraction(input: { customerId: $id, type: CALL, channel: PHONE, subject: "secret call" }) { id } }', { id: A.person })
  ).logInteraction.id;
  A.order = (
    await ok('mutation($id: ID!) { recordOrder(input: { customerId: $id, total: "1000.00", externalId: "ord-1" }) { id } }', { id: A.person })
  ).recordOrder.id;
  B.person = await create('{ name: "Globex Person" }', s.b.keys.ADMIN);
  B.duplicate = await create('{ name: "Globex Duplicate" }', s.b.keys.ADMIN);
  await ok('mutation($id: ID!) { logInteraction(input: { customerId: $id, type: EMAIL, channel: EMAIL }) { id } }', { id: B.person }, s.b.keys.ADMIN);
  await ok('mutation($id: ID!) { recordOrder(input: { customerId: $id, total: "1.00" }) { id } }', { id: B.person }, s.b.keys.ADMIN);
});
afterAll(async () => s?.close());

/** What tenant B sees for A's id must be what it sees for an id nobody has. */
async function expectNotFoundLikeUnknown(query: string, vars: (id: string) => Record<string, unknown>, aId: string) {
  const before = await snapshotOfA();
  const forA = await s.gql(query, vars(aId), s.b.keys.ADMIN);
  const unknown = newId();
  const forNobody = await s.gql(query, vars(unknown), s.b.keys.ADMIN);
  expect(forA.errors?.[0]?.extensions.code, JSON.stringify(forA.errors)).toBe('NOT_FOUND');
  expect(forA.data).toBeNull();
  expect(forA.status).toBe(forNobody.status);
  const strip = (r: typeof forA, id: string) => JSON.stringify({ errors: r.errors, data: r.data }).replaceAll(id, '<id>');
  expect(strip(forA, aId)).toBe(strip(forNobody, unknown));
  expect(await snapshotOfA()).toBe(before);
}

describe('tenancy coverage', () => {
  it('tests every query and mutation of the foundation below (features of later issues test their own)', async () => {
    const data = await ok('{ __schema { queryType { fields { name } } mutationType { fields { name } } } }');
    const covered = {
      queries: ['customer', 'customers', 'customFieldDefinitions', 'interactions', 'orders', 'viewer'],
      mutations: [
        'archiveCustomer', 'createContact', 'createCustomFieldDefinition', 'createCustomer', 'deleteCustomFieldDefinition', 'logInteraction',
        'mergeCustomers', 'recordOrder', 'removeContact', 'restoreCustomer', 'updateContact', 'updateCustomFieldDefinition', 'updateCustomer',
        'upsertCustomers',
      ],
    };
    const names = (fields: { name: string }[]) => fields.map((f) => f.name).sort();
    expect(names(data.__schema.queryType.fields)).toEqual(expect.arrayContaining(covered.queries));
    expect(names(data.__schema.mutationType.fields)).toEqual(expect.arrayContaining(covered.mutations));
  });
});

describe('tenant B reading tenant A', () => {
  it('gets NOT_FOUND for customer(id) of each of A’s customers, archived ones included', async () => {
    for (const id of [A.org, A.person, A.archived]) {
      await expectNotFoundLikeUnknown('query($id: ID!) { customer(id: $id) { id name } }', (x) => ({ id: x }), id);
    }
  });

  it('never sees A’s customers in customers(…), whatever the search, filter or page', async () => {
    const all = await asB('{ customers(first: 100) { totalCount nodes { id } } }');
    expect(all.customers.totalCount).toBe(2);
    expect(all.customers.nodes.map((n: { id: string }) => n.id).sort()).toEqual([B.person, B.duplicate].sort());
    const empties = [
      '{ search: "Secret" }', '{ search: "阿里巴巴" }', '{ search: "boss@alibaba-secret.cn" }', '{ search: "138 0013 8000" }',
      '{ search: "8613800138000" }', '{ name: { contains: "secret" } }', '{ externalId: { eq: "crm-1" } }',
      '{ email: { eq: "person@secret.example" } }', '{ tags: ["vip"] }', '{ archived: true }',
      '{ or: [{ name: { startsWith: "Secret" } }, { company: { isNull: false } }] }',
    ];
    for (const filter of empties) {
      const res = await asB(`{ customers(first: 100, filter: ${filter}) { totalCount nodes { id } } }`);
      expect(res.customers, filter).toEqual({ totalCount: 0, nodes: [] });
    }
  });

  it('never sees A’s interactions or orders, even when filtering by A’s customer id', async () => {
    const res = await asB(
      `query($id: ID!) {
        allI: interactions(first: 100) { totalCount nodes { id customerId } }
        byI: interactions(filter: { customerId: { eq: $id } }) { totalCount nodes { id } }
        inI: interactions(filter: { customerId: { in: [$id] } }) { totalCount nodes { id } }
        allO: orders(first: 100) { totalCount nodes { id customerId } }
        byO: orders(filter: { customerId: { eq: $id } }) { totalCount nodes { id } }
        extO: orders(filter: { externalId: { eq: "ord-1" } }) { totalCount nodes { id } }
        bigO: orders(filter: { total: { gte: "500" } }) { totalCount nodes { id } }
      }`,
      { id: A.person },
    );
    expect(res.allI.totalCount).toBe(1);
    expect(res.allI.nodes[0].customerId).toBe(B.person);
    expect(res.allO.totalCount).toBe(1);
    expect(res.allO.nodes[0].customerId).toBe(B.person);
    for (const key of ['byI', 'inI', 'byO', 'extO', 'bigO']) expect(res[key], key).toEqual({ totalCount: 0, nodes: [] });
  });

  it('cannot page into A’s rows with a cursor built from A’s values', async () => {
    const aPage = await ok('{ interactions(first: 1) { edges { cursor } } orders(first: 1) { edges { cursor } } customers(first: 1) { edges { cursor } } }');
    const res = await asB(
      `query($i: String!, $o: String!, $c: String!) {
        interactions(first: 100, after: $i) { nodes { customerId } }
        orders(first: 100, after: $o) { nodes { customerId } }
        customers(first: 100, after: $c) { nodes { id } }
      }`,
      { i: aPage.interactions.edges[0].cursor, o: aPage.orders.edges[0].cursor, c: aPage.customers.edges[0].cursor },
    );
    const seen = JSON.stringify(res);
    for (const id of Object.values(A)) expect(seen).not.toContain(id);
  });

  it('sees none of A’s custom field definitions', async () => {
    expect((await asB('{ customFieldDefinitions { key } }')).customFieldDefinitions).toEqual([]);
  });

  it('sees its own tenant in viewer', async () => {
    expect((await asB('{ viewer { tenant { slug defaultCurrency } } }')).viewer.tenant).toEqual({ slug: 'globex', defaultCurrency: 'USD' });
  });
});

describe('tenant B changing tenant A', () => {
  const cases: [string, string, (id: string) => Record<string, unknown>, () => string][] = [
    ['updateCustomer', 'mutation($id: ID!) { updateCustomer(id: $id, version: 1, input: { name: "Hacked" }) { id } }', (id) => ({ id }), () => A.person],
    ['archiveCustomer', 'mutation($id: ID!) { archiveCustomer(id: $id) { id } }', (id) => ({ id }), () => A.person],
    ['restoreCustomer', 'mutation($id: ID!) { restoreCustomer(id: $id) { id } }', (id) => ({ id }), () => A.archived],
    [
      'mergeCustomers (A’s survivor)',
      'mutation($id: ID!, $d: ID!) { mergeCustomers(survivorId: $id, duplicateIds: [$d]) { survivor { id } } }',
      (id) => ({ id, d: B.duplicate }),
      () => A.person,
    ],
    [
      'mergeCustomers (A’s duplicate)',
      'mutation($id: ID!, $s: ID!) { mergeCustomers(survivorId: $s, duplicateIds: [$id]) { survivor { id } } }',
      (id) => ({ id, s: B.person }),
      () => A.duplicate,
    ],
    ['createContact', 'mutation($id: ID!) { createContact(customerId: $id, input: { name: "Mole" }) { id } }', (id) => ({ id }), () => A.org],
    ['updateContact', 'mutation($id: ID!) { updateContact(id: $id, input: { name: "Hacked" }) { id } }', (id) => ({ id }), () => A.contact],
    ['removeContact', 'mutation($id: ID!) { removeContact(id: $id) { removedId } }', (id) => ({ id }), () => A.contact],
    [
      'logInteraction',
      'mutation($id: ID!) { logInteraction(input: { customerId: $id, type: NOTE, channel: OTHER }) { id } }',
      (id) => ({ id }),
      () => A.person,
    ],
    [
      'logInteraction with an idempotencyKey',
      'mutation($id: ID!) { logInteraction(input: { customerId: $id, type: NOTE, channel: OTHER }, idempotencyKey: "x-tenant") { id } }',
      (id) => ({ id }),
      () => A.person,
    ],
    ['recordOrder', 'mutation($id: ID!) { recordOrder(input: { customerId: $id, total: "1" }) { id } }', (id) => ({ id }), () => A.person],
    [
      'updateCustomFieldDefinition',
      'mutation($id: ID!) { updateCustomFieldDefinition(id: $id, input: { key: "tier", label: "Hacked", type: STRING }) { id } }',
      (id) => ({ id }),
      () => A.field,
    ],
    ['deleteCustomFieldDefinition', 'mutation($id: ID!) { deleteCustomFieldDefinition(id: $id) }', (id) => ({ id }), () => A.field],
  ];

  it.each(cases)('%s on A’s id answers NOT_FOUND, as for an unknown id, and leaves A unchanged', async (_name, query, vars, id) => {
    await expectNotFoundLikeUnknown(query, vars, id());
  });

  it('leaves B’s own customers untouched when a merge names one of A’s customers', async () => {
    const res = await asB(
      'query($s: ID!, $d: ID!) { s: customer(id: $s) { archivedAt mergedIntoId version merges { mergedId } } d: customer(id: $d) { archivedAt mergedIntoId version } }',
      { s: B.person, d: B.duplicate },
    );
    expect(res.s).toEqual({ archivedAt: null, mergedIntoId: null, version: 1, merges: [] });
    expect(res.d).toEqual({ archivedAt: null, mergedIntoId: null, version: 1 });
  });

  it('upsertCustomers with A’s externalId creates B’s own customer and leaves A’s alone', async () => {
    const before = await snapshotOfA();
    const res = await asB('mutation { upsertCustomers(input: [{ externalId: "crm-2", name: "Globex Upsert" }]) { outcome customer { id name } } }');
    expect(res.upsertCustomers[0].outcome).toBe('CREATED');
    expect(res.upsertCustomers[0].customer.id).not.toBe(A.person);
    expect(await snapshotOfA()).toBe(before);
    const again = await asB('mutation { upsertCustomers(input: [{ externalId: "crm-2", name: "Globex Upsert 2" }]) { outcome customer { id } } }');
    expect(again.upsertCustomers[0]).toEqual({ outcome: 'UPDATED', customer: { id: res.upsertCustomers[0].customer.id } });
    expect(await snapshotOfA()).toBe(before);
  });
});

describe('per-tenant uniqueness', () => {
  it('lets both tenants use the same customer externalId, while a second use within a tenant is a CONFLICT', async () => {
    const inB = await asB('mutation { createCustomer(input: { name: "Globex crm-1", externalId: "crm-1" }) { id externalId } }');
    expect(inB.createCustomer.externalId).toBe('crm-1');
    const againInA = await s.gql('mutation { createCustomer(input: { name: "Again", externalId: "crm-1" }) { id } }');
    expect(againInA.errors?.[0].extensions.code).toBe('CONFLICT');
    const againInB = await s.gql('mutation { createCustomer(input: { name: "Again", externalId: "crm-1" }) { id } }', {}, s.b.keys.ADMIN);
    expect(againInB.errors?.[0].extensions.code).toBe('CONFLICT');
    expect(JSON.stringify(againInB)).not.toContain(A.org);
  });

  it('lets both tenants use the same order externalId', async () => {
    const res = await asB('mutation($id: ID!) { recordOrder(input: { customerId: $id, total: "3", externalId: "ord-1" }) { id externalId } }', { id: B.person });
    expect(res.recordOrder.externalId).toBe('ord-1');
    expect(res.recordOrder.id).not.toBe(A.order);
  });

  it('lets both tenants use the same custom field key', async () => {
    const res = await asB('mutation { createCustomFieldDefinition(input: { key: "tier", label: "Tier", type: STRING }) { id } }');
    expect(res.createCustomFieldDefinition.id).not.toBe(A.field);
  });

  it('keeps idempotency keys per tenant: the same key and input create separate records in each tenant', async () => {
    const customer = 'mutation { createCustomer(input: { name: "Same Input" }, idempotencyKey: "shared-key") { id } }';
    const a1 = (await ok(customer)).createCustomer.id;
    const b1 = (await asB(customer)).createCustomer.id;
    expect(b1).not.toBe(a1);
    expect((await ok(customer)).createCustomer.id).toBe(a1);
    expect((await asB(customer)).createCustomer.id).toBe(b1);

    const log = 'mutation($id: ID!) { logInteraction(input: { customerId: $id, type: CALL, channel: PHONE }, idempotencyKey: "shared-key") { id customerId } }';
    const la = (await ok(log, { id: A.person })).logInteraction;
    const lb = (await asB(log, { id: B.person })).logInteraction;
    expect(lb.id).not.toBe(la.id);
    expect(lb.customerId).toBe(B.person);

    const order = 'mutation($id: ID!) { recordOrder(input: { customerId: $id, total: "7" }, idempotencyKey: "shared-key") { id customerId } }';
    const oa = (await ok(order, { id: A.person })).recordOrder;
    const ob = (await asB(order, { id: B.person })).recordOrder;
    expect(ob.id).not.toBe(oa.id);
    expect(ob.customerId).toBe(B.person);

    const counts: { tenant_id: string; count: number }[] = await s.orm.em.fork().getConnection().execute(
      `select tenant_id, count(*)::int as count from customer where name = 'Same Input' group by tenant_id`,
    );
    expect(counts.map((c) => Number(c.count))).toEqual([1, 1]);
  });
});
