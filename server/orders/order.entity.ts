import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../db/ids.js';
import { Channel } from '../graphql/enums.js';

export enum OrderStatus {
  PENDING = 'PENDING',
  PAID = 'PAID',
  FULFILLED = 'FULFILLED',
  CANCELLED = 'CANCELLED',
  REFUNDED = 'REFUNDED',
}
registerEnumType(OrderStatus, {
  name: 'OrderStatus',
  description: 'CANCELLED and REFUNDED orders do not count towards value metrics.',
});

/** A line as stored: money as exact decimal strings. */
export interface StoredLineItem {
  sku: string;
  name: string | null;
  category: string | null;
  quantity: number;
  unitPrice: string;
}

@ObjectType({ description: 'A purchase. Orders feed every value metric.' })
@Entity({ tableName: 'customer_order' })
export class Order {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Field(() => ID)
  @Property({ type: 'uuid' })
  customerId!: string;

  @Field(() => String, { nullable: true, description: 'Your system’s order id; unique per tenant.' })
  @Property({ type: 'string', nullable: true })
  externalId: string | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  occurredAt!: Date;

  /** Exact decimal, as a string. Exposed through `total: Money`. */
  @Property({ type: 'decimal', precision: 19, scale: 4 })
  totalAmount!: string;

  @Property({ type: 'string' })
  currency!: string;

  @Field(() => OrderStatus)
  @Enum({ items: () => OrderStatus })
  status: OrderStatus = OrderStatus.PAID;

  @Field(() => Channel, { nullable: true })
  @Enum({ items: () => Channel, nullable: true })
  channel: Channel | null = null;

  @Property({ type: 'json' })
  lineItems: StoredLineItem[] = [];

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
