import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertsTopicProps {
  readonly topicName: string;
  /** Team addresses subscribed by e-mail (each must confirm the subscription once). */
  readonly emails: readonly string[];
  /**
   * Alias of the topic's key: publishers in other stacks are granted the key through it
   * (`grantPublishThroughAlias`), since IAM cannot name a key of another stack by its id.
   */
  readonly keyAlias: string;
  /**
   * Names of the AWS Budgets budgets (any region) that may publish here.
   * @default - none: AWS Budgets may not publish
   */
  readonly budgetNames?: readonly string[];
}

/**
 * The one place alarms and pipeline failures are sent: an SNS topic encrypted with its own
 * rotating key, that refuses non-TLS publishers, with e-mail subscriptions from config.
 *
 * A publisher to an SSE-KMS topic needs the key as well as `sns:Publish`. Each service publisher
 * (CloudWatch alarms, AWS Budgets, SNS itself delivering to the dead-letter queue) is granted
 * the topic and the key only for this account's alarms, budgets and topic (`aws:SourceAccount`
 * and `aws:SourceArn`), so no other account's resource can use the service as a deputy.
 */
export class AlertsTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  readonly undelivered: sqs.Queue;

  constructor(scope: Construct, id: string, props: AlertsTopicProps) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    this.key = new kms.Key(this, 'Key', { description: `Encrypts the ${props.topicName} topic`, alias: props.keyAlias, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    this.topic = new sns.Topic(this, 'Topic', { topicName: props.topicName, masterKey: this.key, enforceSSL: true });
    const topicArn = `arn:${partition}:sns:${region}:${account}:${props.topicName}`;

    const publishers = [
      { sid: 'CloudWatchAlarmsOfThisAccount', service: 'cloudwatch.amazonaws.com', sources: [`arn:${partition}:cloudwatch:${region}:${account}:alarm:*`] },
      ...(props.budgetNames?.length
        ? [{ sid: 'BudgetsOfThisAccount', service: 'budgets.amazonaws.com', sources: props.budgetNames.map((name) => `arn:${partition}:budgets::${account}:budget/${name}`) }]
        : []),
    ];
    for (const { sid, service, sources } of publishers) {
      const conditions = { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': sources } };
      const principals = [new iam.ServicePrincipal(service)];
      this.topic.addToResourcePolicy(new iam.PolicyStatement({ sid: `Publish${sid}`, principals, actions: ['sns:Publish'], resources: [this.topic.topicArn], conditions }));
      this.key.addToResourcePolicy(new iam.PolicyStatement({ sid: `EncryptFor${sid}`, principals, actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'], conditions }));
    }

    // Notifications SNS could not deliver are kept for two weeks rather than lost.
    this.undelivered = new sqs.Queue(this, 'Undelivered', {
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // Only this topic's deliveries may land in the queue, and only they may use the key for it.
    const fromThisTopic = { StringEquals: { 'aws:SourceAccount': account }, ArnEquals: { 'aws:SourceArn': topicArn } };
    const snsService = new iam.ServicePrincipal('sns.amazonaws.com');
    this.undelivered.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'UndeliveredAlertsOfThisTopic', principals: [snsService], actions: ['sqs:SendMessage'], resources: [this.undelivered.queueArn], conditions: fromThisTopic }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'EncryptUndeliveredAlertsOfThisTopic', principals: [snsService], actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'], conditions: fromThisTopic }),
    );
    for (const rule of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
      Validations.of(this.undelivered).acknowledge({
        id: rule,
        reason: 'This queue is itself the dead-letter queue of the alert subscriptions (an SNS redrive policy, which cdk-nag does not see); a dead-letter queue of it would only move the problem.',
      });
    }
    for (const email of props.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email, { deadLetterQueue: this.undelivered }));
  }
}

/**
 * Let a principal publish to an SSE-KMS alerts topic of another stack: `sns:Publish` on the topic,
 * and the key's data-key and decrypt actions only through SNS and only on the key behind `keyAlias`
 * (IAM cannot name another stack's key by id; the alias condition narrows "any key" to that one).
 */
export function grantPublishThroughAlias(grantee: iam.IGrantable, topicArn: string, keyAlias: string): void {
  const [, partition, , region, account] = topicArn.split(':');
  const keys = `arn:${partition}:kms:${region}:${account}:key/*`;
  iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [topicArn] });
  if (grantee.grantPrincipal instanceof Construct) {
    Validations.of(grantee.grantPrincipal).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${keys}]`,
      reason: `The topic's key belongs to another stack and IAM cannot name a key by alias; conditions narrow the wildcard to the key aliased ${keyAlias}, used through SNS only.`,
    });
  }
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resourceArns: [keys],
    conditions: {
      StringEquals: { 'kms:ViaService': `sns.${region}.amazonaws.com` },
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [keyAlias] },
    },
  });
}
