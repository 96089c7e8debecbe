import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { LakeStorage } from '../lake-storage';

export interface EmrRuntimeProps {
  readonly vpc: ec2.IVpc;
  /** Where clusters run; tagged for the EMR v2 managed service policy. */
  readonly subnets: readonly ec2.ISubnet[];
  /** Grants the clusters lake access by zone, and holds their logs. */
  readonly lake: LakeStorage;
  /** Names the security configuration. */
  readonly namePrefix: string;
  /**
   * S3 URI of a zip of PEM certificates for in-transit TLS between nodes. EMR needs the
   * certificates supplied; without them in-transit encryption stays off.
   * @default - in-transit encryption off
   */
  readonly inTransitCertificatesS3Uri?: string;
}
