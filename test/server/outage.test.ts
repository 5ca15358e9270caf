import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { createOrm, migrate, sqlEm, type Orm } from '../../server/db/orm.js';
import { Role } from '../../server/auth/api-key.entity.js';
import { createApiKey } from '../../server/auth/keys.service.js';
import { createTenant } from '../../server/tenants/tenant.service.js';
import { freshDatabase, onPostgres } from '../helpers/database.js';

/** A TCP relay to PostgreSQL we can cut and restore, standing in for the database going away. */
class Relay {
  private server: net.Server | null = null;
  private sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async start(port = 0): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

describe.skipIf(!onPostgres)('when PostgreSQL goes away', () => {
  let relay: Relay;
  let orm: Orm;
  let app: App;
  let base: string;
  let key: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await freshDatabase();
    drop = db.drop;
    const direct = new URL(db.url!);
    relay = new Relay({ host: direct.hostname, port: Number(direct.port || 5432) });
    await relay.start();
    const viaRelay = new URL(db.url!);
    viaRelay.hostname = '127.0.0.1';
    viaRelay.port = String(relay.port);
    orm = await createOrm({ databaseUrl: viaRelay.toString(), connectTimeoutMs: 1000 });
    await migrate(orm);
    const tenant = await createTenant(sqlEm(orm), { slug: 'outage', name: 'Outage' });
    key = (await createApiKey(sqlEm(orm), tenant.id, Role.ADMIN, 'k')).key;
    app = await createApp({ ...loadConfig({}), seedDemo: false }, orm, { log: () => {} });
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await orm?.close().catch(() => {});
    await drop?.();
  });

  const ask = async () => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: '{ customers(first: 1) { totalCount } }' }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('answers UNAVAILABLE quickly, stays up, reports not-ready, and recovers by itself', async () => {
    expect((await ask()).body.data.customers.totalCount).toBe(0);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);

    await relay.cut();
    const started = Date.now();
    const down = await ask();
    expect(Date.now() - started).toBeLessThan(10_000); // bounded by the 1 s connect timeout, not a hang
    expect(down.body.errors[0].extensions.code).toBe('UNAVAILABLE');
    expect(JSON.stringify(down.body)).not.toMatch(/ECONN|at .*\.js|select /i);
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/health/ready`)).status).toBe(503);

    await relay.start(relay.port);
    let recovered = null;
    for (let i = 0; i < 20 && !recovered; i++) {
      const r = await ask();
      if (r.body.data?.customers) recovered = r;
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(recovered?.body.data.customers.totalCount).toBe(0);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });
});

describe('health endpoints', () => {
  let orm: Orm;
  let app: App;
  let base: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const db = await freshDatabase();
    drop = db.drop;
    orm = await createOrm(db.target);
    app = await createApp({ ...loadConfig({}), seedDemo: false }, orm, { log: () => {} });
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await orm?.close();
    await drop?.();
  });

  it('say live at once, and ready only once migrations are applied', async () => {
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const before = await fetch(`${base}/health/ready`);
    expect(before.status).toBe(503);
    expect(((await before.json()) as { reason: string }).reason).toMatch(/migrations pending/);
    await migrate(orm);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });
});
