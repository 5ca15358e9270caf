import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlEm } from '../../server/db/orm.js';
import { liveAsOf } from '../../server/metrics/recompute.service.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

describe('liveAsOf, the re-scoring after a write', () => {
  // A re-scoring reads "completed_at <= asOf" and "occurred_at <= asOf": everything the database
  // stamped (in microseconds) before the re-scoring started must be at or before its asOf, even in
  // the same millisecond. `new Date()` failed this in most tries on PostgreSQL (its .123 is before .123456).
  it('is at or after every timestamp the database wrote before it was read', async () => {
    const em = sqlEm(s.orm);
    let later = 0;
    for (let i = 0; i < 200; i++) {
      const [{ stamped }] = await em.execute<{ stamped: string }[]>('select clock_timestamp()::text as stamped');
      const asOf = liveAsOf();
      const [{ covered }] = await em.execute<{ covered: boolean }[]>('select ?::timestamptz >= ?::timestamptz as covered', [asOf.toISOString(), stamped]);
      if (!covered) later++;
    }
    expect(later).toBe(0);
  });
});
