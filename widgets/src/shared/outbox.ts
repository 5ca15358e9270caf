import { request, WidgetError } from './client.js';

/**
 * The offline outbox: a submission is stored (IndexedDB, else localStorage) before it is sent and
 * deleted only after the server accepted it or refused it for good, so an answer survives a network
 * or server failure, a closed tab and a reload. Entries are resent on the `online` event, on a
 * backoff timer, when this module loads and whenever a widget submits. Each entry carries its
 * idempotency key, so a resend can never create a second response on the server; a lock (Web Locks
 * across tabs, a promise chain otherwise) keeps two flushes from sending the same entry twice.
 */

export interface OutboxEntry {
  /** One entry per key: a newer submission under the same key replaces the older one. */
  idempotencyKey: string;
  endpoint: string;
  publishableKey?: string;
  token?: string;
  /** The GraphQL document (a mutation that honours the idempotency key). */
  document: string;
  variables: Record<string, unknown>;
  /** ISO time the submission was made. */
  createdAt: string;
  /** Changes on every replacement, so a flush never deletes a newer version than the one it sent. */
  revision: string;
}

export type OutboxResult =
  | { status: 'delivered'; entry: OutboxEntry; data: unknown }
  /** A retryable failure: the entry stays and is sent again later. */
  | { status: 'kept'; entry: OutboxEntry; error: WidgetError }
  /** Refused for good (e.g. BAD_USER_INPUT, NOT_FOUND): the entry is removed. */
  | { status: 'failed'; entry: OutboxEntry; error: WidgetError };

export type OutboxListener = (result: OutboxResult) => void;

interface Store {
  all(): Promise<OutboxEntry[]>;
  put(entry: OutboxEntry): Promise<void>;
  /** Deletes the entry, but only while it still has `revision` (when given). */
  remove(key: string, revision?: string): Promise<void>;
}

const DB = 'clientele-widgets';
const STORE = 'outbox';
const LS_KEY = 'clientele-widgets.outbox';
const LOCK = 'clientele-widgets.outbox';
const TIMEOUT_MS = 15_000;
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 120_000;

// One state per page even when both the all-in-one script and a per-element module load this file.
interface State {
  listeners: Set<OutboxListener>;
  chain: Promise<unknown>;
  store?: Promise<Store>;
  timer?: ReturnType<typeof setTimeout>;
  delay: number;
  started?: boolean;
}
const g = globalThis as { [k: symbol]: State | undefined };
const KEY = Symbol.for('clientele.outbox');
const state: State = (g[KEY] ??= { listeners: new Set(), chain: Promise.resolve(), delay: FIRST_RETRY_MS });

function idbStore(db: IDBDatabase): Store {
  const run = <T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T> | void) =>
    new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req ? req.result : (undefined as T));
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
  return {
    all: () => run('readonly', (s) => s.getAll() as IDBRequest<OutboxEntry[]>),
    put: (entry) => run('readwrite', (s) => void s.put(entry)),
    remove: (key, revision) =>
      run('readwrite', (s) => {
        const req = s.get(key);
        req.onsuccess = () => {
          if (req.result && (!revision || req.result.revision === revision)) s.delete(key);
        };
      }),
  };
}

function openIdb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'idempotencyKey' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('IndexedDB blocked'));
  });
}

/** localStorage (synchronous, so each call is atomic within a tab); memory when even that is refused. */
function localStore(): Store {
  let memory: Record<string, OutboxEntry> = {};
  const read = (): Record<string, OutboxEntry> => {
    try {
      return JSON.parse(localStorage.getItem(LS_KEY) ?? '{}') as Record<string, OutboxEntry>;
    } catch {
      return memory;
    }
  };
  const write = (all: Record<string, OutboxEntry>) => {
    memory = all;
    try {
      if (Object.keys(all).length) localStorage.setItem(LS_KEY, JSON.stringify(all));
      else localStorage.removeItem(LS_KEY);
    } catch {
      // Storage refused (private mode, quota): the entry lives in memory for this page.
    }
  };
  return {
    all: async () => Object.values(read()),
    put: async (entry) => write({ ...read(), [entry.idempotencyKey]: entry }),
    remove: async (key, revision) => {
      const all = read();
      if (all[key] && (!revision || all[key].revision === revision)) {
        delete all[key];
        write(all);
      }
    },
  };
}

function store(): Promise<Store> {
  return (state.store ??= (async () => {
    let db: IDBDatabase;
    try {
      db = await openIdb();
    } catch {
      return localStore();
    }
    // A newer script upgrading the database elsewhere: let it, and reopen on next use.
    db.onversionchange = () => {
      db.close();
      state.store = undefined;
    };
    const idb = idbStore(db);
    // Answers an earlier page had to keep in localStorage move into IndexedDB, so none is stranded.
    const fallback = localStore();
    const stranded = await fallback.all();
    if (stranded.length) {
      const kept = new Map((await idb.all()).map((e) => [e.idempotencyKey, e.createdAt]));
      for (const entry of stranded) {
        const other = kept.get(entry.idempotencyKey);
        if (!other || other < entry.createdAt) await idb.put(entry);
        await fallback.remove(entry.idempotencyKey, entry.revision);
      }
    }
    return idb;
  })());
}

/** Runs `fn` alone: across tabs with Web Locks, else within this page. */
function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (locks?.request) return locks.request(LOCK, fn) as Promise<T>;
  const run = state.chain.then(fn, fn);
  state.chain = run.catch(() => undefined);
  return run;
}

function asWidgetError(error: unknown): WidgetError {
  if (error instanceof WidgetError) return error;
  // An abort/timeout or anything unexpected while sending: worth another try.
  return new WidgetError('NETWORK', (error as Error)?.message ?? 'Request failed', { retryable: true });
}

async function deliver(entry: OutboxEntry): Promise<OutboxResult> {
  try {
    const data = await request(
      { endpoint: entry.endpoint, publishableKey: entry.publishableKey, token: entry.token },
      entry.document,
      entry.variables,
      { idempotencyKey: entry.idempotencyKey, signal: AbortSignal.timeout(TIMEOUT_MS) },
    );
    return { status: 'delivered', entry, data };
  } catch (e) {
    const error = asWidgetError(e);
    if (entry.token && error.code === 'UNAUTHENTICATED' && error.reason === 'TOKEN_EXPIRED') {
      // The customer's token ran out while the answer waited: send it unlinked rather than lose it.
      return deliver({ ...entry, token: undefined });
    }
    return { status: error.retryable ? 'kept' : 'failed', entry, error };
  }
}

function schedule(retry: boolean): void {
  clearTimeout(state.timer);
  state.timer = undefined;
  if (!retry) {
    state.delay = FIRST_RETRY_MS;
    return;
  }
  state.timer = setTimeout(() => void flush().catch(() => undefined), state.delay);
  state.delay = Math.min(state.delay * 2, MAX_RETRY_MS);
}

/** A v4 UUID; crypto.randomUUID only exists in secure contexts, so build one from random bytes elsewhere. */
export function randomId(): string {
  if (typeof crypto.randomUUID === 'function' && globalThis.isSecureContext !== false) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Everything waiting to be sent, oldest first. */
export async function pending(): Promise<OutboxEntry[]> {
  const all = await (await store()).all();
  return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/**
 * Sends every waiting entry once, oldest first, and reports each outcome to the listeners. Entries
 * are read inside the lock, so a flush that waited for another one finds the delivered ones gone.
 */
export function flush(): Promise<OutboxResult[]> {
  return exclusive(async () => {
    const s = await store();
    const results: OutboxResult[] = [];
    for (const entry of await pending()) {
      const result = await deliver(entry);
      if (result.status !== 'kept') await s.remove(entry.idempotencyKey, entry.revision);
      results.push(result);
      for (const listener of state.listeners) listener(result);
    }
    schedule(results.some((r) => r.status === 'kept'));
    return results;
  });
}

/**
 * Stores a submission (replacing an older one under the same key) and flushes. Resolves with this
 * submission's outcome, or undefined when a newer one under the same key replaced it first.
 */
export async function submit(input: Omit<OutboxEntry, 'createdAt' | 'revision'>): Promise<OutboxResult | undefined> {
  const entry: OutboxEntry = { ...input, createdAt: new Date().toISOString(), revision: randomId() };
  await (await store()).put(entry);
  const results = await flush();
  return results.find((r) => r.entry.revision === entry.revision);
}

/** Drops an entry without sending it. */
export async function discard(idempotencyKey: string): Promise<void> {
  await (await store()).remove(idempotencyKey);
}

/** Listens to every flush outcome on this page; returns the unsubscribe function. */
export function subscribe(listener: OutboxListener): () => void {
  state.listeners.add(listener);
  return () => state.listeners.delete(listener);
}

// Resend on reconnect, and once when the page loads (what a previous page could not send).
if (!state.started && typeof window !== 'undefined') {
  state.started = true;
  window.addEventListener('online', () => void flush().catch(() => undefined));
  setTimeout(() => void flush().catch(() => undefined), 0);
}
