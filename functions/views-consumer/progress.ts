/**
 * Progress marks: how far a shard's records are applied to an item, as a string that DynamoDB's
 * condition expressions compare the way the records are ordered.
 *
 * A mark is `<stream epoch>/<digit count>/<sequence number>`. Kinesis sequence numbers are
 * decimal integers of up to 129 digits, longer than a DynamoDB Number holds, so they are stored
 * as strings; prefixing the digit count (fixed width) makes string order equal numeric order.
 * The stream epoch (the stream's creation time, fixed width) comes first: a stream deleted and
 * re-created under the same name restarts its shards' sequence numbers lower, and its marks must
 * still sort after the old stream's, or its records would look applied already.
 */

const EPOCH_DIGITS = 15;
const LENGTH_DIGITS = 3;
const SEQUENCE = /^(0|[1-9]\d{0,128})$/;

/** The epoch of a stream created at `created`: epoch milliseconds, fixed width. */
export function streamEpoch(created: Date): string {
  const millis = created.getTime();
  if (!Number.isSafeInteger(millis) || millis < 0) throw new Error(`not a stream creation time: ${String(created)}`);
  return String(millis).padStart(EPOCH_DIGITS, '0');
}

export function progressMark(epoch: string, sequenceNumber: bigint): string {
  const digits = sequenceNumber.toString();
  return `${epoch}/${String(digits.length).padStart(LENGTH_DIGITS, '0')}/${digits}`;
}

export interface Progress {
  readonly epoch: string;
  readonly sequenceNumber: bigint;
}

/** The epoch and sequence number of a stored mark; undefined for anything that is not one. */
export function parseMark(mark: string | undefined): Progress | undefined {
  const parts = mark?.split('/');
  if (parts?.length !== 3 || !/^\d+$/.test(parts[0]) || !SEQUENCE.test(parts[2]) || Number(parts[1]) !== parts[2].length) return undefined;
  return { epoch: parts[0], sequenceNumber: BigInt(parts[2]) };
}

/** A Kinesis sequence number as a BigInt, failing loudly on anything else. */
export function sequenceOf(sequenceNumber: string): bigint {
  if (!SEQUENCE.test(sequenceNumber)) throw new Error(`not a Kinesis sequence number: ${JSON.stringify(sequenceNumber.slice(0, 140))}`);
  return BigInt(sequenceNumber);
}
