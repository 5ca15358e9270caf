/**
 * A json/jsonb column's value as the driver hands it over: pg parses jsonb itself, a `::text`
 * column and some PGlite paths give the text. Null stays null.
 */
export const parseJson = <T>(value: unknown): T | null =>
  value == null ? null : typeof value === 'string' ? (JSON.parse(value) as T) : (value as T);
