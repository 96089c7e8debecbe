import type { RemovalPolicy } from 'aws-cdk-lib';
import type { ResourceNames } from '../../lib/naming';

export interface BronzeLifecycle {
  /** Days until bronze objects move to S3 Standard-IA. */
  readonly infrequentAccessAfterDays: number;
  /** Days until bronze objects move to S3 Glacier Flexible Retrieval. */
  readonly glacierAfterDays: number;
  /** Days until bronze objects are deleted: raw data is replayable only this long. */
  readonly expireAfterDays: number;
}

export interface LakeStorageProps {
  /** Physical names of the buckets and the key alias. */
  readonly names: ResourceNames;
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
