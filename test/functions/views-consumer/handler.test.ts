import { type AttributeValue, ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { boundedClientConfig, createHandler, handler as lambdaHandler } from '../../../functions/views-consumer/handler';
import { MAX_BATCH_ENTRIES } from '../../../functions/views-consumer/dead-letters';
import { progressMark, streamEpoch } from '../../../functions/views-consumer/progress';
import { CONSUMER_ENVIRONMENT } from '../../../functions/views-consumer/settings';
import { kinesisEvent, syntheticEvents, take } from '../../../ops/producer/synthetic-events';

const dynamodb = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);
const kinesis = mockClient(KinesisClient);
const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
const EPOCH = '000001795000000';
const streamEpochs = jest.fn(async () => EPOCH);
const settings = {
  tableName: 'views',
  deadLetterQueueUrl: 'https://sqs.eu-north-1.amazonaws.com/111111111111/dlq',
  minuteTtlSeconds: 3600,
  maxEventAheadSeconds: 900,
  maxEventAgeSeconds: 86_400,
  clock: () => new Date('2026-11-22T12:00:00Z'),
  logger,
  streamEpochs,
};
const handler = createHandler({ ...settings, dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}) });

const events = (count: number, seed = 1, users?: number) => [...take(syntheticEvents({ seed, start: new Date('2026-11-22T10:00:00Z'), users }), count)];
const updates = () => dynamodb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
const viewUpdates = () => updates().filter((u) => !u.Key!.pk.S!.startsWith('SHARD#'));
const conditionFailed = (Item?: Record<string, AttributeValue>) => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item });
const eventsIn = (inputs: ReturnType<typeof updates>) => inputs.filter((u) => u.Key!.pk.S!.startsWith('USER#')).reduce((sum, u) => sum + Number(u.ExpressionAttributeValues![':events'].N), 0);

beforeEach(() => {
  dynamodb.reset();
  sqs.reset();
  kinesis.reset();
  jest.clearAllMocks();
  dynamodb.on(GetItemCommand).resolves({});
  dynamodb.on(UpdateItemCommand).resolves({});
  sqs.on(SendMessageBatchCommand).callsFake((input) => ({ Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id })), Failed: [] }));
});

test('a batch becomes one conditional UpdateItem per distinct view item, each carrying its shard mark', async () => {
  const batch = kinesisEvent(events(20, 1, 5));
  await expect(handler(batch)).resolves.toEqual({ batchItemFailures: [] });
  const written = viewUpdates();
  const keys = new Set(events(20, 1, 5).flatMap((e) => [`USER#${e.user_id}`, `EVENT_TYPE#${e.event_type}|${String(e.event_time).slice(0, 16)}`]));
  expect(written).toHaveLength(keys.size);
  expect(eventsIn(written)).toBe(20);
  for (const u of written) {
    expect(u.ExpressionAttributeNames!['#applied']).toBe('applied#shardId-000000000000');
    expect(u.ConditionExpression).toMatch(/^\(attribute_not_exists\(#applied\) OR #applied < :lowest\)/);
  }
  expect(dynamodb.commandCalls(GetItemCommand)).toHaveLength(0); // no rejections: nothing to read
  expect(logger.info).toHaveBeenCalledWith(expect.objectContaining({ message: 'batch committed', records: 20, written: keys.size }));
});

test("a failed condition's item says which records are in already; only the rest is written, on the mark it saw", async () => {
  const batch = kinesisEvent(events(10, 2, 1)); // one user: one user item with every record
  const stored = progressMark(EPOCH, BigInt(batch.Records[6].kinesis.sequenceNumber));
  dynamodb.on(UpdateItemCommand, { Key: { pk: { S: 'USER#u000000000' }, sk: { S: 'TOTALS' } } }).rejectsOnce(conditionFailed({ 'applied#shardId-000000000000': { S: stored } })).resolves({});
  await expect(handler(batch)).resolves.toEqual({ batchItemFailures: [] });
  const [first, retry] = viewUpdates().filter((u) => u.Key!.pk.S === 'USER#u000000000');
  expect(first.ExpressionAttributeValues![':events']).toEqual({ N: '10' });
  expect(retry.ExpressionAttributeValues![':events']).toEqual({ N: '3' });
  expect(retry.ConditionExpression).toMatch(/^#applied = :observed/);
  expect(retry.ExpressionAttributeValues![':observed']).toEqual({ S: stored });
  // Records were taken as applied: the epoch was checked against Kinesis first.
  expect(streamEpochs).toHaveBeenCalledWith(batch.Records[0].eventSourceARN, { fresh: true });
});

test("a late event's user keeps the later last_seen; no other item is touched twice", async () => {
  const batch = kinesisEvent(events(10, 3, 1));
  dynamodb.on(UpdateItemCommand, { Key: { pk: { S: 'USER#u000000000' }, sk: { S: 'TOTALS' } } }).rejectsOnce(conditionFailed({ last_seen: { S: '2026-11-22T11:00:00.000Z' } })).resolves({});
  await expect(handler(batch)).resolves.toEqual({ batchItemFailures: [] });
  const users = viewUpdates().filter((u) => u.Key!.pk.S!.startsWith('USER#'));
  expect(users).toHaveLength(2);
  expect(users[1].UpdateExpression).toBe('ADD #events :events, #amount :amount SET #applied = :mark');
  expect(users[1].ConditionExpression).toBe('attribute_not_exists(#applied)');
  expect(users[1].ExpressionAttributeValues![':events']).toEqual({ N: '10' });
  expect(viewUpdates().length - users.length).toBe(new Set(events(10, 3, 1).map((e) => `${e.event_type}${String(e.event_time).slice(0, 16)}`)).size);
});

test('a throttled item is reported from its lowest record; the other items are written all the same', async () => {
  const all = events(40, 4, 8);
  const batch = kinesisEvent(all);
  const victim = all[25].user_id;
  dynamodb.on(UpdateItemCommand, { Key: { pk: { S: `USER#${victim}` }, sk: { S: 'TOTALS' } } }).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }));
  const firstOfVictim = batch.Records[all.findIndex((e) => e.user_id === victim)].kinesis.sequenceNumber;
  const { batchItemFailures } = await createHandler({ ...settings, dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}), writeConcurrency: 1 })(batch);
  expect(batchItemFailures).toEqual([{ itemIdentifier: firstOfVictim }]);
  expect(eventsIn(viewUpdates())).toBe(40);
  expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ message: 'view item not written', error: expect.objectContaining({ name: 'ProvisionedThroughputExceededException' }) }));
});

test('writes are bounded: never more than writeConcurrency in flight', async () => {
  let inFlight = 0;
  let most = 0;
  dynamodb.on(UpdateItemCommand).callsFake(async () => {
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, 2));
    inFlight--;
    return {};
  });
  const batch = kinesisEvent(events(300, 5));
  await expect(createHandler({ ...settings, dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}), writeConcurrency: 4 })(batch)).resolves.toEqual({ batchItemFailures: [] });
  expect(most).toBe(4);
});

test('1,000 malformed records: 100 SendMessageBatch calls of 10, at most 2 in flight, then the batch commits', async () => {
  let inFlight = 0;
  let most = 0;
  sqs.on(SendMessageBatchCommand).callsFake(async (input) => {
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1));
    inFlight--;
    return { Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id })), Failed: [] };
  });
  const batch = kinesisEvent(Array.from({ length: 1000 }, (_, i) => `broken ${i}`));
  await expect(handler(batch)).resolves.toEqual({ batchItemFailures: [] });
  const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!);
  expect(calls).toHaveLength(1000 / MAX_BATCH_ENTRIES);
  expect(new Set(calls.flat().map((e) => JSON.parse(e.MessageBody!).sequenceNumber)).size).toBe(1000);
  expect(most).toBe(2);
  // The shard's dead-letter mark moves to the last one, so a retry sends none again.
  expect(updates().find((u) => u.Key!.sk.S === 'DEAD_LETTERS')!.ExpressionAttributeValues![':mark']).toEqual({ S: progressMark(EPOCH, BigInt(batch.Records[999].kinesis.sequenceNumber)) });
});

test('dead letters a previous delivery sent are not sent again; one SQS refuses is reported', async () => {
  const good = events(3, 6);
  const batch = kinesisEvent(['broken 1', good[0], 'broken 2', good[1], 'broken 3', good[2]]);
  dynamodb.on(GetItemCommand).resolves({ Item: { sent_through: { S: progressMark(EPOCH, BigInt(batch.Records[0].kinesis.sequenceNumber)) } } });
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: 'x' }], Failed: [{ Id: '1', Code: 'KMS.AccessDeniedException', SenderFault: true }] });
  const { batchItemFailures } = await handler(batch);
  const [sent] = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.map((e) => JSON.parse(e.MessageBody!).sequenceNumber));
  expect(sent).toEqual([batch.Records[2].kinesis.sequenceNumber, batch.Records[4].kinesis.sequenceNumber]);
  expect(batchItemFailures).toEqual([{ itemIdentifier: batch.Records[4].kinesis.sequenceNumber }]);
  // The counted records are written all the same.
  expect(eventsIn(viewUpdates())).toBe(3);
});

test('a hung DynamoDB call is aborted by the request timeout and reported, not waited on', async () => {
  // A server that accepts requests and never answers.
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer(() => undefined);
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dynamodb.restore();
  const real = new DynamoDBClient({ ...boundedClientConfig(300), endpoint, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  try {
    const batch = kinesisEvent(events(3, 7));
    const started = Date.now();
    const response = await createHandler({ ...settings, dynamodb: real, sqs: new SQSClient({}) })(batch);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: batch.Records[0].kinesis.sequenceNumber }] });
    // Three attempts of 300 ms plus back-off: a bound, where an unbounded call would hang until the test's timeout.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ message: 'view item not written', error: expect.objectContaining({ name: 'TimeoutError' }) }));
  } finally {
    real.destroy();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('when the stream epoch cannot be told, the whole batch is reported', async () => {
  const failing = createHandler({ ...settings, dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}), streamEpochs: async () => Promise.reject(new Error('network')) });
  const batch = kinesisEvent(events(3));
  await expect(failing(batch)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: batch.Records[0].kinesis.sequenceNumber }] });
  expect(updates()).toHaveLength(0);
});

test('an empty batch calls nothing', async () => {
  await expect(handler({ Records: [] })).resolves.toEqual({ batchItemFailures: [] });
  expect(dynamodb.calls()).toHaveLength(0);
});

test('the Lambda entry point takes its settings from the environment the construct sets, and the epoch from Kinesis', async () => {
  kinesis.on(DescribeStreamSummaryCommand).resolves({ StreamDescriptionSummary: { StreamCreationTimestamp: new Date('2026-01-01T00:00:00Z') } as never });
  const batch = kinesisEvent(events(3));
  const saved = { ...process.env };
  const info = jest.spyOn(console, 'info').mockImplementation(() => undefined);
  try {
    await expect(lambdaHandler(batch)).rejects.toThrow('The real-time views consumer is misconfigured: VIEWS_TABLE_NAME is not set');
    Object.assign(process.env, {
      [CONSUMER_ENVIRONMENT.tableName]: 'views-from-env',
      [CONSUMER_ENVIRONMENT.deadLetterQueueUrl]: 'https://sqs/dlq',
      [CONSUMER_ENVIRONMENT.minuteTtlSeconds]: '60',
      [CONSUMER_ENVIRONMENT.maxEventAheadSeconds]: String(10 * 365 * 86_400),
      [CONSUMER_ENVIRONMENT.maxEventAgeSeconds]: String(10 * 365 * 86_400),
      AWS_REGION: 'eu-north-1',
    });
    await expect(lambdaHandler(batch)).resolves.toEqual({ batchItemFailures: [] });
    expect(updates()[0].TableName).toBe('views-from-env');
    expect(updates()[0].ExpressionAttributeValues![':mark'].S).toMatch(new RegExp(`^${streamEpoch(new Date('2026-01-01T00:00:00Z'))}/`));
    expect(kinesis.commandCalls(DescribeStreamSummaryCommand)[0].args[0].input).toEqual({ StreamARN: batch.Records[0].eventSourceARN });
    expect(info).toHaveBeenCalledWith(expect.objectContaining({ message: 'batch committed', records: 3 }));
  } finally {
    process.env = saved;
    info.mockRestore();
  }
});
