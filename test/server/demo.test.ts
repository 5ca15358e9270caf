import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { startServer, type RunningServer } from '../../server/server.js';
import { onPostgres } from '../helpers/database.js';

/** What `npm start` does on a fresh clone: embedded PGlite, demo data, a key file. */
describe.skipIf(onPostgres)('first start on embedded PGlite', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clientele-demo-'));
  const config = { ...loadConfig({ CLIENTELE_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' }) };
  let running: RunningServer | undefined;
  afterAll(async () => {
    await running?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const gql = async (url: string, key: string, query: string) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query }) });
    return ((await res.json()) as { data: any }).data;
  };

  it('seeds a demo tenant, writes a private ADMIN key, and keeps the data across restarts without reseeding', async () => {
    running = await startServer(config, { quiet: true });
    const keyFile = path.join(dataDir, 'demo-admin-key');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = fs.readFileSync(keyFile, 'utf8').trim();
    expect(key).toMatch(/^sk_/);

    const data = await gql(running.url, key, `{
      viewer { role }
      persons: customers(filter: { kind: { eq: PERSON } }) { totalCount }
      orgs: customers(filter: { kind: { eq: ORGANIZATION } }) { totalCount }
      chinese: customers(filter: { search: "王" }) { totalCount }
      english: customers(filter: { country: { in: ["US", "GB", "AU", "CA", "SG"] } }) { totalCount }
      orders(first: 1) { totalCount }
      interactions(first: 1) { totalCount }
      recent: orders(first: 1, filter: { occurredAt: { lt: "${new Date(Date.now() - 700 * 86400_000).toISOString()}" } }) { totalCount }
    }`);
    expect(data.viewer.role).toBe('ADMIN');
    expect(data.persons.totalCount + data.orgs.totalCount).toBeGreaterThanOrEqual(2000);
    expect(data.orgs.totalCount).toBeGreaterThan(300);
    expect(data.chinese.totalCount).toBeGreaterThan(20);
    expect(data.english.totalCount).toBeGreaterThan(300);
    expect(data.orders.totalCount).toBeGreaterThan(5000);
    expect(data.interactions.totalCount).toBeGreaterThan(5000);
    expect(data.recent.totalCount).toBeGreaterThan(0); // two years of history

    await running.stop();
    running = await startServer(config, { quiet: true });
    expect(fs.readFileSync(keyFile, 'utf8').trim()).toBe(key);
    const after = await gql(running.url, key, '{ customers { totalCount } orders(first: 1) { totalCount } }');
    expect(after.customers.totalCount).toBe(data.persons.totalCount + data.orgs.totalCount);
    expect(after.orders.totalCount).toBe(data.orders.totalCount);
  });
});
