import { MAX_BATCH_ENTRIES, MAX_DETAIL_CHARS, MAX_INLINE_DATA_CHARS, MAX_MESSAGE_BYTES, batchesOf, deadLetterMessage, shardIdOf } from '../../../functions/views-consumer/dead-letters';
import { parseEvent } from '../../../functions/views-consumer/parse';
import { kinesisEvent } from '../../../ops/producer/synthetic-events';

const rejection = { reason: 'invalid_json', detail: 'Unexpected end of JSON input' };
/** What SQS counts: the body and the attributes' names, types and values. */
const sqsBytes = (entry: ReturnType<typeof deadLetterMessage>['entry']) =>
  Buffer.byteLength(entry.MessageBody!) + Object.entries(entry.MessageAttributes!).reduce((sum, [name, a]) => sum + Buffer.byteLength(name) + Buffer.byteLength(a.DataType!) + Buffer.byteLength(a.StringValue!), 0);

test('the shard of a record is the part of its event id before the sequence number', () => {
  const [record] = kinesisEvent(['x'], { shardId: 'shardId-000000000042', firstSequenceNumber: 7n }).Records;
  expect(shardIdOf(record)).toBe('shardId-000000000042');
});

test('a dead letter carries the reason as an attribute and the record, to be inspected and replayed', () => {
  const [record] = kinesisEvent(['{"event_id":']).Records;
  const { entry, bytes } = deadLetterMessage(record, rejection);
  expect(entry.MessageAttributes).toEqual({ reason: { DataType: 'String', StringValue: 'invalid_json' } });
  expect(JSON.parse(entry.MessageBody!)).toMatchObject({ ...rejection, sequenceNumber: record.kinesis.sequenceNumber, data: record.kinesis.data });
  expect(bytes).toBe(sqsBytes(entry));
});

test('a record too large for an SQS message is left in the stream, named by its sequence number', () => {
  const [record] = kinesisEvent(['x'.repeat((MAX_INLINE_DATA_CHARS * 3) / 4 + 3)]).Records;
  expect(record.kinesis.data.length).toBeGreaterThan(MAX_INLINE_DATA_CHARS);
  const body = deadLetterMessage(record, rejection).entry.MessageBody!;
  expect(JSON.parse(body)).not.toHaveProperty('data');
  expect(JSON.parse(body).sequenceNumber).toBe(record.kinesis.sequenceNumber);
  expect(body.length).toBeLessThan(1024);
});

test('a huge event_time makes a dead letter that fits SQS: the reason detail is capped, not only the data', () => {
  const payload = JSON.stringify({ event_id: 'e', user_id: 'u', event_type: 'click', event_time: '9'.repeat(140_000), amount: '0' });
  const [record] = kinesisEvent([payload]).Records;
  const parsed = parseEvent(Buffer.from(payload));
  expect(parsed).toMatchObject({ rejection: { reason: 'invalid_event_time' } });
  const { entry, bytes } = deadLetterMessage(record, 'rejection' in parsed ? parsed.rejection : rejection);
  expect(bytes).toBe(sqsBytes(entry));
  expect(bytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
});

test('whatever the detail, partition key and data, the whole message fits by construction', () => {
  // Control characters grow sixfold in JSON; a 256-character partition key is Kinesis's maximum.
  const [record] = kinesisEvent(['\u0001'.repeat(140_000)]).Records;
  const hostile = { ...record, kinesis: { ...record.kinesis, partitionKey: '\u0002'.repeat(256) } };
  const { entry, bytes } = deadLetterMessage(hostile, { reason: 'r'.repeat(500), detail: '\u0000'.repeat(1_000_000) });
  expect(bytes).toBe(sqsBytes(entry));
  expect(bytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  expect(JSON.parse(entry.MessageBody!).detail.length).toBeLessThanOrEqual(MAX_DETAIL_CHARS);
});

test('dead letters go in batches of at most 10 entries and 256 KiB', () => {
  const small = Array.from({ length: 23 }, () => ({ entry: { MessageBody: '' }, bytes: 1000 }));
  expect(batchesOf(small).map((b) => b.length)).toEqual([MAX_BATCH_ENTRIES, MAX_BATCH_ENTRIES, 3]);
  const large = Array.from({ length: 5 }, () => ({ entry: { MessageBody: '' }, bytes: 100 * 1024 }));
  const batches = batchesOf(large);
  expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
  for (const batch of batches) expect(batch.reduce((sum, m) => sum + m.bytes, 0)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
});
