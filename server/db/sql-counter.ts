import { AsyncLocalStorage } from 'node:async_hooks';

/** Counts the SQL statements issued inside one request (or any async scope), for tests and diagnostics. */
const scope = new AsyncLocalStorage<{ count: number }>();

export function countSqlIn<T>(fn: () => T): { result: T; counter: { count: number } } {
  const counter = { count: 0 };
  return { result: scope.run(counter, fn), counter };
}

export function currentSqlCounter(): { count: number } | undefined {
  return scope.getStore();
}

/** MikroORM `onQuery` hook: leaves the SQL untouched, only counts it. */
export function onQuery(sql: string): string {
  const counter = scope.getStore();
  if (counter) counter.count++;
  return sql;
}
