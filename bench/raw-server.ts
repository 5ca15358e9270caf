/**
 * The practical upper bound for the load benchmark (issue 7): a minimal node:http handler that
 * answers the customer list page, the customer card and the HIGH-churn list with ONE SQL statement
 * each through `pg`, building the whole GraphQL-shaped response body in PostgreSQL (json_agg) and
 * sending its text untouched. It checks the API key inside that same statement (same key format
 * and SHA-256 hash as server/auth/keys.service.ts), so it pays for authentication too.
 *
 * It does not parse GraphQL: it routes on `operationName` (List, Card, HighRisk) of the body the
 * benchmark sends to Clientele, and reads `variables.id` for the card.
 *
 *   node --import tsx bench/raw-server.ts   (env: DATABASE_URL, PORT, DB_POOL_MAX=10)
 *
 * Prints `listening <port>` on stdout once ready. Started by bench/load.ts.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

const KEY_PATTERN = /^sk_([0-9a-f]{32})_[A-Za-z0-9_-]{43}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const money = (column: string, currency = 'm.currency') =>
  `case when ${column} is null then null else json_build_object('amount', ${column}::text, 'currency', ${currency}) end`;

/** The fields of a customer on the list page: profile, headline metrics, last 3 interactions. */
const LIST_NODE = `json_build_object(
  'id', c.id, 'name', c.name, 'kind', c.kind, 'email', c.email, 'phone', c.phone, 'company', c.company,
  'country', c.country, 'owner', c.owner, 'tags', c.tags, 'createdAt', c.created_at,
  'metrics', case when m.customer_id is null then null else json_build_object(
    'lifecycleStage', m.lifecycle_stage, 'valueTier', m.value_tier, 'orderCount', m.order_count,
    'lastPurchaseAt', m.last_order_at, 'pAlive', m.p_alive, 'healthScore', m.health_score,
    'historicValue', ${money('m.total_spend')}, 'predictedClv', ${money('m.predicted_clv')},
    'churnRisk', case when m.churn_level is null then null else json_build_object('level', m.churn_level, 'score', m.churn_score) end) end,
  'interactions', json_build_object('nodes', (
    select coalesce(json_agg(json_build_object('id', i.id, 'type', i.type, 'channel', i.channel, 'direction', i.direction,
             'occurredAt', i.occurred_at, 'subject', i.subject, 'agent', i.agent) order by i.occurred_at desc, i.id desc), '[]')
      from (select * from interaction i where i.tenant_id = c.tenant_id and i.customer_id = c.id
             order by i.occurred_at desc, i.id desc limit 3) i)))`;

const AUTH = `k as (select 1 from api_key where tenant_id = $1 and key_hash = $2 and revoked_at is null)`;

const LISTED = 'c.tenant_id = $1 and c.archived_at is null and c.merged_into_id is null and exists (select 1 from k)';

/** The list page's 51 rows (one more than shown, for hasNextPage), newest first. */
const LIST_PAGE = `select c.*, m.predicted_clv as sort_clv from customer c
    left join customer_metrics m on m.tenant_id = c.tenant_id and m.customer_id = c.id
   where ${LISTED} order by c.created_at desc, c.id desc limit 51`;

/**
 * HIGH churn risk by predicted CLV, NULLs last (Clientele's order). The index on
 * `customer_metrics (tenant_id, churn_level, predicted_clv desc, customer_id desc)` holds NULLs
 * first, so `predicted_clv desc nulls last` in one ORDER BY sorts every HIGH customer of the tenant
 * (18–21 ms of PostgreSQL CPU a page at 1M). Read as two index-ordered halves, the rows with a
 * value and then those without, it walks 51 index entries, as Clientele's statement does.
 */
const highRiskHalf = (half: 0 | 1, clv: 'is not null' | 'is null') => `(select c.*, m.predicted_clv as sort_clv, ${half} as half
    from customer_metrics m join customer c on c.tenant_id = m.tenant_id and c.id = m.customer_id
   where m.tenant_id = $1 and m.churn_level = 'HIGH' and m.predicted_clv ${clv} and ${LISTED}
   order by m.predicted_clv desc, m.customer_id desc limit 51)`;
const HIGH_RISK_PAGE = `select * from (${highRiskHalf(0, 'is not null')} union all ${highRiskHalf(1, 'is null')}) halves
  order by half, sort_clv desc, id desc limit 51`;

function listSql(page: string, pageOrderBy: string): string {
  return `with ${AUTH},
    page as (${page}),
    numbered as (select page.*, row_number() over (order by ${pageOrderBy}) as rn from page)
  select (select count(*) from k)::int as ok, json_build_object('data', json_build_object('customers', json_build_object(
    'nodes', coalesce((select json_agg(${LIST_NODE} order by c.rn) from numbered c
                         left join customer_metrics m on m.tenant_id = c.tenant_id and m.customer_id = c.id where c.rn <= 50), '[]'),
    'pageInfo', json_build_object('hasNextPage', (select count(*) > 50 from page)))))::text as body`;
}

const SQL = {
  List: listSql(LIST_PAGE, 'created_at desc, id desc'),
  HighRisk: listSql(HIGH_RISK_PAGE, 'sort_clv desc nulls last, id desc'),
  Card: `with ${AUTH}
    select (select count(*) from k)::int as ok, json_build_object('data', json_build_object('customer', (
      select json_build_object(
        'id', c.id, 'name', c.name, 'kind', c.kind, 'email', c.email, 'phone', c.phone, 'company', c.company, 'title', c.title,
        'country', c.country, 'city', c.city, 'owner', c.owner, 'tags', c.tags, 'customAttributes', c.custom_attributes,
        'marketingConsent', c.marketing_consent, 'createdAt', c.created_at, 'version', c.version,
        'metrics', case when m.customer_id is null then null else json_build_object(
          'asOf', m.as_of, 'lifecycleStage', m.lifecycle_stage, 'valueTier', m.value_tier, 'orderCount', m.order_count,
          'frequency', m.purchase_days, 'recencyDays', m.recency_days, 'firstPurchaseAt', m.first_order_at, 'lastPurchaseAt', m.last_order_at,
          'pAlive', m.p_alive, 'healthScore', m.health_score, 'purchaseCycleDays', m.purchase_cycle_days,
          'historicValue', ${money('m.total_spend')}, 'predictedClv', ${money('m.predicted_clv')}, 'valueAtRisk', ${money('m.value_at_risk')},
          'rfm', case when m.rfm_code is null then null else json_build_object('code', m.rfm_code, 'segment', m.rfm_segment) end,
          'churnRisk', case when m.churn_level is null then null else json_build_object('level', m.churn_level, 'score', m.churn_score, 'reasons', m.churn_reasons) end) end,
        'interactions', json_build_object('nodes', (
          select coalesce(json_agg(json_build_object('id', i.id, 'type', i.type, 'channel', i.channel, 'direction', i.direction,
                   'occurredAt', i.occurred_at, 'subject', i.subject, 'agent', i.agent) order by i.occurred_at desc, i.id desc), '[]')
            from (select * from interaction i where i.tenant_id = c.tenant_id and i.customer_id = c.id
                   order by i.occurred_at desc, i.id desc limit 5) i)),
        'orders', json_build_object('nodes', (
          select coalesce(json_agg(json_build_object('id', o.id, 'occurredAt', o.occurred_at, 'status', o.status,
                   'total', json_build_object('amount', o.total_amount::text, 'currency', o.currency)) order by o.occurred_at desc, o.id desc), '[]')
            from (select * from customer_order o where o.tenant_id = c.tenant_id and o.customer_id = c.id
                   order by o.occurred_at desc, o.id desc limit 5) o)))
        from customer c left join customer_metrics m on m.tenant_id = c.tenant_id and m.customer_id = c.id
       where c.tenant_id = $1 and c.id = $3 and exists (select 1 from k))))::text as body`,
} as const;

type Operation = keyof typeof SQL;

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX ?? 10) });

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const error = (message: string, code: string) => JSON.stringify({ errors: [{ message, extensions: { code } }] });

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== 'POST' || req.url !== '/graphql') return send(res, 404, error('not found', 'NOT_FOUND'));
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let body: { operationName?: string; variables?: Record<string, unknown> };
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return send(res, 400, error('The request body is not valid JSON', 'BAD_REQUEST'));
  }
  const operation = body.operationName as Operation;
  if (!Object.hasOwn(SQL, operation)) return send(res, 400, error(`unknown operation ${operation}`, 'BAD_REQUEST'));
  const key = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
  const match = KEY_PATTERN.exec(key);
  if (!match) return send(res, 401, error('Send a secret key as Authorization: Bearer <key>', 'UNAUTHENTICATED'));
  const hex = match[1];
  const tenantId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const params: unknown[] = [tenantId, createHash('sha256').update(key).digest('hex')];
  if (operation === 'Card') {
    const id = String(body.variables?.id ?? '');
    if (!UUID.test(id)) return send(res, 200, error('id is not a valid id', 'BAD_USER_INPUT'));
    params.push(id);
  }
  const { rows } = await pool.query<{ ok: number; body: string }>(SQL[operation], params);
  if (!rows[0]?.ok) return send(res, 401, error('The key is not valid or was revoked', 'UNAUTHENTICATED'));
  send(res, 200, rows[0].body);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((e: unknown) => {
    console.error(e);
    if (!res.headersSent) send(res, 500, error('Internal server error', 'INTERNAL_SERVER_ERROR'));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void pool.end().finally(() => process.exit(0));
  });
}
