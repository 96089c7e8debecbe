/**
 * Exact decimal sums for the amount totals. Floating point would drift (0.1 + 0.2), and DynamoDB
 * adds Number attributes exactly, so batch totals are kept exact too and handed over as strings.
 */

/** `units / 10^scale`, e.g. 12.50 is { units: 1250n, scale: 2 }. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

export const ZERO: Decimal = { units: 0n, scale: 0 };

// At most 18 + 9 digits, so a year of totals stays well inside DynamoDB's 38 significant digits.
const DECIMAL = /^([+-]?)(\d{1,18})(?:\.(\d{1,9}))?$/;

/** The decimal a string such as `12.50` or `-3` holds, or undefined when it holds none. */
export function parseDecimal(text: string): Decimal | undefined {
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = ''] = match;
  const units = BigInt(whole + fraction);
  return { units: sign === '-' ? -units : units, scale: fraction.length };
}

export function addDecimals(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: a.units * 10n ** BigInt(scale - a.scale) + b.units * 10n ** BigInt(scale - b.scale), scale };
}

/** The DynamoDB Number form: plain digits, no exponent. */
export function formatDecimal({ units, scale }: Decimal): string {
  const digits = (units < 0n ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return units < 0n ? `-${text}` : text;
}
