import { describe, expect, it } from 'vitest';
import { parseIntArray } from '../../server/metrics/aggregate.js';
import { copyValue } from '../../server/metrics/metrics-rebuild.js';
import { foldPurchaseHistory, unitsToDecimal } from '../../server/metrics/scoring.js';

/** The pure pieces of the recompute's aggregation and COPY load (the SQL around them is covered by the seeded and hand-checked tests). */
const window = { recentStartDay: 100, baselineStartDay: 50 };

describe('foldPurchaseHistory', () => {
  it('collapses a day’s orders into one purchase and measures gaps, windows and zbar from the repeat days', () => {
    // Orders newest first, as the per-customer index returns them: days 120 (two orders), 90, 40.
    const h = foldPurchaseHistory('c1', [120, 120, 90, 40], [10_000, 5_000, 20_000, 7_000], 1000, 2000, window);
    expect(h).toMatchObject({
      orderCount: 4, purchaseDays: 3, firstDay: 40, lastDay: 120, totalUnits: 42_000, spendRepeatDays: 2, repeatSpendUnits: 35_000,
      lastGap: 30, largestGap: 50, recentDays: 1, recentSpendUnits: 15_000, baselineDays: 1, baselineSpendUnits: 20_000, unpriced: 0,
      firstOrderAt: 1000, lastOrderAt: 2000,
    });
  });

  it('counts an order without an exchange rate as a purchase but keeps its day out of spend and zbar', () => {
    const h = foldPurchaseHistory('c2', [10, 20, 20], [3_000, null, 4_000], 0, 0, window);
    expect(h).toMatchObject({ purchaseDays: 2, orderCount: 3, totalUnits: 7_000, spendRepeatDays: 0, repeatSpendUnits: 0, unpriced: 1, lastGap: 10 });
  });

  it('gives a customer without orders an empty history', () => {
    expect(foldPurchaseHistory('c3', [], [], NaN, NaN, window)).toMatchObject({ purchaseDays: 0, orderCount: 0, lastGap: -1, largestGap: -1, totalUnits: 0 });
  });
});

describe('parseIntArray', () => {
  it('reads PostgreSQL integer array literals, NULL included', () => {
    expect(parseIntArray('{3,-1,NULL,20001}')).toEqual([3, -1, null, 20001]);
    expect(parseIntArray('{}')).toEqual([]);
    expect(parseIntArray('{NULL}')).toEqual([null]);
    expect(parseIntArray('{12345678901234}')).toEqual([12345678901234]);
    // numeric(19, 4)'s largest amount in units, past int8: read (as a double), never an overflow.
    expect(parseIntArray('{9999999999999999999}')[0]).toBeCloseTo(1e19, -5);
  });
});

describe('COPY text values and decimals', () => {
  it('escapes what COPY reads as special and writes \\N for null', () => {
    expect(copyValue(null)).toBe('\\N');
    expect(copyValue(Number.NaN)).toBe('\\N');
    expect(copyValue('a\tb\\c\nd\re')).toBe('a\\tb\\\\c\\nd\\re');
    expect(copyValue(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
  });

  it('formats units as exact decimals on both sides of 2^53', () => {
    expect(unitsToDecimal(0)).toBe('0.0000');
    expect(unitsToDecimal(-5)).toBe('-0.0005');
    expect(unitsToDecimal(123_456_789)).toBe('12345.6789');
    expect(unitsToDecimal(2 ** 60)).toBe('115292150460684.6976');
  });
});
