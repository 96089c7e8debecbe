import { JSONPath } from 'jsonpath-plus';
import { Compile, parse } from 'velocityjs';

/**
 * API Gateway's mapping-template variables ($input, $util, $context) over velocityjs, so tests and
 * the bench render the construct's own templates. Semantics follow the API Gateway reference:
 * - `$input.params(x)` searches path, query string, then headers, and is '' when absent;
 * - `$input.path(p)` is the JSONPath value of the body, `$input.json(p)` its JSON text;
 * - `$util.escapeJavaScript` escapes like Java's StringEscapeUtils (including `'` as `\'`);
 * - `$util.urlEncode` is Java's URLEncoder (form encoding, space as `+`);
 * - `$context.responseOverride.status` set by a template overrides the response status.
 * Velocity runs on the JVM, so the Java String methods templates use (`matches` as a full match,
 * `replaceAll` with a regex) are answered by velocityjs method handlers, never by JavaScript's
 * own `replaceAll` (a literal replace).
 */

export interface ApiRequest {
  readonly path?: Readonly<Record<string, string>>;
  readonly querystring?: Readonly<Record<string, string>>;
  readonly header?: Readonly<Record<string, string>>;
}

export interface RenderInput {
  readonly request: ApiRequest;
  /** The body the template maps: the integration's response for response templates. */
  readonly body?: string;
  readonly requestId?: string;
}

export interface Rendered {
  readonly output: string;
  /** `$context.responseOverride.status`, when the template set it. */
  readonly statusOverride?: number;
}

export function escapeJavaScript(text: string): string {
  let out = '';
  for (const ch of text) {
    for (let i = 0; i < ch.length; i++) {
      const code = ch.charCodeAt(i);
      const hex = code.toString(16).toUpperCase();
      if (code > 0x7f) out += `\\u${hex.padStart(4, '0')}`;
      else if (code < 32) out += ({ 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' } as Record<number, string>)[code] ?? `\\u${hex.padStart(4, '0')}`;
      else out += ({ "'": "\\'", '"': '\\"', '\\': '\\\\', '/': '\\/' } as Record<string, string>)[ch[i]] ?? ch[i];
    }
  }
  return out;
}

/** java.net.URLEncoder.encode(text, "UTF-8"): unreserved are letters, digits and `.-*_`. */
export function urlEncode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

export const urlDecode = (text: string): string => decodeURIComponent(text.replace(/\+/g, ' '));

export const util = {
  escapeJavaScript,
  base64Encode: (text: string) => Buffer.from(String(text), 'utf8').toString('base64'),
  base64Decode: (text: string) => Buffer.from(String(text), 'base64').toString('utf8'),
  urlEncode,
  urlDecode,
  parseJson: (text: string): unknown => JSON.parse(text),
};

/** A Java regex as a JavaScript one: the subset the templates use reads the same in both. */
const javaRegex = (pattern: string, flags = '') => new RegExp(pattern, flags);

/** Java String methods whose JavaScript namesakes differ or are missing, as velocityjs method handlers. */
const JAVA_STRING_METHODS: Record<string, (text: string, params: string[]) => unknown> = {
  /** String.matches: the whole string must match. */
  matches: (text, [pattern]) => javaRegex(`^(?:${pattern})$`).test(text),
  /** String.replaceAll: a regex, with `$1` group references in the replacement. */
  replaceAll: (text, [pattern, replacement]) => text.replace(javaRegex(pattern, 'g'), replacement),
};
const javaStringHandlers = [
  {
    uid: 'java-string',
    match: ({ property, context }: { property: string; context: unknown }) => typeof context === 'string' && property in JAVA_STRING_METHODS,
    resolve: ({ property, context, params }: { property: string; context: string; params: string[] }) => JAVA_STRING_METHODS[property](context, params),
  },
];

const compiled = new Map<string, Compile>();
const compile = (template: string) => {
  let c = compiled.get(template);
  if (!c) {
    c = new Compile(parse(template), { escape: false, customMethodHandlers: javaStringHandlers });
    compiled.set(template, c);
  }
  return c;
};

export function renderTemplate(template: string, input: RenderInput): Rendered {
  const { request } = input;
  const bodyText = input.body ?? '';
  let parsed: unknown;
  const json = () => (parsed ??= bodyText === '' ? {} : JSON.parse(bodyText));
  const path = (p: string): unknown => (p === '$' ? json() : JSONPath({ path: p, json: json() as object, wrap: false }));
  const params = (name?: string) => {
    const all = { path: { ...request.path }, querystring: { ...request.querystring }, header: { ...request.header } };
    if (name === undefined) return all;
    return all.path[name] ?? all.querystring[name] ?? all.header[name] ?? '';
  };
  const context = {
    requestId: input.requestId ?? 'test-request-id',
    responseOverride: { header: {} } as { status?: number; header: Record<string, string> },
  };
  const $input = { body: bodyText, path, json: (p: string) => JSON.stringify(path(p) ?? null), params };
  const output = compile(template).render({ input: $input, util, context });
  return { output, statusOverride: context.responseOverride.status === undefined ? undefined : Number(context.responseOverride.status) };
}
