/**
 * PostGraphile v5 peer for the load benchmark (issue 7): the GraphQL API PostGraphile generates
 * straight from the same PostgreSQL tables, with its recommended preset
 * (`postgraphile/presets/amber`), served by grafserv on node:http.
 *
 * It connects as a READ-ONLY role that bench/load.ts creates (SELECT on the tables, nothing
 * else), so whatever the generated schema offers, only reads succeed. The benchmark sends it the
 * same list and card requests written in PostGraphile's dialect (bench/peers/queries.ts).
 *
 *   node --import tsx bench/peers/postgraphile-server.ts   (env: DATABASE_URL of the read-only role, PORT, DB_POOL_MAX=10)
 *
 * Prints `listening <port>` on stdout once ready. Started by bench/load.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX ?? 10) });
pool.on('error', () => {});

const preset: GraphileConfig.Preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ pool, schemas: ['public'] })],
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false, maxRequestLength: 1_000_000 },
  grafast: { explain: false },
  schema: { exportSchemaSDLPath: process.env.POSTGRAPHILE_SDL_PATH || undefined },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = http.createServer();
serv.addTo(server).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
server.keepAliveTimeout = 65_000;
await pgl.getSchema(); // build before listening, so the first request is not the one that pays for it
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void Promise.resolve(pgl.release()).finally(() => void pool.end().finally(() => process.exit(0)));
  });
}
