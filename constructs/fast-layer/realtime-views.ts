import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as lambdaNodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { CONSUMER_ENVIRONMENT } from '../../functions/views-consumer/settings';
import { EXPIRES_AT, PARTITION_KEY, SORT_KEY } from '../../functions/views-consumer/views';
import { DEFAULT_BATCH_SIZE, type RealtimeViewsProps } from './realtime-views-props';

/**
 * Real-time views of the event stream in DynamoDB, kept by a Lambda consumer that never loses an
 * event: per-type counters per minute (expired by TTL) and per-user totals with last-seen.
 *
 * The consumer sums each batch before writing and applies it exactly once: each view item carries
 * its own per-shard high-water mark (functions/views-consumer/plan.ts).
 * Malformed records go to the dead-letter queue with their reason; batches that keep failing are
 * retried, halved, and finally described there by Lambda. An alarm fires on the first message
 * in the queue, another when the consumer falls behind.
 */
export class RealtimeViews extends Construct {
  readonly table: dynamodb.TableV2;
  readonly consumer: lambdaNodejs.NodejsFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly alarmTopic: sns.ITopic;
  readonly deadLetterAlarm: cloudwatch.Alarm;
  readonly lagAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: RealtimeViewsProps) {
    super(scope, id);
    const { encryptionKey } = props;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const maxRecordAge = props.maxRecordAge ?? Duration.hours(1);
    if (maxRecordAge.toSeconds() >= props.events.retention.toSeconds()) {
      throw new Error(
        `RealtimeViews ${this.node.path}: props.maxRecordAge (${maxRecordAge.toHumanString()}) must be shorter than the stream's retention (${props.events.retention.toHumanString()}), or records would expire before they reach the dead-letter queue`,
      );
    }

    const maxEventAge = props.maxEventAge ?? Duration.days(1);
    if (maxEventAge.toSeconds() <= maxRecordAge.toSeconds()) {
      throw new Error(
        `RealtimeViews ${this.node.path}: props.maxEventAge (${maxEventAge.toHumanString()}) must be longer than props.maxRecordAge (${maxRecordAge.toHumanString()}), or the consumer would reject the records it is catching up with`,
      );
    }

    this.table = new dynamodb.TableV2(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: SORT_KEY, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: EXPIRES_AT,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection ?? true,
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(encryptionKey),
      removalPolicy,
    });
    Validations.of(this.table).acknowledge({
      id: 'NIST.800.53.R5-DynamoDBInBackupPlan',
      reason: 'Point-in-time recovery keeps 35 days of restorable history; the views are derived data that the stream (within its retention) and silver can rebuild, so a separate AWS Backup plan adds cost, not recoverability.',
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: props.deadLetterQueueName,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    for (const id of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
      Validations.of(this.deadLetterQueue).acknowledge({
        id,
        reason: 'This queue is the dead-letter queue of the views consumer (its on-failure destination and the target of malformed records); a dead-letter queue of its own would only move failed records further from the people who replay them.',
      });
    }

    const role = new iam.Role(this, 'ConsumerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Views consumer of ${this.node.path}: read the stream, update the views, send dead letters`,
    });
    const logGroup = props.logs.logGroup(this, 'ConsumerLogGroup', props.logRetention ?? logs.RetentionDays.THREE_MONTHS, removalPolicy);
    logGroup.grantWrite(role);
    Validations.of(role).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: "The consumer role's inline policy is generated from this construct's grants for this role alone and lives and dies with it, so it cannot be attached elsewhere by mistake.",
    });
    // UpdateItem writes the view items and the shards' dead-letter marks; GetItem reads those marks.
    this.table.grant(role, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    // Dead letters come from the handler (malformed records, by SendMessageBatch, which IAM
    // authorizes as sqs:SendMessage) and from Lambda (failed batches).
    // SqsDlq would grant kms:ReEncrypt* and kms:GenerateDataKey*; sending needs exactly this.
    this.deadLetterQueue.grant(role, 'sqs:SendMessage');
    // The handler's kinesis:DescribeStreamSummary (the stream's creation time) is in the read
    // grant the event source gives the role.
    encryptionKey.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');

    this.consumer = new lambdaNodejs.NodejsFunction(this, 'Consumer', {
      description: 'Keeps the real-time views of the event stream in DynamoDB',
      entry: join(__dirname, '..', '..', 'functions', 'views-consumer', 'handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.minutes(1),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        [CONSUMER_ENVIRONMENT.tableName]: this.table.tableName,
        [CONSUMER_ENVIRONMENT.deadLetterQueueUrl]: this.deadLetterQueue.queueUrl,
        [CONSUMER_ENVIRONMENT.minuteTtlSeconds]: String((props.minuteCountersRetention ?? Duration.days(7)).toSeconds()),
        [CONSUMER_ENVIRONMENT.maxEventAheadSeconds]: String((props.maxEventTimeAhead ?? Duration.minutes(15)).toSeconds()),
        [CONSUMER_ENVIRONMENT.maxEventAgeSeconds]: String(maxEventAge.toSeconds()),
        NODE_OPTIONS: '--enable-source-maps',
      },
      // Bundled offline by the local esbuild; the runtime provides the AWS SDK v3.
      bundling: { externalModules: ['@aws-sdk/*'], minify: true, sourceMap: true, target: 'node24', forceDockerBundling: false },
    });
    // Lambda renders a DependsOn on its role beside the GetAtt, which cfn-lint calls redundant
    // (W3005); the DependsOn also covers the role's policy, which must exist before the mapping.
    (this.consumer.node.defaultChild as lambda.CfnFunction).addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });

    this.consumer.addEventSource(
      new KinesisEventSource(props.events.stream, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: props.batchSize ?? DEFAULT_BATCH_SIZE,
        maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(5),
        // One batch per shard at a time: records of a shard reach the items in order.
        parallelizationFactor: 1,
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: props.retryAttempts ?? 10,
        maxRecordAge,
        onFailure: { bind: () => ({ destination: this.deadLetterQueue.queueArn }) },
      }),
    );

    for (const id of ['NIST.800.53.R5-LambdaDLQ', 'Serverless-LambdaDLQ', 'Serverless-LambdaAsyncFailureDestination']) {
      Validations.of(this.consumer).acknowledge({
        id,
        reason: 'The consumer is only invoked synchronously by its Kinesis event source mapping, whose on-failure destination is the dead-letter queue; an asynchronous-invocation DLQ would never receive anything.',
      });
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only the X-Ray actions of active tracing (PutTraceSegments, PutTelemetryRecords) are on "*": X-Ray supports no resource-level permissions for them.',
    });
    Validations.of(this.consumer).acknowledge({
      id: 'NIST.800.53.R5-LambdaConcurrency',
      reason: 'Concurrency is bounded by the event source mapping: one invocation per shard (parallelization factor 1); reserving concurrency would also fail in accounts whose unreserved pool is small.',
    });
    Validations.of(this.consumer).acknowledge({
      id: 'NIST.800.53.R5-LambdaInsideVPC',
      reason: 'The consumer reaches only AWS APIs (Kinesis through its mapping, DynamoDB, SQS) over TLS with IAM; it serves nothing and reaches nothing in the VPC, so a VPC would add NAT or endpoints without reducing exposure.',
    });

    this.alarmTopic = props.alarmTopic ?? this.encryptedTopic(encryptionKey);
    const notify = new cloudwatchActions.SnsAction(this.alarmTopic);
    this.deadLetterAlarm = this.deadLetterQueue
      .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM })
      .createAlarm(this, 'DeadLetterAlarm', {
        alarmDescription: 'Records are waiting in the views dead-letter queue: inspect and replay them (docs/fast-layer.md)',
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.lagAlarm = this.consumer
      .metric('IteratorAge', { period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM })
      .createAlarm(this, 'LagAlarm', {
        alarmDescription: 'The views consumer is half-way to its maximum record age: records will soon go to the dead-letter queue',
        threshold: maxRecordAge.toMilliseconds() / 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    for (const alarm of [this.deadLetterAlarm, this.lagAlarm]) alarm.addAlarmAction(notify);
  }

  /** Query and read the views. */
  grantReadViews(grantee: iam.IGrantable): iam.Grant {
    return this.table.grantReadData(grantee);
  }

  /** A topic encrypted with `key`, which this account's CloudWatch alarms may use to publish. */
  private encryptedTopic(key: kms.IKey): sns.Topic {
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    return new sns.Topic(this, 'AlarmTopic', { displayName: `Fast-layer alarms of ${this.node.path}`, masterKey: key, enforceSSL: true });
  }
}
