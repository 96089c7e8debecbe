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
   * Key, in the lake's artifacts bucket, of the zip of PEM certificates (privateKey.pem,
   * certificateChain.pem, trustedCertificates.pem) that EMR uses for TLS between nodes. Cluster
   * nodes read it with their instance role. In-transit encryption is always on.
   */
  readonly inTransitCertificatesKey: string;
  /**
   * Glue databases whose Iceberg tables the ETL creates and commits to (silver and gold): the
   * nodes may read and update those tables' definitions, and nothing else in the catalog.
   */
  readonly icebergDatabases: readonly string[];
}
