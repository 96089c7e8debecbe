import { KinesisClient, type KinesisClientConfig, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type OutgoingRecord, PUT_RECORDS_LIMITS, putRecordsBatches } from './batching';
import { DEFAULT_RETRY_POLICY, type FailedRecord, type RetryPolicy, backoffDelayMs, failedRecords } from './retry';

/**
 * A Kinesis client; with an endpoint, one that speaks HTTP/1.1, because the Kinesis client
 * defaults to HTTP/2 (for SubscribeToShard) and local emulators such as moto_server do not.
 */
export function kinesisClient(config: Pick<KinesisClientConfig, 'region' | 'endpoint' | 'credentials'> = {}): KinesisClient {
  return new KinesisClient({ ...config, ...(config.endpoint ? { requestHandler: new NodeHttpHandler() } : {}) });
}

export interface ProduceOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  readonly records: Iterable<OutgoingRecord>;
  /** Records per second. */
  readonly rate: number;
  /** @default DEFAULT_RETRY_POLICY */
  readonly retryPolicy?: RetryPolicy;
  /** Called after every PutRecords call. */
  readonly onProgress?: (progress: ProduceProgress) => void;
  /** @default real time */
  readonly clock?: { readonly now: () => number; readonly sleep: (ms: number) => Promise<void> };
  /** @default Math.random */
  readonly random?: () => number;
}

export interface ProduceProgress {
  readonly delivered: number;
  /** Records sent again after a partial failure. */
  readonly retried: number;
  readonly failed: number;
  readonly elapsedMs: number;
}

export interface ProduceResult extends ProduceProgress {
  /** Records still failing after the last attempt, with their last error. */
  readonly failures: readonly FailedRecord<OutgoingRecord>[];
}

/** About ten calls a second: small rates are not sent in bursts, large ones fill each call. */
export const recordsPerCall = (rate: number): number => Math.min(PUT_RECORDS_LIMITS.records, Math.max(1, Math.ceil(rate / 10)));

const REAL_TIME = { now: () => performance.now(), sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };

/**
 * Sends records at `rate` per second with PutRecords. Records a response reports as failed
 * (throttled shards, internal errors) are sent again, alone, after an exponential back-off with
 * jitter, until they land or the policy's attempts run out; they are never dropped silently but
 * returned as failures. Errors of a whole call (after the SDK's own retries) propagate.
 */
export async function produceEvents(options: ProduceOptions): Promise<ProduceResult> {
  const { client, streamName, rate, retryPolicy = DEFAULT_RETRY_POLICY, clock = REAL_TIME, random = Math.random } = options;
  const started = clock.now();
  const failures: FailedRecord<OutgoingRecord>[] = [];
  let delivered = 0;
  let retried = 0;
  let sent = 0;
  const progress = (): ProduceProgress => ({ delivered, retried, failed: failures.length, elapsedMs: clock.now() - started });

  for (const batch of putRecordsBatches(options.records, recordsPerCall(rate))) {
    const due = started + (sent / rate) * 1000;
    if (clock.now() < due) await clock.sleep(due - clock.now());
    sent += batch.length;

    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const response = await client.send(
        new PutRecordsCommand({ StreamName: streamName, Records: pending.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey })) }),
      );
      const failed = failedRecords(pending, response.Records ?? []);
      delivered += pending.length - failed.length;
      if (failed.length > 0 && attempt >= retryPolicy.maxAttempts) {
        failures.push(...failed);
        break;
      }
      if (failed.length > 0) {
        retried += failed.length;
        await clock.sleep(backoffDelayMs(attempt, retryPolicy, random));
      }
      pending = failed.map((f) => f.record);
    }
    options.onProgress?.(progress());
  }
  return { ...progress(), failures };
}
