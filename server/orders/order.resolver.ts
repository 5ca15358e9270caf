import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { WRITE } from '../auth/auth-checker.js';
import type { Context } from '../context.js';
import { Customer } from '../customers/customer.entity.js';
import { customersByIds } from '../customers/customer.service.js';
import { PageArgs } from '../graphql/connection.js';
import { Money } from '../graphql/scalars.js';
import { fromUnits, lineTotal } from './money.js';
import { Order } from './order.entity.js';
import { LineItem, OrderConnection, OrderFilter, RecordOrderInput } from './order.inputs.js';
import { listOrders, ORDER_READS, orderCountLoader, orderPageRequest, orderPagesFor, ordersWithCustomers, recordOrder } from './order.service.js';
import { connectionColumns } from '../graphql/columns.js';

type OrderPage = InstanceType<typeof OrderConnection>;

@Resolver(() => Order)
export class OrderResolver {
  @Query(() => OrderConnection, { description: 'All of the tenant’s orders, newest first.' })
  orders(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => OrderFilter, { nullable: true }) filter: OrderFilter | null,
    @Ctx() ctx: Context,
  ) {
    return listOrders(ctx.em, ctx.principal.tenantId, filter, page);
  }

  @FieldResolver(() => Money)
  total(@Root() order: Order): Money {
    return Money.of(order.totalAmount, order.currency);
  }

  @FieldResolver(() => [LineItem])
  lineItems(@Root() order: Order): LineItem[] {
    return order.lineItems.map((line) =>
      Object.assign(new LineItem(), {
        ...line,
        unitPrice: Money.of(line.unitPrice, order.currency),
        total: Money.of(fromUnits(lineTotal(line.quantity, line.unitPrice)), order.currency),
      }),
    );
  }

  @FieldResolver(() => Customer, { nullable: true })
  customer(@Root() order: Order, @Ctx() ctx: Context) {
    return ctx.loaders
      .get<string, Customer | null>('customer.byId', (ids) => customersByIds(ctx.em, ctx.principal.tenantId, ids))
      .load(order.customerId);
  }

  @Authorized(WRITE)
  @Mutation(() => Order, { description: 'A retry with the same idempotencyKey returns the first result.' })
  recordOrder(
    @Arg('input', () => RecordOrderInput) input: RecordOrderInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: Context,
  ) {
    return recordOrder(ctx.em, ctx.principal, input, idempotencyKey);
  }
}

@Resolver(() => Customer)
export class CustomerOrdersResolver {
  @FieldResolver(() => OrderConnection, { description: 'Newest first; batched across the customers of a page.' })
  orders(
    @Root() customer: Customer,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => OrderFilter, { nullable: true }) filter: OrderFilter | null,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): OrderPage | Promise<OrderPage> {
    // Read with the customer (ordersWithCustomers), or else batched across the customers.
    const read = ordersWithCustomers.read(customer, info.fieldNodes[0]);
    if (read) return read;
    const { em, principal, loaders } = ctx;
    return loaders
      .forField(info, () => {
        const request = orderPageRequest(page);
        // Only the columns the selection reads; the column list is part of the loader key (aliases).
        const columns = connectionColumns(em, Order, info, ORDER_READS);
        const counts = orderCountLoader(ctx, filter);
        return loaders.get<string, OrderPage>(`customer.orders:${JSON.stringify([page, filter, columns])}`, (ids) =>
          orderPagesFor(em, principal.tenantId, ids, filter, request, (id) => counts.load(id), columns),
        );
      })
      .load(customer.id);
  }
}
