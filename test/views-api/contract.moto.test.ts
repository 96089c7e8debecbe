import { BatchWriteItemCommand, CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type Endpoint, type EndpointId, MODELS, viewsApiEndpoints } from '../../constructs/views-api';
import { DEFAULT_LIMITS } from '../../constructs/views-api/views-api-props';
import { MAX_ID_BYTES } from '../../functions/views-consumer/parse';
import { ATTRIBUTES, EXPIRES_AT, PARTITION_KEY, SORT_KEY, appliedAttribute, keyAttributes, minuteKey, userKey } from '../../functions/views-consumer/views';
import { type MotoServer, startMoto } from '../harness/moto-server';
import { type ApiResponse, invoke } from './api-gateway-dynamodb';
import type { ApiRequest } from './api-gateway-vtl';
import { violations } from './conforms';

/**
 * Contract tests: the construct's own mapping templates, rendered as API Gateway renders them,
 * against moto's DynamoDB holding items written in the consumer's layout (views.ts). Serial and
 * small: one moto server, one table, seeded once.
 */

const TABLE = 'views-contract';
const LIMITS = DEFAULT_LIMITS;
const SETTINGS = { tableName: TABLE, limits: LIMITS };
const ENDPOINTS = new Map(viewsApiEndpoints(LIMITS).map((e) => [e.id, e]));
const endpoint = (id: EndpointId): Endpoint => ENDPOINTS.get(id)!;

/** Users and minutes as the consumer leaves them, with its per-shard high-water marks, which the API must never expose. */
const HIGH_WATER_MARKS = {
  [appliedAttribute('shardId-000000000000')]: { S: '49650000000000000000000000000000000000000000000000000001' },
  [appliedAttribute('shardId-000000000001')]: { S: '49650000000000000000000000000000000000000000000000000002' },
};
const USERS: Record<string, { events: number; amount: string; lastSeen: string }> = {
  u000000042: { events: 7, amount: '123.45', lastSeen: '2026-11-22T10:15:42.123Z' },
  // Quotes, a backslash, a slash and non-ASCII: the templates must escape all of them both ways.
  [`o'brien "the\\best"/é`]: { events: 1, amount: '0.5', lastSeen: '2026-11-22T09:00:00.000Z' },
};
const EVENT_TYPE = 'purchase';
/** Minutes of the purchase type, some events, a gap at 10:03, and another type in the same minutes. */
const MINUTES = ['2026-11-22T10:00', '2026-11-22T10:01', '2026-11-22T10:02', '2026-11-22T10:04', '2026-11-22T10:05'];
const minuteCounters = (minute: string, i: number) => ({ events: i + 1, amount: `${i + 1}.25`, minute });

let moto: MotoServer;
let target: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };

beforeAll(async () => {
  moto = await startMoto();
  target = moto.clientConfig;
  const client = new DynamoDBClient(moto.clientConfig);
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [
        { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: SORT_KEY, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: PARTITION_KEY, AttributeType: 'S' },
        { AttributeName: SORT_KEY, AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const items = [
    ...Object.entries(USERS).map(([userId, u]) => ({
      ...keyAttributes(userKey(userId)),
      [ATTRIBUTES.events]: { N: String(u.events) },
      [ATTRIBUTES.amount]: { N: u.amount },
      [ATTRIBUTES.lastSeen]: { S: u.lastSeen },
      ...HIGH_WATER_MARKS,
    })),
    ...MINUTES.map((minute, i) => ({
      ...keyAttributes(minuteKey(EVENT_TYPE, minute)),
      [ATTRIBUTES.events]: { N: String(minuteCounters(minute, i).events) },
      [ATTRIBUTES.amount]: { N: minuteCounters(minute, i).amount },
      [EXPIRES_AT]: { N: '1795000000' },
      ...HIGH_WATER_MARKS,
    })),
    { ...keyAttributes(minuteKey('page_view', MINUTES[0])), [ATTRIBUTES.events]: { N: '99' }, [ATTRIBUTES.amount]: { N: '0' } },
  ];
  await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: items.map((Item) => ({ PutRequest: { Item } })) } }));
});

afterAll(async () => {
  await moto?.stop();
});

const call = (id: EndpointId, request: ApiRequest, settings = SETTINGS) => invoke(endpoint(id), settings, request, target);
const minutes = (querystring: Record<string, string>, eventType = EVENT_TYPE) => call('minutes', { path: { eventType }, querystring });
/** Every answer, success or error, is in the model its endpoint declares for that status. */
function expectDeclared(id: EndpointId, response: ApiResponse): void {
  const declared = endpoint(id).responses[response.status];
  expect(declared).toBeDefined();
  expect(violations(response.body, MODELS[declared.model])).toEqual([]);
}
function expectError(id: EndpointId, response: ApiResponse, status: number, error: string, message: RegExp | string): void {
  expect(response.status).toBe(status);
  expect(response.body).toEqual({ error, message: expect.stringMatching(message), requestId: 'test-request-id' });
  expectDeclared(id, response);
}

describe('GET /users/{userId}', () => {
  test.each(Object.entries(USERS))('%s: totals and last-seen, nothing else of the item', async (userId, seeded) => {
    const response = await call('user', { path: { userId } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ userId, events: seeded.events, amount: Number(seeded.amount), lastSeen: seeded.lastSeen });
    expectDeclared('user', response);
    // The high-water marks are not even read.
    expect(response.dynamoRequest).toMatchObject({ ProjectionExpression: expect.any(String) });
    expect(Object.values(response.dynamoRequest!.ExpressionAttributeNames as object).sort()).toEqual([ATTRIBUTES.amount, ATTRIBUTES.events, ATTRIBUTES.lastSeen].sort());
  });

  test('an unknown user is a 404 with a JSON error', async () => {
    expectError('user', await call('user', { path: { userId: 'u999999999' } }), 404, 'NotFound', /No views for this user/);
  });

  test.each([
    ['a control character', 'u1\n'],
    ['more characters than a view key holds', 'u'.repeat(MAX_ID_BYTES + 1)],
  ])('a user id with %s is a 400 and never reaches the table', async (_, userId) => {
    const response = await call('user', { path: { userId } });
    expectError('user', response, 400, 'BadRequest', /^userId must be 1 to \d+ characters/);
    // The refused request reads nothing: DynamoDB rejects its empty key before any read.
    expect(response.dynamoStatus).toBe(400);
    expect(JSON.stringify(response.dynamoRequest)).not.toContain('u1');
  });

  test('a table the integration cannot read is a 500 without internals', async () => {
    const response = await call('user', { path: { userId: 'u000000042' } }, { ...SETTINGS, tableName: 'no-such-table' });
    expectError('user', response, 500, 'InternalError', /could not read the views table/);
    expect(JSON.stringify(response.body)).not.toContain('no-such-table');
  });
});

describe('GET /event-types/{eventType}/minutes', () => {
  const from = MINUTES[0];
  const to = MINUTES[MINUTES.length - 1];
  const expected = MINUTES.map((minute, i) => {
    const c = minuteCounters(minute, i);
    return { minute, events: c.events, amount: Number(c.amount) };
  });

  test('the minutes of the range, in time order, of that type only, without a token on the last page', async () => {
    const response = await minutes({ from, to });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ eventType: EVENT_TYPE, from, to, minutes: expected, nextToken: null });
    expectDeclared('minutes', response);
  });

  test('both ends are included and minutes outside the range are not', async () => {
    const response = await minutes({ from: MINUTES[1], to: MINUTES[3] });
    expect((response.body.minutes as { minute: string }[]).map((m) => m.minute)).toEqual(MINUTES.slice(1, 4));
  });

  test('pages of `limit` minutes, followed by nextToken, add up to the whole range exactly once', async () => {
    const pages: unknown[][] = [];
    let nextToken: string | null = null;
    do {
      const response: ApiResponse = await minutes({ from, to, limit: '2', ...(nextToken ? { nextToken } : {}) });
      expect(response.status).toBe(200);
      expectDeclared('minutes', response);
      pages.push(response.body.minutes as unknown[]);
      nextToken = response.body.nextToken as string | null;
    } while (nextToken !== null && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(expected);
  });

  test('an event type with JSON in it is a value, not part of the request', async () => {
    const eventType = `purchase", "Limit": 1000, "x": "`;
    const response = await minutes({ from, to }, eventType);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ eventType, minutes: [] });
    expect(response.dynamoRequest).toMatchObject({ Limit: LIMITS.defaultPageSize, ExpressionAttributeValues: { ':pk': { S: minuteKey(eventType, '').pk } } });
  });

  test(`the widest range, ${LIMITS.maxRangeMinutes} minutes, is accepted`, async () => {
    const end = new Date(Date.parse(`${from}:00Z`) + (LIMITS.maxRangeMinutes - 1) * 60_000).toISOString().slice(0, 16);
    const response = await minutes({ from, to: end });
    expect(response.status).toBe(200);
    expect(response.body.minutes).toEqual(expected);
  });

  const oneMinuteTooWide = new Date(Date.parse(`${from}:00Z`) + LIMITS.maxRangeMinutes * 60_000).toISOString().slice(0, 16);
  const tokenOf = (text: string) => Buffer.from(text).toString('base64');
  test.each([
    ['a missing from', { to }, /^Missing required request parameters: \[from\]$/],
    ['a malformed from', { from: '2026-11-22 10:00', to }, /^from must be a UTC minute/],
    ['a from with seconds', { from: '2026-11-22T10:00:00', to }, /^from must be a UTC minute/],
    ['a month 13', { from, to: '2026-13-01T00:00' }, /^to must be a UTC minute/],
    ['a reversed range', { from: to, to: from }, /^to must not be before from$/],
    ['a range one minute too wide', { from, to: oneMinuteTooWide }, new RegExp(`covers more than ${LIMITS.maxRangeMinutes} minutes`)],
    ['a zero limit', { from, to, limit: '0' }, /^limit must be a whole number from 1 to/],
    ['a limit above the maximum', { from, to, limit: String(LIMITS.maxPageSize + 1) }, /^limit must be a whole number from 1 to/],
    ['a non-numeric limit', { from, to, limit: '10; drop' }, /^limit must be a whole number from 1 to/],
    ['a token that is not base64 of a minute', { from, to, nextToken: 'not-a-token' }, /^nextToken is not a token this API returned$/],
    ['a token carrying JSON', { from, to, nextToken: tokenOf('"},"Limit":99999}') }, /^nextToken is not a token this API returned$/],
    ['a token of the right shape but not a minute', { from, to, nextToken: tokenOf('2026-11-22T99:99') }, /^nextToken is not a token this API returned$/],
    ['a token from another range', { from, to, nextToken: tokenOf('2026-11-23T10:00') }, /^nextToken belongs to another range/],
  ])('%s is a 400 with a JSON error', async (_, querystring, message) => {
    const response = await minutes(querystring as Record<string, string>);
    expectError('minutes', response, 400, 'BadRequest', message);
    if (response.dynamoRequest) expect(response.dynamoRequest).toEqual({ TableName: TABLE, KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': PARTITION_KEY }, ExpressionAttributeValues: { ':pk': { S: '' } } });
  });

  test('a table the integration cannot read is a 500', async () => {
    expectError('minutes', await call('minutes', { path: { eventType: EVENT_TYPE }, querystring: { from, to } }, { ...SETTINGS, tableName: 'no-such-table' }), 500, 'InternalError', /could not read/);
  });
});

describe('GET /health', () => {
  test('ok when the table answers', async () => {
    const response = await call('health', {});
    expect(response).toMatchObject({ status: 200, body: { status: 'ok' } });
    expectDeclared('health', response);
  });

  test('503 when it does not', async () => {
    const response = await call('health', {}, { ...SETTINGS, tableName: 'no-such-table' });
    expect(response).toMatchObject({ status: 503, body: { status: 'unavailable', requestId: 'test-request-id' } });
    expectDeclared('health', response);
  });
});
