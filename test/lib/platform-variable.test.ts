import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { platformVariable } from '../../lib/platform-variable';
import { synthPlatform } from '../harness/platform';

const root = join(__dirname, '..', '..');
const platform = synthPlatform();
/** The DAGs' side of the contract, run with the Airflow test venv (the module imports no Airflow). */
const dagsContract = (args: string[], input?: string) =>
  execFileSync(join(root, '.venv-airflow', 'bin', 'python'), ['-m', 'bdp.platform', ...args], { cwd: join(root, 'dags'), encoding: 'utf8', input, stdio: 'pipe' });

const variableOf = (env: string): Record<string, unknown> => {
  const stage = platform.stages.get(env)!;
  return platformVariable({
    config: stage.config,
    names: stage.lake.names,
    subnets: stage.network.network.privateSubnets,
    emr: stage.orchestration.emr,
  });
};

/** Ids that exist only after deployment resolve to CloudFormation intrinsics; stand in a string for each. */
const deployed = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(deployed);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return 'resolved-at-deploy';
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deployed(v)]));
  }
  return value;
};

test('CDK writes exactly the keys the DAGs read from the bdp_platform Variable, in their order', () => {
  expect(Object.keys(variableOf('dev'))).toEqual(JSON.parse(dagsContract(['--keys'])));
});

test.each(['dev', 'prod'])('the %s variable passes the DAGs’ own validation of the contract', (env) => {
  const stage = platform.stages.get(env)!;
  const document = deployed(Stack.of(stage.orchestration).resolve(variableOf(env)));
  expect(() => dagsContract(['--check', '-'], JSON.stringify(document))).not.toThrow();
});

test('the DAGs’ validation rejects a variable CDK would not write', () => {
  const document = { ...(deployed(Stack.of(platform.stages.get('dev')!.orchestration).resolve(variableOf('dev'))) as object), task_spot_units: 'four' };
  expect(() => dagsContract(['--check', '-'], JSON.stringify(document))).toThrow(/task_spot_units/);
});

