import { DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOrm, sqlEm, type Orm } from '../../server/db/orm.js';
import { pgArray, queryPrepared } from '../../server/db/prepared.js';
import { countSqlIn } from '../../server/db/sql-counter.js';
import { freshDatabase, onPostgres } from '../helpers/database.js';

let orm: Orm;
let drop: () => Promise<void>;
beforeAll(async () => {
  const db = await freshDatabase();
  drop = db.drop;
  // One pooled connection, so what one statement prepared the next one can see.
  orm = await createOrm({ ...db.target, poolMax: 1 });
  await sqlEm(orm).execute('create table prepared_probe (id int primary key, label text)');
  await sqlEm(orm).execute(`insert into prepared_probe values (1, 'one'), (2, 'two'), (3, 'three')`);
});
afterAll(async () => {
  await orm?.close();
  await drop?.();
});

describe('queryPrepared (named prepared statements on PostgreSQL, em.execute elsewhere)', () => {
  it('answers like em.execute, with `?` placeholders and an array parameter', async () => {
    const em = sqlEm(orm);
    const text = 'select id, label from prepared_probe where id = any(?::int[]) and label <> ? order by id';
    const values = ['{1,3}', 'none'];
    expect(await queryPrepared(em, text, values)).toEqual(await em.execute(text, values));
    expect(await queryPrepared(em, text, values)).toEqual([{ id: 1, label: 'one' }, { id: 3, label: 'three' }]);
  });

  it('passes any text through pgArray intact (quotes, backslashes, commas, braces)', async () => {
    const items = ['plain', 'a"quote', 'back\\slash', 'comma,inside', '{braces}', ''];
    const [row] = await queryPrepared<{ items: string[] }>(sqlEm(orm), 'select ?::text[] as items', [pgArray(items)]);
    expect(row.items).toEqual(items);
  });

  it('counts its statements like every other (extensions.sqlStatements)', async () => {
    const { result, counter } = countSqlIn(() => queryPrepared(sqlEm(orm), 'select 1 as one'));
    await result;
    expect(counter.count).toBe(1);
  });

  it('reads inside a transaction through that transaction', async () => {
    await sqlEm(orm).transactional(async (tx) => {
      await tx.execute(`insert into prepared_probe values (4, 'four')`);
      expect(await queryPrepared(tx, 'select label from prepared_probe where id = ?', [4])).toEqual([{ label: 'four' }]);
      await tx.execute('delete from prepared_probe where id = 4');
    });
  });

  it.runIf(onPostgres)('prepares each text once on a connection, by name', async () => {
    const em = sqlEm(orm);
    const text = 'select label from prepared_probe where id = ? /* prepared once */';
    for (let i = 1; i <= 3; i++) await queryPrepared(em, text, [i]);
    const prepared = await queryPrepared<{ name: string; statement: string }>(em, 'select name, statement from pg_prepared_statements');
    const mine = prepared.filter((p) => p.statement.includes('/* prepared once */'));
    expect(mine).toHaveLength(1);
    expect(mine[0].statement).toContain('where id = $1');
  });

  it.runIf(onPostgres)('shows prepared reads in the query log (LOG_LEVEL=debug) like MikroORM\'s own', async () => {
    const em = sqlEm(orm);
    const logged = vi.spyOn(em.config.getLogger(), 'logQuery');
    try {
      await queryPrepared(em, 'select label from prepared_probe where id = ? /* logged */', [2]);
      const entry = logged.mock.calls.map(([context]) => context).find((c) => c.query?.includes('/* logged */'));
      expect(entry).toMatchObject({ query: expect.stringContaining('where id = $1'), results: 1 });
    } finally {
      logged.mockRestore();
    }
  });

  it('throws MikroORM’s exception classes, as em.execute does (a unique violation, a bad cast)', async () => {
    const em = sqlEm(orm);
    const insert = 'insert into prepared_probe (id, label) values (?, ?) returning id';
    await expect(queryPrepared(em, insert, [1, 'again'])).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    await expect(em.execute(insert, [1, 'again'])).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    await expect(queryPrepared(em, 'select ?::int as n', ['not a number'])).rejects.toBeInstanceOf(DriverException);
    expect(await queryPrepared(em, 'select label from prepared_probe where id = 1')).toEqual([{ label: 'one' }]);
  });

  it('keeps answering when a table changes under a prepared `select *`', async () => {
    const em = sqlEm(orm);
    const text = 'select * from prepared_probe where id = ?';
    expect(await queryPrepared(em, text, [1])).toEqual([{ id: 1, label: 'one' }]);
    await em.execute('alter table prepared_probe add column extra int default 7');
    try {
      expect(await queryPrepared(em, text, [1])).toEqual([{ id: 1, label: 'one', extra: 7 }]);
      expect(await queryPrepared(em, text, [2])).toEqual([{ id: 2, label: 'two', extra: 7 }]);
    } finally {
      await em.execute('alter table prepared_probe drop column extra');
    }
  });
});
