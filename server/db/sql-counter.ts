import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventSubscriber } from '@mikro-orm/core';

/**
 * Counts the SQL statements issued inside one request (or any async scope), for tests and
 * diagnostics. A statement is a round trip to the database: queries, and also the `begin`,
 * `commit` and `rollback` (or savepoint) of every transaction, which MikroORM sends without
 * passing them through `onQuery`.
 */
const scope = new AsyncLocalStorage<{ count: number }>();

export function countSqlIn<T>(fn: () => T): { result: T; counter: { count: number } } {
  const counter = { count: 0 };
  return { result: scope.run(counter, fn), counter };
}

export function currentSqlCounter(): { count: number } | undefined {
  return scope.getStore();
}

function count(): void {
  const counter = scope.getStore();
  if (counter) counter.count++;
}

/** Counts a statement sent past MikroORM (server/db/prepared.ts). */
export function countStatement(): void {
  count();
}

/** MikroORM `onQuery` hook: leaves the SQL untouched, only counts it. */
export function onQuery(sql: string): string {
  count();
  return sql;
}

/** Counts transaction control statements (begin / commit / rollback, savepoints included). */
export class TransactionCounter implements EventSubscriber {
  afterTransactionStart(): void {
    count();
  }

  afterTransactionCommit(): void {
    count();
  }

  afterTransactionRollback(): void {
    count();
  }
}
