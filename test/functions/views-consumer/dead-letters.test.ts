import { MAX_INLINE_DATA_CHARS, deadLetterMessage, shardIdOf } from '../../../functions/views-consumer/dead-letters';
import { kinesisEvent } from '../../../ops/producer/synthetic-events';

const rejection = { reason: 'invalid_json', detail: 'Unexpected end of JSON input' };

test('the shard of a record is the part of its event id before the sequence number', () => {
  const [record] = kinesisEvent(['x'], { shardId: 'shardId-000000000042', firstSequenceNumber: 7n }).Records;
  expect(shardIdOf(record)).toBe('shardId-000000000042');
});

test('a dead letter carries the reason as an attribute and the record, to be inspected and replayed', () => {
  const [record] = kinesisEvent(['{"event_id":']).Records;
  const message = deadLetterMessage(record, rejection, 'https://sqs/dlq');
  expect(message.MessageAttributes).toEqual({ reason: { DataType: 'String', StringValue: 'invalid_json' } });
  expect(JSON.parse(message.MessageBody!)).toMatchObject({ ...rejection, sequenceNumber: record.kinesis.sequenceNumber, data: record.kinesis.data });
});

test('a record too large for an SQS message is left in the stream, named by its sequence number', () => {
  const [record] = kinesisEvent(['x'.repeat((MAX_INLINE_DATA_CHARS * 3) / 4 + 3)]).Records;
  expect(record.kinesis.data.length).toBeGreaterThan(MAX_INLINE_DATA_CHARS);
  const body = deadLetterMessage(record, rejection, 'https://sqs/dlq').MessageBody!;
  expect(JSON.parse(body)).not.toHaveProperty('data');
  expect(JSON.parse(body).sequenceNumber).toBe(record.kinesis.sequenceNumber);
  expect(body.length).toBeLessThan(1024);
});
