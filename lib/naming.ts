import type { EnvironmentConfig } from './config';
import type { DataZone } from './datasets';

/** Every bucket of the lake: the three data zones, MWAA's source, and the access/EMR logs. */
export const LAKE_BUCKETS = ['bronze', 'silver', 'gold', 'artifacts', 'logs'] as const;
export type LakeBucketName = (typeof LAKE_BUCKETS)[number];

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

  /** The `--lake` root the ETL takes: `{zone}` is replaced by the zone's bucket. */
  get lakeRootTemplate(): string {
    return `s3://${this.prefix}-{zone}-${this.env.account}-${this.env.region}`;
  }

  /** Glue database names allow only lower-case letters, digits and underscores. */
  glueDatabase(zone: DataZone): string {
    return `${this.prefix}_${zone}`.replace(/-/g, '_');
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

/** MWAA's Secrets Manager backend looks up Airflow connections and variables under these prefixes. */
export const AIRFLOW_CONNECTIONS_PREFIX = 'airflow/connections';
export const AIRFLOW_VARIABLES_PREFIX = 'airflow/variables';

/** MWAA reads DAGs from this prefix of the artifacts bucket, and installs the requirements file beside them. */
export const DAGS_PREFIX = 'dags';
export const REQUIREMENTS_KEY = `${DAGS_PREFIX}/requirements.txt`;
/** Where `make sync` puts the packaged ETL in the artifacts bucket, and where EMR steps find it. */
export const ETL_PACKAGE_KEY = 'etl/bdp_etl.zip';
export const ETL_ENTRY_POINT_KEY = 'etl/main.py';
/** The cluster tag that every EMR permission of the platform is conditioned on. */
export const CLUSTER_ENVIRONMENT_TAG = 'bdp:environment';
