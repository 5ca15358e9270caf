import { Migration } from '@mikro-orm/migrations';

/**
 * Tenants, keys, customers, contacts, interactions and orders.
 * Every tenant-owned table leads its primary key, unique constraints and indexes with tenant_id
 * (ready for a tenant-distributed PostgreSQL), and foreign keys include tenant_id so a row can
 * never point at another tenant's row.
 */
export class Migration20261122000001_foundation extends Migration {
  override up(): void {
    this.addSql(`
      create table tenant (
        id uuid primary key,
        slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
        name text not null,
        default_currency char(3) not null default 'USD',
        locale text not null default 'en',
        time_zone text not null default 'UTC',
        settings jsonb not null default '{}',
        created_at timestamptz not null default now()
      )`);
    this.addSql(`
      create table api_key (
        tenant_id uuid not null references tenant (id),
        id uuid not null,
        kind text not null check (kind in ('SECRET', 'PUBLISHABLE')),
        role text not null check (role in ('ADMIN', 'AGENT', 'ANALYST', 'READ_ONLY')),
        name text not null,
        prefix text not null,
        key_hash text not null,
        allowed_origins jsonb not null default '[]',
        created_at timestamptz not null default now(),
        revoked_at timestamptz,
        primary key (tenant_id, id),
        unique (tenant_id, key_hash)
      )`);
    this.addSql(`
      create table customer (
        tenant_id uuid not null references tenant (id),
        id uuid not null,
        external_id text,
        kind text not null check (kind in ('PERSON', 'ORGANIZATION')),
        name text not null,
        email text,
        phone text,
        company text,
        title text,
        industry text,
        company_size text,
        region text,
        city text,
        country char(2),
        address text,
        birth_date date,
        gender text,
        acquisition_source text,
        acquisition_channel text,
        owner text,
        tags jsonb not null default '[]',
        custom_attributes jsonb not null default '{}',
        marketing_consent boolean not null default false,
        notes text,
        archived_at timestamptz,
        merged_into_id uuid,
        version integer not null default 1,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (tenant_id, id),
        unique (tenant_id, external_id)
      )`);
    this.addSql(`create index customer_name_idx on customer (tenant_id, name, id)`);
    this.addSql(`create index customer_created_idx on customer (tenant_id, created_at, id)`);
    this.addSql(`create index customer_updated_idx on customer (tenant_id, updated_at, id)`);
    this.addSql(`create index customer_email_idx on customer (tenant_id, lower(email))`);
    this.addSql(`create index customer_phone_idx on customer (tenant_id, phone)`);
    this.addSql(`
      create table contact (
        tenant_id uuid not null,
        id uuid not null,
        customer_id uuid not null,
        name text not null,
        title text,
        email text,
        phone text,
        is_primary boolean not null default false,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (tenant_id, id),
        foreign key (tenant_id, customer_id) references customer (tenant_id, id)
      )`);
    this.addSql(`create index contact_customer_idx on contact (tenant_id, customer_id, is_primary desc, name, id)`);
    this.addSql(`
      create table custom_field_definition (
        tenant_id uuid not null references tenant (id),
        id uuid not null,
        key text not null,
        label text not null,
        type text not null check (type in ('STRING', 'NUMBER', 'BOOLEAN', 'DATE', 'ENUM')),
        options jsonb not null default '[]',
        required boolean not null default false,
        created_at timestamptz not null default now(),
        primary key (tenant_id, id),
        unique (tenant_id, key)
      )`);
    this.addSql(`
      create table interaction (
        tenant_id uuid not null,
        id uuid not null,
        customer_id uuid not null,
        type text not null,
        channel text not null,
        direction text not null,
        subject text,
        body text,
        occurred_at timestamptz not null,
        duration_seconds integer check (duration_seconds >= 0),
        outcome text,
        agent text,
        created_at timestamptz not null default now(),
        primary key (tenant_id, id),
        foreign key (tenant_id, customer_id) references customer (tenant_id, id)
      )`);
    this.addSql(`create index interaction_customer_idx on interaction (tenant_id, customer_id, occurred_at desc, id desc)`);
    this.addSql(`create index interaction_occurred_idx on interaction (tenant_id, occurred_at desc, id desc)`);
    this.addSql(`
      create table customer_order (
        tenant_id uuid not null,
        id uuid not null,
        customer_id uuid not null,
        external_id text,
        occurred_at timestamptz not null,
        total_amount numeric(19, 4) not null check (total_amount >= 0),
        currency char(3) not null,
        status text not null,
        channel text,
        line_items jsonb not null default '[]',
        created_at timestamptz not null default now(),
        primary key (tenant_id, id),
        unique (tenant_id, external_id),
        foreign key (tenant_id, customer_id) references customer (tenant_id, id)
      )`);
    this.addSql(`create index order_customer_idx on customer_order (tenant_id, customer_id, occurred_at desc, id desc)`);
    this.addSql(`create index order_occurred_idx on customer_order (tenant_id, occurred_at desc, id desc)`);
    // One row per (scope, key): a retried create finds the first result here.
    this.addSql(`
      create table idempotency_record (
        tenant_id uuid not null references tenant (id),
        scope text not null,
        key text not null,
        request_hash text not null,
        result_id uuid not null,
        created_at timestamptz not null default now(),
        primary key (tenant_id, scope, key)
      )`);
    this.addSql(`
      create table customer_merge (
        tenant_id uuid not null references tenant (id),
        id uuid not null,
        survivor_id uuid not null,
        merged_id uuid not null,
        moved_contacts integer not null,
        moved_interactions integer not null,
        moved_orders integer not null,
        moved_other jsonb not null default '{}',
        snapshot jsonb not null,
        created_at timestamptz not null default now(),
        primary key (tenant_id, id),
        foreign key (tenant_id, survivor_id) references customer (tenant_id, id),
        foreign key (tenant_id, merged_id) references customer (tenant_id, id)
      )`);
    this.addSql(`create index customer_merge_survivor_idx on customer_merge (tenant_id, survivor_id, created_at desc)`);
  }
}
