import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'clientele-widgets-'));
let built: TestServer;
let unbuilt: TestServer;

beforeAll(async () => {
  fs.mkdirSync(path.join(dist, 'esm'));
  fs.writeFileSync(path.join(dist, 'crm-widgets.js'), 'console.log("all widgets");\n');
  fs.writeFileSync(path.join(dist, 'esm', 'crm-churn-badge.js'), 'export {};\n');
  fs.writeFileSync(path.join(dist, 'esm', 'lit-B3xK9q_Z.js'), 'export {};\n');
  fs.writeFileSync(path.join(dist, 'custom-elements.json'), '{"schemaVersion":"1.0.0","modules":[]}');
  built = await startTestServer({ config: { widgetsDir: dist } });
  unbuilt = await startTestServer({ config: { widgetsDir: path.join(dist, 'missing') } });
});
afterAll(async () => {
  await built?.close();
  await unbuilt?.close();
  fs.rmSync(dist, { recursive: true, force: true });
});

const base = (s: TestServer) => s.url.replace(/\/graphql$/, '');

describe('GET /widgets/*', () => {
  it('serves the all-in-one script with cache, CORS and cross-origin resource headers', async () => {
    const res = await fetch(`${base(built)}/widgets/crm-widgets.js`, { headers: { origin: 'https://any-host.example' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('console.log("all widgets");\n');
    expect(res.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves per-element ESM files; hashed chunks are cached for a year', async () => {
    const element = await fetch(`${base(built)}/widgets/esm/crm-churn-badge.js`);
    expect(element.status).toBe(200);
    expect(element.headers.get('cache-control')).toBe('public, max-age=300');
    const chunk = await fetch(`${base(built)}/widgets/esm/lit-B3xK9q_Z.js`);
    expect(chunk.status).toBe(200);
    expect(chunk.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const manifest = await fetch(`${base(built)}/widgets/custom-elements.json`);
    expect(await manifest.json()).toEqual({ schemaVersion: '1.0.0', modules: [] });
  });

  it('answers 404 for a file that is not there, and never lists or escapes the directory', async () => {
    for (const p of ['/widgets/nope.js', '/widgets/', '/widgets/..%2f..%2fpackage.json', '/widgets/esm/']) {
      const res = await fetch(`${base(built)}${p}`);
      expect(res.status, p).toBe(404);
      expect(await res.text()).not.toContain('"name"');
    }
  });

  it('without a build answers 404 with a hint how to build', async () => {
    const res = await fetch(`${base(unbuilt)}/widgets/crm-widgets.js`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('widgets not built: run npm run build:widgets\n');
  });
});

describe('GET / without the demo', () => {
  it('points to /graphql', async () => {
    const res = await fetch(`${base(built)}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ graphql: '/graphql' });
  });
});
