import { Migration } from '@mikro-orm/migrations';

/**
 * Surveys (versioned questions), responses, invitations; feedback with a tenant category
 * taxonomy; service cases with SLA policies, status history and compensation.
 * Same rules as the foundation: primary keys, unique constraints and indexes lead with
 * tenant_id, and every foreign key carries tenant_id so no row can point into another tenant.
 */
export class Migration20261122000003_surveys_feedback_cases extends Migration {
  override up(): void {
    this.addSql(`
      create table survey (
        tenant_id uuid not null references tenant (id),
        id uuid not null,
        name text not null,
        kind text not null check (kind in ('NPS', 'CSAT', 'CES', 'CUSTOM')),
        status text not null default 'DRAFT' check (status in ('DRAFT', 'ACTIVE', 'CLOSED')),
        version integer not null default 1 check (version >= 1),
        revision integer not null default 1,
        case_follow_up boolean not null default false,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        activated_at timestamptz,
        closed_at timestamptz,
        primary key (tenant_id, id)
      )`);
    this.addSql(`create index survey_created_idx on survey (tenant_id, created_at desc, id desc)`);
    // At most one survey per tenant is the follow-up sent when a service case is resolved.
    this.addSql(`create unique index survey_case_follow_up_idx on survey (tenant_id) where case_follow_up`);
    this.addSql(`
      create table survey_version (
        tenant_id uuid not null,
        id uuid not null,
        survey_id uuid not null,
        version integer not null,
        title jsonb not null,
        description jsonb,
        questions jsonb not null,
        created_at timestamptz not null default now(),
        primary key (tenant_id, id),
        unique (tenant_id, survey_id, version),
        foreign key (tenant_id, survey_id) references survey (tenant_id, id)
      )`);
    this.addSql(`
      create table feedback_category (
        tenant_id uuid not null references tenant (id),
        id uuid not null,
        name text not null,
        description text,
        archived_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (tenant_id, id)
      )`);
    this.addSql(`create unique index feedback_category_name_idx on feedback_category (tenant_id, lower(name))`);
    this.addSql(`
      create table service_case (
        tenant_id uuid not null,
        id uuid not null,
        customer_id uuid not null,
        kind text not null check (kind in ('COMPLAINT', 'INQUIRY', 'REPAIR', 'REQUEST', 'RETURN')),
        priority text not null check (priority in ('LOW', 'MEDIUM', 'HIGH', 'URGENT')),
        channel text not null,
        status text not null check (status in ('OPEN', 'IN_PROGRESS', 'WAITING_CUSTOMER', 'RESOLVED', 'CLOSED')),
        subject text not null,
        description text,
        assignee text,
        resolution text,
        opened_at timestamptz not null,
        first_response_at timestamptz,
        resolved_at timestamptz,
        closed_at timestamptz,
        first_response_due_at timestamptz not null,
        resolution_target_at timestamptz not null,
        resolution_deadline_at timestamptz not null,
        reopen_count integer not null default 0,
        version integer not null default 1,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (tenant_id, id),
        foreign key (tenant_id, customer_id) references customer (tenant_id, id),
        check (resolution_target_at <= resolution_deadline_at)
      )`);
    this.addSql(`create index service_case_customer_idx on service_case (tenant_id, customer_id, opened_at desc, id desc)`);
    this.addSql(`create index service_case_opened_idx on service_case (tenant_id, opened_at desc, id desc)`);
    this.addSql(`create index service_case_due_idx on service_case (tenant_id, resolution_deadline_at, id)`);
    this.addSql(`create index service_case_resolved_idx on service_case (tenant_id, resolved_at) where resolved_at is not null`);
    this.addSql(`
      create table case_event (
        tenant_id uuid not null,
        id uuid not null,
        case_id uuid not null,
        from_status text,
        to_status text not null,
        note text,
        actor_key_id uuid,
        occurred_at timestamptz not null,
        primary key (tenant_id, id),
        foreign key (tenant_id, case_id) references service_case (tenant_id, id)
      )`);
    this.addSql(`create index case_event_case_idx on case_event (tenant_id, case_id, occurred_at, id)`);
    this.addSql(`
      create table case_compensation (
        tenant_id uuid not null,
        id uuid not null,
        case_id uuid not null,
        kind text not null check (kind in ('REFUND', 'CREDIT', 'VOUCHER', 'DISCOUNT', 'REPLACEMENT', 'GIFT', 'OTHER')),
        amount numeric(19, 4) check (amount >= 0),
        currency char(3),
        description text,
        created_at timestamptz not null default now(),
        primary key (tenant_id, id),
        foreign key (tenant_id, case_id) references service_case (tenant_id, id),
        check ((amount is null) = (currency is null))
      )`);
    this.addSql(`create index case_compensation_case_idx on case_compensation (tenant_id, case_id, created_at, id)`);
    this.addSql(`
      create table sla_policy (
        tenant_id uuid not null references tenant (id),
        kind text not null,
        priority text not null,
        first_response_minutes integer not null check (first_response_minutes > 0),
        resolution_target_minutes integer not null check (resolution_target_minutes > 0),
        resolution_max_minutes integer not null,
        updated_at timestamptz not null default now(),
        primary key (tenant_id, kind, priority),
        check (resolution_max_minutes >= resolution_target_minutes)
      )`);
    // A survey sent to a customer, e.g. the CSAT follow-up of a resolved case.
    this.addSql(`
      create table survey_invitation (
        tenant_id uuid not null,
        id uuid not null,
        survey_id uuid not null,
        customer_id uuid,
        case_id uuid,
        created_at timestamptz not null,
        primary key (tenant_id, id),
        foreign key (tenant_id, survey_id) references survey (tenant_id, id),
        foreign key (tenant_id, customer_id) references customer (tenant_id, id),
        foreign key (tenant_id, case_id) references service_case (tenant_id, id)
      )`);
    this.addSql(`create unique index survey_invitation_case_idx on survey_invitation (tenant_id, case_id) where case_id is not null`);
    // idempotency_key is unique per tenant: a retried or concurrent duplicate submission lands on
    // the same row (insert … on conflict), never a second one.
    this.addSql(`
      create table survey_response (
        tenant_id uuid not null,
        id uuid not null,
        survey_id uuid not null,
        survey_version integer not null,
        customer_id uuid,
        invitation_id uuid,
        channel text not null,
        status text not null check (status in ('PARTIAL', 'COMPLETE')),
        answers jsonb not null default '{}',
        score smallint,
        idempotency_key text not null,
        started_at timestamptz not null,
        updated_at timestamptz not null,
        completed_at timestamptz,
        primary key (tenant_id, id),
        unique (tenant_id, idempotency_key),
        foreign key (tenant_id, survey_id, survey_version) references survey_version (tenant_id, survey_id, version),
        foreign key (tenant_id, customer_id) references customer (tenant_id, id),
        foreign key (tenant_id, invitation_id) references survey_invitation (tenant_id, id),
        check ((status = 'COMPLETE') = (completed_at is not null))
      )`);
    this.addSql(`create index survey_response_survey_idx on survey_response (tenant_id, survey_id, completed_at desc, id desc)`);
    this.addSql(`create index survey_response_customer_idx on survey_response (tenant_id, customer_id, completed_at desc, id desc)`);
    this.addSql(`create index survey_response_completed_idx on survey_response (tenant_id, completed_at desc, id desc)`);
    this.addSql(`create unique index survey_response_invitation_idx on survey_response (tenant_id, invitation_id) where invitation_id is not null`);
    this.addSql(`
      create table feedback (
        tenant_id uuid not null,
        id uuid not null,
        customer_id uuid,
        source text not null check (source in ('WIDGET', 'SURVEY', 'EMAIL', 'PHONE', 'SOCIAL', 'SALES_REP', 'SERVICE_REP', 'MEETING', 'REVIEW')),
        category_id uuid,
        tags jsonb not null default '[]',
        text text not null,
        rating smallint check (rating between 1 and 5),
        sentiment text not null check (sentiment in ('POSITIVE', 'NEUTRAL', 'NEGATIVE')),
        sentiment_score real not null,
        language text not null,
        status text not null check (status in ('NEW', 'TRIAGED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED')),
        assignee text,
        case_id uuid,
        survey_response_id uuid,
        occurred_at timestamptz not null,
        resolved_at timestamptz,
        closed_at timestamptz,
        version integer not null default 1,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (tenant_id, id),
        foreign key (tenant_id, customer_id) references customer (tenant_id, id),
        foreign key (tenant_id, category_id) references feedback_category (tenant_id, id),
        foreign key (tenant_id, case_id) references service_case (tenant_id, id),
        foreign key (tenant_id, survey_response_id) references survey_response (tenant_id, id)
      )`);
    this.addSql(`create index feedback_customer_idx on feedback (tenant_id, customer_id, occurred_at desc, id desc)`);
    this.addSql(`create index feedback_occurred_idx on feedback (tenant_id, occurred_at desc, id desc)`);
    this.addSql(`create index feedback_category_idx on feedback (tenant_id, category_id, occurred_at)`);
    this.addSql(`create index feedback_case_idx on feedback (tenant_id, case_id) where case_id is not null`);
    this.addSql(`create unique index feedback_survey_response_idx on feedback (tenant_id, survey_response_id) where survey_response_id is not null`);
  }
}
