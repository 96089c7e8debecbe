import { type AttributeValue, ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { type DeadLetterMessage, batchesOf, deadLetterMessage, shardIdOf } from './dead-letters';
import { type ParsedEvent, type Rejection, parseEvent } from './parse';
import { type Observed, type PendingTotals, type ViewUpdate, pendingTotals, planUpdates, updateItemInput } from './plan';
import { parseMark, progressMark, sequenceOf, streamEpoch } from './progress';
import { type ConsumerSettings, settingsFromEnvironment } from './settings';
import { ATTRIBUTES, appliedAttribute, deadLetterProgressKey, keyAttributes } from './views';

/**
 * The real-time views consumer: Lambda hands it a batch of records from one shard, in order.
 *
 * 1. Parse every record against bronze.events, with a bound on event-time skew.
 * 2. Send the rejected ones to the dead-letter queue with their reason (SendMessageBatch, a few
 *    batches at a time), skipping those a previous delivery already sent.
 * 3. Sum the counted ones per view item and write each item with one conditional UpdateItem that
 *    carries the item's own high-water mark for the shard (plan.ts), a bounded number at a time.
 *
 * When anything fails, the handler reports the lowest record that is not yet in every item it
 * belongs to (or whose dead letter is not sent), so Lambda retries from there; the marks make the
 * retry add only what is missing, whichever items it was.
 */

export interface ConsumerDependencies extends ConsumerSettings {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  /** Tells the stream's epoch (its creation time, progress.ts). @default from Kinesis DescribeStreamSummary */
  readonly streamEpochs?: StreamEpochs;
  /** Used by the default streamEpochs. */
  readonly kinesis?: KinesisClient;
  /** View-item writes in flight at once. @default DEFAULT_WRITE_CONCURRENCY */
  readonly writeConcurrency?: number;
  /** SendMessageBatch calls in flight at once. @default DEFAULT_DEAD_LETTER_CONCURRENCY */
  readonly deadLetterConcurrency?: number;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** @default console */
  readonly logger?: Pick<Console, 'info' | 'warn' | 'error'>;
}

/** The epoch of a stream; `fresh` bypasses any cache (used before treating records as applied). */
export type StreamEpochs = (streamArn: string, options: { readonly fresh: boolean }) => Promise<string>;

/** Enough to keep the SDK's 50 sockets busy without queueing behind them. */
export const DEFAULT_WRITE_CONCURRENCY = 16;
export const DEFAULT_DEAD_LETTER_CONCURRENCY = 2;
/** Conditional attempts per item before the batch is failed (each retry follows a change by another writer). */
const MAX_ATTEMPTS_PER_ITEM = 5;

/** Stream epochs from Kinesis, cached per stream for the life of the execution environment. */
export function kinesisStreamEpochs(kinesis: KinesisClient): StreamEpochs {
  const cache = new Map<string, Promise<string>>();
  return (streamArn, { fresh }) => {
    const cached = cache.get(streamArn);
    if (cached && !fresh) return cached;
    const described = kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: streamArn })).then(({ StreamDescriptionSummary }) => {
      const created = StreamDescriptionSummary?.StreamCreationTimestamp;
      if (!created) throw new Error(`Kinesis did not say when ${streamArn} was created`);
      return streamEpoch(created);
    });
    cache.set(streamArn, described);
    described.catch(() => cache.delete(streamArn));
    return described;
  };
}

interface StreamRecord {
  readonly record: KinesisStreamRecord;
  readonly sequenceNumber: bigint;
  readonly parsed: ParsedEvent;
}

interface Rejected extends StreamRecord {
  readonly parsed: { readonly rejection: Rejection };
}

type Outcome = 'written' | 'already applied';

export function createHandler(dependencies: ConsumerDependencies): (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse> {
  const { dynamodb, sqs, tableName, deadLetterQueueUrl, minuteTtlSeconds, clock = () => new Date(), logger = console } = dependencies;
  const writeConcurrency = dependencies.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY;
  const deadLetterConcurrency = dependencies.deadLetterConcurrency ?? DEFAULT_DEAD_LETTER_CONCURRENCY;
  const streamEpochs = dependencies.streamEpochs ?? kinesisStreamEpochs(dependencies.kinesis ?? new KinesisClient(boundedClientConfig()));
  const bounds = (now: Date) => ({ now, maxAheadMs: dependencies.maxEventAheadSeconds * 1000, maxAgeMs: dependencies.maxEventAgeSeconds * 1000 });

  return async (event) => {
    if (event.Records.length === 0) return { batchItemFailures: [] };
    const first = event.Records[0];
    const shardId = shardIdOf(first);
    const streamArn = first.eventSourceARN;
    const stats = { written: 0, alreadyApplied: 0, conditionalRetries: 0, deadLetters: 0, deadLettersAlreadySent: 0 };
    let records: StreamRecord[] = [];
    try {
      const now = clock();
      records = event.Records.map((record) => ({
        record,
        sequenceNumber: sequenceOf(record.kinesis.sequenceNumber),
        parsed: parseEvent(Buffer.from(record.kinesis.data, 'base64'), bounds(now)),
      }));

      // The epoch the batch writes under. Before any record is taken as applied already, it is
      // checked against Kinesis once: a re-created stream restarts its sequence numbers lower.
      let epoch = await streamEpochs(streamArn, { fresh: false });
      let freshEpoch: Promise<string> | undefined;
      const checkedEpoch = async () => {
        freshEpoch ??= streamEpochs(streamArn, { fresh: true }).then((fresh) => {
          if (fresh !== epoch) logger.warn({ message: 'the stream was re-created: writing under its new epoch', shardId, streamArn, previousEpoch: epoch, epoch: fresh });
          return (epoch = fresh);
        });
        return freshEpoch;
      };

      const rejected = records.filter((r): r is Rejected => 'rejection' in r.parsed);
      const updates = planUpdates(records);
      const [unsent, unwritten] = await Promise.all([sendDeadLetters(rejected), writeViews(updates)]);
      const uncommitted = [...unsent, ...unwritten];
      if (uncommitted.length === 0) {
        logger.info({ message: 'batch committed', shardId, records: records.length, items: updates.length, ...stats });
        return { batchItemFailures: [] };
      }
      const failedFrom = uncommitted.reduce((low, s) => (s < low ? s : low));
      logger.error({ message: 'batch partly failed; Lambda retries it from the first uncommitted record', shardId, failedFrom: String(failedFrom), uncommittedRecords: new Set(uncommitted).size, ...stats });
      return { batchItemFailures: [{ itemIdentifier: String(failedFrom) }] };

      /** The sequence numbers of rejected records whose dead letter is not sent. */
      async function sendDeadLetters(batch: readonly Rejected[]): Promise<bigint[]> {
        if (batch.length === 0) return [];
        let pending = batch;
        try {
          const sentThrough = await readDeadLetterProgress();
          if (sentThrough !== undefined && pending.some((r) => r.sequenceNumber <= sentThrough.sequenceNumber) && sentThrough.epoch === (await checkedEpoch())) {
            pending = pending.filter((r) => r.sequenceNumber > sentThrough.sequenceNumber);
            stats.deadLettersAlreadySent += batch.length - pending.length;
          }
        } catch (error) {
          logger.warn({ message: 'dead-letter progress unreadable; sending them all (a retry may send some twice)', shardId, error: describeError(error) });
        }
        const messages = pending.map((r) => ({ ...deadLetterMessage(r.record, r.parsed.rejection), sequenceNumber: r.sequenceNumber }));
        const failed = new Set<bigint>();
        await forEachBounded(batchesOf(messages), deadLetterConcurrency, async (group) => {
          try {
            const { Failed = [] } = await sqs.send(
              new SendMessageBatchCommand({ QueueUrl: deadLetterQueueUrl, Entries: group.map((m: DeadLetterMessage, index) => ({ Id: String(index), ...m.entry })) }),
            );
            for (const f of Failed) failed.add(group[Number(f.Id)].sequenceNumber);
            if (Failed.length > 0) logger.error({ message: 'SQS refused dead letters', shardId, failures: Failed.map((f) => ({ code: f.Code, message: f.Message })) });
          } catch (error) {
            for (const m of group) failed.add(m.sequenceNumber);
            logger.error({ message: 'dead letters not sent', shardId, error: describeError(error) });
          }
          return true;
        });
        stats.deadLetters += messages.length - failed.size;
        // Only a run with no gap counts as sent: a retry must not skip a letter that failed.
        const sentRun = messages.filter((m) => [...failed].every((f) => m.sequenceNumber < f));
        if (sentRun.length > 0) await recordDeadLetterProgress(sentRun[sentRun.length - 1].sequenceNumber);
        return [...failed];
      }

      async function readDeadLetterProgress() {
        const { Item } = await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: keyAttributes(deadLetterProgressKey(shardId)), ConsistentRead: true }));
        return parseMark(Item?.[ATTRIBUTES.sentThrough]?.S);
      }

      async function recordDeadLetterProgress(through: bigint): Promise<void> {
        try {
          await dynamodb.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: keyAttributes(deadLetterProgressKey(shardId)),
              UpdateExpression: 'SET #sent = :mark, #updated = :now',
              ConditionExpression: 'attribute_not_exists(#sent) OR #sent < :mark',
              ExpressionAttributeNames: { '#sent': ATTRIBUTES.sentThrough, '#updated': ATTRIBUTES.updatedAt },
              ExpressionAttributeValues: { ':mark': { S: progressMark(epoch, through) }, ':now': { S: clock().toISOString() } },
            }),
          );
        } catch (error) {
          // The letters are sent; without the mark a retry only sends them again.
          if (!(error instanceof ConditionalCheckFailedException)) logger.warn({ message: 'dead-letter progress not recorded', shardId, error: describeError(error) });
        }
      }

      /** The sequence numbers of counted records not yet in every item they belong to. */
      async function writeViews(all: readonly ViewUpdate[]): Promise<bigint[]> {
        const done = new Set<ViewUpdate>();
        await forEachBounded(all, writeConcurrency, async (update) => {
          try {
            stats[(await writeItem(update)) === 'written' ? 'written' : 'alreadyApplied']++;
            done.add(update);
          } catch (error) {
            // The other items go on: whatever they write now, the retry need not write again.
            logger.error({ message: 'view item not written', shardId, key: update.key, error: describeError(error) });
          }
          return true;
        });
        return all.filter((u) => !done.has(u)).flatMap((u) => u.contributions.map((c) => c.sequenceNumber));
      }

      async function writeItem(update: ViewUpdate): Promise<Outcome> {
        const appliedName = appliedAttribute(shardId);
        let writingEpoch = epoch;
        let totals: PendingTotals = pendingTotals(update, undefined)!;
        let observed: Observed | undefined;
        for (let attempt = 1; attempt <= MAX_ATTEMPTS_PER_ITEM; attempt++) {
          try {
            await dynamodb.send(new UpdateItemCommand(updateItemInput(update, totals, { tableName, shardId, epoch: writingEpoch, minuteTtlSeconds }, observed)));
            return 'written';
          } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
            stats.conditionalRetries++;
            const item = error.Item ?? (await readItem(update));
            const storedMark = item?.[appliedName]?.S;
            const stored = parseMark(storedMark);
            if (storedMark !== undefined && !stored) throw new Error(`${appliedName} of ${update.key.pk}|${update.key.sk} holds ${JSON.stringify(storedMark)}, not a progress mark`);
            // A mark of this stream says which records the item has; one of an older stream, none.
            if (stored && stored.epoch !== writingEpoch) {
              const current = await checkedEpoch();
              if (stored.epoch > current) throw new Error(`${appliedName} of ${update.key.pk}|${update.key.sk} is from a stream created after this one (epoch ${stored.epoch} > ${current})`);
              if (current !== writingEpoch) {
                [writingEpoch, totals, observed] = [current, pendingTotals(update, undefined)!, undefined];
                continue;
              }
            }
            const appliedThrough = stored && stored.epoch === writingEpoch ? stored.sequenceNumber : undefined;
            const remaining = pendingTotals(update, appliedThrough);
            if (appliedThrough !== undefined && remaining?.events !== update.contributions.length) {
              // Records look applied: never skip them on a stale epoch.
              const current = await checkedEpoch();
              if (current !== writingEpoch) {
                [writingEpoch, totals, observed] = [current, pendingTotals(update, undefined)!, undefined];
                continue;
              }
            }
            if (!remaining) return 'already applied';
            const storedLastSeen = item?.[ATTRIBUTES.lastSeen]?.S;
            totals = remaining;
            observed = { appliedMark: storedMark, keepLastSeen: storedLastSeen !== undefined && storedLastSeen > remaining.lastSeen };
          }
        }
        throw new Error(`${update.key.pk}|${update.key.sk} changed under every one of ${MAX_ATTEMPTS_PER_ITEM} attempts`);
      }

      async function readItem(update: ViewUpdate): Promise<Record<string, AttributeValue> | undefined> {
        const { Item } = await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: keyAttributes(update.key), ConsistentRead: true }));
        return Item;
      }
    } catch (error) {
      // Before anything could be attributed (a malformed sequence number, Kinesis unreachable): the whole batch.
      logger.error({ message: 'batch failed; Lambda retries it whole', shardId, error: describeError(error) });
      return { batchItemFailures: [{ itemIdentifier: first.kinesis.sequenceNumber }] };
    }
  };
}

/**
 * Runs `task` over `items` with at most `limit` in flight, in order. When a task returns false,
 * no further task starts; those in flight finish.
 */
export async function forEachBounded<T>(items: readonly T[], limit: number, task: (item: T) => Promise<boolean>): Promise<void> {
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped && next < items.length) {
      const item = items[next++];
      if (!(await task(item))) stopped = true;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

function describeError(error: unknown) {
  if (!(error instanceof Error)) return String(error);
  return { name: error.name, message: error.message };
}

/**
 * Bounded calls: a hung request is aborted after `requestTimeoutMs` (throwOnRequestTimeout; without
 * it the SDK only logs a warning and keeps waiting), and fails after the SDK's three attempts, well
 * inside the function's timeout, so the handler reports the first uncommitted record instead of
 * being killed mid-batch.
 */
export function boundedClientConfig(requestTimeoutMs = 5_000) {
  return { maxAttempts: 3, requestHandler: { connectionTimeout: 2_000, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true } };
}

let configured: ReturnType<typeof createHandler> | undefined;

/** The Lambda entry point: settings from the environment, SDK clients from the runtime. */
export const handler = async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
  configured ??= createHandler({
    ...settingsFromEnvironment(process.env),
    dynamodb: new DynamoDBClient(boundedClientConfig()),
    sqs: new SQSClient(boundedClientConfig()),
    kinesis: new KinesisClient(boundedClientConfig()),
  });
  return configured(event);
};
