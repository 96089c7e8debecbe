import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { LakeStorage } from '../../constructs/lake-storage';
import { LAKE_BUCKETS, ResourceNames } from '../../lib/naming';
import { nagFindings, synthPlatform, templateOf } from '../harness/platform';

const platform = synthPlatform();
const lake = (env: string) => templateOf(platform.stages.get(env)!.lake);
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- template JSON is untyped
const bucketNamed = (template: Template, name: string): { logicalId: string; Properties: any } => {
  const [bucket] = Object.entries(template.findResources('AWS::S3::Bucket', { Properties: { BucketName: name } }));
  expect(bucket).toBeDefined();
  return { logicalId: bucket[0], Properties: bucket[1].Properties };
};

describe.each([...platform.stages.keys()])('%s lake storage', (env) => {
  const config = platform.stages.get(env)!.config;
  const template = lake(env);
  const names = new ResourceNames(config);

  test('a rotating customer-managed key with an alias', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/bdp-${env}-lake` });
  });

  test('five buckets whose names carry the environment, account and region', () => {
    template.resourceCountIs('AWS::S3::Bucket', 5);
    for (const bucket of LAKE_BUCKETS) {
      expect(names.bucket(bucket)).toBe(`bdp-${env}-${bucket}-${config.account}-${config.region}`);
      bucketNamed(template, names.bucket(bucket));
    }
  });

  test.each([...LAKE_BUCKETS])('%s bucket: private, no ACLs, versioned', (bucket) => {
    const { Properties } = bucketNamed(template, names.bucket(bucket));
    expect(Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  test.each([...LAKE_BUCKETS])('%s bucket: refuses plain HTTP and TLS below 1.2', (bucket) => {
    const { logicalId } = bucketNamed(template, names.bucket(bucket));
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  test.each(['bronze', 'silver', 'gold', 'artifacts'] as const)('%s bucket: SSE-KMS with the lake key and a bucket key, access-logged', (bucket) => {
    const { Properties } = bucketNamed(template, names.bucket(bucket));
    expect(Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^StorageKey/), 'Arn'] } } },
    ]);
    expect(Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: bucketNamed(template, names.bucket('logs')).logicalId },
      LogFilePrefix: `s3-access/${names.bucket(bucket)}/`,
    });
  });

  test('the logs bucket uses SSE-S3, the only encryption S3 access logging delivers to', () => {
    const { Properties } = bucketNamed(template, names.bucket('logs'));
    expect(Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }]);
  });

  test('bronze moves to infrequent access, then Glacier, then expires, as configured', () => {
    const rules = bucketNamed(template, names.bucket('bronze')).Properties.LifecycleConfiguration.Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({
        Status: 'Enabled',
        Transitions: [
          { StorageClass: 'STANDARD_IA', TransitionInDays: config.lake.bronzeInfrequentAccessAfterDays },
          { StorageClass: 'GLACIER', TransitionInDays: config.lake.bronzeGlacierAfterDays },
        ],
        ExpirationInDays: config.lake.bronzeExpireAfterDays,
      }),
    );
  });

  test.each([...LAKE_BUCKETS])('%s bucket: noncurrent versions expire and incomplete uploads are aborted', (bucket) => {
    const rules = bucketNamed(template, names.bucket(bucket)).Properties.LifecycleConfiguration.Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, NoncurrentVersionExpiration: { NoncurrentDays: config.lake.noncurrentVersionsExpireAfterDays } }),
    );
  });

  test('Athena results expire, logs expire as configured', () => {
    expect(bucketNamed(template, names.bucket('gold')).Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ Prefix: 'athena-results/', ExpirationInDays: 30 }),
    );
    expect(bucketNamed(template, names.bucket('logs')).Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ ExpirationInDays: config.lake.logsExpireAfterDays }),
    );
  });

  test('no statement in the lake grants s3:* or any action on Resource "*" (key policies aside)', () => {
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        expect([statement.Action].flat()).not.toContain('s3:*');
        expect([statement.Resource].flat()).not.toContain('*');
      }
    }
  });
});

describe('removal policy safety valve', () => {
  const stateful = ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Glue::Database', 'AWS::Glue::Table', 'AWS::Athena::WorkGroup'];

  test.each(['staging', 'prod'])('%s retains buckets, key, catalog and workgroup, and never empties a bucket', (env) => {
    const template = lake(env);
    for (const type of stateful) {
      const resources = Object.values(template.findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources) expect([type, resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual([type, 'Retain', 'Retain']);
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('dev, whose config allows it, destroys them and empties its buckets first', () => {
    const template = lake('dev');
    for (const type of stateful) {
      for (const resource of Object.values(template.findResources(type))) expect([type, resource.DeletionPolicy]).toEqual([type, 'Delete']);
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 5);
  });

  test('a construct used without a removal policy retains', () => {
    const stack = new Stack(new App(), 'Default', { env: { account: '123456789012', region: 'eu-north-1' } });
    new LakeStorage(stack, 'Lake', {
      ...new ResourceNames({ name: 'x', account: '123456789012', region: 'eu-north-1' }).lakeStorage,
      bronzeLifecycle: { infrequentAccessAfterDays: 30, glacierAfterDays: 90, expireAfterDays: 365 },
      noncurrentVersionsExpireAfterDays: 30,
      logsExpireAfterDays: 30,
    });
    for (const bucket of Object.values(Template.fromStack(stack).findResources('AWS::S3::Bucket'))) expect(bucket.DeletionPolicy).toBe('Retain');
  });
});

describe('grants are least privilege by bucket and prefix', () => {
  const app = new App();
  const stack = new Stack(app, 'Grants', { env: { account: '123456789012', region: 'eu-north-1' } });
  const storage = new LakeStorage(stack, 'Lake', {
    ...new ResourceNames({ name: 'x', account: '123456789012', region: 'eu-north-1' }).lakeStorage,
    bronzeLifecycle: { infrequentAccessAfterDays: 30, glacierAfterDays: 90, expireAfterDays: 365 },
    noncurrentVersionsExpireAfterDays: 30,
    logsExpireAfterDays: 30,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const role = new iam.Role(stack, 'Etl', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  storage.grantRead(role, 'bronze');
  storage.grantWrite(role, 'silver', 'events/');
  storage.grantAppend(role, 'gold', 'incoming/');
  const template = Template.fromStack(stack);
  const statements = Object.values(template.findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument.Statement;
  const ref = (bucket: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::bdp-x-${bucket}-123456789012-eu-north-1`]] });
  const objects = (bucket: string, prefix: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::bdp-x-${bucket}-123456789012-eu-north-1/${prefix}*`]] });

  test('read: get objects of that bucket, list it, decrypt with the lake key', () => {
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: objects('bronze', '') }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: 's3:ListBucket', Resource: ref('bronze') }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'kms:Decrypt' }));
  });

  test('write under a prefix: put and delete only there, list only that prefix, no read', () => {
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:DeleteObject'], Resource: objects('silver', 'events/') }),
    );
    expect(statements).toContainEqual(expect.objectContaining({ Action: 's3:ListBucket', Resource: ref('silver'), Condition: { StringLike: { 's3:prefix': ['events/*'] } } }));
    expect(statements).not.toContainEqual(expect.objectContaining({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: objects('silver', 'events/') }));
  });

  test('append under a prefix: add objects there, never delete', () => {
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: objects('gold', 'incoming/') }));
    const gold = statements.filter((s: { Resource: unknown }) => JSON.stringify(s.Resource).includes('bdp-x-gold-'));
    expect(gold.flatMap((s: { Action: string | string[] }) => [s.Action].flat())).not.toContain('s3:DeleteObject');
  });

  test('nothing on the other buckets', () => {
    const text = JSON.stringify(statements);
    for (const other of ['artifacts', 'logs']) expect(text).not.toContain(`bdp-x-${other}-`);
  });

  test('the object wildcard is acknowledged, for exactly the granted prefixes', () => {
    expect(nagFindings(app).filter((f) => f.rule.startsWith('AwsSolutions-IAM5'))).toEqual([]);
  });
});
