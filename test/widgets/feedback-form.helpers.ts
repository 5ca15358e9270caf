// Helpers shared by the feedback-form and outbox browser tests.
import { inject, vi } from 'vitest';
import { commands } from 'vitest/browser';
import { discard, pending } from '../../widgets/src/shared/outbox.js';

declare module 'vitest/browser' {
  interface BrowserCommands {
    adminGraphql(query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: { message: string }[] }>;
  }
}

export const seed = inject('widgets');

/**
 * The browser's credential for the survey: the seeded publishable key once the server side of the
 * widget contract exists; until then the ADMIN key stands in (same operations, no origin check).
 */
export const browserKey: string = seed.publishableKey ?? seed.adminKey;

/** A GraphQL call with the ADMIN secret key, made from Node (command adminGraphql), else from the page. */
export async function admin<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
  let res: { data?: any; errors?: { message: string }[] };
  try {
    res = await commands.adminGraphql(query, variables);
  } catch {
    // The command is not registered in this vitest config: ask the server from the page instead.
    const http = await fetch(seed.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${seed.adminKey}` },
      body: JSON.stringify({ query, variables }),
    });
    res = await http.json();
  }
  if (res.errors?.length) throw new Error(JSON.stringify(res.errors));
  return res.data as T;
}

export interface StoredResponse {
  id: string;
  status: 'PARTIAL' | 'COMPLETE';
  customerId: string | null;
  answers: { questionId: string; value: number | null; choiceIds: string[] | null; text: string | null }[];
}

/** The responses to the seeded survey whose free-text answer is `marker` (each test writes its own). */
export async function responsesWith(marker: string): Promise<StoredResponse[]> {
  const data = await admin<{ surveyResponses: { nodes: StoredResponse[] } }>(
    `query($s: ID!) { surveyResponses(filter: { surveyId: { eq: $s } }, first: 100) {
       nodes { id status customerId answers { questionId value choiceIds text } } } }`,
    { s: seed.survey.id },
  );
  return data.surveyResponses.nodes.filter((r) => r.answers.some((a) => a.text === marker));
}

/**
 * Watches this page's fetches (still real) and can take them off the network: while `offline(true)`,
 * every fetch fails the way it does without a connection (TypeError). Playwright's own offline mode
 * cannot be used here: it also cuts the page's connection to the Vitest runner.
 */
export function network(): { count(key: string): number; offline(on: boolean): void; restore(): void } {
  const real = globalThis.fetch.bind(globalThis);
  let down = false;
  const spy = vi
    .spyOn(globalThis, 'fetch')
    .mockImplementation((input, init) => (down ? Promise.reject(new TypeError('Failed to fetch')) : real(input, init)));
  return {
    count: (key) =>
      spy.mock.calls.filter(([, init]) => (init?.headers as Record<string, string> | undefined)?.['idempotency-key'] === key).length,
    offline: (on) => {
      down = on;
    },
    restore: () => spy.mockRestore(),
  };
}

/** Empties the outbox and brings the server back. */
export async function resetNetworkAndOutbox(): Promise<void> {
  await commands.failGraphql(null);
  for (const entry of await pending()) await discard(entry.idempotencyKey);
}

export const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;


/**
 * Cancels the outbox's backoff retry (armed after a failed send), so a test decides when the kept
 * answer goes out (online event, flush, next page load) instead of a timer racing it on a slow machine.
 */
export function stopRetryTimer(): void {
  const state = (globalThis as Record<symbol, { timer?: ReturnType<typeof setTimeout> } | undefined>)[Symbol.for('clientele.outbox')];
  clearTimeout(state?.timer);
}
