import { ENVIRONMENTS } from './environments';
import type { EnvironmentConfig } from './schema';
import { validateEnvironments } from './validate';

export * from './schema';
export { ConfigError, type ConfigProblem, ENVIRONMENTS_FILE, exitOnConfigError, validateEnvironment, validateEnvironments } from './validate';
export { INSTANCE_TYPE_TABLE_SOURCE, architectureOf, emrInstanceTypesIn } from './instance-types';
export { type Ipv4Cidr, parseIpv4Cidr, vpcResolverAddress } from './cidr';

/** The validated environments of environments.ts; throws a ConfigError naming every problem. */
export function loadEnvironments(): EnvironmentConfig[] {
  return validateEnvironments(ENVIRONMENTS);
}
