/**
 * Fast, set-based synthetic data for benchmarks: customers with heavy-tailed order histories (and
 * optionally interactions), generated inside PostgreSQL by `insert … select` over
 * `generate_series`, a chunk of customers per statement, on one or more connections.
 *
 * The data follow the models the product fits, with known parameters, so a recompute can be
 * checked against the truth as well as timed:
 *  - purchases follow BG/NBD (Fader, Hardie & Lee 2005): each customer buys as a Poisson process
 *    at a rate λ ~ Gamma(r, α) (α in days) from their first order on, and after every repeat
 *    order drops out for good with probability p ~ Beta(a, b) — the lapsing customers;
 *  - order values follow Gamma-Gamma: ν ~ Gamma(q, γ) per customer, each order ~ Gamma(p, ν),
 *    so spend is heavy-tailed across customers;
 *  - a share of customers never buy (prospects), and a share of orders get a CANCELLED or REFUNDED
 *    twin, which value metrics must ignore (the counted orders stay exactly BG/NBD);
 *  - interactions (optional) come at a Gamma-distributed rate per customer and thin out once a
 *    customer stops buying, which is what the churn warnings look for.
 *
 * Randomness is a hash of (customer index, order number, stream) — `hashint8extended` — not
 * `random()`, so the same seed gives the same rows whatever the chunking or the number of
 * connections, and a statement needs no state from the previous one. Gamma draws are a subscript
 * into a quantile table computed in TypeScript (PostgreSQL has no Gamma sampler).
 *
 * Ids are UUIDv7 like the application's, stamped with the row's own time (acquisition or
 * occurrence), so they are time-ordered as if each row had been recorded live.
 *
 * On empty tables the loader drops the target tables' indexes, primary and unique keys and foreign
 * keys, loads, and rebuilds them from the definitions it read (what pg_restore does): an index
 * built once by sorting is many times faster than 10 million random B-tree inserts. It then runs
 * VACUUM ANALYZE so the first benchmark read does not pay for hint bits and statistics.
 *
 * Reuse: `generateDataset` works on any migrated database and tenant. Further tables (survey
 * responses, feedback, cases) slot in as more statements per chunk, keyed the same way.
 */
import pg from 'pg';
import { gammaQuantileTable, QUANTILE_TABLE_SIZE } from './random.js';

export interface PurchaseModel {
  /** Shape of the purchase-rate Gamma. */
  r: number;
  /** Rate of the purchase-rate Gamma, in days (mean rate while alive = r / α per day). */
  alpha: number;
  /** Dropout Beta shapes. */
  a: number;
  b: number;
}

export interface SpendModel {
  /** Shape of each order value's Gamma. */
  p: number;
  /** Shape of the across-customer Gamma of ν. */
  q: number;
  /** Scale of spend, in currency units (mean order value p·γ / (q − 1)). */
  gamma: number;
}

export interface DatasetModel {
  purchase: PurchaseModel;
  spend: SpendModel;
  /** Customers are acquired uniformly over this many days before `asOf`. */
  historyDays: number;
  /** Share of customers with no orders at all. */
  prospectShare: number;
  /** Share of counted orders that also get a CANCELLED / REFUNDED twin (not counted). */
  cancelledShare: number;
  /** Cap on counted orders per customer (must stay below 1024). */
  maxOrdersPerCustomer: number;
  organizationShare: number;
  /** Mean interactions per customer over half the history (0 = none). */
  interactionsPerCustomer: number;
  /** Shape of the per-customer interaction-rate Gamma (smaller = more heavy-tailed). */
  interactionShape: number;
  /** Share of interactions kept after a lapsed customer's last order + 30 days. */
  lapsedInteractionShare: number;
  /** Cap on interactions per customer (must stay below 1024). */
  maxInteractionsPerCustomer: number;
}

/**
 * About 10 counted orders per buying customer (median 5, p99 ≈ 80, max ≈ 400), 12% one-time
 * buyers, 5% prospects, mean order value ≈ $69 with a heavy right tail. Purchase parameters are in days.
 */
export const DEFAULT_MODEL: DatasetModel = {
  purchase: { r: 0.7, alpha: 15, a: 0.9, b: 8 },
  spend: { p: 6.25, q: 3.74, gamma: 30 },
  historyDays: 1095,
  prospectShare: 0.05,
  cancelledShare: 0.03,
  maxOrdersPerCustomer: 1000,
  organizationShare: 0.15,
  interactionsPerCustomer: 0,
  interactionShape: 0.8,
  lapsedInteractionShare: 0.2,
  maxInteractionsPerCustomer: 300,
};

export type GenerateTable = 'customer' | 'customer_order' | 'interaction';

export interface GenerateProgress {
  phase: 'load' | 'indexes' | 'vacuum';
  /** Customers (load) or statements (indexes, vacuum) done, of `total`. */
  done: number;
  total: number;
  orders: number;
  interactions: number;
  detail?: string;
}

export interface GenerateOptions {
  databaseUrl: string;
  tenantId: string;
  customers: number;
  /** End of the history: no row is later than this. Default: today 00:00 UTC. */
  asOf?: Date;
  seed?: number;
  model?: Partial<Omit<DatasetModel, 'purchase' | 'spend'>> & { purchase?: Partial<PurchaseModel>; spend?: Partial<SpendModel> };
  /** Index of the first customer (default 1): call again with `firstIndex` past the last to append. */
  firstIndex?: number;
  /** Customers per statement (default 25,000). */
  chunkSize?: number;
  /** Connections loading in parallel (default 1). */
  jobs?: number;
  /** Store a one-line `line_items` array on every order (default true, as real orders have). */
  lineItems?: boolean;
  currency?: string;
  /**
   * Drop and rebuild keys and indexes around the load: 'auto' (default) does so only when every
   * target table is empty, so it never touches a database that holds other data.
   */
  rebuildIndexes?: 'auto' | boolean;
  /** VACUUM ANALYZE the tables afterwards (default true). */
  vacuum?: boolean;
  onProgress?: (progress: GenerateProgress) => void;
}

export interface GenerateReport {
  customers: number;
  /** Every order row, cancelled twins included. */
  orders: number;
  /** Orders that count towards value metrics. */
  countedOrders: number;
  interactions: number;
  asOf: string;
  seed: number;
  model: DatasetModel;
  rebuiltIndexes: boolean;
  timings: { loadMs: number; indexesMs: number; vacuumMs: number; totalMs: number };
  /** Time to re-create each key, index and foreign key, ms (slowest first). */
  indexTimings: { name: string; kind: string; ms: number }[];
  /** Table + index bytes per table after the load. */
  tableBytes: Record<string, number>;
}

const DAY_MS = 86_400_000;
const CHANNELS = ['WEB', 'WEB', 'WEB', 'MOBILE_APP', 'MOBILE_APP', 'IN_PERSON', 'PHONE', 'WECHAT', 'PARTNER', 'SOCIAL'];
const CATEGORIES = ['Audio', 'Books', 'Home', 'Apparel', 'Services', 'Garden', 'Toys', 'Grocery'];
const COUNTRIES = ['US', 'US', 'US', 'CN', 'CN', 'GB', 'DE', 'FR', 'CA', 'AU', 'SG', 'JP'];
const OWNERS = ['Li Na', 'Zhang Wei', 'Olivia Chen', 'Marcus Lee', 'Sara Wang', 'Tom Becker'];
const INTERACTION_TYPES = ['CALL', 'EMAIL', 'EMAIL', 'MEETING', 'VISIT', 'CHAT', 'MESSAGE', 'NOTE'];
const INTERACTION_CHANNEL: Record<string, string> = {
  CALL: 'PHONE', EMAIL: 'EMAIL', MEETING: 'IN_PERSON', VISIT: 'IN_PERSON', CHAT: 'CHAT', MESSAGE: 'WECHAT', NOTE: 'OTHER',
};

/** Random streams: each use of randomness hashes its key with its own stream number. */
const S = {
  rate: 1, dropA: 2, dropB: 3, spendNu: 4, acquired: 5, prospect: 6, org: 7, country: 8, channel: 9, owner: 10, consent: 11,
  customerIdHi: 12, customerIdLo: 13,
  gap: 20, dropout: 21, twin: 22, qty: 23, value: 24, category: 25, sku: 26, orderChannel: 27, refund: 28,
  orderIdHi: 29, orderIdLo: 30,
  iRate: 40, iGap: 41, iKeep: 42, iType: 43, iDir: 44, iDuration: 45, iAgent: 46, iIdHi: 47, iIdLo: 48,
} as const;

export function resolveModel(model: GenerateOptions['model'] = {}): DatasetModel {
  const resolved: DatasetModel = {
    ...DEFAULT_MODEL,
    ...model,
    purchase: { ...DEFAULT_MODEL.purchase, ...model.purchase },
    spend: { ...DEFAULT_MODEL.spend, ...model.spend },
  };
  if (resolved.maxOrdersPerCustomer >= 1024 || resolved.maxInteractionsPerCustomer >= 1024) {
    throw new RangeError('maxOrdersPerCustomer and maxInteractionsPerCustomer must be below 1024');
  }
  return resolved;
}

/** SQL builders sharing one seed: uniforms, quantile lookups and UUIDv7s from hashes. */
class Sql {
  constructor(private readonly seed: number) {}

  /** Uniform (0, 1) from a bigint key and a stream: 53 bits of hashint8extended. */
  u(key: string, stream: number): string {
    return `((((hashint8extended((${key})::int8, ${this.seed * 256 + stream}) >> 11) & 9007199254740991)::float8 + 0.5) / 9007199254740992.0)`;
  }

  /** A draw from the quantile table passed as parameter `$param`. */
  q(param: number, key: string, stream: number): string {
    return `($${param}::float8[])[1 + floor(${this.u(key, stream)} * ${QUANTILE_TABLE_SIZE})::int]`;
  }

  /** An element of a constant text list. */
  pick(list: readonly string[], key: string, stream: number): string {
    return `(ARRAY[${list.map(literal).join(',')}])[1 + floor(${this.u(key, stream)} * ${list.length})::int]`;
  }

  /** UUIDv7 with the millisecond time `ms` (int8 expression) and hashed random bits. */
  uuid7(ms: string, key: string, hiStream: number, loStream: number): string {
    const h = (stream: number) => `hashint8extended((${key})::int8, ${this.seed * 256 + stream})`;
    const hi = `(((${ms}) << 16) | 28672 | (${h(hiStream)} & 4095))`; // 0x7000: version 7
    const lo = `((${h(loStream)} & 4611686018427387903) | (-9223372036854775807 - 1))`; // variant 10
    return `encode(int8send(${hi}) || int8send(${lo}), 'hex')::uuid`;
  }
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Parameter numbers of the quantile tables in every chunk statement. */
// The customer statement uses $1–$8, the order statement $1–$9, and $10 when there are interactions:
// PostgreSQL refuses parameters a statement does not use.
const P = { tenant: 1, lo: 2, hi: 3, asOf: 4, qRate: 5, qDropA: 6, qDropB: 7, qSpendQ: 8, qSpendP: 9, qInteraction: 10 } as const;

/** The per-customer latent values, shared by every statement of a chunk (CTE `c`). */
function customersCte(sql: Sql, m: DatasetModel): string {
  const g = 'g';
  return `c as (
    select g, lam, xa / (xa + xb) as p, nu, acquired_ms, (($${P.asOf}::int8 - acquired_ms) / ${DAY_MS}.0) as span,
           prospect, org, ${sql.uuid7('acquired_ms', g, S.customerIdHi, S.customerIdLo)} as cid
    from (
      select g,
        greatest(${sql.q(P.qRate, g, S.rate)}, 1e-12) / ${m.purchase.alpha} as lam,
        ${sql.q(P.qDropA, g, S.dropA)} as xa,
        ${sql.q(P.qDropB, g, S.dropB)} as xb,
        greatest(${sql.q(P.qSpendQ, g, S.spendNu)}, 1e-12) / ${m.spend.gamma} as nu,
        $${P.asOf}::int8 - 1 - floor(${sql.u(g, S.acquired)} * ${m.historyDays * DAY_MS})::int8 as acquired_ms,
        ${sql.u(g, S.prospect)} < ${m.prospectShare} as prospect,
        ${sql.u(g, S.org)} < ${m.organizationShare} as org
      from generate_series($${P.lo}::int8, $${P.hi}::int8) g
    ) latent
  )`;
}

function customerInsert(sql: Sql, m: DatasetModel): string {
  return `with ${customersCte(sql, m)}
  insert into customer (tenant_id, id, external_id, kind, name, email, country, acquisition_channel, owner,
                        marketing_consent, created_at, updated_at)
  select $${P.tenant}::uuid, cid, 'BC' || lpad(g::text, greatest(8, length(g::text)), '0'),
         case when org then 'ORGANIZATION' else 'PERSON' end,
         case when org then 'Bench Org ' || g || ' Ltd' else 'Bench Customer ' || g end,
         'customer' || g || '@bench.example',
         ${sql.pick(COUNTRIES, 'g', S.country)},
         ${sql.pick(CHANNELS, 'g', S.channel)},
         ${sql.pick(OWNERS, 'g', S.owner)},
         ${sql.u('g', S.consent)} < 0.6,
         to_timestamp(acquired_ms / 1000.0), to_timestamp(acquired_ms / 1000.0)
  from c`;
}

/** Orders (and, when enabled, interactions) of the chunk's customers, in one statement. */
function ordersInsert(sql: Sql, m: DatasetModel, options: { lineItems: boolean; currency: string }): string {
  const okey = '(o.g * 1024 + o.k)';
  const rowKey = '((x.g * 1024 + x.k) * 2 + x.twin)';
  // Built as text and cast once: about 40% cheaper than jsonb_build_object, the costliest column here.
  const lineItems = options.lineItems
    ? `('[{"sku": "SKU-' || (1000 + floor(${sql.u(rowKey, S.sku)} * 500)::int) || '", "name": null, "category": "' ||
         ${sql.pick(CATEGORIES, rowKey, S.category)} || '", "quantity": ' || qty || ', "unitPrice": "' || unit_price || '"}]')::jsonb`
    : `'[]'::jsonb`;
  const interactions = m.interactionsPerCustomer > 0;
  // Rate per day giving the requested mean over half the history.
  const interactionScale = m.interactionsPerCustomer / (m.historyDays / 2) / m.interactionShape;
  const ikey = '(i.g * 1024 + i.k)';
  const kkey = '(kept.g * 1024 + kept.k)';
  return `with recursive ${customersCte(sql, m)},
  o(g, k, t, lam, p, nu, acquired_ms, span, cid) as (
    select g, 0, 0::float8, lam, p, nu, acquired_ms, span, cid from c where not prospect
    union all
    select o.g, o.k + 1, n.t, o.lam, o.p, o.nu, o.acquired_ms, o.span, o.cid
    from o cross join lateral (select o.t - ln(${sql.u(okey, S.gap)}) / o.lam as t) n
    where n.t <= o.span and o.k < ${m.maxOrdersPerCustomer - 1}
      and (o.k = 0 or ${sql.u(okey, S.dropout)} >= o.p)
  ),
  x as (
    select o.g, o.k, 0 as twin, o.cid, o.nu, o.acquired_ms + floor(o.t * ${DAY_MS})::int8 as ms from o
    union all
    select o.g, o.k, 1, o.cid, o.nu, least($${P.asOf}::int8 - 1, o.acquired_ms + floor(o.t * ${DAY_MS})::int8 + 3600000)
    from o where ${sql.u(okey, S.twin)} < ${m.cancelledShare}
  ),
  priced as (
    select x.*, qty, round((${sql.q(P.qSpendP, rowKey, S.value)} / x.nu / qty)::numeric, 2) + 0.01 as unit_price
    from x cross join lateral (select 1 + floor(power(${sql.u(rowKey, S.qty)}, 3) * 4)::int as qty) q
  ),
  ins_orders as (
    insert into customer_order (tenant_id, id, customer_id, external_id, occurred_at, total_amount, currency, status,
                                channel, line_items, created_at)
    select $${P.tenant}::uuid, ${sql.uuid7('x.ms', rowKey, S.orderIdHi, S.orderIdLo)}, x.cid,
           'BO' || x.g || '-' || x.k || case when x.twin = 1 then 'C' else '' end,
           to_timestamp(x.ms / 1000.0), unit_price * qty, ${literal(options.currency)},
           case when x.twin = 1 then (case when ${sql.u(rowKey, S.refund)} < 0.3 then 'REFUNDED' else 'CANCELLED' end)
                when x.ms < $${P.asOf}::int8 - ${14 * DAY_MS} then 'FULFILLED' else 'PAID' end,
           ${sql.pick(CHANNELS, rowKey, S.orderChannel)}, ${lineItems}, to_timestamp(x.ms / 1000.0)
    from priced x
  )${interactions ? `,
  last_order as (select g, max(t) as last_t from o group by g),
  e as (
    select c.g, c.cid, c.acquired_ms, c.span,
           greatest(${sql.q(P.qInteraction, 'c.g', S.iRate)}, 1e-12) * ${interactionScale} as eta,
           -- lapsed: no order in the last 90 days; interactions thin out 30 days after the last order
           case when c.span - coalesce(l.last_t, 0) > 90 then coalesce(l.last_t, 0) + 30 else 'Infinity'::float8 end as fade_t
    from c left join last_order l using (g)
  ),
  i(g, k, t, eta, fade_t, acquired_ms, span, cid) as (
    select g, 0, -ln(${sql.u('g * 1024', S.iGap)}) / eta, eta, fade_t, acquired_ms, span, cid from e
    union all
    select i.g, i.k + 1, n.t, i.eta, i.fade_t, i.acquired_ms, i.span, i.cid
    from i cross join lateral (select i.t - ln(${sql.u(`${ikey} + 1`, S.iGap)}) / i.eta as t) n
    where n.t <= i.span and i.k < ${m.maxInteractionsPerCustomer - 1}
  ),
  kept as (
    select i.*, ${sql.pick(INTERACTION_TYPES, ikey, S.iType)} as type,
           i.acquired_ms + floor(i.t * ${DAY_MS})::int8 as ms
    from i
    where i.t <= i.span and (i.t <= i.fade_t or ${sql.u(ikey, S.iKeep)} < ${m.lapsedInteractionShare})
  ),
  ins_interactions as (
    insert into interaction (tenant_id, id, customer_id, type, channel, direction, subject, occurred_at,
                             duration_seconds, agent, created_at)
    select $${P.tenant}::uuid, ${sql.uuid7('ms', kkey, S.iIdHi, S.iIdLo)}, cid, type,
           case type ${Object.entries(INTERACTION_CHANNEL).map(([t, ch]) => `when ${literal(t)} then ${literal(ch)}`).join(' ')} end,
           case when ${sql.u(kkey, S.iDir)} < 0.5 then 'INBOUND' else 'OUTBOUND' end,
           'Account check-in', to_timestamp(ms / 1000.0),
           case when type = 'CALL' then 60 + floor(${sql.u(kkey, S.iDuration)} * 900)::int end,
           ${sql.pick(OWNERS, kkey, S.iAgent)}, to_timestamp(ms / 1000.0)
    from kept
  )` : ''}
  select (select count(*) from x)::int8 as orders,
         (select count(*) from x where twin = 0)::int8 as counted,
         ${interactions ? '(select count(*) from kept)::int8' : '0::int8'} as interactions`;
}

/** The two statements run per chunk, and their parameter count (for EXPLAIN and debugging). */
export function chunkStatements(
  model: DatasetModel,
  seed: number,
  options: { lineItems?: boolean; currency?: string } = {},
): { customers: string; orders: string; customerParams: number; orderParams: number } {
  const sql = new Sql(seed);
  return {
    customers: customerInsert(sql, model),
    orders: ordersInsert(sql, model, { lineItems: options.lineItems ?? true, currency: options.currency ?? 'USD' }),
    customerParams: P.qSpendQ,
    orderParams: model.interactionsPerCustomer > 0 ? P.qInteraction : P.qSpendP,
  };
}

/** Parameters $5… of the chunk statements: the Gamma quantile tables. */
export function quantileTables(model: DatasetModel, seed: number): number[][] {
  // Gamma(r), Gamma(a), Gamma(b), Gamma(q), Gamma(p), Gamma(interaction shape), in parameter order.
  const shapes = [model.purchase.r, model.purchase.a, model.purchase.b, model.spend.q, model.spend.p, model.interactionShape];
  return shapes.map((shape, i) => Array.from(gammaQuantileTable(shape, seed * 97 + i)));
}

interface SavedDefinition {
  table: string;
  name: string;
  /** Statement that re-creates it. */
  create: string;
  /** For a foreign key: created NOT VALID, then validated by this (several can validate at once). */
  validate?: string;
  drop: string;
  kind: 'key' | 'index' | 'foreign key';
}

/**
 * Keys, indexes and foreign keys on `tables` (and foreign keys elsewhere that point at them), in
 * the order they must be re-created: keys, then indexes, then foreign keys.
 */
async function readDefinitions(client: pg.ClientBase, tables: readonly string[]): Promise<SavedDefinition[]> {
  const { rows: constraints } = await client.query<{ table: string; name: string; type: string; def: string; partitioned: boolean }>(
    `select conrelid::regclass::text as table, conname as name, contype as type, pg_get_constraintdef(oid) as def,
            (select relkind = 'p' from pg_class where oid = conrelid) as partitioned
       from pg_constraint
      where contype in ('p', 'u', 'f')
        and (conrelid = any($1::regclass[]) or (contype = 'f' and confrelid = any($1::regclass[])))
        and conparentid = 0 -- a partition's copy of its parent's constraint goes and comes with the parent's
      order by contype desc, conrelid::regclass::text, conname`,
    [tables],
  );
  const { rows: indexes } = await client.query<{ table: string; name: string; def: string }>(
    `select i.indrelid::regclass::text as table, i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
       from pg_index i
      where i.indrelid = any($1::regclass[])
        and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid and k.contype in ('p', 'u', 'x'))
      order by 1, 2`,
    [tables],
  );
  const keys = constraints.filter((c) => c.type !== 'f');
  const foreign = constraints.filter((c) => c.type === 'f');
  // PostgreSQL 15 cannot add a foreign key NOT VALID to a partitioned table (customer_metrics): it
  // is added validated, which is instant on the table the generator leaves empty.
  const notValid = (c: { partitioned: boolean }, kind: SavedDefinition['kind']) => kind === 'foreign key' && !c.partitioned;
  const constraint = (c: { table: string; name: string; def: string; partitioned: boolean }, kind: SavedDefinition['kind']): SavedDefinition => ({
    table: c.table, name: c.name, kind,
    create: `alter table ${c.table} add constraint ${quoteIdent(c.name)} ${c.def}${notValid(c, kind) ? ' not valid' : ''}`,
    validate: notValid(c, kind) ? `alter table ${c.table} validate constraint ${quoteIdent(c.name)}` : undefined,
    drop: `alter table ${c.table} drop constraint ${quoteIdent(c.name)}`,
  });
  return [
    ...keys.map((c) => constraint(c, 'key')),
    ...indexes.map((i) => ({ table: i.table, name: i.name, kind: 'index' as const, create: i.def, drop: `drop index ${i.name}` })),
    ...foreign.map((c) => constraint(c, 'foreign key')),
  ];
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function sessionSetup(client: pg.ClientBase): Promise<void> {
  // Loader session only: the data are throwaway until the load finishes, so no commit waits for the WAL flush.
  await client.query(`set synchronous_commit = off; set jit = off; set work_mem = '128MB'; set maintenance_work_mem = '1GB'`);
  // No per-statement triggers while loading (the customer activity columns are filled in one pass
  // after the load, see ACTIVITY_BACKFILL). Needs a superuser, as the rest of the loader does.
  await client.query(`set session_replication_role = replica`);
}

/**
 * The customer activity columns (migration 000006: order count, last order, last interaction) for
 * the tenant's customers, in one grouped pass: what the triggers would have written row by row.
 */
const ACTIVITY_BACKFILL = `
  update customer c
     set order_count = coalesce(s.orders, 0), last_order_at = s.last_order_at, last_interaction_at = s.last_interaction_at
    from (select coalesce(o.customer_id, i.customer_id) as customer_id, o.orders, o.last_at as last_order_at, i.last_at as last_interaction_at
            from (select customer_id, count(*)::int as orders, max(occurred_at) as last_at from customer_order where tenant_id = $1 group by 1) o
            full join (select customer_id, max(occurred_at) as last_at from interaction where tenant_id = $1 group by 1) i on i.customer_id = o.customer_id) s
   where c.tenant_id = $1 and c.id = s.customer_id`;

/** Generate `customers` customers with their orders (and interactions) for a tenant. */
export async function generateDataset(options: GenerateOptions): Promise<GenerateReport> {
  const started = performance.now();
  const model = resolveModel(options.model);
  const seed = options.seed ?? 42;
  const asOf = options.asOf ?? new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
  const firstIndex = options.firstIndex ?? 1;
  const chunkSize = options.chunkSize ?? 25_000;
  const jobs = Math.max(1, options.jobs ?? 1);
  const tables: GenerateTable[] = ['customer', 'customer_order', ...(model.interactionsPerCustomer > 0 ? ['interaction' as const] : [])];
  const statements = chunkStatements(model, seed, options);
  const quantileParams = quantileTables(model, seed);

  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: jobs });
  /** A pooled connection with the loader's session settings (set again each time: cheap, and never concurrent with a query). */
  // A connection cut from outside (Ctrl-C drops the database WITH (FORCE)) fails its query; the
  // 'error' event that comes with it must not crash the process as well.
  pool.on('error', () => {});
  const connect = async (): Promise<pg.PoolClient> => {
    const client = await pool.connect();
    if (client.listenerCount('error') === 0) client.on('error', () => {});
    await sessionSetup(client);
    return client;
  };
  const progress: GenerateProgress = { phase: 'load', done: 0, total: options.customers, orders: 0, interactions: 0 };
  const report = (patch: Partial<GenerateProgress> = {}) => options.onProgress?.(Object.assign(progress, patch));
  let definitions: SavedDefinition[] = [];
  let rebuilt = false;
  let counted = 0;
  const timings = { loadMs: 0, indexesMs: 0, vacuumMs: 0, totalMs: 0 };
  const indexTimings: GenerateReport['indexTimings'] = [];
  try {
    const admin = await connect();
    try {
      const rebuild = options.rebuildIndexes ?? 'auto';
      let empty = true;
      for (const table of tables) {
        const { rows } = await admin.query(`select exists (select 1 from ${table}) as any`);
        if (rows[0].any) empty = false;
      }
      if (rebuild === true && !empty) throw new Error('rebuildIndexes: true needs empty tables');
      if (rebuild === true || (rebuild === 'auto' && empty)) {
        definitions = await readDefinitions(admin, tables);
        await admin.query('begin');
        for (const d of [...definitions].reverse()) await admin.query(d.drop);
        await admin.query('commit');
        rebuilt = true;
      }
    } finally {
      admin.release();
    }

    report();
    const loadStart = performance.now();
    const chunks: [number, number][] = [];
    for (let lo = firstIndex; lo < firstIndex + options.customers; lo += chunkSize) {
      chunks.push([lo, Math.min(lo + chunkSize, firstIndex + options.customers) - 1]);
    }
    let next = 0;
    let failed = false;
    const worker = async () => {
      const client = await connect();
      try {
        while (next < chunks.length) {
          const [lo, hi] = chunks[next++];
          if (failed) return;
          const params = [options.tenantId, lo, hi, asOf.getTime(), ...quantileParams];
          await client.query('begin');
          await client.query(statements.customers, params.slice(0, statements.customerParams));
          const { rows } = await client.query(statements.orders, params.slice(0, statements.orderParams));
          await client.query('commit');
          counted += Number(rows[0].counted);
          report({ done: progress.done + (hi - lo + 1), orders: progress.orders + Number(rows[0].orders), interactions: progress.interactions + Number(rows[0].interactions) });
        }
      } catch (error) {
        failed = true;
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    };
    await Promise.all(Array.from({ length: Math.min(jobs, chunks.length) }, worker));
    {
      const client = await connect();
      try {
        await client.query(ACTIVITY_BACKFILL, [options.tenantId]);
        // Before the indexes exist the rewrite is cheap, and the table keeps one version per row.
        if (rebuilt) await client.query('vacuum full customer');
      } finally {
        client.release();
      }
    }
    timings.loadMs = performance.now() - loadStart;

    const indexStart = performance.now();
    if (rebuilt) {
      report({ phase: 'indexes', done: 0, total: definitions.length });
      // Keys first (foreign keys need them), on `jobs` connections. Then every foreign key is added
      // NOT VALID (instant), and the other indexes and the validations share the `jobs` connections:
      // VALIDATE CONSTRAINT takes a weaker lock than ADD CONSTRAINT, so validations of foreign keys
      // pointing at the same table run side by side. The end state is the migrated schema exactly.
      const keys = definitions.filter((d) => d.kind === 'key');
      const foreign = definitions.filter((d) => d.kind === 'foreign key');
      const rest: { name: string; kind: string; sql: string }[] = [
        ...definitions.filter((d) => d.kind === 'index').map((d) => ({ name: d.name, kind: d.kind, sql: d.create })),
        ...foreign.filter((d) => d.validate).map((d) => ({ name: d.name, kind: 'validate foreign key', sql: d.validate! })),
      ];
      const runQueue = async (queue: { name: string; kind: string; sql: string }[], width: number, counts: boolean) => {
        let at = 0;
        const build = async () => {
          const client = await connect();
          try {
            while (at < queue.length) {
              const item = queue[at++];
              const start = performance.now();
              await client.query(item.sql);
              indexTimings.push({ name: item.name, kind: item.kind, ms: Math.round(performance.now() - start) });
              if (counts) report({ done: progress.done + 1, detail: item.name });
            }
          } finally {
            client.release();
          }
        };
        await Promise.all(Array.from({ length: Math.min(width, queue.length) }, build));
      };
      await runQueue(keys.map((d) => ({ name: d.name, kind: d.kind, sql: d.create })), jobs, true);
      await runQueue(foreign.map((d) => ({ name: d.name, kind: 'add foreign key not valid', sql: d.create })), 1, false);
      await runQueue(rest, jobs, true);
    }
    timings.indexesMs = performance.now() - indexStart;

    const vacuumStart = performance.now();
    if (options.vacuum ?? true) {
      report({ phase: 'vacuum', done: 0, total: tables.length, detail: undefined });
      let at = 0;
      const vacuum = async () => {
        while (at < tables.length) {
          const table = tables[at++];
          await pool.query(`vacuum (analyze) ${table}`);
          report({ done: progress.done + 1, detail: table });
        }
      };
      await Promise.all(Array.from({ length: Math.min(jobs, tables.length) }, vacuum));
      // Start the benchmark with the load's dirty pages on disk, not with a checkpoint in progress.
      await pool.query('checkpoint').catch(() => {});
    }
    timings.vacuumMs = performance.now() - vacuumStart;

    const tableBytes: Record<string, number> = {};
    for (const table of tables) {
      const { rows } = await pool.query(`select pg_total_relation_size($1::regclass)::int8 as bytes`, [table]);
      tableBytes[table] = Number(rows[0].bytes);
    }
    timings.totalMs = performance.now() - started;
    return {
      customers: options.customers,
      orders: progress.orders,
      countedOrders: counted,
      interactions: progress.interactions,
      asOf: asOf.toISOString(),
      seed,
      model,
      rebuiltIndexes: rebuilt,
      timings,
      indexTimings: indexTimings.sort((a, b) => b.ms - a.ms),
      tableBytes,
    };
  } finally {
    await pool.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Survey responses (added for the load benchmark, issue 7; generateDataset above is unchanged)

export interface SurveyResponseModel {
  /** Mean completed responses per customer. */
  perCustomer: number;
  /** Shape of the per-customer response-rate Gamma (smaller = more heavy-tailed). */
  shape: number;
  /** Cap per customer (below 1024). */
  maxPerCustomer: number;
}

/** About 0.6 responses per customer: most customers never answer, a few answer dozens of times. */
export const DEFAULT_SURVEY_RESPONSE_MODEL: SurveyResponseModel = { perCustomer: 0.6, shape: 0.35, maxPerCustomer: 60 };

export interface SurveyResponseOptions {
  databaseUrl: string;
  tenantId: string;
  /** The customers generateDataset made (same seed, model and asOf). */
  customers: number;
  asOf: Date | string;
  seed?: number;
  model?: GenerateOptions['model'];
  responses?: Partial<SurveyResponseModel>;
  firstIndex?: number;
  chunkSize?: number;
  jobs?: number;
  onProgress?: (progress: { done: number; total: number; responses: number }) => void;
}

/** NPS answers 0–10, skewed towards promoters like real NPS data (about +20). */
const NPS_SCORES = ['0', '1', '2', '3', '4', '5', '5', '6', '6', '7', '7', '7', '8', '8', '8', '8', '9', '9', '9', '9', '9', '10', '10', '10', '10'];

/**
 * Completed NPS responses from the customers generateDataset made: an ACTIVE NPS survey
 * ("Relationship NPS", the product's default questions) and, per customer, a Gamma-distributed
 * rate (heavy-tailed: most never answer), responses spread over the customer's lifetime, a score
 * and sometimes a comment. Set-based like the rest (one insert per chunk, hashed randomness keyed
 * by customer index × 1024 + response number), so the same seed gives the same rows.
 */
export async function generateSurveyResponses(options: SurveyResponseOptions): Promise<{ surveyId: string; responses: number; ms: number }> {
  const started = performance.now();
  const model = resolveModel(options.model);
  const rm = { ...DEFAULT_SURVEY_RESPONSE_MODEL, ...options.responses };
  if (rm.maxPerCustomer >= 1024) throw new RangeError('maxPerCustomer must be below 1024');
  const seed = options.seed ?? 42;
  const asOf = new Date(options.asOf);
  const firstIndex = options.firstIndex ?? 1;
  const chunkSize = options.chunkSize ?? 50_000;
  const sql = new Sql(seed);
  const { defaultQuestions } = await import('../../server/surveys/questions.js');
  const { SurveyKind } = await import('../../server/surveys/survey.entity.js');
  const questions = defaultQuestions(SurveyKind.NPS);
  // Survey id: a UUIDv7 at asOf − history, fixed by the seed.
  const surveyStream = 60;
  const rkey = '(c.g * 1024 + k)';
  const rate = rm.perCustomer / rm.shape;
  // $1 tenant, $2 lo, $3 hi, $4 asOf ms, $5–$8 the customer quantile tables, $9 survey id, $10 response-rate table.
  const insert = `with ${customersCte(sql, model)}
    insert into survey_response (tenant_id, id, survey_id, survey_version, customer_id, channel, status, answers, score,
                                 idempotency_key, started_at, updated_at, completed_at)
    select $1::uuid, ${sql.uuid7('ms', rkey, surveyStream + 2, surveyStream + 3)}, $9::uuid, 1, c.cid,
           ${sql.pick(['WEB', 'WEB', 'EMAIL', 'MOBILE_APP', 'WECHAT'], rkey, surveyStream + 4)}, 'COMPLETE',
           jsonb_build_object('nps', jsonb_build_object('value', score)) ||
             case when ${sql.u(rkey, surveyStream + 5)} < 0.3 then jsonb_build_object('reason', jsonb_build_object('text', 'Generated comment ' || ${rkey})) else '{}'::jsonb end,
           score, 'bench-' || c.g || '-' || k, to_timestamp(ms / 1000.0), to_timestamp(ms / 1000.0), to_timestamp(ms / 1000.0)
      from c
      cross join lateral generate_series(1, least(${rm.maxPerCustomer}, floor(${sql.q(10, 'c.g', surveyStream + 1)} * ${rate}))::int) k
      cross join lateral (select c.acquired_ms + floor(${sql.u(rkey, surveyStream + 6)} * ($4::int8 - c.acquired_ms))::int8 as ms,
                                 (${sql.pick(NPS_SCORES, rkey, surveyStream + 7)})::smallint as score) r
    returning 1`;
  const quantiles = quantileTables(model, seed);
  const responseTable = Array.from(gammaQuantileTable(rm.shape, seed * 97 + 60));
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: Math.max(1, options.jobs ?? 1) });
  pool.on('error', () => {});
  try {
    const surveyId = (await pool.query<{ id: string }>(`select ${sql.uuid7(`${asOf.getTime() - model.historyDays * DAY_MS}`, '1', surveyStream, surveyStream + 8)} as id`)).rows[0].id;
    const surveyAt = new Date(asOf.getTime() - model.historyDays * DAY_MS);
    await pool.query(
      `insert into survey (tenant_id, id, name, kind, status, created_at, updated_at, activated_at) values ($1, $2, 'Relationship NPS', 'NPS', 'ACTIVE', $3, $3, $3)
       on conflict do nothing`,
      [options.tenantId, surveyId, surveyAt],
    );
    await pool.query(
      `insert into survey_version (tenant_id, id, survey_id, version, title, questions, created_at)
       values ($1, $2, $2, 1, $3::jsonb, $4::jsonb, $5) on conflict do nothing`,
      [options.tenantId, surveyId, JSON.stringify({ en: 'Relationship NPS', zhCN: null }), JSON.stringify(questions), surveyAt],
    );
    const chunks: [number, number][] = [];
    for (let lo = firstIndex; lo < firstIndex + options.customers; lo += chunkSize) {
      chunks.push([lo, Math.min(lo + chunkSize, firstIndex + options.customers) - 1]);
    }
    let next = 0;
    let done = 0;
    let responses = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const [lo, hi] = chunks[next++];
        const params = [options.tenantId, lo, hi, asOf.getTime(), ...quantiles.slice(0, 4), surveyId, responseTable];
        const result = await pool.query(insert, params);
        done += hi - lo + 1;
        responses += result.rowCount ?? 0;
        options.onProgress?.({ done, total: options.customers, responses });
      }
    };
    await Promise.all(Array.from({ length: Math.min(Math.max(1, options.jobs ?? 1), chunks.length) }, worker));
    await pool.query('vacuum (analyze) survey_response');
    return { surveyId, responses, ms: performance.now() - started };
  } finally {
    await pool.end();
  }
}
