import type { SyntheticEvent } from './synthetic-events';

/** PutRecords limits: records and bytes (data plus partition keys) per call, bytes per record. */
export const PUT_RECORDS_LIMITS = { records: 500, bytes: 5 * 1024 * 1024, recordBytes: 1024 * 1024 } as const;

/** A record on its way to the stream; the id names it when it cannot be delivered. */
export interface OutgoingRecord {
  readonly id: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/** An event as a stream record, keyed by user so that each user's events stay in order on one shard. */
export function outgoingRecord(event: SyntheticEvent): OutgoingRecord {
  return { id: String(event.event_id), partitionKey: String(event.user_id), data: Buffer.from(JSON.stringify(event)) };
}

export const recordBytes = (record: OutgoingRecord): number => record.data.byteLength + Buffer.byteLength(record.partitionKey);

/** Groups records, in order, into PutRecords calls of at most `maxRecords` records and 5 MiB. */
export function* putRecordsBatches(records: Iterable<OutgoingRecord>, maxRecords: number = PUT_RECORDS_LIMITS.records): Generator<OutgoingRecord[]> {
  const limit = Math.min(maxRecords, PUT_RECORDS_LIMITS.records);
  let batch: OutgoingRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = recordBytes(record);
    if (size > PUT_RECORDS_LIMITS.recordBytes) throw new Error(`record ${record.id} is ${size} bytes; Kinesis accepts at most ${PUT_RECORDS_LIMITS.recordBytes} per record`);
    if (batch.length >= limit || bytes + size > PUT_RECORDS_LIMITS.bytes) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(record);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
