import { DynamoDBClient, GetItemCommand, TransactWriteItemsCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { deadLetterMessage, shardIdOf } from './dead-letters';
import { parseEvent } from './parse';
import { type Chunk, type PlannedRecord, lastSeenConflicts, notYetApplied, planChunks, transactItems } from './plan';
import { type ConsumerSettings, settingsFromEnvironment } from './settings';
import { ATTRIBUTES, keyAttributes, watermarkKey } from './views';

/**
 * The real-time views consumer: Lambda hands it a batch of records from one shard, in order.
 *
 * 1. Read the shard's watermark and drop the records at or before it (already counted).
 * 2. Parse the rest against bronze.events; plan them into chunks of one transaction each.
 * 3. Per chunk, in order: send its rejected records to the dead-letter queue with their reason,
 *    then commit its summed updates together with the advanced watermark.
 *
 * A chunk that fails stops the batch and is reported as the first failed item, so Lambda retries
 * from there; the watermark makes the retry skip what was committed. Dead letters are sent
 * before the commit that moves the watermark past them, so a rejected record is never lost,
 * though a retry may send it twice.
 */

export interface ConsumerDependencies extends ConsumerSettings {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** @default console */
  readonly logger?: Pick<Console, 'info' | 'error'>;
}

interface StreamRecord extends PlannedRecord {
  readonly record: KinesisStreamRecord;
}

export function createHandler(dependencies: ConsumerDependencies): (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse> {
  const { dynamodb, sqs, tableName, deadLetterQueueUrl, minuteTtlSeconds, clock = () => new Date(), logger = console } = dependencies;

  async function readWatermark(shardId: string): Promise<string | undefined> {
    const { Item } = await dynamodb.send(
      new GetItemCommand({
        TableName: tableName,
        Key: keyAttributes(watermarkKey(shardId)),
        ConsistentRead: true,
        ProjectionExpression: '#sequence',
        ExpressionAttributeNames: { '#sequence': ATTRIBUTES.sequenceNumber },
      }),
    );
    return Item?.[ATTRIBUTES.sequenceNumber]?.S;
  }

  async function sendDeadLetters(chunk: Chunk<StreamRecord>): Promise<number> {
    const sends = chunk.records.flatMap((r) => ('rejection' in r.parsed ? [sqs.send(new SendMessageCommand(deadLetterMessage(r.record, r.parsed.rejection, deadLetterQueueUrl)))] : []));
    await Promise.all(sends);
    return sends.length;
  }

  async function commit(chunk: Chunk<StreamRecord>, shardId: string, previousWatermark: string | undefined): Promise<void> {
    const write = (keepLastSeenOf?: ReadonlySet<string>) =>
      dynamodb.send(new TransactWriteItemsCommand({ TransactItems: transactItems(chunk, { tableName, shardId, previousWatermark, now: clock(), minuteTtlSeconds, keepLastSeenOf }) }));
    try {
      await write();
    } catch (error) {
      const conflicts = error instanceof TransactionCanceledException ? lastSeenConflicts(chunk, error.CancellationReasons) : undefined;
      if (!conflicts) throw error;
      await write(conflicts);
    }
  }

  return async (event) => {
    if (event.Records.length === 0) return { batchItemFailures: [] };
    const shardId = shardIdOf(event.Records[0]);
    let failedFrom = event.Records[0].kinesis.sequenceNumber;
    try {
      let watermark = await readWatermark(shardId);
      const pending: StreamRecord[] = notYetApplied(
        event.Records.map((record) => ({ record, sequenceNumber: record.kinesis.sequenceNumber })),
        watermark,
      ).map((r) => ({ ...r, parsed: parseEvent(Buffer.from(r.record.kinesis.data, 'base64')) }));
      const chunks = planChunks(pending);
      let rejected = 0;
      for (const chunk of chunks) {
        failedFrom = chunk.records[0].sequenceNumber;
        rejected += await sendDeadLetters(chunk);
        await commit(chunk, shardId, watermark);
        watermark = chunk.records[chunk.records.length - 1].sequenceNumber;
      }
      logger.info({ message: 'batch committed', shardId, records: event.Records.length, alreadyCounted: event.Records.length - pending.length, rejected, transactions: chunks.length });
      return { batchItemFailures: [] };
    } catch (error) {
      logger.error({ message: 'batch failed; Lambda retries it from the first uncommitted record', shardId, failedFrom, error: describeError(error) });
      return { batchItemFailures: [{ itemIdentifier: failedFrom }] };
    }
  };
}

function describeError(error: unknown) {
  if (!(error instanceof Error)) return String(error);
  const reasons = error instanceof TransactionCanceledException ? error.CancellationReasons?.map((r) => r.Code) : undefined;
  return { name: error.name, message: error.message, ...(reasons ? { cancellationReasons: reasons } : {}) };
}

let configured: ReturnType<typeof createHandler> | undefined;

/**
 * Bounded calls: a hung request fails (after the SDK's three attempts) well inside the function's
 * timeout, so the handler reports the first uncommitted record instead of being killed mid-batch.
 */
const CLIENT_CONFIG = { maxAttempts: 3, requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 } };

/** The Lambda entry point: settings from the environment, SDK clients from the runtime. */
export const handler = async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
  configured ??= createHandler({ ...settingsFromEnvironment(process.env), dynamodb: new DynamoDBClient(CLIENT_CONFIG), sqs: new SQSClient(CLIENT_CONFIG) });
  return configured(event);
};
