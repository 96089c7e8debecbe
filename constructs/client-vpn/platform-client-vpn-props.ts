import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { EncryptedLogs } from '../encrypted-logs';

export interface PlatformClientVpnProps {
  readonly vpc: ec2.IVpc;
  /** The VPC's CIDR as a literal: the only destination clients are authorised for. */
  readonly vpcCidr: string;
  /** Addresses handed to clients; outside the VPC, /22 or larger. */
  readonly clientCidr: string;
  /** ACM ARN of the server certificate the endpoint presents. */
  readonly serverCertificateArn: string;
  /** ACM ARN of the CA that signed client certificates (mutual TLS). */
  readonly clientRootCaArn: string;
  /**
   * Private subnets to associate with, one per AZ; each association is billed hourly. None is VPN
   * on demand: the endpoint, its rules and logs exist, and an operator associates a subnet when
   * engineers need it (`platform vpn-access on`).
   */
  readonly subnets: readonly ec2.ISubnet[];
  /** The VPC resolver, pushed to clients so private names (the Airflow UI) resolve. */
  readonly dnsServer: string;
  readonly sessionTimeout: ec2.ClientVpnSessionTimeout;
  readonly loginBanner: string;
  /** Encrypts the connection-log group. */
  readonly logs: EncryptedLogs;
  readonly connectionLogRetention: logs.RetentionDays;
}
