import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { normalizeDecimal } from '../../server/graphql/scalars.js';

describe('normalizeDecimal (how Money amounts are written)', () => {
  it.each([
    ['12.5000', '12.50'],
    ['12.3450', '12.345'],
    ['12.0000', '12.00'],
    ['12.30', '12.30'],
    ['12.1', '12.10'],
    ['12.', '12.00'],
    ['12', '12.00'],
    ['-0.5', '-0.50'],
    ['100.0001', '100.0001'],
    ['1234567890.1234', '1234567890.1234'],
  ])('%s → %s: at least two fraction digits, trailing zeros beyond them dropped', (input, output) => {
    expect(normalizeDecimal(input)).toBe(output);
  });
});
