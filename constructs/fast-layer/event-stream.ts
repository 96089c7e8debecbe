import { Duration, RemovalPolicy, Size, Stack, Token, Validations } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LAKE_BUCKETS } from '../lake-storage';
import type { EventStreamProps } from './event-stream-props';

/** The day a file is delivered, in UTC, in the format of the tables' `dt` partition projection. */
const DELIVERY_DATE = '!{timestamp:yyyy-MM-dd}';
/** Where Firehose puts records it could not convert, outside every table's location. */
const DELIVERY_ERRORS_PREFIX = 'firehose-errors/';

/**
 * The platform's event stream: a Kinesis data stream encrypted with a customer-managed key, and
 * a Firehose delivery stream that archives every record into the lake as Parquet, converted
 * with the Glue table's schema, under `<table prefix>dt=YYYY-MM-DD/` (Hive style, as Athena's
 * partition projection and the Spark jobs read it). Records that fail conversion land under
 * `firehose-errors/<table prefix><error type>/dt=YYYY-MM-DD/`, and delivery errors are logged.
 */
export class EventStream extends Construct {
  readonly stream: kinesis.Stream;
  readonly retention: Duration;
  readonly delivery: firehose.DeliveryStream;
  /** The role Firehose reads the stream and writes the lake with. */
  readonly deliveryRole: iam.Role;
  /** Object key prefix of delivered files, with Firehose's date expression. */
  readonly dataOutputPrefix: string;
  readonly errorOutputPrefix: string;

  constructor(scope: Construct, id: string, props: EventStreamProps) {
    super(scope, id);
    const { storage, table } = props;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const zone = LAKE_BUCKETS.find((name) => storage.buckets[name] === table.bucket);
    if (!zone) throw new Error(`EventStream ${this.node.path}: props.table (${table.node.path}) is not stored in a bucket of props.storage`);
    const cfnTable = table.node.defaultChild;
    if (!(cfnTable instanceof glue.CfnTable)) throw new Error(`EventStream ${this.node.path}: props.table (${table.node.path}) has no CfnTable to take the Parquet schema from`);

    this.retention = props.retention ?? Duration.hours(24);
    this.stream = new kinesis.Stream(this, 'Stream', {
      streamName: props.streamName,
      streamMode: props.shardCount === undefined ? kinesis.StreamMode.ON_DEMAND : kinesis.StreamMode.PROVISIONED,
      shardCount: props.shardCount,
      retentionPeriod: this.retention,
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: props.encryptionKey,
      removalPolicy,
    });
    Validations.of(this.stream).acknowledge({
      id: 'AwsSolutions-KDS3',
      reason: 'A customer-managed key is deliberate: producers and consumers are granted it one by one and it can be revoked without touching aws/kinesis; the extra KMS cost stays small because Kinesis caches data keys.',
    });

    const errorsPrefix = `${DELIVERY_ERRORS_PREFIX}${table.s3Prefix}`;
    // The table's date partition (Hive style), as Athena's projection and the Spark jobs read it.
    const partition = table.partitionKeys?.[0]?.name;
    if (table.partitionKeys?.length !== 1 || !partition) throw new Error(`EventStream ${this.node.path}: props.table must have exactly one (date) partition key`);
    this.dataOutputPrefix = `${table.s3Prefix}${partition}=${DELIVERY_DATE}/`;
    this.errorOutputPrefix = `${errorsPrefix}!{firehose:error-output-type}/${partition}=${DELIVERY_DATE}/`;

    // Firehose passes the account id as the external id, which keeps other accounts' streams out.
    this.deliveryRole = new iam.Role(this, 'DeliveryRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', { conditions: { StringEquals: { 'sts:ExternalId': Stack.of(this).account } } }),
      description: `Firehose: read ${this.node.path} and write ${zone}/${table.s3Prefix} as Parquet`,
    });
    Validations.of(this.deliveryRole).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: "The delivery role's inline policy is generated from the lake's and this construct's grants for this role alone and lives and dies with it, so it cannot be attached elsewhere by mistake.",
    });
    storage.grantAppend(this.deliveryRole, zone, table.s3Prefix);
    storage.grantAppend(this.deliveryRole, zone, errorsPrefix);
    // The rest of AWS's documented Firehose S3 policy: GetObject on what it writes and
    // ListBucketMultipartUploads (a bucket-level listing). Never a delete.
    const bucketName = (table.bucket.node.defaultChild as s3.CfnBucket | undefined)?.bucketName;
    if (!bucketName || Token.isUnresolved(bucketName)) throw new Error(`EventStream ${this.node.path}: props.table's bucket (${table.bucket.node.path}) needs a literal bucket name`);
    const bucketArn = `arn:${Stack.of(this).partition}:s3:::${bucketName}`;
    iam.Grant.addToPrincipal({ grantee: this.deliveryRole, actions: ['s3:GetObject'], resourceArns: [table.s3Prefix, errorsPrefix].map((prefix) => `${bucketArn}/${prefix}*`) });
    iam.Grant.addToPrincipal({ grantee: this.deliveryRole, actions: ['s3:ListBucketMultipartUploads'], resourceArns: [bucketArn] });
    // What format conversion reads: the table's definition, nothing else in the catalog.
    iam.Grant.addToPrincipal({
      grantee: this.deliveryRole,
      actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
      resourceArns: [table.database.catalog.catalogArn, table.database.databaseArn, table.tableArn],
    });
    const logGroup = props.logs.logGroup(this, 'DeliveryLogGroup', props.logRetention ?? logs.RetentionDays.THREE_MONTHS, removalPolicy);
    logGroup.grantWrite(this.deliveryRole);

    this.delivery = new firehose.DeliveryStream(this, 'Delivery', {
      deliveryStreamName: props.deliveryStreamName,
      source: new firehose.KinesisStreamSource(this.stream),
      role: this.deliveryRole,
      destination: new firehose.S3Bucket(table.bucket, {
        // S3Bucket grants its role read-write on the whole bucket. An immutable view of the role
        // keeps those grants out; the ones above give exactly what delivery needs.
        role: this.deliveryRole.withoutPolicyUpdates(),
        dataOutputPrefix: this.dataOutputPrefix,
        errorOutputPrefix: this.errorOutputPrefix,
        bufferingInterval: props.bufferingInterval ?? Duration.minutes(5),
        bufferingSize: props.bufferingSize ?? Size.mebibytes(128),
        encryptionKey: storage.key,
        loggingConfig: new firehose.EnableLogging(logGroup),
        dataFormatConversion: {
          schemaConfiguration: firehose.SchemaConfiguration.fromCfnTable(cfnTable),
          inputFormat: new firehose.OpenXJsonInputFormat(),
          outputFormat: new firehose.ParquetOutputFormat({ compression: firehose.ParquetCompression.SNAPPY }),
        },
      }),
    });
    Validations.of(this.delivery).acknowledge({
      id: 'AwsSolutions-KDF1',
      reason: 'Delivery-stream SSE applies to Direct PUT only; this one reads a Kinesis stream encrypted with a customer-managed key and writes SSE-KMS objects with the lake key.',
    });
  }

  /** Put records: kinesis:PutRecord(s) on this stream and GenerateDataKey on its key. */
  grantWrite(producer: iam.IGrantable): iam.Grant {
    return this.stream.grantWrite(producer);
  }
}
