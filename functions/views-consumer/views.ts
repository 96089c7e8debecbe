/**
 * The layout of the real-time views table, shared by the construct that creates the table, the
 * consumer that writes it and the documentation's queries. One table holds three kinds of item:
 *
 * | item                         | pk                   | sk                        | attributes                       |
 * | ---------------------------- | -------------------- | ------------------------- | -------------------------------- |
 * | events of a type in a minute | `EVENT_TYPE#<type>`  | `MINUTE#yyyy-MM-ddTHH:mm` | events, amount, expires_at (TTL) |
 * | a user's running totals      | `USER#<user_id>`     | `TOTALS`                  | events, amount, last_seen        |
 * | a shard's watermark          | `SHARD#<shard id>`   | `WATERMARK`               | sequence_number, updated_at      |
 *
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
  sequenceNumber: 'sequence_number',
  updatedAt: 'updated_at',
} as const;

export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

export const minuteKey = (eventType: string, minute: string): ItemKey => ({ pk: `EVENT_TYPE#${eventType}`, sk: `MINUTE#${minute}` });
export const userKey = (userId: string): ItemKey => ({ pk: `USER#${userId}`, sk: 'TOTALS' });
export const watermarkKey = (shardId: string): ItemKey => ({ pk: `SHARD#${shardId}`, sk: 'WATERMARK' });

/** `2026-11-22T10:15:42.123Z` falls in minute `2026-11-22T10:15`. */
export const minuteOf = (isoTime: string): string => isoTime.slice(0, 16);

/** A key as DynamoDB attribute values. */
export const keyAttributes = (key: ItemKey) => ({ [PARTITION_KEY]: { S: key.pk }, [SORT_KEY]: { S: key.sk } });
