import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { UserError } from '../customers/customer.inputs.js';
import { Channel } from '../graphql/enums.js';
import { DecimalScalar } from '../graphql/scalars.js';
import { Order, OrderStatus } from './order.entity.js';
import { LineItemInput } from './order.inputs.js';

@InputType({ description: 'One order of a bulk import. Give the customer by customerId or by customerExternalId.' })
export class ImportOrderInput {
  @Field(() => String, { description: 'Your order id: a row whose externalId was imported before is reported EXISTING and not changed.' })
  externalId!: string;
  @Field(() => ID, { nullable: true }) customerId?: string | null;
  @Field(() => String, { nullable: true, description: 'The customer’s externalId (see upsertCustomers).' }) customerExternalId?: string | null;
  @Field(() => Date, { description: 'When the order was placed; not in the future.' }) occurredAt!: Date;
  @Field(() => DecimalScalar, { nullable: true, description: 'Order total; defaults to the sum of the line items.' }) total?: string | null;
  @Field(() => String, { nullable: true, description: 'ISO 4217; defaults to the tenant’s currency.' }) currency?: string | null;
  @Field(() => OrderStatus, { nullable: true, defaultValue: OrderStatus.PAID }) status?: OrderStatus;
  @Field(() => Channel, { nullable: true }) channel?: Channel | null;
  @Field(() => [LineItemInput], { nullable: true }) lineItems?: LineItemInput[] | null;
}

export enum ImportOutcome {
  CREATED = 'CREATED',
  EXISTING = 'EXISTING',
  FAILED = 'FAILED',
}
registerEnumType(ImportOutcome, {
  name: 'ImportOutcome',
  description: 'CREATED: stored now. EXISTING: an order with this externalId was already there (unchanged). FAILED: see errors.',
});

@ObjectType({ description: 'What happened to one row of importOrders.' })
export class ImportOrderResult {
  @Field(() => Int, { description: 'Position of the row in the input.' }) index!: number;
  @Field(() => String, { nullable: true }) externalId!: string | null;
  @Field(() => ImportOutcome) outcome!: ImportOutcome;
  @Field(() => Order, { nullable: true }) order!: Order | null;
  @Field(() => [UserError], { description: 'Paths like input.3.total.' }) errors!: UserError[];
}
