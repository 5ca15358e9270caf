import type { BrowserCommand } from 'vitest/node';

/**
 * Browser commands for widget tests (run in Node, drive the test page through Playwright).
 * Typed for the browser side in ./browser-commands.d.ts. The feedback-form tests add theirs here too.
 */

/** Takes the page's browser context off the network (fetch fails) or back on. */
export const setOffline: BrowserCommand<[offline: boolean]> = async (ctx, offline) => {
  await ctx.context.setOffline(offline);
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
