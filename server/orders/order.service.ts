import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Principal } from '../auth/keys.service.js';
import type { Em } from '../db/orm.js';
import { newId } from '../db/ids.js';
import { queryPrepared } from '../db/prepared.js';
import { buildConnection, pageRequest, type PageArgs, type PageRequest } from '../graphql/connection.js';
import { ConflictError, InputErrors, NotFoundError } from '../graphql/errors.js';
import { onceCte, onceOutcome, type OnceOptions } from '../graphql/idempotency.js';
import { countPerParent, countRows, fetchPage, fetchPagesPerParent } from '../graphql/keyset-query.js';
import { columnsFor, connectionItemFields, type ColumnReads } from '../graphql/columns.js';
import { firstPageJoin } from '../graphql/first-page-join.js';
import type { Loaders } from '../context.js';
import { compileFilter, sql, type FieldSpec, type Sql, type SqlSortKey } from '../graphql/sql.js';
import { checkCurrency, checkDateTime, checkId, checkIdempotencyKey, checkText, LIMITS } from '../graphql/validate.js';
import { fromUnits, lineTotal, toUnits } from './money.js';
import { Order, OrderStatus, type StoredLineItem } from './order.entity.js';
import { OrderConnection, type OrderFilter, type RecordOrderInput } from './order.inputs.js';

const FIELDS: Record<string, FieldSpec> = {
  status: { expr: 't.status', kind: 'enum' },
  channel: { expr: 't.channel', kind: 'enum' },
  occurredAt: { expr: 't.occurred_at', kind: 'date' },
  total: { expr: 't.total_amount', kind: 'decimal' },
  currency: { expr: 't.currency', kind: 'string' },
  externalId: { expr: 't.external_id', kind: 'string' },
  customerId: { expr: 't.customer_id', kind: 'id' },
};

const NEWEST_FIRST: SqlSortKey[] = [{ expr: 't.occurred_at', prop: 'occurredAt', desc: true, kind: 'date' }];
export const MAX_LINE_ITEMS = 500;
/** numeric(19, 4) holds amounts below 10^15: anything larger is refused, never an SQL overflow. */
const MAX_AMOUNT_UNITS = 10n ** 19n - 1n;

/**
 * Called after an order is stored (the metrics feature re-scores the customer here), with the
 * tenant as the request's key read it.
 */
export const orderRecordedHooks: ((em: Em, tenantId: string, customerIds: string[], tenant?: Principal['tenant']) => Promise<void>)[] = [];

export async function runOrderRecordedHooks(em: Em, tenantId: string, customerIds: string[], tenant?: Principal['tenant']): Promise<void> {
  for (const hook of orderRecordedHooks) await hook(em, tenantId, customerIds, tenant);
}

export async function listOrders(em: Em, tenantId: string, filter: OrderFilter | null | undefined, page: PageArgs) {
  const request = pageRequest(page, 2);
  const where = compileFilter(filter, FIELDS);
  const rows = await fetchPage(em, { entity: Order, table: 'customer_order', tenantId, where, keys: NEWEST_FIRST, request });
  return buildConnection(OrderConnection, rows, request, NEWEST_FIRST, () => countRows(em, 'customer_order', tenantId, where));
}

export async function orderPagesFor(
  em: Em,
  tenantId: string,
  customerIds: readonly string[],
  filter: OrderFilter | null | undefined,
  request: PageRequest,
  countLoader: (customerId: string) => Promise<number>,
  /** Only these columns (see columnsFor); default all. */
  columns?: readonly string[] | null,
) {
  const where = compileFilter(filter, FIELDS);
  const pages = await fetchPagesPerParent(em, {
    entity: Order, table: 'customer_order', tenantId, where, keys: NEWEST_FIRST, request, parentColumn: 'customer_id', parentIds: customerIds, columns,
  });
  return pages.map((rows, i) => buildConnection(OrderConnection, rows, request, NEWEST_FIRST, () => countLoader(customerIds[i])));
}

export function orderCountsFor(em: Em, tenantId: string, customerIds: readonly string[], filter: OrderFilter | null | undefined) {
  return countPerParent(em, 'customer_order', 'customer_id', tenantId, customerIds, compileFilter(filter, FIELDS));
}

/** The request's loader of order counts per customer (`totalCount`) for `filter`. */
export function orderCountLoader(ctx: { em: Em; principal: Principal; loaders: Loaders }, filter: OrderFilter | null | undefined) {
  return ctx.loaders.get<string, number>(`customer.orders.count:${JSON.stringify(filter ?? null)}`, (ids) =>
    orderCountsFor(ctx.em, ctx.principal.tenantId, ids, filter),
  );
}

/**
 * What a page of orders reads for the fields it selects (columnsFor): a card's five orders skip
 * their line items (JSON) and bookkeeping columns unless asked.
 */
export const ORDER_READS: ColumnReads = {
  always: ['id', 'customerId'],
  resolvers: { total: ['totalAmount', 'currency'], lineItems: ['lineItems', 'currency'], customer: ['customerId'] },
};

/**
 * Customers (a page, or one) read the first page of one `orders` field in their own statement
 * (customerJoins, firstPageJoin): one statement less, and Customer.orders answers at once.
 */
export const ordersWithCustomers = firstPageJoin({
  parentType: 'Customer',
  field: 'orders',
  entity: Order,
  table: 'customer_order',
  parentColumn: 'customer_id',
  alias: 'po',
  keys: NEWEST_FIRST,
  connection: OrderConnection,
  pageRequest: (page) => orderPageRequest(page),
  columns: (em, field) => columnsFor(em, Order, connectionItemFields(field.paths), ORDER_READS),
  count: (request, customerId) => orderCountLoader(request, null).load(customerId),
});

export function orderPageRequest(page: PageArgs): PageRequest {
  return pageRequest(page, 2);
}

export interface NormalizedOrder {
  externalId: string | null;
  occurredAt: Date;
  totalAmount: string;
  currency: string;
  status: OrderStatus;
  channel: RecordOrderInput['channel'];
  lineItems: StoredLineItem[];
}

/** Validates an order (money exact, never negative; dates sane) and fills defaults. */
export function normalizeOrder(errors: InputErrors, path: string, input: Omit<RecordOrderInput, 'customerId'>, defaultCurrency: string): NormalizedOrder {
  const externalId = checkText(errors, `${path}.externalId`, input.externalId, LIMITS.shortText) ?? null;
  checkDateTime(errors, `${path}.occurredAt`, input.occurredAt, { allowFuture: false });
  const currency = checkCurrency(errors, `${path}.currency`, input.currency ?? defaultCurrency);
  const lines = input.lineItems ?? [];
  if (lines.length > MAX_LINE_ITEMS) errors.add(`${path}.lineItems`, `takes at most ${MAX_LINE_ITEMS} lines`);
  let sum = 0n;
  const lineItems: StoredLineItem[] = lines.map((line, i) => {
    const lp = `${path}.lineItems.${i}`;
    const sku = checkText(errors, `${lp}.sku`, line.sku, 100, { required: true }) as string;
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > 1_000_000) {
      errors.add(`${lp}.quantity`, 'must be a whole number from 1 to 1000000');
    }
    if (toUnits(line.unitPrice) < 0n) errors.add(`${lp}.unitPrice`, 'must not be negative');
    else sum += lineTotal(line.quantity, line.unitPrice);
    return {
      sku,
      name: checkText(errors, `${lp}.name`, line.name, LIMITS.shortText) ?? null,
      category: checkText(errors, `${lp}.category`, line.category, 100) ?? null,
      quantity: line.quantity,
      unitPrice: fromUnits(toUnits(line.unitPrice)),
    };
  });
  let totalAmount: string;
  if (input.total != null) {
    if (toUnits(input.total) < 0n) errors.add(`${path}.total`, 'must not be negative');
    totalAmount = fromUnits(toUnits(input.total));
  } else if (lines.length) {
    if (sum > MAX_AMOUNT_UNITS) errors.add(`${path}.lineItems`, 'add up to more than the largest storable total (999999999999999.9999)');
    totalAmount = fromUnits(sum);
  } else {
    errors.add(`${path}.total`, 'is required when there are no line items');
    totalAmount = '0';
  }
  return {
    externalId,
    occurredAt: input.occurredAt ?? new Date(),
    totalAmount,
    currency,
    status: input.status ?? OrderStatus.PAID,
    channel: input.channel ?? null,
    lineItems,
  };
}

/** Every column of customer_order, in table order (as `returning *` gives them). */
const ORDER_COLUMNS = 'id, tenant_id, customer_id, external_id, occurred_at, total_amount, currency, status, channel, line_items, created_at';

interface StoredOrderRow {
  customers_found: number;
  rec_result_id: string | null;
  rec_request_hash: string | null;
  /** The order's columns: null when the answer is a first order this statement could not see yet. */
  id: string | null;
  [column: string]: unknown;
}

/**
 * Stores an order in ONE statement (no transaction round trips): the customer check, the
 * idempotency record and the order (see `onceCte`). It answers with whether the customer exists,
 * the idempotency record, and the order that answers the request: the new one, or on a retry the
 * first one (unless that one committed after this statement began: then it is read on its own).
 * Two orders with one externalId meet on the unique constraint, which fails the whole statement.
 */
async function storeOrder(em: Em, once: OnceOptions, customerId: string, order: NormalizedOrder): Promise<StoredOrderRow> {
  const { tenantId } = once;
  const values = sql(
    'select ?::uuid, ?::uuid, ?::uuid, ?, ?::timestamptz, ?::numeric, ?, ?, ?, ?::jsonb, ?::timestamptz',
    [once.id, tenantId, customerId, order.externalId, order.occurredAt.toISOString(), order.totalAmount, order.currency, order.status,
      order.channel, JSON.stringify(order.lineItems), new Date().toISOString()],
  );
  const customer = sql('c as (select id from customer where tenant_id = ? and id = ?)', [tenantId, customerId]);
  const statement = once.key == null
    ? sql(
      `with ${customer.text},
       o as (insert into customer_order (${ORDER_COLUMNS}) ${values.text} from c returning *)
       select (select count(*) from c)::int as customers_found, null as rec_result_id, null as rec_request_hash, o.*
         from (select 1) as one left join o on true`,
      [...customer.params, ...values.params],
    )
    : joinParts([
      sql(`with ${customer.text},`, customer.params),
      onceCte({ ...once, key: once.key }, 'c'),
      sql(`, o as (insert into customer_order (${ORDER_COLUMNS}) ${values.text} from rec where rec.result_id = ?::uuid returning *)
       select (select count(*) from c)::int as customers_found, rec.result_id as rec_result_id, rec.request_hash as rec_request_hash, x.*
         from (select 1) as one
         left join rec on true
         left join (select * from o union all select e.* from customer_order e join rec on e.tenant_id = ? and e.id = rec.result_id) as x on true`,
      [...values.params, once.id, tenantId]),
    ]);
  // Prepared: every order runs one of these two texts, so PostgreSQL parses and plans it once per connection.
  const [row] = await queryPrepared<StoredOrderRow>(em, statement.text, statement.params);
  return row;
}

const joinParts = (parts: Sql[]): Sql => ({ text: parts.map((p) => p.text).join('\n'), params: parts.flatMap((p) => p.params) });

export async function recordOrder(
  em: Em,
  principal: Principal,
  input: RecordOrderInput,
  idempotencyKey: string | null | undefined,
): Promise<Order> {
  const errors = new InputErrors();
  checkIdempotencyKey(errors, 'idempotencyKey', idempotencyKey);
  const order = normalizeOrder(errors, 'input', input, principal.tenant.defaultCurrency);
  errors.throwIfAny();
  checkId(input.customerId, 'input.customerId');
  const tenantId = principal.tenantId;
  const once: OnceOptions = { tenantId, scope: 'recordOrder', key: idempotencyKey, request: input, id: newId() };
  const row = await storeOrder(em, once, input.customerId, order).catch((error) => {
    if (order.externalId && error instanceof UniqueConstraintViolationException && /external_id/.test(error.message)) {
      throw new ConflictError(`An order with externalId "${order.externalId}" already exists`, { path: 'input.externalId' });
    }
    throw error;
  });
  if (!row.customers_found) throw new NotFoundError('Customer', input.customerId);
  const { id, created } = row.rec_result_id
    ? onceOutcome(once, { result_id: row.rec_result_id, request_hash: row.rec_request_hash! })
    : { id: once.id, created: true };
  if (created) await runOrderRecordedHooks(em, tenantId, [input.customerId], principal.tenant);
  const { customers_found: _found, rec_result_id: _id, rec_request_hash: _hash, ...columns } = row;
  const stored = columns.id ? em.map(Order, columns as never) : await em.findOne(Order, { tenantId, id });
  if (!stored) throw new NotFoundError('Order', id);
  return stored;
}
