import { expect } from 'vitest';
import type { GqlResult, TestServer } from '../helpers/server.js';

/** A GraphQL POST as a browser makes it: with an Origin and any credential headers. */
export async function browserGql<T = any>(
  s: TestServer,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GqlResult<T>> {
  const res = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as Omit<GqlResult, 'status' | 'headers'>;
  return { status: res.status, headers: res.headers, ...body };
}

/** data of a response that must not have errors. */
export async function ok<T = any>(p: Promise<GqlResult<T>>): Promise<T> {
  const res = await p;
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data;
}

export const CREATE_PK = `mutation($input: CreatePublishableKeyInput!) {
  createPublishableKey(input: $input) { key apiKey { id kind role name prefix allowedOrigins revokedAt } }
}`;

export async function createPk(s: TestServer, origins: string[], adminKey = s.a.keys.ADMIN): Promise<{ key: string; id: string }> {
  const data = await ok(s.gql(CREATE_PK, { input: { name: 'shop', allowedOrigins: origins } }, adminKey));
  return { key: data.createPublishableKey.key, id: data.createPublishableKey.apiKey.id };
}

export async function createActiveSurvey(s: TestServer, key = s.a.keys.ADMIN, activate = true): Promise<{ id: string; questionId: string }> {
  const created = await ok(s.gql(`mutation { createSurvey(input: { name: "NPS web", kind: NPS }) { id questions { id } } }`, {}, key));
  const id = created.createSurvey.id;
  if (activate) await ok(s.gql(`mutation($id: ID!) { setSurveyStatus(id: $id, status: ACTIVE) { status } }`, { id }, key));
  return { id, questionId: created.createSurvey.questions[0].id };
}

export async function createCustomer(s: TestServer, input: Record<string, unknown>, key = s.a.keys.ADMIN): Promise<string> {
  const data = await ok(s.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }`, { input }, key));
  return data.createCustomer.id;
}

export async function mintToken(s: TestServer, customerId: string, scopes: string[], ttlSeconds = 600, key = s.a.keys.ADMIN): Promise<string> {
  const data = await ok(
    s.gql(`mutation($c: ID!, $s: [WidgetScope!]!, $t: Int) { createWidgetToken(customerId: $c, scopes: $s, ttlSeconds: $t) { token } }`, { c: customerId, s: scopes, t: ttlSeconds }, key),
  );
  return data.createWidgetToken.token;
}
