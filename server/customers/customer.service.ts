import { OptimisticLockError, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { SelectedField } from '../graphql/lookahead.js';
import type { ParentRequest, ParentRowJoin } from '../graphql/first-page-join.js';
import type { Principal } from '../auth/keys.service.js';
import type { Em } from '../db/orm.js';
import { isUuid, newId } from '../db/ids.js';
import { selectList } from '../graphql/columns.js';
import { buildConnection, pageRequest, type PageArgs } from '../graphql/connection.js';
import { SortDirection } from '../graphql/enums.js';
import { BadUserInputError, ConflictError, InputErrors, NotFoundError } from '../graphql/errors.js';
import { createOnce } from '../graphql/idempotency.js';
import { compileFilter, escapeLike, joinSql, keysetSql, limitSql, orderSql, sql, type FieldSpec, type Sql, type SqlSortKey } from '../graphql/sql.js';
import {
  checkCountry, checkEmail, checkId, checkIdempotencyKey, checkLocalDate, checkPhone, checkTags, checkText, LIMITS,
} from '../graphql/validate.js';
import { CustomFieldDefinition } from './custom-field.entity.js';
import { listDefinitions, validateAttributes } from './custom-fields.service.js';
import { Customer, CustomerKind } from './customer.entity.js';
import {
  CustomerFilter, CustomerMergeRecord, CustomerOrder, CustomerSortField, UpsertOutcome,
  type CreateCustomerInput, type UpdateCustomerInput, type UpsertCustomerInput,
} from './customer.inputs.js';
import { CustomerConnection, UpsertCustomerResult } from './customer.types.js';
import { queryPrepared } from '../db/prepared.js';

export const MAX_UPSERT_ROWS = 1000;

export async function getCustomer(em: Em, tenantId: string, id: string, path = 'id'): Promise<Customer> {
  checkId(id, path);
  const customer = await em.findOne(Customer, { tenantId, id });
  if (!customer) throw new NotFoundError('Customer', id);
  return customer;
}

/**
 * One customer to read (the `customer` query): a plain select mapped by `em.map`, so with a
 * query's read-only EntityManager it is a plain row, without findOne's query builder and
 * entity hydration. Same row and NOT_FOUND as getCustomer, which writes keep using. `joins`: rows of
 * other tables read with it for the fields selected (customerJoins).
 */
export async function readCustomer(
  em: Em,
  tenantId: string,
  id: string,
  path = 'id',
  joins: readonly CustomerJoin[] = [],
  /** Only these columns (columnsFor), for a customer that is only serialised; default all. */
  columns: readonly string[] | null = null,
): Promise<Customer> {
  checkId(id, path);
  const select = [selectList('c', columns, []), ...joins.map((j) => j.select)].join(', ');
  const from = ['customer c', ...joins.map((j) => j.join)].join(' ');
  const [row] = await queryPrepared(em, `select ${select} from ${from} where c.tenant_id = ? and c.id = ?`, [tenantId, id]);
  if (!row) throw new NotFoundError('Customer', id);
  const customer = em.map(Customer, row);
  for (const join of joins) join.attach([row], [customer]);
  return customer;
}

// ---------- reading lists ----------

const FILTER_FIELDS: Record<string, FieldSpec> = {
  kind: { expr: 'c.kind', kind: 'enum' },
  name: { expr: 'c.name', kind: 'string' },
  email: { expr: 'c.email', kind: 'string' },
  phone: { expr: 'c.phone', kind: 'string' },
  company: { expr: 'c.company', kind: 'string' },
  industry: { expr: 'c.industry', kind: 'string' },
  region: { expr: 'c.region', kind: 'string' },
  city: { expr: 'c.city', kind: 'string' },
  country: { expr: 'c.country', kind: 'string' },
  owner: { expr: 'c.owner', kind: 'string' },
  externalId: { expr: 'c.external_id', kind: 'string' },
  acquisitionSource: { expr: 'c.acquisition_source', kind: 'string' },
  createdAt: { expr: 'c.created_at', kind: 'date' },
  updatedAt: { expr: 'c.updated_at', kind: 'date' },
  gender: { expr: 'c.gender', kind: 'enum' },
  companySize: { expr: 'c.company_size', kind: 'enum' },
  // Whole years today; customers without a birth date match no comparison.
  age: { expr: 'date_part(\'year\', age(current_date, c.birth_date))::int', kind: 'number' },
  // Kept on the customer row by triggers (migration 000006): every order whatever its status, every
  // interaction. A column, so a rule over a million customers is a scan, not a probe per customer.
  orderCount: { expr: 'c.order_count', kind: 'number' },
  lastOrderAt: { expr: 'c.last_order_at', kind: 'date' },
  lastInteractionAt: { expr: 'c.last_interaction_at', kind: 'date' },
};

/** Hooks other features add to customer filtering (metrics, segments) without this file knowing them. */
export const customerFilterExtensions: Record<string, (value: any, path: string) => Sql> = {};

function compileCustomerFilter(filter: CustomerFilter | null | undefined, path = 'filter'): Sql {
  return compileFilter<CustomerFilter>(filter, FILTER_FIELDS, {
    search: (value: string, path: string) => {
      const term = String(value).trim();
      if ([...term].length > 200) throw new BadUserInputError([{ path, message: 'must be at most 200 characters' }]);
      if (!term) return sql('');
      const like = `%${escapeLike(term)}%`;
      const digits = term.replace(/[^\d]/g, '');
      const parts = [sql('c.name ilike ? or c.email ilike ? or c.company ilike ? or c.phone ilike ?', [like, like, like, like])];
      // "138 0013 8000" finds +8613800138000: compare digits only.
      if (digits.length >= 4) parts.push(sql('c.phone like ?', [`%${digits}%`]));
      return joinSql(parts, ' or ');
    },
    tags: (value: string[]) => sql('c.tags @> ?::jsonb', [JSON.stringify(value)]),
    customAttributes: (value: Record<string, unknown>, path: string) => {
      if (Object.keys(value).length > 50) throw new BadUserInputError([{ path, message: 'takes at most 50 keys' }]);
      return sql('c.custom_attributes @> ?::jsonb', [JSON.stringify(value)]);
    },
    archived: () => sql(''), // applied once at the top level in listCustomers
    ...(customerFilterExtensions as object),
  } as never, path);
}

/**
 * The whole `where` of a customer filter over alias `c` (tenant, archived flag, conditions):
 * what segments and tier rules evaluate in one statement. Errors carry `path`.
 */
export function customerWhere(tenantId: string, filter: CustomerFilter | null | undefined, path = 'filter'): Sql {
  return joinSql(
    [
      sql('c.tenant_id = ?', [tenantId]),
      sql(filter?.archived ? 'c.archived_at is not null' : 'c.archived_at is null'),
      compileCustomerFilter(filter, path),
    ],
    ' and ',
  );
}

/** Only the conditions of a filter (no tenant or archived clause); empty text when it has none. */
export function customerConditions(filter: CustomerFilter | null | undefined, path = 'filter'): Sql {
  return compileCustomerFilter(filter, path);
}

const SORT_KEYS: Partial<Record<CustomerSortField, Omit<SqlSortKey, 'desc'>>> = {
  [CustomerSortField.NAME]: { expr: 'c.name', prop: 'name', kind: 'string' },
  [CustomerSortField.CREATED_AT]: { expr: 'c.created_at', prop: 'createdAt', kind: 'date' },
  [CustomerSortField.UPDATED_AT]: { expr: 'c.updated_at', prop: 'updatedAt', kind: 'date' },
};

/**
 * Extra sort keys other features register (e.g. PREDICTED_CLV), with the table they need joined:
 * `join` (a LEFT JOIN) names it under `alias`.
 */
export const customerSortExtensions: Record<string, { key: Omit<SqlSortKey, 'desc'>; join: string; alias: string }> = {};

/**
 * Filter keys whose condition can only hold when a row of another table exists (`metrics`: the
 * customer's metrics row). At the top level of a filter such a key INNER JOINs that row under
 * `alias` and tests the condition on it — the same matches as an EXISTS — so that a sort on the
 * same table (customerSortExtensions with that alias) can walk its index instead of sorting the
 * tenant. Nested under and / or / not, the key compiles as usual (customerFilterExtensions).
 */
export const customerJoinFilters: Record<string, { join: string; alias: string; compile: (value: any, path: string) => Sql }> = {};

/**
 * Rows of another table read in the customers' own statement (a page, or `customer(id)`) for a
 * field of theirs, e.g. the metrics row: LEFT JOINed over alias `c` (no parameters), selected
 * under aliases of their own, and handed with the rows to `attach`, which leaves them on the
 * customers for that field's resolver. One statement less per read, and the field answers
 * without a DataLoader round.
 */
export type CustomerJoin = ParentRowJoin;

/**
 * Joins other features offer, by the Customer field they answer: given the request and what is
 * selected under that field, the join, or null to leave the field to its resolver's own read.
 * `customers` and `customer(id)` use the ones whose field the selection asks for.
 */
export const customerJoins: Record<string, (request: ParentRequest, field: SelectedField) => CustomerJoin | null> = {};

export async function listCustomers(
  em: Em,
  tenantId: string,
  filter: CustomerFilter | null | undefined,
  orderBy: CustomerOrder[] | null | undefined,
  page: PageArgs,
  {
    scope,
    columns,
    pageJoins = [],
  }: {
    /** A further condition over alias `c` (e.g. segment membership). */
    scope?: Sql;
    /** Only these columns (columnsFor; the sort keys' are added), for rows that are only serialised; default all. */
    columns?: readonly string[] | null;
    /** Rows of other tables read with the page (CustomerJoin). */
    pageJoins?: readonly CustomerJoin[];
  } = {},
): Promise<InstanceType<typeof CustomerConnection>> {
  const order = orderBy?.length ? orderBy : [{ field: CustomerSortField.CREATED_AT, direction: SortDirection.DESC }];
  if (order.length > 3) throw new BadUserInputError([{ path: 'orderBy', message: 'takes at most 3 sort fields' }]);
  const joins = new Map<string, string>(); // alias -> join
  const conditions: Sql[] = [];
  let rest: CustomerFilter | null | undefined = filter;
  for (const [name, joined] of Object.entries(customerJoinFilters)) {
    const value = (filter as Record<string, unknown> | null | undefined)?.[name];
    if (value == null) continue;
    const condition = joined.compile(value, `filter.${name}`);
    if (!condition.text) continue; // e.g. `metrics: {}`: no condition, customers without the row match too
    joins.set(joined.alias, joined.join);
    conditions.push(condition);
    rest = { ...rest, [name]: undefined } as CustomerFilter;
  }
  const keys: SqlSortKey[] = order.map((o, i) => {
    const ext = customerSortExtensions[o.field];
    const base = SORT_KEYS[o.field as CustomerSortField] ?? ext?.key;
    if (!base) throw new BadUserInputError([{ path: `orderBy.${i}.field`, message: 'is not sortable' }]);
    if (ext && !joins.has(ext.alias)) joins.set(ext.alias, ext.join);
    return { ...base, desc: o.direction === SortDirection.DESC };
  });
  const request = pageRequest(page, keys.length + 1);
  const where = joinSql(
    [
      sql('c.tenant_id = ?', [tenantId]),
      sql(filter?.archived ? 'c.archived_at is not null' : 'c.archived_at is null'),
      compileCustomerFilter(rest),
      ...conditions,
      scope ?? sql(''),
    ],
    ' and ',
  );
  const joinText = [...joins.values()].join(' ');
  // Extension sort values are selected too: the cursor is built from them.
  const extKeys = keys.filter((k) => !Object.values(SORT_KEYS).some((b) => b?.prop === k.prop));
  const extSelect = extKeys.map((k) => `, ${k.expr} as "${k.prop}"`).join('') + pageJoins.map((j) => `, ${j.select}`).join('');
  const pageJoinText = [joinText, ...pageJoins.map((j) => (j.reuse && joins.has(j.reuse.alias) ? j.reuse.join : j.join))].join(' ');
  const select = (keysetKeys: SqlSortKey[], orderKeys: SqlSortKey[], extra: Sql) => {
    const w = joinSql([where, keysetSql(keysetKeys, request, 'c.id'), extra], ' and ');
    return sql(
      `select ${selectList('c', columns, keys)}${extSelect} from customer c ${pageJoinText} where ${w.text} order by ${orderSql(orderKeys, request.backward, 'c.id')} ${limitSql(request.size + 1)}`,
      w.params,
    );
  };
  const first = keys[0];
  let pageSql: Sql;
  if (!first.nullsLow) {
    pageSql = select(keys, keys, sql(''));
  } else {
    // `x desc nulls last` (NULL lowest) cannot walk an index on `x desc` (NULLs first there), so
    // the page is read in two halves, each in index order: rows with a value (where NULL plays
    // no part) and rows without; `half__` puts the halves in page order.
    const plain = [{ ...first, nullsLow: false }, ...keys.slice(1)];
    const valued = select(request.cursor?.[0] != null ? plain : keys, plain, sql(`${first.expr} is not null`));
    const valueless = select(keys, plain, sql(`${first.expr} is null`));
    const nullsLast = first.desc !== request.backward;
    const [a, b] = nullsLast ? [valued, valueless] : [valueless, valued];
    const outer = keys.map((k) => ({ ...k, expr: extKeys.includes(k) ? `p."${k.prop}"` : k.expr.replace(/^c\./, 'p.'), nullsLow: false }));
    pageSql = sql(
      `select p.* from (select 0 as half__, h.* from (${a.text}) h union all select 1, h.* from (${b.text}) h) p
        order by p.half__, ${orderSql(outer, request.backward, 'p.id')} ${limitSql(request.size + 1)}`,
      [...a.params, ...b.params],
    );
  }
  const rows = await queryPrepared(em, pageSql.text, pageSql.params);
  // An extension's sort value rides on its customer for the cursor (buildConnection).
  const extProps = extKeys.map((k) => k.prop);
  const customers: Customer[] = rows.map((row) => {
    const customer = em.map(Customer, row) as Customer & Record<string, unknown>;
    for (const prop of extProps) customer[prop] = row[prop];
    return customer;
  });
  for (const join of pageJoins) join.attach(rows, customers);
  return buildConnection(CustomerConnection, customers, request, keys, async () => {
    const [{ count }] = await queryPrepared<{ count: number }>(
      em,
      `select count(*)::int as count from customer c ${joinText} where ${where.text}`,
      where.params,
    );
    return Number(count);
  });
}

// ---------- writing ----------

type CustomerPatch = Partial<Omit<Customer, 'id' | 'tenantId' | 'version' | 'createdAt' | 'updatedAt'>>;

/**
 * Validates and normalizes every provided field. Absent fields stay absent; `null` clears.
 * Errors are collected under `path.<field>`.
 */
export function normalizeCustomerFields(
  errors: InputErrors,
  path: string,
  input: UpdateCustomerInput | CreateCustomerInput | UpsertCustomerInput,
  principal: Principal,
  defs: CustomFieldDefinition[],
  current: Customer | null,
): CustomerPatch {
  const p = (f: string) => `${path}.${f}`;
  const patch: CustomerPatch = {};
  const set = <K extends keyof CustomerPatch>(key: K, value: CustomerPatch[K] | undefined) => {
    if (value !== undefined) patch[key] = value;
  };
  if (input.name !== undefined) {
    if (input.name === null) errors.add(p('name'), 'cannot be cleared');
    else set('name', checkText(errors, p('name'), input.name, LIMITS.name, { required: true }) as string);
  }
  if (input.kind != null) set('kind', input.kind);
  if ('externalId' in input && input.externalId !== undefined) {
    set('externalId', checkText(errors, p('externalId'), input.externalId, LIMITS.shortText) ?? null);
  }
  set('email', checkEmail(errors, p('email'), input.email));
  const errorsBeforeCountry = errors.fields.length;
  const country = checkCountry(errors, p('country'), input.country);
  set('country', country);
  // National phone forms are read in the country this write leaves the customer in; an invalid
  // country is reported once (not again as a phone error) and the tenant's country is used.
  const countryValid = errors.fields.length === errorsBeforeCountry;
  const phoneCountry =
    (country !== undefined ? (countryValid ? country : null) : current?.country) ?? principal.tenant.defaultCountry;
  set('phone', checkPhone(errors, p('phone'), input.phone, phoneCountry));
  for (const field of ['company', 'title', 'industry', 'region', 'city', 'address', 'acquisitionSource', 'owner'] as const) {
    if (input[field] !== undefined) set(field, checkText(errors, p(field), input[field], LIMITS.shortText) ?? null);
  }
  if (input.notes !== undefined) set('notes', checkText(errors, p('notes'), input.notes, LIMITS.notes) ?? null);
  set('birthDate', checkLocalDate(errors, p('birthDate'), input.birthDate));
  for (const field of ['companySize', 'gender', 'acquisitionChannel'] as const) {
    if (input[field] !== undefined) set(field, input[field] as never);
  }
  set('tags', checkTags(errors, p('tags'), input.tags));
  if (input.marketingConsent != null) set('marketingConsent', input.marketingConsent);
  if (input.customAttributes !== undefined || !current) {
    set('customAttributes', validateAttributes(errors, p('customAttributes'), defs, current?.customAttributes ?? {}, input.customAttributes));
  }
  return patch;
}

/** The database refused a second customer with one externalId (a race the pre-check cannot see). */
function isExternalIdTaken(error: unknown): boolean {
  return error instanceof UniqueConstraintViolationException && /external_id/.test(error.message);
}

async function externalIdConflict(em: Em, tenantId: string, externalId: string): Promise<ConflictError> {
  const existing = await em.fork().findOne(Customer, { tenantId, externalId }, { fields: ['id'] });
  return new ConflictError(`Another customer already has externalId "${externalId}"`, { path: 'input.externalId', existingId: existing?.id ?? null });
}

async function ensureExternalIdFree(em: Em, tenantId: string, externalId: string | null | undefined, exceptId: string | null): Promise<void> {
  if (!externalId) return;
  const existing = await em.findOne(Customer, { tenantId, externalId }, { fields: ['id'] });
  if (existing && existing.id !== exceptId) {
    throw new ConflictError(`Another customer already has externalId "${externalId}"`, { path: 'input.externalId', existingId: existing.id });
  }
}

export async function createCustomer(
  em: Em,
  principal: Principal,
  input: CreateCustomerInput,
  idempotencyKey: string | null | undefined,
): Promise<Customer> {
  const errors = new InputErrors();
  checkIdempotencyKey(errors, 'idempotencyKey', idempotencyKey);
  const defs = await listDefinitions(em, principal.tenantId);
  const patch = normalizeCustomerFields(errors, 'input', input, principal, defs, null);
  errors.throwIfAny();
  const { id } = await createOnce(
    em,
    { tenantId: principal.tenantId, scope: 'createCustomer', key: idempotencyKey, request: input, id: newId() },
    async (tx, newCustomerId) => {
      await ensureExternalIdFree(tx, principal.tenantId, patch.externalId, null);
      tx.create(Customer, { ...patch, id: newCustomerId, tenantId: principal.tenantId, kind: patch.kind ?? CustomerKind.PERSON } as Customer);
      await tx.flush();
    },
  ).catch(async (error) => {
    if (patch.externalId && isExternalIdTaken(error)) throw await externalIdConflict(em, principal.tenantId, patch.externalId);
    throw error;
  });
  return getCustomer(em, principal.tenantId, id);
}

function toConflict(error: unknown, id: string): never {
  if (error instanceof OptimisticLockError) {
    throw new ConflictError(`Customer ${id} was changed by someone else; read it again and retry`, { path: 'version' });
  }
  throw error;
}

export async function updateCustomer(
  em: Em,
  principal: Principal,
  id: string,
  version: number,
  input: UpdateCustomerInput,
): Promise<Customer> {
  const customer = await getCustomer(em, principal.tenantId, id);
  if (customer.version !== version) {
    throw new ConflictError(`Customer ${id} is at version ${customer.version}, not ${version}; read it again and retry`, {
      path: 'version',
      currentVersion: customer.version,
    });
  }
  const errors = new InputErrors();
  const defs = input.customAttributes !== undefined ? await listDefinitions(em, principal.tenantId) : [];
  const patch = normalizeCustomerFields(errors, 'input', input, principal, defs, customer);
  errors.throwIfAny();
  if (patch.externalId !== undefined && patch.externalId !== customer.externalId) {
    await ensureExternalIdFree(em, principal.tenantId, patch.externalId, customer.id);
  }
  em.assign(customer, patch);
  await em.flush().catch(async (e) => {
    if (patch.externalId && isExternalIdTaken(e)) throw await externalIdConflict(em, principal.tenantId, patch.externalId);
    toConflict(e, id);
  });
  return customer;
}

export async function setArchived(em: Em, principal: Principal, id: string, archived: boolean): Promise<Customer> {
  const customer = await getCustomer(em, principal.tenantId, id);
  if (!archived && customer.mergedIntoId) {
    throw new ConflictError(`Customer ${id} was merged into ${customer.mergedIntoId} and cannot be restored`, { path: 'id' });
  }
  if (Boolean(customer.archivedAt) !== archived) {
    customer.archivedAt = archived ? new Date() : null;
    await em.flush().catch((e) => toConflict(e, id));
  }
  return customer;
}

export async function upsertCustomers(
  em: Em,
  principal: Principal,
  rows: UpsertCustomerInput[],
): Promise<UpsertCustomerResult[]> {
  if (rows.length > MAX_UPSERT_ROWS) {
    throw new BadUserInputError([{ path: 'input', message: `takes at most ${MAX_UPSERT_ROWS} rows per call` }]);
  }
  const tenantId = principal.tenantId;
  const defs = await listDefinitions(em, tenantId);
  const externalIds = [...new Set(rows.map((r) => r.externalId?.trim()).filter(Boolean))];
  const existing = externalIds.length ? await em.find(Customer, { tenantId, externalId: { $in: externalIds } }) : [];
  const byExternalId = new Map(existing.map((c) => [c.externalId!, c]));
  // A row naming a merged duplicate updates the customer it was merged into (following chains of merges).
  const byId = new Map(existing.map((c) => [c.id, c]));
  let missing = [...new Set(existing.map((c) => c.mergedIntoId).filter((id): id is string => !!id && !byId.has(id)))];
  for (let depth = 0; missing.length && depth < 10; depth++) {
    const found = await em.find(Customer, { tenantId, id: { $in: missing } });
    for (const c of found) byId.set(c.id, c);
    missing = [...new Set(found.map((c) => c.mergedIntoId).filter((id): id is string => !!id && !byId.has(id)))];
  }
  const survivorOf = (c: Customer | null): Customer | null => {
    for (let depth = 0; c?.mergedIntoId && byId.has(c.mergedIntoId) && depth < 10; depth++) c = byId.get(c.mergedIntoId)!;
    return c;
  };
  const seen = new Set<string>();
  const results: UpsertCustomerResult[] = [];
  const toCreate: Customer[] = [];
  const toUpdate: { customer: Customer; patch: CustomerPatch; index: number }[] = [];

  rows.forEach((row, index) => {
    const errors = new InputErrors();
    const path = `input.${index}`;
    const externalId = checkText(errors, `${path}.externalId`, row.externalId, LIMITS.shortText, { required: true }) as string;
    if (externalId && seen.has(externalId)) errors.add(`${path}.externalId`, 'appears more than once in this call');
    seen.add(externalId);
    const current = survivorOf(byExternalId.get(externalId) ?? null);
    if (!current && (row.name == null || row.name.trim() === '')) errors.add(`${path}.name`, 'is required for a new customer');
    const patch = errors.any ? {} : normalizeCustomerFields(errors, path, row, principal, defs, current);
    if (errors.any) {
      results.push(Object.assign(new UpsertCustomerResult(), { index, externalId: row.externalId, outcome: UpsertOutcome.FAILED, customer: null, errors: errors.fields }));
      return;
    }
    if (current) {
      // The row's externalId is how it was matched; it never moves onto the survivor of a merge.
      delete patch.externalId;
      toUpdate.push({ customer: current, patch, index });
      results.push(Object.assign(new UpsertCustomerResult(), { index, externalId, outcome: UpsertOutcome.UPDATED, customer: current, errors: [] }));
    } else {
      const customer = em.create(Customer, { ...patch, tenantId, externalId, kind: patch.kind ?? CustomerKind.PERSON } as Customer, { persist: false });
      toCreate.push(customer);
      results.push(Object.assign(new UpsertCustomerResult(), { index, externalId, outcome: UpsertOutcome.CREATED, customer, errors: [] }));
    }
  });

  if (toCreate.length || toUpdate.length) {
    await em
      .transactional(async (tx) => {
        for (const { customer, patch } of toUpdate) tx.assign(customer, patch);
        for (const customer of toCreate) tx.persist(customer);
      })
      .catch((error) => {
        if (isExternalIdTaken(error)) {
          throw new ConflictError('Another request created a customer with one of these externalIds at the same time; nothing was written, retry the call', { path: 'input' });
        }
        throw error;
      });
  }
  return results.sort((a, b) => a.index - b.index);
}

/**
 * Further tables whose rows follow a customer into a merge (feedback, cases, survey responses…).
 * Features register their table here; each needs a `customer_id` column.
 */
export const mergeMovesTables: string[] = [];

/** Steps after a merge commits (e.g. re-scoring the survivor's metrics). */
export const afterMergeHooks: ((em: Em, tenantId: string, survivorId: string, mergedIds: string[]) => Promise<void>)[] = [];

export async function mergeCustomers(
  em: Em,
  principal: Principal,
  survivorId: string,
  duplicateIds: string[],
): Promise<{ survivor: Customer; merges: CustomerMergeRecord[] }> {
  const tenantId = principal.tenantId;
  checkId(survivorId, 'survivorId');
  const errors = new InputErrors();
  if (duplicateIds.length === 0) errors.add('duplicateIds', 'needs at least one id');
  if (duplicateIds.length > 50) errors.add('duplicateIds', 'takes at most 50 ids');
  duplicateIds.forEach((id, i) => {
    if (!isUuid(id)) errors.add(`duplicateIds.${i}`, 'is not a valid id');
    else if (id === survivorId) errors.add(`duplicateIds.${i}`, 'is the survivor itself');
  });
  if (new Set(duplicateIds).size !== duplicateIds.length) errors.add('duplicateIds', 'must not repeat an id');
  errors.throwIfAny();

  const all = await em.find(Customer, { tenantId, id: { $in: [survivorId, ...duplicateIds] } });
  const survivor = all.find((c) => c.id === survivorId);
  if (!survivor) throw new NotFoundError('Customer', survivorId);
  const duplicates = duplicateIds.map((id) => {
    const dup = all.find((c) => c.id === id);
    if (!dup) throw new NotFoundError('Customer', id);
    if (dup.mergedIntoId) throw new ConflictError(`Customer ${id} was already merged into ${dup.mergedIntoId}`, { path: 'duplicateIds' });
    return dup;
  });
  if (survivor.mergedIntoId) throw new ConflictError(`Customer ${survivorId} was itself merged away`, { path: 'survivorId' });

  const merges = await em.transactional(async (txEm) => {
    const tx = txEm as Em;
    const records: CustomerMergeRecord[] = [];
    for (const dup of duplicates) {
      const moved = async (table: string) => {
        const res = await tx.execute<{ id: string }[]>(
          `update ${table} set customer_id = ? where tenant_id = ? and customer_id = ? returning id`,
          [survivor.id, tenantId, dup.id],
        );
        return res.length;
      };
      // Moved contacts stay primary only when the survivor has no primary contact yet.
      const movedContacts = (
        await tx.execute<{ id: string }[]>(
          `update contact set customer_id = ?,
                  is_primary = is_primary and not exists (select 1 from contact p where p.tenant_id = ? and p.customer_id = ? and p.is_primary)
            where tenant_id = ? and customer_id = ? returning id`,
          [survivor.id, tenantId, survivor.id, tenantId, dup.id],
        )
      ).length;
      const movedInteractions = await moved('interaction');
      const movedOrders = await moved('customer_order');
      const movedOther: Record<string, number> = {};
      for (const table of mergeMovesTables) movedOther[table] = await moved(table);
      const snapshot = JSON.parse(JSON.stringify(dup)) as Record<string, unknown>;
      const record = Object.assign(new CustomerMergeRecord(), {
        id: newId(), survivorId: survivor.id, mergedId: dup.id, movedContacts, movedInteractions, movedOrders, movedOther, snapshot, mergedAt: new Date(),
      });
      await tx.execute(
        `insert into customer_merge (tenant_id, id, survivor_id, merged_id, moved_contacts, moved_interactions, moved_orders, moved_other, snapshot, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?)`,
        [tenantId, record.id, survivor.id, dup.id, movedContacts, movedInteractions, movedOrders, JSON.stringify(movedOther), JSON.stringify(snapshot), record.mergedAt],
      );
      // The survivor keeps its own values and takes the duplicate's where it has none.
      for (const field of ['email', 'phone', 'company', 'title', 'industry', 'companySize', 'region', 'city', 'country', 'address', 'birthDate', 'gender', 'acquisitionSource', 'acquisitionChannel', 'owner', 'notes'] as const) {
        if (survivor[field] == null && dup[field] != null) (survivor as any)[field] = dup[field];
      }
      survivor.tags = [...new Set([...survivor.tags, ...dup.tags])];
      survivor.customAttributes = { ...dup.customAttributes, ...survivor.customAttributes };
      tx.assign(dup, { mergedIntoId: survivor.id, archivedAt: dup.archivedAt ?? new Date() });
      records.push(record);
    }
    await tx.flush();
    return records;
  });
  for (const hook of afterMergeHooks) await hook(em, tenantId, survivor.id, duplicates.map((d) => d.id));
  return { survivor, merges };
}

/** Batch: the merge audit of each survivor, newest first, in one statement for a whole page. */
export async function mergesOfMany(em: Em, tenantId: string, survivorIds: readonly string[]): Promise<CustomerMergeRecord[][]> {
  const rows = await em.execute<Record<string, any>[]>(
    `select id, survivor_id, merged_id, moved_contacts, moved_interactions, moved_orders, moved_other, snapshot, created_at
       from customer_merge where tenant_id = ? and survivor_id in (${survivorIds.map(() => '?').join(', ')})
      order by survivor_id, created_at desc, id desc`,
    [tenantId, ...survivorIds],
  );
  const grouped = new Map<string, CustomerMergeRecord[]>(survivorIds.map((id) => [id, []]));
  for (const r of rows) {
    grouped.get(String(r.survivor_id))?.push(
      Object.assign(new CustomerMergeRecord(), {
        id: r.id, survivorId: r.survivor_id, mergedId: r.merged_id, movedContacts: r.moved_contacts,
        movedInteractions: r.moved_interactions, movedOrders: r.moved_orders,
        movedOther: typeof r.moved_other === 'string' ? JSON.parse(r.moved_other) : r.moved_other,
        snapshot: typeof r.snapshot === 'string' ? JSON.parse(r.snapshot) : r.snapshot, mergedAt: r.created_at,
      }),
    );
  }
  return survivorIds.map((id) => grouped.get(id)!);
}

/** Batch: customers by id for one tenant, in key order (null for misses). */
export async function customersByIds(em: Em, tenantId: string, ids: readonly string[]): Promise<(Customer | null)[]> {
  const found = await em.find(Customer, { tenantId, id: { $in: [...ids] } });
  const byId = new Map(found.map((c) => [c.id, c]));
  return ids.map((id) => byId.get(id) ?? null);
}
