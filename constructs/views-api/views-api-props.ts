import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
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
   * The `execute-api` interface endpoints calls must arrive through (at least one): the API is
   * PRIVATE, associated with them, and its resource policy refuses any other path. Engineers reach
   * them over the Client VPN, services from inside the VPC.
   */
  readonly allowedVpcEndpoints: readonly ec2.IInterfaceVpcEndpoint[];
  /** @default THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** @default RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}
