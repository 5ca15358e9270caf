import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ADMIN, WRITE } from '../auth/auth-checker.js';
import type { Context } from '../context.js';
import { columnsFor, connectionColumns } from '../graphql/columns.js';
import { PageArgs } from '../graphql/connection.js';
import { childField, connectionItemField, selectedPaths, type SelectedField } from '../graphql/lookahead.js';
import { readOnlyEm } from '../graphql/keyset-query.js';
import { Contact } from './contact.entity.js';
import { contactsByCustomerIds, createContact, removeContact, updateContact } from './contact.service.js';
import { CustomFieldDefinition } from './custom-field.entity.js';
import { createDefinition, deleteDefinition, listDefinitions, updateDefinition } from './custom-fields.service.js';
import { Customer } from './customer.entity.js';
import {
  CreateContactInput, CreateCustomerInput, CustomerFilter, CustomerMergeRecord, CustomerOrder, CustomFieldDefinitionInput,
  UpdateContactInput, UpdateCustomerInput, UpsertCustomerInput,
} from './customer.inputs.js';
import {
  createCustomer, customerJoins, listCustomers, mergeCustomers, mergesOfMany, readCustomer, setArchived, updateCustomer, upsertCustomers,
  type CustomerJoin,
} from './customer.service.js';
import { CUSTOMER_READS, CustomerConnection, MergeCustomersPayload, RemoveContactPayload, UpsertCustomerResult } from './customer.types.js';

@Resolver(() => Customer)
export class CustomerResolver {
  @Query(() => Customer, { description: 'One customer; NOT_FOUND when this tenant has no such id.' })
  customer(@Arg('id', () => ID) id: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Customer> {
    // Only serialised (a query's read-only EntityManager): the columns its selection reads.
    const columns = columnsFor(ctx.em, Customer, selectedPaths(info, 1), CUSTOMER_READS);
    return readCustomer(readOnlyEm(ctx.em), ctx.principal.tenantId, id, 'id', joinsFor(ctx, info, (field) => childField(info, field)), columns);
  }

  @Query(() => CustomerConnection, { description: 'Customers, keyset-paginated. Archived ones only with filter.archived: true.' })
  customers(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => CustomerFilter, { nullable: true }) filter: CustomerFilter | null,
    @Arg('orderBy', () => [CustomerOrder], { nullable: true, description: 'Default: newest first.' }) orderBy: CustomerOrder[] | null,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    // A page is only serialised: plain rows (no entity hydration, the largest cost of a list
    // page) of only the columns its selection reads.
    const columns = connectionColumns(ctx.em, Customer, info, CUSTOMER_READS);
    const pageJoins = joinsFor(ctx, info, (field) => connectionItemField(info, field));
    return listCustomers(readOnlyEm(ctx.em), ctx.principal.tenantId, filter, orderBy, page, { columns, pageJoins });
  }

  @FieldResolver(() => [Contact])
  contacts(@Root() customer: Customer, @Ctx() ctx: Context): Promise<Contact[]> {
    return ctx.loaders
      .get<string, Contact[]>('customer.contacts', (ids) => contactsByCustomerIds(ctx.em, ctx.principal.tenantId, ids))
      .load(customer.id);
  }

  @FieldResolver(() => [CustomerMergeRecord], { description: 'Customers merged into this one, newest first.' })
  merges(@Root() customer: Customer, @Ctx() ctx: Context): Promise<CustomerMergeRecord[]> {
    return ctx.loaders
      .get<string, CustomerMergeRecord[]>('customer.merges', (ids) => mergesOfMany(ctx.em, ctx.principal.tenantId, ids))
      .load(customer.id);
  }

  @Authorized(WRITE)
  @Mutation(() => Customer, { description: 'A retry with the same idempotencyKey returns the first result.' })
  createCustomer(
    @Arg('input', () => CreateCustomerInput) input: CreateCustomerInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: Context,
  ): Promise<Customer> {
    return createCustomer(ctx.em, ctx.principal, input, idempotencyKey);
  }

  @Authorized(WRITE)
  @Mutation(() => Customer, { description: 'Fails with CONFLICT when `version` is not the current one.' })
  updateCustomer(
    @Arg('id', () => ID) id: string,
    @Arg('version', () => Int) version: number,
    @Arg('input', () => UpdateCustomerInput) input: UpdateCustomerInput,
    @Ctx() ctx: Context,
  ): Promise<Customer> {
    return updateCustomer(ctx.em, ctx.principal, id, version, input);
  }

  @Authorized(WRITE)
  @Mutation(() => Customer)
  archiveCustomer(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Customer> {
    return setArchived(ctx.em, ctx.principal, id, true);
  }

  @Authorized(WRITE)
  @Mutation(() => Customer)
  restoreCustomer(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Customer> {
    return setArchived(ctx.em, ctx.principal, id, false);
  }

  @Authorized(WRITE)
  @Mutation(() => [UpsertCustomerResult], { description: 'Up to 1,000 rows keyed by externalId; one result per row, in input order.' })
  upsertCustomers(
    @Arg('input', () => [UpsertCustomerInput]) input: UpsertCustomerInput[],
    @Ctx() ctx: Context,
  ): Promise<UpsertCustomerResult[]> {
    return upsertCustomers(ctx.em, ctx.principal, input);
  }

  @Authorized(WRITE)
  @Mutation(() => MergeCustomersPayload, {
    description: 'Moves the duplicates’ contacts, interactions and orders to the survivor and archives the duplicates.',
  })
  mergeCustomers(
    @Arg('survivorId', () => ID) survivorId: string,
    @Arg('duplicateIds', () => [ID]) duplicateIds: string[],
    @Ctx() ctx: Context,
  ): Promise<MergeCustomersPayload> {
    return mergeCustomers(ctx.em, ctx.principal, survivorId, duplicateIds);
  }

  @Authorized(WRITE)
  @Mutation(() => Contact)
  createContact(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('input', () => CreateContactInput) input: CreateContactInput,
    @Ctx() ctx: Context,
  ): Promise<Contact> {
    return createContact(ctx.em, ctx.principal, customerId, input);
  }

  @Authorized(WRITE)
  @Mutation(() => Contact)
  updateContact(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateContactInput) input: UpdateContactInput,
    @Ctx() ctx: Context,
  ): Promise<Contact> {
    return updateContact(ctx.em, ctx.principal, id, input);
  }

  @Authorized(WRITE)
  @Mutation(() => RemoveContactPayload)
  async removeContact(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<RemoveContactPayload> {
    const { removedId, customerId } = await removeContact(ctx.em, ctx.principal, id);
    const [contacts] = await contactsByCustomerIds(ctx.em, ctx.principal.tenantId, [customerId]);
    return Object.assign(new RemoveContactPayload(), { removedId, contacts });
  }
}

/** What other features read with the customers' own statement (customerJoins) for the fields the selection asks for. */
function joinsFor(ctx: Context, info: GraphQLResolveInfo, selected: (field: string) => SelectedField | null): CustomerJoin[] {
  const request = { em: readOnlyEm(ctx.em), principal: ctx.principal, loaders: ctx.loaders, info };
  return Object.entries(customerJoins).flatMap(([field, join]) => {
    const selection = selected(field);
    return (selection && join(request, selection)) || [];
  });
}

@Resolver(() => CustomFieldDefinition)
export class CustomFieldResolver {
  @Query(() => [CustomFieldDefinition])
  customFieldDefinitions(@Ctx() ctx: Context): Promise<CustomFieldDefinition[]> {
    return listDefinitions(ctx.em, ctx.principal.tenantId);
  }

  @Authorized(ADMIN)
  @Mutation(() => CustomFieldDefinition)
  createCustomFieldDefinition(@Arg('input', () => CustomFieldDefinitionInput) input: CustomFieldDefinitionInput, @Ctx() ctx: Context) {
    return createDefinition(ctx.em, ctx.principal.tenantId, input);
  }

  @Authorized(ADMIN)
  @Mutation(() => CustomFieldDefinition, { description: 'Key and type are fixed once created.' })
  updateCustomFieldDefinition(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => CustomFieldDefinitionInput) input: CustomFieldDefinitionInput,
    @Ctx() ctx: Context,
  ) {
    return updateDefinition(ctx.em, ctx.principal.tenantId, id, input);
  }

  @Authorized(ADMIN)
  @Mutation(() => ID, { description: 'Existing customers keep their stored values.' })
  deleteCustomFieldDefinition(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return deleteDefinition(ctx.em, ctx.principal.tenantId, id);
  }
}
