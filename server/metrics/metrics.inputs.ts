import { Field, Float, InputType, Int } from 'type-graphql';
import { DecimalFilter, enumFilter, StringFilter } from '../graphql/filters.js';
import { DecimalScalar } from '../graphql/scalars.js';
import { ChurnReasonCode } from './churn.js';
import { ChurnRiskLevel, LifecycleStage, RfmSegment, ValueTier } from './metrics.types.js';

@InputType({ description: 'Numeric comparisons on a metric.' })
export class MetricsNumberFilter {
  @Field(() => Float, { nullable: true }) eq?: number;
  @Field(() => Float, { nullable: true }) ne?: number;
  @Field(() => Float, { nullable: true }) lt?: number;
  @Field(() => Float, { nullable: true }) lte?: number;
  @Field(() => Float, { nullable: true }) gt?: number;
  @Field(() => Float, { nullable: true }) gte?: number;
  @Field(() => Boolean, { nullable: true }) isNull?: boolean;
}

export const ChurnRiskLevelFilter = enumFilter<ChurnRiskLevel>(ChurnRiskLevel, 'ChurnRiskLevel');
export const ValueTierFilter = enumFilter<ValueTier>(ValueTier, 'ValueTier');
export const LifecycleStageFilter = enumFilter<LifecycleStage>(LifecycleStage, 'LifecycleStage');
export const RfmSegmentFilter = enumFilter<RfmSegment>(RfmSegment, 'RfmSegment');

type EnumFilterOf<E> = { eq?: E; ne?: E; in?: E[]; notIn?: E[]; isNull?: boolean };

@InputType({ description: 'Conditions on customer.metrics (all must hold). Customers without metrics match none of them.' })
export class CustomerMetricsFilter {
  @Field(() => ChurnRiskLevelFilter, { nullable: true, description: 'churnRisk.level' }) churnRisk?: EnumFilterOf<ChurnRiskLevel>;
  @Field(() => MetricsNumberFilter, { nullable: true, description: 'churnRisk.score (0–100)' }) churnScore?: MetricsNumberFilter;
  @Field(() => [ChurnReasonCode], { nullable: true, description: 'Customers whose churn reasons include every one of these codes.' })
  churnReasons?: string[];
  @Field(() => DecimalFilter, { nullable: true, description: 'predictedClv at the tenant horizon (default 12 months).' }) predictedClv?: DecimalFilter;
  @Field(() => DecimalFilter, { nullable: true }) historicValue?: DecimalFilter;
  @Field(() => DecimalFilter, { nullable: true }) valueAtRisk?: DecimalFilter;
  @Field(() => ValueTierFilter, { nullable: true }) valueTier?: EnumFilterOf<ValueTier>;
  @Field(() => LifecycleStageFilter, { nullable: true }) lifecycleStage?: EnumFilterOf<LifecycleStage>;
  @Field(() => RfmSegmentFilter, { nullable: true }) rfmSegment?: EnumFilterOf<RfmSegment>;
  @Field(() => StringFilter, { nullable: true, description: 'RFM cell, e.g. { startsWith: "5" } for R = 5.' }) rfmCode?: StringFilter;
  @Field(() => MetricsNumberFilter, { nullable: true }) pAlive?: MetricsNumberFilter;
  @Field(() => MetricsNumberFilter, { nullable: true }) recencyDays?: MetricsNumberFilter;
  @Field(() => MetricsNumberFilter, { nullable: true }) frequency?: MetricsNumberFilter;
  @Field(() => MetricsNumberFilter, { nullable: true }) healthScore?: MetricsNumberFilter;
}

@InputType()
export class ExchangeRateInput {
  @Field(() => String, { description: 'ISO 4217 code of the order currency.' }) currency!: string;
  @Field(() => DecimalScalar, { description: 'Tenant-currency units per one unit of `currency` (> 0).' }) rate!: string;
}

@InputType({ description: 'Only the fields given change; see MetricsSettings for meanings, defaults and ranges.' })
export class MetricsSettingsInput {
  @Field(() => Float, { nullable: true }) annualDiscountRate?: number | null;
  @Field(() => Int, { nullable: true }) clvMonths?: number | null;
  @Field(() => Int, { nullable: true }) recentWindowDays?: number | null;
  @Field(() => Int, { nullable: true }) baselineWindowDays?: number | null;
  @Field(() => Int, { nullable: true }) newCustomerDays?: number | null;
  @Field(() => Int, { nullable: true }) churnedRecencyDays?: number | null;
  @Field(() => Float, { nullable: true }) churnedPAlive?: number | null;
  @Field(() => Float, { nullable: true }) lowPAlive?: number | null;
  @Field(() => Int, { nullable: true }) wonBackGapDays?: number | null;
  @Field(() => Float, { nullable: true }) declineThreshold?: number | null;
  @Field(() => Float, { nullable: true }) growthThreshold?: number | null;
  @Field(() => Float, { nullable: true }) trendSignificance?: number | null;
  @Field(() => Float, { nullable: true }) overdueFactor?: number | null;
  @Field(() => Int, { nullable: true }) minBaselinePurchases?: number | null;
  @Field(() => Int, { nullable: true }) minBaselineInteractions?: number | null;
  @Field(() => Int, { nullable: true }) highRiskScore?: number | null;
  @Field(() => Int, { nullable: true }) mediumRiskScore?: number | null;
  @Field(() => Float, { nullable: true }) keyTierFraction?: number | null;
  @Field(() => Float, { nullable: true }) growthTierFraction?: number | null;
  @Field(() => [ExchangeRateInput], { nullable: true, description: 'Replaces the whole list.' }) exchangeRates?: ExchangeRateInput[] | null;
  @Field(() => Boolean, { nullable: true, description: 'true: forget every override and use the defaults (other fields given are applied on top).' })
  reset?: boolean | null;
}
