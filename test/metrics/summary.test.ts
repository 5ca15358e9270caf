import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cdnowTransactions, loadCdnowFile } from '../../server/metrics/cdnow.js';
import {
  compareCustomerIds,
  countPurchaseDays,
  dayNumber,
  summarizeTransactions,
  type Transaction,
} from '../../server/metrics/summary.js';

const CDNOW = new URL('../../../shared/data/cdnow/', import.meta.url);

describe('summarizeTransactions on the CDNOW sample (39-week calibration)', () => {
  const transactions = cdnowTransactions(loadCdnowFile(new URL('CDNOW_sample.txt', CDNOW)));
  const summaries = summarizeTransactions(transactions, { observationEnd: '1997-09-30', timeUnit: 'weeks' });

  it('counts repeat purchase DAYS: sum x = 2,457, 1,411 customers with x = 0', () => {
    expect(summaries).toHaveLength(2357);
    expect(summaries.reduce((sum, s) => sum + s.x, 0)).toBe(2457);
    expect(summaries.filter((s) => s.x === 0)).toHaveLength(1411);
    // 4,960 rows collapse to 4,814 customer-days in calibration.
    expect(summaries.reduce((sum, s) => sum + s.orderCount, 0)).toBe(4960);
    expect(summaries.reduce((sum, s) => sum + s.purchaseDays, 0)).toBe(4814);
  });

  it('reproduces the published summary file for every customer (x, t_x, T to 2 decimals, zbar exactly)', () => {
    const lines = readFileSync(new URL('cdnow_customers_summary_with_transactions.csv', CDNOW), 'utf8')
      .trim()
      .split(/\r?\n/)
      .slice(1);
    expect(lines).toHaveLength(2357);
    const mismatches = lines.filter((line) => {
      const [id, x, t_x, T, zbar] = line.split(',').map(Number) as [number, number, number, number, number];
      const s = summaries[id - 1]!;
      return (
        s.customerId !== String(id) ||
        s.x !== x ||
        Math.abs(s.t_x - t_x) > 0.005 + 1e-9 ||
        Math.abs(s.T - T) > 0.005 + 1e-9 ||
        s.zbar !== zbar
      );
    });
    expect(mismatches).toEqual([]);
  });

  it('gives customer 1 the textbook history: x = 2, t_x = 30.43, T = 38.86 weeks', () => {
    const first = summaries[0]!;
    expect(first).toMatchObject({ customerId: '1', x: 2, zbar: 22.35, firstPurchase: '1997-01-01', lastPurchase: '1997-08-02' });
    expect(first.t_x).toBeCloseTo(213 / 7, 12);
    expect(first.T).toBeCloseTo(272 / 7, 12);
  });

  it('counts 1,882 holdout purchase days from 684 customers', () => {
    const holdout = countPurchaseDays(transactions, '1997-10-01', '1998-06-30');
    expect(holdout.size).toBe(684);
    expect([...holdout.values()].reduce((a, b) => a + b, 0)).toBe(1882);
  });
});

describe('summarizeTransactions rules', () => {
  const tx = (customerId: string, date: string | Date, amount: number): Transaction => ({ customerId, date, amount });

  it('collapses same-day orders into one purchase and sums their amounts', () => {
    const [s] = summarizeTransactions(
      [tx('a', '2024-01-01', 10), tx('a', '2024-01-05', 5.1), tx('a', '2024-01-05T18:30:00Z', 4.9), tx('a', '2024-01-09', 20)],
      { observationEnd: '2024-01-31' },
    );
    expect(s).toMatchObject({ x: 2, t_x: 8, T: 30, orderCount: 4, purchaseDays: 3, totalSpend: 40, zbar: 15 });
  });

  it('leaves the first purchase day out of zbar and rounds half up to cents', () => {
    const [s] = summarizeTransactions(
      [tx('a', '2024-01-01', 1000), tx('a', '2024-01-02', 0.01), tx('a', '2024-01-03', 0.02)],
      { observationEnd: '2024-01-03' },
    );
    expect(s!.zbar).toBe(0.02); // mean 0.015 rounds up
    expect(s!.totalSpend).toBe(1000.03);
  });

  it('gives zbar = 0 and t_x = 0 to one-time buyers', () => {
    const [s] = summarizeTransactions([tx('a', '2024-01-10', 99)], { observationEnd: '2024-01-31' });
    expect(s).toMatchObject({ x: 0, t_x: 0, T: 21, zbar: 0, totalSpend: 99 });
  });

  it('ignores transactions after the observation end, and customers who start after it', () => {
    const summaries = summarizeTransactions(
      [tx('a', '2024-01-01', 10), tx('a', '2024-02-01', 10), tx('b', '2024-02-02', 10)],
      { observationEnd: '2024-01-31' },
    );
    expect(summaries.map((s) => [s.customerId, s.x, s.totalSpend])).toEqual([['a', 0, 10]]);
  });

  it('expresses t_x and T in weeks as days / 7', () => {
    const input = [tx('a', '1997-01-01', 1), tx('a', '1997-08-02', 1)];
    const [weeks] = summarizeTransactions(input, { observationEnd: '1997-09-30', timeUnit: 'weeks' });
    const [days] = summarizeTransactions(input, { observationEnd: '1997-09-30', timeUnit: 'days' });
    expect(days).toMatchObject({ t_x: 213, T: 272 });
    expect(weeks!.T).toBeCloseTo(272 / 7, 12);
  });

  it('maps a Date to its UTC day and an ISO string to its written day', () => {
    expect(dayNumber(new Date('2024-03-10T23:59:59Z'))).toBe(dayNumber('2024-03-10'));
    expect(dayNumber('2024-03-10T23:30:00-05:00')).toBe(dayNumber('2024-03-10'));
    expect(() => dayNumber('2024-02-30')).toThrow(/calendar/);
    expect(() => dayNumber('10/03/2024')).toThrow(/ISO/);
  });

  it('returns customers sorted by id whatever the input order', () => {
    const input = [tx('10', '2024-01-01', 1), tx('2', '2024-01-01', 1), tx('b', '2024-01-01', 1), tx('1', '2024-01-01', 1)];
    const ids = summarizeTransactions(input, { observationEnd: '2024-01-02' }).map((s) => s.customerId);
    expect(ids).toEqual(['1', '2', '10', 'b']);
    expect([...ids].reverse().sort(compareCustomerIds)).toEqual(ids);
  });
});
