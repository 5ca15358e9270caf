import { it } from 'vitest';
import { startTestServer } from '../helpers/server.js';
it('t', async () => { const s = await startTestServer();
  const CREATE = `mutation($input: CreateCustomerInput!, $key: String) { createCustomer(input: $input, idempotencyKey: $key) { id } }`;
  for (const r of [
    await s.gql(CREATE, { input: { name: 'x', kind: 'ALIEN' } }),
    await s.gql(`mutation { createCustomer(input: { name: "Alien literal", kind: ALIEN }) { id } }`),
    await s.gql(`mutation { createCustomer(input: { name: "Alien literal", kind: "PERSON" }) { id } }`),
    await s.gql(CREATE, { input: { email: 'x@y.com' } }),
    await s.gql(`mutation { createCustomer(input: { email: "x@y.com" }) { id } }`),
    await s.gql(`{ customers(first: "x") { totalCount } }`),
    await s.gql(`query($f: Int) { customers(first: $f) { totalCount } }`, { f: 'abc' }),
    await s.gql(`{ customers(filter: { kind: { eq: ALIEN } }) { totalCount } }`),
    await s.gql(`{ customers(filter: { nope: 1 }) { totalCount } }`),
  ]) console.log(r.status, JSON.stringify(r.errors));
  await s.close(); });
