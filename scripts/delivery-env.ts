/**
 * Prints what the delivery workflows and make targets need to know about one environment, derived
 * from lib/config and the names modules, so no account, role ARN or bucket name is typed by hand:
 *
 *   npx tsx scripts/delivery-env.ts --env dev --get deploy-role-arn
 *   npx tsx scripts/delivery-env.ts --env dev >> "$GITHUB_OUTPUT"     # every fact as key=value
 *   npx tsx scripts/delivery-env.ts --list all >> "$GITHUB_OUTPUT"    # environments=["dev",...], the workflows' matrix
 */
import { parseArgs } from 'node:util';
import { EnvironmentConfig, loadEnvironments } from '../lib/config';
import { DELIVERY_ROLES, REQUIREMENTS_KEY, deliveryRoleArn } from '../lib/delivery-names';
import { EMR_TLS_CERTIFICATES_KEY, ETL_ENTRY_POINT_KEY, ETL_PACKAGE_KEY, ResourceNames } from '../lib/naming';
import { stageId } from '../lib/platform-stage';

export function deliveryFacts(config: EnvironmentConfig): Record<string, string> {
  const names = new ResourceNames(config);
  return {
    environment: config.name,
    stage: stageId(config.name),
    account: config.account,
    region: config.region,
    'artifacts-bucket': names.bucket('artifacts'),
    'mwaa-environment': names.mwaaEnvironment,
    'requirements-key': REQUIREMENTS_KEY,
    'etl-package-key': ETL_PACKAGE_KEY,
    'etl-entry-point-key': ETL_ENTRY_POINT_KEY,
    'emr-tls-key': EMR_TLS_CERTIFICATES_KEY,
    ...Object.fromEntries(DELIVERY_ROLES.map((role) => [`${role}-role-arn`, deliveryRoleArn(config, role)])),
  };
}

/**
 * The environments a deploy or sync run covers, in the order of lib/config/environments.ts (the
 * order the workflows go through them): all of them, or the one named.
 */
export function selectEnvironments(names: readonly string[], selection: string): string[] {
  if (selection === 'all') return [...names];
  if (names.includes(selection)) return [selection];
  throw new Error(`--list must be 'all' or an environment of lib/config/environments.ts (${names.join(', ')}), not '${selection}'`);
}

function main(): void {
  const { values } = parseArgs({ options: { env: { type: 'string' }, get: { type: 'string' }, list: { type: 'string' } } });
  const environments = loadEnvironments();
  if (values.list !== undefined) {
    console.log(`environments=${JSON.stringify(selectEnvironments(environments.map((e) => e.name), values.list))}`);
    return;
  }
  const config = environments.find((e) => e.name === values.env);
  if (!config) {
    throw new Error(`--env must name an environment of lib/config/environments.ts (${environments.map((e) => e.name).join(', ')}), not '${values.env ?? ''}'`);
  }
  const facts = deliveryFacts(config);
  if (values.get === undefined) {
    for (const [key, value] of Object.entries(facts)) console.log(`${key}=${value}`);
  } else if (values.get in facts) {
    console.log(facts[values.get]);
  } else {
    throw new Error(`--get must be one of ${Object.keys(facts).join(', ')}, not '${values.get}'`);
  }
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    // Usage and configuration errors are messages for a person: no stack trace.
    console.error(`delivery-env: ${(error as Error).message}`);
    process.exit(2);
  }
}
