import { loadConfig } from './config.js';
import { startServer } from './server.js';

const config = loadConfig();
const running = await startServer(config);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, shutting down…`);
    await running.stop();
    process.exit(0);
  });
}
