import { createRequire } from 'node:module';
import net from 'node:net';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumArgs, chromiumPath } from './test/widgets/setup/chromium.js';
import * as widgetCommands from './test/widgets/setup/commands.js';

const require = createRequire(import.meta.url);

// type-graphql loads graphql's CommonJS build; our code must share that one copy, or
// `instanceof GraphQLScalarType` fails across the two (the dual-package hazard).
const graphqlAlias = [{ find: /^graphql$/, replacement: require.resolve('graphql/index.js') }];

/** A free port for the browser-mode page, so its origin is known before Chromium opens it (the publishable key lists it). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const browserPort = Number(process.env.WIDGETS_BROWSER_PORT) || (await freePort());
process.env.WIDGETS_BROWSER_PORT = String(browserPort);

export default defineConfig({
  resolve: { alias: graphqlAlias },
  test: {
    maxWorkers: 2,
    // Generous: CLI tests spawn Node processes, which take far longer on a loaded 2-core machine.
    testTimeout: 150_000,
    hookTimeout: 180_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'server',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/widgets/**'],
          environment: 'node',
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'widgets',
          include: ['test/widgets/**/*.test.ts'],
          globalSetup: ['test/widgets/setup/global-setup.ts'],
          testTimeout: 30_000,
          // On CI a failed browser test runs once more. One CI run (session 17) saw the card's
          // error-and-Retry test wait out its 30 s; it passed in every run before and after, alone
          // and beside the server tests, and its cause was not found. The retry shows in the report.
          retry: process.env.CI ? 1 : 0,
          // The browser page's server; its origin is put on the test publishable key.
          api: { host: '127.0.0.1', port: browserPort, strictPort: true },
          browser: {
            enabled: true,
            headless: true,
            // actionTimeout: a userEvent action that cannot complete (its element gone, covered) fails
            // in 10 s with Playwright's reason, instead of waiting out the test's 30 s unexplained.
            provider: playwright({ launchOptions: { executablePath: chromiumPath, args: chromiumArgs }, actionTimeout: 10_000 }),
            instances: [{ browser: 'chromium' }],
            // Every export of commands.ts is a browser command (typed for tests in browser-commands.d.ts).
            commands: { ...widgetCommands },
            screenshotFailures: false,
          },
        },
      },
    ],
  },
});
