import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type KinesisClient, ListShardsCommand, PutRecordsCommand, type PutRecordsCommandInput, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { outgoingRecord } from '../../../ops/producer/batching';
import { kinesisClient, produceEvents } from '../../../ops/producer/produce';
import { syntheticEvents, take } from '../../../ops/producer/synthetic-events';
import { type MotoServer, startMoto } from '../../harness/moto-server';

/**
 * The producer against a local Kinesis engine (moto). Moto never fails a PutRecords, so a
 * middleware plays a throttled shard: on their first attempt it holds back every seventh record
 * and answers for it with ProvisionedThroughputExceededException, as Kinesis does. The records
 * it lets through really land; reading the shards back proves none was lost or duplicated.
 */

const root = join(__dirname, '..', '..', '..');
let moto: MotoServer;
let client: KinesisClient;

beforeAll(async () => {
  moto = await startMoto();
  client = kinesisClient(moto.clientConfig);
  await client.send(new CreateStreamCommand({ StreamName: 'events', ShardCount: 2 }));
});

afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

const eventIdOf = (data: Uint8Array | undefined) => JSON.parse(Buffer.from(data!).toString()).event_id as string;

/** Throttles each chosen record on its first attempt only; returns the ids it throttled. */
function throttleFirstAttempts(kinesis: KinesisClient, chosen: (index: number) => boolean): Set<string> {
  const throttled = new Set<string>();
  let seen = 0;
  kinesis.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== PutRecordsCommand.name) return next(args);
      const input = args.input as PutRecordsCommandInput;
      const held = new Set<number>();
      input.Records!.forEach((record, index) => {
        const id = eventIdOf(record.Data);
        if (!throttled.has(id) && chosen(seen++)) {
          throttled.add(id);
          held.add(index);
        }
      });
      const result = await next({ ...args, input: { ...input, Records: input.Records!.filter((_, index) => !held.has(index)) } });
      const output = result.output as PutRecordsCommandOutput;
      const landed = [...output.Records!];
      output.Records = input.Records!.map((_, index) =>
        held.has(index) ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard shardId-000000000000' } : landed.shift()!,
      );
      output.FailedRecordCount = (output.FailedRecordCount ?? 0) + held.size;
      return result;
    },
    { step: 'initialize', name: 'throttleFirstAttempts' },
  );
  return throttled;
}

async function eventIdsInStream(): Promise<string[]> {
  const ids: string[] = [];
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: 'events' }));
  for (const shard of Shards) {
    let { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: 'events', ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    while (ShardIterator) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
      if (!page.Records?.length) break;
      ids.push(...page.Records.map((r) => eventIdOf(r.Data)));
      ShardIterator = page.NextShardIterator;
    }
  }
  return ids;
}

test('partial failures are retried with back-off until every record landed exactly once', async () => {
  const producer = kinesisClient(moto.clientConfig);
  const throttled = throttleFirstAttempts(producer, (index) => index % 7 === 3);
  const events = [...take(syntheticEvents({ seed: 21, start: new Date() }), 1000)];

  const result = await produceEvents({
    client: producer,
    streamName: 'events',
    records: events.map(outgoingRecord),
    rate: 5000,
    retryPolicy: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 50 },
  });

  expect(throttled.size).toBe(143);
  expect(result).toMatchObject({ delivered: 1000, retried: 143, failed: 0, failures: [] });
  const landed = await eventIdsInStream();
  expect(landed).toHaveLength(1000);
  expect(new Set(landed)).toEqual(new Set(events.map((e) => e.event_id)));
  producer.destroy();
});

describe('the CLI', () => {
  const run = (...args: string[]) =>
    spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'bin', 'produce-events.ts'), ...args], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'eu-north-1' },
    });

  test('sends the events, showing progress and throughput', () => {
    const { status, stdout, stderr } = run('--stream', 'events', '--count', '40', '--rate', '400', '--seed', '9', '--endpoint', moto.endpoint);
    expect([status, stdout]).toEqual([0, expect.stringMatching(/^Delivered 40 of 40 in [\d.]+ s \(\d+ records\/s\), 0 retried after partial failures\n$/)]);
    expect(stderr).toContain('Sending 40 events to events at 400/s (seed 9)');
    expect(stderr).toMatch(/delivered 40\/40 {2}retried 0 {2}failed 0/);
  });

  test('a bad option is a usage error (exit 2)', () => {
    const { status, stderr } = run('--stream', 'events', '--rate', '0');
    expect([status, stderr]).toEqual([2, expect.stringContaining('--rate must be a whole number of at least 1, got "0"\n\nUsage:')]);
  });

  test('a stream that does not exist fails the run (exit 1) with the service error', () => {
    const { status, stderr } = run('--stream', 'nope', '--count', '1', '--endpoint', moto.endpoint);
    expect([status, stderr]).toEqual([1, expect.stringContaining('ResourceNotFoundException')]);
  });
});
