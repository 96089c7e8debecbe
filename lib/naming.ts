import { AIRFLOW_CONNECTIONS_PREFIX, AIRFLOW_VARIABLES_PREFIX } from '../constructs/airflow-environment';
import { LAKE_BUCKETS, type LakeBucketName } from '../constructs/lake-storage';
import type { EnvironmentConfig } from './config';
import { DATA_ZONES, type DataZone } from './datasets';

export { LAKE_BUCKETS, type LakeBucketName };

/** `dev` becomes `Dev`: the Stage id a user deploys or diffs by, e.g. `cdk deploy 'Dev/*'`. */
export const stageId = (environment: string): string => environment.charAt(0).toUpperCase() + environment.slice(1);

/**
 * The physical names of the platform's resources, derived once from the environment. Bucket
 * names carry the account and region, so they cannot collide across accounts or regions, and
 * being literal they can be handed to the DAGs and the ETL without an AWS call.
 */
export class ResourceNames {
  readonly prefix: string;

  constructor(private readonly env: Pick<EnvironmentConfig, 'name' | 'account' | 'region'>) {
    this.prefix = `bdp-${env.name}`;
  }

  bucket(bucket: LakeBucketName): string {
    return `${this.prefix}-${bucket}-${this.env.account}-${this.env.region}`;
  }

  /** The names LakeStorage takes. */
  get lakeStorage(): { lakeName: string; bucketNames: Record<LakeBucketName, string>; keyAlias: string } {
    return { lakeName: this.prefix, bucketNames: this.buckets, keyAlias: this.lakeKeyAlias };
  }

  /** The names LakeCatalog takes. */
  get lakeCatalog(): { lakeName: string; databaseNames: Record<DataZone, string> } {
    return { lakeName: this.prefix, databaseNames: this.glueDatabases };
  }

  get buckets(): Record<LakeBucketName, string> {
    return Object.fromEntries(LAKE_BUCKETS.map((bucket) => [bucket, this.bucket(bucket)])) as Record<LakeBucketName, string>;
  }

  /** The `--lake` root the ETL takes: `{zone}` is replaced by the zone's bucket. */
  get lakeRootTemplate(): string {
    return `s3://${this.prefix}-{zone}-${this.env.account}-${this.env.region}`;
  }

  /** Glue database names allow only lower-case letters, digits and underscores. */
  glueDatabase(zone: DataZone): string {
    return `${this.prefix}_${zone}`.replace(/-/g, '_');
  }

  get glueDatabases(): Record<DataZone, string> {
    return Object.fromEntries(DATA_ZONES.map((zone) => [zone, this.glueDatabase(zone)])) as Record<DataZone, string>;
  }

  get athenaWorkgroup(): string {
    return `${this.prefix}-analysts`;
  }

  get lakeKeyAlias(): string {
    return `alias/${this.prefix}-lake`;
  }

  /** Literal, so stacks that publish to the topic need no reference to the stack that owns it. */
  get alertsTopic(): string {
    return `${this.prefix}-alerts`;
  }

  get alertsKeyAlias(): string {
    return `alias/${this.prefix}-alerts`;
  }

  get monthlyBudget(): string {
    return `${this.prefix}-monthly`;
  }

  get alertsTopicArn(): string {
    return `arn:aws:sns:${this.env.region}:${this.env.account}:${this.alertsTopic}`;
  }

  get mwaaEnvironment(): string {
    return this.prefix;
  }

  /** The Airflow Variable `bdp_platform`, served by MWAA's Secrets Manager backend. */
  get platformConfigSecret(): string {
    return `${AIRFLOW_VARIABLES_PREFIX}/bdp_platform`;
  }
}

export { AIRFLOW_CONNECTIONS_PREFIX, AIRFLOW_VARIABLES_PREFIX };

/** MWAA reads DAGs from this prefix of the artifacts bucket, and installs the requirements file beside them. */
export const DAGS_PREFIX = 'dags';
export const REQUIREMENTS_KEY = `${DAGS_PREFIX}/requirements.txt`;
/** Where `make sync` puts the packaged ETL in the artifacts bucket, and where EMR steps find it. */
export const ETL_PACKAGE_KEY = 'etl/bdp_etl.zip';
export const ETL_ENTRY_POINT_KEY = 'etl/main.py';
/** The zip of PEM certificates for EMR's in-transit TLS (`make emr-certs`, published by `make sync`). */
export const EMR_TLS_CERTIFICATES_KEY = 'emr-tls/in-transit-certificates.zip';
/** The cluster tag that every EMR permission of the platform is conditioned on. */
export const CLUSTER_ENVIRONMENT_TAG = 'bdp:environment';
