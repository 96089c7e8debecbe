import { usageError } from './errors';

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const;

/** `6h`, `90m`, `1d12h` → milliseconds. Anything else, or zero, is a usage error. */
export function parseDuration(text: string, option: string): number {
  const parts = /^(?:\d+[dhm])+$/.test(text) ? [...text.matchAll(/(\d+)([dhm])/g)] : [];
  const ms = parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS], 0);
  if (ms <= 0) throw usageError(`${option} must be a duration such as 6h, 90m or 1d12h; got '${text}'`);
  return ms;
}

/** 2d 3h, 5h 07m, 12m: how long a cluster has been up, at a glance. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${String(rest).padStart(2, '0')}m`;
  return `${rest}m`;
}
