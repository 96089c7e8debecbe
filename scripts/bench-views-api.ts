/**
 * The views API's mapping latency per request: the construct's own request and response templates
 * rendered for many requests (request template, its JSON parsed as DynamoDB would, response
 * template on a DynamoDB answer, its JSON parsed), with the median and 99th percentile per
 * endpoint. Rendered by velocityjs on Node with the API Gateway variables of
 * test/views-api/api-gateway-vtl.ts: API Gateway renders on the JVM, so these figures say what
 * the templates cost, not API Gateway's overhead or DynamoDB's latency (IntegrationLatency).
 *
 *   npx tsx scripts/bench-views-api.ts        REQUESTS=20000 npx tsx scripts/bench-views-api.ts
 */
import { viewsApiEndpoints } from '../constructs/views-api/api-definition';
import { DEFAULT_LIMITS } from '../constructs/views-api/views-api-props';
import { ATTRIBUTES, appliedAttribute, keyAttributes, minuteKey, userKey } from '../functions/views-consumer/views';
import { formatTable } from '../ops/table';
import { type ApiRequest, renderTemplate } from '../test/views-api/api-gateway-vtl';

const REQUESTS = Number(process.env.REQUESTS ?? 5000);
const WARMUP = 500;
if (!Number.isInteger(REQUESTS) || REQUESTS < 100) throw new Error(`REQUESTS must be a whole number of at least 100; got '${process.env.REQUESTS}'`);

const settings = { tableName: 'bdp-bench-realtime-views', limits: DEFAULT_LIMITS };
const endpoints = new Map(viewsApiEndpoints(DEFAULT_LIMITS).map((e) => [e.id, e]));
const applied = { [appliedAttribute('shardId-000000000000')]: { S: '49650000000000000000000000000000000000000000000000000001' } };

/** A full page of minutes (the default page size), as DynamoDB's Query answers it. */
function minutesPage(eventType: string, start: number): string {
  const Items = Array.from({ length: DEFAULT_LIMITS.defaultPageSize }, (_, i) => {
    const minute = new Date(start + i * 60_000).toISOString().slice(0, 16);
    return { sk: { S: minuteKey(eventType, minute).sk }, [ATTRIBUTES.events]: { N: String(10 + i) }, [ATTRIBUTES.amount]: { N: `${i}.95` } };
  });
  const last = Items[Items.length - 1].sk.S;
  return JSON.stringify({ Items, Count: Items.length, ScannedCount: Items.length, LastEvaluatedKey: { pk: { S: minuteKey(eventType, '').pk }, sk: { S: last } } });
}

interface Case {
  readonly name: string;
  readonly endpoint: 'user' | 'minutes' | 'health';
  request(i: number): ApiRequest;
  readonly answer: (i: number) => string;
}

const START = Date.UTC(2026, 10, 22, 10, 0);
const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16);
const CASES: Case[] = [
  {
    name: 'GET /users/{userId} (found)',
    endpoint: 'user',
    request: (i) => ({ path: { userId: `u${String(i % 10_000).padStart(9, '0')}` } }),
    answer: (i) => JSON.stringify({ Item: { ...keyAttributes(userKey(`u${i}`)), [ATTRIBUTES.events]: { N: String(i) }, [ATTRIBUTES.amount]: { N: '1234.56' }, [ATTRIBUTES.lastSeen]: { S: '2026-11-22T10:15:42.123Z' }, ...applied } }),
  },
  { name: 'GET /users/{userId} (404)', endpoint: 'user', request: (i) => ({ path: { userId: `nobody${i}` } }), answer: () => '{}' },
  {
    name: `GET .../minutes (page of ${DEFAULT_LIMITS.defaultPageSize})`,
    endpoint: 'minutes',
    request: (i) => ({ path: { eventType: 'purchase' }, querystring: { from: minute(START + (i % 1000) * 60_000), to: minute(START + ((i % 1000) + 120) * 60_000) } }),
    answer: (i) => minutesPage('purchase', START + (i % 1000) * 60_000),
  },
  {
    name: 'GET .../minutes (400, range too wide)',
    endpoint: 'minutes',
    request: () => ({ path: { eventType: 'purchase' }, querystring: { from: minute(START), to: minute(START + DEFAULT_LIMITS.maxRangeMinutes * 60_000) } }),
    answer: () => JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ValidationException', message: 'One or more parameter values are not valid.' }),
  },
  { name: 'GET /health', endpoint: 'health', request: () => ({}), answer: () => JSON.stringify({}) },
];

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

function bench(c: Case): { median: number; p99: number; max: number } {
  const templates = endpoints.get(c.endpoint)!.templates(settings);
  // Answers are built before timing: only the mapping is measured.
  const answers = Array.from({ length: 64 }, (_, i) => c.answer(i));
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + REQUESTS; i++) {
    const request = c.request(i);
    const body = answers[i % answers.length];
    const started = process.hrtime.bigint();
    JSON.parse(renderTemplate(templates.request, { request }).output);
    JSON.parse(renderTemplate(templates.response, { request, body }).output);
    const elapsed = Number(process.hrtime.bigint() - started) / 1000;
    if (i >= WARMUP) samples.push(elapsed);
  }
  samples.sort((a, b) => a - b);
  return { median: percentile(samples, 50), p99: percentile(samples, 99), max: samples[samples.length - 1] };
}

const rows = CASES.map((c) => {
  const r = bench(c);
  return [c.name, r.median.toFixed(0), r.p99.toFixed(0), r.max.toFixed(0)];
});
process.stdout.write(`Views API mapping templates, ${REQUESTS} requests per endpoint after ${WARMUP} warm-up (request + response template, both JSON-parsed), µs per request:\n`);
process.stdout.write(`${formatTable(['endpoint', 'median', 'p99', 'max'], rows, { align: ['left', 'right', 'right', 'right'], indent: '  ' })}\n`);
