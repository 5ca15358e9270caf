import validator from 'validator';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { isUuid } from '../db/ids.js';
import { BadUserInputError, type InputErrors } from './errors.js';

/** Field-level rules shared by every feature (DESIGN §5). Each adds to `errors` and returns the clean value. */

export const LIMITS = { name: 200, shortText: 200, notes: 10_000, tags: 50, tag: 50 } as const;

/** Earliest and latest plausible business dates: anything outside is a typo or a unit mistake. */
const MIN_DATE = Date.UTC(1900, 0, 1);
const MAX_FUTURE_MS = 366 * 24 * 3600 * 1000;

export function checkText(
  errors: InputErrors,
  path: string,
  value: string | null | undefined,
  max: number,
  { required = false }: { required?: boolean } = {},
): string | null | undefined {
  if (value === undefined || value === null) {
    if (required) errors.add(path, 'is required');
    return value;
  }
  const trimmed = value.trim();
  if (required && trimmed === '') errors.add(path, 'must not be empty');
  if ([...trimmed].length > max) errors.add(path, `must be at most ${max} characters`);
  return trimmed === '' && !required ? null : trimmed;
}

export function checkEmail(errors: InputErrors, path: string, value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null || value.trim() === '') return value === undefined ? undefined : null;
  const email = value.trim();
  if (email.length > 254 || !validator.isEmail(email)) {
    errors.add(path, 'must be an email address like name@example.com');
  }
  return email.toLowerCase();
}

/**
 * Phones are stored in E.164. National forms (`138 0013 8000`) are read in `defaultCountry`:
 * the customer's country when given, else the tenant's.
 */
export function checkPhone(
  errors: InputErrors,
  path: string,
  value: string | null | undefined,
  defaultCountry: string,
): string | null | undefined {
  if (value === undefined || value === null || value.trim() === '') return value === undefined ? undefined : null;
  const parsed = parsePhoneNumberFromString(value.trim(), defaultCountry.toUpperCase() as CountryCode);
  if (!parsed || !parsed.isValid()) {
    errors.add(path, `must be a phone number in E.164 (+8613800138000) or a valid ${defaultCountry} national form`);
    return null;
  }
  return parsed.number;
}

export function checkCurrency(errors: InputErrors, path: string, value: string): string {
  const code = value.trim().toUpperCase();
  if (!validator.isISO4217(code)) errors.add(path, 'must be an ISO 4217 currency code such as USD or CNY');
  return code;
}

export function checkCountry(errors: InputErrors, path: string, value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null || value.trim() === '') return value === undefined ? undefined : null;
  const code = value.trim().toUpperCase();
  if (!validator.isISO31661Alpha2(code)) errors.add(path, 'must be an ISO 3166-1 alpha-2 country code such as CN or US');
  return code;
}

/** Rejects dates before 1900 or more than a year ahead. */
export function checkDateTime(
  errors: InputErrors,
  path: string,
  value: Date | null | undefined,
  { allowFuture = true }: { allowFuture?: boolean } = {},
): void {
  if (!value) return;
  const time = value.getTime();
  if (Number.isNaN(time)) errors.add(path, 'is not a valid date');
  else if (time < MIN_DATE) errors.add(path, 'must not be before 1900-01-01');
  else if (!allowFuture && time > Date.now() + 5 * 60_000) errors.add(path, 'must not be in the future');
  else if (time > Date.now() + MAX_FUTURE_MS) errors.add(path, 'must not be more than a year in the future');
}

export function checkLocalDate(errors: InputErrors, path: string, value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null || value === '') return value === undefined ? undefined : null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !validator.isDate(value, { format: 'YYYY-MM-DD', strictMode: true })) {
    errors.add(path, 'must be a date like 1990-04-23');
    return null;
  }
  const time = Date.parse(`${value}T00:00:00Z`);
  if (time < MIN_DATE || time > Date.now()) errors.add(path, 'must be between 1900-01-01 and today');
  return value;
}

export function checkTags(errors: InputErrors, path: string, tags: string[] | null | undefined): string[] | undefined {
  if (tags === undefined) return undefined;
  if (tags === null) return [];
  if (tags.length > LIMITS.tags) errors.add(path, `takes at most ${LIMITS.tags} tags`);
  const clean = [...new Set(tags.map((t) => t.trim()).filter(Boolean))];
  clean.forEach((t, i) => {
    if ([...t].length > LIMITS.tag) errors.add(`${path}.${i}`, `must be at most ${LIMITS.tag} characters`);
  });
  return clean;
}

export function checkIdempotencyKey(errors: InputErrors, path: string, key: string | null | undefined): void {
  if (key != null && (key.length < 1 || key.length > 200)) errors.add(path, 'must be 1 to 200 characters');
}

/** Throws BAD_USER_INPUT for a malformed id (a well-formed id of another tenant is NOT_FOUND later). */
export function checkId(id: string, path: string): void {
  if (!isUuid(id)) throw new BadUserInputError([{ path, message: 'is not a valid id' }]);
}
