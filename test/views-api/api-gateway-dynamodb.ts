import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { type Endpoint, INTEGRATION_RESPONSES } from '../../constructs/views-api';
import type { TemplateSettings } from '../../constructs/views-api/mapping-templates';
import { type ApiRequest, renderTemplate } from './api-gateway-vtl';

/**
 * One method call as API Gateway runs an AWS service integration to DynamoDB: the parameter
 * validator, the request template, a signed POST of its output to DynamoDB (moto here), the
 * integration response its HTTP status selects, and the response template with its status override.
 */

export interface DynamoTarget {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface ApiResponse {
  readonly status: number;
  /** The body, parsed: a template that renders invalid JSON fails the call. */
  readonly body: Record<string, unknown>;
  /** What the request template sent to DynamoDB, parsed; undefined when API Gateway refused the call first. */
  readonly dynamoRequest?: Record<string, unknown>;
  readonly dynamoStatus?: number;
}

export async function callDynamo(target: DynamoTarget, action: string, body: string): Promise<{ status: number; body: string }> {
  const url = new URL(target.endpoint);
  const signer = new SignatureV4({ service: 'dynamodb', region: target.region, credentials: target.credentials, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${action}` },
    body,
  });
  const response = await fetch(target.endpoint, { method: 'POST', headers: signed.headers, body });
  return { status: response.status, body: await response.text() };
}

/** The integration response API Gateway picks: the first whose selection pattern matches the whole status, else the default. */
export function selectIntegrationResponse(status: number): (typeof INTEGRATION_RESPONSES)[number] {
  const code = String(status);
  const matched = INTEGRATION_RESPONSES.find((r) => 'selectionPattern' in r && new RegExp(`^(?:${r.selectionPattern})$`).test(code));
  return matched ?? INTEGRATION_RESPONSES.find((r) => !('selectionPattern' in r))!;
}

export async function invoke(endpoint: Endpoint, settings: TemplateSettings, request: ApiRequest, target: DynamoTarget): Promise<ApiResponse> {
  const missing = endpoint.parameters.filter((p) => p.required && !(p.in === 'path' ? request.path : request.querystring)?.[p.name]).map((p) => p.name);
  if (missing.length > 0) {
    // The request validator answers before the integration, through the BAD_REQUEST_PARAMETERS gateway response.
    return { status: 400, body: { error: 'BadRequest', message: `Missing required request parameters: [${missing.join(', ')}]`, requestId: 'test-request-id' } };
  }
  const templates = endpoint.templates(settings);
  const requestJson = renderTemplate(templates.request, { request }).output;
  const dynamoRequest = parseJson(requestJson, `request template of ${endpoint.id}`);
  const dynamo = await callDynamo(target, endpoint.action, requestJson);
  const selected = selectIntegrationResponse(dynamo.status);
  const rendered = renderTemplate(templates.response, { request, body: dynamo.body });
  return {
    status: rendered.statusOverride ?? Number(selected.statusCode),
    body: parseJson(rendered.output, `response template of ${endpoint.id}`),
    dynamoRequest,
    dynamoStatus: dynamo.status,
  };
}

function parseJson(text: string, what: string): Record<string, unknown> {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} rendered invalid JSON (${(error as Error).message}):\n${text}`);
  }
}
