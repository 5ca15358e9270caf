import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../db/ids.js';

export enum ValueModelKind {
  BGNBD = 'BGNBD',
  GAMMA_GAMMA = 'GAMMA_GAMMA',
}
registerEnumType(ValueModelKind, {
  name: 'ValueModelKind',
  description: 'BGNBD: purchase counts and P(alive) (Fader, Hardie & Lee 2005). GAMMA_GAMMA: spend per purchase (Fader & Hardie 2013).',
});

export enum ValueModelStatus {
  FITTED = 'FITTED',
  INSUFFICIENT_DATA = 'INSUFFICIENT_DATA',
  DID_NOT_CONVERGE = 'DID_NOT_CONVERGE',
}
registerEnumType(ValueModelStatus, {
  name: 'ValueModelStatus',
  description: 'Only FITTED models feed predictions; otherwise `reason` says why and predicted fields are null.',
});

@ObjectType({ description: 'BG/NBD parameters. Time unit: days (alpha is in days).' })
export class BgNbdParameters {
  @Field(() => Float, { description: 'Shape of the purchase-rate distribution.' }) r!: number;
  @Field(() => Float, { description: 'Scale of the purchase-rate distribution, in days.' }) alpha!: number;
  @Field(() => Float, { description: 'Dropout Beta shape a.' }) a!: number;
  @Field(() => Float, { description: 'Dropout Beta shape b.' }) b!: number;
}

@ObjectType({ description: 'Gamma-Gamma parameters; gamma is in the model currency.' })
export class GammaGammaParameters {
  @Field(() => Float) p!: number;
  @Field(() => Float) q!: number;
  @Field(() => Float, { description: 'Scale of spend, in units of the model currency.' }) gamma!: number;
}

/** One fit of one model for one tenant; every recompute adds one per kind (history). */
@ObjectType({ description: 'A fitted (or refused) customer-value model of the tenant.' })
@Entity({ tableName: 'value_model' })
export class ValueModel {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Field(() => ID, { nullable: true, description: 'The recompute job that fitted it.' })
  @Property({ type: 'uuid', nullable: true })
  jobId: string | null = null;

  @Field(() => ValueModelKind)
  @Enum({ items: () => ValueModelKind })
  kind!: ValueModelKind;

  @Field(() => ValueModelStatus)
  @Enum({ items: () => ValueModelStatus })
  status!: ValueModelStatus;

  @Field(() => String, { nullable: true, description: 'Why the status is not FITTED.' })
  @Property({ type: 'text', nullable: true })
  reason: string | null = null;

  /** BG/NBD {r, alpha, a, b} or Gamma-Gamma {p, q, gamma}; null when there was too little data. */
  @Property({ type: 'json', nullable: true })
  params: Record<string, number> | null = null;

  @Field(() => Float, { nullable: true, description: 'Total log-likelihood at the parameters.' })
  @Property({ type: 'double', nullable: true })
  logLikelihood: number | null = null;

  @Field(() => Int, {
    description: 'Customers the fit used (BG/NBD: customers with a purchase; Gamma-Gamma: repeat buyers with known spend). Tenants with more than 100,000 buyers are fitted on an evenly spread sample of 100,000.',
  })
  @Property({ type: 'integer' })
  sampleSize!: number;

  @Field(() => Int)
  @Property({ type: 'integer' })
  iterations: number = 0;

  @Field(() => String, { description: 'Time unit of the model: always DAYS.' })
  @Property({ type: 'string' })
  timeUnit: string = 'DAYS';

  @Field(() => String, { description: 'ISO 4217 currency of the spend the model saw (the tenant currency).' })
  @Property({ type: 'string' })
  currency!: string;

  @Field(() => Int, { description: 'Milliseconds the fit took.' })
  @Property({ type: 'integer' })
  fitMs: number = 0;

  @Field(() => Date, { description: 'Observation end: orders after it were not seen.' })
  @Property({ type: 'datetime' })
  asOf!: Date;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  fittedAt: Date = new Date();

  @Field(() => BgNbdParameters, { nullable: true, description: 'Set for a BGNBD model with parameters (DID_NOT_CONVERGE: the last iterate, for diagnosis only).' })
  get bgnbd(): BgNbdParameters | null {
    return this.kind === ValueModelKind.BGNBD && this.params ? Object.assign(new BgNbdParameters(), this.params) : null;
  }

  @Field(() => GammaGammaParameters, { nullable: true, description: 'Set for a GAMMA_GAMMA model with parameters (DID_NOT_CONVERGE: the last iterate, for diagnosis only).' })
  get gammaGamma(): GammaGammaParameters | null {
    return this.kind === ValueModelKind.GAMMA_GAMMA && this.params ? Object.assign(new GammaGammaParameters(), this.params) : null;
  }
}
