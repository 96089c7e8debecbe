import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { loadEnvironments } from '../../lib/config';
import type { Fetch } from '../../ops/airflow-cli';
import { ExitCode } from '../../ops/errors';
import { cli, cloudFormation, deployed, resetMocks } from './ops-harness';

const DEV = loadEnvironments().find((e) => e.name === 'dev')!;
const HOST = `a1b2c3d4e5.execute-api.${DEV.region}.amazonaws.com`;
const API_URL = `https://${HOST}/v1/`;
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

const saved = { ...process.env };
beforeAll(() => {
  // The SDK's default chain reads these first: the CLI signs with the caller's credentials.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
});
afterAll(() => {
  process.env = saved;
});
beforeEach(() => {
  resetMocks();
  deployed('FastLayer', { ViewsApiUrl: API_URL });
});

interface Call {
  readonly url: URL;
  readonly headers: Record<string, string>;
}

/**
 * A stand-in for the views API: it verifies the SigV4 signature as API Gateway would (same
 * credentials, service execute-api, the environment's region) and answers by path.
 */
function fakeApi(answer: (url: URL) => { status: number; body: unknown }): { fetch: Fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fetch = (async (input: string, init?: RequestInit) => {
    const url = new URL(input);
    const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    calls.push({ url, headers });
    const { authorization, ...unsigned } = headers;
    const amzDate = headers['x-amz-date'];
    const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const expected = await new SignatureV4({ service: 'execute-api', region: DEV.region, credentials: CREDENTIALS, sha256: Sha256 }).sign(
      { method: 'GET', protocol: url.protocol, hostname: url.hostname, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: { ...unsigned, host: url.host } },
      { signingDate },
    );
    if (authorization !== expected.headers.authorization) return new Response(JSON.stringify({ message: 'The request signature we calculated does not match' }), { status: 403 });
    const { status, body } = answer(url);
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as Fetch;
  return { fetch, calls };
}

test('user: a signed GET of /users/{id}, printed as a table', async () => {
  const api = fakeApi((url) => ({ status: 200, body: { userId: decodeURIComponent(url.pathname.split('/').pop()!), events: 7, amount: 123.45, lastSeen: '2026-11-22T10:15:42.123Z' } }));
  const run = await cli(['views', 'user', 'o brien/1', '--env', 'dev'], { fetch: api.fetch });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(ExitCode.Ok);
  expect(cloudFormation.calls()[0].args[0].input).toEqual({ StackName: 'Dev-FastLayer' });
  expect(api.calls.map((c) => c.url.pathname)).toEqual(['/v1/users/o%20brien%2F1']);
  expect(api.calls[0].headers.authorization).toContain(`/${DEV.region}/execute-api/aws4_request`);
  expect(run.stdout.split('\n')).toEqual(['user       events  amount  last seen', 'o brien/1       7  123.45  2026-11-22T10:15:42.123Z', '']);
});

test('minutes --all follows nextToken to the last page, passing the same range', async () => {
  const pages: Record<string, { minutes: unknown[]; nextToken: string | null }> = {
    '': { minutes: [{ minute: '2026-11-22T10:00', events: 2, amount: 3.5 }], nextToken: 'MjAyNi0xMS0yMlQxMDowMA==' },
    'MjAyNi0xMS0yMlQxMDowMA==': { minutes: [{ minute: '2026-11-22T10:01', events: 1, amount: 1 }], nextToken: null },
  };
  const api = fakeApi((url) => ({ status: 200, body: { eventType: 'purchase', from: url.searchParams.get('from'), to: url.searchParams.get('to'), ...pages[url.searchParams.get('nextToken') ?? ''] } }));
  const run = await cli(['views', 'minutes', 'purchase', '--from', '2026-11-22T10:00', '--to', '2026-11-22T10:59', '--limit', '1', '--all', '--env', 'dev'], { fetch: api.fetch });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(ExitCode.Ok);
  expect(api.calls.map((c) => Object.fromEntries(c.url.searchParams))).toEqual([
    { from: '2026-11-22T10:00', to: '2026-11-22T10:59', limit: '1' },
    { from: '2026-11-22T10:00', to: '2026-11-22T10:59', limit: '1', nextToken: 'MjAyNi0xMS0yMlQxMDowMA==' },
  ]);
  expect(run.stdout).toBe(['minute (UTC)      events  amount', '2026-11-22T10:00       2     3.5', '2026-11-22T10:01       1       1', ''].join('\n'));
});

test('without --all a further page is named, not fetched', async () => {
  const api = fakeApi(() => ({ status: 200, body: { eventType: 'purchase', from: 'a', to: 'b', minutes: [], nextToken: 'MjAyNi0xMS0yMlQxMDowMA==' } }));
  const run = await cli(['views', 'minutes', 'purchase', '--from', '2026-11-22T10:00', '--to', '2026-11-22T10:59', '--env', 'dev'], { fetch: api.fetch });
  expect(api.calls).toHaveLength(1);
  expect(run.stdout).toContain("--next-token 'MjAyNi0xMS0yMlQxMDowMA=='");
});

test.each([
  [400, { error: 'BadRequest', message: 'to must not be before from', requestId: 'r-1' }, ExitCode.Usage, 'The views API refused the request (400) BadRequest: to must not be before from (request r-1)'],
  [404, { error: 'NotFound', message: 'No views for this user', requestId: 'r-2' }, ExitCode.NotFound, 'Not found (404) NotFound: No views for this user (request r-2)'],
  [403, { error: 'Forbidden', message: 'User is not authorized', requestId: 'r-3' }, ExitCode.Credentials, 'refused the call (403)'],
  [500, { error: 'InternalError', message: 'could not read', requestId: 'r-4' }, ExitCode.Failed, 'The views API failed (500)'],
])("an API error %d is reported with the API's message and request id", async (status, body, code, message) => {
  const api = fakeApi(() => ({ status, body }));
  const run = await cli(['views', 'user', 'u1', '--env', 'dev'], { fetch: api.fetch });
  expect(run.code).toBe(code);
  expect(run.stderr).toContain(message);
  expect(run.stdout).toBe('');
});

test("a bare 403 from API Gateway's public front door says the API is private and how to reach it", async () => {
  const api = fakeApi(() => ({ status: 403, body: { message: 'Forbidden' } }));
  const run = await cli(['views', 'health', '--env', 'dev'], { fetch: api.fetch });
  expect(run.code).toBe(ExitCode.Failed);
  expect(run.stderr).toContain('The call did not reach the views API (403 Forbidden)');
  expect(run.stderr).toContain('Client VPN');
});

test('an unreachable API (no VPN: no route or no name) is reported with the cause and the way in', async () => {
  const fetch = (async () => {
    throw new TypeError('fetch failed', { cause: new Error(`getaddrinfo ENOTFOUND ${HOST}`) });
  }) as unknown as Fetch;
  const run = await cli(['views', 'user', 'u1', '--env', 'dev'], { fetch });
  expect(run.code).toBe(ExitCode.Failed);
  expect(run.stderr).toContain(`Could not reach the views API at https://${HOST}: fetch failed (getaddrinfo ENOTFOUND ${HOST})`);
  expect(run.stderr).toContain('Client VPN');
});

test('health', async () => {
  const api = fakeApi((url) => (url.pathname === '/v1/health' ? { status: 200, body: { status: 'ok' } } : { status: 404, body: {} }));
  const run = await cli(['views', 'health', '--env', 'dev'], { fetch: api.fetch });
  expect(run.code).toBe(ExitCode.Ok);
  expect(run.stdout).toBe(`views API ${API_URL}: ok\n`);
});

test.each([
  [['views', 'minutes', 'purchase', '--env', 'dev'], 'needs --from and --to'],
  [['views', 'minutes', 'purchase', '--from', 'a', '--to', 'b', '--limit', '0', '--env', 'dev'], '--limit must be a positive whole number'],
  [['views', 'everything', '--env', 'dev'], 'views takes `user <userId>`'],
])('bad command lines are usage errors before any call: %j', async (argv, message) => {
  const api = fakeApi(() => ({ status: 200, body: {} }));
  const run = await cli(argv, { fetch: api.fetch });
  expect(run.code).toBe(ExitCode.Usage);
  expect(run.stderr).toContain(message);
  expect(api.calls).toHaveLength(0);
  expect(cloudFormation.calls()).toHaveLength(0);
});

test('a stack without the API is reported as not deployed', async () => {
  resetMocks();
  deployed('FastLayer', {});
  const run = await cli(['views', 'health', '--env', 'dev'], { fetch: fakeApi(() => ({ status: 200, body: {} })).fetch });
  expect(run.code).toBe(ExitCode.NotFound);
  expect(run.stderr).toContain('has no output ViewsApiUrl');
});
