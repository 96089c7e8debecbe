/**
 * The views consumer's parsing, aggregation and write planning on 100,000 synthetic records,
 * against a naive handler measured in the same run: one UpdateItem per view item per record
 * (no summing, and no idempotency either). No AWS calls: both produce the requests they would
 * send, which are counted. Times are the median of RUNS runs (default 3) after one warm-up.
 * Writes scale with distinct keys, so the run is repeated for two user populations.
 *
 *   npx tsx scripts/bench-consumer.ts
 */
import type { UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { KinesisStreamEvent } from 'aws-lambda';
import { formatDecimal } from '../functions/views-consumer/decimal';
import { type ViewEvent, parseEvent } from '../functions/views-consumer/parse';
import { planChunks, transactItems } from '../functions/views-consumer/plan';
import { ATTRIBUTES, EXPIRES_AT, keyAttributes, minuteKey, minuteOf, userKey } from '../functions/views-consumer/views';
import { kinesisEvent, syntheticEvents, take } from '../ops/producer/synthetic-events';
import { DEFAULT_BATCH_SIZE } from '../constructs/fast-layer/realtime-views-props';

const RECORDS = 100_000;
const RUNS = Number(process.env.RUNS ?? 3);
const USER_POPULATIONS = [10_000, 100];
const TTL_SECONDS = 7 * 24 * 3600;
const TABLE = 'views';

interface Plan {
  /** DynamoDB write requests: TransactWriteItems or UpdateItem calls. */
  readonly requests: number;
  /** Items those requests write. */
  readonly items: number;
}

const decode = (batch: KinesisStreamEvent) => batch.Records.map((r) => ({ sequenceNumber: r.kinesis.sequenceNumber, parsed: parseEvent(Buffer.from(r.kinesis.data, 'base64')) }));

/** The consumer's way: sum each chunk of a batch into one transaction, watermark included. */
function planned(batches: readonly KinesisStreamEvent[]): Plan {
  let requests = 0;
  let items = 0;
  let previousWatermark: string | undefined;
  for (const batch of batches) {
    for (const chunk of planChunks(decode(batch))) {
      items += transactItems(chunk, { tableName: TABLE, shardId: 'shardId-000000000000', previousWatermark, now: new Date(), minuteTtlSeconds: TTL_SECONDS }).length;
      requests++;
      previousWatermark = chunk.records[chunk.records.length - 1].sequenceNumber;
    }
  }
  return { requests, items };
}

/** The baseline: every record updates its minute item and its user item by itself. */
function naive(batches: readonly KinesisStreamEvent[]): Plan {
  let requests = 0;
  for (const batch of batches) {
    for (const { parsed } of decode(batch)) {
      if ('event' in parsed) requests += naiveUpdates(parsed.event).length;
    }
  }
  return { requests, items: requests };
}

function naiveUpdates(event: ViewEvent): UpdateItemCommandInput[] {
  const minute = minuteOf(event.eventTime);
  const add = { ':events': { N: '1' }, ':amount': { N: formatDecimal(event.amount) } };
  const names = { '#events': ATTRIBUTES.events, '#amount': ATTRIBUTES.amount };
  return [
    {
      TableName: TABLE,
      Key: keyAttributes(minuteKey(event.eventType, minute)),
      UpdateExpression: 'ADD #events :events, #amount :amount SET #expires_at = :expires_at',
      ExpressionAttributeNames: { ...names, '#expires_at': EXPIRES_AT },
      ExpressionAttributeValues: { ...add, ':expires_at': { N: String(Date.parse(`${minute}:00Z`) / 1000 + TTL_SECONDS) } },
    },
    {
      TableName: TABLE,
      Key: keyAttributes(userKey(event.userId)),
      UpdateExpression: 'ADD #events :events, #amount :amount SET #last_seen = :last_seen',
      ConditionExpression: 'attribute_not_exists(#last_seen) OR #last_seen <= :last_seen',
      ExpressionAttributeNames: { ...names, '#last_seen': ATTRIBUTES.lastSeen },
      ExpressionAttributeValues: { ...add, ':last_seen': { S: event.eventTime } },
    },
  ];
}

function measure(plan: (batches: readonly KinesisStreamEvent[]) => Plan, batches: readonly KinesisStreamEvent[]): { plan: Plan; recordsPerSecond: number } {
  const result = plan(batches); // warm-up
  const seconds = Array.from({ length: RUNS }, () => {
    const started = process.hrtime.bigint();
    plan(batches);
    return Number(process.hrtime.bigint() - started) / 1e9;
  }).sort((a, b) => a - b);
  return { plan: result, recordsPerSecond: RECORDS / seconds[Math.floor(seconds.length / 2)] };
}

const per1000 = (n: number) => ((n * 1000) / RECORDS).toFixed(1).padStart(7);
const rate = (n: number) => `${Math.round(n).toLocaleString('en-US').padStart(8)} records/s`;

console.log(`Views consumer: ${RECORDS.toLocaleString('en-US')} synthetic records (1,000 events a minute, users skewed), batches of ${DEFAULT_BATCH_SIZE.toLocaleString('en-US')}, median of ${RUNS} runs`);
for (const users of USER_POPULATIONS) {
  const events = take(syntheticEvents({ seed: 42, start: new Date('2026-11-22T00:00:00Z'), users }), RECORDS);
  const batches: KinesisStreamEvent[] = [];
  let batch: object[] = [];
  for (const event of events) {
    batch.push(event);
    if (batch.length === DEFAULT_BATCH_SIZE) {
      batches.push(kinesisEvent(batch, { firstSequenceNumber: 49_000_000_000_000_000_000n + BigInt(batches.length * DEFAULT_BATCH_SIZE) }));
      batch = [];
    }
  }
  const base = measure(naive, batches);
  const ours = measure(planned, batches);
  console.log(`${users.toLocaleString('en-US')} users:`);
  console.log(`  naive   (UpdateItem per view item per record): ${rate(base.recordsPerSecond)}  ${per1000(base.plan.requests)} write requests, ${per1000(base.plan.items)} items, ${per1000(base.plan.items)} WCU per 1,000 records`);
  console.log(`  planned (summed, one transaction per chunk):   ${rate(ours.recordsPerSecond)}  ${per1000(ours.plan.requests)} write requests, ${per1000(ours.plan.items)} items, ${per1000(2 * ours.plan.items)} WCU per 1,000 records`);
  console.log(`  naive/planned: write requests ${(base.plan.requests / ours.plan.requests).toFixed(1)}x, items ${(base.plan.items / ours.plan.items).toFixed(2)}x, WCU ${(base.plan.items / (2 * ours.plan.items)).toFixed(2)}x (a transactional item costs 2 WCU)`);
}
