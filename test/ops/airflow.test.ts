import type { Fetch } from '../../ops/airflow-cli';
import { airflowCommandLine } from '../../ops/airflow-cli';
import { triggerArgs } from '../../ops/commands/trigger';
import { ExitCode } from '../../ops/errors';
import { MWAA, cli, cloudFormation, deployed, mwaa, resetMocks } from './ops-harness';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const HOST = 'abc123-vpce.c2.eu-north-1.airflow.amazonaws.com';

/** A fetch that answers like MWAA's /aws_mwaa/cli and records what it was sent. */
function airflowCli(stdout: string, stderr = '', status = 200) {
  const requests: { url: string; init: RequestInit }[] = [];
  const fetch: Fetch = async (url, init) => {
    requests.push({ url: String(url), init: init! });
    return new Response(JSON.stringify({ stdout: b64(stdout), stderr: b64(stderr) }), { status });
  };
  return { fetch, requests };
}

const RUNS = [
  { dag_id: 'bdp_daily_pipeline', run_id: 'scheduled__2026-11-21T01:00:00+00:00', state: 'running', run_after: '2026-11-22T01:00:00+00:00', logical_date: '2026-11-21T01:00:00+00:00', start_date: '2026-11-22T01:00:05+00:00', end_date: '' },
  { dag_id: 'bdp_daily_pipeline', run_id: 'scheduled__2026-11-20T01:00:00+00:00', state: 'success', run_after: '2026-11-21T01:00:00+00:00', logical_date: '2026-11-20T01:00:00+00:00', start_date: '2026-11-21T01:00:04+00:00', end_date: '2026-11-21T01:52:10+00:00' },
  { dag_id: 'bdp_daily_pipeline', run_id: 'scheduled__2026-11-19T01:00:00+00:00', state: 'failed', run_after: '2026-11-20T01:00:00+00:00', logical_date: '2026-11-19T01:00:00+00:00', start_date: '2026-11-20T01:00:03+00:00', end_date: '2026-11-20T02:10:00+00:00' },
];

beforeEach(() => {
  resetMocks();
  deployed('Orchestration', { MwaaEnvironmentName: 'bdp-dev', MwaaWebserverUrl: HOST });
  mwaa.on(MWAA.CreateCliToken).resolves({ CliToken: 'token-123', WebServerHostname: HOST });
  mwaa.on(MWAA.GetEnvironment).resolves({
    Environment: {
      Name: 'bdp-dev',
      Status: 'AVAILABLE',
      AirflowVersion: '3.3.1',
      EnvironmentClass: 'mw1.micro',
      MinWorkers: 1,
      MaxWorkers: 1,
      Schedulers: 1,
      WebserverUrl: HOST,
      LastUpdate: { Status: 'SUCCESS', CreatedAt: new Date('2026-11-20T09:30:00Z') },
    },
  });
});

describe('status', () => {
  test('reads the environment named by the Orchestration stack, then lists runs through a CLI token', async () => {
    const airflow = airflowCli(`Deprecation warning: something\n${JSON.stringify(RUNS)}`);
    const run = await cli(['status', '--env', 'dev', '--limit', '2'], { fetch: airflow.fetch });

    expect(run.code).toBe(ExitCode.Ok);
    expect(cloudFormation.calls()[0].args[0].input).toEqual({ StackName: 'Dev-Orchestration' });
    expect(mwaa.commandCalls(MWAA.GetEnvironment)[0].args[0].input).toEqual({ Name: 'bdp-dev' });
    expect(mwaa.commandCalls(MWAA.CreateCliToken)[0].args[0].input).toEqual({ Name: 'bdp-dev' });
    expect(airflow.requests).toHaveLength(1);
    const [{ url, init }] = airflow.requests;
    expect(url).toBe(`https://${HOST}/aws_mwaa/cli`);
    expect(init.method).toBe('POST');
    expect(init.headers).toEqual({ Authorization: 'Bearer token-123', 'Content-Type': 'text/plain' });
    // Airflow 3: the DAG id is positional (2.x took -d).
    expect(init.body).toBe('dags list-runs bdp_daily_pipeline -o json');

    expect(run.stdout).toMatch(/status\s+AVAILABLE/);
    expect(run.stdout).toMatch(/last update\s+SUCCESS at 2026-11-20T09:30:00.000Z/);
    expect(run.stdout).toContain(`https://${HOST} (private: over the Client VPN)`);
    expect(run.stdout).toContain('Latest 2 of 3 runs of bdp_daily_pipeline');
    expect(run.stdout).toMatch(/scheduled__2026-11-21T01:00:00\+00:00\s+running/);
    expect(run.stdout).not.toContain('scheduled__2026-11-19');
  });

  test('an environment that is not AVAILABLE exits 5 without calling its web server', async () => {
    mwaa.on(MWAA.GetEnvironment).resolves({
      Environment: { Name: 'bdp-dev', Status: 'UPDATE_FAILED', LastUpdate: { Status: 'FAILED', Error: { ErrorCode: 'INCORRECT_CONFIGURATION', ErrorMessage: 'bad requirements' } } },
    });
    const airflow = airflowCli('[]');
    const run = await cli(['status', '--env', 'dev'], { fetch: airflow.fetch });
    expect(run.code).toBe(ExitCode.Unhealthy);
    expect(run.stdout).toContain('FAILED at ? (INCORRECT_CONFIGURATION: bad requirements)');
    expect(run.stdout).toContain('Runs not listed: the environment is UPDATE_FAILED');
    expect(airflow.requests).toHaveLength(0);
    expect(mwaa.commandCalls(MWAA.CreateCliToken)).toHaveLength(0);
  });

  test("Airflow's error on stderr fails the command with that error", async () => {
    const airflow = airflowCli('', "Traceback...\nSystemExit: DAG: bdp_nope does not exist in 'dag' table\n");
    const run = await cli(['status', '--env', 'dev', '--dag', 'bdp_nope'], { fetch: airflow.fetch });
    expect(run.code).toBe(ExitCode.Failed);
    expect(run.stderr).toContain("Airflow could not list the runs of bdp_nope:\nTraceback...\nSystemExit: DAG: bdp_nope does not exist in 'dag' table");
  });

  test('an HTTP error from the web server fails with its status', async () => {
    const airflow = airflowCli('', '', 403);
    const run = await cli(['status', '--env', 'dev'], { fetch: airflow.fetch });
    expect(run.code).toBe(ExitCode.Failed);
    expect(run.stderr).toContain('The Airflow CLI endpoint answered HTTP 403');
  });

  test('an unreachable private web server points at the Client VPN', async () => {
    const unreachable: Fetch = () => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } }));
    const run = await cli(['status', '--env', 'dev'], { fetch: unreachable });
    expect(run.code).toBe(ExitCode.Failed);
    expect(run.stderr).toContain(`Cannot reach the Airflow web server ${HOST} (ENOTFOUND). It is private: connect to the Client VPN first`);
  });
});

describe('trigger', () => {
  test('sends `dags trigger` with the logical date and conf, quoted for the web server', async () => {
    const airflow = airflowCli(JSON.stringify([{ dag_id: 'bdp_demo_pipeline', dag_run_id: 'manual__2026-11-20T00:00:00+00:00', state: 'queued', logical_date: '2026-11-20T00:00:00+00:00' }]));
    const run = await cli(['trigger', 'bdp_demo_pipeline', '--env', 'dev', '--date', '2026-11-20', '--conf', '{"rows": 1000, "note": "it\'s a test"}'], { fetch: airflow.fetch });

    expect(run.code).toBe(ExitCode.Ok);
    expect(airflow.requests[0].init.body).toBe(`dags trigger bdp_demo_pipeline -l 2026-11-20T00:00:00+00:00 -c '{"rows":1000,"note":"it'"'"'s a test"}' -o json`);
    expect(run.stdout).toContain('Triggered bdp_demo_pipeline in bdp-dev: run manual__2026-11-20T00:00:00+00:00 is queued (logical date 2026-11-20T00:00:00+00:00).');
  });

  test.each([
    [['--conf', '{rows: 1}'], /--conf must be JSON/],
    [['--conf', '[1, 2]'], /--conf must be a JSON object/],
    [['--date', '2026-02-30'], /--date must be a calendar date YYYY-MM-DD; got '2026-02-30'/],
    [['--date', '20261120'], /--date must be a calendar date/],
  ])('%j is refused with exit 2 before any AWS call', async (options, message) => {
    const airflow = airflowCli('[]');
    const run = await cli(['trigger', 'bdp_daily_pipeline', '--env', 'dev', ...options], { fetch: airflow.fetch });
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toMatch(message);
    expect(cloudFormation.calls()).toHaveLength(0);
    expect(airflow.requests).toHaveLength(0);
  });

  test('a run Airflow refuses (a duplicate logical date) fails with its message', async () => {
    const airflow = airflowCli('', 'airflow.exceptions.DagRunAlreadyExists: A Dag Run already exists for dag id bdp_daily_pipeline\n');
    const run = await cli(['trigger', 'bdp_daily_pipeline', '--env', 'dev', '--date', '2026-11-20'], { fetch: airflow.fetch });
    expect(run.code).toBe(ExitCode.Failed);
    expect(run.stderr).toContain('DagRunAlreadyExists');
  });
});

test('command lines quote only what a shell would split', () => {
  expect(airflowCommandLine(['dags', 'list-runs', 'bdp_daily_pipeline', '-o', 'json'])).toBe('dags list-runs bdp_daily_pipeline -o json');
  expect(airflowCommandLine(['-c', '{"a": "b c"}'])).toBe(`-c '{"a": "b c"}'`);
  expect(triggerArgs({ dag: 'bdp_daily_pipeline' })).toEqual(['dags', 'trigger', 'bdp_daily_pipeline', '-o', 'json']);
  expect(() => triggerArgs({ dag: 'bdp daily; rm -rf /' })).toThrow(/is not a DAG id/);
});
