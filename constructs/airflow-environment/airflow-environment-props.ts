import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';

/** Airflow versions that MWAA runs; the newest first. */
export const MWAA_AIRFLOW_VERSIONS = ['3.3.1', '3.2.1', '3.0.6'] as const;
export const MWAA_ENVIRONMENT_CLASSES = ['mw1.micro', 'mw1.small', 'mw1.medium', 'mw1.large', 'mw1.xlarge', 'mw1.2xlarge'] as const;
/** Where MWAA's Secrets Manager backend looks up Airflow connections and variables. */
export const AIRFLOW_CONNECTIONS_PREFIX = 'airflow/connections';
export const AIRFLOW_VARIABLES_PREFIX = 'airflow/variables';
import type { EmrRuntime } from '../emr-runtime';
import type { LakeStorage } from '../lake-storage';

export interface AirflowEnvironmentProps {
  /** Environment name; its log groups are `airflow-<name>-*`. */
  readonly name: string;
  readonly airflowVersion: (typeof MWAA_AIRFLOW_VERSIONS)[number];
  readonly environmentClass: (typeof MWAA_ENVIRONMENT_CLASSES)[number];
  readonly minWorkers: number;
  readonly maxWorkers: number;
  readonly schedulers: number;
  readonly vpc: ec2.IVpc;
  /** Exactly two private subnets in different AZs, as MWAA requires. */
  readonly subnets: readonly ec2.ISubnet[];
  /**
   * Security group of the Client VPN endpoint: its clients may open the Airflow UI over HTTPS.
   * @default - no access from outside the environment
   */
  readonly vpnSecurityGroup?: ec2.ISecurityGroup;
  /** The artifacts bucket is MWAA's source (`dags/`); the lake key encrypts the environment. */
  readonly lake: LakeStorage;
  /** The clusters the DAGs may create, terminate and pass roles to. */
  readonly emr: EmrRuntime;
  /** The cluster tag that scopes every EMR permission, e.g. `{ key: 'bdp:environment', value: 'dev' }`. */
  readonly clusterTag: { readonly key: string; readonly value: string };
  /** SNS topic the DAGs publish failures to. */
  readonly alertsTopicArn: string;
  /** Alias of the topic's KMS key: publishing to an SSE-KMS topic needs the key too. */
  readonly alertsKeyAlias: string;
  /** Airflow Variables to serve through the Secrets Manager backend, by name (values become JSON). */
  readonly variables: Readonly<Record<string, unknown>>;
  /**
   * Prefix of the artifacts bucket that MWAA reads DAGs from.
   * @default 'dags'
   */
  readonly dagsPrefix?: string;
  /**
   * Key of the requirements file in the artifacts bucket.
   * @default '<dagsPrefix>/requirements.txt'
   */
  readonly requirementsKey?: string;
  /**
   * How long MWAA's five log groups keep their logs.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to MWAA's log groups when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Weekly maintenance window start (UTC).
   * @default 'SUN:03:00'
   */
  readonly maintenanceWindowStart?: string;
}
