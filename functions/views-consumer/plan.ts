import type { AttributeValue, CancellationReason, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { type Decimal, ZERO, addDecimals, formatDecimal } from './decimal';
import type { ParsedEvent, ViewEvent } from './parse';
import { ATTRIBUTES, EXPIRES_AT, type ItemKey, keyAttributes, minuteKey, minuteOf, userKey, watermarkKey } from './views';

/**
 * Write planning: which DynamoDB writes a batch of stream records turns into.
 *
 * Idempotency: a per-shard watermark. Each shard's item holds the sequence number of the last
 * record whose counts are committed, and it is advanced in the same TransactWriteItems as the
 * increments it covers, on condition that it still holds the value the batch started from. A
 * retried batch therefore skips what was committed and commits the rest exactly once. Per-event
 * marker items would dedupe too, but at one extra write per record, which is the cost that
 * pre-aggregation exists to avoid; the watermark costs one write per transaction.
 *
 * A transaction holds at most 100 items, so a batch is cut, in stream order, into chunks of at
 * most 99 distinct view items (plus the watermark). Within a chunk, every record of the same
 * type and minute, or of the same user, is summed into one update: writes grow with distinct
 * keys, not with records.
 */

/** DynamoDB's limit on the items of one TransactWriteItems. */
export const MAX_TRANSACTION_ITEMS = 100;

export interface PlannedRecord {
  readonly sequenceNumber: string;
  readonly parsed: ParsedEvent;
}

export interface MinuteTotals {
  readonly eventType: string;
  readonly minute: string;
  readonly events: number;
  readonly amount: Decimal;
}

export interface UserTotals {
  readonly userId: string;
  readonly events: number;
  readonly amount: Decimal;
  readonly lastSeen: string;
}

/** A run of consecutive records whose view updates fit one transaction. */
export interface Chunk<R extends PlannedRecord> {
  /** Every record of the run, counted or rejected, in stream order. */
  readonly records: readonly R[];
  /** Keyed by minute then type: the minute's fixed width makes the key unambiguous. */
  readonly minutes: ReadonlyMap<string, MinuteTotals>;
  readonly users: ReadonlyMap<string, UserTotals>;
}

/** The records after the watermark: the ones whose counts are not committed yet. */
export function notYetApplied<R extends { readonly sequenceNumber: string }>(records: readonly R[], watermark: string | undefined): R[] {
  if (watermark === undefined) return [...records];
  const last = BigInt(watermark);
  return records.filter((r) => BigInt(r.sequenceNumber) > last);
}

/** Cuts records into chunks of at most `maxViewItems` distinct view items, summing within each. */
export function planChunks<R extends PlannedRecord>(records: readonly R[], maxViewItems = MAX_TRANSACTION_ITEMS - 1): Chunk<R>[] {
  const chunks: Chunk<R>[] = [];
  let current = emptyChunk<R>();
  for (const record of records) {
    if ('event' in record.parsed) {
      const { event } = record.parsed;
      const minuteId = minuteOf(event.eventTime) + event.eventType;
      const added = Number(!current.minutes.has(minuteId)) + Number(!current.users.has(event.userId));
      if (current.minutes.size + current.users.size + added > maxViewItems) {
        chunks.push(current);
        current = emptyChunk<R>();
      }
      count(current, event, minuteId);
    }
    current.records.push(record);
  }
  if (current.records.length > 0) chunks.push(current);
  return chunks;
}

export interface TransactionContext {
  readonly tableName: string;
  readonly shardId: string;
  /** What the watermark must still hold: the value read before the batch, or the previous chunk's last record. */
  readonly previousWatermark: string | undefined;
  readonly now: Date;
  /** How long minute items live after their minute. */
  readonly minuteTtlSeconds: number;
  /** Users whose stored last_seen is later than this chunk's: their totals are added, last_seen is left alone. */
  readonly keepLastSeenOf?: ReadonlySet<string>;
}

/** The chunk's transaction: the watermark first, then the minute items, then the user items. */
export function transactItems(chunk: Chunk<PlannedRecord>, context: TransactionContext): TransactWriteItem[] {
  const { tableName, shardId, previousWatermark, now, minuteTtlSeconds, keepLastSeenOf } = context;
  const watermark = update(tableName, watermarkKey(shardId), {
    set: { [ATTRIBUTES.sequenceNumber]: { S: chunk.records[chunk.records.length - 1].sequenceNumber }, [ATTRIBUTES.updatedAt]: { S: now.toISOString() } },
    condition:
      previousWatermark === undefined
        ? { expression: `attribute_not_exists(#${ATTRIBUTES.sequenceNumber})`, values: {} }
        : { expression: `#${ATTRIBUTES.sequenceNumber} = :previous`, values: { ':previous': { S: previousWatermark } } },
  });
  const minutes = [...chunk.minutes.values()].map((m) =>
    update(tableName, minuteKey(m.eventType, m.minute), {
      add: totals(m),
      set: { [EXPIRES_AT]: { N: String(Date.parse(`${m.minute}:00Z`) / 1000 + minuteTtlSeconds) } },
    }),
  );
  const users = [...chunk.users.values()].map((u) =>
    keepLastSeenOf?.has(u.userId)
      ? update(tableName, userKey(u.userId), { add: totals(u) })
      : update(tableName, userKey(u.userId), {
          add: totals(u),
          set: { [ATTRIBUTES.lastSeen]: { S: u.lastSeen } },
          // last_seen only moves forward, so a late event cannot make a user look inactive.
          condition: {
            expression: `attribute_not_exists(#${ATTRIBUTES.lastSeen}) OR #${ATTRIBUTES.lastSeen} <= :${ATTRIBUTES.lastSeen}`,
            values: {},
          },
        }),
  );
  return [watermark, ...minutes, ...users];
}

/**
 * When a transaction was cancelled only because some users' stored last_seen is later than the
 * chunk's (late events), those users; retrying without touching their last_seen then succeeds.
 * Undefined when anything else failed, such as the watermark having moved.
 */
export function lastSeenConflicts(chunk: Chunk<PlannedRecord>, reasons: readonly CancellationReason[] | undefined): ReadonlySet<string> | undefined {
  if (!reasons) return undefined;
  const firstUser = 1 + chunk.minutes.size;
  const users = [...chunk.users.keys()];
  const conflicts = new Set<string>();
  for (const [index, reason] of reasons.entries()) {
    if (reason.Code === 'None' || reason.Code === undefined) continue;
    if (reason.Code !== 'ConditionalCheckFailed' || index < firstUser) return undefined;
    conflicts.add(users[index - firstUser]);
  }
  return conflicts.size > 0 ? conflicts : undefined;
}

interface ChunkInProgress<R extends PlannedRecord> extends Chunk<R> {
  readonly records: R[];
  readonly minutes: Map<string, MinuteTotals>;
  readonly users: Map<string, UserTotals>;
}

function emptyChunk<R extends PlannedRecord>(): ChunkInProgress<R> {
  return { records: [], minutes: new Map(), users: new Map() };
}

function count(chunk: ChunkInProgress<PlannedRecord>, event: ViewEvent, minuteId: string): void {
  const minute = chunk.minutes.get(minuteId) ?? { eventType: event.eventType, minute: minuteOf(event.eventTime), events: 0, amount: ZERO };
  chunk.minutes.set(minuteId, { ...minute, events: minute.events + 1, amount: addDecimals(minute.amount, event.amount) });
  const user = chunk.users.get(event.userId) ?? { userId: event.userId, events: 0, amount: ZERO, lastSeen: event.eventTime };
  chunk.users.set(event.userId, {
    ...user,
    events: user.events + 1,
    amount: addDecimals(user.amount, event.amount),
    lastSeen: event.eventTime > user.lastSeen ? event.eventTime : user.lastSeen,
  });
}

function totals(t: { readonly events: number; readonly amount: Decimal }): Record<string, AttributeValue> {
  return { [ATTRIBUTES.events]: { N: String(t.events) }, [ATTRIBUTES.amount]: { N: formatDecimal(t.amount) } };
}

interface UpdateParts {
  /** Attribute name to the number added to it. */
  readonly add?: Record<string, AttributeValue>;
  /** Attribute name to its new value. */
  readonly set?: Record<string, AttributeValue>;
  /** May refer to attributes of `add` and `set` as `#name`, their values as `:name`, and its own `values` (keys start with `:`). */
  readonly condition?: { readonly expression: string; readonly values: Record<string, AttributeValue> };
}

/** An Update whose attribute names and values are all bound as `#name` and `:name`. */
function update(tableName: string, key: ItemKey, { add = {}, set = {}, condition }: UpdateParts): TransactWriteItem {
  const clauses = [
    Object.keys(add).length > 0 ? `ADD ${Object.keys(add).map((name) => `#${name} :${name}`).join(', ')}` : '',
    Object.keys(set).length > 0 ? `SET ${Object.keys(set).map((name) => `#${name} = :${name}`).join(', ')}` : '',
  ].filter(Boolean);
  const bound = { ...add, ...set };
  return {
    Update: {
      TableName: tableName,
      Key: keyAttributes(key),
      UpdateExpression: clauses.join(' '),
      ConditionExpression: condition?.expression,
      ExpressionAttributeNames: Object.fromEntries(Object.keys(bound).map((name) => [`#${name}`, name])),
      ExpressionAttributeValues: { ...Object.fromEntries(Object.entries(bound).map(([name, value]) => [`:${name}`, value])), ...condition?.values },
    },
  };
}
