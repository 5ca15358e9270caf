import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Channel, SortDirection } from '../graphql/enums.js';
import { DateTimeFilter, enumFilter, IntFilter, StringFilter } from '../graphql/filters.js';
import { CompanySize, CustomerKind, Gender } from './customer.entity.js';
import { CustomerMetricsFilter } from '../metrics/metrics.inputs.js';
import { CustomFieldType } from './custom-field.entity.js';

/** Fields every customer write may carry. `null` clears a field on update. */
@InputType()
abstract class CustomerFields {
  @Field(() => String, { nullable: true, description: 'At most 200 characters.' }) name?: string | null;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true, description: 'E.164 or a national form of the customer’s (or tenant’s) country.' }) phone?: string | null;
  @Field(() => String, { nullable: true }) company?: string | null;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) industry?: string | null;
  @Field(() => CompanySize, { nullable: true }) companySize?: CompanySize | null;
  @Field(() => String, { nullable: true }) region?: string | null;
  @Field(() => String, { nullable: true }) city?: string | null;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2.' }) country?: string | null;
  @Field(() => String, { nullable: true }) address?: string | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD.' }) birthDate?: string | null;
  @Field(() => Gender, { nullable: true }) gender?: Gender | null;
  @Field(() => String, { nullable: true }) acquisitionSource?: string | null;
  @Field(() => Channel, { nullable: true }) acquisitionChannel?: Channel | null;
  @Field(() => String, { nullable: true }) owner?: string | null;
  @Field(() => [String], { nullable: true }) tags?: string[] | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Validated against the tenant’s custom field definitions; keys set to null are removed.' })
  customAttributes?: Record<string, unknown> | null;
  @Field(() => Boolean, { nullable: true }) marketingConsent?: boolean | null;
  @Field(() => String, { nullable: true, description: 'At most 10,000 characters.' }) notes?: string | null;
}

@InputType()
export class CreateCustomerInput extends CustomerFields {
  @Field(() => CustomerKind, { nullable: true, defaultValue: CustomerKind.PERSON }) kind?: CustomerKind;
  @Field(() => String, { description: 'At most 200 characters.' }) declare name: string;
  @Field(() => String, { nullable: true }) externalId?: string | null;
}

@InputType()
export class UpdateCustomerInput extends CustomerFields {
  @Field(() => CustomerKind, { nullable: true }) kind?: CustomerKind | null;
  @Field(() => String, { nullable: true }) externalId?: string | null;
}

@InputType({ description: 'A row of a bulk upsert: matched by externalId, created when new.' })
export class UpsertCustomerInput extends CustomerFields {
  @Field(() => String) externalId!: string;
  @Field(() => CustomerKind, { nullable: true }) kind?: CustomerKind | null;
}

export const CustomerKindFilter = enumFilter<CustomerKind>(CustomerKind, 'CustomerKind');
export const GenderFilter = enumFilter<Gender>(Gender, 'Gender');
export const CompanySizeFilter = enumFilter<CompanySize>(CompanySize, 'CompanySize');

@InputType({ description: 'Combine fields (all must hold) or use and / or / not.' })
export class CustomerFilter {
  @Field(() => String, { nullable: true, description: 'Case-insensitive match on name, email, phone or company (any language).' })
  search?: string;
  @Field(() => CustomerKindFilter, { nullable: true }) kind?: InstanceType<typeof CustomerKindFilter>;
  @Field(() => StringFilter, { nullable: true }) name?: StringFilter;
  @Field(() => StringFilter, { nullable: true }) email?: StringFilter;
  @Field(() => StringFilter, { nullable: true }) phone?: StringFilter;
  @Field(() => StringFilter, { nullable: true }) company?: StringFilter;
  @Field(() => StringFilter, { nullable: true }) industry?: StringFilter;
  @Field(() => StringFilter, { nullable: true }) region?: StringFilter;
  @Field(() => StringFilter, { nullable: true }) city?: StringFilter;
  @Field(() => StringFilter, { nullable: true }) country?: StringFilter;
  @Field(() => StringFilter, { nullable: true }) owner?: StringFilter;
  @Field(() => StringFilter, { nullable: true }) externalId?: StringFilter;
  @Field(() => StringFilter, { nullable: true }) acquisitionSource?: StringFilter;
  @Field(() => [String], { nullable: true, description: 'Customers carrying every one of these tags.' }) tags?: string[];
  @Field(() => DateTimeFilter, { nullable: true }) createdAt?: DateTimeFilter;
  @Field(() => DateTimeFilter, { nullable: true }) updatedAt?: DateTimeFilter;
  @Field(() => GenderFilter, { nullable: true }) gender?: InstanceType<typeof GenderFilter>;
  @Field(() => CompanySizeFilter, { nullable: true }) companySize?: InstanceType<typeof CompanySizeFilter>;
  @Field(() => IntFilter, { nullable: true, description: 'Age in whole years today, from birthDate (customers without one match no comparison).' }) age?: IntFilter;
  @Field(() => IntFilter, { nullable: true, description: 'Number of orders, any status.' }) orderCount?: IntFilter;
  @Field(() => DateTimeFilter, { nullable: true, description: 'Time of the latest order (null when none).' }) lastOrderAt?: DateTimeFilter;
  @Field(() => DateTimeFilter, { nullable: true, description: 'Time of the latest interaction (null when none).' }) lastInteractionAt?: DateTimeFilter;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Customers whose custom attributes include every one of these key/value pairs, e.g. { "plan": "gold" }.' })
  customAttributes?: Record<string, unknown>;
  @Field(() => Boolean, { nullable: true, description: 'true: only archived; false (default): only active.' }) archived?: boolean;
  @Field(() => CustomerMetricsFilter, { nullable: true, description: 'Conditions on customer.metrics (value, churn risk, lifecycle, RFM).' })
  metrics?: CustomerMetricsFilter;
  @Field(() => [CustomerFilter], { nullable: true }) and?: CustomerFilter[];
  @Field(() => [CustomerFilter], { nullable: true }) or?: CustomerFilter[];
  @Field(() => CustomerFilter, { nullable: true }) not?: CustomerFilter;
}

export enum CustomerSortField {
  NAME = 'NAME',
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
  // Customer value metrics (server/metrics): customers without metrics sort last when descending.
  PREDICTED_CLV = 'PREDICTED_CLV',
  HISTORIC_VALUE = 'HISTORIC_VALUE',
  VALUE_AT_RISK = 'VALUE_AT_RISK',
  P_ALIVE = 'P_ALIVE',
  CHURN_SCORE = 'CHURN_SCORE',
  HEALTH_SCORE = 'HEALTH_SCORE',
}
registerEnumType(CustomerSortField, { name: 'CustomerSortField' });

@InputType()
export class CustomerOrder {
  @Field(() => CustomerSortField) field!: CustomerSortField;
  @Field(() => SortDirection, { defaultValue: SortDirection.ASC }) direction!: SortDirection;
}

@InputType()
export class CreateContactInput {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true }) phone?: string | null;
  @Field(() => Boolean, { nullable: true }) isPrimary?: boolean | null;
}

@InputType()
export class UpdateContactInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true }) phone?: string | null;
  @Field(() => Boolean, { nullable: true }) isPrimary?: boolean | null;
}

@InputType()
export class CustomFieldDefinitionInput {
  @Field(() => String) key!: string;
  @Field(() => String) label!: string;
  @Field(() => CustomFieldType) type!: CustomFieldType;
  @Field(() => [String], { nullable: true, description: 'Required for ENUM.' }) options?: string[] | null;
  @Field(() => Boolean, { nullable: true }) required?: boolean | null;
}

@ObjectType({ description: 'One problem with one input field.' })
export class UserError {
  @Field(() => String) path!: string;
  @Field(() => String) message!: string;
}

export enum UpsertOutcome {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  FAILED = 'FAILED',
}
registerEnumType(UpsertOutcome, { name: 'UpsertOutcome' });

@ObjectType()
export class CustomerMergeRecord {
  @Field(() => ID) id!: string;
  @Field(() => ID) survivorId!: string;
  @Field(() => ID) mergedId!: string;
  @Field(() => Int) movedContacts!: number;
  @Field(() => Int) movedInteractions!: number;
  @Field(() => Int) movedOrders!: number;
  @Field(() => GraphQLJSONObject, { description: 'Rows of other kinds that moved, by table (feedback, service_case, …).' }) movedOther!: Record<string, number>;
  @Field(() => GraphQLJSONObject, { description: 'The merged customer as it was before the merge.' }) snapshot!: Record<string, unknown>;
  @Field(() => Date) mergedAt!: Date;
}
