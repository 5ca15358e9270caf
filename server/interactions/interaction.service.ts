import type { Principal } from '../auth/keys.service.js';
import type { Em } from '../db/orm.js';
import { newId } from '../db/ids.js';
import { buildConnection, pageRequest, type PageArgs, type PageRequest } from '../graphql/connection.js';
import { InputErrors, NotFoundError } from '../graphql/errors.js';
import { createOnce } from '../graphql/idempotency.js';
import { columnsFor, connectionItemFields, type ColumnReads } from '../graphql/columns.js';
import type { Loaders } from '../context.js';
import { countPerParent, countRows, fetchPage, fetchPagesPerParent } from '../graphql/keyset-query.js';
import { firstPageJoin } from '../graphql/first-page-join.js';
import { compileFilter, type FieldSpec, type SqlSortKey } from '../graphql/sql.js';
import { checkDateTime, checkIdempotencyKey, checkText, LIMITS } from '../graphql/validate.js';
import { getCustomer } from '../customers/customer.service.js';
import { Direction, Interaction } from './interaction.entity.js';
import { InteractionConnection, type InteractionFilter, type LogInteractionInput } from './interaction.inputs.js';

const FIELDS: Record<string, FieldSpec> = {
  type: { expr: 't.type', kind: 'enum' },
  channel: { expr: 't.channel', kind: 'enum' },
  direction: { expr: 't.direction', kind: 'enum' },
  occurredAt: { expr: 't.occurred_at', kind: 'date' },
  customerId: { expr: 't.customer_id', kind: 'id' },
};

/** Newest first: the order every interaction list uses. */
const NEWEST_FIRST: SqlSortKey[] = [{ expr: 't.occurred_at', prop: 'occurredAt', desc: true, kind: 'date' }];

export async function listInteractions(em: Em, tenantId: string, filter: InteractionFilter | null | undefined, page: PageArgs) {
  const request = pageRequest(page, 2);
  const where = compileFilter(filter, FIELDS);
  const rows = await fetchPage(em, { entity: Interaction, table: 'interaction', tenantId, where, keys: NEWEST_FIRST, request });
  return buildConnection(InteractionConnection, rows, request, NEWEST_FIRST, () => countRows(em, 'interaction', tenantId, where));
}

/** Batch for `customer.interactions(...)`: one statement for every customer on the page. */
export async function interactionPagesFor(
  em: Em,
  tenantId: string,
  customerIds: readonly string[],
  filter: InteractionFilter | null | undefined,
  request: PageRequest,
  countLoader: (customerId: string) => Promise<number>,
  /** Only these columns (see columnsFor); default all. */
  columns?: readonly string[] | null,
) {
  const where = compileFilter(filter, FIELDS);
  const pages = await fetchPagesPerParent(em, {
    entity: Interaction, table: 'interaction', tenantId, where, keys: NEWEST_FIRST, request, parentColumn: 'customer_id', parentIds: customerIds, columns,
  });
  return pages.map((rows, i) => buildConnection(InteractionConnection, rows, request, NEWEST_FIRST, () => countLoader(customerIds[i])));
}

export function interactionCountsFor(em: Em, tenantId: string, customerIds: readonly string[], filter: InteractionFilter | null | undefined) {
  return countPerParent(em, 'interaction', 'customer_id', tenantId, customerIds, compileFilter(filter, FIELDS));
}

/** The request's loader of interaction counts per customer (`totalCount`) for `filter`. */
export function interactionCountLoader(ctx: { em: Em; principal: Principal; loaders: Loaders }, filter: InteractionFilter | null | undefined) {
  return ctx.loaders.get<string, number>(`customer.interactions.count:${JSON.stringify(filter ?? null)}`, (ids) =>
    interactionCountsFor(ctx.em, ctx.principal.tenantId, ids, filter),
  );
}

/** What a page of interactions reads for the fields it selects (columnsFor). */
export const INTERACTION_READS: ColumnReads = { always: ['id', 'customerId'], resolvers: { customer: ['customerId'] } };

/**
 * Customers (a page, or one) read the first page of one `interactions` field in their own
 * statement (customerJoins, firstPageJoin): one statement less, and Customer.interactions
 * answers at once.
 */
export const interactionsWithCustomers = firstPageJoin({
  parentType: 'Customer',
  field: 'interactions',
  entity: Interaction,
  table: 'interaction',
  parentColumn: 'customer_id',
  alias: 'pi',
  keys: NEWEST_FIRST,
  connection: InteractionConnection,
  pageRequest: (page) => interactionPageRequest(page),
  columns: (em, field) => columnsFor(em, Interaction, connectionItemFields(field.paths), INTERACTION_READS),
  count: (request, customerId) => interactionCountLoader(request, null).load(customerId),
});

export function interactionPageRequest(page: PageArgs): PageRequest {
  return pageRequest(page, 2);
}

export async function logInteraction(
  em: Em,
  principal: Principal,
  input: LogInteractionInput,
  idempotencyKey: string | null | undefined,
): Promise<Interaction> {
  const errors = new InputErrors();
  checkIdempotencyKey(errors, 'idempotencyKey', idempotencyKey);
  const subject = checkText(errors, 'input.subject', input.subject, LIMITS.shortText);
  const body = checkText(errors, 'input.body', input.body, LIMITS.notes);
  const outcome = checkText(errors, 'input.outcome', input.outcome, LIMITS.shortText);
  const agent = checkText(errors, 'input.agent', input.agent, LIMITS.shortText);
  checkDateTime(errors, 'input.occurredAt', input.occurredAt, { allowFuture: false });
  if (input.durationSeconds != null && (input.durationSeconds < 0 || input.durationSeconds > 7 * 24 * 3600)) {
    errors.add('input.durationSeconds', 'must be between 0 and 604800 (one week)');
  }
  errors.throwIfAny();
  await getCustomer(em, principal.tenantId, input.customerId, 'input.customerId');
  const { id } = await createOnce(
    em,
    { tenantId: principal.tenantId, scope: 'logInteraction', key: idempotencyKey, request: input, id: newId() },
    async (tx, interactionId) => {
      tx.create(Interaction, {
        id: interactionId,
        tenantId: principal.tenantId,
        customerId: input.customerId,
        type: input.type,
        channel: input.channel,
        direction: input.direction ?? Direction.INBOUND,
        subject: subject ?? null,
        body: body ?? null,
        occurredAt: input.occurredAt ?? new Date(),
        durationSeconds: input.durationSeconds ?? null,
        outcome: outcome ?? null,
        agent: agent ?? null,
      } as Interaction);
      await tx.flush();
    },
  );
  const interaction = await em.findOne(Interaction, { tenantId: principal.tenantId, id });
  if (!interaction) throw new NotFoundError('Interaction', id);
  return interaction;
}
