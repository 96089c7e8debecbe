import type { SendMessageCommandInput } from '@aws-sdk/client-sqs';
import type { KinesisStreamRecord } from 'aws-lambda';
import type { Rejection } from './parse';

/**
 * The dead-letter message of a record the views cannot count. It carries the reason and the
 * record itself, so it can be inspected, fixed and put back on the stream (docs/fast-layer.md).
 * Lambda's own on-failure messages (batches that kept failing) share the queue but carry no
 * `reason` attribute: they describe a range of sequence numbers to read from the stream instead.
 */
export const REASON_ATTRIBUTE = 'reason';

/** Base64 records up to this size travel in the message; SQS caps a message at 256 KiB. */
export const MAX_INLINE_DATA_CHARS = 192 * 1024;

export interface DeadLetter {
  readonly reason: string;
  readonly detail: string;
  readonly eventSourceARN: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  /** Epoch seconds, as Kinesis reports it. */
  readonly approximateArrivalTimestamp: number;
  /** The record as sent, base64; absent when too large, in which case read it from the stream by sequence number. */
  readonly data?: string;
}

export function deadLetterMessage(record: KinesisStreamRecord, rejection: Rejection, queueUrl: string): SendMessageCommandInput {
  const { kinesis } = record;
  const letter: DeadLetter = {
    ...rejection,
    eventSourceARN: record.eventSourceARN,
    shardId: shardIdOf(record),
    sequenceNumber: kinesis.sequenceNumber,
    partitionKey: kinesis.partitionKey,
    approximateArrivalTimestamp: kinesis.approximateArrivalTimestamp,
    ...(kinesis.data.length <= MAX_INLINE_DATA_CHARS ? { data: kinesis.data } : {}),
  };
  return {
    QueueUrl: queueUrl,
    MessageBody: JSON.stringify(letter),
    MessageAttributes: { [REASON_ATTRIBUTE]: { DataType: 'String', StringValue: rejection.reason } },
  };
}

/** A Kinesis record's eventID is `<shard id>:<sequence number>`. */
export function shardIdOf(record: KinesisStreamRecord): string {
  return record.eventID.slice(0, record.eventID.indexOf(':'));
}
