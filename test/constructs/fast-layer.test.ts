import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EncryptedLogs } from '../../constructs/encrypted-logs';
import { EventStream, RealtimeViews } from '../../constructs/fast-layer';
import { LakeCatalog } from '../../constructs/lake-catalog';
import { LakeStorage } from '../../constructs/lake-storage';
import { DATASETS, PARTITION_KEY } from '../../lib/datasets';
import { ResourceNames } from '../../lib/naming';
import { nagFindings, policyStatements, synthPlatform, templateOf } from '../harness/platform';

const platform = synthPlatform();
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- template JSON is untyped
type Json = any;
const only = (template: Template, type: string): Json => {
  const resources = Object.values(template.findResources(type));
  expect(resources).toHaveLength(1);
  return resources[0];
};
const logicalId = (template: Template, type: string) => {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0];
};
const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const statementsOf = (template: Template, rolePrefix: string): Json[] => policyStatements(template, `^${rolePrefix}`);

describe.each([...platform.stages.keys()])('%s fast layer', (env) => {
  const stack = platform.stages.get(env)!.fastLayer;
  const { config } = platform.stages.get(env)!;
  const template = templateOf(stack);
  const lake = templateOf(platform.stages.get(env)!.lake);
  const keyId = template.getResourceId('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('event stream') } });
  const bucket = `arn:aws:s3:::${new ResourceNames(config).bucket('bronze')}`;
  const alertsTopicArn = new ResourceNames(config).alertsTopicArn;

  test('the stream is encrypted with the fast layer key, with the configured capacity and retention', () => {
    const { Properties } = only(template, 'AWS::Kinesis::Stream');
    expect(Properties).toMatchObject({
      Name: `bdp-${env}-events`,
      RetentionPeriodHours: config.streaming.retentionHours,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: getAtt(keyId) },
      StreamModeDetails: { StreamMode: config.streaming.mode },
    });
    expect(Properties.ShardCount).toBe(config.streaming.mode === 'PROVISIONED' ? config.streaming.shardCount : undefined);
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/bdp-${env}-fast-layer`, TargetKeyId: getAtt(keyId) });
  });

  test('every KMS key rotates; every log group is encrypted and has a retention', () => {
    for (const key of Object.values(template.findResources('AWS::KMS::Key'))) expect(key.Properties.EnableKeyRotation).toBe(true);
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    // Firehose errors and the consumer, plus the views API's access and execution logs.
    expect(logGroups).toHaveLength(4);
    for (const logGroup of logGroups) {
      expect(logGroup.Properties.KmsKeyId).toEqual(getAtt(expect.stringMatching(/^FastLayerLogsKey/)));
      expect(logGroup.Properties.RetentionInDays).toBe(90);
    }
  });

  describe('Firehose to bronze', () => {
    const { Properties } = only(template, 'AWS::KinesisFirehose::DeliveryStream');
    const destination = Properties.ExtendedS3DestinationConfiguration;
    const fromLake = (output: RegExp) => ({ 'Fn::GetStackOutput': { StackName: platform.stages.get(env)!.lake.stackName, Region: config.region, OutputName: expect.stringMatching(output) } });
    const eventsTable = Object.values(lake.findResources('AWS::Glue::Table')).find((t) => t.Properties.TableInput.Name === 'events' && JSON.stringify(t).includes('bronzeDatabase'))!;

    test('reads the stream and writes Parquet converted with the lake bronze.events table', () => {
      expect(Properties).toMatchObject({ DeliveryStreamType: 'KinesisStreamAsSource', KinesisStreamSourceConfiguration: { KinesisStreamARN: getAtt(logicalId(template, 'AWS::Kinesis::Stream')) } });
      expect(destination.BucketARN).toEqual(fromLake(/StorageBronzeBucket/));
      expect(destination.DataFormatConversionConfiguration).toEqual({
        Enabled: true,
        InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
        OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } },
        SchemaConfiguration: {
          CatalogId: config.account,
          Region: config.region,
          DatabaseName: fromLake(/bronzeDatabase/),
          TableName: fromLake(/bronzeevents/),
          RoleARN: getAtt(expect.stringMatching(/^EventsDeliveryRole/)),
          VersionId: 'LATEST',
        },
      });
    });

    test("lands under the table's location in daily dt= partitions that its projection reads", () => {
      const location = eventsTable.Properties.TableInput.StorageDescriptor.Location['Fn::Join'][1].at(-1);
      const { Parameters } = eventsTable.Properties.TableInput;
      expect(location).toBe('/events/');
      expect(destination.Prefix).toBe(`events/dt=!{timestamp:${Parameters['projection.dt.format']}}/`);
      expect(Parameters['projection.dt.format']).toBe('yyyy-MM-dd');
    });

    test('records that fail conversion land outside the table, per error type and day', () => {
      expect(destination.ErrorOutputPrefix).toBe('firehose-errors/events/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/');
    });

    test('buffers for large Parquet files, encrypts with the lake key and logs errors to an encrypted group', () => {
      expect(destination.BufferingHints).toEqual({ IntervalInSeconds: 300, SizeInMBs: 128 });
      expect(destination.EncryptionConfiguration).toEqual({ KMSEncryptionConfig: { AWSKMSKeyARN: fromLake(/StorageKey/) } });
      expect(destination.CloudWatchLoggingOptions).toEqual({ Enabled: true, LogGroupName: { Ref: expect.stringMatching(/^EventsDeliveryLogGroup/) }, LogStreamName: { Ref: expect.stringMatching(/^EventsDeliveryLogGroup/) } });
    });

    test('the delivery role adds objects to bronze only under its two prefixes (never deletes), and reads only the stream and the table definition', () => {
      const statements = statementsOf(template, 'EventsDeliveryRole');
      const s3 = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
      // AWS's documented Firehose S3 policy, on the two prefixes (bucket-level actions on the bucket), without any delete.
      const granted = (action: string) => s3.filter((st) => [st.Action].flat().includes(action)).flatMap((st) => [st.Resource].flat()).sort();
      const prefixes = [`${bucket}/events/*`, `${bucket}/firehose-errors/events/*`];
      for (const action of ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject']) expect([action, granted(action)]).toEqual([action, prefixes]);
      for (const action of ['s3:GetBucketLocation', 's3:ListBucketMultipartUploads']) expect([action, [...new Set(granted(action))]]).toEqual([action, [bucket]]);
      expect(s3.filter((st) => [st.Action].flat().includes('s3:ListBucket'))).toEqual([
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket, Condition: { StringLike: { 's3:prefix': ['events/*'] } } },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket, Condition: { StringLike: { 's3:prefix': ['firehose-errors/events/*'] } } },
      ]);
      const actions = new Set(s3.flatMap((st) => [st.Action].flat()));
      expect([...actions].sort()).toEqual(['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:ListMultipartUploadParts', 's3:PutObject']);
      expect([...actions].filter((a) => /Delete|\*/.test(a))).toEqual([]);
      expect(statements).toContainEqual({ Effect: 'Allow', Action: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'], Resource: expect.any(Array) });
      expect(statements).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['kinesis:GetRecords']), Resource: getAtt(logicalId(template, 'AWS::Kinesis::Stream')) }));
    });

    test('only Firehose of this account may assume the delivery role', () => {
      const role = template.findResources('AWS::IAM::Role')[template.getResourceId('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('^Firehose') } })];
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'firehose.amazonaws.com' }, Condition: { StringEquals: { 'sts:ExternalId': config.account } } },
      ]);
    });
  });

  describe('the views consumer', () => {
    const fn = only(template, 'AWS::Lambda::Function');
    const mapping = only(template, 'AWS::Lambda::EventSourceMapping').Properties;
    const queueId = logicalId(template, 'AWS::SQS::Queue');

    test('runs on the latest Node.js runtime that aws-cdk-lib offers, traced, with JSON logs to its encrypted group', () => {
      const latest = Math.max(...lambda.Runtime.ALL.map((r) => /^nodejs(\d+)\.x$/.exec(r.name)?.[1]).filter(Boolean).map(Number));
      expect(fn.Properties).toMatchObject({
        Runtime: `nodejs${latest}.x`,
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: 60,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.stringMatching(/^ViewsConsumerLogGroup/) } },
        Environment: {
          Variables: {
            VIEWS_TABLE_NAME: { Ref: logicalId(template, 'AWS::DynamoDB::GlobalTable') },
            DEAD_LETTER_QUEUE_URL: { Ref: queueId },
            MINUTE_TTL_SECONDS: String(7 * 24 * 3600),
            MAX_EVENT_AHEAD_SECONDS: String(15 * 60),
            MAX_EVENT_AGE_SECONDS: String(24 * 3600),
          },
        },
      });
    });

    test('is bundled by esbuild with the AWS SDK left to the runtime', () => {
      const bundle = readFileSync(join(platform.app.outdir, `asset.${fn.Properties.Code.S3Key.replace('.zip', '')}`, 'index.js'), 'utf8');
      expect(bundle).toMatch(/require\("@aws-sdk\/client-dynamodb"\)/);
      expect(bundle).not.toMatch(/class DynamoDBClient/);
      expect(bundle).toContain('"event_id"');
      expect(bundle).toMatch(/require\("@aws-sdk\/client-kinesis"\)/);
      // The consumer reads bronze.events from the declaration itself; zod stays out of the function.
      expect(bundle).not.toMatch(/ZodError|zod/);
    });

    test('reads the stream from the start, bisecting, retrying and reporting partial failures, failed batches to the DLQ', () => {
      expect(mapping).toMatchObject({
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 1000,
        MaximumBatchingWindowInSeconds: 5,
        ParallelizationFactor: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 10,
        MaximumRecordAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: getAtt(queueId) } },
      });
      expect(mapping.MaximumRecordAgeInSeconds).toBeLessThan(config.streaming.retentionHours * 3600);
    });

    test('its role can do exactly its job; only X-Ray, which has no resource-level permissions, is on "*"', () => {
      const statements = statementsOf(template, 'ViewsConsumerRole');
      const byAction = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
      expect(byAction('dynamodb:UpdateItem')).toEqual([{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: getAtt(logicalId(template, 'AWS::DynamoDB::GlobalTable')) }]);
      expect(byAction('sqs:SendMessage')).toEqual([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: getAtt(queueId) }]);
      expect(byAction('kms:GenerateDataKey')).toEqual([{ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: getAtt(keyId) }]);
      expect(statements.filter((s) => s.Resource === '*')).toEqual([{ Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' }]);
      // The handler tells the stream's epoch by DescribeStreamSummary on the stream it reads.
      expect(byAction('kinesis:DescribeStreamSummary')).toEqual([expect.objectContaining({ Resource: getAtt(logicalId(template, 'AWS::Kinesis::Stream')) })]);
    });

    test('the dead-letter queue is KMS-encrypted, TLS-only, keeps messages 14 days, and alarms on the first one', () => {
      expect(only(template, 'AWS::SQS::Queue').Properties).toMatchObject({ KmsMasterKeyId: getAtt(keyId), MessageRetentionPeriod: 14 * 24 * 3600 });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [alertsTopicArn],
      });
    });

    test("a lag alarm fires half-way to the maximum record age; alarms notify the platform's alerts topic", () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge', Threshold: 1_800_000, AlarmActions: [alertsTopicArn] });
      template.resourceCountIs('AWS::SNS::Topic', 0);
    });
  });

  describe('the views table', () => {
    const table = only(template, 'AWS::DynamoDB::GlobalTable');
    const [replica] = table.Properties.Replicas;

    test('on demand, keyed pk/sk, minute items expired by TTL, encrypted with the fast layer key', () => {
      expect(table.Properties).toMatchObject({
        TableName: `bdp-${env}-realtime-views`,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      });
      expect(replica.SSESpecification).toEqual({ KMSMasterKeyId: getAtt(keyId) });
    });

    test('point-in-time recovery is on; deletion protection only in production', () => {
      expect(replica.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(replica.DeletionProtectionEnabled).toBe(config.production);
    });

    test(`stateful resources are ${config.lake.removalPolicy === 'destroy' ? 'deleted with this disposable environment' : 'retained'}`, () => {
      const policy = config.lake.removalPolicy === 'destroy' ? 'Delete' : 'Retain';
      for (const type of ['AWS::DynamoDB::GlobalTable', 'AWS::SQS::Queue', 'AWS::KMS::Key', 'AWS::Kinesis::Stream', 'AWS::Logs::LogGroup']) {
        for (const resource of Object.values(template.findResources(type))) expect([type, resource.DeletionPolicy]).toEqual([type, policy]);
      }
    });
  });

  test('nothing anywhere in the stack grants s3:*, and the only wildcard resource is X-Ray', () => {
    for (const statement of policyStatements(template)) {
      expect([statement.Action].flat()).not.toContain('s3:*');
      if ([statement.Resource].flat().includes('*')) expect(statement.Action).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
  });
});

describe('docs/fast-layer.md', () => {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'fast-layer.md'), 'utf8');

  test('names only stack outputs that the fast-layer stack has', () => {
    const outputs = Object.keys(templateOf(platform.stages.get('dev')!.fastLayer).findOutputs('*'));
    const named = [...doc.matchAll(/OutputKey=='(\w+)'|`(\w+)` output/g)].map((m) => m[1] ?? m[2]);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((name) => !outputs.includes(name))).toEqual([]);
  });

  test("names the lake grants the event stream really makes", () => {
    const source = readFileSync(join(__dirname, '..', '..', 'constructs', 'fast-layer', 'event-stream.ts'), 'utf8');
    const named = [...doc.matchAll(/storage\.(grant\w+)\(/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    for (const grant of named) expect([grant, source.includes(`storage.${grant}(`)]).toEqual([grant, true]);
  });
});

describe('compliance', () => {
  test('cdk-nag AwsSolutions, NIST 800-53 R5 and Serverless report no unacknowledged finding in the fast layer', () => {
    expect(nagFindings(platform.app).filter((f) => /^[A-Za-z]+\/FastLayer\//.test(f.path))).toEqual([]);
  });

  test('every acknowledgement in the fast layer names one rule and says which risk is accepted and why', () => {
    const acks = [...platform.stages.values()].map((stage) => stage.fastLayer).flatMap((stack) =>
      stack.node
        .findAll()
        .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.entries(m.data as Record<string, string>)))
        .filter(([id]) => id.startsWith('Annotation::')),
    );
    expect(acks.length).toBeGreaterThan(0);
    for (const [id, reason] of acks) {
      expect(id).toMatch(/^Annotation::(AwsSolutions|NIST\.800\.53\.R5|Serverless)-[A-Za-z0-9]+(\[.+\])?$/);
      expect(reason.length).toBeGreaterThan(60);
    }
  });
});

const fixture = () => {
    const stack = new Stack(new App(), 'Fixture', { env: { account: '123456789012', region: 'eu-north-1' } });
    const names = new ResourceNames({ name: 'x', account: '123456789012', region: 'eu-north-1' });
    const storage = new LakeStorage(stack, 'Storage', {
      ...names.lakeStorage,
      bronzeLifecycle: { infrequentAccessAfterDays: 30, glacierAfterDays: 90, expireAfterDays: 365 },
      noncurrentVersionsExpireAfterDays: 30,
      logsExpireAfterDays: 30,
    });
    const catalog = new LakeCatalog(stack, 'Catalog', { ...names.lakeCatalog, datasets: DATASETS, partitionKey: PARTITION_KEY, zoneBuckets: storage.buckets });
    return { stack, storage, catalog, key: new kms.Key(stack, 'Key'), logs: new EncryptedLogs(stack, 'Logs', { purpose: 'test' }) };
};

describe('on their own, the constructs', () => {
  const { stack, storage, catalog, key, logs } = fixture();
  const events = new EventStream(stack, 'Events', { encryptionKey: key, storage, table: catalog.tables.get('bronze.events')!, logs });
  const alerts = new sns.Topic(stack, 'Alerts');
  const views = new RealtimeViews(stack, 'Views', { events, encryptionKey: key, logs, alarmTopic: alerts });
  const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
  events.grantWrite(producer);
  views.grantReadViews(reader);
  const template = Template.fromStack(stack);
  const statements = (role: string): Json[] => template.findResources('AWS::IAM::Policy')[template.getResourceId('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } })].Properties.PolicyDocument.Statement;

  test('default to an on-demand stream kept 24 hours, and to deletion protection', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', { RetentionPeriodHours: 24, StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })] });
  });

  test('notify the alarm topic they are given instead of creating one', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: stack.getLogicalId(alerts.node.defaultChild as sns.CfnTopic) }]);
  });

  test('grant producers puts on the stream, and readers reads of the views', () => {
    const streamId = template.getResourceId('AWS::Kinesis::Stream', {});
    expect(statements(stack.getLogicalId(producer.node.defaultChild as iam.CfnRole))).toContainEqual(
      expect.objectContaining({ Action: expect.arrayContaining(['kinesis:PutRecord', 'kinesis:PutRecords']), Resource: getAtt(streamId) }),
    );
    expect(statements(stack.getLogicalId(reader.node.defaultChild as iam.CfnRole))).toContainEqual(
      expect.objectContaining({ Action: expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']), Resource: getAtt(template.getResourceId('AWS::DynamoDB::GlobalTable', {})) }),
    );
  });
});

describe('props are checked early, naming the prop', () => {
  test('a table stored outside props.storage', () => {
    const { stack, catalog, key, logs } = fixture();
    const other = fixture().storage;
    expect(() => new EventStream(stack, 'Events', { encryptionKey: key, storage: other, table: catalog.tables.get('bronze.events')!, logs })).toThrow(
      /EventStream Fixture\/Events: props.table \(Fixture\/Catalog\/bronze-events\) is not stored in a bucket of props.storage/,
    );
  });

  test('a maximum record age the stream would not keep records for', () => {
    const { stack, storage, catalog, key, logs } = fixture();
    const events = new EventStream(stack, 'Events', { encryptionKey: key, storage, table: catalog.tables.get('bronze.events')!, logs, retention: Duration.hours(24) });
    expect(() => new RealtimeViews(stack, 'Views', { events, encryptionKey: key, logs, maxRecordAge: Duration.days(2) })).toThrow(
      "RealtimeViews Fixture/Views: props.maxRecordAge (2 days) must be shorter than the stream's retention (1 day), or records would expire before they reach the dead-letter queue",
    );
  });

  test('a maximum event age no longer than the maximum record age', () => {
    const { stack, storage, catalog, key, logs } = fixture();
    const events = new EventStream(stack, 'Events', { encryptionKey: key, storage, table: catalog.tables.get('bronze.events')!, logs });
    expect(() => new RealtimeViews(stack, 'Views', { events, encryptionKey: key, logs, maxRecordAge: Duration.hours(2), maxEventAge: Duration.hours(2) })).toThrow(
      'RealtimeViews Fixture/Views: props.maxEventAge (2 hours) must be longer than props.maxRecordAge (2 hours), or the consumer would reject the records it is catching up with',
    );
  });
});
