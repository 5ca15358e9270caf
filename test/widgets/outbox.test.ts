import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { commands } from 'vitest/browser';
import { FeedbackFormSubmitDocument } from '../../widgets/src/gql/graphql.js';
import { flush, pending, randomId, submit, subscribe, type OutboxResult } from '../../widgets/src/shared/outbox.js';
import { browserKey, network, resetNetworkAndOutbox, responsesWith, seed, unique } from './feedback-form.helpers.js';

/** A complete answer to the seeded survey, told apart on the server by its comment. */
function submission(idempotencyKey: string, marker: string, nps = 8) {
  return {
    idempotencyKey,
    endpoint: seed.endpoint,
    publishableKey: browserKey,
    document: String(FeedbackFormSubmitDocument),
    variables: {
      idempotencyKey,
      input: {
        surveyId: seed.survey.id,
        channel: 'WEB',
        partial: false,
        answers: [
          { questionId: 'nps', value: nps },
          { questionId: 'speed', value: 4 },
          { questionId: 'comment', text: marker },
        ],
      },
    },
  };
}

/** Resolves with the next outcome for `key` that matches `status`. */
function next(key: string, status: OutboxResult['status']): Promise<OutboxResult> {
  return new Promise((resolve) => {
    const off = subscribe((r) => {
      if (r.entry.idempotencyKey === key && r.status === status) {
        off();
        resolve(r);
      }
    });
  });
}

/** The raw IndexedDB store, read without the outbox module: what a reload would find. */
async function rawIndexedDbKeys(): Promise<string[]> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open('clientele-widgets');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  try {
    return await new Promise((resolve, reject) => {
      const req = db.transaction('outbox').objectStore('outbox').getAllKeys();
      req.onsuccess = () => resolve(req.result as string[]);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

let requests: ReturnType<typeof network>;
beforeEach(async () => {
  await resetNetworkAndOutbox();
  requests = network();
});
afterEach(async () => {
  requests.restore();
  await resetNetworkAndOutbox();
});

describe('offline outbox', () => {
  it('keeps an answer while the server answers 503 and delivers it exactly once when the server is back', async () => {
    const key = randomId();
    const marker = unique('outbox-503');
    await commands.failGraphql(503);

    const first = await submit(submission(key, marker));
    expect(first).toMatchObject({ status: 'kept', error: { code: 'UNAVAILABLE', retryable: true } });
    expect((await pending()).map((e) => e.idempotencyKey)).toEqual([key]);
    expect(await rawIndexedDbKeys()).toEqual([key]);
    expect(await responsesWith(marker)).toEqual([]);

    await commands.failGraphql(null);
    const delivered = next(key, 'delivered');
    window.dispatchEvent(new Event('online'));
    const result = await delivered;
    const responseId = (result as { data: { submitSurveyResponse: { id: string } } }).data.submitSurveyResponse.id;

    expect(await pending()).toEqual([]);
    expect(await rawIndexedDbKeys()).toEqual([]);
    // A later flush (next page load) has nothing left to send.
    expect(await flush()).toEqual([]);
    const stored = await responsesWith(marker);
    expect(stored.map((r) => [r.id, r.status])).toEqual([[responseId, 'COMPLETE']]);
    expect(stored[0].answers.find((a) => a.questionId === 'nps')?.value).toBe(8);
    // One request failed (503), one delivered it: nothing else went out under this key.
    expect(requests.count(key)).toBe(2);
  });

  it('keeps an answer made offline and sends it once when the browser comes back online (the online event)', async () => {
    const key = randomId();
    const marker = unique('outbox-offline');
    requests.offline(true);
    const first = await submit(submission(key, marker, 3));
    expect(first).toMatchObject({ status: 'kept', error: { code: 'NETWORK', retryable: true } });
    expect(await rawIndexedDbKeys()).toEqual([key]);

    const delivered = next(key, 'delivered');
    requests.offline(false);
    window.dispatchEvent(new Event('online')); // what the browser fires on reconnecting; nothing else resends now
    await delivered;
    expect(await pending()).toEqual([]);
    const stored = await responsesWith(marker);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ status: 'COMPLETE' });
    expect(stored[0].answers.find((a) => a.questionId === 'nps')?.value).toBe(3);
  });

  it('sends an entry once when two flushes race (Web Locks)', async () => {
    expect(navigator.locks).toBeDefined();
    const key = randomId();
    const marker = unique('outbox-race');
    await commands.failGraphql(503);
    await submit(submission(key, marker));
    await commands.failGraphql(null);
    const sentBefore = requests.count(key);

    const [a, b] = await Promise.all([flush(), flush()]);
    const delivered = [...a, ...b].filter((r) => r.entry.idempotencyKey === key && r.status === 'delivered');
    expect(delivered).toHaveLength(1);
    expect(requests.count(key) - sentBefore).toBe(1);
    expect(await responsesWith(marker)).toHaveLength(1);
    expect(await pending()).toEqual([]);
  });

  it('sends an entry once when two flushes race without Web Locks (the in-page fallback)', async () => {
    Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true });
    try {
      const key = randomId();
      const marker = unique('outbox-race-nolocks');
      await commands.failGraphql(503);
      await submit(submission(key, marker));
      await commands.failGraphql(null);
      const sentBefore = requests.count(key);
      const results = (await Promise.all([flush(), flush(), flush()])).flat();
      expect(results.filter((r) => r.entry.idempotencyKey === key && r.status === 'delivered')).toHaveLength(1);
      expect(requests.count(key) - sentBefore).toBe(1);
      expect(await responsesWith(marker)).toHaveLength(1);
    } finally {
      delete (navigator as { locks?: unknown }).locks;
    }
    expect(navigator.locks).toBeDefined();
  });

  it('replaces an older waiting submission under the same key, so only the newest answer is sent', async () => {
    const key = randomId();
    const marker = unique('outbox-replace');
    await commands.failGraphql(503);
    await submit(submission(key, marker, 2));
    await submit(submission(key, marker, 9));
    expect((await pending()).map((e) => (e.variables.input as { answers: { value?: number }[] }).answers[0].value)).toEqual([9]);
    await commands.failGraphql(null);
    await flush();
    const stored = await responsesWith(marker);
    expect(stored).toHaveLength(1);
    expect(stored[0].answers.find((a) => a.questionId === 'nps')?.value).toBe(9);
  });

  it('drops a submission the server refuses for good and reports it as not retryable', async () => {
    const key = randomId();
    const marker = unique('outbox-refused');
    const failed = next(key, 'failed');
    const result = await submit(submission(key, marker, 42));
    expect(result).toMatchObject({ status: 'failed', error: { code: 'BAD_USER_INPUT', retryable: false } });
    expect((await failed).entry.idempotencyKey).toBe(key);
    expect(await pending()).toEqual([]);
    expect(await responsesWith(marker)).toEqual([]);
  });

  it('falls back to localStorage when IndexedDB cannot be opened', async () => {
    const state = (globalThis as Record<symbol, { store?: unknown }>)[Symbol.for('clientele.outbox')]!;
    const saved = state.store;
    state.store = undefined; // choose the storage again, now without IndexedDB
    const open = vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('IndexedDB is disabled', 'SecurityError');
    });
    try {
      const key = randomId();
      const marker = unique('outbox-localstorage');
      await commands.failGraphql(503);
      expect(await submit(submission(key, marker))).toMatchObject({ status: 'kept' });
      expect(Object.keys(JSON.parse(localStorage.getItem('clientele-widgets.outbox') ?? '{}'))).toEqual([key]);

      await commands.failGraphql(null);
      await flush();
      expect(localStorage.getItem('clientele-widgets.outbox')).toBeNull();
      expect(await responsesWith(marker)).toHaveLength(1);
    } finally {
      open.mockRestore();
      state.store = saved;
    }
  });

  it.skipIf(!seed.tokens.expired)('delivers an answer whose widget token expired while it waited, unlinked rather than lost', async () => {
    const key = randomId();
    const marker = unique('outbox-expired');
    const result = await submit({ ...submission(key, marker), token: seed.tokens.expired! });
    expect(result).toMatchObject({ status: 'delivered' });
    const stored = await responsesWith(marker);
    expect(stored).toHaveLength(1);
    expect(stored[0].customerId).toBeNull();
  });
});
