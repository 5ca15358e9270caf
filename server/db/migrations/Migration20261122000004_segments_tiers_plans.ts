import { Migration } from '@mikro-orm/migrations';

/**
 * Segments (dynamic rule, static list, frozen snapshot) with their current members and the
 * membership history written at every refresh; the tenant's tier policy, each customer's
 * computed tier with an optional manual override, and the tier history; contact policies
 * (cadence per tier or segment) and the follow-up tasks they generate.
 * Keys, indexes and foreign keys lead with tenant_id, as everywhere.
 */
export class Migration20261122000004_segments_tiers_plans extends Migration {
  override up(): void {
    this.addSql(`
      create table segment (
        tenant_id uuid not null references tenant (id),
        id uuid not null,
        name text not null,
        description text,
        kind text not null check (kind in ('DYNAMIC', 'STATIC', 'SNAPSHOT')),
        rule jsonb,
        source_segment_id uuid,
        member_count integer not null default 0,
        refreshed_at timestamptz,
        frozen_at timestamptz,
        version integer not null default 1,
        archived_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (tenant_id, id),
        check ((kind = 'DYNAMIC') <= (rule is not null))
      )`);
    this.addSql(`create unique index segment_name_idx on segment (tenant_id, lower(name)) where archived_at is null`);
    this.addSql(`create index segment_created_idx on segment (tenant_id, created_at desc, id desc)`);
    this.addSql(`
      create table segment_member (
        tenant_id uuid not null,
        segment_id uuid not null,
        customer_id uuid not null,
        added_at timestamptz not null,
        primary key (tenant_id, segment_id, customer_id),
        foreign key (tenant_id, segment_id) references segment (tenant_id, id) on delete cascade,
        foreign key (tenant_id, customer_id) references customer (tenant_id, id)
      )`);
    this.addSql(`create index segment_member_customer_idx on segment_member (tenant_id, customer_id)`);
    // Entries and exits: membership at any instant is the last event per customer at or before it.
    this.addSql(`
      create table segment_membership_event (
        tenant_id uuid not null,
        segment_id uuid not null,
        customer_id uuid not null,
        occurred_at timestamptz not null,
        change text not null check (change in ('ENTERED', 'EXITED')),
        primary key (tenant_id, segment_id, customer_id, occurred_at, change),
        foreign key (tenant_id, segment_id) references segment (tenant_id, id) on delete cascade,
        foreign key (tenant_id, customer_id) references customer (tenant_id, id)
      )`);
    this.addSql(`create index segment_membership_event_time_idx on segment_membership_event (tenant_id, segment_id, occurred_at)`);

    this.addSql(`
      create table tier_policy (
        tenant_id uuid not null references tenant (id),
        rules jsonb not null,
        updated_at timestamptz not null default now(),
        primary key (tenant_id)
      )`);
    this.addSql(`
      create table customer_tier (
        tenant_id uuid not null,
        customer_id uuid not null,
        computed_tier text,
        computed_at timestamptz not null,
        override_tier text,
        override_reason text,
        override_expires_at timestamptz,
        override_set_at timestamptz,
        primary key (tenant_id, customer_id),
        foreign key (tenant_id, customer_id) references customer (tenant_id, id),
        check ((override_tier is null) = (override_reason is null))
      )`);
    this.addSql(`create index customer_tier_computed_idx on customer_tier (tenant_id, computed_tier)`);
    this.addSql(`
      create table customer_tier_history (
        tenant_id uuid not null,
        customer_id uuid not null,
        occurred_at timestamptz not null,
        source text not null check (source in ('COMPUTED', 'OVERRIDE', 'OVERRIDE_CLEARED')),
        from_tier text,
        to_tier text,
        reason text,
        primary key (tenant_id, customer_id, occurred_at, source),
        foreign key (tenant_id, customer_id) references customer (tenant_id, id)
      )`);

    this.addSql(`
      create table contact_policy (
        tenant_id uuid not null references tenant (id),
        id uuid not null,
        name text not null,
        tier text,
        segment_id uuid,
        cadence_days integer not null check (cadence_days between 1 and 3660),
        channel text not null,
        priority integer not null default 0,
        active boolean not null default true,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (tenant_id, id),
        foreign key (tenant_id, segment_id) references segment (tenant_id, id),
        check ((tier is null) <> (segment_id is null))
      )`);
    this.addSql(`
      create table follow_up (
        tenant_id uuid not null,
        id uuid not null,
        customer_id uuid not null,
        policy_id uuid,
        status text not null check (status in ('OPEN', 'DONE', 'SKIPPED')),
        due_at timestamptz not null,
        channel text not null,
        assignee text,
        outcome text,
        reason text,
        interaction_id uuid,
        reschedule_count integer not null default 0,
        closed_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (tenant_id, id),
        foreign key (tenant_id, customer_id) references customer (tenant_id, id),
        foreign key (tenant_id, policy_id) references contact_policy (tenant_id, id),
        foreign key (tenant_id, interaction_id) references interaction (tenant_id, id)
      )`);
    // At most one open follow-up per customer: generation inserts "on conflict do nothing".
    this.addSql(`create unique index follow_up_open_idx on follow_up (tenant_id, customer_id) where status = 'OPEN'`);
    this.addSql(`create index follow_up_due_idx on follow_up (tenant_id, due_at, id)`);
    this.addSql(`create index follow_up_customer_idx on follow_up (tenant_id, customer_id, closed_at)`);
  }

  override down(): void {
    for (const table of ['follow_up', 'contact_policy', 'customer_tier_history', 'customer_tier', 'tier_policy', 'segment_membership_event', 'segment_member', 'segment']) {
      this.addSql(`drop table if exists ${table}`);
    }
  }
}
