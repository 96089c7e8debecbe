import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { LAKE_BUCKETS, type LakeBucketName, type LakeStorageProps } from './lake-storage-props';

/** Where Athena writes query results, inside the gold bucket and outside every table's location. */
export const ATHENA_RESULTS_PREFIX = 'athena-results/';
const ABORT_INCOMPLETE_UPLOADS_AFTER = Duration.days(7);
const ATHENA_RESULTS_EXPIRE_AFTER = Duration.days(30);

const READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'];
// Spark's dynamic partition overwrite deletes the partition it replaces; multipart uploads of
// large Parquet files need the abort and list-parts actions.
const APPEND_ACTIONS = ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'];
const WRITE_ACTIONS = [...APPEND_ACTIONS, 's3:DeleteObject'];

/**
 * The lake's storage, secure by default: a rotating customer-managed KMS key, and five buckets
 * (bronze, silver, gold, artifacts, logs), each private, TLS 1.2+ only, versioned, without ACLs,
 * access-logged to the logs bucket, and with lifecycle rules. Access is granted per bucket and
 * prefix with the grant methods below; nothing grants `s3:*`.
 */
export class LakeStorage extends Construct {
  readonly key: kms.Key;
  readonly buckets: Readonly<Record<LakeBucketName, s3.Bucket>>;
  /** The buckets' physical names, as literals. */
  readonly bucketNames: Readonly<Record<LakeBucketName, string>>;

  constructor(scope: Construct, id: string, props: LakeStorageProps) {
    super(scope, id);
    this.bucketNames = props.bucketNames;
    // Access-log delivery through a bucket policy, never ACLs, whatever the app's feature flags say.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const destroy = removalPolicy === RemovalPolicy.DESTROY;

    this.key = new kms.Key(this, 'Key', {
      alias: props.keyAlias,
      description: `Encrypts the ${props.lakeName} data lake: zone buckets, artifacts, Athena results`,
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: destroy ? Duration.days(7) : Duration.days(30),
    });

    const common = (name: LakeBucketName): s3.BucketProps => ({
      bucketName: props.bucketNames[name],
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      removalPolicy,
      autoDeleteObjects: destroy,
    });
    const noncurrent = { noncurrentVersionExpiration: Duration.days(props.noncurrentVersionsExpireAfterDays) };
    const lifecycleBase: s3.LifecycleRule = { id: 'versions-and-uploads', abortIncompleteMultipartUploadAfter: ABORT_INCOMPLETE_UPLOADS_AFTER, ...noncurrent };

    // S3 delivers server access logs only to a bucket encrypted with S3-managed keys.
    const logs = new s3.Bucket(this, 'LogsBucket', {
      ...common('logs'),
      encryption: s3.BucketEncryption.S3_MANAGED,
      lifecycleRules: [{ ...lifecycleBase, expiration: Duration.days(props.logsExpireAfterDays) }],
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log target of every lake bucket; logging it into itself would log its own log deliveries without adding an audit trail.',
    });
    Validations.of(logs).acknowledge({ id: 'NIST.800.53.R5-S3BucketLoggingEnabled', reason: 'This is the access-log target of every lake bucket; logging it into itself would add nothing.' });
    Validations.of(logs).acknowledge({
      id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
      reason: 'S3 server access logging delivers only to buckets encrypted with S3-managed keys (SSE-S3); the logs hold request metadata, not lake data.',
    });

    const kmsBucket = (name: Exclude<LakeBucketName, 'logs'>, lifecycleRules: s3.LifecycleRule[]) =>
      new s3.Bucket(this, `${name.charAt(0).toUpperCase()}${name.slice(1)}Bucket`, {
        ...common(name),
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: this.key,
        // Bucket keys cut KMS requests (and cost) by orders of magnitude for Spark's many small reads.
        bucketKeyEnabled: true,
        serverAccessLogsBucket: logs,
        serverAccessLogsPrefix: `s3-access/${props.bucketNames[name]}/`,
        lifecycleRules,
      });

    const { infrequentAccessAfterDays, glacierAfterDays, expireAfterDays } = props.bronzeLifecycle;
    this.buckets = {
      bronze: kmsBucket('bronze', [
        {
          ...lifecycleBase,
          id: 'raw-data-ages-out',
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(infrequentAccessAfterDays) },
            { storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(glacierAfterDays) },
          ],
          expiration: Duration.days(expireAfterDays),
        },
      ]),
      silver: kmsBucket('silver', [lifecycleBase]),
      gold: kmsBucket('gold', [lifecycleBase, { id: 'athena-results', prefix: ATHENA_RESULTS_PREFIX, expiration: ATHENA_RESULTS_EXPIRE_AFTER }]),
      artifacts: kmsBucket('artifacts', [lifecycleBase]),
      logs,
    };

    for (const name of LAKE_BUCKETS) {
      Validations.of(this.buckets[name]).acknowledge({
        id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
        reason: 'S3 stores every object redundantly across AZs and versioning guards against deletes; cross-region replication would double storage cost and is a per-deployment DR choice.',
      });
    }
  }

  /** Read objects under `prefix` (default: all) of one bucket, and list it. */
  grantRead(grantee: iam.IGrantable, bucket: LakeBucketName, prefix = ''): void {
    this.grant(grantee, bucket, prefix, READ_ACTIONS, ['kms:Decrypt']);
  }

  /** Write and delete objects under `prefix` (default: all) of one bucket, and list it. */
  grantWrite(grantee: iam.IGrantable, bucket: LakeBucketName, prefix = ''): void {
    this.grant(grantee, bucket, prefix, WRITE_ACTIONS, ['kms:GenerateDataKey', 'kms:Decrypt']);
  }

  /** Add objects under `prefix` but never delete or overwrite-by-delete: for append-only writers such as Firehose. */
  grantAppend(grantee: iam.IGrantable, bucket: LakeBucketName, prefix = ''): void {
    this.grant(grantee, bucket, prefix, APPEND_ACTIONS, ['kms:GenerateDataKey', 'kms:Decrypt']);
  }

  grantReadWrite(grantee: iam.IGrantable, bucket: LakeBucketName, prefix = ''): void {
    this.grant(grantee, bucket, prefix, [...READ_ACTIONS, ...WRITE_ACTIONS], ['kms:GenerateDataKey', 'kms:Decrypt']);
  }

  private grant(grantee: iam.IGrantable, name: LakeBucketName, prefix: string, objectActions: string[], keyActions: string[]): void {
    const bucket = this.buckets[name];
    // Literal ARNs from the deterministic bucket names: grantees in other stacks need no
    // cross-stack reference, and the wildcard acknowledged below reads as the bucket it is.
    const partition = Stack.of(this).partition;
    const bucketArn = `arn:${partition}:s3:::${this.bucketNames[name]}`;
    const objectsArn = `${bucketArn}/${prefix}*`;
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [bucketArn],
      // Listing is confined to the same prefix as the objects.
      conditions: prefix ? { StringLike: { 's3:prefix': [`${prefix}*`] } } : undefined,
    });
    iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetBucketLocation'], resourceArns: [bucketArn] });
    iam.Grant.addToPrincipal({ grantee, actions: objectActions, resourceArns: [objectsArn] });
    // The key only inside S3 requests: a grantee can decrypt lake objects it may read, never
    // lake ciphertext handed to it some other way.
    if (bucket.encryptionKey) {
      iam.Grant.addToPrincipal({
        grantee,
        actions: keyActions,
        resourceArns: [bucket.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
      });
    }
    if (grantee.grantPrincipal instanceof Construct) {
      Validations.of(grantee.grantPrincipal).acknowledge({
        // cdk-nag prints an unresolved partition (apps without the partition-literals flag) as <AWS::Partition>.
        id: `AwsSolutions-IAM5[Resource::${objectsArn.replace(partition, Token.isUnresolved(partition) ? '<AWS::Partition>' : partition)}]`,
        reason: `Objects are granted under one prefix (${prefix || 'the whole bucket'}) of the ${name} bucket; S3 can name a set of objects only with a wildcard.`,
      });
    }
  }
}
