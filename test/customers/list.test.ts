import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyError, startTestServer, type GqlResult, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.close());

let seq = 0;
const uid = (label: string) => `${label}-${Date.now().toString(36)}-${++seq}`;

const LIST = `query($first: Int, $after: String, $last: Int, $before: String, $filter: CustomerFilter, $orderBy: [CustomerOrder!]) {
  customers(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount
    edges { cursor node { id name createdAt } }
    nodes { id name email phone company kind country createdAt }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }`;

type Page = {
  totalCount: number;
  edges: { cursor: string; node: { id: string; name: string; createdAt: string } }[];
  nodes: { id: string; name: string; createdAt: string; [k: string]: unknown }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
};

async function list(vars: Record<string, unknown>, key?: string): Promise<Page> {
  const res = await s.gql(LIST, vars, key);
  expect(res.errors).toBeUndefined();
  return res.data.customers;
}

async function names(filter: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string[]> {
  const page = await list({ first: 100, filter, ...extra });
  return page.nodes.map((n) => n.name).sort();
}

function badInputPaths(res: GqlResult): string[] {
  const error = onlyError(res);
  expect(error.extensions.code).toBe('BAD_USER_INPUT');
  return (error.extensions.fields ?? []).map((f) => f.path);
}

/** Creates customers in one upsert call (so many share a creation millisecond) and returns them in input order. */
async function seed(rows: Record<string, unknown>[], key?: string): Promise<{ id: string; name: string; createdAt: string }[]> {
  const res = await s.gql(
    `mutation($input: [UpsertCustomerInput!]!) { upsertCustomers(input: $input) { outcome errors { path message } customer { id name createdAt } } }`,
    { input: rows.map((r) => ({ externalId: uid('seed'), ...r })) },
    key,
  );
  expect(res.errors).toBeUndefined();
  for (const r of res.data.upsertCustomers) expect(r.errors).toEqual([]);
  return res.data.upsertCustomers.map((r: any) => r.customer);
}

async function createOne(input: Record<string, unknown>) {
  const res = await s.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id name createdAt } }`, { input });
  expect(res.errors).toBeUndefined();
  return res.data.createCustomer;
}

describe('customers(filter: { search })', () => {
  const tag = uid('search');
  const only = (search: string) => names({ search, tags: [tag] });

  beforeAll(async () => {
    await seed([
      { name: '王伟', email: 'wang.wei@example.cn', phone: '138 0013 8000', company: '北京科技有限公司', tags: [tag] },
      { name: '李娜', email: 'Li.Na@Example.CN', phone: '+86 139 1234 5678', company: '上海贸易', tags: [tag] },
      { name: 'ACME Ltd', kind: 'ORGANIZATION', email: 'info@acme.example', phone: '+1 415 555 2671', tags: [tag] },
      { name: 'Road Runner', company: 'Acme Holdings', email: 'beep@desert.example', tags: [tag] },
      { name: '100% Juice', company: 'Fruit Co', tags: [tag] },
      { name: 'under_score', tags: [tag] },
      { name: 'Émile Zola', email: 'emile@example.fr', country: 'FR', tags: [tag] },
    ]);
  });

  it('finds Chinese names and companies by any part ("王" finds 王伟, "科技" finds its company)', async () => {
    expect(await only('王')).toEqual(['王伟']);
    expect(await only('科技')).toEqual(['王伟']);
    expect(await only('上海')).toEqual(['李娜']);
  });

  it('matches names and companies case-insensitively ("acme" finds "ACME Ltd" and "Acme Holdings")', async () => {
    expect(await only('acme')).toEqual(['ACME Ltd', 'Road Runner']);
    expect(await only('ACME LTD')).toEqual(['ACME Ltd']);
    expect(await only('road')).toEqual(['Road Runner']);
  });

  it('matches email case-insensitively', async () => {
    expect(await only('LI.NA@EXAMPLE')).toEqual(['李娜']);
    expect(await only('desert.example')).toEqual(['Road Runner']);
  });

  it('matches phones by digits, whatever the spacing ("13800138000", "138 0013 8000", "+86 138-0013-8000")', async () => {
    expect(await only('13800138000')).toEqual(['王伟']);
    expect(await only('138 0013 8000')).toEqual(['王伟']);
    expect(await only('+86 138-0013-8000')).toEqual(['王伟']);
    expect(await only('(415) 555-2671')).toEqual(['ACME Ltd']);
    expect(await only('1391234')).toEqual(['李娜']);
  });

  it('treats % and _ as text, not wildcards', async () => {
    expect(await only('100%')).toEqual(['100% Juice']);
    expect(await only('%')).toEqual(['100% Juice']);
    expect(await only('_')).toEqual(['under_score']);
  });

  it('matches accented Latin names case-insensitively', async () => {
    expect(await only('émile')).toEqual(['Émile Zola']);
    expect(await only('ZOLA')).toEqual(['Émile Zola']);
  });

  it('returns nothing for a term that matches nothing, everything for a blank term, and counts what it matches', async () => {
    expect(await only('zzz-no-such-customer')).toEqual([]);
    expect(await only('   ')).toHaveLength(7);
    const page = await list({ first: 1, filter: { search: 'acme', tags: [tag] } });
    expect(page.totalCount).toBe(2);
    expect(page.nodes).toHaveLength(1);
    expect(page.pageInfo.hasNextPage).toBe(true);
  });

  it('combines search with other filters', async () => {
    expect(await names({ search: 'acme', tags: [tag], kind: { eq: 'ORGANIZATION' } })).toEqual(['ACME Ltd']);
    expect(await names({ tags: [tag], or: [{ search: '王' }, { search: 'zola' }] })).toEqual(['王伟', 'Émile Zola'].sort());
  });

  it('rejects a search term over 200 characters with BAD_USER_INPUT at filter.search', async () => {
    const res = await s.gql(LIST, { filter: { search: 'x'.repeat(201) } });
    expect(badInputPaths(res)).toEqual(['filter.search']);
  });

  it('never finds another tenant’s customers', async () => {
    const page = await list({ filter: { search: '王伟' } }, s.b.keys.ADMIN);
    expect(page.totalCount).toBe(0);
  });
});

describe('customers(filter:) operators', () => {
  const tag = uid('ops');
  let created: { id: string; name: string; createdAt: string }[];
  const base = { tags: [tag] };

  beforeAll(async () => {
    const rows = [
      { name: 'Ops One', kind: 'PERSON', country: 'CN', city: 'Beijing', email: 'one@ops.example', tags: [tag, 'vip'] },
      { name: 'Ops Two', kind: 'PERSON', country: 'US', city: 'Boston', company: 'Initech', tags: [tag] },
      { name: 'Ops Three', kind: 'ORGANIZATION', country: 'CN', city: 'Shanghai', company: 'Globex', email: 'three@ops.example', tags: [tag, 'vip', 'b2b'] },
      { name: 'Ops Four', kind: 'ORGANIZATION', country: 'DE', city: 'Berlin', company: 'Initrode', email: 'four@ops.example', tags: [tag, 'b2b'] },
    ];
    created = [];
    // One by one, a few milliseconds apart, so createdAt ranges can split them.
    for (const row of rows) {
      created.push(await createOne(row));
      await new Promise((r) => setTimeout(r, 5));
    }
  });

  it('eq / ne on an enum field', async () => {
    expect(await names({ ...base, kind: { eq: 'ORGANIZATION' } })).toEqual(['Ops Four', 'Ops Three']);
    expect(await names({ ...base, kind: { ne: 'ORGANIZATION' } })).toEqual(['Ops One', 'Ops Two']);
    expect(await names({ ...base, kind: { in: ['PERSON', 'ORGANIZATION'] } })).toHaveLength(4);
  });

  it('in / notIn on a text field', async () => {
    expect(await names({ ...base, country: { in: ['CN', 'DE'] } })).toEqual(['Ops Four', 'Ops One', 'Ops Three']);
    expect(await names({ ...base, country: { notIn: ['CN'] } })).toEqual(['Ops Four', 'Ops Two']);
    expect(await names({ ...base, country: { in: [] } })).toEqual([]);
  });

  it('contains / startsWith ignore case; eq is exact', async () => {
    expect(await names({ ...base, company: { contains: 'INIT' } })).toEqual(['Ops Four', 'Ops Two']);
    expect(await names({ ...base, company: { startsWith: 'glo' } })).toEqual(['Ops Three']);
    expect(await names({ ...base, company: { startsWith: 'lobex' } })).toEqual([]);
    expect(await names({ ...base, name: { eq: 'Ops One' } })).toEqual(['Ops One']);
    expect(await names({ ...base, name: { eq: 'ops one' } })).toEqual([]);
  });

  it('isNull true / false', async () => {
    expect(await names({ ...base, company: { isNull: true } })).toEqual(['Ops One']);
    expect(await names({ ...base, email: { isNull: false } })).toEqual(['Ops Four', 'Ops One', 'Ops Three']);
  });

  it('createdAt gte / lt splits customers by creation time', async () => {
    const cut = created[2].createdAt;
    expect(await names({ ...base, createdAt: { gte: cut } })).toEqual(['Ops Four', 'Ops Three']);
    expect(await names({ ...base, createdAt: { lt: cut } })).toEqual(['Ops One', 'Ops Two']);
    expect(await names({ ...base, createdAt: { gte: created[1].createdAt, lt: cut } })).toEqual(['Ops Two']);
    expect(await names({ ...base, createdAt: { gt: new Date(Date.now() + 3600_000).toISOString() } })).toEqual([]);
  });

  it('combines with and / or / not', async () => {
    expect(await names({ ...base, or: [{ kind: { eq: 'ORGANIZATION' } }, { country: { eq: 'US' } }] })).toEqual(['Ops Four', 'Ops Three', 'Ops Two']);
    expect(await names({ ...base, and: [{ country: { in: ['CN', 'US'] } }, { not: { kind: { eq: 'PERSON' } } }] })).toEqual(['Ops Three']);
    expect(
      await names({ ...base, or: [{ and: [{ country: { eq: 'CN' } }, { city: { eq: 'Beijing' } }] }, { company: { eq: 'Initrode' } }] }),
    ).toEqual(['Ops Four', 'Ops One']);
  });

  it('not includes customers whose field is empty (not { company: { eq: "Globex" } } keeps the one without a company)', async () => {
    expect(await names({ ...base, not: { company: { eq: 'Globex' } } })).toEqual(['Ops Four', 'Ops One', 'Ops Two']);
    expect(await names({ ...base, not: { or: [{ company: { contains: 'init' } }, { city: { eq: 'Shanghai' } }] } })).toEqual(['Ops One']);
  });

  it('tags: customers carrying every listed tag', async () => {
    expect(await names({ tags: [tag, 'vip'] })).toEqual(['Ops One', 'Ops Three']);
    expect(await names({ tags: [tag, 'vip', 'b2b'] })).toEqual(['Ops Three']);
    expect(await names({ tags: [tag, 'no-such-tag'] })).toEqual([]);
  });

  it('totalCount honours the filter', async () => {
    expect((await list({ first: 1, filter: { ...base, kind: { eq: 'PERSON' } } })).totalCount).toBe(2);
    expect((await list({ first: 1, filter: base })).totalCount).toBe(4);
  });

  it('rejects null operator values with BAD_USER_INPUT naming the operator', async () => {
    const res = await s.gql(LIST, { filter: { company: { eq: null } } });
    expect(badInputPaths(res)).toEqual(['filter.company.eq']);
  });

  it('rejects an unknown enum value in a filter with BAD_USER_INPUT', async () => {
    const res = await s.gql(`{ customers(filter: { kind: { eq: ALIEN } }) { totalCount } }`);
    expect(onlyError(res).extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('customers pagination', () => {
  const tag = uid('pages');
  const filter = { tags: [tag] };
  let all: { id: string; name: string; createdAt: string }[];

  beforeAll(async () => {
    // 25 customers from one upsert (so createdAt ties are common), names with duplicates.
    const rows = Array.from({ length: 25 }, (_, i) => ({ name: `Page ${String(i % 20).padStart(2, '0')}`, tags: [tag] }));
    all = await seed(rows);
  });

  const byCreatedDesc = (a: { createdAt: string; id: string }, b: { createdAt: string; id: string }) =>
    a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;
  const byNameAsc = (a: { name: string; id: string }, b: { name: string; id: string }) =>
    a.name === b.name ? (a.id < b.id ? -1 : 1) : a.name < b.name ? -1 : 1;

  async function walkForward(size: number, extra: Record<string, unknown> = {}): Promise<{ ids: string[]; pages: Page[] }> {
    const pages: Page[] = [];
    let after: string | null = null;
    for (let i = 0; i < 50; i++) {
      const page = await list({ first: size, after, filter, ...extra });
      pages.push(page);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    return { ids: pages.flatMap((p) => p.nodes.map((n) => n.id)), pages };
  }

  it('walks every customer exactly once, newest first (ties broken by id), with first/after', async () => {
    const { ids, pages } = await walkForward(7);
    expect(ids).toHaveLength(25);
    expect(new Set(ids).size).toBe(25);
    expect(ids).toEqual([...all].sort(byCreatedDesc).map((c) => c.id));
    expect(pages.map((p) => p.nodes.length)).toEqual([7, 7, 7, 4]);
    expect(pages.map((p) => [p.pageInfo.hasPreviousPage, p.pageInfo.hasNextPage])).toEqual([[false, true], [true, true], [true, true], [true, false]]);
    for (const p of pages) {
      expect(p.totalCount).toBe(25);
      expect(p.edges.map((e) => e.node.id)).toEqual(p.nodes.map((n) => n.id));
      expect(p.pageInfo.startCursor).toBe(p.edges[0].cursor);
      expect(p.pageInfo.endCursor).toBe(p.edges.at(-1)!.cursor);
    }
  });

  it('walks backwards with last/before, each customer once, pages in the same order', async () => {
    const pages: Page[] = [];
    let before: string | null = null;
    for (let i = 0; i < 50; i++) {
      const page = await list({ last: 7, before, filter });
      pages.unshift(page);
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    const ids = pages.flatMap((p) => p.nodes.map((n) => n.id));
    expect(ids).toEqual([...all].sort(byCreatedDesc).map((c) => c.id));
    expect(pages.map((p) => p.nodes.length)).toEqual([4, 7, 7, 7]);
    expect(pages[0].pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    expect(pages.at(-1)!.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
  });

  it('orders by NAME ASC with ties broken by id', async () => {
    const { ids } = await walkForward(4, { orderBy: [{ field: 'NAME', direction: 'ASC' }] });
    expect(ids).toEqual([...all].sort(byNameAsc).map((c) => c.id));
  });

  it('orders by CREATED_AT DESC and ASC explicitly', async () => {
    const desc = await walkForward(6, { orderBy: [{ field: 'CREATED_AT', direction: 'DESC' }] });
    expect(desc.ids).toEqual([...all].sort(byCreatedDesc).map((c) => c.id));
    const asc = await walkForward(6, { orderBy: [{ field: 'CREATED_AT', direction: 'ASC' }] });
    expect(asc.ids).toEqual([...all].sort(byCreatedDesc).reverse().map((c) => c.id));
  });

  it('orders by NAME DESC then CREATED_AT', async () => {
    const { ids } = await walkForward(5, { orderBy: [{ field: 'NAME', direction: 'DESC' }, { field: 'CREATED_AT', direction: 'ASC' }] });
    expect(ids).toHaveLength(25);
    const names = ids.map((id) => all.find((c) => c.id === id)!.name);
    expect(names).toEqual([...names].sort().reverse());
  });

  it('keeps the next page stable when a customer is inserted before the cursor', async () => {
    const orderBy = [{ field: 'NAME', direction: 'ASC' }];
    const first = await list({ first: 5, filter, orderBy });
    const nextBefore = await list({ first: 5, after: first.pageInfo.endCursor, filter, orderBy });
    await createOne({ name: 'Page 00 inserted', tags: [tag] });
    await createOne({ name: 'Page 0', tags: [tag] });
    const nextAfter = await list({ first: 5, after: first.pageInfo.endCursor, filter, orderBy });
    expect(nextAfter.nodes.map((n) => n.id)).toEqual(nextBefore.nodes.map((n) => n.id));
    expect(nextAfter.totalCount).toBe(27);

    // Newest-first: new customers land on page one, never shift a later page.
    const newest = await list({ first: 5, filter });
    const secondBefore = await list({ first: 5, after: newest.pageInfo.endCursor, filter });
    const inserted = await createOne({ name: 'Page newest', tags: [tag] });
    const secondAfter = await list({ first: 5, after: newest.pageInfo.endCursor, filter });
    expect(secondAfter.nodes.map((n) => n.id)).toEqual(secondBefore.nodes.map((n) => n.id));
    expect((await list({ first: 1, filter })).nodes[0].id).toBe(inserted.id);
  });

  it('continues from a cursor whose customer was archived meanwhile', async () => {
    const orderBy = [{ field: 'NAME', direction: 'ASC' }];
    const first = await list({ first: 3, filter, orderBy });
    const next = await list({ first: 3, after: first.pageInfo.endCursor, filter, orderBy });
    await s.gql(`mutation($id: ID!) { archiveCustomer(id: $id) { id } }`, { id: first.nodes.at(-1)!.id });
    const again = await list({ first: 3, after: first.pageInfo.endCursor, filter, orderBy });
    expect(again.nodes.map((n) => n.id)).toEqual(next.nodes.map((n) => n.id));
  });

  it('returns 20 by default and accepts first: 100', async () => {
    expect((await list({ filter })).nodes).toHaveLength(20);
    expect((await list({ first: 100, filter })).nodes.length).toBeGreaterThan(20);
  });

  it('rejects first or last over 100, negative sizes, and first with last', async () => {
    expect(badInputPaths(await s.gql(LIST, { first: 101 }))).toEqual(['first']);
    expect(badInputPaths(await s.gql(LIST, { last: 101 }))).toEqual(['last']);
    expect(badInputPaths(await s.gql(LIST, { first: -1 }))).toEqual(['first']);
    expect(badInputPaths(await s.gql(LIST, { first: 5, last: 5 }))).toEqual(['last']);
  });

  it('rejects malformed cursors with BAD_USER_INPUT at after / before', async () => {
    expect(badInputPaths(await s.gql(LIST, { after: 'garbage' }))).toEqual(['after']);
    expect(badInputPaths(await s.gql(LIST, { last: 3, before: 'garbage' }))).toEqual(['before']);
    const forged = (values: unknown) => Buffer.from(JSON.stringify(values)).toString('base64url');
    expect(badInputPaths(await s.gql(LIST, { after: forged({ a: 1 }) }))).toEqual(['after']);
    expect(badInputPaths(await s.gql(LIST, { after: forged(['2024-01-01T00:00:00.000Z']) }))).toEqual(['after']);
    // Right shape, wrong contents: a date that is no date, an id that is no id.
    expect(badInputPaths(await s.gql(LIST, { after: forged(['yesterday', '01900000-0000-7000-8000-000000000000']) }))).toEqual(['after']);
    expect(badInputPaths(await s.gql(LIST, { after: forged(['2024-01-01T00:00:00.000Z', 'not-an-id']) }))).toEqual(['after']);
  });

  it('rejects a cursor from a NAME-ordered list used with the default order', async () => {
    const byName = await list({ first: 2, filter, orderBy: [{ field: 'NAME', direction: 'ASC' }] });
    const res = await s.gql(LIST, { first: 2, after: byName.pageInfo.endCursor, filter });
    expect(badInputPaths(res)).toEqual(['after']);
  });

  it('rejects more than 3 sort fields and unknown sort fields', async () => {
    const orderBy = ['NAME', 'CREATED_AT', 'UPDATED_AT', 'NAME'].map((field) => ({ field, direction: 'ASC' }));
    expect(badInputPaths(await s.gql(LIST, { orderBy }))).toEqual(['orderBy']);
    expect(onlyError(await s.gql(LIST, { orderBy: [{ field: 'SHOE_SIZE' }] })).extensions.code).toBe('BAD_USER_INPUT');
  });
});
