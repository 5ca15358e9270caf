import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientele, cliEnvironment, type CliEnv } from '../helpers/cli.js';
import { loadConfig } from '../../server/config.js';
import { startServer, type RunningServer } from '../../server/server.js';
import { onPostgres } from '../helpers/database.js';

describe('clientele metrics recompute', () => {
  let env: CliEnv;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ env, cleanup } = await cliEnvironment('metrics-cli'));
    await clientele(['seed', '--customers', '60', '--tenant', 'cli-metrics'], env);
  });
  afterAll(async () => cleanup?.());

  it('recomputes one tenant as of a past date and reports the models', async () => {
    const { stdout } = await clientele(['metrics', 'recompute', '--tenant', 'cli-metrics', '--as-of', '2025-12-31', '--no-progress'], env);
    expect(stdout).toMatch(/Recomputed metrics of 60 customers in tenant "cli-metrics" as of 2025-12-31T23:59:59\.999Z/);
    expect(stdout).toMatch(/BGNBD: (FITTED|INSUFFICIENT_DATA|DID_NOT_CONVERGE)/);
    expect(stdout).toMatch(/GAMMA_GAMMA: /);
  });

  it('explains a future or malformed --as-of and an unknown tenant in one line', async () => {
    const future = await clientele(['metrics', 'recompute', '--as-of', '2999-01-01'], env).catch((e) => e);
    expect(future.code).toBe(1);
    expect(future.stderr).toMatch(/--as-of: must not be in the future/);
    expect(future.stderr).not.toMatch(/\n\s+at /);
    const garbage = await clientele(['metrics', 'recompute', '--as-of', 'soon'], env).catch((e) => e);
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).toMatch(/must be a date like 2025-06-30/);
    const nobody = await clientele(['metrics', 'recompute', '--tenant', 'nope'], env).catch((e) => e);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/no tenant with slug "nope"/);
  });
});

/** `npm start` on a fresh clone: the demo's first start ends with a recompute. */
describe.skipIf(onPostgres)('first demo start', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clientele-metrics-demo-'));
  let running: RunningServer | undefined;
  afterAll(async () => {
    await running?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows customer metrics at once', async () => {
    const config = loadConfig({ CLIENTELE_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', CLIENTELE_DEMO_CUSTOMERS: '150' });
    running = await startServer(config, { quiet: true });
    const key = fs.readFileSync(path.join(dataDir, 'demo-admin-key'), 'utf8').trim();
    const res = await fetch(running.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({
        query: `{
          metricsJobs { status progress }
          analytics { valueModel { status } churnWatchlist(first: 3) { customer { name } valueAtRisk { amount currency } } }
          customers(first: 5, orderBy: [{ field: PREDICTED_CLV, direction: DESC }]) { nodes { metrics { predictedClv { amount currency } lifecycleStage } } }
        }`,
      }),
    });
    const { data, errors } = (await res.json()) as { data: any; errors?: unknown };
    expect(errors).toBeUndefined();
    expect(data.metricsJobs).toEqual([{ status: 'SUCCEEDED', progress: 1 }]);
    expect(data.analytics.valueModel.status).toBe('FITTED');
    expect(data.analytics.churnWatchlist).toHaveLength(3);
    for (const node of data.customers.nodes) expect(node.metrics.predictedClv.currency).toBe('CNY');
  });
});
