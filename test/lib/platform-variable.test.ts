import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { DATA_ZONES } from '../../lib/datasets';
import { platformVariable } from '../../lib/platform-variable';
import { ConfigError, validateEnvironment } from '../../lib/config';
import { environmentInput, synthPlatform } from '../harness/platform';

const root = join(__dirname, '..', '..');
const platform = synthPlatform();
/** The first environment of lib/config, for checks that need only one. */
const first = [...platform.stages.keys()][0];
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

/** A key ARN exists only after deployment; the DAGs check its shape, so it gets a shaped stand-in. */
const deployedVariable = (env: string): Record<string, unknown> => {
  const stage = platform.stages.get(env)!;
  const document = deployed(Stack.of(stage.orchestration).resolve(variableOf(env))) as Record<string, unknown>;
  const { region, account } = Stack.of(stage.orchestration);
  return { ...document, log_encryption_key_arn: `arn:aws:kms:${region}:${account}:key/resolved-at-deploy` };
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
  expect(Object.keys(variableOf(first))).toEqual(JSON.parse(dagsContract(['--keys'])));
});

test.each([...platform.stages.keys()])('the %s variable passes the DAGs’ own validation of the contract', (env) => {
  expect(() => dagsContract(['--check', '-'], JSON.stringify(deployedVariable(env)))).not.toThrow();
});

test('the DAGs’ validation rejects a variable CDK would not write', () => {
  const document = { ...deployedVariable(first), task_spot_units: 'four' };
  expect(() => dagsContract(['--check', '-'], JSON.stringify(document))).toThrow(/task_spot_units/);
});

test('EMR logs are encrypted with the lake key, the key of the clusters’ S3 data', () => {
  const stage = platform.stages.get(first)!;
  const resolve = (value: unknown) => Stack.of(stage.orchestration).resolve(value);
  expect(resolve(variableOf(first).log_encryption_key_arn)).toEqual(resolve(stage.lake.storage.key.keyArn));
});

test('the catalog namespace names each zone’s Glue database', () => {
  const stage = platform.stages.get(first)!;
  const variable = variableOf(first);
  for (const zone of DATA_ZONES) {
    expect((variable.catalog_namespace as string).replace('{zone}', zone)).toBe(stage.lake.names.glueDatabase(zone));
  }
});

test.each([...platform.stages.keys()])('the %s variable carries the environment’s configured dedup look-back', (env) => {
  expect(variableOf(env).dedup_lookback_days).toBe(platform.stages.get(env)!.config.etl.dedupLookbackDays);
});

test('a changed look-back in the config reaches the variable', () => {
  const stage = platform.stages.get(first)!;
  const days = stage.config.etl.dedupLookbackDays + 4;
  const config = { ...stage.config, etl: { dedupLookbackDays: days } };
  const variable = platformVariable({ config, names: stage.lake.names, subnets: stage.network.network.privateSubnets, emr: stage.orchestration.emr });
  expect(variable.dedup_lookback_days).toBe(days);
});

test('the config and the DAGs accept the same look-back range: 1 to 365 days', () => {
  const configAccepts = (days: number) => {
    try {
      validateEnvironment(environmentInput(first, (c) => ({ ...c, etl: { dedupLookbackDays: days } })));
      return true;
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/etl\.dedupLookbackDays/);
      return false;
    }
  };
  const dagsAccept = (days: number) => {
    try {
      dagsContract(['--check', '-'], JSON.stringify({ ...deployedVariable(first), dedup_lookback_days: days }));
      return true;
    } catch {
      return false;
    }
  };
  for (const days of [0, 1, 365, 366]) expect([days, configAccepts(days)]).toEqual([days, dagsAccept(days)]);
  expect(configAccepts(1) && configAccepts(365) && !configAccepts(0) && !configAccepts(366)).toBe(true);
});
