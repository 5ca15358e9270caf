import { expect } from 'vitest';
import type { TestServer } from '../helpers/server.js';

const DAY = 86_400_000;
export const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();

/**
 * Four customers of tenant A covering every kind of rule field:
 *   C1 Retail, Shanghai, FEMALE, born 1990, 11–50 staff, tag vip, plan gold; three orders (1,500 CNY) in the last 90 days.
 *   C2 Retail, Beijing, MALE, born 1960; one 80 CNY order 400 days ago.
 *   C3 Finance, Shanghai; no orders; tag lead, plan basic; one interaction.
 *   C4 Finance, Shenzhen, FEMALE; one 300 CNY order 30 days ago.
 */
export async function seedCustomers(s: TestServer, key?: string): Promise<Record<string, string>> {
  const field = await s.gql(`mutation { createCustomFieldDefinition(input: { key: "plan", label: "Plan", type: STRING }) { id } }`, {}, key);
  expect(field.errors).toBeUndefined();
  const up = await s.gql(
    `mutation($input: [UpsertCustomerInput!]!) { upsertCustomers(input: $input) { externalId outcome customer { id } errors { path message } } }`,
    {
      input: [
        { externalId: 'C1', name: 'Alice Retail', industry: 'Retail', city: 'Shanghai', gender: 'FEMALE', birthDate: '1990-01-01', companySize: 'SIZE_11_50', tags: ['vip'], owner: 'wang', customAttributes: { plan: 'gold' } },
        { externalId: 'C2', name: 'Bob Retail', industry: 'Retail', city: 'Beijing', gender: 'MALE', birthDate: '1960-05-05', owner: 'li' },
        { externalId: 'C3', name: 'Carol Finance', industry: 'Finance', city: 'Shanghai', tags: ['lead'], owner: 'wang', customAttributes: { plan: 'basic' } },
        { externalId: 'C4', name: 'Dan Finance', industry: 'Finance', city: 'Shenzhen', gender: 'FEMALE' },
      ],
    },
    key,
  );
  expect(up.errors).toBeUndefined();
  const ids: Record<string, string> = {};
  for (const r of up.data.upsertCustomers) ids[r.externalId] = r.customer.id;
  const imported = await s.gql(
    `mutation($input: [ImportOrderInput!]!) { importOrders(input: $input) { outcome errors { path message } } }`,
    {
      input: [
        { externalId: 'O1a', customerExternalId: 'C1', occurredAt: daysAgo(80), total: '500.00' },
        { externalId: 'O1b', customerExternalId: 'C1', occurredAt: daysAgo(40), total: '500.00' },
        { externalId: 'O1c', customerExternalId: 'C1', occurredAt: daysAgo(5), total: '500.00' },
        { externalId: 'O2a', customerExternalId: 'C2', occurredAt: daysAgo(400), total: '80.00' },
        { externalId: 'O4a', customerExternalId: 'C4', occurredAt: daysAgo(30), total: '300.00' },
      ],
    },
    key,
  );
  expect(imported.errors).toBeUndefined();
  expect(imported.data.importOrders.every((r: { outcome: string }) => r.outcome === 'CREATED')).toBe(true);
  const logged = await s.gql(
    `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { id } }`,
    { input: { customerId: ids.C3, type: 'CALL', channel: 'PHONE', occurredAt: daysAgo(3) } },
    key,
  );
  expect(logged.errors).toBeUndefined();
  return ids;
}

/** A GraphQL call that must succeed. */
export async function ok<T = any>(s: TestServer, query: string, variables: Record<string, unknown> = {}, key?: string): Promise<T> {
  const res = await s.gql(query, variables, key);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as T;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
