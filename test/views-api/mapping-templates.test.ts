import { minutesTemplates, userTemplates } from '../../constructs/views-api/mapping-templates';
import { DEFAULT_LIMITS } from '../../constructs/views-api/views-api-props';
import { PARTITION_KEY, minuteKey, userKey } from '../../functions/views-consumer/views';
import { selectIntegrationResponse } from './api-gateway-dynamodb';
import { renderTemplate } from './api-gateway-vtl';

/** The templates alone, for what moto cannot produce: DynamoDB's throttling and access errors, and calendars. */

const SETTINGS = { tableName: 'views', limits: DEFAULT_LIMITS };
const user = userTemplates(SETTINGS);
const minutes = minutesTemplates(SETTINGS);
const dynamoError = (type: string, message: string) => JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });
const isRefused = (requestJson: string) => JSON.parse(requestJson).ExpressionAttributeValues[':pk'].S === '';

test('keys are built with the consumer layout (views.ts)', () => {
  const get = JSON.parse(renderTemplate(user.request, { request: { path: { userId: 'u1' } } }).output);
  expect(get.Key).toEqual({ [PARTITION_KEY]: { S: userKey('u1').pk }, sk: { S: userKey('u1').sk } });
  const query = JSON.parse(renderTemplate(minutes.request, { request: { path: { eventType: 'click' }, querystring: { from: '2026-11-22T10:00', to: '2026-11-22T10:05' } } }).output);
  expect(query.ExpressionAttributeValues).toEqual({ ':pk': { S: minuteKey('click', '').pk }, ':from': { S: minuteKey('click', '2026-11-22T10:00').sk }, ':to': { S: minuteKey('click', '2026-11-22T10:05').sk } });
});

describe('the range check counts minutes across days, months, leap years and years', () => {
  // Deterministic spread of start minutes from 1970 to 2099, plus the awkward ones.
  const starts = [Date.UTC(2028, 1, 28, 12, 0), Date.UTC(2027, 11, 31, 23, 30), Date.UTC(2100, 1, 28, 0, 0), Date.UTC(1970, 0, 1, 0, 0), Date.UTC(2000, 1, 29, 1, 1)];
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 200; i++) starts.push(Math.floor((random() * Date.UTC(2099, 11, 30)) / 60_000) * 60_000);
  const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16);
  const refused = (fromMs: number, spanMinutes: number) =>
    isRefused(renderTemplate(minutes.request, { request: { path: { eventType: 'click' }, querystring: { from: minute(fromMs), to: minute(fromMs + spanMinutes * 60_000) } } }).output);
  test.each(starts.map((ms) => [minute(ms), ms]))('from %s', (_, ms) => {
    expect(refused(ms as number, DEFAULT_LIMITS.maxRangeMinutes - 1)).toBe(false);
    expect(refused(ms as number, DEFAULT_LIMITS.maxRangeMinutes)).toBe(true);
    expect(refused(ms as number, -1)).toBe(true);
  });
});

describe('DynamoDB errors become the API status and a JSON error without internals', () => {
  test.each([
    ['ProvisionedThroughputExceededException', 429, 'Throttled'],
    ['ThrottlingException', 429, 'Throttled'],
    ['RequestLimitExceeded', 429, 'Throttled'],
    ['ValidationException', 400, 'BadRequest'],
    ['AccessDeniedException', 500, 'InternalError'],
    ['ResourceNotFoundException', 500, 'InternalError'],
    ['InternalServerError', 500, 'InternalError'],
  ])('%s', (type, status, error) => {
    for (const templates of [user, minutes]) {
      const request = { path: { userId: 'u1', eventType: 'click' }, querystring: { from: '2026-11-22T10:00', to: '2026-11-22T10:05' } };
      const rendered = renderTemplate(templates.response, { request, body: dynamoError(type, 'User: arn:aws:sts::123456789012:assumed-role/x is not "authorized"') });
      expect(rendered.statusOverride).toBe(status);
      const body = JSON.parse(rendered.output);
      expect(body.error).toBe(error);
      // Only a validation message (about the caller's input) is passed on, escaped.
      if (error === 'BadRequest') expect(body.message).toContain('not "authorized"');
      else expect(body.message).not.toContain('arn:aws');
    }
  });

  test("DynamoDB's status selects the integration response that the template then refines", () => {
    expect(selectIntegrationResponse(200).statusCode).toBe('200');
    expect(selectIntegrationResponse(400).statusCode).toBe('400');
    expect(selectIntegrationResponse(413).statusCode).toBe('400');
    expect(selectIntegrationResponse(503).statusCode).toBe('500');
  });
});
