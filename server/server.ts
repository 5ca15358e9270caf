import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createApp, type App } from './app.js';
import type { Config } from './config.js';
import { createOrm, migrate, sqlEm, targetFromConfig, type Orm } from './db/orm.js';
import { seedDemoIfEmpty } from './db/seed/demo.js';
import { backgroundJobsSettled } from './metrics/jobs.service.js';
import { loadWidgetTokenSecret } from './auth/widget-tokens.service.js';
import { ensureDemoWidgets } from './widgets/demo.js';

export interface RunningServer {
  app: App;
  orm: Orm;
  url: string;
  stop(): Promise<void>;
}

/** config -> database (migrated) -> demo data on first start -> HTTP. */
export async function startServer(config: Config, opts: { quiet?: boolean } = {}): Promise<RunningServer> {
  const say = opts.quiet ? () => {} : (msg: string) => console.log(msg);
  const orm = await createOrm(targetFromConfig(config));
  const applied = await migrate(orm);
  if (applied.length) say(`Applied migrations: ${applied.join(', ')}`);
  if (config.seedDemo) {
    const demo = await seedDemoIfEmpty(sqlEm(orm), orm, config, say);
    if (demo) {
      const keyFile = path.join(config.dataDir, 'demo-admin-key');
      fs.mkdirSync(config.dataDir, { recursive: true });
      fs.writeFileSync(keyFile, `${demo.adminKey}\n`, { mode: 0o600 });
      fs.chmodSync(keyFile, 0o600);
      say(`Demo tenant "${demo.slug}" seeded with ${demo.customers} customers; ADMIN key written to ${keyFile}`);
    }
  }
  // Widget tokens must survive a restart: a configured secret, else one kept in the data directory.
  const widgetTokenSecret = loadWidgetTokenSecret(config.widgetTokenSecret, config.dataDir);
  const app = await createApp({ ...config, widgetTokenSecret }, orm);
  await new Promise<void>((resolve) => app.server.listen(config.port, config.host, resolve));
  const port = (app.server.address() as AddressInfo).port;
  const url = `http://localhost:${port}/graphql`;
  say(`Clientele GraphQL API: ${url}`);
  if (config.seedDemo) {
    // After listen: the demo's publishable key must name this port's origins.
    app.demo.current = await ensureDemoWidgets(sqlEm(orm), config, port);
    if (app.demo.current) say(`Widgets demo: http://localhost:${port}/`);
    else {
      app.demo.unavailable = 'unavailable: this database has no demo tenant (or its ADMIN key file is gone)';
      say(`Widgets demo ${app.demo.unavailable}`);
    }
  }
  say(`Database: ${config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${path.join(config.dataDir, 'pglite')}`}`);
  const keyFile = path.join(config.dataDir, 'demo-admin-key');
  if (fs.existsSync(keyFile)) say(`Demo ADMIN key (${keyFile}): ${fs.readFileSync(keyFile, 'utf8').trim()}`);
  return {
    app,
    orm,
    url,
    async stop() {
      await app.close();
      // Let a running recompute finish its write rather than leave a stuck job behind.
      await backgroundJobsSettled();
      await orm.close();
    },
  };
}
