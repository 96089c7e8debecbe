/**
 * The views consumer's real handler against a naive handler, side by side in one run, on the
 * synthetic events (late ones included), for two user populations. Both talk to CountingEngine:
 * an in-memory DynamoDB and SQS that evaluates the requests' conditions and update expressions,
 * keeps the items, and bills every request as DynamoDB on-demand does (below). Nothing is
 * estimated from the handler's code: the engine counts what it receives.
 *
 * Billing (DynamoDB on-demand): a standard write costs 1 write unit per KB of the larger of the
 * item's sizes before and after, rounded up; a write whose condition fails still costs the
 * existing item's size (at least 1); a transactional item costs twice; a strongly consistent
 * read costs 1 read unit per 4 KB. Item size: attribute names plus values (strings in UTF-8
 * bytes, numbers 1 byte per two significant digits plus 1).
 *
 * The naive handler makes one UpdateItem per view item per record (no summing, no idempotency:
 * a retried batch would count twice), retrying a user's update without last_seen when a late
 * event finds a later one stored.
 *
 *   npx tsx scripts/bench-consumer.ts        RECORDS=20000 SHARDS=4 npx tsx scripts/bench-consumer.ts
 */
import { type AttributeValue, ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { KinesisStreamEvent } from 'aws-lambda';
import { createHandler, forEachBounded, DEFAULT_WRITE_CONCURRENCY } from '../functions/views-consumer/handler';
import { formatDecimal } from '../functions/views-consumer/decimal';
import { type ViewEvent, parseEvent } from '../functions/views-consumer/parse';
import { ATTRIBUTES, EXPIRES_AT, keyAttributes, minuteKey, minuteOf, userKey } from '../functions/views-consumer/views';
import { DEFAULT_BATCH_SIZE } from '../constructs/fast-layer/realtime-views-props';
import { kinesisEvent, syntheticEvents, take } from '../ops/producer/synthetic-events';

type Item = Record<string, AttributeValue>;
type Command = { readonly input: unknown; readonly constructor: { readonly name: string } };

/** An in-memory DynamoDB (UpdateItem, GetItem) and SQS (SendMessageBatch) that bills what it receives. */
export class CountingEngine {
  readonly items = new Map<string, Item>();
  readonly counts = { requests: 0, writeRequests: 0, itemsWritten: 0, failedConditions: 0, writeUnits: 0, readUnits: 0, sqsRequests: 0, messages: 0 };

  /** Stands in for a DynamoDBClient: only `send` is used. */
  readonly dynamodb = { send: async (command: Command) => this.dynamodbSend(command) } as unknown as DynamoDBClient;
  /** Stands in for an SQSClient. */
  readonly sqs = { send: async (command: Command) => this.sqsSend(command) } as unknown as SQSClient;

  reset(): void {
    for (const key of Object.keys(this.counts) as (keyof CountingEngine['counts'])[]) this.counts[key] = 0;
  }

  private async dynamodbSend(command: Command): Promise<unknown> {
    await Promise.resolve(); // answer asynchronously, as a client does
    this.counts.requests++;
    if (command instanceof GetItemCommand) {
      const item = this.items.get(itemId(command.input.Key!));
      this.counts.readUnits += Math.max(1, Math.ceil(itemSize(item) / 4096)) * (command.input.ConsistentRead ? 1 : 0.5);
      return { Item: item && structuredClone(item) };
    }
    if (command instanceof UpdateItemCommand) return this.update(command.input);
    throw new Error(`CountingEngine does not implement ${command.constructor.name}`);
  }

  private update(input: UpdateItemCommandInput): unknown {
    this.counts.writeRequests++;
    const id = itemId(input.Key!);
    const before = this.items.get(id);
    const names = input.ExpressionAttributeNames ?? {};
    const values = input.ExpressionAttributeValues ?? {};
    if (input.ConditionExpression && !evaluateCondition(input.ConditionExpression, before ?? {}, names, values)) {
      this.counts.failedConditions++;
      this.counts.writeUnits += Math.max(1, Math.ceil(itemSize(before) / 1024));
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        ...(input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && before ? { Item: structuredClone(before) } : {}),
      });
    }
    const after: Item = { ...structuredClone(before ?? {}), ...input.Key };
    applyUpdate(input.UpdateExpression!, after, names, values);
    this.items.set(id, after);
    this.counts.itemsWritten++;
    this.counts.writeUnits += Math.max(1, Math.ceil(Math.max(itemSize(before), itemSize(after)) / 1024));
    return {};
  }

  private async sqsSend(command: Command): Promise<unknown> {
    await Promise.resolve();
    if (!(command instanceof SendMessageBatchCommand)) throw new Error(`CountingEngine does not implement ${command.constructor.name}`);
    this.counts.sqsRequests++;
    this.counts.messages += command.input.Entries!.length;
    return { Successful: command.input.Entries!.map((e) => ({ Id: e.Id })), Failed: [] };
  }
}

const itemId = (key: Item) => JSON.stringify(Object.entries(key).sort(([a], [b]) => (a < b ? -1 : 1)));

/** DynamoDB's item size for the attribute types the views use (S and N). */
export function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name);
    if (value.S !== undefined) bytes += Buffer.byteLength(value.S);
    else if (value.N !== undefined) bytes += Math.ceil(significantDigits(value.N) / 2) + 1;
    else throw new Error(`CountingEngine sizes only S and N attributes, not ${JSON.stringify(value)}`);
  }
  return bytes;
}

function significantDigits(number: string): number {
  const digits = number.replace(/^[+-]/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.max(1, digits.length);
}

/** `SET a = :v, ...` and `ADD a :n, ...` clauses, the forms the handlers send. */
function applyUpdate(expression: string, item: Item, names: Record<string, string>, values: Record<string, AttributeValue>): void {
  const name = (token: string) => (token.startsWith('#') ? names[token] : token);
  for (const [, clause, body] of expression.matchAll(/\b(SET|ADD)\s+(.*?)(?=\s+\b(?:SET|ADD)\b|$)/g)) {
    for (const action of body.split(',').map((a) => a.trim())) {
      if (clause === 'SET') {
        const [path, value] = action.split(/\s*=\s*/);
        item[name(path)] = values[value];
      } else {
        const [path, value] = action.split(/\s+/);
        const current = item[name(path)]?.N ?? '0';
        item[name(path)] = { N: addNumbers(current, values[value].N!) };
      }
    }
  }
}

function addNumbers(a: string, b: string): string {
  const scale = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const units = (n: string) => BigInt(n.replace('.', '') + '0'.repeat(scale - (n.split('.')[1]?.length ?? 0)));
  const sum = units(a) + units(b);
  const digits = (sum < 0n ? -sum : sum).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return sum < 0n ? `-${text}` : text;
}

/** Conditions of `attribute_(not_)exists(a)` and `a <op> :v`, joined by AND / OR, with parentheses. */
function evaluateCondition(expression: string, item: Item, names: Record<string, string>, values: Record<string, AttributeValue>): boolean {
  const tokens = expression.match(/\(|\)|<=|>=|<>|[<>=]|[#:]?[A-Za-z_][\w.#-]*/g) ?? [];
  let at = 0;
  const attribute = (token: string) => item[token.startsWith('#') ? names[token] : token];
  const or = (): boolean => {
    let result = and();
    while (tokens[at] === 'OR') {
      at++;
      result = and() || result;
    }
    return result;
  };
  const and = (): boolean => {
    let result = term();
    while (tokens[at] === 'AND') {
      at++;
      result = term() && result;
    }
    return result;
  };
  const term = (): boolean => {
    const token = tokens[at++];
    if (token === '(') {
      const result = or();
      if (tokens[at++] !== ')') throw new Error(`unbalanced condition: ${expression}`);
      return result;
    }
    if (token === 'attribute_not_exists' || token === 'attribute_exists') {
      const [open, path, close] = tokens.slice(at, (at += 3));
      if (open !== '(' || close !== ')') throw new Error(`malformed condition: ${expression}`);
      return (attribute(path) === undefined) === (token === 'attribute_not_exists');
    }
    const [operator, operand] = tokens.slice(at, (at += 2));
    const left = attribute(token);
    const right = values[operand];
    if (left === undefined || right === undefined) return false;
    const order = compare(left, right);
    return { '<': order < 0, '<=': order <= 0, '=': order === 0, '>': order > 0, '>=': order >= 0, '<>': order !== 0 }[operator] ?? fail(`unknown operator ${operator} in ${expression}`);
  };
  const result = or();
  if (at !== tokens.length) throw new Error(`unparsed condition tail: ${expression}`);
  return result;
}

function compare(a: AttributeValue, b: AttributeValue): number {
  if (a.S !== undefined && b.S !== undefined) return Buffer.compare(Buffer.from(a.S), Buffer.from(b.S));
  if (a.N !== undefined && b.N !== undefined) {
    const difference = addNumbers(a.N, b.N.startsWith('-') ? b.N.slice(1) : `-${b.N}`);
    return /^-/.test(difference) ? -1 : /[1-9]/.test(difference) ? 1 : 0;
  }
  throw new Error('CountingEngine compares only S with S and N with N');
}

function fail(message: string): never {
  throw new Error(message);
}

/** The baseline: every record updates its minute item and its user item by itself. */
export function naiveHandler(engine: CountingEngine, tableName: string, ttlSeconds: number) {
  const send = (input: UpdateItemCommandInput) => engine.dynamodb.send(new UpdateItemCommand(input));
  const updates = async (event: ViewEvent) => {
    const minute = minuteOf(event.eventTime);
    const add = { ':events': { N: '1' }, ':amount': { N: formatDecimal(event.amount) } };
    const names = { '#events': ATTRIBUTES.events, '#amount': ATTRIBUTES.amount };
    await send({
      TableName: tableName,
      Key: keyAttributes(minuteKey(event.eventType, minute)),
      UpdateExpression: 'ADD #events :events, #amount :amount SET #expires_at = :expires_at',
      ExpressionAttributeNames: { ...names, '#expires_at': EXPIRES_AT },
      ExpressionAttributeValues: { ...add, ':expires_at': { N: String(Date.parse(`${minute}:00Z`) / 1000 + ttlSeconds) } },
    });
    const user = { TableName: tableName, Key: keyAttributes(userKey(event.userId)) };
    try {
      await send({
        ...user,
        UpdateExpression: 'ADD #events :events, #amount :amount SET #last_seen = :last_seen',
        ConditionExpression: 'attribute_not_exists(#last_seen) OR #last_seen <= :last_seen',
        ExpressionAttributeNames: { ...names, '#last_seen': ATTRIBUTES.lastSeen },
        ExpressionAttributeValues: { ...add, ':last_seen': { S: event.eventTime } },
      });
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      await send({ ...user, UpdateExpression: 'ADD #events :events, #amount :amount', ExpressionAttributeNames: names, ExpressionAttributeValues: add });
    }
  };
  return async (batch: KinesisStreamEvent) => {
    const events = batch.Records.map((r) => parseEvent(Buffer.from(r.kinesis.data, 'base64'))).flatMap((p) => ('event' in p ? [p.event] : []));
    await forEachBounded(events, DEFAULT_WRITE_CONCURRENCY, async (event) => {
      await updates(event);
      return true;
    });
    return { batchItemFailures: [] };
  };
}

/** Batches of up to DEFAULT_BATCH_SIZE per shard, users hashed to shards as their partition key is; shards take turns. */
export function benchBatches(records: number, users: number, shards: number): { batch: KinesisStreamEvent; latestEventTime: number }[] {
  const perShard: object[][] = Array.from({ length: shards }, () => []);
  for (const event of take(syntheticEvents({ seed: 42, start: new Date('2026-11-22T00:00:00Z'), users }), records)) {
    perShard[Number(BigInt('0x' + Buffer.from(String(event.user_id)).toString('hex')) % BigInt(shards))].push(event);
  }
  const queues = perShard.map((events, shard) => {
    const out = [];
    for (let i = 0; i < events.length; i += DEFAULT_BATCH_SIZE) {
      const slice = events.slice(i, i + DEFAULT_BATCH_SIZE) as { event_time: string }[];
      out.push({
        batch: kinesisEvent(slice, { shardId: `shardId-${String(shard).padStart(12, '0')}`, firstSequenceNumber: 49_659_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n + BigInt(i) }),
        latestEventTime: Math.max(...slice.map((e) => Date.parse(e.event_time))),
      });
    }
    return out;
  });
  const turns = [];
  for (let round = 0; queues.some((q) => round < q.length); round++) for (const q of queues) if (round < q.length) turns.push(q[round]);
  return turns;
}

interface Measured {
  readonly records: number;
  readonly counts: CountingEngine['counts'];
  /** Handler time per batch, milliseconds. */
  readonly latencies: readonly number[];
}

async function measure(kind: 'real' | 'naive', batches: ReturnType<typeof benchBatches>): Promise<Measured> {
  const engine = new CountingEngine();
  const ttlSeconds = 7 * 24 * 3600;
  let now = new Date(0);
  const real = createHandler({
    dynamodb: engine.dynamodb,
    sqs: engine.sqs,
    tableName: 'views',
    deadLetterQueueUrl: 'https://sqs.eu-north-1.amazonaws.com/111111111111/dlq',
    minuteTtlSeconds: ttlSeconds,
    maxEventAheadSeconds: 15 * 60,
    maxEventAgeSeconds: 24 * 3600,
    streamEpochs: async () => '000001795000000',
    clock: () => now,
    logger: { info: () => undefined, warn: () => undefined, error: (entry: unknown) => console.error(entry) },
  });
  const handler = kind === 'real' ? real : naiveHandler(engine, 'views', ttlSeconds);
  const latencies: number[] = [];
  let records = 0;
  for (const { batch, latestEventTime } of batches) {
    now = new Date(latestEventTime + 5_000); // the batching window after the batch's latest event
    const started = process.hrtime.bigint();
    const { batchItemFailures } = await handler(batch);
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (batchItemFailures.length > 0) throw new Error(`${kind} handler failed a batch: ${JSON.stringify(batchItemFailures)}`);
    records += batch.Records.length;
  }
  return { records, counts: { ...engine.counts }, latencies };
}

const percentile = (values: readonly number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

async function main() {
  const records = Number(process.env.RECORDS ?? 100_000);
  const shards = Number(process.env.SHARDS ?? 4);
  console.log(`Views consumer vs naive: ${records.toLocaleString('en-US')} synthetic records (1,000 events a minute, 2% up to 10 minutes late, users skewed), ${shards} shards, batches of up to ${DEFAULT_BATCH_SIZE.toLocaleString('en-US')}; per 1,000 records, billed as DynamoDB on-demand`);
  const header = ['users', 'handler', 'requests', 'items written', 'failed conditions', 'write units', 'read units', 'SQS requests', 'ms/batch p50', 'p99'];
  const rows: string[][] = [];
  for (const users of [10_000, 100]) {
    const batches = benchBatches(records, users, shards);
    for (const kind of ['naive', 'real'] as const) {
      const { counts, latencies, records: counted } = await measure(kind, batches);
      const per1000 = (n: number) => ((n * 1000) / counted).toFixed(1);
      rows.push([users.toLocaleString('en-US'), kind, per1000(counts.requests), per1000(counts.itemsWritten), per1000(counts.failedConditions), per1000(counts.writeUnits), per1000(counts.readUnits), per1000(counts.sqsRequests), percentile(latencies, 50).toFixed(1), percentile(latencies, 99).toFixed(1)]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log([line(header), `| ${widths.map((w, i) => (i < 2 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`, ...rows.map(line)].join('\n'));
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
