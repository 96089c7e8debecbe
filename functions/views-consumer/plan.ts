import type { AttributeValue, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { type Decimal, ZERO, addDecimals, formatDecimal } from './decimal';
import type { ParsedEvent } from './parse';
import { progressMark } from './progress';
import { ATTRIBUTES, EXPIRES_AT, type ItemKey, appliedAttribute, keyAttributes, minuteKey, minuteOf, userKey } from './views';

/**
 * Write planning: which DynamoDB writes a batch of stream records turns into.
 *
 * Pre-aggregation: every record of the same type and minute, or of the same user, is summed into
 * one update, so writes grow with distinct keys, not with records.
 *
 * Exactly-once without transactions: each view item carries, per shard, the progress mark of the
 * highest record it has applied (`applied#<shard>`). An update adds a set of the shard's records
 * and raises the mark to the highest of them, on condition that the mark is below the lowest:
 * one conditional UpdateItem, 1 write unit for an item up to 1 KB. When the condition fails
 * (a retry, or a bisected or overlapping delivery), the stored mark says which of the records are
 * already in the item; the rest, if any, are written on condition that the mark is unchanged.
 * Items are independent, so one late event or one throttled item never holds back another.
 */

export interface PlannedRecord {
  readonly sequenceNumber: bigint;
  readonly parsed: ParsedEvent;
}

/** One record's share of an item. */
export interface Contribution {
  readonly sequenceNumber: bigint;
  readonly amount: Decimal;
  readonly eventTime: string;
}

export interface ViewUpdate {
  readonly key: ItemKey;
  /** Minute items carry their minute (for the TTL); user items track last_seen. */
  readonly minute?: string;
  readonly tracksLastSeen: boolean;
  /** In stream order. */
  readonly contributions: readonly Contribution[];
}

/** What an update adds for the records above a stored mark. */
export interface PendingTotals {
  readonly events: number;
  readonly amount: Decimal;
  readonly lastSeen: string;
  readonly lowest: bigint;
  readonly highest: bigint;
}

/** Sums a batch's counted records per item; rejected records write nothing. */
export function planUpdates(records: readonly PlannedRecord[]): ViewUpdate[] {
  const updates = new Map<string, ViewUpdate & { contributions: Contribution[] }>();
  const add = (id: string, make: () => ViewUpdate, contribution: Contribution) => {
    let update = updates.get(id);
    if (!update) updates.set(id, (update = { ...make(), contributions: [] }));
    update.contributions.push(contribution);
  };
  for (const { sequenceNumber, parsed } of records) {
    if (!('event' in parsed)) continue;
    const { event } = parsed;
    const minute = minuteOf(event.eventTime);
    const contribution = { sequenceNumber, amount: event.amount, eventTime: event.eventTime };
    // The minute's fixed width makes minute + type unambiguous; user ids get their own namespace.
    add(`M${minute}${event.eventType}`, () => ({ key: minuteKey(event.eventType, minute), minute, tracksLastSeen: false, contributions: [] }), contribution);
    add(`U${event.userId}`, () => ({ key: userKey(event.userId), tracksLastSeen: true, contributions: [] }), contribution);
  }
  return [...updates.values()];
}

/** The totals of an update's records above `appliedThrough` (all of them when undefined); undefined when none is. */
export function pendingTotals(update: ViewUpdate, appliedThrough: bigint | undefined): PendingTotals | undefined {
  let totals: PendingTotals | undefined;
  for (const c of update.contributions) {
    if (appliedThrough !== undefined && c.sequenceNumber <= appliedThrough) continue;
    totals = totals
      ? {
          events: totals.events + 1,
          amount: addDecimals(totals.amount, c.amount),
          lastSeen: c.eventTime > totals.lastSeen ? c.eventTime : totals.lastSeen,
          lowest: c.sequenceNumber < totals.lowest ? c.sequenceNumber : totals.lowest,
          highest: c.sequenceNumber > totals.highest ? c.sequenceNumber : totals.highest,
        }
      : { events: 1, amount: addDecimals(ZERO, c.amount), lastSeen: c.eventTime, lowest: c.sequenceNumber, highest: c.sequenceNumber };
  }
  return totals;
}

export interface UpdateContext {
  readonly tableName: string;
  readonly shardId: string;
  /** The stream's epoch (progress.ts). */
  readonly epoch: string;
  /** How long minute items live after their minute. */
  readonly minuteTtlSeconds: number;
}

/**
 * What the item is expected to hold, from a first attempt's failed condition: the stored mark
 * (undefined: none), and whether last_seen is to be left alone because it is already later.
 * Without it, the update is a first attempt.
 */
export interface Observed {
  readonly appliedMark: string | undefined;
  readonly keepLastSeen: boolean;
}

/**
 * The conditional UpdateItem that adds `totals` to the item and raises its mark for the shard.
 * First attempt: the mark must be below the lowest record, and last_seen (user items) no later
 * than the records' latest. Second attempt: the mark must be exactly the one observed.
 */
export function updateItemInput(update: ViewUpdate, totals: PendingTotals, context: UpdateContext, observed?: Observed): UpdateItemCommandInput {
  const names: Record<string, string> = { '#events': ATTRIBUTES.events, '#amount': ATTRIBUTES.amount, '#applied': appliedAttribute(context.shardId) };
  const values: Record<string, AttributeValue> = {
    ':events': { N: String(totals.events) },
    ':amount': { N: formatDecimal(totals.amount) },
    ':mark': { S: progressMark(context.epoch, totals.highest) },
  };
  const set = ['#applied = :mark'];
  const conditions: string[] = [];

  if (observed === undefined) {
    values[':lowest'] = { S: progressMark(context.epoch, totals.lowest) };
    conditions.push('(attribute_not_exists(#applied) OR #applied < :lowest)');
  } else if (observed.appliedMark === undefined) {
    conditions.push('attribute_not_exists(#applied)');
  } else {
    values[':observed'] = { S: observed.appliedMark };
    conditions.push('#applied = :observed');
  }
  if (update.minute !== undefined) {
    names['#expires_at'] = EXPIRES_AT;
    values[':expires_at'] = { N: String(Date.parse(`${update.minute}:00Z`) / 1000 + context.minuteTtlSeconds) };
    set.push('#expires_at = :expires_at');
  }
  if (update.tracksLastSeen && !observed?.keepLastSeen) {
    // last_seen only moves forward, so a late event cannot make a user look inactive.
    names['#last_seen'] = ATTRIBUTES.lastSeen;
    values[':last_seen'] = { S: totals.lastSeen };
    set.push('#last_seen = :last_seen');
    conditions.push('(attribute_not_exists(#last_seen) OR #last_seen <= :last_seen)');
  }
  return {
    TableName: context.tableName,
    Key: keyAttributes(update.key),
    UpdateExpression: `ADD #events :events, #amount :amount SET ${set.join(', ')}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    // A failed condition returns the item, free of a read: its mark says what to write instead.
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}
