import { Field, Int, ObjectType } from 'type-graphql';
import type { ColumnReads } from '../graphql/columns.js';
import { connectionType } from '../graphql/connection.js';
import { Contact } from './contact.entity.js';
import { Customer } from './customer.entity.js';
import { CustomerMergeRecord, UpsertOutcome, UserError } from './customer.inputs.js';

export const CustomerConnection = connectionType(Customer, 'Customer');

/**
 * What a page of customers reads for the fields it selects (columnsFor): the fields other features
 * resolve on Customer each read only the customer's id. A field missing here makes the page read
 * every column again, nothing worse.
 */
export const CUSTOMER_READS: ColumnReads = {
  always: ['id'],
  resolvers: Object.fromEntries(
    ['contacts', 'merges', 'metrics', 'interactions', 'orders', 'segments', 'tier', 'tierHistory', 'timeline'].map((field) => [field, ['id']]),
  ),
};

@ObjectType({ description: 'What happened to one row of upsertCustomers.' })
export class UpsertCustomerResult {
  @Field(() => Int, { description: 'Position of the row in the input.' }) index!: number;
  @Field(() => String, { nullable: true }) externalId!: string | null;
  @Field(() => UpsertOutcome) outcome!: UpsertOutcome;
  @Field(() => Customer, { nullable: true }) customer!: Customer | null;
  @Field(() => [UserError]) errors!: UserError[];
}

@ObjectType()
export class MergeCustomersPayload {
  @Field(() => Customer) survivor!: Customer;
  @Field(() => [CustomerMergeRecord]) merges!: CustomerMergeRecord[];
}

@ObjectType()
export class RemoveContactPayload {
  @Field(() => String) removedId!: string;
  @Field(() => [Contact], { description: 'The customer’s remaining contacts.' }) contacts!: Contact[];
}
