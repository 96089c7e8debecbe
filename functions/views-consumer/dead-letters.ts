import type { SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { KinesisStreamRecord } from 'aws-lambda';
import type { Rejection } from './parse';

/**
 * The dead-letter message of a record the views cannot count. It carries the reason and the
 * record itself, so it can be inspected, fixed and put back on the stream (docs/fast-layer.md).
 * Lambda's own on-failure messages (batches that kept failing) share the queue but carry no
 * `reason` attribute: they describe a range of sequence numbers to read from the stream instead.
 *
 * Every message fits SQS's limit by construction: the detail is capped, the record travels only
 * when small enough, and the whole message is measured before it is sent. A message SQS refused
 * would fail its batch again and again until Lambda discarded every record of it.
 */
export const REASON_ATTRIBUTE = 'reason';

/** SQS's limit on one message, body and attributes together, and on one SendMessageBatch. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** SendMessageBatch takes at most this many entries. */
export const MAX_BATCH_ENTRIES = 10;
/** Base64 records up to this size travel in the message. */
export const MAX_INLINE_DATA_CHARS = 192 * 1024;
/** A reason's detail is cut to this many characters; the record itself says the rest. */
export const MAX_DETAIL_CHARS = 1024;
const MAX_REASON_CHARS = 64;

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

/** A message ready for SendMessageBatch (without its batch-local Id), and its size as SQS counts it. */
export interface DeadLetterMessage {
  readonly entry: Omit<SendMessageBatchRequestEntry, 'Id'>;
  readonly bytes: number;
}

export function deadLetterMessage(record: KinesisStreamRecord, rejection: Rejection): DeadLetterMessage {
  const { kinesis } = record;
  const reason = cut(rejection.reason, MAX_REASON_CHARS);
  const attributes = { [REASON_ATTRIBUTE]: { DataType: 'String', StringValue: reason } };
  const attributeBytes = Buffer.byteLength(REASON_ATTRIBUTE) + Buffer.byteLength('String') + Buffer.byteLength(reason);
  const letter: DeadLetter = {
    reason,
    detail: cut(rejection.detail, MAX_DETAIL_CHARS),
    eventSourceARN: record.eventSourceARN,
    shardId: shardIdOf(record),
    sequenceNumber: kinesis.sequenceNumber,
    partitionKey: kinesis.partitionKey,
    approximateArrivalTimestamp: kinesis.approximateArrivalTimestamp,
    ...(kinesis.data.length <= MAX_INLINE_DATA_CHARS ? { data: kinesis.data } : {}),
  };
  let body = JSON.stringify(letter);
  // JSON escaping can grow the other fields; when the whole does not fit, the record stays in the stream.
  if (Buffer.byteLength(body) + attributeBytes > MAX_MESSAGE_BYTES) body = JSON.stringify({ ...letter, data: undefined });
  const bytes = Buffer.byteLength(body) + attributeBytes;
  if (bytes > MAX_MESSAGE_BYTES) throw new Error(`dead letter of ${letter.sequenceNumber} is ${bytes} bytes without its record; SQS takes ${MAX_MESSAGE_BYTES}`);
  return { entry: { MessageBody: body, MessageAttributes: attributes }, bytes };
}

/** Consecutive groups that SendMessageBatch accepts: at most 10 entries and 256 KiB each. */
export function batchesOf<T extends DeadLetterMessage>(messages: readonly T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (current.length === MAX_BATCH_ENTRIES || bytes + message.bytes > MAX_MESSAGE_BYTES) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += message.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** A Kinesis record's eventID is `<shard id>:<sequence number>`. */
export function shardIdOf(record: KinesisStreamRecord): string {
  return record.eventID.slice(0, record.eventID.indexOf(':'));
}

function cut(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, chars - 1)}…`;
}
