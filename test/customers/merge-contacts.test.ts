import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyError, startTestServer, type GqlResult, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.close());

let seq = 0;
const uid = (label: string) => `${label}-${Date.now().toString(36)}-${++seq}`;

const CONTACT_FIELDS = 'id customerId name title email phone isPrimary';
const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id name kind version externalId } }`;
const CREATE_CONTACT = `mutation($customerId: ID!, $input: CreateContactInput!) { createContact(customerId: $customerId, input: $input) { ${CONTACT_FIELDS} } }`;
const UPDATE_CONTACT = `mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { ${CONTACT_FIELDS} } }`;
const REMOVE_CONTACT = `mutation($id: ID!) { removeContact(id: $id) { removedId contacts { id name isPrimary } } }`;
const CONTACTS = `query($id: ID!) { customer(id: $id) { contacts { ${CONTACT_FIELDS} } } }`;
const MERGE = `mutation($survivorId: ID!, $duplicateIds: [ID!]!) {
  mergeCustomers(survivorId: $survivorId, duplicateIds: $duplicateIds) {
    survivor { id name email phone city tags version mergedIntoId archivedAt }
    merges { id survivorId mergedId movedContacts movedInteractions movedOrders snapshot mergedAt }
  } }`;

function badInputPaths(res: GqlResult): string[] {
  const error = onlyError(res);
  expect(error.extensions.code).toBe('BAD_USER_INPUT');
  return (error.extensions.fields ?? []).map((f) => f.path);
}

async function customer(input: Record<string, unknown>, key?: string) {
  const res = await s.gql(CREATE, { input }, key);
  expect(res.errors).toBeUndefined();
  return res.data.createCustomer;
}

async function contact(customerId: string, input: Record<string, unknown>, key?: string) {
  const res = await s.gql(CREATE_CONTACT, { customerId, input }, key);
  expect(res.errors).toBeUndefined();
  return res.data.createContact;
}

async function contactsOf(customerId: string): Promise<any[]> {
  const res = await s.gql(CONTACTS, { id: customerId });
  expect(res.errors).toBeUndefined();
  return res.data.customer.contacts;
}

async function interaction(customerId: string, subject: string) {
  const res = await s.gql(
    `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { id customerId } }`,
    { input: { customerId, type: 'CALL', channel: 'PHONE', subject } },
  );
  expect(res.errors).toBeUndefined();
  return res.data.logInteraction;
}

async function order(customerId: string, amount: string) {
  const res = await s.gql(
    `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { id customerId } }`,
    { input: { customerId, lineItems: [{ sku: 'SKU-1', quantity: 1, unitPrice: amount }] } },
  );
  expect(res.errors).toBeUndefined();
  return res.data.recordOrder;
}

describe('mergeCustomers', () => {
  it('also moves feedback and service cases, counted per table in the audit', async () => {
    const survivor = await customer({ kind: 'PERSON', name: uid('Survivor') });
    const dup = await customer({ kind: 'PERSON', name: uid('Dup') });
    const fb = await s.gql(`mutation($c: ID!) { submitFeedback(input: { customerId: $c, source: EMAIL, text: "The delivery was late" }) { id } }`, { c: dup.id });
    expect(fb.errors).toBeUndefined();
    const kase = await s.gql(`mutation($c: ID!) { openServiceCase(input: { customerId: $c, kind: COMPLAINT, channel: PHONE, subject: "Late delivery" }) { id } }`, { c: dup.id });
    expect(kase.errors).toBeUndefined();

    const res = await s.gql(`mutation($s: ID!, $d: [ID!]!) { mergeCustomers(survivorId: $s, duplicateIds: $d) { merges { movedOther } } }`, { s: survivor.id, d: [dup.id] });
    expect(res.errors).toBeUndefined();
    expect(res.data.mergeCustomers.merges[0].movedOther).toMatchObject({ feedback: 1, service_case: 1 });
    const moved = await s.gql(`query($f: ID!, $k: ID!) { feedback(id: $f) { customer { id } } serviceCase(id: $k) { customer { id } } }`, { f: fb.data.submitFeedback.id, k: kase.data.openServiceCase.id });
    expect(moved.errors).toBeUndefined();
    expect(moved.data.feedback.customer.id).toBe(survivor.id);
    expect(moved.data.serviceCase.customer.id).toBe(survivor.id);
  });

  it('moves contacts, interactions and orders of the duplicates to the survivor and records an audit', async () => {
    const survivor = await customer({ kind: 'ORGANIZATION', name: uid('Acme Survivor'), city: 'Beijing', tags: ['key-account'] });
    const dup1 = await customer({
      kind: 'ORGANIZATION', name: uid('ACME dup'), email: 'Sales@Acme.example', phone: '138 0013 8000', city: 'Shanghai', tags: ['wholesale'],
    });
    const dup2 = await customer({ kind: 'ORGANIZATION', name: uid('Acme dup two'), tags: ['key-account', 'events'] });

    const keep = await contact(survivor.id, { name: 'Survivor Primary', isPrimary: true });
    const moved1 = await contact(dup1.id, { name: 'Dup Primary', isPrimary: true });
    const moved2 = await contact(dup1.id, { name: 'Dup Other' });
    await interaction(dup1.id, 'dup1 call a');
    await interaction(dup1.id, 'dup1 call b');
    await interaction(dup2.id, 'dup2 call');
    await interaction(survivor.id, 'survivor call');
    await order(dup1.id, '10.00');
    await order(dup2.id, '20.00');
    await order(dup2.id, '30.00');

    const res = await s.gql(MERGE, { survivorId: survivor.id, duplicateIds: [dup1.id, dup2.id] });
    expect(res.errors).toBeUndefined();
    const { survivor: merged, merges } = res.data.mergeCustomers;
    // The survivor keeps its values and fills gaps from the duplicates.
    expect(merged).toMatchObject({ id: survivor.id, name: survivor.name, city: 'Beijing', email: 'sales@acme.example', phone: '+8613800138000', mergedIntoId: null, archivedAt: null });
    expect([...merged.tags].sort()).toEqual(['events', 'key-account', 'wholesale']);

    expect(merges).toHaveLength(2);
    const byMerged = Object.fromEntries(merges.map((m: any) => [m.mergedId, m]));
    expect(byMerged[dup1.id]).toMatchObject({ survivorId: survivor.id, movedContacts: 2, movedInteractions: 2, movedOrders: 1 });
    expect(byMerged[dup2.id]).toMatchObject({ survivorId: survivor.id, movedContacts: 0, movedInteractions: 1, movedOrders: 2 });
    expect(byMerged[dup1.id].snapshot).toMatchObject({ id: dup1.id, name: dup1.name, email: 'sales@acme.example', city: 'Shanghai', archivedAt: null });

    // Everything now hangs off the survivor.
    const read = await s.gql(
      `query($id: ID!) { customer(id: $id) {
         contacts { id isPrimary } interactions(first: 10) { totalCount nodes { customerId } } orders(first: 10) { totalCount nodes { customerId } }
         merges { mergedId movedContacts movedInteractions movedOrders snapshot } } }`,
      { id: survivor.id },
    );
    expect(read.errors).toBeUndefined();
    const c = read.data.customer;
    expect(c.contacts.map((x: any) => x.id).sort()).toEqual([keep.id, moved1.id, moved2.id].sort());
    expect(c.interactions.totalCount).toBe(4);
    expect(c.orders.totalCount).toBe(3);
    for (const n of [...c.interactions.nodes, ...c.orders.nodes]) expect(n.customerId).toBe(survivor.id);
    expect(c.merges.map((m: any) => m.mergedId).sort()).toEqual([dup1.id, dup2.id].sort());
    expect(c.merges.find((m: any) => m.mergedId === dup2.id).snapshot.name).toBe(dup2.name);

    // The duplicates are archived, point at the survivor and hold nothing.
    for (const dup of [dup1, dup2]) {
      const d = await s.gql(
        `query($id: ID!) { customer(id: $id) { mergedIntoId archivedAt contacts { id } interactions { totalCount } orders { totalCount } } }`,
        { id: dup.id },
      );
      expect(d.data.customer).toMatchObject({ mergedIntoId: survivor.id, archivedAt: expect.any(String), contacts: [], interactions: { totalCount: 0 }, orders: { totalCount: 0 } });
    }
    const active = await s.gql(`query($ids: [String!]) { customers(filter: { name: { in: $ids } }) { nodes { id } } }`, {
      ids: [survivor.name, dup1.name, dup2.name],
    });
    expect(active.data.customers.nodes.map((n: any) => n.id)).toEqual([survivor.id]);
    const archived = await s.gql(`query($ids: [String!]) { customers(filter: { name: { in: $ids }, archived: true }) { totalCount } }`, {
      ids: [survivor.name, dup1.name, dup2.name],
    });
    expect(archived.data.customers.totalCount).toBe(2);
  });

  it('keeps one primary contact when both customers had one (the survivor’s)', async () => {
    const survivor = await customer({ kind: 'ORGANIZATION', name: uid('Primary survivor') });
    const dup = await customer({ kind: 'ORGANIZATION', name: uid('Primary dup') });
    const keep = await contact(survivor.id, { name: 'Keep', isPrimary: true });
    const other = await contact(dup.id, { name: 'Other', isPrimary: true });
    const res = await s.gql(MERGE, { survivorId: survivor.id, duplicateIds: [dup.id] });
    expect(res.errors).toBeUndefined();
    const contacts = await contactsOf(survivor.id);
    expect(contacts.filter((c) => c.isPrimary).map((c) => c.id)).toEqual([keep.id]);
    expect(contacts.map((c) => c.id)).toContain(other.id);
  });

  it('takes the duplicate’s primary contact when the survivor had none', async () => {
    const survivor = await customer({ kind: 'ORGANIZATION', name: uid('No primary survivor') });
    const dup = await customer({ kind: 'ORGANIZATION', name: uid('Primary only dup') });
    await contact(survivor.id, { name: 'Plain' });
    const primary = await contact(dup.id, { name: 'Dup primary', isPrimary: true });
    await s.gql(MERGE, { survivorId: survivor.id, duplicateIds: [dup.id] });
    const contacts = await contactsOf(survivor.id);
    expect(contacts.filter((c) => c.isPrimary).map((c) => c.id)).toEqual([primary.id]);
  });

  it('rejects merging a customer into itself with BAD_USER_INPUT and changes nothing', async () => {
    const c = await customer({ name: uid('Self') });
    const res = await s.gql(MERGE, { survivorId: c.id, duplicateIds: [c.id] });
    expect(badInputPaths(res)).toEqual(['duplicateIds.0']);
    const read = await s.gql(`query($id: ID!) { customer(id: $id) { archivedAt mergedIntoId merges { id } } }`, { id: c.id });
    expect(read.data.customer).toEqual({ archivedAt: null, mergedIntoId: null, merges: [] });
  });

  it('rejects an empty duplicate list, malformed and repeated ids with BAD_USER_INPUT', async () => {
    const a = await customer({ name: uid('Lonely') });
    const b = await customer({ name: uid('Repeated') });
    expect(badInputPaths(await s.gql(MERGE, { survivorId: a.id, duplicateIds: [] }))).toEqual(['duplicateIds']);
    expect(badInputPaths(await s.gql(MERGE, { survivorId: a.id, duplicateIds: ['nope'] }))).toEqual(['duplicateIds.0']);
    expect(badInputPaths(await s.gql(MERGE, { survivorId: a.id, duplicateIds: [b.id, b.id] }))).toEqual(['duplicateIds']);
    expect(badInputPaths(await s.gql(MERGE, { survivorId: 'nope', duplicateIds: [b.id] }))).toEqual(['survivorId']);
  });

  it('answers CONFLICT when a duplicate was already merged or the survivor was merged away', async () => {
    const s1 = await customer({ name: uid('First survivor') });
    const d = await customer({ name: uid('Merged once') });
    const s2 = await customer({ name: uid('Second survivor') });
    expect((await s.gql(MERGE, { survivorId: s1.id, duplicateIds: [d.id] })).errors).toBeUndefined();
    expect(onlyError(await s.gql(MERGE, { survivorId: s2.id, duplicateIds: [d.id] })).extensions.code).toBe('CONFLICT');
    expect(onlyError(await s.gql(MERGE, { survivorId: d.id, duplicateIds: [s2.id] })).extensions.code).toBe('CONFLICT');
    const restore = await s.gql(`mutation($id: ID!) { restoreCustomer(id: $id) { id } }`, { id: d.id });
    expect(onlyError(restore).extensions.code).toBe('CONFLICT');
  });

  it('answers NOT_FOUND for another tenant’s customers and FORBIDDEN for READ_ONLY keys', async () => {
    const mine = await customer({ name: uid('Mine') });
    const dupe = await customer({ name: uid('Also mine') });
    const theirs = await customer({ name: uid('Theirs') }, s.b.keys.ADMIN);
    expect(onlyError(await s.gql(MERGE, { survivorId: mine.id, duplicateIds: [theirs.id] })).extensions.code).toBe('NOT_FOUND');
    expect(onlyError(await s.gql(MERGE, { survivorId: theirs.id, duplicateIds: [mine.id] })).extensions.code).toBe('NOT_FOUND');
    expect(onlyError(await s.gql(MERGE, { survivorId: mine.id, duplicateIds: [dupe.id] }, s.a.keys.READ_ONLY)).extensions.code).toBe('FORBIDDEN');
    const read = await s.gql(`query($id: ID!) { customer(id: $id) { mergedIntoId } }`, { id: dupe.id });
    expect(read.data.customer.mergedIntoId).toBeNull();
  });

  it('routes an upsert of a merged duplicate’s externalId to the survivor', async () => {
    const survivor = await customer({ name: uid('Upsert survivor'), externalId: uid('surv') });
    const dup = await customer({ name: uid('Upsert dup'), externalId: uid('dup') });
    await s.gql(MERGE, { survivorId: survivor.id, duplicateIds: [dup.id] });
    const res = await s.gql(
      `mutation($input: [UpsertCustomerInput!]!) { upsertCustomers(input: $input) { outcome customer { id city } } }`,
      { input: [{ externalId: dup.externalId, city: 'Routed' }] },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.upsertCustomers[0]).toMatchObject({ outcome: 'UPDATED', customer: { id: survivor.id, city: 'Routed' } });
    const read = await s.gql(`query($id: ID!) { customer(id: $id) { city } }`, { id: dup.id });
    expect(read.data.customer.city).toBeNull();
  });

  it('loads merge audits for a whole page in a constant number of SQL statements', async () => {
    for (let i = 0; i < 3; i++) {
      const sv = await customer({ name: uid('Audit survivor') });
      const dp = await customer({ name: uid('Audit dup') });
      await s.gql(MERGE, { survivorId: sv.id, duplicateIds: [dp.id] });
    }
    const query = `query($n: Int) { customers(first: $n, filter: { name: { startsWith: "Audit survivor" } }) { nodes { id merges { mergedId } } } }`;
    const one = await s.gql(query, { n: 1 });
    const all = await s.gql(query, { n: 3 });
    expect(all.data.customers.nodes).toHaveLength(3);
    for (const n of all.data.customers.nodes) expect(n.merges).toHaveLength(1);
    expect(all.extensions?.sqlStatements).toBe(one.extensions?.sqlStatements);
  });
});

describe('contacts', () => {
  it('creates a contact for an organization with normalized email and phone (read in the customer’s country)', async () => {
    const org = await customer({ kind: 'ORGANIZATION', name: uid('US Org'), country: 'US' });
    const c = await contact(org.id, { name: 'Jane Roe', title: 'CFO', email: ' Jane@Org.Example ', phone: '(415) 555-2671', isPrimary: true });
    expect(c).toMatchObject({ customerId: org.id, name: 'Jane Roe', title: 'CFO', email: 'jane@org.example', phone: '+14155552671', isPrimary: true });
    expect(await contactsOf(org.id)).toEqual([c]);
  });

  it('refuses contacts for PERSON customers with BAD_USER_INPUT at customerId', async () => {
    const person = await customer({ kind: 'PERSON', name: uid('Person') });
    const res = await s.gql(CREATE_CONTACT, { customerId: person.id, input: { name: 'Nope' } });
    expect(badInputPaths(res)).toEqual(['customerId']);
    expect(await contactsOf(person.id)).toEqual([]);
  });

  it('validates contact fields, reporting each bad one', async () => {
    const org = await customer({ kind: 'ORGANIZATION', name: uid('Validating Org') });
    const res = await s.gql(CREATE_CONTACT, { customerId: org.id, input: { name: ' ', email: 'bad', phone: 'bad', title: 't'.repeat(201) } });
    expect(badInputPaths(res).sort()).toEqual(['input.email', 'input.name', 'input.phone', 'input.title']);
    expect(await contactsOf(org.id)).toEqual([]);
  });

  it('keeps one primary: making a contact primary demotes the previous one, on create and on update', async () => {
    const org = await customer({ kind: 'ORGANIZATION', name: uid('Primary Org') });
    const first = await contact(org.id, { name: 'A First', isPrimary: true });
    const second = await contact(org.id, { name: 'B Second', isPrimary: true });
    let contacts = await contactsOf(org.id);
    expect(contacts.map((c) => [c.id, c.isPrimary])).toEqual([[second.id, true], [first.id, false]]);

    const promoted = await s.gql(UPDATE_CONTACT, { id: first.id, input: { isPrimary: true } });
    expect(promoted.data.updateContact.isPrimary).toBe(true);
    contacts = await contactsOf(org.id);
    expect(contacts.map((c) => [c.id, c.isPrimary])).toEqual([[first.id, true], [second.id, false]]);
  });

  it('updates contact fields, clears optional ones with null and refuses to clear the name', async () => {
    const org = await customer({ kind: 'ORGANIZATION', name: uid('Update Org') });
    const c = await contact(org.id, { name: 'Old Name', title: 'Buyer', email: 'old@org.example', phone: '138 0013 8000' });
    const upd = await s.gql(UPDATE_CONTACT, { id: c.id, input: { name: 'New Name', title: null, email: null, phone: '139 1234 5678' } });
    expect(upd.errors).toBeUndefined();
    expect(upd.data.updateContact).toMatchObject({ id: c.id, name: 'New Name', title: null, email: null, phone: '+8613912345678', isPrimary: false });
    expect(badInputPaths(await s.gql(UPDATE_CONTACT, { id: c.id, input: { name: null } }))).toEqual(['input.name']);
    expect(badInputPaths(await s.gql(UPDATE_CONTACT, { id: c.id, input: { email: 'nope' } }))).toEqual(['input.email']);
    expect((await contactsOf(org.id))[0]).toMatchObject({ name: 'New Name', email: null });
  });

  it('reads an updated national phone in the customer’s country, as create does', async () => {
    const org = await customer({ kind: 'ORGANIZATION', name: uid('US Org update'), country: 'US' });
    const c = await contact(org.id, { name: 'Sam' });
    const upd = await s.gql(UPDATE_CONTACT, { id: c.id, input: { phone: '(415) 555-2671' } });
    expect(upd.errors).toBeUndefined();
    expect(upd.data.updateContact.phone).toBe('+14155552671');
  });

  it('removes a contact and returns the remaining ones', async () => {
    const org = await customer({ kind: 'ORGANIZATION', name: uid('Remove Org') });
    const a = await contact(org.id, { name: 'Stays', isPrimary: true });
    const b = await contact(org.id, { name: 'Goes' });
    const res = await s.gql(REMOVE_CONTACT, { id: b.id });
    expect(res.errors).toBeUndefined();
    expect(res.data.removeContact).toEqual({ removedId: b.id, contacts: [{ id: a.id, name: 'Stays', isPrimary: true }] });
    expect((await contactsOf(org.id)).map((c) => c.id)).toEqual([a.id]);
    expect(onlyError(await s.gql(REMOVE_CONTACT, { id: b.id })).extensions.code).toBe('NOT_FOUND');
  });

  it('hides contacts from other tenants (NOT_FOUND) and refuses READ_ONLY keys', async () => {
    const org = await customer({ kind: 'ORGANIZATION', name: uid('Private Org') });
    const c = await contact(org.id, { name: 'Private' });
    const asB = s.b.keys.ADMIN;
    expect(onlyError(await s.gql(CREATE_CONTACT, { customerId: org.id, input: { name: 'Intruder' } }, asB)).extensions.code).toBe('NOT_FOUND');
    expect(onlyError(await s.gql(UPDATE_CONTACT, { id: c.id, input: { name: 'Hijacked' } }, asB)).extensions.code).toBe('NOT_FOUND');
    expect(onlyError(await s.gql(REMOVE_CONTACT, { id: c.id }, asB)).extensions.code).toBe('NOT_FOUND');
    expect(onlyError(await s.gql(UPDATE_CONTACT, { id: c.id, input: { name: 'RO' } }, s.a.keys.READ_ONLY)).extensions.code).toBe('FORBIDDEN');
    const agent = await s.gql(UPDATE_CONTACT, { id: c.id, input: { title: 'By agent' } }, s.a.keys.AGENT);
    expect(agent.errors).toBeUndefined();
    expect(await contactsOf(org.id)).toEqual([expect.objectContaining({ id: c.id, name: 'Private', title: 'By agent' })]);
  });
});
