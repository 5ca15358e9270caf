import { Migration } from '@mikro-orm/migrations';

/**
 * customer_metrics becomes a table partitioned by tenant (LIST on tenant_id). The existing table
 * is attached, unchanged, as the DEFAULT partition `customer_metrics_shared`, where every
 * tenant's rows live until a full recompute of a large tenant builds that tenant its own
 * partition: loaded into a fresh table without indexes, indexed once by sorting, and swapped in
 * (recompute.service.ts, metrics-rebuild.ts). A million updated rows cost a random entry in each
 * secondary index and a full-page image in the WAL per touched page; a rebuilt partition costs a
 * sequential load and three sorted index builds.
 *
 * Reads and writes are unchanged: every statement names customer_metrics and a tenant, which
 * prunes to one partition. Attaching the old table reuses its indexes and foreign key (same
 * definitions), so nothing is copied or rebuilt here.
 */
export class Migration20261203000008_metrics_partitions extends Migration {
  override up(): void {
    this.addSql(`alter table customer_metrics rename to customer_metrics_shared`);
    this.addSql(`alter table customer_metrics_shared rename constraint customer_metrics_pkey to customer_metrics_shared_pkey`);
    this.addSql(`alter table customer_metrics_shared rename constraint customer_metrics_tenant_id_customer_id_fkey to customer_metrics_shared_customer_fkey`);
    this.addSql(`alter index customer_metrics_risk_idx rename to customer_metrics_shared_risk_idx`);
    this.addSql(`alter index customer_metrics_churn_clv_idx rename to customer_metrics_shared_churn_clv_idx`);
    this.addSql(`create table customer_metrics (like customer_metrics_shared including defaults including constraints) partition by list (tenant_id)`);
    this.addSql(`alter table customer_metrics add constraint customer_metrics_pkey primary key (tenant_id, customer_id)`);
    this.addSql(`alter table customer_metrics add constraint customer_metrics_tenant_id_customer_id_fkey
      foreign key (tenant_id, customer_id) references customer (tenant_id, id) on delete cascade`);
    this.addSql(`create index customer_metrics_risk_idx on customer_metrics (tenant_id, value_at_risk desc nulls last, customer_id)`);
    this.addSql(`create index customer_metrics_churn_clv_idx on customer_metrics (tenant_id, churn_level, predicted_clv desc, customer_id desc)`);
    this.addSql(`alter table customer_metrics attach partition customer_metrics_shared default`);
  }

  override down(): void {
    this.addSql(`create table customer_metrics_plain (like customer_metrics including defaults including constraints)`);
    this.addSql(`insert into customer_metrics_plain select * from customer_metrics`);
    this.addSql(`drop table customer_metrics`);
    this.addSql(`alter table customer_metrics_plain rename to customer_metrics`);
    this.addSql(`alter table customer_metrics add constraint customer_metrics_pkey primary key (tenant_id, customer_id)`);
    this.addSql(`alter table customer_metrics add constraint customer_metrics_tenant_id_customer_id_fkey
      foreign key (tenant_id, customer_id) references customer (tenant_id, id) on delete cascade`);
    this.addSql(`create index customer_metrics_risk_idx on customer_metrics (tenant_id, value_at_risk desc nulls last, customer_id)`);
    this.addSql(`create index customer_metrics_churn_clv_idx on customer_metrics (tenant_id, churn_level, predicted_clv desc, customer_id desc)`);
  }
}
