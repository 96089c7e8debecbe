/**
 * The layout of the real-time views table, shared by the construct that creates the table, the
 * consumer that writes it and the documentation's queries. One table holds three kinds of item:
 *
 * | item                         | pk                   | sk                        | attributes                                          |
 * | ---------------------------- | -------------------- | ------------------------- | --------------------------------------------------- |
 * | events of a type in a minute | `EVENT_TYPE#<type>`  | `MINUTE#yyyy-MM-ddTHH:mm` | events, amount, expires_at (TTL), applied#<shard>…  |
 * | a user's running totals      | `USER#<user_id>`     | `TOTALS`                  | events, amount, last_seen, applied#<shard>…         |
 * | a shard's dead-letter mark   | `SHARD#<shard id>`   | `DEAD_LETTERS`            | sent_through, updated_at                            |
 *
 * `applied#<shard id>` is the item's own high-water mark for that shard: the progress mark
 * (progress.ts) of the highest record of the shard whose counts the item holds.
 * Minute items sort by time within a type, so "purchases in the last hour" is one Query.
 */

export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
/** Epoch seconds after which DynamoDB deletes a minute item. */
export const EXPIRES_AT = 'expires_at';

export const ATTRIBUTES = {
  events: 'events',
  amount: 'amount',
  lastSeen: 'last_seen',
  /** On a shard's dead-letter item: the progress mark of the last record whose dead letter is sent. */
  sentThrough: 'sent_through',
  updatedAt: 'updated_at',
} as const;

/** Prefix of the per-shard high-water-mark attributes of view items. */
export const APPLIED_PREFIX = 'applied#';
export const appliedAttribute = (shardId: string): string => `${APPLIED_PREFIX}${shardId}`;

export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

export const minuteKey = (eventType: string, minute: string): ItemKey => ({ pk: `EVENT_TYPE#${eventType}`, sk: `MINUTE#${minute}` });
export const userKey = (userId: string): ItemKey => ({ pk: `USER#${userId}`, sk: 'TOTALS' });
export const deadLetterProgressKey = (shardId: string): ItemKey => ({ pk: `SHARD#${shardId}`, sk: 'DEAD_LETTERS' });

/** `2026-11-22T10:15:42.123Z` falls in minute `2026-11-22T10:15`. */
export const minuteOf = (isoTime: string): string => isoTime.slice(0, 16);

/** A key as DynamoDB attribute values. */
export const keyAttributes = (key: ItemKey) => ({ [PARTITION_KEY]: { S: key.pk }, [SORT_KEY]: { S: key.sk } });
