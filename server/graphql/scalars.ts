import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { Field, ObjectType } from 'type-graphql';

const DECIMAL = /^-?\d{1,15}(\.\d{1,4})?$/;

function parseDecimal(value: unknown, node?: ValueNode): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || !DECIMAL.test(text)) {
    // "cannot represent" and the node let formatError answer BAD_USER_INPUT with the field path.
    throw new GraphQLError(`Decimal cannot represent ${JSON.stringify(text)}: use a string like "1234.50" (at most 15 integer and 4 fraction digits)`, {
      nodes: node,
    });
  }
  return text;
}

/** Exact decimal number, exchanged as a string so no float ever touches money. */
export const DecimalScalar = new GraphQLScalarType({
  name: 'Decimal',
  description: 'An exact decimal number as a string, e.g. "1234.50". Never a float.',
  serialize: (value) => String(value),
  parseValue: (value) => parseDecimal(value),
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return parseDecimal(ast.value, ast);
    throw new GraphQLError('Decimal cannot represent this value: use a string like "1234.50"', { nodes: ast });
  },
});

@ObjectType({ description: 'An exact amount of money in one currency.' })
export class Money {
  @Field(() => DecimalScalar)
  amount!: string;

  @Field(() => String, { description: 'ISO 4217 code.' })
  currency!: string;

  static of(amount: string, currency: string): Money {
    return Object.assign(new Money(), { amount: normalizeDecimal(amount), currency });
  }
}

/** "12.5000" -> "12.50": at least two fraction digits, trailing zeros beyond that dropped. */
export function normalizeDecimal(value: string): string {
  // By hand, not split/replace/padEnd: a list page formats ~100 amounts per request.
  const dot = value.indexOf('.');
  if (dot < 0) return `${value}.00`;
  let end = value.length;
  while (end > dot + 3 && value.charCodeAt(end - 1) === 48 /* 0 */) end--;
  const digits = end - dot - 1;
  if (digits >= 2) return end === value.length ? value : value.slice(0, end);
  return value.slice(0, end) + (digits === 1 ? '0' : '00');
}
