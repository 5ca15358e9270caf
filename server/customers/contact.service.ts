import type { Principal } from '../auth/keys.service.js';
import type { Em } from '../db/orm.js';
import { BadUserInputError, InputErrors, NotFoundError } from '../graphql/errors.js';
import { checkEmail, checkId, checkPhone, checkText, LIMITS } from '../graphql/validate.js';
import { Contact } from './contact.entity.js';
import { CustomerKind } from './customer.entity.js';
import type { CreateContactInput, UpdateContactInput } from './customer.inputs.js';
import { getCustomer } from './customer.service.js';

function normalize(errors: InputErrors, input: CreateContactInput | UpdateContactInput, defaultCountry: string, isCreate: boolean) {
  const patch: Partial<Contact> = {};
  if (input.name !== undefined || isCreate) {
    if (input.name === null) errors.add('input.name', 'cannot be cleared');
    else patch.name = checkText(errors, 'input.name', input.name, LIMITS.name, { required: true }) as string;
  }
  if (input.title !== undefined) patch.title = checkText(errors, 'input.title', input.title, LIMITS.shortText) ?? null;
  const email = checkEmail(errors, 'input.email', input.email);
  if (email !== undefined) patch.email = email;
  const phone = checkPhone(errors, 'input.phone', input.phone, defaultCountry);
  if (phone !== undefined) patch.phone = phone;
  if (input.isPrimary != null) patch.isPrimary = input.isPrimary;
  return patch;
}

/** Only one primary contact per customer: making one primary demotes the others. */
async function demoteOtherPrimaries(em: Em, tenantId: string, customerId: string, keepId: string): Promise<void> {
  const others = await em.find(Contact, { tenantId, customerId, isPrimary: true, id: { $ne: keepId } });
  for (const other of others) other.isPrimary = false;
}

export async function createContact(em: Em, principal: Principal, customerId: string, input: CreateContactInput): Promise<Contact> {
  const customer = await getCustomer(em, principal.tenantId, customerId, 'customerId');
  if (customer.kind !== CustomerKind.ORGANIZATION) {
    throw new BadUserInputError([{ path: 'customerId', message: 'contacts belong to ORGANIZATION customers' }]);
  }
  const errors = new InputErrors();
  const patch = normalize(errors, input, customer.country ?? principal.tenant.defaultCountry, true);
  errors.throwIfAny();
  const contact = em.create(Contact, { ...patch, tenantId: principal.tenantId, customerId } as Contact);
  if (contact.isPrimary) await demoteOtherPrimaries(em, principal.tenantId, customerId, contact.id);
  await em.flush();
  return contact;
}

async function getContact(em: Em, tenantId: string, id: string): Promise<Contact> {
  checkId(id, 'id');
  const contact = await em.findOne(Contact, { tenantId, id });
  if (!contact) throw new NotFoundError('Contact', id);
  return contact;
}

export async function updateContact(em: Em, principal: Principal, id: string, input: UpdateContactInput): Promise<Contact> {
  const contact = await getContact(em, principal.tenantId, id);
  // National phone forms are read in the customer's country, as on create.
  const country = input.phone != null ? (await getCustomer(em, principal.tenantId, contact.customerId)).country : null;
  const errors = new InputErrors();
  const patch = normalize(errors, input, country ?? principal.tenant.defaultCountry, false);
  errors.throwIfAny();
  em.assign(contact, patch);
  if (patch.isPrimary) await demoteOtherPrimaries(em, principal.tenantId, contact.customerId, contact.id);
  await em.flush();
  return contact;
}

export async function removeContact(em: Em, principal: Principal, id: string): Promise<{ removedId: string; customerId: string }> {
  const contact = await getContact(em, principal.tenantId, id);
  await em.remove(contact).flush();
  return { removedId: id, customerId: contact.customerId };
}

/** Batch: each customer's contacts, primary first, then by name. */
export async function contactsByCustomerIds(em: Em, tenantId: string, customerIds: readonly string[]): Promise<Contact[][]> {
  const contacts = await em.find(
    Contact,
    { tenantId, customerId: { $in: [...customerIds] } },
    { orderBy: [{ customerId: 'asc' }, { isPrimary: 'desc' }, { name: 'asc' }, { id: 'asc' }] },
  );
  const grouped = new Map<string, Contact[]>(customerIds.map((id) => [id, []]));
  for (const c of contacts) grouped.get(c.customerId)?.push(c);
  return customerIds.map((id) => grouped.get(id)!);
}
