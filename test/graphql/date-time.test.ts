import 'reflect-metadata';
import { GraphQLDateTimeISO } from 'graphql-scalars';
import { describe, expect, it } from 'vitest';
import { DateTimeScalar, isoString } from '../../server/graphql/scalars.js';

describe('isoString (how DateTimeISO values are written)', () => {
  it('writes what toISOString writes, for 200,000 random instants from 1970 to 9999 and the edges', () => {
    const end = Date.UTC(10000, 0, 1);
    const edges = [0, 1, 999, 1000, 951_782_400_000 /* 2000-02-29 */, 4_107_542_400_000 /* 2100-02-28 */, end - 1];
    // A fixed linear congruential sequence: the same instants every run.
    let seed = 42;
    const next = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const instants = [...edges, ...Array.from({ length: 200_000 }, () => Math.floor(next() * end))];
    const wrong = instants.filter((t) => isoString(new Date(t)) !== new Date(t).toISOString());
    expect(wrong).toEqual([]);
  });

  it('leaves dates before 1970 and from the year 10000 to toISOString', () => {
    for (const t of [-1, -62_198_755_200_000, Date.UTC(10000, 0, 1), 8.64e15]) {
      expect(isoString(new Date(t))).toBe(new Date(t).toISOString());
    }
  });
});

describe('DateTimeScalar (the schema\'s DateTimeISO)', () => {
  it('is graphql-scalars\' DateTimeISO in name, description and parsing', () => {
    expect(DateTimeScalar.name).toBe('DateTimeISO');
    expect(DateTimeScalar.description).toBe(GraphQLDateTimeISO.description);
    expect(DateTimeScalar.parseValue('2026-12-05T10:15:30.5+01:00')).toEqual(GraphQLDateTimeISO.parseValue('2026-12-05T10:15:30.5+01:00'));
  });

  it('serialises Dates, strings and numbers as DateTimeISO does, and refuses what it refuses', () => {
    for (const value of [new Date(Date.UTC(2026, 11, 5, 10, 15, 30, 7)), '2026-12-05T10:15:30+01:00', 1_764_929_730_007, new Date(-1)]) {
      expect(DateTimeScalar.serialize(value)).toBe(GraphQLDateTimeISO.serialize(value));
    }
    for (const value of [new Date(Number.NaN), 'yesterday', true]) {
      expect(() => DateTimeScalar.serialize(value)).toThrow(/DateTime cannot/);
    }
  });
});
