import { BRONZE_EVENTS } from './bronze-events';
import { type Decimal, parseDecimal } from './decimal';

/**
 * Turns a stream record into the event the real-time views count, or into the reason it cannot be
 * counted. The contract is bronze.events from the shared declaration (etl/bdp_etl/datasets.json):
 * the same columns Firehose writes to Parquet and bronze_to_silver reads.
 */

export { BRONZE_EVENTS };

/** How a JSON value is checked against each Hive type that bronze.events uses. */
const JSON_TYPE_CHECKS: Readonly<Record<string, (value: unknown) => boolean>> = {
  string: (value) => typeof value === 'string',
  'map<string,string>': (value) => isObject(value) && Object.values(value).every((v) => typeof v === 'string'),
};

/** Columns every counted event needs: silver's required keys plus what the views aggregate. */
const REQUIRED_COLUMNS = ['event_id', 'user_id', 'event_type', 'event_time', 'amount'] as const;

// Fail at load, not per record, when the declaration and this module disagree.
for (const column of BRONZE_EVENTS.columns) {
  if (!JSON_TYPE_CHECKS[column.type]) throw new Error(`bronze.events column ${column.name} has type ${column.type}, which the consumer cannot check; add it to JSON_TYPE_CHECKS`);
}
for (const name of REQUIRED_COLUMNS) {
  if (!BRONZE_EVENTS.columns.some((c) => c.name === name)) throw new Error(`the consumer needs column ${name}, which bronze.events no longer declares`);
}
const DECLARED = new Set(BRONZE_EVENTS.columns.map((c) => c.name));

/** DynamoDB keys hold at most 2048 bytes; ids longer than this could never be written. */
export const MAX_ID_BYTES = 1024;

/** ISO-8601 in UTC, with optional fractions: what the producer writes and silver's cast reads. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|\+00:00)$/;

/** An event the views can count. */
export interface ViewEvent {
  readonly userId: string;
  readonly eventType: string;
  /** Normalised to `toISOString()` (millisecond precision, `Z`), so strings compare in time order. */
  readonly eventTime: string;
  readonly amount: Decimal;
}

/** Why a record cannot be counted: a snake_case reason, as bronze_to_silver names its quarantine reasons. */
export interface Rejection {
  readonly reason: string;
  readonly detail: string;
}

export type ParsedEvent = { readonly event: ViewEvent } | { readonly rejection: Rejection };

/**
 * How far event_time may stray from the consumer's clock. A far-future minute item would outlive
 * its TTL and a far-past one would be born expired; either is a producer bug, not a real-time view.
 */
export interface EventTimeBounds {
  readonly now: Date;
  /** Later than now + this is `future_event_time`. */
  readonly maxAheadMs: number;
  /** Earlier than now - this is `stale_event_time`. */
  readonly maxAgeMs: number;
}

/** Longest slice of a field quoted in a rejection's detail: the record itself travels in the dead letter. */
const QUOTED_CHARS = 64;

export function parseEvent(data: Uint8Array, bounds?: EventTimeBounds): ParsedEvent {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (error) {
    return reject('invalid_json', (error as Error).message);
  }
  if (!isObject(value)) return reject('not_an_object', `expected a JSON object, got ${describe(value)}`);

  const unknown = Object.keys(value).filter((key) => !DECLARED.has(key));
  if (unknown.length > 0) return reject('unknown_columns', `not declared for bronze.events: ${unknown.join(', ')}`);

  for (const column of BRONZE_EVENTS.columns) {
    const field = value[column.name];
    const required = (REQUIRED_COLUMNS as readonly string[]).includes(column.name);
    if (field === undefined || field === null) {
      if (required) return reject(`missing_${column.name}`, `${column.name} is absent or null`);
    } else if (!JSON_TYPE_CHECKS[column.type](field)) {
      return reject(`invalid_${column.name}`, `expected ${column.type}, got ${describe(field)}`);
    } else if (required && (field as string).trim() === '') {
      return reject(`missing_${column.name}`, `${column.name} is blank`);
    }
  }

  const record = value as Record<(typeof REQUIRED_COLUMNS)[number], string>;
  for (const column of ['user_id', 'event_type'] as const) {
    const bytes = Buffer.byteLength(record[column]);
    if (bytes > MAX_ID_BYTES) return reject(`invalid_${column}`, `${bytes} bytes, more than the ${MAX_ID_BYTES} a view key allows`);
  }
  const eventTime = normaliseUtc(record.event_time.trim());
  if (!eventTime) return reject('invalid_event_time', `not an ISO-8601 UTC timestamp: ${quote(record.event_time)}`);
  if (bounds) {
    const skewMs = Date.parse(eventTime) - bounds.now.getTime();
    if (skewMs > bounds.maxAheadMs) return reject('future_event_time', `${eventTime} is more than ${bounds.maxAheadMs / 1000} s after the consumer's clock (${bounds.now.toISOString()})`);
    if (-skewMs > bounds.maxAgeMs) return reject('stale_event_time', `${eventTime} is more than ${bounds.maxAgeMs / 1000} s before the consumer's clock (${bounds.now.toISOString()})`);
  }
  const amount = parseDecimal(record.amount.trim());
  if (!amount) return reject('invalid_amount', `not a decimal number: ${quote(record.amount)}`);

  return { event: { userId: record.user_id, eventType: record.event_type, eventTime, amount } };
}

/** `toISOString()` of a valid UTC timestamp; Date.parse alone would roll 02-30 over into March. */
function normaliseUtc(text: string): string | undefined {
  const millis = ISO_UTC.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(millis)) return undefined;
  const normalised = new Date(millis).toISOString();
  return normalised.slice(0, 19) === text.slice(0, 19) ? normalised : undefined;
}

/** A field's value for a detail, cut short: a megabyte-long value must not make a megabyte-long reason. */
function quote(value: string): string {
  return value.length <= QUOTED_CHARS ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, QUOTED_CHARS))}… (${value.length} characters)`;
}

function reject(reason: string, detail: string): ParsedEvent {
  return { rejection: { reason, detail } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
