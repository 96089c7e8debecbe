import { parseDecimal } from '../../../functions/views-consumer/decimal';
import type { ParsedEvent } from '../../../functions/views-consumer/parse';
import { type PlannedRecord, pendingTotals, planUpdates, updateItemInput } from '../../../functions/views-consumer/plan';
import { progressMark } from '../../../functions/views-consumer/progress';

let sequence = 100n;
const counted = (userId: string, eventType: string, eventTime: string, amount = '0.00'): PlannedRecord => ({
  sequenceNumber: sequence++,
  parsed: { event: { userId, eventType, eventTime, amount: parseDecimal(amount)! } },
});
const rejected = (reason: string): PlannedRecord => ({ sequenceNumber: sequence++, parsed: { rejection: { reason, detail: '' } } as ParsedEvent });
const EPOCH = '000001795000000';
const context = { tableName: 'views', shardId: 'shardId-000000000001', epoch: EPOCH, minuteTtlSeconds: 3600 };

describe('planUpdates', () => {
  test('sums records of a type and minute, and of a user, into one update each; rejected records write nothing', () => {
    const records = [
      counted('u1', 'purchase', '2026-11-22T10:15:01.000Z', '12.50'),
      rejected('invalid_json'),
      counted('u1', 'purchase', '2026-11-22T10:15:59.999Z', '0.25'),
      counted('u2', 'purchase', '2026-11-22T10:15:30.000Z', '1.00'),
      counted('u2', 'click', '2026-11-22T10:16:00.000Z'),
    ];
    const updates = planUpdates(records);
    expect(updates.map((u) => [u.key.pk, u.key.sk, u.contributions.length])).toEqual([
      ['EVENT_TYPE#purchase', 'MINUTE#2026-11-22T10:15', 3],
      ['USER#u1', 'TOTALS', 2],
      ['USER#u2', 'TOTALS', 2],
      ['EVENT_TYPE#click', 'MINUTE#2026-11-22T10:16', 1],
    ]);
    expect(pendingTotals(updates[0], undefined)).toEqual({ events: 3, amount: { units: 1375n, scale: 2 }, lastSeen: '2026-11-22T10:15:59.999Z', lowest: records[0].sequenceNumber, highest: records[3].sequenceNumber });
  });

  test('writes grow with distinct keys, not records: 1,000 records of 3 users in one minute make 4 updates', () => {
    const records = Array.from({ length: 1000 }, (_, i) => counted(`u${i % 3}`, 'page_view', `2026-11-22T10:15:${String(i % 60).padStart(2, '0')}.000Z`));
    expect(planUpdates(records)).toHaveLength(1 + 3);
  });
});

describe('pendingTotals', () => {
  const [update] = planUpdates([
    counted('u1', 'click', '2026-11-22T10:15:05.000Z', '1.00'),
    counted('u1', 'click', '2026-11-22T10:15:01.000Z', '2.00'),
    counted('u1', 'click', '2026-11-22T10:15:03.000Z', '4.00'),
  ]);
  const [a, b, c] = update.contributions.map((x) => x.sequenceNumber);

  test('only the records above the stored mark are added; the mark becomes the highest, whatever the order', () => {
    expect(pendingTotals(update, a)).toMatchObject({ events: 2, amount: { units: 600n }, lowest: b, highest: c, lastSeen: '2026-11-22T10:15:03.000Z' });
    expect(pendingTotals(update, c)).toBeUndefined();
    const reversed = { ...update, contributions: [...update.contributions].reverse() };
    expect(pendingTotals(reversed, undefined)).toMatchObject({ lowest: a, highest: c });
  });
});

describe('updateItemInput', () => {
  const records = [counted('u1', 'purchase', '2026-11-22T10:15:01.000Z', '12.50'), counted('u1', 'click', '2026-11-22T10:16:01.000Z')];
  const [purchase, user] = planUpdates(records);

  test('a first attempt adds the totals and raises the shard mark, on condition the mark is below the lowest record', () => {
    const input = updateItemInput(purchase, pendingTotals(purchase, undefined)!, context);
    expect(input).toEqual({
      TableName: 'views',
      Key: { pk: { S: 'EVENT_TYPE#purchase' }, sk: { S: 'MINUTE#2026-11-22T10:15' } },
      UpdateExpression: 'ADD #events :events, #amount :amount SET #applied = :mark, #expires_at = :expires_at',
      ConditionExpression: '(attribute_not_exists(#applied) OR #applied < :lowest)',
      ExpressionAttributeNames: { '#events': 'events', '#amount': 'amount', '#applied': 'applied#shardId-000000000001', '#expires_at': 'expires_at' },
      ExpressionAttributeValues: {
        ':events': { N: '1' },
        ':amount': { N: '12.50' },
        ':mark': { S: progressMark(EPOCH, records[0].sequenceNumber) },
        ':lowest': { S: progressMark(EPOCH, records[0].sequenceNumber) },
        ':expires_at': { N: String(Date.parse('2026-11-22T10:15:00Z') / 1000 + 3600) },
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  test('user items move last_seen forward only; a retry after a failed condition expects exactly the mark it saw', () => {
    const totals = pendingTotals(user, undefined)!;
    const first = updateItemInput(user, totals, context);
    expect(first.UpdateExpression).toBe('ADD #events :events, #amount :amount SET #applied = :mark, #last_seen = :last_seen');
    expect(first.ConditionExpression).toBe('(attribute_not_exists(#applied) OR #applied < :lowest) AND (attribute_not_exists(#last_seen) OR #last_seen <= :last_seen)');
    expect(first.ExpressionAttributeValues![':last_seen']).toEqual({ S: '2026-11-22T10:16:01.000Z' });

    const kept = updateItemInput(user, totals, context, { appliedMark: 'm', keepLastSeen: true });
    expect(kept.UpdateExpression).toBe('ADD #events :events, #amount :amount SET #applied = :mark');
    expect(kept.ConditionExpression).toBe('#applied = :observed');
    expect(kept.ExpressionAttributeValues![':observed']).toEqual({ S: 'm' });
    expect(updateItemInput(user, totals, context, { appliedMark: undefined, keepLastSeen: false }).ConditionExpression).toBe(
      'attribute_not_exists(#applied) AND (attribute_not_exists(#last_seen) OR #last_seen <= :last_seen)',
    );
  });
});
