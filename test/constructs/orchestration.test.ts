import { Match } from 'aws-cdk-lib/assertions';
import { PolicyStatement as Statement, policyStatements as statementsOf, synthPlatform, templateOf } from '../harness/platform';
import { EMR_TLS_CERTIFICATES_KEY } from '../../lib/naming';

const platform = synthPlatform();
const actions = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat());

describe.each([...platform.stages.keys()])('%s orchestration', (env) => {
  const stage = platform.stages.get(env)!;
  const { config } = stage;
  const template = templateOf(stage.orchestration);
  const execution = statementsOf(template, '^AirflowExecutionRole');

  test('a private MWAA environment with the configured version, class and capacity', () => {
    template.hasResourceProperties('AWS::MWAA::Environment', {
      Name: `bdp-${env}`,
      WebserverAccessMode: 'PRIVATE_ONLY',
      AirflowVersion: config.mwaa.airflowVersion,
      EnvironmentClass: config.mwaa.environmentClass,
      MinWorkers: config.mwaa.minWorkers,
      MaxWorkers: config.mwaa.maxWorkers,
      Schedulers: config.mwaa.schedulers,
      WeeklyMaintenanceWindowStart: 'SUN:03:00',
    });
  });

  test('DAGs and requirements from the artifacts bucket, encrypted with the lake key', () => {
    template.hasResourceProperties('AWS::MWAA::Environment', {
      SourceBucketArn: Match.anyValue(),
      DagS3Path: 'dags',
      RequirementsS3Path: 'dags/requirements.txt',
      KmsKey: Match.anyValue(),
    });
    const environment = Object.values(template.findResources('AWS::MWAA::Environment'))[0].Properties;
    expect(JSON.stringify(environment.SourceBucketArn)).toMatch(/StorageArtifactsBucket/);
    expect(JSON.stringify(environment.KmsKey)).toMatch(/StorageKey/);
  });

  test('all five log types at INFO', () => {
    const logging = Object.values(template.findResources('AWS::MWAA::Environment'))[0].Properties.LoggingConfiguration;
    expect(Object.keys(logging).sort()).toEqual(['DagProcessingLogs', 'SchedulerLogs', 'TaskLogs', 'WebserverLogs', 'WorkerLogs']);
    for (const log of Object.values(logging)) expect(log).toEqual({ Enabled: true, LogLevel: 'INFO' });
  });

  test('connections and variables come from Secrets Manager', () => {
    template.hasResourceProperties('AWS::MWAA::Environment', {
      AirflowConfigurationOptions: {
        'secrets.backend': 'airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend',
        'secrets.backend_kwargs': '{"connections_prefix":"airflow/connections","variables_prefix":"airflow/variables"}',
      },
    });
  });

  test('the execution role is trusted by MWAA only and has no wildcard action', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: ['airflow-env.amazonaws.com', 'airflow.amazonaws.com'] },
            Condition: { StringEquals: { 'aws:SourceAccount': config.account }, ArnLike: { 'aws:SourceArn': `arn:aws:airflow:${config.region}:${config.account}:environment/bdp-${env}` } },
          },
        ],
      },
    });
    for (const action of actions(execution)) expect(action).not.toMatch(/\*/);
    expect(actions(execution)).not.toEqual(expect.arrayContaining(['ec2:*', 'ses:*', 'secretsmanager:*']));
  });

  test('PassRole on exactly the two EMR roles, each only to its service', () => {
    const passRole = execution.filter((s) => actions([s]).includes('iam:PassRole'));
    expect(passRole).toHaveLength(2);
    const byService = Object.fromEntries(passRole.map((s) => [s.Condition!.StringEquals['iam:PassedToService'], JSON.stringify(s.Resource)]));
    expect(Object.keys(byService).sort()).toEqual(['ec2.amazonaws.com', 'elasticmapreduce.amazonaws.com']);
    expect(byService['elasticmapreduce.amazonaws.com']).toMatch(/EmrServiceRole/);
    expect(byService['ec2.amazonaws.com']).toMatch(/EmrInstanceRole/);
  });

  test('EMR actions are limited to clusters tagged with this environment', () => {
    const create = execution.find((s) => s.Sid === 'CreateTaggedClusters')!;
    expect(create.Condition).toEqual({ StringEquals: { 'aws:RequestTag/bdp:environment': env } });
    const drive = execution.find((s) => s.Sid === 'DriveOwnClusters')!;
    expect(actions([drive]).sort()).toEqual(
      ['elasticmapreduce:AddJobFlowSteps', 'elasticmapreduce:DescribeCluster', 'elasticmapreduce:DescribeStep', 'elasticmapreduce:TerminateJobFlows'].sort(),
    );
    expect(drive.Resource).toBe(`arn:aws:elasticmapreduce:${config.region}:${config.account}:cluster/*`);
    expect(drive.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/bdp:environment': env } });
  });

  test('Airflow secrets are readable only under their prefixes, and the lake key only through services', () => {
    expect(execution.find((s) => s.Sid === 'ReadAirflowSecrets')!.Resource).toEqual([
      `arn:aws:secretsmanager:${config.region}:${config.account}:secret:airflow/connections/*`,
      `arn:aws:secretsmanager:${config.region}:${config.account}:secret:airflow/variables/*`,
    ]);
    expect(execution.find((s) => s.Sid === 'UseLakeKeyThroughServices')!.Condition).toEqual({
      StringLike: { 'kms:ViaService': [`sqs.${config.region}.amazonaws.com`, `s3.${config.region}.amazonaws.com`, `secretsmanager.${config.region}.amazonaws.com`] },
    });
    expect(execution.filter((s) => actions([s]).includes('sns:Publish')).map((s) => s.Resource)).toEqual([`arn:aws:sns:${config.region}:${config.account}:bdp-${env}-alerts`]);
  });

  test('the MWAA security group admits itself and HTTPS from the VPN clients only', () => {
    const [group] = Object.entries(template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^MWAA') } }));
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { GroupId: { 'Fn::GetAtt': [group[0], 'GroupId'] } } })).map((r) => r.Properties);
    expect(ingress).toHaveLength(2);
    expect(ingress).toContainEqual(expect.objectContaining({ IpProtocol: '-1', SourceSecurityGroupId: { 'Fn::GetAtt': [group[0], 'GroupId'] } }));
    expect(ingress).toContainEqual(expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: expect.objectContaining({ 'Fn::GetStackOutput': expect.anything() }) }));
  });

  test('an EMR security configuration: SSE-KMS on S3, encrypted local disks and EBS, IMDSv2', () => {
    const configuration = Object.values(template.findResources('AWS::EMR::SecurityConfiguration'))[0].Properties.SecurityConfiguration;
    expect(configuration.EncryptionConfiguration).toMatchObject({
      EnableAtRestEncryption: true,
      AtRestEncryptionConfiguration: {
        S3EncryptionConfiguration: { EncryptionMode: 'SSE-KMS' },
        LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: 'AwsKms', EnableEbsEncryption: true },
      },
    });
    expect(configuration.InstanceMetadataServiceConfiguration).toEqual({ MinimumInstanceMetadataServiceVersion: 2, HttpPutResponseHopLimit: 1 });
  });

  test('the EMR service role uses the tag-scoped v2 policy, is trusted only for this account, and has no ec2:*', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'elasticmapreduce.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': config.account }, ArnLike: { 'aws:SourceArn': `arn:aws:elasticmapreduce:${config.region}:${config.account}:*` } },
          },
        ],
      },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonEMRServicePolicy_v2']] }],
    });
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) expect(JSON.stringify(policy)).not.toMatch(/"ec2:\*"|"s3:\*"/);
  });

  test('the EMR-managed security groups and the private subnets carry the tag the v2 policy requires', () => {
    const tagged = Object.values(template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^EMR-managed') } }));
    expect(tagged).toHaveLength(3);
    for (const group of tagged) expect(group.Properties.Tags).toContainEqual({ Key: 'for-use-with-amazon-emr-managed-policies', Value: 'true' });
    const subnets = Object.values(templateOf(stage.network).findResources('AWS::EC2::Subnet', { Properties: { Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-name', Value: 'private' }]) } }));
    for (const subnet of subnets) expect(subnet.Properties.Tags).toContainEqual({ Key: 'for-use-with-amazon-emr-managed-policies', Value: 'true' });
  });

  test('the service-access group lets primary nodes reach EMR on 9443 and EMR reach the nodes on 8443', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { IpProtocol: 'tcp', FromPort: 9443, ToPort: 9443, Description: 'Primary nodes reach the EMR service' });
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 2);
    template.allResourcesProperties('AWS::EC2::SecurityGroupEgress', { IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443 });
  });

  test('cluster nodes read bronze but never write it, and write silver and gold', () => {
    const nodes = statementsOf(template, '^EmrInstanceRole');
    const on = (bucket: string) => nodes.filter((s) => JSON.stringify(s.Resource).includes(`bdp-${env}-${bucket}-`)).flatMap((s) => actions([s]));
    expect(on('bronze')).toContain('s3:GetObject');
    expect(on('bronze')).not.toContain('s3:PutObject');
    for (const zone of ['silver', 'gold']) expect(on(zone)).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject', 's3:DeleteObject']));
    const artifacts = nodes.flatMap((s) => [s.Resource].flat()).filter((r) => JSON.stringify(r).includes(`bdp-${env}-artifacts-`));
    const bucket = `arn:aws:s3:::bdp-${env}-artifacts-${config.account}-${config.region}`;
    expect(new Set(artifacts)).toEqual(new Set([bucket, `${bucket}/etl/*`, `${bucket}/${EMR_TLS_CERTIFICATES_KEY}*`]));
    expect(on('logs')).not.toContain('s3:GetObject');
  });

  test('the platform variable is a KMS-encrypted secret named for the Secrets Manager backend', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'airflow/variables/bdp_platform', KmsKeyId: Match.anyValue() });
  });
});
