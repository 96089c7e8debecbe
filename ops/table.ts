/** Plain-text tables for terminal reports: columns padded to their widest cell. */

export type Align = 'left' | 'right';

export interface TableOptions {
  /** Per column; default left. */
  readonly align?: readonly Align[];
  readonly indent?: string;
}

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const indent = options.indent ?? '';
  const line = (row: readonly string[]) =>
    indent +
    row
      .map((cell, column) => (options.align?.[column] === 'right' ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return all.map(line).join('\n');
}

/** `$1,234.56`; amounts under a cent keep up to four decimals (`$0.0046`). */
export function usd(amount: number): string {
  if (amount !== 0 && Math.abs(amount) < 0.01) return `$${amount.toFixed(4).replace(/0+$/, '')}`;
  return `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A unit price with the precision it was given in: `$0.046`, `$0.000715`, `$1.00`. */
export function unitUsd(amount: number): string {
  const text = String(Number(amount.toPrecision(6)));
  const [, decimals = ''] = text.split('.');
  return `$${decimals.length < 2 ? amount.toFixed(2) : text}`;
}
