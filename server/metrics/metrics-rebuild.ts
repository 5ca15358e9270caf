/**
 * A large tenant's full recompute writes its customer_metrics as a new partition instead of
 * updating a million rows in place (migration 000008 partitions the table by tenant).
 *
 * Updating in place costs, per row, a new heap tuple, a random entry in each of the two
 * secondary indexes (value at risk, churn level + CLV) and, after every checkpoint, a full-page
 * image in the WAL for each index page touched: about 40 s for a million rows here, whatever the
 * client does. Loading a fresh table without indexes is sequential, and each index is then built
 * once by sorting.
 *
 *   1. start:  `cm_<tenant hex>_next`, shaped like customer_metrics, no indexes.
 *   2. load:   on PostgreSQL one `COPY … FROM STDIN` stream on a connection of its own (PostgreSQL
 *      parses the rows while Node formats the next ones; COPY also writes the heap and the WAL a
 *      page at a time); on PGlite, the recompute's batches as plain inserts.
 *   3. finish: primary key, indexes, the partition CHECK and the foreign key, built outside any
 *      lock readers wait on; then one short transaction swaps it in: rows re-scored since the
 *      recompute started are carried over, merged-away customers dropped, the tenant's old
 *      partition detached and dropped (or its rows deleted from the shared DEFAULT partition),
 *      the new table attached and renamed `cm_<tenant hex>`.
 *   On failure `abort` drops the table; readers never saw it.
 *
 * Readers see the old rows until the swap commits, then all new ones. The swap holds an
 * ACCESS EXCLUSIVE lock on customer_metrics for the few statements of step 3's transaction.
 */
import { once } from 'node:events';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Em } from '../db/orm.js';

/** Tenants with at least this many customers get a partition of their own at a full recompute. */
export const REBUILD_MIN_CUSTOMERS = 25_000;

/** What the swap waits for at most before giving up (the old rows stay; the job fails and can be rerun). */
const SWAP_LOCK_TIMEOUT = '30s';

const METRICS_INDEXES = [
  { suffix: 'risk_idx', columns: '(tenant_id, value_at_risk desc nulls last, customer_id)' },
  { suffix: 'churn_clv_idx', columns: '(tenant_id, churn_level, predicted_clv desc, customer_id desc)' },
];

/** Table names derived from the tenant id (a uuid: hex digits only once the dashes are gone). */
function partitionName(tenantId: string): string {
  const hex = tenantId.replaceAll('-', '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not a tenant id: ${tenantId}`);
  return `cm_${hex}`;
}

export class MetricsPartitionRebuild {
  /** The table being loaded. */
  readonly table: string;
  private readonly final: string;

  private constructor(readonly tenantId: string) {
    this.final = partitionName(tenantId);
    this.table = `${this.final}_next`;
  }

  /** Creates the empty load table (dropping one a crashed run left behind). */
  static async start(em: Em, tenantId: string): Promise<MetricsPartitionRebuild> {
    const rebuild = new MetricsPartitionRebuild(tenantId);
    await em.execute(`drop table if exists ${rebuild.table}`);
    await em.execute(`create table ${rebuild.table} (like customer_metrics including defaults)`);
    return rebuild;
  }

  /**
   * Indexes and constraints, then the swap. `startedAt` is the recompute's computed_at: a row the
   * live table holds with a later computed_at was re-scored meanwhile (it saw newer orders) and wins.
   */
  async finish(em: Em, startedAt: Date): Promise<void> {
    const t = this.table;
    const tenant = this.tenantId;
    // Sorted builds over the loaded rows; the CHECK lets ATTACH skip scanning the table, and a
    // foreign key already in place is adopted by ATTACH instead of being validated under its lock.
    // The three index builds side by side, each on a connection of its own (on PGlite, in turn).
    await Promise.all(
      [`create unique index ${t}_pkey on ${t} (tenant_id, customer_id)`, ...METRICS_INDEXES.map((i) => `create index ${t}_${i.suffix} on ${t} ${i.columns}`)]
        .map((statement) => (em.fork() as Em).execute(statement)),
    );
    await em.execute(`alter table ${t} add constraint ${t}_pkey primary key using index ${t}_pkey`);
    await em.execute(`alter table ${t} add constraint ${t}_tenant check (tenant_id = '${tenant}'::uuid)`);
    await em.execute(
      `alter table ${t} add constraint ${t}_fk foreign key (tenant_id, customer_id) references customer (tenant_id, id) on delete cascade`,
    );
    await em.execute(`analyze ${t}`);

    await em.transactional(async (tx) => {
      await tx.execute(`set local lock_timeout = '${SWAP_LOCK_TIMEOUT}'`);
      // Writers wait from here (readers go on) so no re-scoring slips in between carry-over and swap.
      await tx.execute('lock table customer_metrics in exclusive mode');
      const columns = await metricsColumns(tx as Em);
      await tx.execute(
        `insert into ${t} select * from customer_metrics m where m.tenant_id = ? and m.computed_at > ?::timestamptz
         on conflict (tenant_id, customer_id) do update set ${columns.filter((c) => c !== 'tenant_id' && c !== 'customer_id').map((c) => `${c} = excluded.${c}`).join(', ')}`,
        [tenant, startedAt.toISOString()],
      );
      await tx.execute(
        `delete from ${t} m using customer c where c.tenant_id = m.tenant_id and c.id = m.customer_id and c.merged_into_id is not null`,
      );
      const [old] = await tx.execute<{ name: string }[]>(
        `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
          where i.inhparent = 'customer_metrics'::regclass and c.relname = ?`,
        [this.final],
      );
      if (old) {
        await tx.execute(`alter table customer_metrics detach partition ${this.final}`);
        await tx.execute(`drop table ${this.final}`);
      } else {
        await tx.execute('delete from customer_metrics_shared where tenant_id = ?', [tenant]);
      }
      await tx.execute(`alter table customer_metrics attach partition ${t} for values in ('${tenant}')`);
      await tx.execute(`alter table ${t} rename to ${this.final}`);
      await tx.execute(`alter index ${t}_pkey rename to ${this.final}_pkey`);
      for (const index of METRICS_INDEXES) await tx.execute(`alter index ${t}_${index.suffix} rename to ${this.final}_${index.suffix}`);
      for (const c of ['tenant', 'fk']) await tx.execute(`alter table ${this.final} rename constraint ${t}_${c} to ${this.final}_${c}`);
    });
  }

  /**
   * A COPY stream into the load table on PostgreSQL (null on PGlite: load with inserts instead).
   * `columns` name the fields of each line, in order; lines are in COPY's text format.
   */
  async openCopy(em: Em, columns: readonly string[]): Promise<MetricsCopy | null> {
    // PGlite has no server to connect to (and MikroORM fills in a default clientUrl even then).
    if (!(em.getDriver() instanceof PostgreSqlDriver)) return null;
    const client = new pg.Client({ connectionString: em.config.get('clientUrl'), connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      const stream = client.query(copyFrom(`copy ${this.table} (${columns.join(', ')}) from stdin`));
      const failed = once(stream, 'error');
      failed.catch(() => undefined);
      return {
        async write(text: string) {
          if (!stream.write(text)) await Promise.race([once(stream, 'drain'), failed.then(([e]) => Promise.reject(e))]);
        },
        async end() {
          try {
            stream.end();
            await Promise.race([once(stream, 'finish'), failed.then(([e]) => Promise.reject(e))]);
          } finally {
            await client.end();
          }
        },
        async abort() {
          stream.destroy();
          await client.end().catch(() => undefined);
        },
      };
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  /** Drops the load table (the live rows were never touched). */
  async abort(em: Em): Promise<void> {
    await em.execute(`drop table if exists ${this.table}`);
  }
}

/** customer_metrics' columns in table order (`insert … select *` relies on the same order). */
async function metricsColumns(em: Em): Promise<string[]> {
  const rows = await em.execute<{ name: string }[]>(
    `select attname as name from pg_attribute where attrelid = 'customer_metrics'::regclass and attnum > 0 and not attisdropped order by attnum`,
  );
  return rows.map((r) => String(r.name));
}

/** An open COPY into the load table: write text-format lines, then end (or abort). */
export interface MetricsCopy {
  write(text: string): Promise<void>;
  end(): Promise<void>;
  abort(): Promise<void>;
}

/** One value in COPY's text format: \N for null, backslash escapes for the characters COPY treats specially. */
export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '\\N';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '\\N' : v.toISOString();
  const text = String(v);
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]) : text;
}
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
