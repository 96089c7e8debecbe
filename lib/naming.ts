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
}
