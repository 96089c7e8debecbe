import { posix } from 'node:path';
import { CDK_BOOTSTRAP_QUALIFIER, CDK_BOOTSTRAP_ROLES, type CdkBootstrapRole, cdkBootstrapRoleName } from '../constructs/github-oidc';
import type { EnvironmentConfig } from './config';
import { DAGS_PREFIX, EMR_TLS_CERTIFICATES_KEY, ETL_PACKAGE_KEY, ResourceNames } from './naming';
export { REQUIREMENTS_KEY } from './naming';

/**
 * Names of the delivery roles (GitHub OIDC) and the CDK bootstrap roles they assume, derived once.
 * The Delivery stack names its roles with these functions and `scripts/delivery-env.ts` prints
 * their ARNs for the workflows, so no role name or ARN is ever typed by hand.
 */

export type DeliveryEnvironment = Pick<EnvironmentConfig, 'name' | 'account' | 'region'>;

/** What each GitHub workflow may do in an environment's account. */
export const DELIVERY_ROLES = ['diff', 'deploy', 'sync'] as const;
export type DeliveryRole = (typeof DELIVERY_ROLES)[number];

export function deliveryRoleName(env: DeliveryEnvironment, role: DeliveryRole): string {
  return `${new ResourceNames(env).prefix}-github-${role}`;
}

export const diffRoleName = (env: DeliveryEnvironment): string => deliveryRoleName(env, 'diff');
export const deployRoleName = (env: DeliveryEnvironment): string => deliveryRoleName(env, 'deploy');
export const syncRoleName = (env: DeliveryEnvironment): string => deliveryRoleName(env, 'sync');

/** The environments are in the commercial partition (the config accepts only commercial regions). */
export function roleArn(account: string, roleName: string): string {
  return `arn:aws:iam::${account}:role/${roleName}`;
}

export function deliveryRoleArn(env: DeliveryEnvironment, role: DeliveryRole): string {
  return roleArn(env.account, deliveryRoleName(env, role));
}

export { CDK_BOOTSTRAP_QUALIFIER, CDK_BOOTSTRAP_ROLES, type CdkBootstrapRole, cdkBootstrapRoleName };

/**
 * The bootstrap roles a deploy job assumes: not the lookup role, whose ReadOnlyAccess would read
 * the environment's logs and data. The app does no context lookups, and the CLI tolerates an
 * unassumable lookup role with a warning.
 */
export const DEPLOY_BOOTSTRAP_ROLES: readonly CdkBootstrapRole[] = CDK_BOOTSTRAP_ROLES.filter((role) => role !== 'lookup');

/** Where `make sync` puts the packaged ETL; EMR steps read it from the same keys. */
export const ETL_PREFIX = posix.dirname(ETL_PACKAGE_KEY);
/** The only prefixes of the artifacts bucket that the sync role may write: MWAA's DAGs, the ETL, EMR's TLS certificates. */
export const SYNC_PREFIXES = [DAGS_PREFIX, ETL_PREFIX, posix.dirname(EMR_TLS_CERTIFICATES_KEY)] as const;
