import type { JsonSchema } from '../../constructs/views-api';

/**
 * Where a value breaks a response model: the subset of JSON Schema draft 4 the models use (type,
 * properties, required, additionalProperties, items, enum, pattern, minimum, maximum). Empty when it conforms.
 */
export function violations(value: unknown, schema: JsonSchema, at = '$'): string[] {
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);
  const actual = typeOf(value);
  if (types.length > 0 && !types.some((t) => t === actual || (t === 'number' && actual === 'integer'))) return [`${at}: expected ${types.join('|')}, got ${actual}`];
  const problems: string[] = [];
  if (schema.enum && !schema.enum.includes(value as string)) problems.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  if (schema.pattern && typeof value === 'string' && !new RegExp(schema.pattern).test(value)) problems.push(`${at}: '${value}' does not match ${schema.pattern}`);
  if (schema.minimum !== undefined && typeof value === 'number' && value < schema.minimum) problems.push(`${at}: ${value} < ${schema.minimum}`);
  if (schema.maximum !== undefined && typeof value === 'number' && value > schema.maximum) problems.push(`${at}: ${value} > ${schema.maximum}`);
  if (actual === 'object' && schema.properties) {
    const object = value as Record<string, unknown>;
    for (const name of schema.required ?? []) if (!(name in object)) problems.push(`${at}.${name}: missing`);
    for (const [name, v] of Object.entries(object)) {
      const property = schema.properties[name];
      if (property) problems.push(...violations(v, property, `${at}.${name}`));
      else if (schema.additionalProperties === false) problems.push(`${at}.${name}: not in the model`);
    }
  }
  if (actual === 'array' && schema.items) (value as unknown[]).forEach((item, i) => problems.push(...violations(item, schema.items!, `${at}[${i}]`)));
  return problems;
}
