import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType } from 'type-graphql';
import { newId } from '../db/ids.js';

/** A company using Clientele. Not tenant-owned: it is the tenant. */
@ObjectType({ description: 'The company whose customers these are.' })
@Entity({ tableName: 'tenant' })
export class Tenant {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Field(() => String)
  @Property({ type: 'string' })
  slug!: string;

  @Field(() => String)
  @Property({ type: 'string' })
  name!: string;

  @Field(() => String, { description: 'ISO 4217 code used when an order names no currency.' })
  @Property({ type: 'string' })
  defaultCurrency: string = 'USD';

  @Field(() => String)
  @Property({ type: 'string' })
  locale: string = 'en';

  @Field(() => String, { description: 'IANA time zone name.' })
  @Property({ type: 'string' })
  timeZone: string = 'UTC';

  /** Metric thresholds and other per-tenant settings (documented defaults in metrics). */
  @Property({ type: 'json' })
  settings: Record<string, unknown> = {};

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
