import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { ChurnReason } from './churn.js';

/**
 * One row per customer in `customer_metrics`, as stored. Written in bulk by raw SQL
 * (recompute.service.ts); read through metrics.service.ts, which turns it into the GraphQL
 * `CustomerMetrics`. Days are whole days in the tenant's time zone; money is in `currency`.
 */
@Entity({ tableName: 'customer_metrics' })
export class CustomerMetricsRecord {
  @PrimaryKey({ type: 'uuid' }) customerId!: string;
  @Property({ type: 'uuid' }) tenantId!: string;
  @Property({ type: 'datetime' }) asOf!: Date;
  @Property({ type: 'datetime' }) computedAt!: Date;
  @Property({ type: 'uuid', nullable: true }) jobId!: string | null;
  @Property({ type: 'uuid', nullable: true }) bgnbdModelId!: string | null;
  @Property({ type: 'uuid', nullable: true }) gammaGammaModelId!: string | null;
  @Property({ type: 'string' }) currency!: string;
  @Property({ type: 'integer' }) orderCount!: number;
  @Property({ type: 'integer' }) purchaseDays!: number;
  @Property({ type: 'integer' }) repeatPurchases!: number;
  @Property({ type: 'datetime', nullable: true }) firstOrderAt!: Date | null;
  @Property({ type: 'datetime', nullable: true }) lastOrderAt!: Date | null;
  @Property({ type: 'integer', fieldName: 't_x_days' }) tXDays!: number;
  @Property({ type: 'integer', fieldName: 't_days' }) tDays!: number;
  @Property({ type: 'integer', nullable: true }) recencyDays!: number | null;
  @Property({ type: 'decimal', precision: 19, scale: 4 }) totalSpend!: string;
  @Property({ type: 'decimal', precision: 19, scale: 4, nullable: true }) averageSpend!: string | null;
  @Property({ type: 'integer' }) spendRepeatDays!: number;
  @Property({ type: 'double' }) zbar!: number;
  @Property({ type: 'integer', nullable: true }) largestGapDays!: number | null;
  @Property({ type: 'smallint', nullable: true }) rfmR!: number | null;
  @Property({ type: 'smallint', nullable: true }) rfmF!: number | null;
  @Property({ type: 'smallint', nullable: true }) rfmM!: number | null;
  @Property({ type: 'string', nullable: true }) rfmCode!: string | null;
  @Property({ type: 'string', nullable: true }) rfmSegment!: string | null;
  @Property({ type: 'double', nullable: true }) pAlive!: number | null;
  @Property({ type: 'double', nullable: true }) expectedSpend!: number | null;
  @Property({ type: 'double', nullable: true }) expectedPurchases!: number | null;
  @Property({ type: 'decimal', precision: 19, scale: 4, nullable: true }) predictedClv!: string | null;
  @Property({ type: 'smallint' }) clvMonths!: number;
  @Property({ type: 'decimal', precision: 19, scale: 4 }) customerValue!: string;
  @Property({ type: 'decimal', precision: 19, scale: 4, nullable: true }) valueAtRisk!: string | null;
  @Property({ type: 'string' }) valueTier!: string;
  @Property({ type: 'string' }) lifecycleStage!: string;
  @Property({ type: 'string', nullable: true }) churnLevel!: string | null;
  @Property({ type: 'smallint', nullable: true }) churnScore!: number | null;
  @Property({ type: 'json' }) churnReasons!: ChurnReason[];
  @Property({ type: 'smallint', nullable: true }) healthScore!: number | null;
  @Property({ type: 'double', nullable: true }) purchaseCycleDays!: number | null;
  @Property({ type: 'datetime', nullable: true }) nextPurchaseAt!: Date | null;
}
