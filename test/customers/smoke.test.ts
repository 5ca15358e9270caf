import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.close());

describe('createCustomer', () => {
  it('creates a customer and reads it back', async () => {
    const created = await s.gql(`mutation { createCustomer(input: { name: "张伟", email: "ZW@Example.com", phone: "138 0013 8000" }) { id name email phone version } }`);
    expect(created.errors).toBeUndefined();
    expect(created.data.createCustomer).toMatchObject({ name: '张伟', email: 'zw@example.com', phone: '+8613800138000', version: 1 });
    const read = await s.gql(`query($id: ID!) { customer(id: $id) { name } }`, { id: created.data.createCustomer.id });
    expect(read.data.customer.name).toBe('张伟');
  });
});
