import { CreateTableCommand, DynamoDBClient, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamEvent } from 'aws-lambda';
import { type ConsumerDependencies, createHandler } from '../../../functions/views-consumer/handler';
import { APPLIED_PREFIX, PARTITION_KEY, SORT_KEY } from '../../../functions/views-consumer/views';
import { type SyntheticEvent, kinesisEvent, syntheticEvents, take } from '../../../ops/producer/synthetic-events';
import { CountingEngine } from '../../../scripts/bench-consumer';
import { type MotoServer, startMoto } from '../../harness/moto-server';

/**
 * The consumer against real local DynamoDB, SQS and Kinesis engines (moto): conditional writes,
 * exact number arithmetic and condition failures behave as in AWS. Every scenario checks the
 * views against totals computed from the generated events without the consumer's code.
 * Writes are serial (writeConcurrency 1): moto's engine is not safe under concurrent writes.
 */

let moto: MotoServer;
let dynamodb: DynamoDBClient;
let sqs: SQSClient;
let kinesis: KinesisClient;
let queueUrl: string;
let tables = 0;
const START = new Date('2026-11-22T10:00:00Z');
const clock = () => new Date('2026-11-22T18:00:00Z');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
/** Every test but the re-creation one writes under one fixed stream epoch. */
const fixedEpoch = async () => '000001795000000';

beforeAll(async () => {
  moto = await startMoto();
  dynamodb = new DynamoDBClient(moto.clientConfig);
  sqs = new SQSClient(moto.clientConfig);
  // The Kinesis client defaults to HTTP/2, which moto_server does not speak.
  kinesis = new KinesisClient({ ...moto.clientConfig, requestHandler: new NodeHttpHandler() });
});

afterAll(async () => {
  for (const client of [dynamodb, sqs, kinesis]) client?.destroy();
  await moto?.stop();
});

beforeEach(async () => {
  // A queue per test, so a test sees only its own dead letters.
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `views-dlq-${tables + 1}` }))).QueueUrl!;
});

/** A fresh views table, keyed as the construct keys it, and a handler writing to it. */
async function freshViews(options: Partial<ConsumerDependencies> = {}) {
  const tableName = `views-${++tables}`;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [PARTITION_KEY, SORT_KEY].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: SORT_KEY, KeyType: 'RANGE' },
      ],
    }),
  );
  const handler = createHandler({
    dynamodb,
    sqs,
    tableName,
    deadLetterQueueUrl: queueUrl,
    minuteTtlSeconds: 3600,
    maxEventAheadSeconds: 15 * 60,
    maxEventAgeSeconds: 24 * 3600,
    writeConcurrency: 1,
    streamEpochs: fixedEpoch,
    clock,
    logger: quiet,
    ...options,
  });
  return { tableName, handler };
}

/** Every view item as `pk|sk -> attributes`, numbers as numbers, without the consumer's bookkeeping. */
async function views(tableName: string): Promise<Record<string, Record<string, string | number>>> {
  const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return Object.fromEntries(
    Items.filter((item) => !item.pk.S!.startsWith('SHARD#')).map(({ pk, sk, ...rest }) => [
      `${pk.S}|${sk.S}`,
      Object.fromEntries(Object.entries(rest).filter(([name]) => !name.startsWith(APPLIED_PREFIX)).map(([name, value]) => [name, value.N !== undefined ? Number(value.N) : value.S!])),
    ]),
  );
}

/** What the views must hold for these events, computed without the consumer's code. */
function expectedTotals(events: readonly SyntheticEvent[]) {
  const byKey = new Map<string, { events: number; cents: number; lastSeen?: string }>();
  for (const e of events) {
    const cents = Math.round(Number(e.amount) * 100);
    const time = new Date(String(e.event_time)).toISOString();
    for (const key of [`EVENT_TYPE#${e.event_type}|MINUTE#${time.slice(0, 16)}`, `USER#${e.user_id}|TOTALS`]) {
      const totals = byKey.get(key) ?? { events: 0, cents: 0 };
      const lastSeen = key.startsWith('USER#') ? [totals.lastSeen ?? '', time].sort().pop() : undefined;
      byKey.set(key, { events: totals.events + 1, cents: totals.cents + cents, ...(lastSeen ? { lastSeen } : {}) });
    }
  }
  return byKey;
}

async function expectViewsToHold(tableName: string, events: readonly SyntheticEvent[]) {
  const actual = await views(tableName);
  const expected = expectedTotals(events);
  const mismatches = [...expected].filter(
    ([key, totals]) => actual[key]?.events !== totals.events || Math.round(Number(actual[key]?.amount) * 100) !== totals.cents || (totals.lastSeen !== undefined && actual[key].last_seen !== totals.lastSeen),
  );
  expect(mismatches.map(([key, totals]) => [key, totals, actual[key]])).toEqual([]);
  expect(Object.keys(actual).sort()).toEqual([...expected.keys()].sort());
}

const generated = (seed: number, count: number, users?: number) => [...take(syntheticEvents({ seed, start: START, users }), count)];
const range = (batch: KinesisStreamEvent, from: number, to = batch.Records.length): KinesisStreamEvent => ({ Records: batch.Records.slice(from, to) });
const fromSequence = (batch: KinesisStreamEvent, sequenceNumber: string): KinesisStreamEvent => ({
  Records: batch.Records.filter((r) => BigInt(r.kinesis.sequenceNumber) >= BigInt(sequenceNumber)),
});
const committed = { batchItemFailures: [] };

/** Delivers as Lambda does: from each reported failure until the batch commits. */
async function deliverUntilCommitted(handler: ReturnType<typeof createHandler>, batch: KinesisStreamEvent, maxDeliveries = 50): Promise<number> {
  let pending = batch;
  for (let delivery = 1; delivery <= maxDeliveries; delivery++) {
    const { batchItemFailures } = await handler(pending);
    if (batchItemFailures.length === 0) return delivery;
    pending = fromSequence(pending, batchItemFailures[0].itemIdentifier);
  }
  throw new Error(`not committed after ${maxDeliveries} deliveries`);
}

/** A DynamoDB client whose UpdateItem calls go through `fault` first (SDK retries off, so faults reach the handler). */
function faultyDynamodb(fault: (call: number, input: { Key?: Record<string, { S?: string }> }) => Error | undefined) {
  const client = new DynamoDBClient({ ...moto.clientConfig, maxAttempts: 1 });
  let calls = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === UpdateItemCommand.name) {
        const error = fault(++calls, (args as { input: { Key?: Record<string, { S?: string }> } }).input);
        if (error) throw error;
      }
      return next(args);
    },
    { step: 'initialize' },
  );
  return client;
}
const awsError = (name: string) => Object.assign(new Error(`${name} (injected)`), { name, $metadata: {} });

const receiveAll = async () => {
  const messages = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 300 }));
    if (Messages.length === 0) return messages;
    messages.push(...Messages);
  }
};

describe('exactly once', () => {
  test('duplicate deliveries: the same batch, and any tail of it, again and again', async () => {
    const { tableName, handler } = await freshViews();
    const events = generated(11, 120);
    const batch = kinesisEvent(events);
    await expect(handler(batch)).resolves.toEqual(committed);
    await expectViewsToHold(tableName, events);
    const once = await views(tableName);
    for (const again of [batch, range(batch, 60), range(batch, 119), batch]) await expect(handler(again)).resolves.toEqual(committed);
    expect(await views(tableName)).toEqual(once);
  });

  test('overlapping bisected deliveries: sub-ranges of an applied range, and ranges that straddle it', async () => {
    const { tableName, handler } = await freshViews();
    const events = generated(12, 160);
    const batch = kinesisEvent(events);
    await expect(handler(range(batch, 0, 80))).resolves.toEqual(committed);
    // Bisected halves of the applied range, then a retry that overlaps it and runs past it.
    for (const [from, to] of [[0, 40], [40, 80], [20, 60], [60, 120], [0, 160], [100, 160]]) {
      await expect(handler(range(batch, from, to))).resolves.toEqual(committed);
    }
    await expectViewsToHold(tableName, events);
  });

  test('interleaved shards: each shard has its own marks, so one shard never hides another', async () => {
    const { tableName, handler } = await freshViews();
    const [a, b] = [generated(13, 100), generated(14, 100)];
    // The second shard's sequence numbers are lower than the first's, as they may be.
    const shardA = kinesisEvent(a, { shardId: 'shardId-000000000001', firstSequenceNumber: 10n ** 55n });
    const shardB = kinesisEvent(b, { shardId: 'shardId-000000000002', firstSequenceNumber: 10n ** 50n });
    for (const delivery of [range(shardA, 0, 50), range(shardB, 0, 30), range(shardA, 25, 100), range(shardB, 0, 100), range(shardA, 0, 100), range(shardB, 80)]) {
      await expect(handler(delivery)).resolves.toEqual(committed);
    }
    await expectViewsToHold(tableName, [...a, ...b]);
  });

  test('resharding: child shards start fresh even when their sequence numbers are lower than the parent\'s', async () => {
    const { tableName, handler } = await freshViews();
    const [parent, left, right] = [generated(15, 80), generated(16, 60), generated(17, 60)];
    await handler(kinesisEvent(parent, { shardId: 'shardId-000000000000', firstSequenceNumber: 10n ** 56n }));
    await handler(kinesisEvent(left, { shardId: 'shardId-000000000001', firstSequenceNumber: 10n ** 40n }));
    await handler(kinesisEvent(right, { shardId: 'shardId-000000000002', firstSequenceNumber: 10n ** 40n }));
    await expectViewsToHold(tableName, [...parent, ...left, ...right]);
  });

  test('a crash between items: the retry writes only the items that were missing, whole batch or bisected', async () => {
    let crashed = false;
    const crashing = faultyDynamodb((call) => (call > 37 && !crashed ? awsError('NetworkingError') : undefined));
    const { tableName, handler } = await freshViews({ dynamodb: crashing });
    const events = generated(18, 120);
    const batch = kinesisEvent(events);
    const { batchItemFailures } = await handler(batch);
    expect(batchItemFailures).toHaveLength(1);
    crashed = true;
    // After a crash Lambda retries the whole batch, bisected: both halves, then the whole again.
    for (const delivery of [range(batch, 0, 60), range(batch, 60), batch]) await expect(handler(delivery)).resolves.toEqual(committed);
    await expectViewsToHold(tableName, events);
    crashing.destroy();
  });

  test.each(['ProvisionedThroughputExceededException', 'ThrottlingException'])('injected %s mid-batch: Lambda retries from the reported record until all is in, exactly once', async (name) => {
    // A burst (calls 30 to 45, whichever items they are) and, throughout, the first write of every 4th item.
    const seen = new Set<string>();
    const throttled = faultyDynamodb((call, input) => {
      const key = JSON.stringify(input.Key);
      const firstWrite = !seen.has(key);
      seen.add(key);
      return (call >= 30 && call <= 45) || (firstWrite && seen.size % 4 === 0) ? awsError(name) : undefined;
    });
    const { tableName, handler } = await freshViews({ dynamodb: throttled });
    const events = generated(19, 100);
    const deliveries = await deliverUntilCommitted(handler, kinesisEvent(events));
    expect(deliveries).toBeGreaterThan(1);
    await expectViewsToHold(tableName, events);
    throttled.destroy();
  });

  test('the high-water mark is the highest sequence number applied, not the last record\'s', async () => {
    const { tableName, handler } = await freshViews();
    const events = generated(20, 50, 5);
    // The last record has the lowest sequence number (a real batch is ordered; the mark must not depend on it).
    const ordered = kinesisEvent(events);
    const batch = { Records: [...ordered.Records.slice(1), ordered.Records[0]] };
    await expect(handler(batch)).resolves.toEqual(committed);
    await expect(handler(batch)).resolves.toEqual(committed);
    await expect(handler(range(ordered, 10))).resolves.toEqual(committed);
    await expectViewsToHold(tableName, events);
  });

  test('a stream re-created under the same name and shard ids, with lower sequence numbers, is counted, not skipped', async () => {
    const StreamName = `events-${tables}`;
    const epochsFromKinesis = { kinesis };
    await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
    const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
    const arn = StreamDescriptionSummary!.StreamARN!;
    const { tableName, handler } = await freshViews({ ...epochsFromKinesis, streamEpochs: undefined });
    const onStream = (batch: KinesisStreamEvent): KinesisStreamEvent => ({ Records: batch.Records.map((r) => ({ ...r, eventSourceARN: arn })) });

    const [before, after] = [generated(21, 80), generated(22, 80)];
    await expect(handler(onStream(kinesisEvent(before, { firstSequenceNumber: 10n ** 55n })))).resolves.toEqual(committed);
    await kinesis.send(new DeleteStreamCommand({ StreamName }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
    // The same handler (its cache still holds the old stream's epoch) sees the new stream's records.
    const recreated = onStream(kinesisEvent(after, { firstSequenceNumber: 10n ** 50n }));
    await expect(handler(recreated)).resolves.toEqual(committed);
    await expect(handler(recreated)).resolves.toEqual(committed);
    await expectViewsToHold(tableName, [...before, ...after]);
    await kinesis.send(new DeleteStreamCommand({ StreamName }));
  });

  test("a late event adds to a user's totals without moving last_seen back, and cancels nothing else", async () => {
    const { tableName, handler } = await freshViews();
    const [event, other] = generated(23, 2);
    const late = { ...event, event_id: 'late', event_time: '2026-11-22T09:00:00Z' };
    await handler(kinesisEvent([event]));
    await expect(handler(kinesisEvent([late, other], { firstSequenceNumber: 10n ** 60n }))).resolves.toEqual(committed);
    await expectViewsToHold(tableName, [event, late, other]);
    expect((await views(tableName))[`USER#${event.user_id}|TOTALS`]).toMatchObject({ events: 2, last_seen: event.event_time.toString().replace('Z', '').slice(0, 23) + 'Z' });
  });
});

describe('dead letters', () => {
  test('poison records reach the queue with their reason, far-future and far-past times too; the rest commits; a retry sends none again', async () => {
    const { tableName, handler } = await freshViews();
    const events = generated(24, 50);
    const poison = ['{"event_id": "cut off', { ...events[20], event_time: 'yesterday' }, { ...events[21], event_time: '2027-11-22T10:00:00Z' }, { ...events[22], event_time: '2025-11-22T10:00:00Z' }];
    const batch = kinesisEvent([...events.slice(0, 20), ...poison, ...events.slice(20)], { shardId: 'shardId-000000000007' });

    await expect(handler(batch)).resolves.toEqual(committed);
    await expectViewsToHold(tableName, events);
    const letters = (await receiveAll()).sort((x, y) => (BigInt(JSON.parse(x.Body!).sequenceNumber) < BigInt(JSON.parse(y.Body!).sequenceNumber) ? -1 : 1));
    expect(letters.map((m) => [m.MessageAttributes?.reason?.StringValue, JSON.parse(m.Body!).sequenceNumber])).toEqual(
      ['invalid_json', 'invalid_event_time', 'future_event_time', 'stale_event_time'].map((reason, i) => [reason, batch.Records[20 + i].kinesis.sequenceNumber]),
    );
    expect(Buffer.from(JSON.parse(letters[0].Body!).data, 'base64').toString()).toBe('{"event_id": "cut off');

    await expect(handler(batch)).resolves.toEqual(committed);
    await expectViewsToHold(tableName, events);
    expect(await receiveAll()).toEqual([]);
  });

  test('a record whose event_time is huge still makes a dead letter SQS accepts, and its good neighbours commit', async () => {
    const { tableName, handler } = await freshViews();
    const events = generated(25, 80);
    const huge = { ...events[0], event_id: 'huge', event_time: '9'.repeat(700_000) };
    const batch = kinesisEvent([...events.slice(0, 40), huge, ...events.slice(40)]);
    await expect(handler(batch)).resolves.toEqual(committed);
    await expectViewsToHold(tableName, events);
    const [letter, ...rest] = await receiveAll();
    expect(rest).toEqual([]);
    expect(JSON.parse(letter.Body!)).toMatchObject({ reason: 'invalid_event_time', sequenceNumber: batch.Records[40].kinesis.sequenceNumber });
    expect(JSON.parse(letter.Body!)).not.toHaveProperty('data');
  });

  // 1,000 is in handler.test.ts; moto's SQS takes about half a second a request on a busy machine.
  test('95 malformed records among good ones make exactly 95 dead letters, in batches, and the batch commits', async () => {
    const { tableName, handler } = await freshViews();
    const events = generated(26, 5);
    const batch = kinesisEvent([...Array.from({ length: 95 }, (_, i) => `not json ${i}`), ...events]);
    await expect(handler(batch)).resolves.toEqual(committed);
    await expectViewsToHold(tableName, events);
    const letters = await receiveAll();
    expect(letters).toHaveLength(95);
    expect(new Set(letters.map((m) => JSON.parse(m.Body!).sequenceNumber))).toEqual(new Set(batch.Records.slice(0, 95).map((r) => r.kinesis.sequenceNumber)));
  });
});

describe("the bench's counting engine", () => {
  test('ends with exactly the items moto ends with, for the same deliveries (replays and late events included)', async () => {
    const engine = new CountingEngine();
    const options = { clock, streamEpochs: fixedEpoch, logger: quiet, tableName: 'views', deadLetterQueueUrl: 'https://sqs/dlq', minuteTtlSeconds: 3600, maxEventAheadSeconds: 900, maxEventAgeSeconds: 86_400 };
    const counted = createHandler({ ...options, dynamodb: engine.dynamodb, sqs: engine.sqs });
    const { tableName, handler } = await freshViews();
    const events = generated(27, 60, 7);
    const late = { ...events[5], event_id: 'late', event_time: '2026-11-22T09:55:00Z' };
    const batch = kinesisEvent([...events, late]);
    for (const delivery of [range(batch, 0, 40), range(batch, 20), range(batch, 0, 30), batch]) {
      await expect(counted(delivery)).resolves.toEqual(committed);
      await expect(handler(delivery)).resolves.toEqual(committed);
    }
    const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
    // Numbers as values: engines may spell 1.50 and 1.5 differently.
    const byKey = (items: Iterable<Record<string, { S?: string; N?: string }>>) =>
      Object.fromEntries([...items].map((item) => [JSON.stringify([item.pk, item.sk]), Object.fromEntries(Object.entries(item).map(([name, v]) => [name, v.N !== undefined ? Number(v.N) : v.S]))]));
    expect(byKey(engine.items.values() as Iterable<Record<string, { S?: string; N?: string }>>)).toEqual(byKey(Items as Record<string, { S?: string; N?: string }>[]));
    await expectViewsToHold(tableName, [...events, late]);
  });
});
