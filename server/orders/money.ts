/**
 * Exact money arithmetic on decimal strings with BigInt at 4 fraction digits.
 * Floats never touch an amount.
 */
const SCALE = 4;
const FACTOR = 10n ** BigInt(SCALE);

export function toUnits(amount: string): bigint {
  const negative = amount.startsWith('-');
  const [int, frac = ''] = amount.replace('-', '').split('.');
  const units = BigInt(int || '0') * FACTOR + BigInt((frac + '0000').slice(0, SCALE));
  return negative ? -units : units;
}

export function fromUnits(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const int = abs / FACTOR;
  const frac = (abs % FACTOR).toString().padStart(SCALE, '0');
  return `${negative ? '-' : ''}${int}.${frac}`;
}

export function lineTotal(quantity: number, unitPrice: string): bigint {
  return BigInt(quantity) * toUnits(unitPrice);
}
