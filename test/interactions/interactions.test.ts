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

async function countInteractions(where = 'true', params: unknown[] = []): Promise<number> {
  const rows = await s.orm.em.fork().getConnection().execute<{ count: number }[]>(`select count(*)::int as count from interaction where ${where}`, params);
  return Number(rows[0].count);
}

const LOG = `mutation($input: LogInteractionInput!, $key: String) {
  logInteraction(input: $input, idempotencyKey: $key) {
    id customerId type channel direction subject body occurredAt durationSeconds outcome agent createdAt customer { id name }
  }
}`;

function log(input: Record<string, unknown>, key?: string, apiKey = s.a.keys.ADMIN) {
  return s.gql(LOG, { input: { customerId, type: 'CALL', channel: 'PHONE', ...input }, key }, apiKey);
}

beforeAll(async () => {
  s = await startTestServer();
  customerId = (await ok('mutation { createCustomer(input: { name: "陈静" }) { id } }')).createCustomer.id;
});
afterAll(async () => s?.close());

describe('logInteraction', () => {
  it('logs every interaction type and every channel and reads them back', async () => {
    const schema = await ok(`{
      t: __type(name: "InteractionType") { enumValues { name } }
      c: __type(name: "Channel") { enumValues { name } }
    }`);
    const types: string[] = schema.t.enumValues.map((v: { name: string }) => v.name);
    const channels: string[] = schema.c.enumValues.map((v: { name: string }) => v.name);
    expect(types).toEqual(['CALL', 'EMAIL', 'MEETING', 'VISIT', 'CHAT', 'SOCIAL', 'MESSAGE', 'NOTE', 'EVENT']);
    expect(channels.length).toBeGreaterThanOrEqual(10);
    const before = await countInteractions('customer_id = ?', [customerId]);
    const n = Math.max(types.length, channels.length);
    for (let i = 0; i < n; i++) {
      const res = await log({ type: types[i % types.length], channel: channels[i % channels.length] });
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      expect(res.data.logInteraction).toMatchObject({ type: types[i % types.length], channel: channels[i % channels.length], customerId });
    }
    expect(await countInteractions('customer_id = ?', [customerId])).toBe(before + n);
  });

  it('stores every field given and fills defaults: direction INBOUND, occurredAt now', async () => {
    const full = await log({
      type: 'MEETING', channel: 'IN_PERSON', direction: 'OUTBOUND', subject: '  季度回顾  ', body: 'Discussed renewal.\nNext: send quote.',
      occurredAt: '2025-03-04T05:06:07.000Z', durationSeconds: 3600, outcome: 'quote requested', agent: 'li.wei',
    });
    expect(full.errors).toBeUndefined();
    expect(full.data.logInteraction).toMatchObject({
      type: 'MEETING', channel: 'IN_PERSON', direction: 'OUTBOUND', subject: '季度回顾', body: 'Discussed renewal.\nNext: send quote.',
      occurredAt: '2025-03-04T05:06:07.000Z', durationSeconds: 3600, outcome: 'quote requested', agent: 'li.wei',
      customer: { id: customerId, name: '陈静' },
    });
    const started = Date.now();
    const minimal = (await log({ type: 'NOTE', channel: 'OTHER' })).data.logInteraction;
    expect(minimal.direction).toBe('INBOUND');
    expect(minimal.subject).toBeNull();
    expect(Math.abs(Date.parse(minimal.occurredAt) - started)).toBeLessThan(60_000);
  });

  it('accepts the limits themselves: a 200-character subject, a 10,000-character body, a zero duration', async () => {
    const res = await log({ subject: 'x'.repeat(200), body: '长'.repeat(10_000), durationSeconds: 0, occurredAt: '1900-01-01T00:00:00Z' });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data.logInteraction.body).toHaveLength(10_000);
  });

  describe('idempotency', () => {
    it('returns the first interaction for a retry with the same idempotencyKey, and stores one row', async () => {
      const input = { type: 'EMAIL', channel: 'EMAIL', subject: 'retry me', occurredAt: '2025-01-01T00:00:00Z' };
      const first = await log(input, 'log-retry-1');
      const second = await log(input, 'log-retry-1');
      expect(second.errors).toBeUndefined();
      expect(second.data.logInteraction).toEqual(first.data.logInteraction);
      expect(await countInteractions(`subject = 'retry me'`)).toBe(1);
    });

    it('returns the first interaction for a retry without occurredAt, though "now" has moved on', async () => {
      const first = await log({ subject: 'no date' }, 'log-retry-2');
      await new Promise((r) => setTimeout(r, 20));
      const second = await log({ subject: 'no date' }, 'log-retry-2');
      expect(second.data.logInteraction.id).toBe(first.data.logInteraction.id);
      expect(second.data.logInteraction.occurredAt).toBe(first.data.logInteraction.occurredAt);
      expect(await countInteractions(`subject = 'no date'`)).toBe(1);
    });

    it('treats a retry that sends an absent field as null as the same request', async () => {
      const first = await log({ subject: 'null or absent', occurredAt: '2025-01-04T00:00:00Z' }, 'log-null');
      const second = await log({ occurredAt: '2025-01-04T00:00:00Z', subject: 'null or absent', body: null, outcome: null }, 'log-null');
      expect(second.errors).toBeUndefined();
      expect(second.data.logInteraction.id).toBe(first.data.logInteraction.id);
    });

    it('stores exactly one row when the same request arrives many times at once', async () => {
      const input = { type: 'CHAT', channel: 'WECHAT', subject: 'concurrent', occurredAt: '2025-01-02T00:00:00Z' };
      const results = await Promise.all(Array.from({ length: 8 }, () => log(input, 'log-concurrent')));
      for (const r of results) expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
      expect(new Set(results.map((r) => r.data.logInteraction.id)).size).toBe(1);
      expect(await countInteractions(`subject = 'concurrent'`)).toBe(1);
    });

    it('answers CONFLICT when the key is reused with different input', async () => {
      await log({ subject: 'original' }, 'log-reused');
      const res = await log({ subject: 'different' }, 'log-reused');
      expect(res.errors?.[0].extensions.code).toBe('CONFLICT');
      expect(await countInteractions(`subject = 'different'`)).toBe(0);
    });

    it('creates separate interactions for different keys', async () => {
      const input = { subject: 'two keys', occurredAt: '2025-01-03T00:00:00Z' };
      const a = await log(input, 'k-1');
      const b = await log(input, 'k-2');
      expect(a.data.logInteraction.id).not.toBe(b.data.logInteraction.id);
    });
  });

  describe('validation', () => {
    const inFuture = () => new Date(Date.now() + 24 * 3600 * 1000).toISOString();
    it.each([
      ['a subject over 200 characters', { subject: 'x'.repeat(201) }, 'input.subject'],
      ['a body over 10,000 characters', { body: 'x'.repeat(10_001) }, 'input.body'],
      ['an occurredAt in the future', { occurredAt: inFuture }, 'input.occurredAt'],
      ['an occurredAt before 1900', { occurredAt: '1899-12-31T23:59:59Z' }, 'input.occurredAt'],
      ['a negative duration', { durationSeconds: -1 }, 'input.durationSeconds'],
      ['an outcome over 200 characters', { outcome: 'x'.repeat(201) }, 'input.outcome'],
      ['a malformed customer id', { customerId: 'not-an-id' }, 'input.customerId'],
      ['a malformed idempotencyKey', { idempotencyKey: 'x'.repeat(201) }, 'idempotencyKey'],
    ])('rejects %s with BAD_USER_INPUT at its path and writes nothing', async (_name, bad, path) => {
      const before = await countInteractions();
      const { idempotencyKey, ...input } = bad as Record<string, unknown>;
      if (typeof input.occurredAt === 'function') input.occurredAt = (input.occurredAt as () => string)();
      const res = await log(input, idempotencyKey as string | undefined);
      const error = res.errors?.[0];
      expect(error?.extensions.code, JSON.stringify(res.errors)).toBe('BAD_USER_INPUT');
      expect(error?.extensions.fields?.map((f) => f.path)).toEqual([path]);
      expect(res.data).toBeNull();
      expect(await countInteractions()).toBe(before);
    });

    it('reports every bad field of one request together', async () => {
      const res = await log({ subject: 'x'.repeat(201), body: 'y'.repeat(10_001), durationSeconds: -5 });
      const paths = res.errors?.[0].extensions.fields?.map((f) => f.path).sort();
      expect(paths).toEqual(['input.body', 'input.durationSeconds', 'input.subject']);
    });

    it('rejects an unknown type sent in variables with BAD_USER_INPUT at input.type', async () => {
      const res = await log({ type: 'FAX' });
      expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].extensions.fields?.[0].path).toBe('input.type');
    });

    it('rejects an unknown channel written in the query with BAD_USER_INPUT at input.channel', async () => {
      const res = await s.gql(`mutation($id: ID!) { logInteraction(input: { customerId: $id, type: CALL, channel: CARRIER_PIGEON }) { id } }`, { id: customerId });
      expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].extensions.fields?.[0].path).toBe('input.channel');
    });

    it('rejects a missing type with BAD_USER_INPUT', async () => {
      const res = await s.gql(LOG, { input: { customerId, channel: 'PHONE' } });
      expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].extensions.fields?.[0].path).toBe('input.type');
    });

    it('rejects a date that is not a date with BAD_USER_INPUT', async () => {
      const res = await log({ occurredAt: 'yesterday' });
      expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].extensions.fields?.[0].path).toBe('input.occurredAt');
    });

    it('answers NOT_FOUND for a customer that does not exist', async () => {
      const res = await log({ customerId: newId() });
      expect(res.errors?.[0].extensions.code).toBe('NOT_FOUND');
    });
  });
});

describe('listing interactions', () => {
  // Tenant B holds only these, so every list below is exact.
  const ids: Record<string, string> = {};
  let x = '';
  let y = '';
  const rows: [string, 'x' | 'y', string, string, string][] = [
    ['x1', 'x', 'CALL', 'PHONE', '2024-01-10T09:00:00Z'],
    ['x2', 'x', 'EMAIL', 'EMAIL', '2024-02-10T09:00:00Z'],
    ['x3', 'x', 'MEETING', 'IN_PERSON', '2024-03-10T09:00:00Z'],
    ['x4', 'x', 'CALL', 'PHONE', '2024-03-10T09:00:00Z'],
    ['x5', 'x', 'CALL', 'WECHAT', '2024-04-10T09:00:00Z'],
    ['x6', 'x', 'NOTE', 'OTHER', '2024-05-10T09:00:00Z'],
    ['y1', 'y', 'CALL', 'PHONE', '2024-03-15T09:00:00Z'],
    ['y2', 'y', 'EMAIL', 'EMAIL', '2024-06-01T09:00:00Z'],
  ];
  const asB = <T = any>(query: string, variables: Record<string, unknown> = {}) => ok<T>(query, variables, s.b.keys.ADMIN);
  /** Names of the rows in the order a list returned them. */
  const names = (nodes: { id: string }[]) => nodes.map((n) => Object.keys(ids).find((k) => ids[k] === n.id) ?? n.id);
  /** The expected newest-first order of some rows (ties: later id first). */
  const newestFirst = (keys: string[]) =>
    [...keys].sort((p, q) => {
      const [tp, tq] = [rows.find((r) => r[0] === p)![4], rows.find((r) => r[0] === q)![4]];
      return tp === tq ? (ids[p] < ids[q] ? 1 : -1) : tp < tq ? 1 : -1;
    });

  beforeAll(async () => {
    x = (await asB('mutation { createCustomer(input: { name: "X" }) { id } }')).createCustomer.id;
    y = (await asB('mutation { createCustomer(input: { name: "Y" }) { id } }')).createCustomer.id;
    for (const [name, who, type, channel, occurredAt] of rows) {
      const res = await s.gql(LOG, { input: { customerId: who === 'x' ? x : y, type, channel, occurredAt, subject: name } }, s.b.keys.ADMIN);
      ids[name] = res.data.logInteraction.id;
    }
  });

  it('lists all of the tenant’s interactions newest first', async () => {
    const res = await asB('{ interactions(first: 100) { totalCount nodes { id occurredAt } } }');
    expect(res.interactions.totalCount).toBe(8);
    expect(names(res.interactions.nodes)).toEqual(newestFirst(Object.keys(ids)));
  });

  it.each([
    ['type', '{ type: { eq: CALL } }', ['x1', 'x4', 'x5', 'y1']],
    ['type in', '{ type: { in: [EMAIL, NOTE] } }', ['x2', 'x6', 'y2']],
    ['channel', '{ channel: { eq: PHONE } }', ['x1', 'x4', 'y1']],
    ['type and channel', '{ type: { eq: CALL }, channel: { ne: PHONE } }', ['x5']],
    ['date range', '{ occurredAt: { gte: "2024-03-10T09:00:00Z", lt: "2024-05-10T09:00:00Z" } }', ['x3', 'x4', 'y1', 'x5']],
    ['type and date range', '{ type: { eq: CALL }, occurredAt: { gte: "2024-02-01T00:00:00Z", lt: "2024-04-01T00:00:00Z" } }', ['x4', 'y1']],
    ['or', '{ or: [{ channel: { eq: WECHAT } }, { type: { eq: MEETING } }] }', ['x3', 'x5']],
    ['not', '{ not: { type: { eq: CALL } } }', ['x2', 'x3', 'x6', 'y2']],
    ['customer', `{ customerId: { eq: "<y>" } }`, ['y1', 'y2']],
  ])('filters the tenant-wide list by %s', async (_name, filter, expected) => {
    const res = await asB(`{ interactions(first: 100, filter: ${filter.replace('<y>', y)}) { totalCount nodes { id } } }`);
    expect(names(res.interactions.nodes)).toEqual(newestFirst(expected));
    expect(res.interactions.totalCount).toBe(expected.length);
  });

  it('pages through the list with first/after without gaps or repeats, ties included', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res: any = await asB('query($after: String) { interactions(first: 3, after: $after) { nodes { id } pageInfo { hasNextPage hasPreviousPage endCursor } } }', { after });
      pages++;
      seen.push(...names(res.interactions.nodes));
      expect(res.interactions.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!res.interactions.pageInfo.hasNextPage) break;
      after = res.interactions.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst(Object.keys(ids)));
  });

  it('pages a filtered list, and stays stable when a newer interaction arrives between pages', async () => {
    const first = await asB('{ interactions(first: 2, filter: { type: { eq: CALL } }) { nodes { id } pageInfo { endCursor hasNextPage } } }');
    expect(names(first.interactions.nodes)).toEqual(newestFirst(['x1', 'x4', 'x5', 'y1']).slice(0, 2));
    await s.gql(LOG, { input: { customerId: x, type: 'CALL', channel: 'PHONE', occurredAt: '2024-12-01T00:00:00Z', subject: 'late' } }, s.b.keys.ADMIN);
    const second = await asB('query($after: String) { interactions(first: 2, after: $after, filter: { type: { eq: CALL } }) { nodes { id } pageInfo { hasNextPage } } }', {
      after: first.interactions.pageInfo.endCursor,
    });
    expect(names(second.interactions.nodes)).toEqual(newestFirst(['x1', 'x4', 'x5', 'y1']).slice(2));
    expect(second.interactions.pageInfo.hasNextPage).toBe(false);
    await s.orm.em.fork().getConnection().execute(`delete from interaction where tenant_id = ? and subject = 'late'`, [s.b.id]);
  });

  it('pages backwards with last/before', async () => {
    const all = newestFirst(Object.keys(ids));
    const tail = await asB('{ interactions(last: 3) { nodes { id } pageInfo { hasPreviousPage startCursor } } }');
    expect(names(tail.interactions.nodes)).toEqual(all.slice(-3));
    expect(tail.interactions.pageInfo.hasPreviousPage).toBe(true);
    const before = await asB('query($c: String) { interactions(last: 3, before: $c) { nodes { id } } }', { c: tail.interactions.pageInfo.startCursor });
    expect(names(before.interactions.nodes)).toEqual(all.slice(-6, -3));
  });

  it('rejects a malformed cursor and a page size over 100 with BAD_USER_INPUT', async () => {
    const bad = await s.gql('{ interactions(first: 5, after: "garbage") { nodes { id } } }', {}, s.b.keys.ADMIN);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'after' }] });
    const big = await s.gql('{ interactions(first: 101) { nodes { id } } }', {}, s.b.keys.ADMIN);
    expect(big.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'first' }] });
  });

  it('rejects an unknown enum value in a filter with BAD_USER_INPUT', async () => {
    const res = await s.gql('query($f: InteractionFilter) { interactions(filter: $f) { nodes { id } } }', { f: { type: { eq: 'FAX' } } }, s.b.keys.ADMIN);
    expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].extensions.fields?.[0].path).toBe('f.type.eq');
  });

  it('lists one customer’s interactions in customer.interactions, filtered and newest first', async () => {
    const res = await asB(
      `query($x: ID!, $y: ID!) {
        x: customer(id: $x) {
          all: interactions(first: 100) { totalCount nodes { id } }
          calls: interactions(first: 100, filter: { type: { eq: CALL } }) { totalCount nodes { id } }
          q1: interactions(filter: { occurredAt: { gte: "2024-01-01T00:00:00Z", lt: "2024-04-01T00:00:00Z" } }) { totalCount nodes { id } }
          last2: interactions(first: 2) { totalCount nodes { id } pageInfo { hasNextPage endCursor } }
        }
        y: customer(id: $y) { interactions(first: 100, filter: { channel: { eq: EMAIL } }) { totalCount nodes { id } } }
      }`,
      { x, y },
    );
    expect(names(res.x.all.nodes)).toEqual(newestFirst(['x1', 'x2', 'x3', 'x4', 'x5', 'x6']));
    expect(res.x.all.totalCount).toBe(6);
    expect(names(res.x.calls.nodes)).toEqual(newestFirst(['x1', 'x4', 'x5']));
    expect(res.x.calls.totalCount).toBe(3);
    expect(names(res.x.q1.nodes)).toEqual(newestFirst(['x1', 'x2', 'x3', 'x4']));
    expect(res.x.last2.totalCount).toBe(6);
    expect(names(res.x.last2.nodes)).toEqual(['x6', 'x5']);
    expect(res.x.last2.pageInfo.hasNextPage).toBe(true);
    expect(names(res.y.interactions.nodes)).toEqual(['y2']);
    expect(res.y.interactions.totalCount).toBe(1);

    const next = await asB('query($x: ID!, $after: String) { customer(id: $x) { interactions(first: 2, after: $after) { nodes { id } pageInfo { hasNextPage } } } }', {
      x, after: res.x.last2.pageInfo.endCursor,
    });
    expect(names(next.customer.interactions.nodes)).toEqual(newestFirst(['x1', 'x2', 'x3', 'x4']).slice(0, 2));
  });

  it('gives each customer of a page its own interactions', async () => {
    const res = await asB('{ customers(first: 10, orderBy: [{ field: NAME }]) { nodes { name interactions(first: 3, filter: { type: { eq: CALL } }) { totalCount nodes { id customer { name } } } } } }');
    const byName = Object.fromEntries(res.customers.nodes.map((c: any) => [c.name, c.interactions]));
    expect(names(byName.X.nodes)).toEqual(newestFirst(['x1', 'x4', 'x5']));
    expect(byName.X.totalCount).toBe(3);
    expect(byName.X.nodes.every((n: any) => n.customer.name === 'X')).toBe(true);
    expect(names(byName.Y.nodes)).toEqual(['y1']);
    expect(byName.Y.totalCount).toBe(1);
  });
});
