import type * as ec2 from 'aws-cdk-lib/aws-ec2';
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
  /** NATs, one per AZ from the first. 0 makes the private subnets isolated: they then reach AWS only through endpoints. */
  readonly natGateways: number;
  /**
   * NAT instances of this type instead of NAT gateways: hardened (IMDSv2 only, encrypted root
   * volume, no SSH, no key pair, HTTP and HTTPS only: in from the VPC, out to the internet).
   * @default - managed NAT gateways
   */
  readonly natInstanceType?: ec2.InstanceType;
  /** Interface endpoints, with private DNS. */
  readonly interfaceEndpoints: readonly InterfaceEndpointService[];
  /**
   * The private subnets of the first N AZs hold the endpoints' interfaces; the other AZs reach them
   * across AZs. Each endpoint is billed per AZ it is in.
   * @default every AZ
   */
  readonly interfaceEndpointAzCount?: number;
  /** Encrypts the flow-log group. */
  readonly logs: EncryptedLogs;
  readonly flowLogRetention: logs.RetentionDays;
  /** @default 24 */
  readonly publicSubnetPrefix?: number;
  /** @default 20 */
  readonly privateSubnetPrefix?: number;
}
