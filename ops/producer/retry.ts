import type { PutRecordsResultEntry } from '@aws-sdk/client-kinesis';

export interface RetryPolicy {
  /** Calls per record, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Eight attempts span about 13 s at most: long enough to ride out a shard's throughput burst. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 5_000 };

/**
 * The wait before retry number `retry` (1 for the first): "full jitter", a uniform draw up to
 * min(max, base * 2^(retry - 1)), so producers throttled together do not retry together.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1)));
}

export interface FailedRecord<T> {
  readonly record: T;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** The records a PutRecords response reports as failed; its results are in request order. */
export function failedRecords<T>(sent: readonly T[], results: readonly PutRecordsResultEntry[]): FailedRecord<T>[] {
  if (results.length !== sent.length) throw new Error(`PutRecords returned ${results.length} results for ${sent.length} records`);
  return results.flatMap((result, index) => (result.ErrorCode ? [{ record: sent[index], errorCode: result.ErrorCode, errorMessage: result.ErrorMessage ?? '' }] : []));
}
