import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvironmentConfig } from '../../../lib/config';
import { CDK_BOOTSTRAP_QUALIFIER, deliveryRoleName } from '../../../lib/delivery-names';
import { ResourceNames, stageId } from '../../../lib/naming';
import { AccessModel, type AccessRequest } from './access';
import { type StackTemplate, TemplateWorld } from './template-world';

/**
 * The platform's runtime principals, found in one environment's templates, and the requests each
 * makes, read from the declarations that live beside the code making them. Placeholders such as
 * `${region}` or `${alerts_topic_arn}` are filled from the configuration and the templates.
 */

/** A request as declared beside the code: placeholders unresolved, and why the code makes it. */
export interface DeclaredCall {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  readonly why: string;
}

/** Who makes the calls of each declaration file, relative to the repository root. */
export const DECLARATIONS: readonly { readonly principal: PrincipalName; readonly file: string }[] = [
  { principal: 'mwaa-execution', file: 'dags/bdp/aws_calls.json' },
  { principal: 'mwaa-execution', file: 'constructs/airflow-environment/aws-calls.json' },
  { principal: 'emr-instance', file: 'etl/aws_calls.json' },
  { principal: 'emr-service', file: 'constructs/emr-runtime/aws-calls.json' },
  { principal: 'views-consumer', file: 'functions/views-consumer/aws-calls.json' },
  { principal: 'firehose', file: 'constructs/fast-layer/firehose.aws-calls.json' },
  { principal: 'analyst', file: 'constructs/analytics-workgroup/aws-calls.json' },
  { principal: 'flow-logs', file: 'constructs/network/aws-calls.json' },
  { principal: 'github-diff', file: 'scripts/diff.aws-calls.json' },
  { principal: 'github-deploy', file: 'scripts/deploy.aws-calls.json' },
  { principal: 'github-sync', file: 'scripts/sync.aws-calls.json' },
  { principal: 'service-publishers', file: 'constructs/alerts-topic/aws-calls.json' },
];

export const PRINCIPALS = [
  'mwaa-execution',
  'emr-service',
  'emr-instance',
  'views-consumer',
  'firehose',
  'analyst',
  'flow-logs',
  'github-diff',
  'github-deploy',
  'github-sync',
  'service-publishers',
] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

const ROOT = join(__dirname, '..', '..', '..');

export function readDeclaration(file: string): DeclaredCall[] {
  const calls = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as DeclaredCall[];
  for (const call of calls) {
    if (!call.action || !call.resource || !call.why) throw new Error(`${file}: every call needs action, resource and why: ${JSON.stringify(call)}`);
  }
  return calls;
}

/** One environment's access model with its principals and placeholders. */
export class PlatformAccess {
  readonly model: AccessModel;
  readonly names: ResourceNames;
  readonly placeholders: Readonly<Record<string, string>>;
  private readonly principals: Readonly<Record<Exclude<PrincipalName, 'service-publishers'>, string>>;

  constructor(
    readonly config: EnvironmentConfig,
    stacks: readonly StackTemplate[],
  ) {
    const world = new TemplateWorld(stacks);
    this.model = new AccessModel(world);
    this.names = new ResourceNames(config);
    const role = (logicalId: RegExp, stack: string) => world.find('AWS::IAM::Role', logicalId, stack).arn!;
    const named = (name: string) => `arn:aws:iam::${config.account}:role/${name}`;
    this.principals = {
      'mwaa-execution': role(/^AirflowExecutionRole/, '-Orchestration'),
      'emr-service': role(/^EmrServiceRole/, '-Orchestration'),
      'emr-instance': role(/^EmrInstanceRole/, '-Orchestration'),
      'views-consumer': role(/^ViewsConsumerRole/, '-FastLayer'),
      firehose: role(/^EventsDeliveryRole/, '-FastLayer'),
      analyst: role(/^AnalyticsAnalystRole/, '-Lake'),
      'flow-logs': role(/^NetworkFlowLogRole/, '-Network'),
      'github-diff': named(deliveryRoleName(config, 'diff')),
      'github-deploy': named(deliveryRoleName(config, 'deploy')),
      'github-sync': named(deliveryRoleName(config, 'sync')),
    };
    const keyByAlias = (alias: string) => {
      const key = world.keyAliased(alias);
      if (!key) throw new Error(`no key aliased ${alias}`);
      return key.arn!;
    };
    const fastLayer = (type: string, logicalId: RegExp) => world.find(type, logicalId, '-FastLayer');
    const { region, account, name } = config;
    this.placeholders = {
      region,
      account,
      environment: name,
      prefix: this.names.prefix,
      cluster: 'j-1PLATFORMRUN01',
      alerts_topic_arn: this.names.alertsTopicArn,
      alerts_key_arn: keyByAlias(this.names.alertsKeyAlias),
      lake_key_arn: keyByAlias(this.names.lakeKeyAlias),
      fast_layer_key_arn: keyByAlias(`alias/${this.names.prefix}-fast-layer`),
      service_role_arn: this.principals['emr-service'],
      instance_role_arn: this.principals['emr-instance'],
      views_table_arn: fastLayer('AWS::DynamoDB::GlobalTable', /^ViewsTable/).arn!,
      dead_letter_queue_arn: fastLayer('AWS::SQS::Queue', /^ViewsDeadLetterQueue/).arn!,
      stream_arn: fastLayer('AWS::Kinesis::Stream', /^EventsStream/).arn!,
      undelivered_alerts_queue_arn: world.find('AWS::SQS::Queue', /^AlertsUndelivered/, '-Monitoring').arn!,
      stage: stageId(name),
      qualifier: (config.delivery as { bootstrapQualifier?: string }).bootstrapQualifier ?? CDK_BOOTSTRAP_QUALIFIER,
      ...Object.fromEntries(Object.entries(this.names.buckets).map(([bucket, bucketName]) => [`bucket_${bucket}`, bucketName])),
      ...Object.fromEntries(Object.entries(this.names.glueDatabases).map(([zone, database]) => [`database_${zone}`, database])),
      flow_log_group_arn: world.find('AWS::Logs::LogGroup', /FlowLogGroup/, '-Network').arn!,
      views_consumer_log_group_arn: fastLayer('AWS::Logs::LogGroup', /^ViewsConsumerLogGroup/).arn!,
      firehose_log_group_arn: fastLayer('AWS::Logs::LogGroup', /^EventsDeliveryLogGroup/).arn!,
      bronze_events_table: `arn:aws:glue:${region}:${account}:table/${this.names.glueDatabase('bronze')}/events`,
    };
  }

  principal(name: Exclude<PrincipalName, 'service-publishers'>): string {
    return this.principals[name];
  }

  /** Fill `${placeholder}`s; an unknown one is an error, so a typo cannot turn into a vacuous check. */
  fill(text: string): string {
    return text.replace(/\$\{([a-z_]+)\}/g, (_, key: string) => {
      if (!(key in this.placeholders)) throw new Error(`unknown placeholder \${${key}} in '${text}'; known: ${Object.keys(this.placeholders).join(', ')}`);
      return this.placeholders[key];
    });
  }

  /**
   * The request a declared call becomes. A declaration of the service publishers names its
   * principal (a service) in `context['principal']`; every other declaration's principal is its file's.
   */
  request(principal: PrincipalName, call: Omit<DeclaredCall, 'why'>): AccessRequest {
    const { principal: service, ...context } = (call.context ?? {}) as Record<string, string | string[]>;
    const fillAll = (value: string | readonly string[]) => (typeof value === 'string' ? this.fill(value) : value.map((v) => this.fill(v)));
    return {
      principal: principal === 'service-publishers' ? (service as string) : this.principal(principal),
      action: call.action,
      resource: this.fill(call.resource),
      context: Object.fromEntries(Object.entries(context).map(([key, value]) => [key, fillAll(value)])),
    };
  }
}
