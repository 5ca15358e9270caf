import type { BrowserCommand } from 'vitest/node';

/**
 * Browser commands for widget tests (run in Node, drive the test page through Playwright).
 * Typed for the browser side in ./browser-commands.d.ts. The feedback-form tests add theirs here too.
 */

import type { Page, Route } from 'playwright';

const offlineHandlers = new WeakMap<Page, (route: Route) => Promise<void>>();

/**
 * Takes the page off the network or back on, as its code sees it: every request to another origin
 * fails like a dropped connection, `navigator.onLine` turns false and `offline` / `online` fire.
 * (Playwright's context.setOffline(true) would also cut Vitest's own connection to the page, which
 * hangs the run; the test page's origin, the Vitest server, therefore stays reachable.)
 */
export const setOffline: BrowserCommand<[offline: boolean]> = async (ctx, offline) => {
  const { page } = ctx;
  const previous = offlineHandlers.get(page);
  if (previous) {
    await page.unroute('**/*', previous);
    offlineHandlers.delete(page);
  }
  if (offline) {
    const own = new URL(page.url()).origin;
    const handler = async (route: Route) => {
      if (new URL(route.request().url()).origin === own) return route.fallback();
      return route.abort('internetdisconnected');
    };
    offlineHandlers.set(page, handler);
    await page.route('**/*', handler);
  }
  for (const frame of page.frames()) {
    await frame
      .evaluate((off) => {
        // Runs in the page (no DOM types here).
        const g = globalThis as any;
        if (off) Object.defineProperty(g.navigator, 'onLine', { configurable: true, get: () => false });
        else delete g.navigator.onLine;
        g.dispatchEvent(new g.Event(off ? 'offline' : 'online'));
      }, offline)
      .catch(() => {}); // a frame that is navigating away
  }
};

/** Makes every request to a /graphql endpoint answer with `status` (empty JSON body); null restores the real server. */
export const failGraphql: BrowserCommand<[status: number | null]> = async (ctx, status) => {
  await ctx.page.unroute('**/graphql');
  if (status === null) return;
  await ctx.page.route('**/graphql', async (route) => {
    const request = route.request();
    const cors = { 'access-control-allow-origin': request.headers().origin ?? '*', 'access-control-allow-headers': '*' };
    if (request.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors });
    return route.fulfill({ status, headers: { ...cors, 'content-type': 'application/json' }, body: '{}' });
  });
};

/**
 * (feedback form) Runs a GraphQL operation against the test server with tenant A's ADMIN secret key,
 * from Node: the tests check what the server stored without giving the browser page a secret key.
 */
export const adminGraphql: BrowserCommand<[query: string, variables?: Record<string, unknown>]> = async (ctx, query, variables) => {
  const { widgets } = ctx.project.getProvidedContext() as unknown as { widgets: { endpoint: string; adminKey: string } };
  const res = await fetch(widgets.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${widgets.adminKey}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: { message: string }[] };
};
