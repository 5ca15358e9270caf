import { Migration } from '@mikro-orm/migrations';

/**
 * The per-customer indexes on orders and interactions also carry the columns the metrics
 * recompute reads (amount, currency, status; type, direction), so its aggregation is an
 * index-only range scan in customer order instead of one random heap page per order: orders
 * arrive over time, so a customer's orders lie on as many heap pages as it has orders.
 * Same keys as before (lists of a customer's orders and interactions use them as they did).
 */
export class Migration20261122000006_metrics_indexes extends Migration {
  override up(): void {
    this.addSql(`create index order_customer_idx_v2 on customer_order (tenant_id, customer_id, occurred_at desc, id desc) include (status, currency, total_amount)`);
    this.addSql(`drop index order_customer_idx`);
    this.addSql(`alter index order_customer_idx_v2 rename to order_customer_idx`);
    this.addSql(`create index interaction_customer_idx_v2 on interaction (tenant_id, customer_id, occurred_at desc, id desc) include (type, direction)`);
    this.addSql(`drop index interaction_customer_idx`);
    this.addSql(`alter index interaction_customer_idx_v2 rename to interaction_customer_idx`);
  }

  override down(): void {
    this.addSql(`drop index if exists order_customer_idx`);
    this.addSql(`create index order_customer_idx on customer_order (tenant_id, customer_id, occurred_at desc, id desc)`);
    this.addSql(`drop index if exists interaction_customer_idx`);
    this.addSql(`create index interaction_customer_idx on interaction (tenant_id, customer_id, occurred_at desc, id desc)`);
  }
}
