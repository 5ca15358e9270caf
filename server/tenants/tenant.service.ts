import type { Em } from '../db/orm.js';
import { ConflictError, InputErrors } from '../graphql/errors.js';
import { checkCountry, checkCurrency, checkText } from '../graphql/validate.js';
import { Tenant } from './tenant.entity.js';

export interface NewTenant {
  slug: string;
  name: string;
  defaultCurrency?: string;
  /** Country whose national phone formats are accepted (ISO 3166-1 alpha-2). */
  defaultCountry?: string;
  timeZone?: string;
  locale?: string;
}

export async function createTenant(em: Em, input: NewTenant): Promise<Tenant> {
  const errors = new InputErrors();
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(input.slug)) errors.add('slug', 'must be 2–63 lowercase letters, digits or dashes');
  checkText(errors, 'name', input.name, 200, { required: true });
  const currency = checkCurrency(errors, 'defaultCurrency', input.defaultCurrency ?? 'USD');
  const country = checkCountry(errors, 'defaultCountry', input.defaultCountry ?? 'US');
  errors.throwIfAny();
  if (await em.count(Tenant, { slug: input.slug })) throw new ConflictError(`A tenant with slug "${input.slug}" already exists`, { path: 'slug' });
  const tenant = em.create(Tenant, {
    slug: input.slug,
    name: input.name.trim(),
    defaultCurrency: currency,
    timeZone: input.timeZone ?? 'UTC',
    locale: input.locale ?? 'en',
    settings: { defaultCountry: country },
  } as unknown as Tenant);
  await em.flush();
  return tenant;
}

export async function findTenantBySlug(em: Em, slug: string): Promise<Tenant | null> {
  return em.findOne(Tenant, { slug });
}
