import { Migration } from '@mikro-orm/migrations';

/**
 * Customer value metrics: one `customer_metrics` row per customer (rewritten by every
 * recompute, re-scored after new orders), the per-tenant model fits in `value_model`
 * (history: every recompute adds one row per model kind) and the `metrics_job` runs.
 * Time inside is whole days; money is numeric(19, 4) in the row's `currency`.
 */
export class Migration20261122000002_metrics extends Migration {
  override up(): void {
    this.addSql(`
      create table metrics_job (
        tenant_id uuid not null references tenant (id),
        id uuid not null,
        status text not null check (status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
        trigger text not null check (trigger in ('API', 'CLI', 'DEMO')),
        as_of timestamptz not null,
        phase text not null default 'QUEUED',
        progress double precision not null default 0 check (progress >= 0 and progress <= 1),
        processed_customers integer not null default 0,
        total_customers integer not null default 0,
        error text,
        requested_by text,
        bgnbd_model_id uuid,
        gamma_gamma_model_id uuid,
        summary jsonb not null default '{}',
        created_at timestamptz not null default now(),
        started_at timestamptz,
        finished_at timestamptz,
        heartbeat_at timestamptz not null default now(),
        primary key (tenant_id, id)
      )`);
    this.addSql(`create index metrics_job_created_idx on metrics_job (tenant_id, created_at desc, id desc)`);
    this.addSql(`create index metrics_job_finished_idx on metrics_job (tenant_id, status, finished_at desc)`);
    // At most one queued or running recompute per tenant.
    this.addSql(`create unique index metrics_job_active_idx on metrics_job (tenant_id) where status in ('QUEUED', 'RUNNING')`);
    this.addSql(`
      create table value_model (
        tenant_id uuid not null references tenant (id),
        id uuid not null,
        job_id uuid,
        kind text not null check (kind in ('BGNBD', 'GAMMA_GAMMA')),
        status text not null check (status in ('FITTED', 'INSUFFICIENT_DATA', 'DID_NOT_CONVERGE')),
        reason text,
        params jsonb,
        log_likelihood double precision,
        sample_size integer not null,
        iterations integer not null default 0,
        time_unit text not null default 'DAYS',
        currency char(3) not null,
        fit_ms integer not null default 0,
        as_of timestamptz not null,
        fitted_at timestamptz not null default now(),
        primary key (tenant_id, id)
      )`);
    this.addSql(`create index value_model_kind_idx on value_model (tenant_id, kind, fitted_at desc)`);
    this.addSql(`
      create table customer_metrics (
        tenant_id uuid not null,
        customer_id uuid not null,
        as_of timestamptz not null,
        computed_at timestamptz not null,
        job_id uuid,
        bgnbd_model_id uuid,
        gamma_gamma_model_id uuid,
        currency char(3) not null,
        order_count integer not null default 0,
        purchase_days integer not null default 0,
        repeat_purchases integer not null default 0,
        first_order_at timestamptz,
        last_order_at timestamptz,
        t_x_days integer not null default 0,
        t_days integer not null default 0,
        recency_days integer,
        total_spend numeric(19, 4) not null default 0,
        average_spend numeric(19, 4),
        spend_repeat_days integer not null default 0,
        zbar double precision not null default 0,
        largest_gap_days integer,
        rfm_r smallint,
        rfm_f smallint,
        rfm_m smallint,
        rfm_code text,
        rfm_segment text,
        p_alive double precision,
        expected_spend double precision,
        expected_purchases double precision,
        predicted_clv numeric(19, 4),
        clv_months smallint not null default 12,
        customer_value numeric(19, 4) not null default 0,
        value_at_risk numeric(19, 4),
        value_tier text not null default 'STANDARD',
        lifecycle_stage text not null,
        churn_level text,
        churn_score smallint,
        churn_reasons jsonb not null default '[]',
        health_score smallint,
        purchase_cycle_days double precision,
        next_purchase_at timestamptz,
        primary key (tenant_id, customer_id),
        foreign key (tenant_id, customer_id) references customer (tenant_id, id) on delete cascade
      )`);
    // The churn watchlist reads the top of this index.
    this.addSql(`create index customer_metrics_risk_idx on customer_metrics (tenant_id, value_at_risk desc nulls last, customer_id)`);
  }
}
