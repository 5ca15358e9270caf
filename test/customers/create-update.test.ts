import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyError, startTestServer, type GqlResult, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.close());

let seq = 0;
/** A name/externalId no other test uses. */
const uid = (label: string) => `${label}-${Date.now().toString(36)}-${++seq}`;

const FIELDS = `id externalId kind name email phone company title industry companySize region city country address birthDate
  gender acquisitionSource acquisitionChannel owner tags customAttributes marketingConsent notes archivedAt mergedIntoId
  version createdAt updatedAt`;

const CREATE = `mutation($input: CreateCustomerInput!, $key: String) { createCustomer(input: $input, idempotencyKey: $key) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $version: Int!, $input: UpdateCustomerInput!) { updateCustomer(id: $id, version: $version, input: $input) { ${FIELDS} } }`;
const GET = `query($id: ID!) { customer(id: $id) { ${FIELDS} } }`;

async function create(input: Record<string, unknown>, key?: string | null, apiKey?: string) {
  const res = await s.gql(CREATE, { input, key }, apiKey);
  expect(res.errors).toBeUndefined();
  return res.data.createCustomer;
}

/** Customers of tenant A (or the key's tenant) whose name is exactly `name`, archived ones too. */
async function countNamed(name: string, apiKey?: string): Promise<number> {
  const res = await s.gql(
    `query($name: String!) {
       active: customers(filter: { name: { eq: $name } }) { totalCount }
       archived: customers(filter: { name: { eq: $name }, archived: true }) { totalCount }
     }`,
    { name },
    apiKey,
  );
  expect(res.errors).toBeUndefined();
  return res.data.active.totalCount + res.data.archived.totalCount;
}

async function totalCustomers(): Promise<number> {
  const res = await s.gql(`{ active: customers { totalCount } archived: customers(filter: { archived: true }) { totalCount } }`);
  return res.data.active.totalCount + res.data.archived.totalCount;
}

/** Asserts a BAD_USER_INPUT error and returns the field paths it names. */
function badInputPaths(res: GqlResult): string[] {
  const error = onlyError(res);
  expect(error.extensions.code).toBe('BAD_USER_INPUT');
  expect(error.extensions.fields?.length).toBeGreaterThan(0);
  for (const f of error.extensions.fields!) expect(f.message).toEqual(expect.any(String));
  return error.extensions.fields!.map((f) => f.path);
}

describe('createCustomer', () => {
  it('stores every profile field of a person and reads them back', async () => {
    const externalId = uid('crm');
    const name = uid('王伟');
    const input = {
      kind: 'PERSON',
      name,
      externalId,
      email: '  Wang.Wei@Example.COM ',
      phone: '138 0013 8000',
      company: 'Acme 上海',
      title: 'Buyer',
      industry: 'Retail',
      companySize: 'SIZE_11_50',
      region: 'Shanghai',
      city: '上海',
      country: 'cn',
      address: '1 Nanjing Rd',
      birthDate: '1990-04-23',
      gender: 'MALE',
      acquisitionSource: 'spring-fair',
      acquisitionChannel: 'WECHAT',
      owner: 'li.na',
      tags: ['vip', ' wholesale ', 'vip'],
      marketingConsent: true,
      notes: 'Prefers WeChat.',
    };
    const created = await create(input);
    expect(created).toMatchObject({
      kind: 'PERSON',
      name,
      externalId,
      email: 'wang.wei@example.com',
      phone: '+8613800138000',
      company: 'Acme 上海',
      title: 'Buyer',
      industry: 'Retail',
      companySize: 'SIZE_11_50',
      region: 'Shanghai',
      city: '上海',
      country: 'CN',
      address: '1 Nanjing Rd',
      birthDate: '1990-04-23',
      gender: 'MALE',
      acquisitionSource: 'spring-fair',
      acquisitionChannel: 'WECHAT',
      owner: 'li.na',
      tags: ['vip', 'wholesale'],
      customAttributes: {},
      marketingConsent: true,
      notes: 'Prefers WeChat.',
      archivedAt: null,
      mergedIntoId: null,
      version: 1,
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(created.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const read = await s.gql(GET, { id: created.id });
    expect(read.errors).toBeUndefined();
    expect(read.data.customer).toEqual(created);
  });

  it('creates an organization and defaults kind to PERSON when omitted', async () => {
    const org = await create({ kind: 'ORGANIZATION', name: uid('ACME Ltd'), companySize: 'SIZE_5001_PLUS', industry: 'Manufacturing' });
    expect(org).toMatchObject({ kind: 'ORGANIZATION', companySize: 'SIZE_5001_PLUS', email: null, phone: null, tags: [], marketingConsent: false });
    const person = await create({ name: uid('No Kind') });
    expect(person.kind).toBe('PERSON');
  });

  it.each([
    ['a Chinese mobile in national form, read in tenant A’s default country CN', '138 0013 8000', undefined, '+8613800138000'],
    ['a Chinese mobile with a 0086 prefix', '0086 138-0013-8000', undefined, '+8613800138000'],
    ['an E.164 number with spaces', '+1 415 555 2671', undefined, '+14155552671'],
    ['a UK number in E.164 with spaces', '+44 20 7946 0958', undefined, '+442079460958'],
    ['a US national form read in the customer’s own country', '(415) 555-2671', 'US', '+14155552671'],
    ['a UK national form read in the customer’s own country', '020 7946 0958', 'GB', '+442079460958'],
  ])('normalizes %s to E.164', async (_what, phone, country, expected) => {
    const c = await create({ name: uid('Phone'), phone, ...(country ? { country } : {}) });
    expect(c.phone).toBe(expected);
  });

  it('reads national phone forms in tenant B’s default country (US)', async () => {
    const c = await create({ name: uid('Globex phone'), phone: '415-555-2671' }, null, s.b.keys.ADMIN);
    expect(c.phone).toBe('+14155552671');
  });

  it('rejects a second customer with the same externalId in one tenant with CONFLICT, and writes nothing', async () => {
    const externalId = uid('dup-ext');
    const first = await create({ name: uid('First'), externalId });
    const secondName = uid('Second');
    const res = await s.gql(CREATE, { input: { name: secondName, externalId } });
    const error = onlyError(res);
    expect(error.extensions.code).toBe('CONFLICT');
    expect(error.extensions.existingId).toBe(first.id);
    expect(await countNamed(secondName)).toBe(0);
  });

  it('allows the same externalId in another tenant', async () => {
    const externalId = uid('shared-ext');
    const inA = await create({ name: uid('In A'), externalId });
    const inB = await create({ name: uid('In B'), externalId }, null, s.b.keys.ADMIN);
    expect(inB.externalId).toBe(externalId);
    expect(inB.id).not.toBe(inA.id);
  });

  it('answers CONFLICT (never an internal error) when two requests race for one externalId', async () => {
    const externalId = uid('race-ext');
    const name = uid('Racer');
    const results = await Promise.all(Array.from({ length: 4 }, () => s.gql(CREATE, { input: { name, externalId } })));
    const ok = results.filter((r) => !r.errors);
    expect(ok).toHaveLength(1);
    for (const r of results.filter((r) => r.errors)) expect(onlyError(r).extensions.code).toBe('CONFLICT');
    expect(await countNamed(name)).toBe(1);
  });

  it('returns the first customer when a request is retried with the same idempotencyKey, and stores one row', async () => {
    const key = uid('idem');
    const name = uid('Idempotent');
    const first = await create({ name, email: 'idem@example.com' }, key);
    const retry = await create({ name, email: 'idem@example.com' }, key);
    expect(retry.id).toBe(first.id);
    expect(retry.version).toBe(1);
    expect(await countNamed(name)).toBe(1);
  });

  it('treats a retry that spells the same input differently (field order, explicit nulls) as the same request', async () => {
    const key = uid('idem-spelling');
    const name = uid('Spelling');
    const first = await create({ name, email: 'spell@example.com', city: 'Xi’an' }, key);
    const retry = await create({ city: 'Xi’an', email: 'spell@example.com', name, notes: null }, key);
    expect(retry.id).toBe(first.id);
    expect(await countNamed(name)).toBe(1);
  });

  it('answers CONFLICT when an idempotencyKey is reused with different input, and writes nothing', async () => {
    const key = uid('idem-diff');
    const name = uid('Idem original');
    await create({ name }, key);
    const otherName = uid('Idem other');
    const res = await s.gql(CREATE, { input: { name: otherName }, key });
    const error = onlyError(res);
    expect(error.extensions.code).toBe('CONFLICT');
    expect(error.extensions.path).toBe('idempotencyKey');
    expect(await countNamed(otherName)).toBe(0);
    expect(await countNamed(name)).toBe(1);
  });

  it('creates exactly one customer when five submissions with one idempotencyKey arrive at once', async () => {
    const key = uid('idem-concurrent');
    const name = uid('Concurrent');
    const results = await Promise.all(Array.from({ length: 5 }, () => s.gql(CREATE, { input: { name, phone: '+14155552671' }, key })));
    for (const r of results) expect(r.errors).toBeUndefined();
    const ids = new Set(results.map((r) => r.data.createCustomer.id));
    expect(ids.size).toBe(1);
    expect(await countNamed(name)).toBe(1);
  });

  it('scopes idempotency keys to the tenant', async () => {
    const key = uid('idem-tenant');
    const inA = await create({ name: uid('Idem A') }, key);
    const inB = await create({ name: uid('Idem B') }, key, s.b.keys.ADMIN);
    expect(inB.id).not.toBe(inA.id);
  });

  it('is refused to READ_ONLY and ANALYST keys with FORBIDDEN', async () => {
    const name = uid('Forbidden');
    for (const role of ['READ_ONLY', 'ANALYST'] as const) {
      const res = await s.gql(CREATE, { input: { name } }, s.a.keys[role]);
      expect(onlyError(res).extensions.code).toBe('FORBIDDEN');
    }
    const agent = await create({ name: uid('By agent') }, null, s.a.keys.AGENT);
    expect(agent.id).toBeTruthy();
    expect(await countNamed(name)).toBe(0);
  });
});

describe('createCustomer validation', () => {
  it.each([
    ['a malformed email', { email: 'not-an-email' }, 'input.email'],
    ['an email without a domain', { email: 'someone@' }, 'input.email'],
    ['a phone that is not a number', { phone: 'call me maybe' }, 'input.phone'],
    ['a phone too short to be valid', { phone: '12345' }, 'input.phone'],
    ['a name over 200 characters', { name: 'x'.repeat(201) }, 'input.name'],
    ['a name of 201 Chinese characters', { name: '王'.repeat(201) }, 'input.name'],
    ['an empty name', { name: '' }, 'input.name'],
    ['a name of only spaces', { name: '   ' }, 'input.name'],
    ['notes over 10,000 characters', { notes: 'n'.repeat(10_001) }, 'input.notes'],
    ['an unknown country code', { country: 'XX' }, 'input.country'],
    ['a country name instead of a code', { country: 'China' }, 'input.country'],
    ['a birth date in 1800', { birthDate: '1800-01-01' }, 'input.birthDate'],
    ['a birth date in the future', { birthDate: `${new Date().getUTCFullYear() + 1}-01-01` }, 'input.birthDate'],
    ['a birth date that does not exist', { birthDate: '2001-02-30' }, 'input.birthDate'],
    ['a birth date in another format', { birthDate: '23/04/1990' }, 'input.birthDate'],
    ['a tag over 50 characters', { tags: ['t'.repeat(51)] }, 'input.tags.0'],
    ['more than 50 tags', { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'input.tags'],
    ['an externalId over 200 characters', { externalId: 'e'.repeat(201) }, 'input.externalId'],
  ])('rejects %s with BAD_USER_INPUT naming the field, and writes nothing', async (_what, bad, path) => {
    const before = await totalCustomers();
    const res = await s.gql(CREATE, { input: { name: uid('Valid'), ...bad } });
    expect(badInputPaths(res)).toContain(path);
    expect(res.data?.createCustomer ?? null).toBeNull();
    expect(await totalCustomers()).toBe(before);
  });

  it('accepts a name of exactly 200 characters and notes of exactly 10,000', async () => {
    const c = await create({ name: uid('n').padEnd(200, 'x'), notes: 'n'.repeat(10_000) });
    expect([...c.name]).toHaveLength(200);
    expect(c.notes).toHaveLength(10_000);
  });

  it('reports every bad field of one input, not only the first', async () => {
    const before = await totalCustomers();
    const res = await s.gql(CREATE, {
      input: { name: '', email: 'nope', phone: 'nope', country: 'XX', birthDate: '1800-01-01', notes: 'n'.repeat(10_001) },
    });
    expect(badInputPaths(res)).toEqual(
      expect.arrayContaining(['input.name', 'input.email', 'input.phone', 'input.country', 'input.birthDate', 'input.notes']),
    );
    expect(await totalCustomers()).toBe(before);
  });

  it('reads a national phone in the tenant’s country when the given country is invalid, reporting only the country', async () => {
    const res = await s.gql(CREATE, { input: { name: uid('Bad country'), country: 'XX', phone: '138 0013 8000' } });
    expect(badInputPaths(res)).toEqual(['input.country']);
  });

  it('rejects an unknown enum value sent in variables (kind: "ALIEN") with BAD_USER_INPUT, and writes nothing', async () => {
    const before = await totalCustomers();
    const res = await s.gql(CREATE, { input: { name: uid('Alien'), kind: 'ALIEN' } });
    const error = onlyError(res);
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('input.kind');
    expect(await totalCustomers()).toBe(before);
  });

  it('rejects an unknown enum value written as a literal (kind: ALIEN) with BAD_USER_INPUT', async () => {
    const before = await totalCustomers();
    const res = await s.gql(`mutation { createCustomer(input: { name: "Alien literal", kind: ALIEN }) { id } }`);
    const error = onlyError(res);
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('ALIEN');
    expect(await totalCustomers()).toBe(before);
  });

  it('rejects an unknown gender and a missing name with BAD_USER_INPUT', async () => {
    const gender = onlyError(await s.gql(CREATE, { input: { name: uid('Gender'), gender: 'ROBOT' } }));
    expect(gender.extensions.code).toBe('BAD_USER_INPUT');
    expect(gender.message).toContain('input.gender');
    const nameless = onlyError(await s.gql(CREATE, { input: { email: 'nameless@example.com' } }));
    expect(nameless.extensions.code).toBe('BAD_USER_INPUT');
    expect(nameless.message).toContain('"name"');
  });

  it('names input.kind in extensions.fields for an unknown enum value sent in variables', async () => {
    const res = await s.gql(CREATE, { input: { name: uid('Alien'), kind: 'ALIEN' } });
    expect(badInputPaths(res)).toContain('input.kind');
  });

  it('names input.kind in extensions.fields for an unknown enum literal', async () => {
    const res = await s.gql(`mutation { createCustomer(input: { name: "Alien literal", kind: ALIEN }) { id } }`);
    expect(badInputPaths(res)).toContain('input.kind');
  });

  it('names input.name in extensions.fields when the required name is missing', async () => {
    const res = await s.gql(CREATE, { input: { email: 'nameless@example.com' } });
    expect(badInputPaths(res)).toContain('input.name');
  });

  it('rejects an idempotencyKey over 200 characters', async () => {
    const res = await s.gql(CREATE, { input: { name: uid('Long key') }, key: 'k'.repeat(201) });
    expect(badInputPaths(res)).toContain('idempotencyKey');
  });
});

describe('updateCustomer', () => {
  it('changes the given fields, keeps the others and increments version', async () => {
    const c = await create({ name: uid('Upd'), email: 'keep@example.com', city: 'Beijing' });
    const res = await s.gql(UPDATE, { id: c.id, version: 1, input: { city: 'Shenzhen', phone: '139 1234 5678' } });
    expect(res.errors).toBeUndefined();
    expect(res.data.updateCustomer).toMatchObject({ city: 'Shenzhen', phone: '+8613912345678', email: 'keep@example.com', name: c.name, version: 2 });
    expect(new Date(res.data.updateCustomer.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(c.updatedAt).getTime());
    const again = await s.gql(UPDATE, { id: c.id, version: 2, input: { title: 'CTO' } });
    expect(again.data.updateCustomer.version).toBe(3);
    const read = await s.gql(GET, { id: c.id });
    expect(read.data.customer).toMatchObject({ city: 'Shenzhen', title: 'CTO', version: 3 });
  });

  it('answers CONFLICT for a stale version and changes nothing', async () => {
    const c = await create({ name: uid('Stale'), city: 'Beijing' });
    await s.gql(UPDATE, { id: c.id, version: 1, input: { city: 'Shanghai' } });
    const res = await s.gql(UPDATE, { id: c.id, version: 1, input: { city: 'Wuhan', email: 'late@example.com' } });
    const error = onlyError(res);
    expect(error.extensions.code).toBe('CONFLICT');
    expect(error.extensions.currentVersion).toBe(2);
    const read = await s.gql(GET, { id: c.id });
    expect(read.data.customer).toMatchObject({ city: 'Shanghai', email: null, version: 2 });
  });

  it('lets exactly one of two concurrent updates at the same version win; the other gets CONFLICT', async () => {
    const c = await create({ name: uid('Concurrent update') });
    const results = await Promise.all([
      s.gql(UPDATE, { id: c.id, version: 1, input: { city: 'Left' } }),
      s.gql(UPDATE, { id: c.id, version: 1, input: { city: 'Right' } }),
    ]);
    const winners = results.filter((r) => !r.errors);
    expect(winners).toHaveLength(1);
    expect(onlyError(results.find((r) => r.errors)!).extensions.code).toBe('CONFLICT');
    const read = await s.gql(GET, { id: c.id });
    expect(read.data.customer).toMatchObject({ city: winners[0].data.updateCustomer.city, version: 2 });
  });

  it('clears optional fields set to null', async () => {
    const c = await create({
      name: uid('Clear'), email: 'x@example.com', phone: '+14155552671', company: 'Co', title: 'T', industry: 'I',
      companySize: 'SIZE_1_10', region: 'R', city: 'C', country: 'US', address: 'A', birthDate: '1980-01-01', gender: 'FEMALE',
      acquisitionSource: 'S', acquisitionChannel: 'WEB', owner: 'O', tags: ['a'], notes: 'N',
    });
    const nulls = {
      email: null, phone: null, company: null, title: null, industry: null, companySize: null, region: null, city: null, country: null,
      address: null, birthDate: null, gender: null, acquisitionSource: null, acquisitionChannel: null, owner: null, tags: null, notes: null,
    };
    const res = await s.gql(UPDATE, { id: c.id, version: 1, input: nulls });
    expect(res.errors).toBeUndefined();
    expect(res.data.updateCustomer).toMatchObject({ ...nulls, tags: [], name: c.name, version: 2 });
    const read = await s.gql(GET, { id: c.id });
    expect(read.data.customer).toMatchObject({ ...nulls, tags: [] });
  });

  it('refuses to clear or blank the name (BAD_USER_INPUT at input.name) and changes nothing', async () => {
    const c = await create({ name: uid('Keep name') });
    for (const name of [null, '', '  ']) {
      const res = await s.gql(UPDATE, { id: c.id, version: 1, input: { name, city: 'Nowhere' } });
      expect(badInputPaths(res)).toContain('input.name');
    }
    const read = await s.gql(GET, { id: c.id });
    expect(read.data.customer).toMatchObject({ name: c.name, city: null, version: 1 });
  });

  it('validates fields like create does', async () => {
    const c = await create({ name: uid('Validate update') });
    const res = await s.gql(UPDATE, { id: c.id, version: 1, input: { email: 'bad', birthDate: '2999-01-01', notes: 'n'.repeat(10_001) } });
    expect(badInputPaths(res)).toEqual(expect.arrayContaining(['input.email', 'input.birthDate', 'input.notes']));
    const read = await s.gql(GET, { id: c.id });
    expect(read.data.customer.version).toBe(1);
  });

  it('reads a national phone in the customer’s stored country', async () => {
    const c = await create({ name: uid('US customer'), country: 'US' });
    const res = await s.gql(UPDATE, { id: c.id, version: 1, input: { phone: '(415) 555-2671' } });
    expect(res.data.updateCustomer.phone).toBe('+14155552671');
  });

  it('reads a national phone in the tenant’s country when the same update clears the country', async () => {
    const c = await create({ name: uid('Clears country'), country: 'US' });
    const res = await s.gql(UPDATE, { id: c.id, version: 1, input: { country: null, phone: '138 0013 8000' } });
    expect(res.errors).toBeUndefined();
    expect(res.data.updateCustomer).toMatchObject({ country: null, phone: '+8613800138000' });
  });

  it('answers CONFLICT when changing externalId to one another customer has', async () => {
    const taken = uid('taken');
    await create({ name: uid('Owner'), externalId: taken });
    const c = await create({ name: uid('Mover'), externalId: uid('mine') });
    const res = await s.gql(UPDATE, { id: c.id, version: 1, input: { externalId: taken } });
    expect(onlyError(res).extensions.code).toBe('CONFLICT');
    const read = await s.gql(GET, { id: c.id });
    expect(read.data.customer.externalId).toBe(c.externalId);
  });

  it('answers NOT_FOUND for an unknown id and for another tenant’s customer, and BAD_USER_INPUT for a malformed id', async () => {
    const c = await create({ name: uid('Tenant A only') });
    const other = await s.gql(UPDATE, { id: c.id, version: 1, input: { city: 'Hijack' } }, s.b.keys.ADMIN);
    expect(onlyError(other).extensions.code).toBe('NOT_FOUND');
    const unknown = await s.gql(UPDATE, { id: '01900000-0000-7000-8000-000000000000', version: 1, input: { city: 'X' } });
    expect(onlyError(unknown).extensions.code).toBe('NOT_FOUND');
    expect(badInputPaths(await s.gql(UPDATE, { id: 'nope', version: 1, input: {} }))).toContain('id');
    const readFromB = await s.gql(GET, { id: c.id }, s.b.keys.ADMIN);
    expect(onlyError(readFromB).extensions.code).toBe('NOT_FOUND');
    const read = await s.gql(GET, { id: c.id });
    expect(read.data.customer).toMatchObject({ city: null, version: 1 });
  });
});

describe('archiveCustomer / restoreCustomer', () => {
  const LIST = `query($name: String!, $archived: Boolean) { customers(filter: { name: { eq: $name }, archived: $archived }) { totalCount nodes { id archivedAt } } }`;

  it('hides an archived customer from customers() unless archived: true, and restore brings it back', async () => {
    const c = await create({ name: uid('Archivable') });
    const archived = await s.gql(`mutation($id: ID!) { archiveCustomer(id: $id) { id archivedAt } }`, { id: c.id });
    expect(archived.errors).toBeUndefined();
    expect(archived.data.archiveCustomer.archivedAt).toEqual(expect.any(String));

    const active = await s.gql(LIST, { name: c.name });
    expect(active.data.customers).toEqual({ totalCount: 0, nodes: [] });
    const onlyArchived = await s.gql(LIST, { name: c.name, archived: true });
    expect(onlyArchived.data.customers.totalCount).toBe(1);
    expect(onlyArchived.data.customers.nodes[0].id).toBe(c.id);
    const read = await s.gql(GET, { id: c.id });
    expect(read.data.customer.archivedAt).toEqual(expect.any(String));

    const restored = await s.gql(`mutation($id: ID!) { restoreCustomer(id: $id) { id archivedAt } }`, { id: c.id });
    expect(restored.data.restoreCustomer.archivedAt).toBeNull();
    expect((await s.gql(LIST, { name: c.name })).data.customers.nodes.map((n: any) => n.id)).toEqual([c.id]);
    expect((await s.gql(LIST, { name: c.name, archived: true })).data.customers.totalCount).toBe(0);
  });

  it('refuses archiving to READ_ONLY keys and another tenant', async () => {
    const c = await create({ name: uid('Protected') });
    const ro = await s.gql(`mutation($id: ID!) { archiveCustomer(id: $id) { id } }`, { id: c.id }, s.a.keys.READ_ONLY);
    expect(onlyError(ro).extensions.code).toBe('FORBIDDEN');
    const b = await s.gql(`mutation($id: ID!) { archiveCustomer(id: $id) { id } }`, { id: c.id }, s.b.keys.ADMIN);
    expect(onlyError(b).extensions.code).toBe('NOT_FOUND');
    const restoreFromB = await s.gql(`mutation($id: ID!) { restoreCustomer(id: $id) { id } }`, { id: c.id }, s.b.keys.ADMIN);
    expect(onlyError(restoreFromB).extensions.code).toBe('NOT_FOUND');
    expect((await s.gql(LIST, { name: c.name })).data.customers.totalCount).toBe(1);
  });

  it('archiving changes the version, so an update read before it gets CONFLICT', async () => {
    const c = await create({ name: uid('Archive version') });
    await s.gql(`mutation($id: ID!) { archiveCustomer(id: $id) { id } }`, { id: c.id });
    const res = await s.gql(UPDATE, { id: c.id, version: 1, input: { city: 'Late' } });
    expect(onlyError(res).extensions.code).toBe('CONFLICT');
  });
});
