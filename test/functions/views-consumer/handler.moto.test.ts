import { CreateTableCommand, DynamoDBClient, ScanCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { KinesisStreamEvent } from 'aws-lambda';
import { createHandler } from '../../../functions/views-consumer/handler';
import { PARTITION_KEY, SORT_KEY } from '../../../functions/views-consumer/views';
import { type SyntheticEvent, kinesisEvent, syntheticEvents, take } from '../../../ops/producer/synthetic-events';
import { type MotoServer, startMoto } from '../../harness/moto-server';

/**
 * The consumer against real local DynamoDB and SQS engines (moto): conditional transactions,
 * exact number arithmetic and cancellation reasons behave as in AWS.
 */

let moto: MotoServer;
let dynamodb: DynamoDBClient;
let sqs: SQSClient;
let queueUrl: string;
let tables = 0;

beforeAll(async () => {
  moto = await startMoto();
  dynamodb = new DynamoDBClient(moto.clientConfig);
  sqs = new SQSClient(moto.clientConfig);
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'views-dlq' }))).QueueUrl!;
});

afterAll(async () => {
  dynamodb?.destroy();
  sqs?.destroy();
  await moto?.stop();
});

/** A fresh views table, keyed as the construct keys it, and a handler writing to it. */
async function freshViews(options: { dynamodb?: DynamoDBClient } = {}) {
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
    dynamodb: options.dynamodb ?? dynamodb,
    sqs,
    tableName,
    deadLetterQueueUrl: queueUrl,
    minuteTtlSeconds: 3600,
    logger: { info: () => undefined, error: () => undefined },
  });
  return { tableName, handler };
}

/** Every view item as `pk|sk -> attributes`, numbers as numbers, without the watermark's timestamp. */
async function views(tableName: string): Promise<Record<string, Record<string, string | number>>> {
  const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return Object.fromEntries(
    Items.map(({ pk, sk, updated_at: _updatedAt, ...rest }) => [
      `${pk.S}|${sk.S}`,
      Object.fromEntries(Object.entries(rest).map(([name, value]) => [name, value.N !== undefined ? Number(value.N) : value.S!])),
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

function expectViewsToHold(actual: Record<string, Record<string, string | number>>, events: readonly SyntheticEvent[]) {
  const expected = expectedTotals(events);
  for (const [key, totals] of expected) {
    expect([key, actual[key]?.events, Math.round(Number(actual[key]?.amount) * 100)]).toEqual([key, totals.events, totals.cents]);
    if (totals.lastSeen) expect([key, actual[key].last_seen]).toEqual([key, totals.lastSeen]);
  }
  expect(Object.keys(actual).filter((k) => !k.startsWith('SHARD#')).sort()).toEqual([...expected.keys()].sort());
}

const fromSequence = (batch: KinesisStreamEvent, sequenceNumber: string): KinesisStreamEvent => ({
  Records: batch.Records.filter((r) => BigInt(r.kinesis.sequenceNumber) >= BigInt(sequenceNumber)),
});

const receiveAll = async () => {
  const messages = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 300 }));
    if (Messages.length === 0) return messages;
    messages.push(...Messages);
  }
};

test('replaying the same batch gives the same counters', async () => {
  const { tableName, handler } = await freshViews();
  const events = [...take(syntheticEvents({ seed: 11, start: new Date('2026-11-22T10:00:00Z') }), 300)];
  const batch = kinesisEvent(events);

  await expect(handler(batch)).resolves.toEqual({ batchItemFailures: [] });
  const once = await views(tableName);
  expectViewsToHold(once, events);
  expect(once['SHARD#shardId-000000000000|WATERMARK'].sequence_number).toBe(batch.Records[299].kinesis.sequenceNumber);

  await expect(handler(batch)).resolves.toEqual({ batchItemFailures: [] });
  await expect(handler(fromSequence(batch, batch.Records[150].kinesis.sequenceNumber))).resolves.toEqual({ batchItemFailures: [] });
  expect(await views(tableName)).toEqual(once);
});

test('poison records end up in the dead-letter queue with their reason while the rest of the batch commits', async () => {
  const { tableName, handler } = await freshViews();
  const events = [...take(syntheticEvents({ seed: 12, start: new Date('2026-11-22T11:00:00Z') }), 50)];
  const batch = kinesisEvent([...events.slice(0, 20), '{"event_id": "cut off', { ...events[20], event_time: 'yesterday' }, ...events.slice(20)], { shardId: 'shardId-000000000007' });

  await expect(handler(batch)).resolves.toEqual({ batchItemFailures: [] });
  expectViewsToHold(await views(tableName), events);
  // A standard queue does not keep order (and the handler sends dead letters concurrently).
  const letters = (await receiveAll()).sort((a, b) => (BigInt(JSON.parse(a.Body!).sequenceNumber) < BigInt(JSON.parse(b.Body!).sequenceNumber) ? -1 : 1));
  expect(letters.map((m) => [m.MessageAttributes?.reason?.StringValue, JSON.parse(m.Body!).sequenceNumber])).toEqual([
    ['invalid_json', batch.Records[20].kinesis.sequenceNumber],
    ['invalid_event_time', batch.Records[21].kinesis.sequenceNumber],
  ]);
  expect(Buffer.from(JSON.parse(letters[0].Body!).data, 'base64').toString()).toBe('{"event_id": "cut off');

  // A retry of the batch neither counts again nor sends the dead letters again.
  await handler(batch);
  expectViewsToHold(await views(tableName), events);
  expect(await receiveAll()).toEqual([]);
});

test('a transaction that fails mid-batch is reported, and the retry Lambda makes from there commits the rest exactly once', async () => {
  // DynamoDB throttles the second transaction once; the records of the first are committed in moto.
  const flaky = new DynamoDBClient(moto.clientConfig);
  let transactionsSeen = 0;
  flaky.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === TransactWriteItemsCommand.name && ++transactionsSeen === 2) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return next(args);
    },
    { step: 'initialize' },
  );
  const { tableName, handler } = await freshViews({ dynamodb: flaky });
  const events = [...take(syntheticEvents({ seed: 13, start: new Date('2026-11-22T12:00:00Z') }), 300)];
  const batch = kinesisEvent(events, { shardId: 'shardId-000000000003' });

  const { batchItemFailures } = await handler(batch);
  expect(batchItemFailures).toHaveLength(1);
  const [{ itemIdentifier }] = batchItemFailures;
  const committed = (await views(tableName))['SHARD#shardId-000000000003|WATERMARK'].sequence_number;
  expect(BigInt(itemIdentifier)).toBe(BigInt(committed) + 1n);

  await expect(handler(fromSequence(batch, itemIdentifier))).resolves.toEqual({ batchItemFailures: [] });
  await expect(handler(batch)).resolves.toEqual({ batchItemFailures: [] });
  expectViewsToHold(await views(tableName), events);
  flaky.destroy();
});

test("a late event adds to a user's totals without moving last_seen back", async () => {
  const { tableName, handler } = await freshViews();
  const [event] = take(syntheticEvents({ seed: 14, start: new Date('2026-11-22T13:00:00Z') }), 1);
  const late = { ...event, event_id: 'late', event_time: '2026-11-22T12:00:00Z' };
  await handler(kinesisEvent([event]));
  await handler(kinesisEvent([late], { firstSequenceNumber: 10n ** 60n }));
  expectViewsToHold(await views(tableName), [event, late]);
  expect((await views(tableName))[`USER#${event.user_id}|TOTALS`]).toMatchObject({ events: 2, last_seen: '2026-11-22T13:00:00.000Z' });
});
