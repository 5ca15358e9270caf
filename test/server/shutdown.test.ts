import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlEm } from '../../server/db/orm.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Graceful shutdown: a request still running when the server stops (its client gone or not)
 * finishes against an open database instead of failing when the pool closes under it. Needs a
 * second connection to hold a row lock, so PostgreSQL only (PGlite has one connection).
 */
describe.skipIf(!process.env.DATABASE_URL)('stopping the server', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s?.close(); // app.close() again is a no-op; drops the database
  });

  it('lets a request whose client went away finish its write before close() resolves', async () => {
    const created = await s.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id version } }`, {
      input: { kind: 'PERSON', name: 'Slow Writer' },
    });
    expect(created.errors).toBeUndefined();
    const { id, version } = created.data.createCustomer;

    const events: string[] = [];
    let closing: Promise<void> | undefined;
    // Hold the customer's row so the update below waits inside the server.
    await sqlEm(s.orm).transactional(async (tx) => {
      await tx.execute('select 1 from customer where tenant_id = ? and id = ? for update', [s.a.id, id]);
      const client = new AbortController();
      const update = fetch(s.url, {
        method: 'POST',
        signal: client.signal,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s.a.keys.ADMIN}` },
        body: JSON.stringify({
          query: `mutation($id: ID!, $version: Int!) { updateCustomer(id: $id, version: $version, input: { name: "Written at shutdown" }) { id } }`,
          variables: { id, version },
        }),
      }).catch((error: Error) => error.name);
      await waitFor(async () => {
        const [{ waiting }] = await sqlEm(s.orm).execute<{ waiting: number }[]>(
          `select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
        );
        return waiting > 0;
      });
      client.abort();
      expect(await update).toBe('AbortError');
      closing = s.app.close().then(() => void events.push('closed'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      events.push('lock released');
    });
    await closing;
    expect(events).toEqual(['lock released', 'closed']);
    const [row] = await sqlEm(s.orm).execute<{ name: string }[]>('select name from customer where id = ?', [id]);
    expect(row.name).toBe('Written at shutdown');
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
