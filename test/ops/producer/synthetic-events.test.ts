import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseEvent } from '../../../functions/views-consumer/parse';
import { EVENT_TYPES, kinesisEvent, syntheticEvents, take } from '../../../ops/producer/synthetic-events';
import { dataset } from '../../../lib/datasets';

const root = join(__dirname, '..', '..', '..');
const sample = (seed: number, count = 2000) => [...take(syntheticEvents({ seed, start: new Date('2026-11-22T00:00:00Z') }), count)];

test('events carry exactly the declared bronze.events columns, in order, scalars as strings', () => {
  const columns = dataset('bronze', 'events').columns;
  for (const event of sample(1, 50)) {
    expect(Object.keys(event)).toEqual(columns.map((c) => c.name));
    for (const column of columns) expect(typeof event[column.name]).toBe(column.type === 'string' ? 'string' : 'object');
  }
});

test('a seed always gives the same events; another seed, other events', () => {
  expect(sample(7, 100)).toEqual(sample(7, 100));
  expect(sample(8, 100)).not.toEqual(sample(7, 100));
});

test('every event is one the consumer counts, with unique ids and times that follow the interval', () => {
  const events = sample(2);
  for (const event of events) expect(parseEvent(Buffer.from(JSON.stringify(event)))).toHaveProperty('event');
  expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length);
  expect(events[1000].event_time <= '2026-11-22T00:01:00.000Z').toBe(true);
  expect(events.filter((e) => e.amount !== '0.00').every((e) => e.event_type === 'purchase')).toBe(true);
});

test('a few users make many of the events, as real traffic does', () => {
  const counts = new Map<unknown, number>();
  for (const e of sample(3, 10_000)) counts.set(e.user_id, (counts.get(e.user_id) ?? 0) + 1);
  const busiest = [...counts.values()].sort((a, b) => b - a).slice(0, 100);
  expect(busiest.reduce((a, b) => a + b, 0)).toBeGreaterThan(1_500);
});

test("the event types are the ones bronze_to_silver accepts (etl/bdp_etl/rules.py)", () => {
  const python = execFileSync(join(root, '.venv', 'bin', 'python'), ['-c', 'import json; from bdp_etl.rules import EVENT_TYPES; print(json.dumps(list(EVENT_TYPES)))'], {
    cwd: join(root, 'etl'),
    encoding: 'utf8',
  });
  expect([...EVENT_TYPES]).toEqual(JSON.parse(python));
});

test('kinesisEvent wraps payloads as Lambda delivers them from one shard, in order', () => {
  const [event] = sample(4, 1);
  const { Records } = kinesisEvent([event, 'not json'], { shardId: 'shardId-000000000002', firstSequenceNumber: 41n });
  expect(Records.map((r) => [r.eventID, r.kinesis.sequenceNumber, r.kinesis.partitionKey])).toEqual([
    ['shardId-000000000002:41', '41', event.user_id],
    ['shardId-000000000002:42', '42', 'key-1'],
  ]);
  expect(JSON.parse(Buffer.from(Records[0].kinesis.data, 'base64').toString())).toEqual(event);
  expect(Buffer.from(Records[1].kinesis.data, 'base64').toString()).toBe('not json');
});
