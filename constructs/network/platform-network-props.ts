import type * as logs from 'aws-cdk-lib/aws-logs';
import type { EncryptedLogs } from '../encrypted-logs';

/** Interface endpoints the network can create. The names are the AWS service suffixes. */
export const INTERFACE_ENDPOINT_SERVICES = [
  'logs',
  'monitoring',
  'sqs',
  'kms',
  'sts',
  'secretsmanager',
  'elasticmapreduce',
  'glue',
  'ecr.api',
  'ecr.dkr',
  'airflow.api',
  'airflow.env',
  'airflow.ops',
  'kinesis-streams',
  // The views API is a private API: reachable only through this endpoint (from the VPC and over the VPN).
  'execute-api',
] as const;
export type InterfaceEndpointService = (typeof INTERFACE_ENDPOINT_SERVICES)[number];

export interface PlatformNetworkProps {
  /** IPv4 CIDR of the VPC, as a literal (security group rules need the value, not a token). */
  readonly vpcCidr: string;
  /** One public and one private subnet is created in each. */
  readonly availabilityZones: readonly string[];
  /** 0 makes the private subnets isolated: they then reach AWS only through endpoints. */
  readonly natGateways: number;
  /** Interface endpoints, with private DNS, in every private subnet. */
  readonly interfaceEndpoints: readonly InterfaceEndpointService[];
  /** Encrypts the flow-log group. */
  readonly logs: EncryptedLogs;
  readonly flowLogRetention: logs.RetentionDays;
  /** @default 24 */
  readonly publicSubnetPrefix?: number;
  /** @default 20 */
  readonly privateSubnetPrefix?: number;
}
