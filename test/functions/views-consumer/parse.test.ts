import { BRONZE_EVENTS, MAX_ID_BYTES, parseEvent } from '../../../functions/views-consumer/parse';
import { dataset } from '../../../lib/datasets';

const valid = {
  event_id: 'evt-1',
  user_id: 'u000000042',
  event_type: 'purchase',
  event_time: '2026-11-22T10:15:42Z',
  amount: '12.50',
  country: 'SE',
  properties: { device: 'ios', campaign: 'none' },
};
const parse = (value: unknown) => parseEvent(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)));
const reasonOf = (value: unknown) => {
  const parsed = parse(value);
  return 'rejection' in parsed ? parsed.rejection.reason : 'counted';
};

test('the contract is bronze.events from the shared declaration, read without lib/datasets (and its zod)', () => {
  expect(BRONZE_EVENTS.columns).toEqual(dataset('bronze', 'events').columns.map(({ name, type }) => ({ name, type })));
  expect(Object.keys(valid)).toEqual(BRONZE_EVENTS.columns.map((c) => c.name));
});

test('a valid event becomes what the views count, its time normalised to milliseconds in UTC', () => {
  expect(parse(valid)).toEqual({ event: { userId: 'u000000042', eventType: 'purchase', eventTime: '2026-11-22T10:15:42.000Z', amount: { units: 1250n, scale: 2 } } });
  expect(parse({ ...valid, event_time: '2026-11-22T10:15:42.123456+00:00' })).toMatchObject({ event: { eventTime: '2026-11-22T10:15:42.123Z' } });
});

test('optional columns may be absent or null, as bronze allows', () => {
  expect(reasonOf(Object.fromEntries(Object.entries(valid).filter(([name]) => name !== 'country')))).toBe('counted');
  expect(reasonOf({ ...valid, properties: null })).toBe('counted');
});

test.each([
  ['{"event_id": ', 'invalid_json'],
  ['[1, 2]', 'not_an_object'],
  ['42', 'not_an_object'],
  ['null', 'not_an_object'],
  [{ ...valid, eventType: 'click' }, 'unknown_columns'],
  [{ ...valid, event_id: undefined }, 'missing_event_id'],
  [{ ...valid, user_id: null }, 'missing_user_id'],
  [{ ...valid, event_type: '  ' }, 'missing_event_type'],
  [{ ...valid, amount: 12.5 }, 'invalid_amount'],
  [{ ...valid, country: 46 }, 'invalid_country'],
  [{ ...valid, properties: { device: 1 } }, 'invalid_properties'],
  [{ ...valid, properties: ['ios'] }, 'invalid_properties'],
  [{ ...valid, event_time: 'yesterday' }, 'invalid_event_time'],
  [{ ...valid, event_time: '2026-11-22T10:15:42+01:00' }, 'invalid_event_time'],
  [{ ...valid, event_time: '2026-02-30T00:00:00Z' }, 'invalid_event_time'],
  [{ ...valid, event_time: '2026-13-01T00:00:00Z' }, 'invalid_event_time'],
  [{ ...valid, amount: 'abc' }, 'invalid_amount'],
  [{ ...valid, amount: '1e9' }, 'invalid_amount'],
  [{ ...valid, user_id: 'u'.repeat(MAX_ID_BYTES + 1) }, 'invalid_user_id'],
])('%j is rejected as %s', (value, reason) => {
  expect(reasonOf(value)).toBe(reason);
});

test('a rejection says what was wrong', () => {
  expect(parse({ ...valid, amount: 12.5 })).toEqual({ rejection: { reason: 'invalid_amount', detail: 'expected string, got a number' } });
  expect(parse({ ...valid, eventType: 'x', extra: 1 })).toEqual({ rejection: { reason: 'unknown_columns', detail: 'not declared for bronze.events: eventType, extra' } });
});

describe('event-time skew', () => {
  const now = new Date('2026-11-22T12:00:00Z');
  const bounds = { now, maxAheadMs: 15 * 60_000, maxAgeMs: 24 * 3_600_000 };
  const at = (event_time: string) => parseEvent(Buffer.from(JSON.stringify({ ...valid, event_time })), bounds);

  test('events within the bounds count, up to the bound itself', () => {
    for (const time of ['2026-11-22T12:15:00Z', '2026-11-21T12:00:00Z', '2026-11-22T11:59:59Z']) expect(at(time)).toHaveProperty('event');
  });

  test('far-future and far-past event times are rejected with a reason that names the bound', () => {
    expect(at('2026-11-22T12:15:00.001Z')).toEqual({ rejection: { reason: 'future_event_time', detail: "2026-11-22T12:15:00.001Z is more than 900 s after the consumer's clock (2026-11-22T12:00:00.000Z)" } });
    expect(at('9999-12-31T23:59:59Z')).toMatchObject({ rejection: { reason: 'future_event_time' } });
    expect(at('2026-11-21T11:59:59.999Z')).toMatchObject({ rejection: { reason: 'stale_event_time', detail: expect.stringContaining('86400 s before') } });
    expect(at('1970-01-01T00:00:00Z')).toMatchObject({ rejection: { reason: 'stale_event_time' } });
  });

  test('a huge malformed value is quoted only in part in the detail', () => {
    const parsed = parse({ ...valid, event_time: '9'.repeat(100_000) });
    expect(parsed).toMatchObject({ rejection: { reason: 'invalid_event_time' } });
    expect('rejection' in parsed && parsed.rejection.detail.length).toBeLessThan(200);
  });
});
