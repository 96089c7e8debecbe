import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { EncryptedLogs } from '../encrypted-logs';

/** How much one request may ask for. The mapping templates enforce these; the OpenAPI document states them. */
export interface ViewsApiLimits {
  /** The widest `from`..`to` range, in minutes, both ends included. */
  readonly maxRangeMinutes: number;
  /** Minute items per page when `limit` is absent. */
  readonly defaultPageSize: number;
  /** The largest `limit` accepted (at most 9999). */
  readonly maxPageSize: number;
}

export const DEFAULT_LIMITS: ViewsApiLimits = { maxRangeMinutes: 24 * 60, defaultPageSize: 60, maxPageSize: 24 * 60 };

/** Requests per second (steady) and burst, for the whole stage or one method. */
export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface ViewsApiProps {
  /** The real-time views table (layout in functions/views-consumer/views.ts). */
  readonly table: dynamodb.ITableV2;
  /** The table's customer-managed key: the integration role may decrypt through DynamoDB only. */
  readonly tableKey: kms.IKey;
  /** Encrypts the access-log and execution-log groups. */
  readonly logs: EncryptedLogs;
  readonly apiName: string;
  /** @default 'v1' */
  readonly stageName?: string;
  /** @default DEFAULT_LIMITS */
  readonly limits?: ViewsApiLimits;
  /** Every method of the stage. @default 50 requests/s, burst 100 */
  readonly stageThrottle?: Throttle;
  /** The minutes query, which reads up to a page of items per call. @default 20 requests/s, burst 40 */
  readonly minutesThrottle?: Throttle;
  /**
   * Interface endpoints for `execute-api` (in the platform VPC, which VPN clients route through)
   * that calls must arrive by. When given, the resource policy refuses any other path.
   * @default none: any principal of this account, with SigV4, from any network
   */
  readonly allowedVpcEndpointIds?: readonly string[];
  /** @default THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** @default RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}
