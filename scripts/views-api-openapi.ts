/**
 * Writes docs/views-api.openapi.json, the OpenAPI 3.0 document of the views API, from the
 * definition the construct is built from (constructs/views-api/api-definition.ts), with the
 * limits and throttles the construct deploys by default. test/views-api/openapi.test.ts fails
 * when the committed document differs from what this script writes.
 *
 *   npx tsx scripts/views-api-openapi.ts          (rewrite the document)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type JsonSchema, MODELS, viewsApiEndpoints } from '../constructs/views-api/api-definition';
import { DEFAULT_MINUTES_THROTTLE, DEFAULT_STAGE_THROTTLE } from '../constructs/views-api/views-api';
import { DEFAULT_LIMITS, type ViewsApiLimits } from '../constructs/views-api/views-api-props';

export const OPENAPI_PATH = join(__dirname, '..', 'docs', 'views-api.openapi.json');

/** OpenAPI 3.0 has no type arrays: `['string', 'null']` becomes a nullable string. */
function openApiSchema(schema: JsonSchema): Record<string, unknown> {
  const { type, properties, items, ...rest } = schema;
  const types = type === undefined ? [] : Array.isArray(type) ? type : [type];
  const nonNull = types.filter((t) => t !== 'null');
  return {
    ...(nonNull.length === 1 ? { type: nonNull[0] } : {}),
    ...(types.includes('null') ? { nullable: true } : {}),
    ...rest,
    ...(properties ? { properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, openApiSchema(v)])) } : {}),
    ...(items ? { items: openApiSchema(items) } : {}),
  };
}

export function viewsApiOpenApi(limits: ViewsApiLimits = DEFAULT_LIMITS): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of viewsApiEndpoints(limits)) {
    paths[endpoint.path] = {
      [endpoint.method.toLowerCase()]: {
        operationId: endpoint.id,
        summary: endpoint.summary,
        ...(endpoint.ownThrottle ? { 'x-throttle': DEFAULT_MINUTES_THROTTLE } : {}),
        parameters: endpoint.parameters.map((p) => ({ name: p.name, in: p.in, required: p.required, description: p.description, schema: openApiSchema(p.schema) })),
        responses: Object.fromEntries(
          Object.entries(endpoint.responses).map(([status, r]) => [status, { description: r.description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${r.model}` } } } }]),
        ),
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'big-data-platform views API',
      version: '1',
      description:
        'Read-only, near-real-time views of the event stream, served by API Gateway straight from DynamoDB. ' +
        "A private API: it answers only through the platform VPC's execute-api interface endpoint (from the VPC, or over the Client VPN). " +
        'Every call is signed with SigV4 (service execute-api) by a principal of the platform account. ' +
        `The stage allows ${DEFAULT_STAGE_THROTTLE.rateLimit} requests/s (burst ${DEFAULT_STAGE_THROTTLE.burstLimit}). See docs/views-api.md.`,
    },
    servers: [{ url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/v1', variables: { restApiId: { default: 'restApiId' }, region: { default: 'eu-north-1' } } }],
    security: [{ sigv4: [] }],
    paths,
    components: {
      securitySchemes: { sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' } },
      schemas: Object.fromEntries(Object.entries(MODELS).map(([name, schema]) => [name, openApiSchema(schema)])),
    },
  };
}

export const renderOpenApi = (limits?: ViewsApiLimits): string => `${JSON.stringify(viewsApiOpenApi(limits), null, 2)}\n`;

if (require.main === module) {
  writeFileSync(OPENAPI_PATH, renderOpenApi());
  process.stdout.write(`Wrote ${OPENAPI_PATH}\n`);
}
