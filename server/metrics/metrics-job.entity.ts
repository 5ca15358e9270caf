import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../db/ids.js';

export enum MetricsJobStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(MetricsJobStatus, { name: 'MetricsJobStatus' });

export enum MetricsJobTrigger {
  API = 'API',
  CLI = 'CLI',
  DEMO = 'DEMO',
}
registerEnumType(MetricsJobTrigger, { name: 'MetricsJobTrigger', description: 'What started a recompute.' });

export enum MetricsJobPhase {
  QUEUED = 'QUEUED',
  AGGREGATING = 'AGGREGATING',
  FITTING = 'FITTING',
  SCORING = 'SCORING',
  WRITING = 'WRITING',
  DONE = 'DONE',
}
registerEnumType(MetricsJobPhase, {
  name: 'MetricsJobPhase',
  description: 'AGGREGATING orders per customer, FITTING the models, SCORING the population, WRITING customer metrics.',
});

/** What a finished recompute remembers, beyond the model fits. */
export interface MetricsJobSummary {
  customers?: number;
  buyers?: number;
  currency?: string;
  /** RFM and value-tier cutoffs (scoring.ts Cutoffs) for re-scoring single customers. */
  cutoffs?: unknown;
  pareto?: { share: number; curve: { customerFraction: number; valueShare: number }[]; totalUnits: number };
  unconvertedOrders?: { currency: string; orders: number }[];
  /** Buyers, and how many of them the models were fitted on. */
  fitSample?: { buyers: number; sampled: number };
  timings?: Record<string, number>;
}

@ObjectType({ description: 'A recompute of the tenant’s customer metrics.' })
@Entity({ tableName: 'metrics_job' })
export class MetricsJob {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Field(() => MetricsJobStatus)
  @Enum({ items: () => MetricsJobStatus })
  status: MetricsJobStatus = MetricsJobStatus.QUEUED;

  @Field(() => MetricsJobTrigger)
  @Enum({ items: () => MetricsJobTrigger })
  trigger!: MetricsJobTrigger;

  @Field(() => Date, { description: 'Observation end: orders after it are ignored (back-testing).' })
  @Property({ type: 'datetime' })
  asOf!: Date;

  @Field(() => MetricsJobPhase)
  @Enum({ items: () => MetricsJobPhase })
  phase: MetricsJobPhase = MetricsJobPhase.QUEUED;

  @Field(() => Float, { description: 'Share of the work done, 0 to 1 (1 when SUCCEEDED).' })
  @Property({ type: 'double' })
  progress: number = 0;

  @Field(() => Int)
  @Property({ type: 'integer' })
  processedCustomers: number = 0;

  @Field(() => Int)
  @Property({ type: 'integer' })
  totalCustomers: number = 0;

  @Field(() => String, { nullable: true, description: 'Why the job FAILED.' })
  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  @Property({ type: 'string', nullable: true })
  requestedBy: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  bgnbdModelId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  gammaGammaModelId: string | null = null;

  @Property({ type: 'json' })
  summary: MetricsJobSummary = {};

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  startedAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  finishedAt: Date | null = null;

  @Property({ type: 'datetime' })
  heartbeatAt: Date = new Date();

  @Field(() => Int, { nullable: true, description: 'Wall-clock milliseconds from start to finish.' })
  get durationMs(): number | null {
    return this.startedAt && this.finishedAt ? new Date(this.finishedAt).getTime() - new Date(this.startedAt).getTime() : null;
  }
}
