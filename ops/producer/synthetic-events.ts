import type { KinesisStreamEvent } from 'aws-lambda';
import { dataset } from '../../lib/datasets';

/**
 * Synthetic application events of the bronze.events schema, for the producer CLI, the consumer
 * benchmark and the tests. A seed always gives the same events, and values look like the ETL's
 * generator (etl/bdp_etl/generate.py), so they pass bronze_to_silver's rules.
 */

/** The event types bronze_to_silver accepts: EVENT_TYPES in etl/bdp_etl/rules.py (a test keeps them equal). */
export const EVENT_TYPES = ['page_view', 'click', 'add_to_cart', 'purchase', 'signup'] as const;
const EVENT_TYPE_WEIGHTS = [0.5, 0.25, 0.12, 0.08, 0.05];
const COUNTRIES = ['SE', 'NO', 'DK', 'FI', 'DE', 'FR', 'NL', 'GB', 'US', 'ES'];
const DEVICES = ['ios', 'android', 'web'];
const CAMPAIGNS = ['none', 'newsletter', 'search', 'social'];
/** Share of events that arrive up to LATE_BY_MS after later ones, as mobile clients do. */
const LATE_SHARE = 0.02;
const LATE_BY_MS = 10 * 60 * 1000;

const COLUMNS = dataset('bronze', 'events').columns.map((c) => c.name);

/** One event: every declared scalar a string, `properties` a string map. */
export type SyntheticEvent = Readonly<Record<string, string | Readonly<Record<string, string>>>>;

export interface SyntheticEventOptions {
  /** The same seed gives the same events. */
  readonly seed: number;
  /** event_time of the first event. */
  readonly start: Date;
  /**
   * Milliseconds between consecutive event times.
   * @default 60 (1,000 events a minute)
   */
  readonly intervalMs?: number;
  /**
   * Distinct users. Draws are skewed, as real traffic is: the busiest 1% make about a fifth of the events.
   * @default 10_000
   */
  readonly users?: number;
}

/** An endless, deterministic sequence of events; take as many as needed. */
export function* syntheticEvents(options: SyntheticEventOptions): Generator<SyntheticEvent> {
  const random = seededRandom(options.seed);
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)];
  const intervalMs = options.intervalMs ?? 60;
  const users = options.users ?? 10_000;
  for (let index = 0; ; index++) {
    const eventType = weightedPick(EVENT_TYPES, EVENT_TYPE_WEIGHTS, random());
    const lateByMs = random() < LATE_SHARE ? Math.floor(random() * LATE_BY_MS) : 0;
    yield declaredColumns({
      event_id: uuid(random),
      user_id: `u${String(Math.floor(users * random() ** 3)).padStart(9, '0')}`,
      event_type: eventType,
      event_time: new Date(options.start.getTime() + index * intervalMs - lateByMs).toISOString(),
      amount: eventType === 'purchase' ? (Math.floor(500 + random() * 49_501) / 100).toFixed(2) : '0.00',
      country: pick(COUNTRIES),
      properties: { device: pick(DEVICES), campaign: pick(CAMPAIGNS) },
    });
  }
}

/** The first `count` values of an iterable. */
export function* take<T>(values: Iterable<T>, count: number): Generator<T> {
  if (count <= 0) return;
  let taken = 0;
  for (const value of values) {
    yield value;
    if (++taken >= count) return;
  }
}

/** Options for `kinesisEvent`. */
export interface KinesisEventOptions {
  /** @default 'shardId-000000000000' */
  readonly shardId?: string;
  /** @default a realistic 56-digit sequence number */
  readonly firstSequenceNumber?: bigint;
}

export const SYNTHETIC_STREAM_ARN = 'arn:aws:kinesis:eu-north-1:111111111111:stream/bdp-dev-events';
const FIRST_SEQUENCE_NUMBER = 49_659_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n;

/**
 * The event Lambda would hand the consumer for these payloads, in order, from one shard. Objects
 * are sent as JSON; strings are sent as they are, so tests can send what is not JSON.
 */
export function kinesisEvent(payloads: readonly (SyntheticEvent | object | string)[], options: KinesisEventOptions = {}): KinesisStreamEvent {
  const shardId = options.shardId ?? 'shardId-000000000000';
  const first = options.firstSequenceNumber ?? FIRST_SEQUENCE_NUMBER;
  return {
    Records: payloads.map((payload, index) => {
      const sequenceNumber = String(first + BigInt(index));
      return {
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${shardId}:${sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::111111111111:role/consumer',
        awsRegion: 'eu-north-1',
        eventSourceARN: SYNTHETIC_STREAM_ARN,
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: typeof payload === 'object' && 'user_id' in payload ? String(payload.user_id) : `key-${index}`,
          sequenceNumber,
          approximateArrivalTimestamp: 1_795_000_000 + index / 1000,
          data: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)).toString('base64'),
        },
      };
    }),
  };
}

/** The generated values in declared column order; fails loudly when the declaration changed. */
function declaredColumns(values: Record<string, string | Record<string, string>>): SyntheticEvent {
  const extra = Object.keys(values).filter((name) => !COLUMNS.includes(name));
  const missing = COLUMNS.filter((name) => !(name in values));
  if (extra.length > 0 || missing.length > 0) {
    throw new Error(`synthetic events no longer match bronze.events in etl/bdp_etl/datasets.json: generated but not declared [${extra.join(', ')}], declared but not generated [${missing.join(', ')}]`);
  }
  return Object.fromEntries(COLUMNS.map((name) => [name, values[name]]));
}

function weightedPick<T>(values: readonly T[], weights: readonly number[], draw: number): T {
  let remaining = draw;
  for (const [index, weight] of weights.entries()) {
    remaining -= weight;
    if (remaining < 0) return values[index];
  }
  return values[values.length - 1];
}

/** A version-4-shaped UUID from the seeded generator (crypto.randomUUID cannot be seeded). */
function uuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** mulberry32: a small, fast generator; plenty for test data, not for secrets. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
