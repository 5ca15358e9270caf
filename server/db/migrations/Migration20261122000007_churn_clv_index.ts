import { Migration } from '@mikro-orm/migrations';

/**
 * "HIGH churn risk, most valuable first" (the churn work queue) as an index range scan: the
 * customers of one churn level come out of customer_metrics already ordered by predicted CLV,
 * instead of every scored customer of the tenant being joined and sorted per request.
 */
export class Migration20261122000007_churn_clv_index extends Migration {
  override up(): void {
    this.addSql(`create index customer_metrics_churn_clv_idx on customer_metrics (tenant_id, churn_level, predicted_clv desc, customer_id desc)`);
  }

  override down(): void {
    this.addSql(`drop index if exists customer_metrics_churn_clv_idx`);
  }
}
