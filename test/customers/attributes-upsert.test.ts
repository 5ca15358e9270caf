import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyError, startTestServer, type GqlResult, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.close());

let seq = 0;
const uid = (label: string) => `${label}-${Date.now().toString(36)}-${++seq}`;

const DEF_FIELDS = 'id key label type options required';
const CREATE_DEF = `mutation($input: CustomFieldDefinitionInput!) { createCustomFieldDefinition(input: $input) { ${DEF_FIELDS} } }`;
const UPDATE_DEF = `mutation($id: ID!, $input: CustomFieldDefinitionInput!) { updateCustomFieldDefinition(id: $id, input: $input) { ${DEF_FIELDS} } }`;
const DELETE_DEF = `mutation($id: ID!) { deleteCustomFieldDefinition(id: $id) }`;
const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id name version customAttributes } }`;
const UPDATE = `mutation($id: ID!, $version: Int!, $input: UpdateCustomerInput!) {
  updateCustomer(id: $id, version: $version, input: $input) { id version customAttributes } }`;
const GET = `query($id: ID!) { customer(id: $id) { id name email city version externalId customAttributes } }`;
const UPSERT = `mutation($input: [UpsertCustomerInput!]!) {
  upsertCustomers(input: $input) { index externalId outcome errors { path message } customer { id externalId name email city version } } }`;

function badInputPaths(res: GqlResult): string[] {
  const error = onlyError(res);
  expect(error.extensions.code).toBe('BAD_USER_INPUT');
  return (error.extensions.fields ?? []).map((f) => f.path);
}

async function defineField(input: Record<string, unknown>, key = s.a.keys.ADMIN) {
  const res = await s.gql(CREATE_DEF, { input }, key);
  expect(res.errors).toBeUndefined();
  return res.data.createCustomFieldDefinition;
}

async function customersWithExternalIds(ids: string[], apiKey?: string): Promise<any[]> {
  const res = await s.gql(
    `query($ids: [String!]) { customers(first: 100, filter: { externalId: { in: $ids } }, orderBy: [{ field: NAME }]) {
       totalCount nodes { id externalId name email city version } } }`,
    { ids },
    apiKey,
  );
  expect(res.errors).toBeUndefined();
  return res.data.customers.nodes;
}

describe('custom field definitions', () => {
  it('lets an ADMIN define a field of every type and lists them', async () => {
    const suffix = seq++;
    const defs = [
      { key: `segmentNote${suffix}`, label: 'Segment note', type: 'STRING' },
      { key: `score${suffix}`, label: 'Score', type: 'NUMBER' },
      { key: `vip${suffix}`, label: 'VIP', type: 'BOOLEAN' },
      { key: `renewal${suffix}`, label: 'Renewal date', type: 'DATE' },
      { key: `tier${suffix}`, label: 'Tier', type: 'ENUM', options: ['GOLD', 'SILVER'] },
    ];
    for (const def of defs) {
      const created = await defineField(def);
      expect(created).toMatchObject({ ...def, options: def.options ?? [], required: false });
    }
    const list = await s.gql(`{ customFieldDefinitions { key type options } }`, {}, s.a.keys.READ_ONLY);
    expect(list.data.customFieldDefinitions).toEqual(expect.arrayContaining(defs.map((d) => ({ key: d.key, type: d.type, options: d.options ?? [] }))));
    const other = await s.gql(`{ customFieldDefinitions { key } }`, {}, s.b.keys.ADMIN);
    expect(other.data.customFieldDefinitions.map((d: any) => d.key)).not.toContain(`score${suffix}`);
  });

  it('refuses AGENT, ANALYST and READ_ONLY keys with FORBIDDEN and creates nothing', async () => {
    const key = `agentField${seq++}`;
    for (const role of ['AGENT', 'ANALYST', 'READ_ONLY'] as const) {
      const res = await s.gql(CREATE_DEF, { input: { key, label: 'Nope', type: 'STRING' } }, s.a.keys[role]);
      expect(onlyError(res).extensions.code).toBe('FORBIDDEN');
    }
    const list = await s.gql(`{ customFieldDefinitions { key } }`);
    expect(list.data.customFieldDefinitions.map((d: any) => d.key)).not.toContain(key);
  });

  it('rejects malformed definitions with BAD_USER_INPUT naming the field', async () => {
    expect(badInputPaths(await s.gql(CREATE_DEF, { input: { key: '1bad key', label: 'X', type: 'STRING' } }))).toContain('input.key');
    expect(badInputPaths(await s.gql(CREATE_DEF, { input: { key: `noOptions${seq++}`, label: 'X', type: 'ENUM' } }))).toContain('input.options');
    expect(badInputPaths(await s.gql(CREATE_DEF, { input: { key: `strOptions${seq++}`, label: 'X', type: 'STRING', options: ['a'] } }))).toContain('input.options');
    expect(badInputPaths(await s.gql(CREATE_DEF, { input: { key: `noLabel${seq++}`, label: ' ', type: 'STRING' } }))).toContain('input.label');
  });

  it('answers CONFLICT for a second definition with the same key', async () => {
    const key = `dupKey${seq++}`;
    await defineField({ key, label: 'First', type: 'STRING' });
    const res = await s.gql(CREATE_DEF, { input: { key, label: 'Second', type: 'NUMBER' } });
    expect(onlyError(res).extensions.code).toBe('CONFLICT');
  });

  it('updates label, options and required, but not key or type', async () => {
    const key = `plan${seq++}`;
    const def = await defineField({ key, label: 'Plan', type: 'ENUM', options: ['FREE'] });
    const updated = await s.gql(UPDATE_DEF, { id: def.id, input: { key, label: 'Billing plan', type: 'ENUM', options: ['FREE', 'PRO'] } });
    expect(updated.errors).toBeUndefined();
    expect(updated.data.updateCustomFieldDefinition).toMatchObject({ id: def.id, label: 'Billing plan', options: ['FREE', 'PRO'] });
    // The new option is accepted on customers right away.
    const c = await s.gql(CREATE, { input: { name: uid('Pro'), customAttributes: { [key]: 'PRO' } } });
    expect(c.data.createCustomer.customAttributes).toEqual({ [key]: 'PRO' });

    expect(badInputPaths(await s.gql(UPDATE_DEF, { id: def.id, input: { key: `${key}X`, label: 'L', type: 'ENUM', options: ['A'] } }))).toContain('input.key');
    expect(badInputPaths(await s.gql(UPDATE_DEF, { id: def.id, input: { key, label: 'L', type: 'STRING' } }))).toContain('input.type');
    const agent = await s.gql(UPDATE_DEF, { id: def.id, input: { key, label: 'Agent edit', type: 'ENUM', options: ['FREE'] } }, s.a.keys.AGENT);
    expect(onlyError(agent).extensions.code).toBe('FORBIDDEN');
    const fromB = await s.gql(UPDATE_DEF, { id: def.id, input: { key, label: 'B edit', type: 'ENUM', options: ['FREE'] } }, s.b.keys.ADMIN);
    expect(onlyError(fromB).extensions.code).toBe('NOT_FOUND');
  });

  it('deletes a definition: the key is then unknown for new writes, stored values stay', async () => {
    const key = `legacy${seq++}`;
    const def = await defineField({ key, label: 'Legacy', type: 'STRING' });
    const c = (await s.gql(CREATE, { input: { name: uid('Legacy holder'), customAttributes: { [key]: 'old' } } })).data.createCustomer;

    const agent = await s.gql(DELETE_DEF, { id: def.id }, s.a.keys.AGENT);
    expect(onlyError(agent).extensions.code).toBe('FORBIDDEN');
    const fromB = await s.gql(DELETE_DEF, { id: def.id }, s.b.keys.ADMIN);
    expect(onlyError(fromB).extensions.code).toBe('NOT_FOUND');
    const deleted = await s.gql(DELETE_DEF, { id: def.id });
    expect(deleted.data.deleteCustomFieldDefinition).toBe(def.id);
    const list = await s.gql(`{ customFieldDefinitions { key } }`);
    expect(list.data.customFieldDefinitions.map((d: any) => d.key)).not.toContain(key);

    const read = await s.gql(GET, { id: c.id });
    expect(read.data.customer.customAttributes).toEqual({ [key]: 'old' });
    const again = await s.gql(CREATE, { input: { name: uid('After delete'), customAttributes: { [key]: 'new' } } });
    expect(badInputPaths(again)).toEqual([`input.customAttributes.${key}`]);
    const missing = await s.gql(DELETE_DEF, { id: def.id });
    expect(onlyError(missing).extensions.code).toBe('NOT_FOUND');
  });
});

describe('customAttributes', () => {
  const k = {
    text: `note${seq++}`, num: `points${seq++}`, bool: `optIn${seq++}`, date: `since${seq++}`, choice: `level${seq++}`,
  };
  beforeAll(async () => {
    await defineField({ key: k.text, label: 'Note', type: 'STRING' });
    await defineField({ key: k.num, label: 'Points', type: 'NUMBER' });
    await defineField({ key: k.bool, label: 'Opt in', type: 'BOOLEAN' });
    await defineField({ key: k.date, label: 'Since', type: 'DATE' });
    await defineField({ key: k.choice, label: 'Level', type: 'ENUM', options: ['GOLD', 'SILVER'] });
  });

  it('stores valid values of every type and reads them back', async () => {
    const attrs = { [k.text]: '常客', [k.num]: 42.5, [k.bool]: true, [k.date]: '2021-06-01', [k.choice]: 'GOLD' };
    const res = await s.gql(CREATE, { input: { name: uid('Attrs'), customAttributes: attrs } });
    expect(res.errors).toBeUndefined();
    expect(res.data.createCustomer.customAttributes).toEqual(attrs);
    const read = await s.gql(GET, { id: res.data.createCustomer.id });
    expect(read.data.customer.customAttributes).toEqual(attrs);
  });

  it('accepts a future date in a DATE field (renewals, next visits)', async () => {
    const nextYear = `${new Date().getUTCFullYear() + 1}-03-01`;
    const res = await s.gql(CREATE, { input: { name: uid('Renewal'), customAttributes: { [k.date]: nextYear } } });
    expect(res.errors).toBeUndefined();
    expect(res.data.createCustomer.customAttributes[k.date]).toBe(nextYear);
    const absurd = await s.gql(CREATE, { input: { name: uid('Absurd date'), customAttributes: { [k.date]: '1850-01-01' } } });
    expect(badInputPaths(absurd)).toEqual([`input.customAttributes.${k.date}`]);
  });

  it('rejects unknown keys, wrong types and values outside the options, each at input.customAttributes.<key>, writing nothing', async () => {
    const name = uid('Bad attrs');
    const res = await s.gql(CREATE, {
      input: {
        name,
        customAttributes: { nope: 1, [k.text]: 5, [k.num]: '12', [k.bool]: 'yes', [k.date]: '2021-13-45', [k.choice]: 'PLATINUM' },
      },
    });
    expect(badInputPaths(res).sort()).toEqual(
      ['nope', k.text, k.num, k.bool, k.date, k.choice].map((key) => `input.customAttributes.${key}`).sort(),
    );
    const list = await s.gql(`query($n: String!) { customers(filter: { name: { eq: $n } }) { totalCount } }`, { n: name });
    expect(list.data.customers.totalCount).toBe(0);
  });

  it('merges attributes on update, removes keys set to null, and validates the new values', async () => {
    const created = await s.gql(CREATE, { input: { name: uid('Merge attrs'), customAttributes: { [k.text]: 'a', [k.num]: 1 } } });
    const c = created.data.createCustomer;
    const upd = await s.gql(UPDATE, { id: c.id, version: 1, input: { customAttributes: { [k.num]: 2, [k.text]: null, [k.choice]: 'SILVER' } } });
    expect(upd.errors).toBeUndefined();
    expect(upd.data.updateCustomer).toMatchObject({ version: 2, customAttributes: { [k.num]: 2, [k.choice]: 'SILVER' } });
    expect(upd.data.updateCustomer.customAttributes).not.toHaveProperty(k.text);
    const bad = await s.gql(UPDATE, { id: c.id, version: 2, input: { customAttributes: { [k.choice]: 'BRONZE' } } });
    expect(badInputPaths(bad)).toEqual([`input.customAttributes.${k.choice}`]);
    expect((await s.gql(GET, { id: c.id })).data.customer.customAttributes).toEqual({ [k.num]: 2, [k.choice]: 'SILVER' });
  });

  it('requires a required field on create (in tenant B, so other tests are unaffected)', async () => {
    const key = `region${seq++}`;
    const def = await defineField({ key, label: 'Sales region', type: 'ENUM', options: ['EAST', 'WEST'], required: true }, s.b.keys.ADMIN);
    try {
      const missing = await s.gql(CREATE, { input: { name: uid('No region') } }, s.b.keys.ADMIN);
      expect(badInputPaths(missing)).toEqual([`input.customAttributes.${key}`]);
      const ok = await s.gql(CREATE, { input: { name: uid('With region'), customAttributes: { [key]: 'EAST' } } }, s.b.keys.ADMIN);
      expect(ok.errors).toBeUndefined();
      const cleared = await s.gql(
        UPDATE,
        { id: ok.data.createCustomer.id, version: 1, input: { customAttributes: { [key]: null } } },
        s.b.keys.ADMIN,
      );
      expect(badInputPaths(cleared)).toEqual([`input.customAttributes.${key}`]);
      const upserted = await s.gql(UPSERT, { input: [{ externalId: uid('no-region'), name: 'Upsert no region' }] }, s.b.keys.ADMIN);
      expect(upserted.data.upsertCustomers[0]).toMatchObject({ outcome: 'FAILED', errors: [{ path: `input.0.customAttributes.${key}` }] });
      // Tenant A has no such definition and is unaffected.
      const inA = await s.gql(CREATE, { input: { name: uid('Tenant A free') } });
      expect(inA.errors).toBeUndefined();
    } finally {
      await s.gql(DELETE_DEF, { id: def.id }, s.b.keys.ADMIN);
    }
  });
});

describe('upsertCustomers', () => {
  it('creates new rows and updates existing ones by externalId, a result per row in input order', async () => {
    const existingId = uid('ext-existing');
    const created = await s.gql(CREATE, { input: { name: uid('Existing'), externalId: existingId } });
    const existing = created.data.createCustomer;
    const newIds = [uid('ext-new'), uid('ext-new')];
    const res = await s.gql(UPSERT, {
      input: [
        { externalId: newIds[0], name: 'New zero', email: 'ZERO@example.com' },
        { externalId: existingId, city: 'Hangzhou' },
        { externalId: newIds[1], name: 'New two', kind: 'ORGANIZATION' },
      ],
    });
    expect(res.errors).toBeUndefined();
    const results = res.data.upsertCustomers;
    expect(results.map((r: any) => [r.index, r.externalId, r.outcome])).toEqual([
      [0, newIds[0], 'CREATED'],
      [1, existingId, 'UPDATED'],
      [2, newIds[1], 'CREATED'],
    ]);
    expect(results[0].customer).toMatchObject({ externalId: newIds[0], name: 'New zero', email: 'zero@example.com', version: 1 });
    expect(results[1].customer).toMatchObject({ id: existing.id, name: existing.name, city: 'Hangzhou', version: 2 });
    for (const r of results) expect(r.errors).toEqual([]);

    const read = await s.gql(GET, { id: existing.id });
    expect(read.data.customer).toMatchObject({ city: 'Hangzhou', name: existing.name, version: 2 });
    const stored = await customersWithExternalIds([...newIds, existingId]);
    expect(stored.map((c) => c.externalId).sort()).toEqual([...newIds, existingId].sort());
  });

  it('is idempotent: sending the same rows again updates them and creates no duplicates', async () => {
    const ids = [uid('again'), uid('again')];
    const rows = ids.map((externalId, i) => ({ externalId, name: `Again ${i}` }));
    const first = await s.gql(UPSERT, { input: rows });
    expect(first.data.upsertCustomers.map((r: any) => r.outcome)).toEqual(['CREATED', 'CREATED']);
    const second = await s.gql(UPSERT, { input: rows });
    expect(second.data.upsertCustomers.map((r: any) => r.outcome)).toEqual(['UPDATED', 'UPDATED']);
    expect(second.data.upsertCustomers.map((r: any) => r.customer.id)).toEqual(first.data.upsertCustomers.map((r: any) => r.customer.id));
    expect(await customersWithExternalIds(ids)).toHaveLength(2);
  });

  it('fails only the bad row (bad email) and writes the others', async () => {
    const ids = [uid('ok'), uid('bad'), uid('ok')];
    const res = await s.gql(UPSERT, {
      input: [
        { externalId: ids[0], name: 'Good one' },
        { externalId: ids[1], name: 'Bad one', email: 'not-an-email' },
        { externalId: ids[2], name: 'Good two', phone: '138 0013 8000' },
      ],
    });
    expect(res.errors).toBeUndefined();
    const [a, b, c] = res.data.upsertCustomers;
    expect(a).toMatchObject({ outcome: 'CREATED', errors: [] });
    expect(b).toMatchObject({ index: 1, externalId: ids[1], outcome: 'FAILED', customer: null, errors: [{ path: 'input.1.email' }] });
    expect(c).toMatchObject({ outcome: 'CREATED', errors: [] });
    const stored = await customersWithExternalIds(ids);
    expect(stored.map((x) => x.externalId).sort()).toEqual([ids[0], ids[2]].sort());
  });

  it('reports every problem of a bad row with row-indexed paths', async () => {
    const res = await s.gql(UPSERT, {
      input: [{ externalId: uid('multi'), name: 'x'.repeat(201), email: 'bad', country: 'XX', birthDate: '1800-01-01' }],
    });
    expect(res.data.upsertCustomers[0].outcome).toBe('FAILED');
    expect(res.data.upsertCustomers[0].errors.map((e: any) => e.path).sort()).toEqual(
      ['input.0.birthDate', 'input.0.country', 'input.0.email', 'input.0.name'],
    );
  });

  it('flags a second row with the same externalId in one call', async () => {
    const id = uid('twice');
    const res = await s.gql(UPSERT, { input: [{ externalId: id, name: 'Twice A' }, { externalId: id, name: 'Twice B' }] });
    expect(res.data.upsertCustomers[0]).toMatchObject({ outcome: 'CREATED' });
    expect(res.data.upsertCustomers[1]).toMatchObject({ outcome: 'FAILED', errors: [{ path: 'input.1.externalId' }] });
    const stored = await customersWithExternalIds([id]);
    expect(stored).toHaveLength(1);
    expect(stored[0].name).toBe('Twice A');
  });

  it('fails a new row without a name and a row with a blank externalId', async () => {
    const res = await s.gql(UPSERT, { input: [{ externalId: uid('nameless'), email: 'n@example.com' }, { externalId: '  ', name: 'Blank ext' }] });
    expect(res.data.upsertCustomers[0]).toMatchObject({ outcome: 'FAILED', errors: [{ path: 'input.0.name' }] });
    expect(res.data.upsertCustomers[1].outcome).toBe('FAILED');
    expect(res.data.upsertCustomers[1].errors.map((e: any) => e.path)).toContain('input.1.externalId');
  });

  it('rejects more than 1,000 rows with BAD_USER_INPUT at input and writes nothing', async () => {
    const prefix = uid('bulk');
    const rows = Array.from({ length: 1001 }, (_, i) => ({ externalId: `${prefix}-${i}`, name: `Bulk ${i}` }));
    const res = await s.gql(UPSERT, { input: rows });
    expect(badInputPaths(res)).toEqual(['input']);
    const list = await s.gql(`query($p: String!) { customers(filter: { externalId: { startsWith: $p } }) { totalCount } }`, { p: prefix });
    expect(list.data.customers.totalCount).toBe(0);
  });

  it('accepts exactly 1,000 rows in one call', async () => {
    const prefix = uid('thousand');
    const rows = Array.from({ length: 1000 }, (_, i) => ({ externalId: `${prefix}-${i}`, name: `Thousand ${i}` }));
    const res = await s.gql(
      `mutation($input: [UpsertCustomerInput!]!) { upsertCustomers(input: $input) { outcome } }`,
      { input: rows },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.upsertCustomers.filter((r: any) => r.outcome === 'CREATED')).toHaveLength(1000);
    const list = await s.gql(`query($p: String!) { customers(filter: { externalId: { startsWith: $p } }) { totalCount } }`, { p: prefix });
    expect(list.data.customers.totalCount).toBe(1000);
  });

  it('keys rows per tenant and is refused to READ_ONLY keys', async () => {
    const id = uid('per-tenant');
    await s.gql(UPSERT, { input: [{ externalId: id, name: 'In A', city: 'A-town' }] });
    const inB = await s.gql(UPSERT, { input: [{ externalId: id, name: 'In B', city: 'B-town' }] }, s.b.keys.AGENT);
    expect(inB.data.upsertCustomers[0].outcome).toBe('CREATED');
    expect((await customersWithExternalIds([id]))[0]).toMatchObject({ name: 'In A', city: 'A-town' });
    const ro = await s.gql(UPSERT, { input: [{ externalId: id, name: 'RO' }] }, s.a.keys.READ_ONLY);
    expect(onlyError(ro).extensions.code).toBe('FORBIDDEN');
  });
});
