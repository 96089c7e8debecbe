import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface EncryptedLogsProps {
  /** What the key protects, for its description and alias. */
  readonly purpose: string;
  /**
   * What happens to the key when the stack is deleted. Log groups keep their own policy.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A customer-managed KMS key that CloudWatch Logs in this stack's account and region may use,
 * and a factory for log groups encrypted with it. CloudWatch Logs needs a key-policy grant
 * scoped by encryption context; LogGroup does not add one, so this construct does.
 */
export class EncryptedLogs extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: EncryptedLogsProps) {
    super(scope, id);
    const { region, account, partition } = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts ${props.purpose} log groups`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*` },
        },
      }),
    );
  }

  /** A log group encrypted with this key, kept for `retention` and retained with the stack by default. */
  logGroup(scope: Construct, id: string, retention: logs.RetentionDays, removalPolicy = RemovalPolicy.RETAIN): logs.LogGroup {
    return new logs.LogGroup(scope, id, { encryptionKey: this.key, retention, removalPolicy });
  }
}
