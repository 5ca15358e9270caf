import type { TestProject } from 'vitest/node';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { seedWidgets } from './seed.js';

let server: TestServer | undefined;

/**
 * Starts one real Clientele server (PGlite, or PostgreSQL when DATABASE_URL is set) for all widget
 * tests, seeds it and provides what the tests need as `inject('widgets')`.
 */
export default async function setup(project: TestProject) {
  const port = project.config.api?.port ?? Number(process.env.WIDGETS_BROWSER_PORT);
  const pageOrigin = `http://127.0.0.1:${port}`;
  server = await startTestServer();
  let seed;
  try {
    seed = await seedWidgets(server, [pageOrigin, `http://localhost:${port}`]);
  } catch (error) {
    await server.close();
    throw error;
  }
  project.provide('widgets', { ...seed, pageOrigin });
  return async () => {
    await server?.close();
  };
}
