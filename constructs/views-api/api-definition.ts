import { MAX_ID_BYTES } from '../../functions/views-consumer/parse';
import { type EndpointTemplates, ID_PATTERN, MINUTE_PATTERN, TOKEN_PATTERN, type TemplateSettings, healthTemplates, minutesTemplates, userTemplates } from './mapping-templates';
import type { ViewsApiLimits } from './views-api-props';

/**
 * The views API in one place: paths, parameters, response models and mapping templates. The
 * construct builds the REST API from it, and scripts/views-api-openapi.ts writes the OpenAPI
 * document from it, so the two cannot drift apart.
 */

/** A JSON Schema (draft 4, what API Gateway models take), for the response bodies. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly items?: JsonSchema;
  readonly enum?: readonly string[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
}

export type ModelName = 'UserTotals' | 'MinuteCounters' | 'Health' | 'Error';

const errorModel: JsonSchema = {
  type: 'object',
  description: 'Every error: a code, a message for people, and the request id to quote',
  properties: {
    error: { type: 'string', enum: ['BadRequest', 'NotFound', 'Throttled', 'InternalError', 'Forbidden'] },
    message: { type: 'string' },
    requestId: { type: 'string' },
  },
  required: ['error', 'message', 'requestId'],
  additionalProperties: false,
};

export const MODELS: Readonly<Record<ModelName, JsonSchema>> = {
  UserTotals: {
    type: 'object',
    description: "A user's running totals over every counted event",
    properties: {
      userId: { type: 'string' },
      events: { type: 'integer', minimum: 0, description: 'Events counted' },
      amount: { type: 'number', description: 'Sum of their amounts, exact decimal' },
      lastSeen: { type: ['string', 'null'], description: 'Latest event time (ISO 8601, UTC); it never moves back' },
    },
    required: ['userId', 'events', 'amount', 'lastSeen'],
    additionalProperties: false,
  },
  MinuteCounters: {
    type: 'object',
    description: 'Events of one type per minute, in time order; minutes without events are absent',
    properties: {
      eventType: { type: 'string' },
      from: { type: 'string', pattern: `^${MINUTE_PATTERN}$` },
      to: { type: 'string', pattern: `^${MINUTE_PATTERN}$` },
      minutes: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            minute: { type: 'string', pattern: `^${MINUTE_PATTERN}$` },
            events: { type: 'integer', minimum: 0 },
            amount: { type: 'number' },
          },
          required: ['minute', 'events', 'amount'],
          additionalProperties: false,
        },
      },
      nextToken: { type: ['string', 'null'], description: 'Pass it back (URL-encoded) as nextToken, with the same from and to, for the next page; null on the last page' },
    },
    required: ['eventType', 'from', 'to', 'minutes', 'nextToken'],
    additionalProperties: false,
  },
  Health: {
    type: 'object',
    properties: { status: { type: 'string', enum: ['ok', 'unavailable'] }, message: { type: 'string' }, requestId: { type: 'string' } },
    required: ['status'],
    additionalProperties: false,
  },
  Error: errorModel,
};

export interface EndpointParameter {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly required: boolean;
  readonly description: string;
  readonly schema: JsonSchema;
}

export interface EndpointResponse {
  readonly description: string;
  readonly model: ModelName;
}

export type EndpointId = 'user' | 'minutes' | 'health';

export interface Endpoint {
  readonly id: EndpointId;
  /** Under the stage, e.g. `/users/{userId}`. */
  readonly path: string;
  readonly method: 'GET';
  readonly summary: string;
  /** The one DynamoDB action the integration calls. */
  readonly action: 'GetItem' | 'Query';
  readonly parameters: readonly EndpointParameter[];
  readonly responses: Readonly<Record<number, EndpointResponse>>;
  /** Has its own, lower, throttle on the stage. */
  readonly ownThrottle: boolean;
  templates(settings: TemplateSettings): EndpointTemplates;
}

/**
 * How DynamoDB's HTTP status picks an integration response. Every one renders the endpoint's
 * response template, which sets the final status; these are the fallbacks and what the method
 * responses declare.
 */
export const INTEGRATION_RESPONSES = [
  { statusCode: '200' },
  { selectionPattern: '4\\d{2}', statusCode: '400' },
  { selectionPattern: '5\\d{2}', statusCode: '500' },
] as const;

const COMMON_ERRORS: Readonly<Record<number, EndpointResponse>> = {
  403: { description: 'Unsigned, signed by a principal the resource policy refuses, or an unknown path', model: 'Error' },
  429: { description: 'Throttled by the stage, or the views table is busy: retry with backoff', model: 'Error' },
  500: { description: 'The platform failed to read the views table', model: 'Error' },
};

export function viewsApiEndpoints(limits: ViewsApiLimits): readonly Endpoint[] {
  const id = (description: string): JsonSchema => ({ type: 'string', pattern: `^${ID_PATTERN}$`, description: `${description} (1 to ${MAX_ID_BYTES} characters)` });
  const minute = (description: string): JsonSchema => ({ type: 'string', pattern: `^${MINUTE_PATTERN}$`, description });
  return [
    {
      id: 'user',
      path: '/users/{userId}',
      method: 'GET',
      summary: "A user's event count, amount total and last-seen time",
      action: 'GetItem',
      ownThrottle: false,
      parameters: [{ name: 'userId', in: 'path', required: true, description: 'The user_id of the events', schema: id('A user id') }],
      responses: {
        200: { description: "The user's totals", model: 'UserTotals' },
        400: { description: 'The user id is not one the views can hold', model: 'Error' },
        404: { description: 'No event of this user has been counted', model: 'Error' },
        ...COMMON_ERRORS,
      },
      templates: userTemplates,
    },
    {
      id: 'minutes',
      path: '/event-types/{eventType}/minutes',
      method: 'GET',
      summary: `Per-minute counters of an event type from one minute to another (both included, at most ${limits.maxRangeMinutes} minutes), paginated`,
      action: 'Query',
      ownThrottle: true,
      parameters: [
        { name: 'eventType', in: 'path', required: true, description: 'The event_type of the events', schema: id('An event type') },
        { name: 'from', in: 'query', required: true, description: 'First minute, UTC', schema: minute('yyyy-MM-ddTHH:mm, UTC') },
        { name: 'to', in: 'query', required: true, description: `Last minute, UTC, at most ${limits.maxRangeMinutes - 1} minutes after from`, schema: minute('yyyy-MM-ddTHH:mm, UTC') },
        {
          name: 'limit',
          in: 'query',
          required: false,
          description: `Minutes per page (default ${limits.defaultPageSize})`,
          schema: { type: 'integer', minimum: 1, maximum: limits.maxPageSize },
        },
        { name: 'nextToken', in: 'query', required: false, description: 'The nextToken of the previous page, URL-encoded', schema: { type: 'string', pattern: `^${TOKEN_PATTERN}$` } },
      ],
      responses: {
        200: { description: 'A page of minutes', model: 'MinuteCounters' },
        400: { description: 'A malformed or missing minute, a range that is reversed or too wide, a bad limit or token', model: 'Error' },
        ...COMMON_ERRORS,
      },
      templates: minutesTemplates,
    },
    {
      id: 'health',
      path: '/health',
      method: 'GET',
      summary: 'Whether the API can read the views table (one GetItem of an item that never exists)',
      action: 'GetItem',
      ownThrottle: false,
      parameters: [],
      responses: {
        200: { description: 'The table answered', model: 'Health' },
        403: COMMON_ERRORS[403],
        503: { description: 'The table did not answer', model: 'Health' },
      },
      templates: healthTemplates,
    },
  ];
}
