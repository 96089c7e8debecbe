import { KinesisClient, PutRecordsCommand, type PutRecordsCommandInput } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { type OutgoingRecord, PUT_RECORDS_LIMITS, outgoingRecord, putRecordsBatches } from '../../../ops/producer/batching';
import { produceEvents, recordsPerCall } from '../../../ops/producer/produce';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, failedRecords } from '../../../ops/producer/retry';
import { syntheticEvents, take } from '../../../ops/producer/synthetic-events';

const records = (count: number): OutgoingRecord[] => [...take(syntheticEvents({ seed: 5, start: new Date('2026-11-22T00:00:00Z') }), count)].map(outgoingRecord);
const idsOf = (input: PutRecordsCommandInput) => input.Records!.map((r) => JSON.parse(Buffer.from(r.Data!).toString()).event_id as string);

describe('batching', () => {
  test('an event becomes a record keyed by its user, its JSON as data', () => {
    const [record] = records(1);
    const event = JSON.parse(Buffer.from(record.data).toString());
    expect(record).toMatchObject({ id: event.event_id, partitionKey: event.user_id });
  });

  test('calls hold at most 500 records, in order', () => {
    const batches = [...putRecordsBatches(records(1200))];
    expect(batches.map((b) => b.length)).toEqual([500, 500, 200]);
    expect(batches.flat()).toEqual(records(1200));
    expect([...putRecordsBatches(records(25), 10)].map((b) => b.length)).toEqual([10, 10, 5]);
  });

  test('calls hold at most 5 MiB of data and partition keys', () => {
    const big = (id: number): OutgoingRecord => ({ id: String(id), partitionKey: 'k', data: new Uint8Array(1024 * 1024 - 1) });
    const batches = [...putRecordsBatches(Array.from({ length: 12 }, (_, i) => big(i)))];
    expect(batches.map((b) => b.length)).toEqual([5, 5, 2]);
    expect(() => [...putRecordsBatches([{ id: 'huge', partitionKey: 'key', data: new Uint8Array(PUT_RECORDS_LIMITS.recordBytes) }])]).toThrow(
      'record huge is 1048579 bytes; Kinesis accepts at most 1048576 per record',
    );
  });
});

describe('retry planning', () => {
  test('back-off grows exponentially up to the cap, jittered from zero', () => {
    const policy = { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 5000 };
    expect([1, 2, 3, 4, 7, 20].map((retry) => backoffDelayMs(retry, policy, () => 0.999_999))).toEqual([99, 199, 399, 799, 4999, 4999]);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
  });

  test('failed records are paired with their error, in request order', () => {
    expect(failedRecords(['a', 'b', 'c'], [{ SequenceNumber: '1' }, { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' }, { ErrorCode: 'InternalFailure' }])).toEqual([
      { record: 'b', errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'slow down' },
      { record: 'c', errorCode: 'InternalFailure', errorMessage: '' },
    ]);
    expect(() => failedRecords(['a'], [])).toThrow('PutRecords returned 0 results for 1 records');
  });
});

describe('produceEvents', () => {
  const kinesis = mockClient(KinesisClient);
  let now = 0;
  const sleeps: number[] = [];
  const clock = { now: () => now, sleep: async (ms: number) => void (sleeps.push(ms), (now += ms)) };
  const client = new KinesisClient({});
  const succeed = (input: PutRecordsCommandInput) => ({ FailedRecordCount: 0, Records: input.Records!.map((_, i) => ({ SequenceNumber: String(i), ShardId: 'shardId-000000000000' })) });
  const throttle = (input: PutRecordsCommandInput, failing: (id: string) => boolean) => {
    const results = idsOf(input).map((id, i) => (failing(id) ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' } : { SequenceNumber: String(i) }));
    return { FailedRecordCount: results.filter((r) => 'ErrorCode' in r).length, Records: results };
  };

  beforeEach(() => {
    kinesis.reset();
    now = 0;
    sleeps.length = 0;
  });

  test('records a response reports as failed are sent again, alone, after a back-off, until they land', async () => {
    const sent = records(5);
    kinesis
      .on(PutRecordsCommand)
      .callsFakeOnce((input) => throttle(input, (id) => id === sent[1].id || id === sent[3].id))
      .callsFake(succeed);
    const result = await produceEvents({ client, streamName: 'events', records: sent, rate: 1000, clock, random: () => 0.5 });

    expect(result).toMatchObject({ delivered: 5, retried: 2, failed: 0, failures: [] });
    const calls = kinesis.commandCalls(PutRecordsCommand).map((c) => c.args[0].input);
    expect(calls.map(idsOf)).toEqual([sent.map((r) => r.id), [sent[1].id, sent[3].id]]);
    expect(calls[0].StreamName).toBe('events');
    expect(sleeps).toEqual([50]);
  });

  test('records still failing when attempts run out are returned with their last error, never dropped silently', async () => {
    const sent = records(3);
    kinesis.on(PutRecordsCommand).callsFake((input) => throttle(input, (id) => id === sent[2].id));
    const result = await produceEvents({ client, streamName: 'events', records: sent, rate: 1000, clock, random: () => 1, retryPolicy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 4 } });

    expect(result.delivered).toBe(2);
    expect(result.failures).toEqual([{ record: sent[2], errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'Rate exceeded for shard' }]);
    expect(kinesis.commandCalls(PutRecordsCommand)).toHaveLength(4);
    expect(sleeps).toEqual([100, 200, 400]);
  });

  test('records are paced to the rate, about ten calls a second', async () => {
    kinesis.on(PutRecordsCommand).callsFake(succeed);
    const progress: number[] = [];
    await produceEvents({ client, streamName: 'events', records: records(50), rate: 100, clock, onProgress: (p) => progress.push(p.delivered) });
    expect(recordsPerCall(100)).toBe(10);
    expect(progress).toEqual([10, 20, 30, 40, 50]);
    expect(sleeps).toEqual([100, 100, 100, 100]);
    expect([recordsPerCall(1), recordsPerCall(20_000)]).toEqual([1, 500]);
  });

  test('an error of the whole call (after the SDK retried it) propagates', async () => {
    kinesis.on(PutRecordsCommand).rejects(Object.assign(new Error('Stream events not found'), { name: 'ResourceNotFoundException' }));
    await expect(produceEvents({ client, streamName: 'events', records: records(2), rate: 10, clock })).rejects.toThrow('Stream events not found');
  });
});
