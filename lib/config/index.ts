import { ENVIRONMENTS } from './environments';
import type { EnvironmentConfig } from './schema';
import { validateEnvironments } from './validate';

export * from './schema';
export { ConfigError, validateEnvironment, validateEnvironments } from './validate';
export { parseIpv4Cidr, vpcResolverAddress } from './cidr';

/** The validated environments of environments.ts; throws a ConfigError naming every problem. */
export function loadEnvironments(): EnvironmentConfig[] {
  return validateEnvironments(ENVIRONMENTS);
}
