import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CustomerFilter } from '../customers/customer.inputs.js';
import { DecimalScalar } from '../graphql/scalars.js';

@ObjectType({ description: 'One rule of the tier policy: customers matching `rule` (and no earlier rule) get `tier`.' })
export class TierRule {
  @Field(() => String) tier!: string;
  @Field(() => GraphQLJSONObject, { description: 'A CustomerFilter; {} matches every customer.' }) rule!: Record<string, unknown>;
}

@ObjectType({ description: 'Ordered rules; the first match wins. Customers matching none have no tier.' })
export class TierPolicy {
  @Field(() => [TierRule]) rules!: TierRule[];
  @Field(() => Boolean, { description: 'true while the tenant uses the built-in policy (VIP, REGULAR, POTENTIAL, LOW_VALUE from the value metrics).' })
  isDefault!: boolean;
  @Field(() => Date, { nullable: true }) updatedAt!: Date | null;
}

@InputType()
export class TierRuleInput {
  @Field(() => String, { description: 'Upper-case letters, digits and _, e.g. VIP.' }) tier!: string;
  @Field(() => CustomerFilter) rule!: CustomerFilter;
}

@ObjectType()
export class TierOverride {
  @Field(() => String) tier!: string;
  @Field(() => String) reason!: string;
  @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
  @Field(() => Date) setAt!: Date;
}

@ObjectType({ description: 'A customer’s tier: the manual override while it lasts, else the one the policy computed.' })
export class CustomerTier {
  customerId!: string;
  @Field(() => String, { nullable: true }) tier!: string | null;
  @Field(() => String, { nullable: true }) computedTier!: string | null;
  @Field(() => TierOverride, { nullable: true, description: 'The active override (expired ones are not shown).' }) override!: TierOverride | null;
  @Field(() => Date, { description: 'When the computed tier last changed.' }) computedAt!: Date;
}

export enum TierChangeSource {
  COMPUTED = 'COMPUTED',
  OVERRIDE = 'OVERRIDE',
  OVERRIDE_CLEARED = 'OVERRIDE_CLEARED',
}
registerEnumType(TierChangeSource, { name: 'TierChangeSource' });

@ObjectType()
export class TierChange {
  @Field(() => Date) occurredAt!: Date;
  @Field(() => TierChangeSource) source!: TierChangeSource;
  @Field(() => String, { nullable: true }) fromTier!: string | null;
  @Field(() => String, { nullable: true }) toTier!: string | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
}

@ObjectType()
export class TierDistributionEntry {
  @Field(() => String, { nullable: true, description: 'null: customers with no tier.' }) tier!: string | null;
  @Field(() => Int) customers!: number;
  @Field(() => Float) customerShare!: number;
  @Field(() => DecimalScalar, { description: 'Historic spend of these customers (customer metrics), in `currency`.' }) revenue!: string;
  @Field(() => Float, { nullable: true }) revenueShare!: number | null;
  @Field(() => String) currency!: string;
}

@ObjectType()
export class TierRefreshResult {
  @Field(() => Int, { description: 'Active customers evaluated.' }) customers!: number;
  @Field(() => Int, { description: 'Customers whose computed tier changed.' }) changed!: number;
}
