import { escapeJavaScript, renderTemplate, urlDecode, urlEncode, util } from './api-gateway-vtl';

/** The emulation of API Gateway's template variables, checked against what the JVM originals return. */

test.each([
  [`it's "quoted"`, `it\\'s \\"quoted\\"`],
  ['back\\slash/and/slash', 'back\\\\slash\\/and\\/slash'],
  ['tab\tnew\nline\r\u0001', 'tab\\tnew\\nline\\r\\u0001'],
  ['é€😀', '\\u00E9\\u20AC\\uD83D\\uDE00'],
])('escapeJavaScript(%j) is StringEscapeUtils.escapeJavaScript', (input, expected) => {
  expect(escapeJavaScript(input)).toBe(expected);
});

test.each([
  ['a b+c', 'a+b%2Bc'],
  ["~!*'()", '%7E%21*%27%28%29'],
  ['é/=', '%C3%A9%2F%3D'],
  ['.-_', '.-_'],
])('urlEncode(%j) is URLEncoder.encode(_, "UTF-8") and urlDecode reverses it', (input, expected) => {
  expect(urlEncode(input)).toBe(expected);
  expect(urlDecode(expected)).toBe(input);
});

test('base64 and parseJson', () => {
  expect(util.base64Encode('2026-11-22T10:15')).toBe('MjAyNi0xMS0yMlQxMDoxNQ==');
  expect(util.base64Decode('MjAyNi0xMS0yMlQxMDoxNQ==')).toBe('2026-11-22T10:15');
  expect(util.parseJson('42')).toBe(42);
  expect(() => util.parseJson('{')).toThrow();
});

test('$input.params searches path, then query string, then headers, and is empty when absent', () => {
  const request = { path: { a: 'path' }, querystring: { a: 'query', b: 'query' }, header: { a: 'header', b: 'header', c: 'header' } };
  expect(renderTemplate(`$input.params('a') $input.params('b') $input.params('c') [$input.params('d')]`, { request }).output).toBe('path query header []');
});

test('$input.path and $input.json read the body by JSONPath', () => {
  const body = JSON.stringify({ Items: [{ n: 1 }, { n: 2 }], Count: 2 });
  const out = renderTemplate(`#foreach($i in $input.path('$.Items'))$i.n#end $input.json('$.Count') [$!input.path('$.Missing')]`, { request: {}, body }).output;
  expect(out).toBe('12 2 []');
});

test('String.matches is a whole-string match and replaceAll takes a regex, as in Java', () => {
  const out = renderTemplate(`#set($s = "abc")$s.matches("b") $s.matches("a.c") $s.replaceAll("[ac]", "x")`, { request: {} }).output;
  expect(out).toBe('false true xbx');
});

test('$context.responseOverride.status is reported, and String.prototype is left alone', () => {
  expect(renderTemplate('#set($context.responseOverride.status = 404)', { request: {} }).statusOverride).toBe(404);
  expect(renderTemplate('x', { request: {} }).statusOverride).toBeUndefined();
  expect(() => renderTemplate(`$util.parseJson("{")`, { request: {} })).toThrow();
  expect('matches' in String.prototype).toBe(false);
  expect('a.a'.replaceAll('.', 'x')).toBe('axa');
});
