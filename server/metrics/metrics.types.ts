import { Arg, Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Customer } from '../customers/customer.entity.js';
import { BadUserInputError } from '../graphql/errors.js';
import { DecimalScalar, Money } from '../graphql/scalars.js';
import { ChurnReasonCode, churnReasonDescriptions } from './churn.js';
import type { CustomerMetricsRecord } from './metrics.entity.js';
import { amountToDecimal, ClvCalculator, expectedPurchasesGiven } from './scoring.js';
import type { ModelSet, ValueModels } from './value-model-params.js';

/** Longest horizon a prediction may be asked for: ten years. */
export const MAX_HORIZON_DAYS = 3650;
export const MAX_HORIZON_MONTHS = 120;

export enum LifecycleStage {
  PROSPECT = 'PROSPECT',
  NEW = 'NEW',
  GROWING = 'GROWING',
  MATURE = 'MATURE',
  DECLINING = 'DECLINING',
  CHURNED = 'CHURNED',
  WON_BACK = 'WON_BACK',
}
registerEnumType(LifecycleStage, {
  name: 'LifecycleStage',
  description: 'Where the customer is in their relationship, from the purchase history (rules in docs and server/metrics/lifecycle.ts).',
  valuesConfig: {
    PROSPECT: { description: 'No purchase yet.' },
    NEW: { description: 'First purchase within newCustomerDays (default 90).' },
    GROWING: { description: 'Buying more often or spending more than their own baseline, or a repeat buyer in their first year.' },
    MATURE: { description: 'A steady repeat customer.' },
    DECLINING: { description: 'A one-time buyer past NEW; frequency or spend falling against their own baseline; overdue; or P(alive) below lowPAlive.' },
    CHURNED: { description: 'No purchase for churnedRecencyDays (default 365) or P(alive) below churnedPAlive (default 0.15).' },
    WON_BACK: { description: 'Bought again in the recent window after a gap of at least wonBackGapDays (default 180).' },
  },
});

export enum ChurnRiskLevel {
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
  CHURNED = 'CHURNED',
}
registerEnumType(ChurnRiskLevel, {
  name: 'ChurnRiskLevel',
  description: 'HIGH from churn score highRiskScore (default 60), MEDIUM from mediumRiskScore (default 30); CHURNED when the lifecycle stage is CHURNED.',
});

export enum ValueTier {
  KEY = 'KEY',
  GROWTH = 'GROWTH',
  STANDARD = 'STANDARD',
}
registerEnumType(ValueTier, {
  name: 'ValueTier',
  description: 'Pareto tiers over the buying customers, by value = historic value + predicted CLV.',
  valuesConfig: {
    KEY: { description: 'The top 20 % (keyTierFraction).' },
    GROWTH: { description: 'The next 30 % (up to growthTierFraction, default 50 %).' },
    STANDARD: { description: 'Everyone else, including prospects.' },
  },
});

export enum RfmSegment {
  CHAMPIONS = 'CHAMPIONS',
  LOYAL = 'LOYAL',
  POTENTIAL_LOYALIST = 'POTENTIAL_LOYALIST',
  NEW = 'NEW',
  PROMISING = 'PROMISING',
  NEED_ATTENTION = 'NEED_ATTENTION',
  ABOUT_TO_SLEEP = 'ABOUT_TO_SLEEP',
  AT_RISK = 'AT_RISK',
  CANNOT_LOSE_THEM = 'CANNOT_LOSE_THEM',
  HIBERNATING = 'HIBERNATING',
  LOST = 'LOST',
}
registerEnumType(RfmSegment, { name: 'RfmSegment', description: 'Named cell of the R × FM grid (server/metrics/rfm.ts segmentOf).' });

export enum ExpectedSpendSource {
  GAMMA_GAMMA = 'GAMMA_GAMMA',
  OWN_AVERAGE = 'OWN_AVERAGE',
}
registerEnumType(ExpectedSpendSource, {
  name: 'ExpectedSpendSource',
  description: 'Where expected spend per purchase (and so predicted CLV) comes from.',
  valuesConfig: {
    GAMMA_GAMMA: { description: 'The tenant’s FITTED Gamma-Gamma model: E[Z | x, zbar].' },
    OWN_AVERAGE: {
      description: 'The Gamma-Gamma model is not FITTED (see analytics.valueModel(kind: GAMMA_GAMMA).reason): the customer’s own average spend per purchase day.',
    },
  },
});

// Open set: features add codes with registerChurnReasonProvider / registerChurnReasonCode.
registerEnumType(ChurnReasonCode, { name: 'ChurnReasonCode', description: 'Why churn risk was raised.', valuesConfig: churnReasonDescriptions });

@ObjectType()
export class MonetaryValue {
  @Field(() => Money, { description: 'Spend over the history up to asOf (CANCELLED and REFUNDED orders excluded).' })
  total!: Money;
  @Field(() => Money, { nullable: true, description: 'total / frequency: spend per purchase day.' })
  average!: Money | null;
}

@ObjectType({ description: 'RFM quintile scores 1–5 over the tenant’s buying customers (R reversed: recent is 5).' })
export class RfmScore {
  @Field(() => Int) r!: number;
  @Field(() => Int) f!: number;
  @Field(() => Int) m!: number;
  @Field(() => String, { description: 'The three digits, e.g. "545".' }) code!: string;
  @Field(() => RfmSegment) segment!: RfmSegment;
}

@ObjectType({ description: 'A number behind a churn reason, e.g. { name: "pAlive", value: 0.23 }.' })
export class ChurnEvidence {
  @Field(() => String) name!: string;
  @Field(() => Float) value!: number;
}

@ObjectType()
export class ChurnReason {
  @Field(() => ChurnReasonCode) code!: string;
  @Field(() => String, { description: 'One plain sentence.' }) message!: string;
  @Field(() => [ChurnEvidence]) evidence!: ChurnEvidence[];
}

@ObjectType()
export class ChurnRisk {
  @Field(() => ChurnRiskLevel) level!: ChurnRiskLevel;
  @Field(() => Int, { description: '0–100: the reasons combined as independent warnings.' }) score!: number;
  /** The reasons as stored: JSON text from a metrics read (parsed only if `reasons` is selected) or parsed. */
  storedReasons!: string | readonly ChurnReason[];

  @Field(() => [ChurnReason], { description: 'Strongest first.' })
  get reasons(): ChurnReason[] {
    const stored = (typeof this.storedReasons === 'string' ? JSON.parse(this.storedReasons) : this.storedReasons) as ChurnReason[];
    return stored.map((x) => Object.assign(new ChurnReason(), { code: x.code, message: x.message, evidence: x.evidence }));
  }
}

/** `then` without a promise when the models are already held, so most fields stay synchronous. */
function withModels<T>(models: ModelSet | Promise<ModelSet>, use: (models: ModelSet) => T): T | Promise<T> {
  return models instanceof Promise ? models.then(use) : use(models);
}

function checkRange(value: number, min: number, max: number, path: string, unit: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadUserInputError([{ path, message: `must be a whole number of ${unit} from ${min} to ${max}` }]);
  }
}

/**
 * What each CustomerMetrics field reads from its record (the value models' parameters, for the
 * predictions at another horizon, come from ValueModels), so a read can fetch only the columns the
 * selection needs (metricsByCustomerIds). Paths with a dot are sub-selections that read more
 * than their parent. A field missing here makes the read fetch every column; keep it in step
 * with the getters below (test/metrics-integration/seeded.test.ts asks every field alone).
 */
export const CUSTOMER_METRICS_READS: Readonly<Record<string, readonly (keyof CustomerMetricsRecord)[]>> = {
  __typename: [],
  asOf: ['asOf'],
  computedAt: ['computedAt'],
  recencyDays: ['recencyDays'],
  frequency: ['purchaseDays'],
  repeatPurchases: ['repeatPurchases'],
  orderCount: ['orderCount'],
  firstPurchaseAt: ['firstOrderAt'],
  lastPurchaseAt: ['lastOrderAt'],
  daysSinceFirstPurchase: ['purchaseDays', 'tDays'],
  monetary: ['totalSpend', 'averageSpend'],
  historicValue: ['totalSpend'],
  rfm: ['rfmR', 'rfmF', 'rfmM', 'rfmCode', 'rfmSegment'],
  pAlive: ['pAlive'],
  expectedPurchases: ['pAlive', 'purchaseDays', 'repeatPurchases', 'tDays'],
  expectedSpendPerPurchase: ['expectedSpend'],
  expectedSpendSource: ['expectedSpend', 'gammaGammaModelId'],
  purchaseCycleDays: ['purchaseCycleDays'],
  nextPurchaseExpectedAt: ['nextPurchaseAt'],
  predictedClv: [
    'purchaseDays', 'pAlive', 'expectedSpend', 'clvMonths', 'predictedClv', 'totalSpend', 'repeatPurchases', 'tXDays', 'tDays',
    'spendRepeatDays', 'zbar',
  ],
  valueAtRisk: ['valueAtRisk'],
  valueTier: ['valueTier'],
  lifecycleStage: ['lifecycleStage'],
  churnRisk: ['churnLevel', 'churnScore'],
  'churnRisk.reasons': ['churnReasons'],
  healthScore: ['healthScore'],
};

/**
 * A customer's value metrics as of the last recompute or re-scoring. Time unit: days
 * (calendar days in the tenant's time zone); money in the tenant currency.
 */
@ObjectType({ description: 'Customer value metrics. Times in days (tenant time zone), money in the tenant currency; predictions are null while the tenant’s model is not FITTED.' })
export class CustomerMetrics {
  record!: CustomerMetricsRecord;
  /** Where the parameters of the models the record was scored with come from (held, or read). */
  valueModels!: ValueModels;
  annualDiscountRate!: number;

  static from(record: CustomerMetricsRecord, valueModels: ValueModels, annualDiscountRate: number): CustomerMetrics {
    return Object.assign(new CustomerMetrics(), { record, valueModels, annualDiscountRate });
  }

  private models(): ModelSet | Promise<ModelSet> {
    return this.valueModels.of(this.record.bgnbdModelId, this.record.gammaGammaModelId);
  }

  private money(amount: string | null): Money | null {
    return amount === null ? null : Money.of(amount, this.record.currency.trim());
  }

  private get buyer(): boolean {
    return this.record.purchaseDays > 0;
  }

  @Field(() => Date, { description: 'Observation end these figures describe.' })
  get asOf(): Date {
    return new Date(this.record.asOf);
  }

  @Field(() => Date)
  get computedAt(): Date {
    return new Date(this.record.computedAt);
  }

  @Field(() => Int, { nullable: true, description: 'Days from the last purchase day to asOf; null for a prospect.' })
  get recencyDays(): number | null {
    return this.record.recencyDays;
  }

  @Field(() => Int, { description: 'Purchases: distinct purchase days (orders on one day count once).' })
  get frequency(): number {
    return this.record.purchaseDays;
  }

  @Field(() => Int, { description: 'Repeat purchases (frequency − 1; the BG/NBD x).' })
  get repeatPurchases(): number {
    return this.record.repeatPurchases;
  }

  @Field(() => Int, { description: 'Orders counted (CANCELLED and REFUNDED excluded).' })
  get orderCount(): number {
    return this.record.orderCount;
  }

  @Field(() => Date, { nullable: true })
  get firstPurchaseAt(): Date | null {
    return this.record.firstOrderAt ? new Date(this.record.firstOrderAt) : null;
  }

  @Field(() => Date, { nullable: true })
  get lastPurchaseAt(): Date | null {
    return this.record.lastOrderAt ? new Date(this.record.lastOrderAt) : null;
  }

  @Field(() => Int, { nullable: true, description: 'Days from the first purchase day to asOf (the BG/NBD T).' })
  get daysSinceFirstPurchase(): number | null {
    return this.buyer ? this.record.tDays : null;
  }

  @Field(() => MonetaryValue)
  get monetary(): MonetaryValue {
    return Object.assign(new MonetaryValue(), { total: this.money(this.record.totalSpend), average: this.money(this.record.averageSpend) });
  }

  @Field(() => Money, { description: 'What the customer has spent so far: the same as monetary.total.' })
  get historicValue(): Money {
    return this.money(this.record.totalSpend)!;
  }

  @Field(() => RfmScore, { nullable: true, description: 'Null for a prospect or before the first recompute.' })
  get rfm(): RfmScore | null {
    const r = this.record;
    if (r.rfmR === null || r.rfmF === null || r.rfmM === null) return null;
    return Object.assign(new RfmScore(), { r: r.rfmR, f: r.rfmF, m: r.rfmM, code: r.rfmCode, segment: r.rfmSegment });
  }

  @Field(() => Float, { nullable: true, description: 'BG/NBD probability that the customer is still active at asOf (0–1).' })
  get pAlive(): number | null {
    return this.record.pAlive;
  }

  @Field(() => Float, { nullable: true, description: 'BG/NBD expected purchases (purchase days) in the `days` days after asOf; days 0–3650.' })
  expectedPurchases(@Arg('days', () => Int) days: number): number | null | Promise<number | null> {
    checkRange(days, 0, MAX_HORIZON_DAYS, 'days', 'days');
    const r = this.record;
    if (!r.bgnbdModelId || r.pAlive === null || !this.buyer) return null;
    return withModels(this.models(), ({ bgnbd }) => (bgnbd ? expectedPurchasesGiven(bgnbd, r.pAlive!, r.repeatPurchases, r.tDays, days) : null));
  }

  @Field(() => Money, { nullable: true, description: 'Expected spend per future purchase (see expectedSpendSource).' })
  get expectedSpendPerPurchase(): Money | null {
    return this.record.expectedSpend === null ? null : this.money(amountToDecimal(this.record.expectedSpend));
  }

  @Field(() => ExpectedSpendSource, { nullable: true })
  get expectedSpendSource(): ExpectedSpendSource | null {
    if (this.record.expectedSpend === null) return null;
    return this.record.gammaGammaModelId ? ExpectedSpendSource.GAMMA_GAMMA : ExpectedSpendSource.OWN_AVERAGE;
  }

  @Field(() => Float, { nullable: true, description: 'Typical days between purchase days (t_x / x); null with one purchase day.' })
  get purchaseCycleDays(): number | null {
    return this.record.purchaseCycleDays;
  }

  @Field(() => Date, { nullable: true, description: 'Last purchase + one purchase cycle (in the past when overdue).' })
  get nextPurchaseExpectedAt(): Date | null {
    return this.record.nextPurchaseAt ? new Date(this.record.nextPurchaseAt) : null;
  }

  @Field(() => Money, {
    nullable: true,
    description: 'Discounted expected revenue over the next `months` months after asOf (1–120; 0 gives 0): BG/NBD purchases × Gamma-Gamma spend, discounted monthly at the tenant’s annualDiscountRate (default 10 % a year). Revenue, not margin.',
  })
  predictedClv(@Arg('months', () => Int, { defaultValue: 12 }) months: number): Money | null | Promise<Money | null> {
    checkRange(months, 0, MAX_HORIZON_MONTHS, 'months', 'months');
    const r = this.record;
    if (!this.buyer || r.pAlive === null || r.expectedSpend === null) return null;
    if (months === r.clvMonths && r.predictedClv !== null) return this.money(r.predictedClv);
    if (!r.bgnbdModelId) return null;
    return withModels(this.models(), (models) => {
      if (!models.bgnbd) return null;
      const calc = new ClvCalculator(models, months, this.annualDiscountRate);
      const own = Number(r.totalSpend) / r.purchaseDays;
      const clv = calc.estimate(r.repeatPurchases, r.tXDays, r.tDays, r.spendRepeatDays, r.zbar, own).clv;
      return clv === null ? null : this.money(amountToDecimal(clv));
    });
  }

  @Field(() => Money, { nullable: true, description: 'Predicted CLV (tenant horizon, default 12 months) × (1 − P(alive)).' })
  get valueAtRisk(): Money | null {
    return this.money(this.record.valueAtRisk);
  }

  @Field(() => ValueTier)
  get valueTier(): ValueTier {
    return this.record.valueTier as ValueTier;
  }

  @Field(() => LifecycleStage)
  get lifecycleStage(): LifecycleStage {
    return this.record.lifecycleStage as LifecycleStage;
  }

  @Field(() => ChurnRisk, { nullable: true, description: 'Null for a prospect.' })
  get churnRisk(): ChurnRisk | null {
    const r = this.record;
    if (r.churnLevel === null) return null;
    return Object.assign(new ChurnRisk(), { level: r.churnLevel, score: r.churnScore ?? 0, storedReasons: r.churnReasons });
  }

  @Field(() => Int, { nullable: true, description: '0–100: half (100 − churn score), half RFM standing; null for a prospect.' })
  get healthScore(): number | null {
    return this.record.healthScore;
  }
}

// ---------- analytics ----------

@ObjectType()
export class ParetoPoint {
  @Field(() => Float, { description: 'Share of buying customers, highest value first (0–1).' }) customerFraction!: number;
  @Field(() => Float, { description: 'Share of revenue they brought (0–1).' }) revenueShare!: number;
}

@ObjectType({ description: 'How concentrated revenue is (historic value of the buying customers at the last recompute).' })
export class Pareto {
  @Field(() => Float) topFraction!: number;
  @Field(() => Float, { description: 'Share of revenue from the top `topFraction` of customers (0–1).' }) share!: number;
  @Field(() => Int, { description: 'Customers with at least one purchase.' }) buyers!: number;
  @Field(() => Money) totalRevenue!: Money;
  @Field(() => [ParetoPoint], { description: 'The Lorenz-style curve at every decile.' }) curve!: ParetoPoint[];
  @Field(() => Date, { nullable: true }) asOf!: Date | null;
}

@ObjectType()
export class RfmSegmentCount {
  @Field(() => RfmSegment) segment!: RfmSegment;
  @Field(() => Int) customers!: number;
  @Field(() => Float, { description: 'Of the scored (buying) customers.' }) share!: number;
  @Field(() => Money) revenue!: Money;
}

@ObjectType()
export class LifecycleCount {
  @Field(() => LifecycleStage) stage!: LifecycleStage;
  @Field(() => Int) customers!: number;
  @Field(() => Float, { description: 'Of all customers with metrics.' }) share!: number;
}

@ObjectType({ description: 'A customer to save: high predicted value, low chance they are still active.' })
export class ChurnWatchlistEntry {
  @Field(() => Int) rank!: number;
  @Field(() => ID) customerId!: string;
  @Field(() => Customer) customer!: Customer;
  @Field(() => Money, { description: 'predictedClv × (1 − pAlive).' }) valueAtRisk!: Money;
  @Field(() => CustomerMetrics) metrics!: CustomerMetrics;
}

@ObjectType()
export class TierForecast {
  @Field(() => ValueTier) tier!: ValueTier;
  @Field(() => Int) customers!: number;
  @Field(() => Float, { description: 'Expected purchases (purchase days).' }) expectedOrders!: number;
  @Field(() => Money) expectedRevenue!: Money;
}

@ObjectType({ description: 'Expected orders and revenue from the existing buying customers (no new customers), undiscounted, for the `days` days after the metrics’ asOf.' })
export class DemandForecast {
  @Field(() => Int) days!: number;
  @Field(() => Float) expectedOrders!: number;
  @Field(() => Money) expectedRevenue!: Money;
  @Field(() => [TierForecast]) byTier!: TierForecast[];
  @Field(() => String, { nullable: true, description: 'Why there is no forecast (the model is not FITTED).' }) unavailableReason!: string | null;
}

/** Root of the tenant's analytics; other features add fields with @Resolver(() => TenantAnalytics). */
@ObjectType({ description: 'Tenant-wide analytics. Value figures come from the customer metrics (see recomputeMetrics).' })
export class TenantAnalytics {
  tenantId!: string;
}

@ObjectType()
export class ExchangeRateSetting {
  @Field(() => String) currency!: string;
  @Field(() => DecimalScalar, { description: 'Tenant-currency units per one unit of `currency`.' }) rate!: string;
}

@ObjectType('MetricsSettings', { description: 'Per-tenant metric thresholds (defaults in brackets). Changes apply from the next recompute or re-scoring.' })
export class MetricsSettingsType {
  @Field(() => Float, { description: 'Annual discount rate of predicted CLV [0.10].' }) annualDiscountRate!: number;
  @Field(() => Int, { description: 'Horizon of the stored predicted CLV, tiers and value at risk, months [12].' }) clvMonths!: number;
  @Field(() => Int, { description: 'Recent window of the trend rules, days [90].' }) recentWindowDays!: number;
  @Field(() => Int, { description: 'Baseline window right before it, days [365].' }) baselineWindowDays!: number;
  @Field(() => Int, { description: 'NEW while the first purchase is at most this old, days [90].' }) newCustomerDays!: number;
  @Field(() => Int, { description: 'CHURNED after this many days without a purchase [365].' }) churnedRecencyDays!: number;
  @Field(() => Float, { description: 'CHURNED below this P(alive) [0.15].' }) churnedPAlive!: number;
  @Field(() => Float, { description: 'LOW_P_ALIVE reason below this P(alive) [0.5].' }) lowPAlive!: number;
  @Field(() => Int, { description: 'WON_BACK after a gap of at least this many days [180].' }) wonBackGapDays!: number;
  @Field(() => Float, { description: 'A rate this far below the baseline is falling [0.5 = halved].' }) declineThreshold!: number;
  @Field(() => Float, { description: 'A purchase rate this far above the baseline is growing [0.5 = 1.5×].' }) growthThreshold!: number;
  @Field(() => Float, { description: 'A rise or fall counts only if a Poisson process at the baseline rate would show it at most this often [0.1].' })
  trendSignificance!: number;
  @Field(() => Float, { description: 'Overdue beyond this multiple of the purchase cycle [3].' }) overdueFactor!: number;
  @Field(() => Int, { description: 'Baseline purchase days needed to judge a purchase or spend trend [2].' }) minBaselinePurchases!: number;
  @Field(() => Int, { description: 'Baseline interactions needed to judge an engagement trend [3].' }) minBaselineInteractions!: number;
  @Field(() => Int, { description: 'HIGH churn risk from this score [60].' }) highRiskScore!: number;
  @Field(() => Int, { description: 'MEDIUM churn risk from this score [30].' }) mediumRiskScore!: number;
  @Field(() => Float, { description: 'Share of buyers in KEY [0.2].' }) keyTierFraction!: number;
  @Field(() => Float, { description: 'Share of buyers in KEY + GROWTH [0.5].' }) growthTierFraction!: number;
  @Field(() => [ExchangeRateSetting], { description: 'Order currencies converted into the tenant currency; orders in other currencies add no spend [none].' })
  exchangeRates!: ExchangeRateSetting[];
}
