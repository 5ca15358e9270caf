import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { newId } from '../db/ids.js';
import { Channel } from '../graphql/enums.js';

export enum CustomerKind {
  PERSON = 'PERSON',
  ORGANIZATION = 'ORGANIZATION',
}
registerEnumType(CustomerKind, { name: 'CustomerKind' });

export enum Gender {
  FEMALE = 'FEMALE',
  MALE = 'MALE',
  OTHER = 'OTHER',
  UNDISCLOSED = 'UNDISCLOSED',
}
registerEnumType(Gender, { name: 'Gender' });

export enum CompanySize {
  SIZE_1_10 = 'SIZE_1_10',
  SIZE_11_50 = 'SIZE_11_50',
  SIZE_51_200 = 'SIZE_51_200',
  SIZE_201_1000 = 'SIZE_201_1000',
  SIZE_1001_5000 = 'SIZE_1001_5000',
  SIZE_5001_PLUS = 'SIZE_5001_PLUS',
}
registerEnumType(CompanySize, { name: 'CompanySize', description: 'Head count bands.' });

@ObjectType({ description: 'A person or an organization that buys from the tenant.' })
@Entity({ tableName: 'customer' })
export class Customer {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Field(() => String, { nullable: true, description: 'Your system’s id for this customer; unique per tenant.' })
  @Property({ type: 'string', nullable: true })
  externalId: string | null = null;

  @Field(() => CustomerKind)
  @Enum({ items: () => CustomerKind })
  kind: CustomerKind = CustomerKind.PERSON;

  @Field(() => String)
  @Property({ type: 'string' })
  name!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', nullable: true })
  email: string | null = null;

  @Field(() => String, { nullable: true, description: 'E.164, e.g. +8613800138000.' })
  @Property({ type: 'string', nullable: true })
  phone: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', nullable: true })
  company: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', nullable: true })
  title: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', nullable: true })
  industry: string | null = null;

  @Field(() => CompanySize, { nullable: true })
  @Enum({ items: () => CompanySize, nullable: true })
  companySize: CompanySize | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', nullable: true })
  region: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', nullable: true })
  city: string | null = null;

  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2.' })
  @Property({ type: 'string', nullable: true })
  country: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', nullable: true })
  address: string | null = null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD.' })
  @Property({ type: 'date', nullable: true })
  birthDate: string | null = null;

  @Field(() => Gender, { nullable: true })
  @Enum({ items: () => Gender, nullable: true })
  gender: Gender | null = null;

  @Field(() => String, { nullable: true, description: 'Campaign, referrer or event the customer came from.' })
  @Property({ type: 'string', nullable: true })
  acquisitionSource: string | null = null;

  @Field(() => Channel, { nullable: true })
  @Enum({ items: () => Channel, nullable: true })
  acquisitionChannel: Channel | null = null;

  @Field(() => String, { nullable: true, description: 'The account manager who owns the relationship.' })
  @Property({ type: 'string', nullable: true })
  owner: string | null = null;

  @Field(() => [String])
  @Property({ type: 'json' })
  tags: string[] = [];

  @Field(() => GraphQLJSONObject, { description: 'Values for the tenant’s custom field definitions, keyed by field key.' })
  @Property({ type: 'json' })
  customAttributes: Record<string, unknown> = {};

  @Field(() => Boolean)
  @Property({ type: 'boolean' })
  marketingConsent: boolean = false;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  notes: string | null = null;

  @Field(() => Date, { nullable: true, description: 'Set when archived; archived customers are hidden unless asked for.' })
  @Property({ type: 'datetime', nullable: true })
  archivedAt: Date | null = null;

  /** Set on a duplicate that was merged into another customer. */
  @Field(() => ID, { nullable: true })
  @Property({ type: 'uuid', nullable: true })
  mergedIntoId: string | null = null;

  @Field(() => Int, { description: 'Increments on every change; pass it back to updateCustomer.' })
  @Property({ type: 'integer', version: true })
  version: number = 1;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
