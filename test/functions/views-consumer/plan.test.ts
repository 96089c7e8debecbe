import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { parseDecimal } from '../../../functions/views-consumer/decimal';
import type { ParsedEvent } from '../../../functions/views-consumer/parse';
import { MAX_TRANSACTION_ITEMS, type PlannedRecord, lastSeenConflicts, notYetApplied, planChunks, transactItems } from '../../../functions/views-consumer/plan';

let sequence = 100n;
const counted = (userId: string, eventType: string, eventTime: string, amount = '0.00'): PlannedRecord => ({
  sequenceNumber: String(sequence++),
  parsed: { event: { userId, eventType, eventTime, amount: parseDecimal(amount)! } },
});
const rejected = (reason: string): PlannedRecord => ({ sequenceNumber: String(sequence++), parsed: { rejection: { reason, detail: '' } } as ParsedEvent });
const context = { tableName: 'views', shardId: 'shardId-000000000001', previousWatermark: undefined, now: new Date('2026-11-22T12:00:00Z'), minuteTtlSeconds: 3600 };
const updates = (items: TransactWriteItem[]) => items.map((i) => i.Update!);

describe('planChunks', () => {
  test('sums records of a type and minute, and of a user, into one update each', () => {
    const records = [
      counted('u1', 'purchase', '2026-11-22T10:15:01.000Z', '12.50'),
      counted('u1', 'purchase', '2026-11-22T10:15:59.999Z', '0.25'),
      counted('u2', 'purchase', '2026-11-22T10:15:30.000Z', '1.00'),
      counted('u2', 'click', '2026-11-22T10:16:00.000Z'),
    ];
    const [chunk, ...rest] = planChunks(records);
    expect(rest).toEqual([]);
    expect(chunk.records).toEqual(records);
    expect([...chunk.minutes.values()]).toEqual([
      { eventType: 'purchase', minute: '2026-11-22T10:15', events: 3, amount: { units: 1375n, scale: 2 } },
      { eventType: 'click', minute: '2026-11-22T10:16', events: 1, amount: { units: 0n, scale: 2 } },
    ]);
    expect(chunk.users.get('u1')).toEqual({ userId: 'u1', events: 2, amount: { units: 1275n, scale: 2 }, lastSeen: '2026-11-22T10:15:59.999Z' });
    expect(chunk.users.get('u2')).toMatchObject({ events: 2, lastSeen: '2026-11-22T10:16:00.000Z' });
  });

  test('writes grow with distinct keys, not records: 1,000 records of 3 users in one minute make one transaction of 5 items', () => {
    const records = Array.from({ length: 1000 }, (_, i) => counted(`u${i % 3}`, 'page_view', `2026-11-22T10:15:${String(i % 60).padStart(2, '0')}.000Z`));
    const chunks = planChunks(records);
    expect(chunks).toHaveLength(1);
    expect(transactItems(chunks[0], context)).toHaveLength(1 + 1 + 3);
  });

  test('a run that would exceed one transaction is cut in stream order, and nothing is lost or counted twice', () => {
    const records = [
      ...Array.from({ length: 250 }, (_, i) => counted(`u${i}`, i % 2 ? 'click' : 'purchase', '2026-11-22T10:15:00.000Z', '1.00')),
      rejected('invalid_json'),
      counted('u0', 'click', '2026-11-22T10:15:00.000Z', '1.00'),
    ];
    const chunks = planChunks(records);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flatMap((c) => c.records)).toEqual(records);
    for (const chunk of chunks) expect(transactItems(chunk, context).length).toBeLessThanOrEqual(MAX_TRANSACTION_ITEMS);
    const total = (key: 'minutes' | 'users') => chunks.reduce((sum, c) => sum + [...c[key].values()].reduce((s, t) => s + t.events, 0), 0);
    expect([total('minutes'), total('users')]).toEqual([251, 251]);
  });

  test('a chunk holds at most the given number of view items', () => {
    const chunks = planChunks(
      ['a', 'b', 'c', 'd', 'e'].map((u) => counted(u, 'click', '2026-11-22T10:15:00.000Z')),
      3,
    );
    expect(chunks.map((c) => [...c.users.keys()])).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  test('rejected records stay in their place, so the watermark passes them only with their chunk', () => {
    const records = [rejected('invalid_json'), rejected('missing_user_id')];
    const [chunk] = planChunks(records);
    expect(chunk.records).toEqual(records);
    expect(chunk.minutes.size + chunk.users.size).toBe(0);
  });
});

describe('transactItems', () => {
  const [chunk] = planChunks([counted('u1', 'purchase', '2026-11-22T10:15:01.000Z', '12.50'), counted('u1', 'click', '2026-11-22T10:16:01.000Z')]);

  test('the watermark comes first and only advances from where the batch started', () => {
    const [first] = updates(transactItems(chunk, context));
    expect(first).toMatchObject({
      Key: { pk: { S: 'SHARD#shardId-000000000001' }, sk: { S: 'WATERMARK' } },
      UpdateExpression: 'SET #sequence_number = :sequence_number, #updated_at = :updated_at',
      ConditionExpression: 'attribute_not_exists(#sequence_number)',
    });
    expect(first.ExpressionAttributeValues).toEqual({ ':sequence_number': { S: chunk.records[1].sequenceNumber }, ':updated_at': { S: '2026-11-22T12:00:00.000Z' } });

    const [next] = updates(transactItems(chunk, { ...context, previousWatermark: '99' }));
    expect(next.ConditionExpression).toBe('#sequence_number = :previous');
    expect(next.ExpressionAttributeValues).toMatchObject({ ':previous': { S: '99' } });
  });

  test('minute items add counts and amounts and expire a TTL after their minute', () => {
    const [, purchase] = updates(transactItems(chunk, context));
    expect(purchase).toEqual({
      TableName: 'views',
      Key: { pk: { S: 'EVENT_TYPE#purchase' }, sk: { S: 'MINUTE#2026-11-22T10:15' } },
      UpdateExpression: 'ADD #events :events, #amount :amount SET #expires_at = :expires_at',
      ExpressionAttributeNames: { '#events': 'events', '#amount': 'amount', '#expires_at': 'expires_at' },
      ExpressionAttributeValues: { ':events': { N: '1' }, ':amount': { N: '12.50' }, ':expires_at': { N: String(Date.parse('2026-11-22T10:15:00Z') / 1000 + 3600) } },
    });
  });

  test('user items add totals and move last_seen forward only; conflicting users keep theirs', () => {
    const user = updates(transactItems(chunk, context))[3];
    expect(user).toMatchObject({
      Key: { pk: { S: 'USER#u1' }, sk: { S: 'TOTALS' } },
      UpdateExpression: 'ADD #events :events, #amount :amount SET #last_seen = :last_seen',
      ConditionExpression: 'attribute_not_exists(#last_seen) OR #last_seen <= :last_seen',
      ExpressionAttributeValues: { ':events': { N: '2' }, ':amount': { N: '12.50' }, ':last_seen': { S: '2026-11-22T10:16:01.000Z' } },
    });
    const kept = updates(transactItems(chunk, { ...context, keepLastSeenOf: new Set(['u1']) }))[3];
    expect(kept.UpdateExpression).toBe('ADD #events :events, #amount :amount');
    expect(kept.ConditionExpression).toBeUndefined();
  });
});

describe('idempotency helpers', () => {
  test('records at or before the watermark are skipped, comparing sequence numbers as numbers', () => {
    const records = ['9', '10', '11', '100'].map((sequenceNumber) => ({ sequenceNumber }));
    expect(notYetApplied(records, '10').map((r) => r.sequenceNumber)).toEqual(['11', '100']);
    expect(notYetApplied(records, undefined)).toEqual(records);
  });

  test('a cancellation caused only by users with a later last_seen names them; anything else does not qualify', () => {
    const [chunk] = planChunks([counted('u1', 'click', '2026-11-22T10:15:00.000Z'), counted('u2', 'click', '2026-11-22T10:15:00.000Z')]);
    const none = { Code: 'None' };
    const failed = { Code: 'ConditionalCheckFailed' };
    expect(lastSeenConflicts(chunk, [none, none, none, failed])).toEqual(new Set(['u2']));
    expect(lastSeenConflicts(chunk, [none, none, failed, failed])).toEqual(new Set(['u1', 'u2']));
    expect(lastSeenConflicts(chunk, [failed, none, none, failed])).toBeUndefined();
    expect(lastSeenConflicts(chunk, [none, none, { Code: 'ThrottlingError' }, none])).toBeUndefined();
    expect(lastSeenConflicts(chunk, [none, none, none, none])).toBeUndefined();
    expect(lastSeenConflicts(chunk, undefined)).toBeUndefined();
  });
});
