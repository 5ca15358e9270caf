import validator from 'validator';
import type { Em } from '../db/orm.js';
import { BadUserInputError, ConflictError, InputErrors, NotFoundError } from '../graphql/errors.js';
import { checkId, checkText } from '../graphql/validate.js';
import { CustomFieldDefinition, CustomFieldType } from './custom-field.entity.js';
import type { CustomFieldDefinitionInput } from './customer.inputs.js';

const KEY_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;

export function listDefinitions(em: Em, tenantId: string): Promise<CustomFieldDefinition[]> {
  return em.find(CustomFieldDefinition, { tenantId }, { orderBy: { key: 'asc' } });
}

function checkDefinition(input: CustomFieldDefinitionInput): void {
  const errors = new InputErrors();
  if (!KEY_PATTERN.test(input.key)) errors.add('input.key', 'must start with a letter and hold only letters, digits and _ (at most 64)');
  checkText(errors, 'input.label', input.label, 200, { required: true });
  const options = input.options ?? [];
  if (input.type === CustomFieldType.ENUM && options.length === 0) errors.add('input.options', 'an ENUM field needs at least one option');
  if (input.type !== CustomFieldType.ENUM && options.length > 0) errors.add('input.options', 'only ENUM fields take options');
  if (new Set(options).size !== options.length) errors.add('input.options', 'must not repeat a value');
  errors.throwIfAny();
}

export async function createDefinition(em: Em, tenantId: string, input: CustomFieldDefinitionInput): Promise<CustomFieldDefinition> {
  checkDefinition(input);
  if (await em.count(CustomFieldDefinition, { tenantId, key: input.key })) {
    throw new ConflictError(`A custom field with key "${input.key}" already exists`, { path: 'input.key' });
  }
  const def = em.create(CustomFieldDefinition, {
    tenantId,
    key: input.key,
    label: input.label.trim(),
    type: input.type,
    options: input.options ?? [],
    required: input.required ?? false,
  } as CustomFieldDefinition);
  await em.flush();
  return def;
}

export async function updateDefinition(em: Em, tenantId: string, id: string, input: CustomFieldDefinitionInput): Promise<CustomFieldDefinition> {
  checkId(id, 'id');
  checkDefinition(input);
  const def = await em.findOne(CustomFieldDefinition, { tenantId, id });
  if (!def) throw new NotFoundError('CustomFieldDefinition', id);
  if (def.key !== input.key || def.type !== input.type) {
    throw new BadUserInputError([{ path: def.key !== input.key ? 'input.key' : 'input.type', message: 'cannot change once created; define a new field instead' }]);
  }
  em.assign(def, { label: input.label.trim(), options: input.options ?? [], required: input.required ?? false });
  await em.flush();
  return def;
}

export async function deleteDefinition(em: Em, tenantId: string, id: string): Promise<string> {
  checkId(id, 'id');
  const def = await em.findOne(CustomFieldDefinition, { tenantId, id });
  if (!def) throw new NotFoundError('CustomFieldDefinition', id);
  await em.remove(def).flush();
  return id;
}

/**
 * Checks `patch` against the definitions and returns the merged attributes.
 * Unknown keys, wrong types and missing required fields are reported under `path.<key>`.
 */
export function validateAttributes(
  errors: InputErrors,
  path: string,
  defs: CustomFieldDefinition[],
  current: Record<string, unknown>,
  patch: Record<string, unknown> | null | undefined,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current };
  const byKey = new Map(defs.map((d) => [d.key, d]));
  for (const [key, value] of Object.entries(patch ?? {})) {
    const def = byKey.get(key);
    const here = `${path}.${key}`;
    if (!def) {
      errors.add(here, 'is not a custom field of this tenant');
      continue;
    }
    if (value === null) {
      delete merged[key];
      continue;
    }
    switch (def.type) {
      case CustomFieldType.STRING:
        if (typeof value !== 'string') errors.add(here, 'must be a string');
        else if ([...value].length > 1000) errors.add(here, 'must be at most 1000 characters');
        break;
      case CustomFieldType.NUMBER:
        if (typeof value !== 'number' || !Number.isFinite(value)) errors.add(here, 'must be a number');
        break;
      case CustomFieldType.BOOLEAN:
        if (typeof value !== 'boolean') errors.add(here, 'must be true or false');
        break;
      case CustomFieldType.DATE:
        // Any real calendar date from 1900 to 2199: custom dates are often in the future (renewals, next visits).
        if (typeof value !== 'string' || !/^(19|2[01])\d{2}-\d{2}-\d{2}$/.test(value) || !validator.isDate(value, { format: 'YYYY-MM-DD', strictMode: true })) {
          errors.add(here, 'must be a date like 2024-05-01 (years 1900 to 2199)');
        }
        break;
      case CustomFieldType.ENUM:
        if (typeof value !== 'string' || !def.options.includes(value)) errors.add(here, `must be one of ${def.options.join(', ')}`);
        break;
    }
    merged[key] = value;
  }
  for (const def of defs) {
    if (def.required && (merged[def.key] === undefined || merged[def.key] === null)) errors.add(`${path}.${def.key}`, 'is required');
  }
  return merged;
}
