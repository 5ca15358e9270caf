/**
 * Re-scoring for write requests, coalesced across concurrent requests (like a database's group
 * commit). Each order or survey answer re-scores its customer before the request answers, with
 * one read and one upsert (rescoreCustomers). When requests of one tenant arrive while such a
 * re-scoring is running, they wait for it to finish and then share ONE read and ONE upsert for
 * all their customers, started after every one of their own writes committed. A request alone
 * (no re-scoring running) starts at once: nothing waits at low load, and under load the reads,
 * upserts and commits per request fall with the number of requests in flight.
 *
 * A batch runs in the async context of its oldest request (its statements are counted there,
 * `extensions.sqlStatements`) with that request's EntityManager. A request inside a transaction
 * re-scores on its own: only its own connection sees its writes.
 */
import { AsyncResource } from 'node:async_hooks';
import type { Em } from '../db/orm.js';
import { liveAsOf, rescoreCustomers, type RescoreOptions } from './recompute.service.js';

interface Waiter {
  em: Em;
  ids: readonly string[];
  tenant: RescoreOptions['tenant'];
  /** The request's async context, where its part of a batch runs. */
  context: AsyncResource;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Lane {
  waiting: Waiter[];
}

/** Per tenant and kind (after orders: everyone; after signals: `onlyScored`), the requests not yet re-scored. */
const lanes = new Map<string, Lane>();

/**
 * Re-scores `ids` after the caller's write committed, sharing the read and upsert with the other
 * requests of the tenant that wait at the same moment. Resolves once the customers' metrics
 * reflect the write; rejects as rescoreCustomers would for these ids alone.
 */
export function rescoreCoalesced(em: Em, tenantId: string, ids: readonly string[], opts: RescoreOptions = {}): Promise<void> {
  if (em.isInTransaction()) return rescoreCustomers(em, tenantId, ids, liveAsOf(), opts).then(() => undefined);
  const key = `${tenantId}:${opts.onlyScored ? 'scored' : 'all'}`;
  return new Promise<void>((resolve, reject) => {
    const waiter: Waiter = {
      em, ids, tenant: opts.tenant, context: new AsyncResource('clientele.rescore'),
      resolve, reject,
    };
    const lane = lanes.get(key);
    if (lane) {
      lane.waiting.push(waiter);
      return;
    }
    const started: Lane = { waiting: [waiter] };
    lanes.set(key, started);
    void drain(key, tenantId, opts.onlyScored === true, started);
  });
}

/** Runs the lane's batches one after another until nobody waits, then closes it. */
async function drain(key: string, tenantId: string, onlyScored: boolean, lane: Lane): Promise<void> {
  try {
    while (lane.waiting.length) {
      const batch = lane.waiting.splice(0);
      await runBatch(tenantId, onlyScored, batch);
    }
  } finally {
    lanes.delete(key);
  }
}

async function runBatch(tenantId: string, onlyScored: boolean, batch: Waiter[]): Promise<void> {
  const run = (w: Waiter, ids: readonly string[]) =>
    w.context.runInAsyncScope(() => rescoreCustomers(w.em, tenantId, ids, liveAsOf(), { tenant: w.tenant, onlyScored }));
  const [lead] = batch;
  try {
    await run(lead, batch.length === 1 ? lead.ids : [...new Set(batch.flatMap((w) => w.ids))]);
    for (const w of batch) w.resolve();
  } catch (error) {
    if (batch.length === 1) {
      lead.reject(error);
      return;
    }
    // One customer's failure must not fail the others: each request re-scores on its own, side
    // by side (one after another, a stalled database would make the last one wait for all).
    await Promise.all(batch.map((w) => run(w, w.ids).then(w.resolve, w.reject)));
  } finally {
    for (const w of batch) w.context.emitDestroy();
  }
}
