import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Channel } from '../graphql/enums.js';
import { DateTimeFilter, DecimalFilter, enumFilter, IdFilter, StringFilter } from '../graphql/filters.js';
import { connectionType } from '../graphql/connection.js';
import { DecimalScalar, Money } from '../graphql/scalars.js';
import { Order, OrderStatus } from './order.entity.js';

export const OrderConnection = connectionType(Order, 'Order');
export const OrderStatusFilter = enumFilter<OrderStatus>(OrderStatus, 'OrderStatus');
const OrderChannelFilter = enumFilter<Channel>(Channel, 'OrderChannel');

@ObjectType()
export class LineItem {
  @Field(() => String) sku!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => String, { nullable: true }) category!: string | null;
  @Field(() => Int) quantity!: number;
  @Field(() => Money) unitPrice!: Money;
  @Field(() => Money, { description: 'quantity × unitPrice, exact.' }) total!: Money;
}

@InputType()
export class LineItemInput {
  @Field(() => String) sku!: string;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) category?: string | null;
  @Field(() => Int) quantity!: number;
  @Field(() => DecimalScalar) unitPrice!: string;
}

@InputType()
export class RecordOrderInput {
  @Field(() => ID) customerId!: string;
  @Field(() => String, { nullable: true, description: 'Your order id; unique per tenant.' }) externalId?: string | null;
  @Field(() => Date, { nullable: true, description: 'Defaults to now.' }) occurredAt?: Date | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'Order total; defaults to the sum of the line items.' }) total?: string | null;
  @Field(() => String, { nullable: true, description: 'ISO 4217; defaults to the tenant’s currency.' }) currency?: string | null;
  @Field(() => OrderStatus, { nullable: true, defaultValue: OrderStatus.PAID }) status?: OrderStatus;
  @Field(() => Channel, { nullable: true }) channel?: Channel | null;
  @Field(() => [LineItemInput], { nullable: true }) lineItems?: LineItemInput[] | null;
}

@InputType()
export class OrderFilter {
  @Field(() => OrderStatusFilter, { nullable: true }) status?: InstanceType<typeof OrderStatusFilter>;
  @Field(() => OrderChannelFilter, { nullable: true }) channel?: InstanceType<typeof OrderChannelFilter>;
  @Field(() => DateTimeFilter, { nullable: true }) occurredAt?: DateTimeFilter;
  @Field(() => DecimalFilter, { nullable: true }) total?: DecimalFilter;
  @Field(() => StringFilter, { nullable: true }) currency?: StringFilter;
  @Field(() => StringFilter, { nullable: true }) externalId?: StringFilter;
  @Field(() => IdFilter, { nullable: true, description: 'Tenant-wide lists only.' }) customerId?: IdFilter;
  @Field(() => [OrderFilter], { nullable: true }) and?: OrderFilter[];
  @Field(() => [OrderFilter], { nullable: true }) or?: OrderFilter[];
  @Field(() => OrderFilter, { nullable: true }) not?: OrderFilter;
}
