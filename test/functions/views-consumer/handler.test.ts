import { DynamoDBClient, GetItemCommand, TransactWriteItemsCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler, handler as lambdaHandler } from '../../../functions/views-consumer/handler';
import { CONSUMER_ENVIRONMENT } from '../../../functions/views-consumer/settings';
import { kinesisEvent, syntheticEvents, take } from '../../../ops/producer/synthetic-events';

const dynamodb = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);
const logger = { info: jest.fn(), error: jest.fn() };
const handler = createHandler({
  dynamodb: new DynamoDBClient({}),
  sqs: new SQSClient({}),
  tableName: 'views',
  deadLetterQueueUrl: 'https://sqs.eu-north-1.amazonaws.com/111111111111/dlq',
  minuteTtlSeconds: 3600,
  clock: () => new Date('2026-11-22T12:00:00Z'),
  logger,
});

const events = (count: number, seed = 1) => [...take(syntheticEvents({ seed, start: new Date('2026-11-22T10:00:00Z') }), count)];
const transactions = () => dynamodb.commandCalls(TransactWriteItemsCommand).map((call) => call.args[0].input.TransactItems!);
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

beforeEach(() => {
  dynamodb.reset();
  sqs.reset();
  jest.clearAllMocks();
  dynamodb.on(GetItemCommand).resolves({});
  dynamodb.on(TransactWriteItemsCommand).resolves({});
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
});

test('a batch is summed into transactions that carry the watermark up to its last record', async () => {
  const batch = kinesisEvent(events(20));
  await expect(handler(batch)).resolves.toEqual({ batchItemFailures: [] });
  const [items] = transactions();
  expect(transactions()).toHaveLength(1);
  expect(items[0].Update).toMatchObject({
    Key: { pk: { S: 'SHARD#shardId-000000000000' } },
    ConditionExpression: 'attribute_not_exists(#sequence_number)',
    ExpressionAttributeValues: { ':sequence_number': { S: batch.Records[19].kinesis.sequenceNumber } },
  });
  const counted = items.slice(1).filter((i) => i.Update!.Key!.pk.S!.startsWith('USER#'));
  expect(counted.reduce((sum, i) => sum + Number(i.Update!.ExpressionAttributeValues![':events'].N), 0)).toBe(20);
  expect(dynamodb.commandCalls(GetItemCommand)[0].args[0].input).toMatchObject({ ConsistentRead: true, Key: { pk: { S: 'SHARD#shardId-000000000000' }, sk: { S: 'WATERMARK' } } });
});

test('a retried batch skips what the watermark says is committed', async () => {
  const batch = kinesisEvent(events(10));
  const watermark = batch.Records[6].kinesis.sequenceNumber;
  dynamodb.on(GetItemCommand).resolves({ Item: { sequence_number: { S: watermark } } });
  await handler(batch);
  const [items] = transactions();
  expect(items[0].Update).toMatchObject({ ConditionExpression: '#sequence_number = :previous', ExpressionAttributeValues: { ':previous': { S: watermark } } });
  const users = items.filter((i) => i.Update!.Key!.pk.S!.startsWith('USER#'));
  expect(users.reduce((sum, i) => sum + Number(i.Update!.ExpressionAttributeValues![':events'].N), 0)).toBe(3);
});

test('a batch that is entirely committed writes nothing', async () => {
  const batch = kinesisEvent(events(5));
  dynamodb.on(GetItemCommand).resolves({ Item: { sequence_number: { S: batch.Records[4].kinesis.sequenceNumber } } });
  await expect(handler(batch)).resolves.toEqual({ batchItemFailures: [] });
  expect(transactions()).toHaveLength(0);
});

test('malformed records go to the dead-letter queue with their reason before the commit, and the rest is counted', async () => {
  const order: string[] = [];
  sqs.on(SendMessageCommand).callsFake(() => order.push('dead letter') && {});
  dynamodb.on(TransactWriteItemsCommand).callsFake(() => order.push('commit') && {});
  const [first, second] = events(2);
  const batch = kinesisEvent([first, '{"event_id": "broken', { ...second, amount: 'lots' }, second]);

  await expect(handler(batch)).resolves.toEqual({ batchItemFailures: [] });
  expect(order).toEqual(['dead letter', 'dead letter', 'commit']);
  const letters = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
  expect(letters.map((l) => l.MessageAttributes!.reason.StringValue)).toEqual(['invalid_json', 'invalid_amount']);
  expect(JSON.parse(letters[0].MessageBody!)).toEqual({
    reason: 'invalid_json',
    detail: expect.stringContaining('JSON'),
    eventSourceARN: batch.Records[1].eventSourceARN,
    shardId: 'shardId-000000000000',
    sequenceNumber: batch.Records[1].kinesis.sequenceNumber,
    partitionKey: batch.Records[1].kinesis.partitionKey,
    approximateArrivalTimestamp: batch.Records[1].kinesis.approximateArrivalTimestamp,
    data: batch.Records[1].kinesis.data,
  });
  expect(letters[0].QueueUrl).toBe('https://sqs.eu-north-1.amazonaws.com/111111111111/dlq');
  expect(transactions()[0][0].Update!.ExpressionAttributeValues![':sequence_number'].S).toBe(batch.Records[3].kinesis.sequenceNumber);
});

test('a failed transaction stops the batch and reports its first record, so Lambda retries from there', async () => {
  const batch = kinesisEvent(events(400, 2));
  dynamodb.on(TransactWriteItemsCommand).resolvesOnce({}).rejectsOnce(Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ThrottlingException' }));
  const response = await handler(batch);
  const [committed, failed] = transactions();
  expect(transactions()).toHaveLength(2);
  const firstOfFailed = String(BigInt(committed[0].Update!.ExpressionAttributeValues![':sequence_number'].S!) + 1n);
  expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: firstOfFailed }] });
  expect(failed[0].Update!.ExpressionAttributeValues![':previous'].S).toBe(committed[0].Update!.ExpressionAttributeValues![':sequence_number'].S);
  expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ failedFrom: firstOfFailed, error: expect.objectContaining({ name: 'ThrottlingException' }) }));
});

test('a dead letter that cannot be sent fails its chunk before anything of it is committed', async () => {
  sqs.on(SendMessageCommand).rejects(new Error('KMS.AccessDeniedException'));
  const batch = kinesisEvent(['not json', ...events(3)]);
  await expect(handler(batch)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: batch.Records[0].kinesis.sequenceNumber }] });
  expect(transactions()).toHaveLength(0);
});

test('when the watermark cannot be read, the whole batch is reported', async () => {
  dynamodb.on(GetItemCommand).rejects(new Error('network'));
  const batch = kinesisEvent(events(3));
  await expect(handler(batch)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: batch.Records[0].kinesis.sequenceNumber }] });
});

test("users whose stored last_seen is later keep it: the transaction is retried once without it, totals still added", async () => {
  const batch = kinesisEvent(events(2, 3));
  const userCount = new Set(events(2, 3).map((e) => e.user_id)).size;
  const minuteCount = new Set(events(2, 3).map((e) => `${e.event_type}${String(e.event_time).slice(0, 16)}`)).size;
  const reasons = ['None', ...Array(minuteCount).fill('None'), 'ConditionalCheckFailed', ...Array(userCount - 1).fill('None')];
  dynamodb.on(TransactWriteItemsCommand).rejectsOnce(cancelled(...reasons)).resolves({});
  await expect(handler(batch)).resolves.toEqual({ batchItemFailures: [] });
  const [, retry] = transactions();
  const user = retry[1 + minuteCount].Update!;
  expect(user.UpdateExpression).toBe('ADD #events :events, #amount :amount');
  expect(user.ConditionExpression).toBeUndefined();
});

test('a watermark that moved under the batch is not retried here: the batch is reported and re-read on retry', async () => {
  const batch = kinesisEvent(events(2));
  dynamodb.on(TransactWriteItemsCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None', 'None', 'None'));
  await expect(handler(batch)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: batch.Records[0].kinesis.sequenceNumber }] });
  expect(transactions()).toHaveLength(1);
});

test('an empty batch calls nothing', async () => {
  await expect(handler({ Records: [] })).resolves.toEqual({ batchItemFailures: [] });
  expect(dynamodb.calls()).toHaveLength(0);
});

test('the Lambda entry point takes its settings from the environment the construct sets', async () => {
  const batch = kinesisEvent(events(3));
  const saved = { ...process.env };
  const info = jest.spyOn(console, 'info').mockImplementation(() => undefined);
  try {
    await expect(lambdaHandler(batch)).rejects.toThrow('The real-time views consumer is misconfigured: VIEWS_TABLE_NAME is not set');
    Object.assign(process.env, { [CONSUMER_ENVIRONMENT.tableName]: 'views-from-env', [CONSUMER_ENVIRONMENT.deadLetterQueueUrl]: 'https://sqs/dlq', [CONSUMER_ENVIRONMENT.minuteTtlSeconds]: '60', AWS_REGION: 'eu-north-1' });
    await expect(lambdaHandler(batch)).resolves.toEqual({ batchItemFailures: [] });
    expect(transactions()[0][0].Update!.TableName).toBe('views-from-env');
    expect(info).toHaveBeenCalledWith(expect.objectContaining({ message: 'batch committed', records: 3 }));
  } finally {
    process.env = saved;
    info.mockRestore();
  }
});
