import { readFileSync } from 'node:fs';
import { viewsApiEndpoints } from '../../constructs/views-api';
import { DEFAULT_LIMITS } from '../../constructs/views-api/views-api-props';
import { OPENAPI_PATH, renderOpenApi, viewsApiOpenApi } from '../../scripts/views-api-openapi';

test('the committed OpenAPI document is the one the code generates (npx tsx scripts/views-api-openapi.ts)', () => {
  expect(readFileSync(OPENAPI_PATH, 'utf8')).toBe(renderOpenApi());
});

test('it documents every endpoint, parameter and response status the construct deploys', () => {
  const paths = viewsApiOpenApi().paths as Record<string, { get: { parameters: { name: string; required: boolean }[]; responses: Record<string, unknown> } }>;
  const endpoints = viewsApiEndpoints(DEFAULT_LIMITS);
  expect(Object.keys(paths).sort()).toEqual(endpoints.map((e) => e.path).sort());
  for (const e of endpoints) {
    expect(paths[e.path].get.parameters.map((p) => [p.name, p.required])).toEqual(e.parameters.map((p) => [p.name, p.required]));
    expect(Object.keys(paths[e.path].get.responses)).toEqual(Object.keys(e.responses));
  }
});

test('limits reach the document: a narrower range is stated in it', () => {
  const narrow = renderOpenApi({ ...DEFAULT_LIMITS, maxRangeMinutes: 90 });
  expect(narrow).toContain('at most 90 minutes');
  expect(narrow).not.toEqual(renderOpenApi());
});
