import { RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as mwaa from 'aws-cdk-lib/aws-mwaa';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { grantPublishThroughAlias } from '../alerts-topic';
import { AIRFLOW_CONNECTIONS_PREFIX, AIRFLOW_VARIABLES_PREFIX, type AirflowEnvironmentProps } from './airflow-environment-props';

const LOG_TYPES = ['dagProcessingLogs', 'schedulerLogs', 'taskLogs', 'webserverLogs', 'workerLogs'] as const;
/** The log groups MWAA writes to, `airflow-<environment>-<suffix>`, one per log type. */
const LOG_GROUP_SUFFIXES = ['DAGProcessing', 'Scheduler', 'Task', 'WebServer', 'Worker'] as const;

/**
 * A private Amazon MWAA environment: the webserver reachable only inside the VPC (engineers come
 * in over the Client VPN), all five log types at INFO, encrypted with the lake key, DAGs from the
 * artifacts bucket, connections and variables from Secrets Manager, and an execution role with
 * MWAA's documented minimum plus exactly what the DAGs do with EMR.
 */
export class AirflowEnvironment extends Construct {
  readonly environment: mwaa.CfnEnvironment;
  readonly executionRole: iam.Role;
  readonly securityGroup: ec2.SecurityGroup;
  readonly variables: ReadonlyMap<string, secretsmanager.Secret>;

  constructor(scope: Construct, id: string, props: AirflowEnvironmentProps) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    const arn = (service: string, resource: string, regionPart = region) => `arn:${partition}:${service}:${regionPart}:${account}:${resource}`;
    const { lake, emr, clusterTag } = props;

    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      // Only MWAA acting for this environment may assume it (confused-deputy protection).
      assumedBy: new iam.CompositePrincipal(
        ...['airflow.amazonaws.com', 'airflow-env.amazonaws.com'].map(
          (service) =>
            new iam.ServicePrincipal(service, {
              conditions: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': arn('airflow', `environment/${props.name}`) } },
            }),
        ),
      ),
      description: `MWAA ${props.name}: run DAGs that drive transient EMR clusters`,
    });
    const allow = (sid: string, actions: string[], resources: string[], conditions?: Record<string, Record<string, unknown>>) =>
      this.executionRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid, actions, resources, conditions }));

    const clusters = arn('elasticmapreduce', 'cluster/*');
    // MWAA's documented minimum for an environment with a customer-managed key.
    allow('PublishMetrics', ['airflow:PublishMetrics'], [arn('airflow', `environment/${props.name}`)]);
    lake.grantRead(this.executionRole, 'artifacts');
    allow('ReadSourceBucketSettings', ['s3:GetBucketPublicAccessBlock', 's3:GetBucketVersioning', 's3:GetEncryptionConfiguration'], [lake.buckets.artifacts.bucketArn]);
    allow('CheckAccountPublicAccessBlock', ['s3:GetAccountPublicAccessBlock'], ['*']);
    const ownLogGroups = arn('logs', `log-group:airflow-${props.name}-*`);
    allow('WriteOwnLogs', ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents', 'logs:GetLogEvents', 'logs:GetLogRecord', 'logs:GetLogGroupFields', 'logs:GetQueryResults'], [ownLogGroups]);
    allow('FindLogGroups', ['logs:DescribeLogGroups'], ['*']);
    allow('PutMetrics', ['cloudwatch:PutMetricData'], ['*']);
    const celeryQueues = `arn:${partition}:sqs:${region}:*:airflow-celery-*`;
    allow('UseCeleryQueues', ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage'], [celeryQueues]);
    allow('UseLakeKeyThroughServices', ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey', 'kms:Encrypt'], [lake.key.keyArn], {
      StringLike: { 'kms:ViaService': ['sqs', 's3', 'secretsmanager'].map((service) => `${service}.${region}.amazonaws.com`) },
    });
    // The Secrets Manager backend: connections and variables under their prefixes only.
    const secretPrefixes = [AIRFLOW_CONNECTIONS_PREFIX, AIRFLOW_VARIABLES_PREFIX].map((prefix) => arn('secretsmanager', `secret:${prefix}/*`));
    allow('ReadAirflowSecrets', ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], secretPrefixes);

    // EMR: create clusters only with this environment's tag, and touch only clusters that carry it.
    const requestTag = { StringEquals: { [`aws:RequestTag/${clusterTag.key}`]: clusterTag.value } };
    allow('CreateTaggedClusters', ['elasticmapreduce:RunJobFlow'], ['*'], requestTag);
    // Tag-on-create: RunJobFlow with Tags is also authorized as AddTags, against the literal ARN
    // `cluster/*` (no cluster id exists yet). Existing clusters (`cluster/j-...`) may never be
    // (re)tagged: tagging a foreign cluster with this environment's tag would hand it over.
    allow('TagClustersAtCreation', ['elasticmapreduce:AddTags'], [clusters], requestTag);
    this.executionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'NeverRetagExistingClusters', effect: iam.Effect.DENY, actions: ['elasticmapreduce:AddTags', 'elasticmapreduce:RemoveTags'], resources: [arn('elasticmapreduce', 'cluster/j-*')] }),
    );
    allow(
      'DriveOwnClusters',
      ['elasticmapreduce:DescribeCluster', 'elasticmapreduce:AddJobFlowSteps', 'elasticmapreduce:DescribeStep', 'elasticmapreduce:TerminateJobFlows'],
      [clusters],
      { StringEquals: { [`aws:ResourceTag/${clusterTag.key}`]: clusterTag.value } },
    );
    allow('FindClustersToReap', ['elasticmapreduce:ListClusters'], ['*']);
    allow('PassEmrServiceRole', ['iam:PassRole'], [emr.serviceRole.roleArn], { StringEquals: { 'iam:PassedToService': 'elasticmapreduce.amazonaws.com' } });
    allow('PassEmrInstanceRole', ['iam:PassRole'], [emr.instanceRole.roleArn], { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } });
    // Failure alerts: the topic is SSE-KMS, so publishing needs its key too (through SNS only).
    grantPublishThroughAlias(this.executionRole, props.alertsTopicArn, props.alertsKeyAlias);

    this.acknowledgeWildcards({
      'Resource::*': 'Account-level reads MWAA needs (account public-access block, log-group discovery), metric publishing, cluster listing for the reaper, and RunJobFlow, which names no cluster yet and is limited by the required bdp:environment request tag.',
      [`Resource::${ownLogGroups}`]: "MWAA names its five log groups itself under this environment's airflow-<name>- prefix.",
      [`Resource::${celeryQueues}`]: 'MWAA creates its Celery queues in an AWS-owned account under the airflow-celery- prefix (MWAA documented policy).',
      [`Resource::${clusters}`]: 'Cluster ids exist only at run time; every action here is limited to clusters tagged with this environment.',
      ...Object.fromEntries(secretPrefixes.map((p) => [`Resource::${p}`, 'Airflow looks secrets up by name under its connections/variables prefixes; nothing else is readable.'])),
    });
    Validations.of(this.executionRole).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: "The execution role's inline policy is specific to this environment and lives and dies with the role, so it cannot be attached elsewhere by mistake.",
    });

    // CloudWatch Logs may use the lake key for this environment's log groups only.
    lake.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AllowLogsOfMwaa${props.name.replace(/[^A-Za-z0-9]/g, '')}`,
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': ownLogGroups } },
      }),
    );

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', { vpc: props.vpc, description: `MWAA ${props.name}: its own components, and HTTPS from the Client VPN`, allowAllOutbound: true });
    // MWAA's components talk to each other on any port: the documented self-referencing rule.
    this.securityGroup.addIngressRule(this.securityGroup, ec2.Port.allTraffic(), 'MWAA components among themselves');
    Validations.of(this.securityGroup).acknowledge({
      id: 'NIST.800.53.R5-EC2RestrictedCommonPorts',
      reason: "MWAA requires a self-referencing all-traffic rule between its own components (documented networking setup); the only source is this group itself.",
    });
    if (props.vpnSecurityGroup) this.securityGroup.addIngressRule(props.vpnSecurityGroup, ec2.Port.tcp(443), 'Airflow UI for engineers on the Client VPN');

    const variables = new Map<string, secretsmanager.Secret>();
    for (const [name, value] of Object.entries(props.variables)) {
      const secret = new secretsmanager.Secret(this, `Variable-${name}`, {
        secretName: `${AIRFLOW_VARIABLES_PREFIX}/${name}`,
        description: `Airflow Variable ${name}, written by CDK; read by the DAGs at run time`,
        // Configuration (names, ids, ARNs), not a credential: it is safe in the template.
        secretStringValue: SecretValue.unsafePlainText(Stack.of(this).toJsonString(value)),
        encryptionKey: lake.key,
      });
      for (const rule of ['AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled']) {
        Validations.of(secret).acknowledge({ id: rule, reason: 'This secret carries configuration (resource names and ids) written by CDK, not a credential; there is nothing to rotate.' });
      }
      variables.set(name, secret);
    }
    this.variables = variables;

    // MWAA creates its log groups without retention (kept forever) unless they exist already:
    // create them first, with a retention and the environment's key.
    const logGroups = LOG_GROUP_SUFFIXES.map(
      (suffix) =>
        new logs.LogGroup(this, `${suffix}Logs`, {
          logGroupName: `airflow-${props.name}-${suffix}`,
          retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
          encryptionKey: lake.key,
          removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
        }),
    );

    this.environment = new mwaa.CfnEnvironment(this, 'Environment', {
      name: props.name,
      airflowVersion: props.airflowVersion,
      environmentClass: props.environmentClass,
      minWorkers: props.minWorkers,
      maxWorkers: props.maxWorkers,
      schedulers: props.schedulers,
      executionRoleArn: this.executionRole.roleArn,
      kmsKey: lake.key.keyArn,
      sourceBucketArn: lake.buckets.artifacts.bucketArn,
      dagS3Path: props.dagsPrefix ?? 'dags',
      requirementsS3Path: props.requirementsKey ?? `${props.dagsPrefix ?? 'dags'}/requirements.txt`,
      webserverAccessMode: 'PRIVATE_ONLY',
      networkConfiguration: { subnetIds: props.subnets.map((s) => s.subnetId), securityGroupIds: [this.securityGroup.securityGroupId] },
      loggingConfiguration: Object.fromEntries(LOG_TYPES.map((type) => [type, { enabled: true, logLevel: 'INFO' }])),
      weeklyMaintenanceWindowStart: props.maintenanceWindowStart ?? 'SUN:03:00',
      airflowConfigurationOptions: {
        'secrets.backend': 'airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend',
        'secrets.backend_kwargs': JSON.stringify({ connections_prefix: AIRFLOW_CONNECTIONS_PREFIX, variables_prefix: AIRFLOW_VARIABLES_PREFIX }),
        'core.load_examples': 'False',
      },
    });
    // The role's policy must exist before MWAA validates the environment with it (the role's
    // ARN alone orders only the role).
    this.environment.node.addDependency(this.executionRole.node.findChild('DefaultPolicy'), ...logGroups);
  }

  private acknowledgeWildcards(findings: Record<string, string>): void {
    for (const [finding, reason] of Object.entries(findings)) {
      Validations.of(this.executionRole).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    }
  }
}
