import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { loadEnvironments } from '../../lib/config';
import { describeFailure, ExitCode } from '../../ops/errors';
import { parseDuration } from '../../ops/duration';
import { progressOn } from '../../ops/progress';
import { MWAA, cli, cloudFormation, deployed, mwaa, noCredentials, resetMocks } from './ops-harness';

beforeEach(resetMocks);

describe('usage errors exit 2 before any AWS call', () => {
  test.each([
    [[], /Usage: platform <command>/],
    [['launch', '--env', 'dev'], /unknown command 'launch'/],
    [['status'], /--env is required/],
    [['status', '--env', 'dev', '--colour'], /Unknown option '--colour'/],
    [['status', '--env', 'dev', '--limit', '0'], /--limit must be a positive whole number/],
    [['trigger', '--env', 'dev'], /exactly one DAG id/],
    [['reap', '--env', 'dev'], /reap needs --older-than/],
    [['reap', '--env', 'dev', '--older-than', '6 hours'], /--older-than must be a duration such as 6h/],
    [['reap', '--env', 'dev', '--older-than', '6h', 'cluster-1'], /'cluster-1' is not an EMR cluster id/],
    [['vpn-config', '--env', 'dev', '--cert', 'client.crt'], /needs --cert and --key/],
  ])('%j', async (argv, message) => {
    const run = await cli(argv);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toMatch(message);
    expect(cloudFormation.calls()).toHaveLength(0);
  });
});

test('--help prints the usage, with the exit codes, and exits 0', async () => {
  const run = await cli(['--help']);
  expect(run.code).toBe(ExitCode.Ok);
  expect(run.stdout).toMatch(/Exit codes: 0 ok, 1 failed, 2 usage, 3 credentials, 4 environment or stack not found, 5 MWAA unhealthy/);
});

test('an unknown environment exits 4 and lists the known ones', async () => {
  const names = loadEnvironments().map((e) => e.name);
  const unknown = `${names.join('')}x`;
  const run = await cli(['clusters', '--env', unknown]);
  expect(run.code).toBe(ExitCode.NotFound);
  expect(run.stderr).toContain(`unknown environment '${unknown}'; lib/config/environments.ts defines ${names.join(', ')}`);
});

test('missing credentials exit 3 with how to log in', async () => {
  cloudFormation.on(DescribeStacksCommand).rejects(noCredentials());
  const run = await cli(['status', '--env', 'dev']);
  expect(run.code).toBe(ExitCode.Credentials);
  expect(run.stderr).toContain("No valid AWS credentials for environment 'dev' (account 111111111111, eu-north-1)");
  expect(run.stderr).toContain('aws sso login');
});

test("credentials of another account exit 3 before anything is touched", async () => {
  deployed('Orchestration', { MwaaEnvironmentName: 'bdp-dev' }, '999999999999');
  const run = await cli(['status', '--env', 'dev']);
  expect(run.code).toBe(ExitCode.Credentials);
  expect(run.stderr).toContain("Your credentials are for account 999999999999, but environment 'dev' is account 111111111111");
  expect(mwaa.calls()).toHaveLength(0);
});

test('a stack that is not deployed exits 4 and says how to deploy it', async () => {
  const missing = Object.assign(new Error('Stack with id Dev-Orchestration does not exist'), { name: 'ValidationError' });
  cloudFormation.on(DescribeStacksCommand).rejects(missing);
  const run = await cli(['trigger', 'bdp_daily_pipeline', '--env', 'dev']);
  expect(run.code).toBe(ExitCode.NotFound);
  expect(run.stderr).toContain("Stack Dev-Orchestration is not deployed in account 111111111111 (eu-north-1). Deploy it with `npx cdk deploy 'Dev/Orchestration'`");
  expect(mwaa.commandCalls(MWAA.CreateCliToken)).toHaveLength(0);
});

test('a stack without the output exits 4', async () => {
  deployed('Orchestration', { EmrServiceRoleName: 'role' });
  const run = await cli(['status', '--env', 'dev']);
  expect(run.code).toBe(ExitCode.NotFound);
  expect(run.stderr).toContain('Stack Dev-Orchestration has no output MwaaEnvironmentName');
});

test('an API error exits 1 with its name and message', async () => {
  deployed('Orchestration', { MwaaEnvironmentName: 'bdp-dev' });
  mwaa.on(MWAA.GetEnvironment).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
  const run = await cli(['status', '--env', 'dev']);
  expect(run.code).toBe(ExitCode.Failed);
  expect(run.stderr).toContain('error: ThrottlingException: Rate exceeded');
});

test('access denied names the account whose role lacks the permission', () => {
  const denied = Object.assign(new Error('not authorized to perform: elasticmapreduce:ListClusters'), { name: 'AccessDeniedException' });
  expect(describeFailure(denied, { name: 'dev', account: '111111111111', region: 'eu-north-1' })).toEqual({
    exitCode: ExitCode.Failed,
    message: 'Access denied: not authorized to perform: elasticmapreduce:ListClusters\nYour role needs this permission in account 111111111111.',
  });
});

test('durations combine days, hours and minutes', () => {
  expect(parseDuration('6h', '--x')).toBe(6 * 3_600_000);
  expect(parseDuration('1d12h30m', '--x')).toBe((36 * 60 + 30) * 60_000);
  expect(() => parseDuration('0h', '--x')).toThrow(/--x must be a duration/);
  expect(() => parseDuration('h6', '--x')).toThrow(/--x must be a duration/);
});

test('the spinner draws on a terminal while work runs and erases itself; off a terminal it writes nothing', async () => {
  let tty = '';
  await expect(progressOn({ write: (t: string) => (tty += t), isTTY: true })('Listing clusters', Promise.resolve(42))).resolves.toBe(42);
  expect(tty).toMatch(/^\r\| Listing clusters\.\.\./);
  expect(tty.endsWith(`\r${' '.repeat('Listing clusters'.length + 5)}\r`)).toBe(true);
  let piped = '';
  await expect(progressOn({ write: (t: string) => (piped += t), isTTY: false })('x', Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  expect(piped).toBe('');
});
