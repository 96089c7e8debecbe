import type { Stack } from 'aws-cdk-lib';
import { loadEnvironments } from '../../lib/config';
import { DELIVERY_ROLES, deliveryRoleName } from '../../lib/delivery-names';
import { ResourceNames } from '../../lib/naming';
import { type AccessRequest, FOREIGN_ACCOUNT, unusedGrants } from '../harness/iam/access';
import { DECLARATIONS, type DeclaredCall, PRINCIPALS, PlatformAccess, type PrincipalName, readDeclaration } from '../harness/iam/platform-access';
import { synthPlatform, templateOf } from '../harness/platform';

/**
 * The access matrix: every runtime principal of every environment, evaluated the way IAM evaluates
 * it (identity policies, the resource's own policy, conditions and tags together) on the
 * synthesized templates. Each principal may make the calls its code makes (declared beside that
 * code) and none of the calls listed here as never allowed. Grants that no declared call uses
 * fail the suite unless `KEPT_UNUSED` says why they stay.
 */

const { stages } = synthPlatform();
const environments = loadEnvironments();

function accessOf(name: string): PlatformAccess {
  const stage = stages.get(name)!;
  const stacks = stage.node.children.filter((c): c is Stack => 'templateOptions' in c);
  return new PlatformAccess(
    stage.config,
    stacks.map((stack) => ({ stackName: stack.stackName, account: stack.account, region: stack.region, template: templateOf(stack).toJSON() })),
  );
}

/** A grant no call uses, kept on purpose: `<principal> <action>` and why. */
const KEPT_UNUSED: Readonly<Record<string, string>> = {
  'mwaa-execution sqs:ChangeMessageVisibility': "MWAA's Celery queues live in an AWS-owned account whose queue policy is not ours to model; the actions are MWAA's documented execution-role policy.",
  'mwaa-execution sqs:DeleteMessage': 'As above: Celery on an AWS-owned queue.',
  'mwaa-execution sqs:GetQueueAttributes': 'As above: Celery on an AWS-owned queue.',
  'mwaa-execution sqs:GetQueueUrl': 'As above: Celery on an AWS-owned queue.',
  'mwaa-execution sqs:ReceiveMessage': 'As above: Celery on an AWS-owned queue.',
  'mwaa-execution sqs:SendMessage': 'As above: Celery on an AWS-owned queue.',
  'flow-logs iam:PassRole': "CDK's FlowLog construct lets the role pass itself to the flow-logs service; it can pass nothing else.",
  '* s3:GetBucketLocation': "LakeStorage's grants come with the bucket's location, which S3 clients look up before their first request to a bucket.",
  '* s3:ListBucket': "LakeStorage's grants list the same prefix the object grant covers; listing shows names, never content.",
  '* s3:GetObjectVersion': "LakeStorage's read grant covers object versions: a noncurrent version is data the reader may already read.",
  'views-consumer kinesis:DescribeStreamConsumer': "CDK's Kinesis event source grants read for enhanced fan-out as well; the mapping reads with shared throughput.",
  'views-consumer kinesis:ListStreams': "As above: part of CDK's Kinesis event-source grant.",
  'views-consumer kinesis:SubscribeToShard': "As above: part of CDK's Kinesis event-source grant (enhanced fan-out).",
  'firehose kinesis:DescribeStreamConsumer': "CDK's KinesisStreamSource grants the stream's read set, enhanced fan-out included; Firehose polls.",
  'firehose kinesis:DescribeStreamSummary': "As above: part of CDK's KinesisStreamSource grant.",
  'firehose kinesis:ListStreams': "As above: part of CDK's KinesisStreamSource grant.",
  'firehose kinesis:SubscribeToShard': "As above: part of CDK's KinesisStreamSource grant.",
};
const keptUnused = (principal: string, action: string) => `${principal} ${action}` in KEPT_UNUSED || `* ${action}` in KEPT_UNUSED;

/** What each principal must never be able to do, whatever its code asks. */
function neverAllowed(access: PlatformAccess): Partial<Record<PrincipalName, AccessRequest[]>> {
  const { config, placeholders: p } = access;
  const other = environments.find((e) => e.name !== config.name)!;
  const otherNames = new ResourceNames(other);
  const cluster = (id: string) => `arn:aws:elasticmapreduce:${config.region}:${config.account}:cluster/${id}`;
  const bucket = (name: string, key = 'x') => `arn:aws:s3:::${name}/${key}`;
  const as = (principal: Exclude<PrincipalName, 'service-publishers'>, requests: Omit<AccessRequest, 'principal'>[]) =>
    requests.map((r) => ({ ...r, principal: access.principal(principal) }));
  const service = (principal: string, requests: Omit<AccessRequest, 'principal'>[]) => requests.map((r) => ({ ...r, principal }));
  return {
    'mwaa-execution': as('mwaa-execution', [
      // Taking over a foreign cluster: re-tag it with our environment, then drive it.
      { action: 'elasticmapreduce:AddTags', resource: cluster('j-FOREIGNCLUSTER'), context: { 'aws:RequestTag/bdp:environment': config.name, 'aws:TagKeys': ['bdp:environment'] } },
      { action: 'elasticmapreduce:RemoveTags', resource: cluster('j-FOREIGNCLUSTER'), context: { 'aws:TagKeys': ['bdp:environment'] } },
      { action: 'elasticmapreduce:TerminateJobFlows', resource: cluster('j-OTHERENVCLUSTER'), context: { 'aws:ResourceTag/bdp:environment': other.name } },
      { action: 'elasticmapreduce:AddJobFlowSteps', resource: cluster('j-UNTAGGEDCLUSTER') },
      { action: 'elasticmapreduce:RunJobFlow', resource: '*', context: { 'aws:RequestTag/bdp:environment': other.name } },
      { action: 'elasticmapreduce:RunJobFlow', resource: '*' },
      { action: 'iam:PassRole', resource: `arn:aws:iam::${config.account}:role/AdminRole`, context: { 'iam:PassedToService': 'elasticmapreduce.amazonaws.com' } },
      { action: 'iam:PassRole', resource: p.service_role_arn, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      { action: 's3:GetObject', resource: bucket(p.bucket_silver, 'events/data/x.parquet') },
      { action: 's3:PutObject', resource: bucket(p.bucket_artifacts, 'dags/evil.py') },
      { action: 's3:GetObject', resource: bucket(otherNames.bucket('artifacts'), 'dags/bdp_pipeline.py') },
      { action: 'kms:Decrypt', resource: p.lake_key_arn },
      { action: 'kms:Decrypt', resource: p.alerts_key_arn },
      { action: 'sns:Publish', resource: otherNames.alertsTopicArn },
      { action: 'secretsmanager:GetSecretValue', resource: `arn:aws:secretsmanager:${config.region}:${config.account}:secret:prod/db-password-AbCdEf` },
      { action: 'elasticmapreduce:DescribeCluster', resource: cluster('j-OTHERENVCLUSTER'), context: { 'aws:ResourceTag/bdp:environment': other.name } },
    ]),
    'emr-instance': as('emr-instance', [
      { action: 's3:PutObject', resource: bucket(p.bucket_bronze, 'events/dt=2026-11-28/x.parquet') },
      { action: 's3:DeleteObject', resource: bucket(p.bucket_bronze, 'events/dt=2026-11-28/x.parquet') },
      { action: 's3:GetObject', resource: bucket(otherNames.bucket('silver'), 'events/data/x.parquet') },
      { action: 's3:PutObject', resource: bucket(p.bucket_artifacts, 'dags/evil.py') },
      { action: 's3:GetObject', resource: bucket(p.bucket_artifacts, 'dags/bdp_pipeline.py') },
      { action: 's3:GetObject', resource: bucket(p.bucket_logs, 's3-access/x') },
      { action: 'glue:UpdateTable', resource: `arn:aws:glue:${config.region}:${config.account}:table/${p.database_bronze}/events` },
      { action: 'glue:DeleteTable', resource: `arn:aws:glue:${config.region}:${config.account}:table/${p.database_silver}/events` },
      { action: 'dynamodb:GetItem', resource: p.views_table_arn },
    ]),
    'emr-service': as('emr-service', [
      { action: 'iam:PassRole', resource: access.principal('mwaa-execution'), context: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      { action: 'kms:CreateGrant', resource: p.lake_key_arn, context: { 'kms:GrantIsForAWSResource': 'false' } },
    ]),
    'views-consumer': as('views-consumer', [
      { action: 'dynamodb:DeleteItem', resource: p.views_table_arn },
      { action: 'dynamodb:Scan', resource: p.views_table_arn },
      { action: 'dynamodb:DeleteTable', resource: p.views_table_arn },
      { action: 's3:GetObject', resource: bucket(p.bucket_bronze, 'events/x') },
      { action: 'sqs:ReceiveMessage', resource: p.dead_letter_queue_arn },
      { action: 'kinesis:PutRecord', resource: p.stream_arn },
    ]),
    firehose: as('firehose', [
      { action: 's3:DeleteObject', resource: bucket(p.bucket_bronze, 'events/dt=2026-11-28/x.parquet') },
      { action: 's3:PutObject', resource: bucket(p.bucket_bronze, 'users/dt=2026-11-28/x.parquet') },
      { action: 's3:PutObject', resource: bucket(p.bucket_silver, 'events/x.parquet') },
      { action: 'kinesis:PutRecord', resource: p.stream_arn },
      { action: 'glue:UpdateTable', resource: p.bronze_events_table },
    ]),
    analyst: as('analyst', [
      { action: 's3:GetObject', resource: bucket(p.bucket_silver, 'users/data/x.parquet') },
      { action: 's3:GetObject', resource: bucket(p.bucket_bronze, 'users/dt=2026-11-28/x.parquet') },
      { action: 's3:PutObject', resource: bucket(p.bucket_gold, 'daily_event_metrics/data/x.parquet') },
      { action: 'glue:GetTable', resource: `arn:aws:glue:${config.region}:${config.account}:table/${p.database_silver}/users` },
      { action: 'athena:StartQueryExecution', resource: `arn:aws:athena:${config.region}:${config.account}:workgroup/primary` },
    ]),
    'flow-logs': as('flow-logs', [{ action: 'logs:PutLogEvents', resource: `arn:aws:logs:${config.region}:${config.account}:log-group:airflow-${p.prefix}-Task:*` }]),
    'github-diff': as('github-diff', [
      { action: 'sts:AssumeRole', resource: `arn:aws:iam::${config.account}:role/cdk-${p.qualifier}-lookup-role-${config.account}-${config.region}` },
      { action: 'logs:FilterLogEvents', resource: `arn:aws:logs:${config.region}:${config.account}:log-group:airflow-${p.prefix}-Task:*` },
      { action: 's3:GetObject', resource: bucket(p.bucket_logs, 'emr-logs/x') },
      { action: 's3:GetObject', resource: bucket(p.bucket_gold, 'daily_event_metrics/data/x.parquet') },
      { action: 'cloudformation:CreateChangeSet', resource: `arn:aws:cloudformation:${config.region}:${config.account}:stack/${p.stage}-Lake/x` },
      { action: 'cloudformation:GetTemplate', resource: `arn:aws:cloudformation:${config.region}:${config.account}:stack/OtherApp-Stack/x` },
    ]),
    'github-sync': as('github-sync', [
      { action: 'airflow:UpdateEnvironment', resource: `arn:aws:airflow:${config.region}:${config.account}:environment/${p.prefix}` },
      { action: 's3:PutObject', resource: bucket(p.bucket_artifacts, 'other/x') },
      { action: 's3:PutObject', resource: bucket(p.bucket_silver, 'events/x') },
      { action: 's3:PutObject', resource: bucket(otherNames.bucket('artifacts'), 'dags/x.py') },
      { action: 'kms:Decrypt', resource: p.lake_key_arn, context: { 'kms:ViaService': `secretsmanager.${config.region}.amazonaws.com` } },
    ]),
    'github-deploy': as('github-deploy', [
      { action: 's3:GetObject', resource: bucket(p.bucket_silver, 'users/data/x.parquet') },
      { action: 'sts:AssumeRole', resource: `arn:aws:iam::${config.account}:role/cdk-${p.qualifier}-lookup-role-${config.account}-${config.region}` },
      { action: 'sts:AssumeRole', resource: `arn:aws:iam::${FOREIGN_ACCOUNT}:role/cdk-${p.qualifier}-deploy-role-${FOREIGN_ACCOUNT}-${config.region}` },
      { action: 'sts:AssumeRole', resource: `arn:aws:iam::${config.account}:role/cdk-otherqual-deploy-role-${config.account}-${config.region}` },
    ]),
    'service-publishers': [
      ...service('cloudwatch.amazonaws.com', [
        { action: 'sns:Publish', resource: p.alerts_topic_arn, context: { 'aws:SourceAccount': FOREIGN_ACCOUNT, 'aws:SourceArn': `arn:aws:cloudwatch:${config.region}:${FOREIGN_ACCOUNT}:alarm:x` } },
        { action: 'kms:GenerateDataKey', resource: p.alerts_key_arn, context: { 'aws:SourceAccount': FOREIGN_ACCOUNT, 'aws:SourceArn': `arn:aws:cloudwatch:${config.region}:${FOREIGN_ACCOUNT}:alarm:x` } },
      ]),
      ...service('budgets.amazonaws.com', [
        { action: 'sns:Publish', resource: p.alerts_topic_arn, context: { 'aws:SourceAccount': config.account, 'aws:SourceArn': `arn:aws:budgets::${config.account}:budget/someone-elses-budget` } },
      ]),
      ...service('sns.amazonaws.com', [
        { action: 'sqs:SendMessage', resource: p.undelivered_alerts_queue_arn, context: { 'aws:SourceAccount': FOREIGN_ACCOUNT, 'aws:SourceArn': `arn:aws:sns:${config.region}:${FOREIGN_ACCOUNT}:other-topic` } },
        { action: 'kms:GenerateDataKey', resource: p.alerts_key_arn, context: { 'aws:SourceAccount': config.account, 'aws:SourceArn': `arn:aws:sns:${config.region}:${config.account}:other-topic` } },
      ]),
    ],
  };
}

/** Who may assume each role: the service (or job) for this environment only. */
function trust(access: PlatformAccess): { allowed: AccessRequest[]; denied: AccessRequest[] } {
  const { config } = access;
  const { account, region } = config;
  const assume = (role: Exclude<PrincipalName, 'service-publishers'>, principal: string, context: Record<string, string> = {}): AccessRequest => ({
    principal,
    action: 'sts:AssumeRole',
    resource: access.principal(role),
    context,
  });
  const mwaa = (environment: string) => ({ 'aws:SourceAccount': account, 'aws:SourceArn': `arn:aws:airflow:${region}:${account}:environment/${environment}` });
  return {
    allowed: [
      assume('mwaa-execution', 'airflow.amazonaws.com', mwaa(access.names.mwaaEnvironment)),
      assume('mwaa-execution', 'airflow-env.amazonaws.com', mwaa(access.names.mwaaEnvironment)),
      assume('emr-service', 'elasticmapreduce.amazonaws.com', { 'aws:SourceAccount': account, 'aws:SourceArn': `arn:aws:elasticmapreduce:${region}:${account}:cluster/j-1PLATFORMRUN01` }),
      assume('emr-instance', 'ec2.amazonaws.com'),
      assume('firehose', 'firehose.amazonaws.com', { 'sts:ExternalId': account }),
      assume('views-consumer', 'lambda.amazonaws.com'),
      assume('flow-logs', 'vpc-flow-logs.amazonaws.com', { 'aws:SourceAccount': account, 'aws:SourceArn': `arn:aws:ec2:${region}:${account}:vpc-flow-log/fl-1` }),
    ],
    denied: [
      assume('mwaa-execution', 'airflow.amazonaws.com', mwaa('someone-elses-environment')),
      assume('mwaa-execution', 'airflow-env.amazonaws.com', { 'aws:SourceAccount': FOREIGN_ACCOUNT, 'aws:SourceArn': `arn:aws:airflow:${region}:${FOREIGN_ACCOUNT}:environment/${access.names.mwaaEnvironment}` }),
      assume('emr-service', 'elasticmapreduce.amazonaws.com', { 'aws:SourceAccount': FOREIGN_ACCOUNT, 'aws:SourceArn': `arn:aws:elasticmapreduce:${region}:${FOREIGN_ACCOUNT}:cluster/j-X` }),
      assume('firehose', 'firehose.amazonaws.com', { 'sts:ExternalId': FOREIGN_ACCOUNT }),
      assume('flow-logs', 'vpc-flow-logs.amazonaws.com', { 'aws:SourceAccount': FOREIGN_ACCOUNT, 'aws:SourceArn': `arn:aws:ec2:${region}:${FOREIGN_ACCOUNT}:vpc-flow-log/fl-1` }),
      assume('views-consumer', 'ec2.amazonaws.com'),
      assume('emr-instance', 'lambda.amazonaws.com'),
    ],
  };
}

describe.each(environments.map((e) => e.name))('%s: the access matrix under IAM evaluation', (name) => {
  const access = accessOf(name);
  const declared = DECLARATIONS.flatMap(({ principal, file }) => readDeclaration(file).map((call: DeclaredCall) => ({ principal, file, call })));

  test.each(DECLARATIONS.map((d) => [d.principal, d.file]))('%s may make every call declared in %s', async (principal, file) => {
    const denied: string[] = [];
    for (const call of readDeclaration(file)) {
      const request = access.request(principal as PrincipalName, call);
      const decision = await access.model.decide(request);
      if (decision !== 'Allowed') denied.push(`${decision}: ${request.action} on ${request.resource} ${JSON.stringify(request.context)} (${call.why})`);
    }
    expect(denied).toEqual([]);
  });

  test.each(PRINCIPALS.map((p) => [p]))('%s is denied everything it must never do', async (principal) => {
    const requests = neverAllowed(access)[principal as PrincipalName] ?? [];
    expect(requests.length).toBeGreaterThan(0);
    const allowed: string[] = [];
    for (const request of requests) {
      const decision = await access.model.decide(request);
      if (decision !== 'ImplicitlyDenied' && decision !== 'ExplicitlyDenied') allowed.push(`${decision}: ${request.action} on ${request.resource} ${JSON.stringify(request.context ?? {})}`);
    }
    expect(allowed).toEqual([]);
  });

  test('each role trusts its service or job for this environment only', async () => {
    const { allowed, denied } = trust(access);
    const wrong: string[] = [];
    for (const request of allowed) if ((await access.model.decide(request)) !== 'Allowed') wrong.push(`not allowed: ${request.principal} -> ${request.resource}`);
    for (const request of denied) if ((await access.model.decide(request)) === 'Allowed') wrong.push(`allowed: ${request.principal} ${JSON.stringify(request.context)} -> ${request.resource}`);
    expect(wrong).toEqual([]);
  });

  test('the analyst role is assumed only by principals of this account that carry the analyst tag', async () => {
    const engineer = `arn:aws:iam::${access.config.account}:role/engineer`;
    const canAssume = [{ name: 'assume', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: 'sts:AssumeRole', Resource: '*' }] } }];
    const request = (context: Record<string, string>) => ({ principal: engineer, action: 'sts:AssumeRole', resource: access.principal('analyst'), context });
    expect(await access.model.decide(request({ 'aws:PrincipalTag/bdp:access': 'analyst' }), { identityPolicies: canAssume })).toBe('Allowed');
    expect(await access.model.decide(request({}), { identityPolicies: canAssume })).not.toBe('Allowed');
    expect(await access.model.decide({ ...request({ 'aws:PrincipalTag/bdp:access': 'analyst' }), principal: `arn:aws:iam::${FOREIGN_ACCOUNT}:role/engineer` }, { identityPolicies: canAssume })).not.toBe('Allowed');
  });

  test.each(PRINCIPALS.filter((p) => p !== 'service-publishers').map((p) => [p]))('every grant of %s is used by a declared call, or kept with a reason', (principal) => {
    const requests = declared.filter((d) => d.principal === principal).map((d) => access.request(d.principal, d.call));
    const unused = unusedGrants(access.model, access.principal(principal as Exclude<PrincipalName, 'service-publishers'>), requests)
      .filter((g) => !keptUnused(principal, g.action))
      .map((g) => `${principal} ${g.action} on ${g.resources.join(', ')}`);
    expect([...new Set(unused)]).toEqual([]);
  });

  test('every delivery role of the configuration is covered', () => {
    expect(DELIVERY_ROLES.map((role) => `github-${role}`).every((p) => (PRINCIPALS as readonly string[]).includes(p))).toBe(true);
    for (const role of DELIVERY_ROLES) expect(access.principal(`github-${role}`)).toBe(`arn:aws:iam::${access.config.account}:role/${deliveryRoleName(access.config, role)}`);
  });
});
