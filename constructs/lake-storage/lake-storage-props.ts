import type { RemovalPolicy } from 'aws-cdk-lib';

/** Every bucket of the lake: the three data zones, MWAA's source, and the access/EMR logs. */
export const LAKE_BUCKETS = ['bronze', 'silver', 'gold', 'artifacts', 'logs'] as const;
export type LakeBucketName = (typeof LAKE_BUCKETS)[number];

export interface BronzeLifecycle {
  /** Days until bronze objects move to S3 Standard-IA. */
  readonly infrequentAccessAfterDays: number;
  /** Days until bronze objects move to S3 Glacier Flexible Retrieval. */
  readonly glacierAfterDays: number;
  /** Days until bronze objects are deleted: raw data is replayable only this long. */
  readonly expireAfterDays: number;
}

export interface LakeStorageProps {
  /** Physical name of each bucket: literal names let grantees in other stacks use plain ARNs. */
  readonly bucketNames: Readonly<Record<LakeBucketName, string>>;
  /** What the lake is called in descriptions, e.g. `bdp-dev`. */
  readonly lakeName: string;
  /** Alias of the lake's KMS key, e.g. `alias/bdp-dev-lake`. */
  readonly keyAlias: string;
  readonly bronzeLifecycle: BronzeLifecycle;
  /** Days until a replaced or deleted object version is removed for good. */
  readonly noncurrentVersionsExpireAfterDays: number;
  /** Days S3 access logs and EMR logs are kept. */
  readonly logsExpireAfterDays: number;
  /**
   * RETAIN keeps buckets (with their data) and the key when the stack is deleted. DESTROY empties
   * and deletes them: for disposable environments only (production config refuses it).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}
