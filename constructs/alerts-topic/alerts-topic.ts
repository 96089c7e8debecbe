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
}

/**
 * The one place alarms and pipeline failures are sent: an SNS topic encrypted with its own
 * rotating key, that refuses non-TLS publishers, with e-mail subscriptions from config.
 */
export class AlertsTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  readonly undelivered: sqs.Queue;

  constructor(scope: Construct, id: string, props: AlertsTopicProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', { description: `Encrypts the ${props.topicName} topic`, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    // CloudWatch alarms and AWS Budgets publish to an encrypted topic only if they may use its key.
    for (const service of ['cloudwatch.amazonaws.com', 'budgets.amazonaws.com']) this.key.grant(new iam.ServicePrincipal(service), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'Topic', { topicName: props.topicName, masterKey: this.key, enforceSSL: true });
    // The cost budget (in us-east-1) publishes here; only for this account.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowBudgetsOfThisAccount',
        principals: [new iam.ServicePrincipal('budgets.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    // Notifications SNS could not deliver are kept for two weeks rather than lost.
    this.undelivered = new sqs.Queue(this, 'Undelivered', {
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.undelivered.grantSendMessages(new iam.ServicePrincipal('sns.amazonaws.com'));
    for (const rule of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
      Validations.of(this.undelivered).acknowledge({
        id: rule,
        reason: 'This queue is itself the dead-letter queue of the alert subscriptions (an SNS redrive policy, which cdk-nag does not see); a dead-letter queue of it would only move the problem.',
      });
    }
    for (const email of props.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email, { deadLetterQueue: this.undelivered }));
  }
}
