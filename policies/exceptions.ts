/**
 * Every exception to the guard rules run at synth (AWS Control Tower's proactive controls and the
 * project's own rules in policies/guard/), with the risk it accepts and why. This file is the only
 * place exceptions are made: policies/index.ts disables and acknowledges exactly what is listed here,
 * with these words as the recorded reason, and test/policies.test.ts fails on an entry that no longer
 * matches a construct.
 */

/** A Control Tower control turned off for the whole app. */
export interface DisabledControlTowerRule {
  /** The rule file's name without `.guard`, as the plugin's `disabledRules` expects (e.g. `ct-s3-pr-4`). */
  readonly file: string;
  /** The control id and title, as Control Tower names it. */
  readonly control: string;
  /** What can go wrong because the control is off. */
  readonly risk: string;
  /** Why that risk is accepted, or what covers it instead. */
  readonly reason: string;
  /** Set when the control finds a defect that is being fixed: what fixes it. Re-enable the control when it lands. */
  readonly pendingFix?: string;
}

/** One guard rule acknowledged on specific constructs, in every environment. */
export interface GuardAcknowledgement {
  /** The guard rule name (`rule <name>` in the .guard file), as the validation report prints it. */
  readonly rule: string;
  /**
   * Construct paths the acknowledgement is attached to; it covers the construct and everything under it.
   * `*` matches characters within one path segment: a leading `*` stands for every environment's stage.
   */
  readonly paths: readonly string[];
  readonly risk: string;
  readonly reason: string;
  /**
   * Set when the failure is a defect being fixed, not an accepted risk: the issue and defect that fix it.
   * The acknowledgement keeps synth green for everyone meanwhile. Remove the entry when the fix lands.
   */
  readonly pendingFix?: string;
}

export const DISABLED_CONTROL_TOWER_RULES: readonly DisabledControlTowerRule[] = [
  {
    file: 'ct-kms-pr-3',
    control: 'CT.KMS.PR.3: Require an AWS KMS key policy to have a statement that limits creation of AWS KMS grants to AWS services',
    risk: 'A principal holding kms:CreateGrant through IAM could grant use of a platform key to itself or to another account without an AWS service asking for it.',
    reason:
      'No key policy of the platform (FastLayer, FastLayerLogs, Lake storage, alerts, network logs keys, every environment) has the deny statement yet. The control cannot be acknowledged per key: a part of its failure report names no resource, so only disabling it keeps synth green meanwhile.',
    pendingFix:
      'add to every key policy: Deny kms:CreateGrant, Principal AWS "*", Resource "*", Condition BoolIfExists kms:GrantIsForAWSResource "false" and aws:PrincipalIsAWSService "false" (constructs/), then delete this entry',
  },
  {
    file: 'ct-cloudwatch-pr-2',
    control: 'CT.CLOUDWATCH.PR.2: Require an Amazon CloudWatch log group to be retained for at least one year',
    risk: 'Log groups of non-production environments, and the VPN connection and fast-layer logs of production, are deleted before one year.',
    reason:
      "The control passes a log group with no retention at all (kept forever, issue 11 defect 11) and fails any period under 365 days. Retention is a per-environment, per-log decision made in lib/config and validated there; the project's rule bdp_log_group_has_retention_and_key requires that every log group states one.",
  },
  {
    file: 'ct-s3-pr-4',
    control: 'CT.S3.PR.4: Require an Amazon S3 bucket to have event notifications configured',
    risk: 'No event-driven reaction to object writes or deletes in the lake buckets.',
    reason:
      'Nothing in the platform consumes object events: the lake is processed on a schedule (MWAA, EMR, Athena). A notification target that nobody reads would satisfy the control without detecting anything; writes and deletes are recorded by S3 server access logs (every data bucket logs to the logs bucket).',
  },
  {
    file: 'ct-s3-pr-9',
    control: 'CT.S3.PR.9: Require that an Amazon S3 bucket has S3 Object Lock activated',
    risk: 'A principal that holds s3:DeleteObject on a bucket can delete objects before their lifecycle expiry.',
    reason:
      "Object Lock (write once, read many) contradicts the lake's design: lifecycle rules expire bronze, logs and artifacts per environment, the ETL rewrites silver and gold partitions, and dev buckets are emptied on destroy. Deletes are limited by IAM instead (Firehose may only add objects to bronze) and buckets are versioned.",
  },
];

/** The views consumer's acknowledgement reason, shared with its cdk-nag acknowledgement (constructs/fast-layer/realtime-views.ts). */
const CONSUMER_OUTSIDE_VPC =
  'The consumer reaches only AWS APIs (Kinesis through its mapping, DynamoDB, SQS) over TLS with IAM; it serves nothing and reaches nothing in the VPC, so a VPC would add NAT or endpoints without reducing exposure.';

export const GUARD_ACKNOWLEDGEMENTS: readonly GuardAcknowledgement[] = [
  // ---------------------------------------------------------------- accepted risks
  {
    rule: 'lambda_inside_vpc_check',
    paths: ['*/FastLayer/Views/Consumer'],
    risk: 'The views consumer Lambda runs outside the VPC, so VPC flow logs and security groups do not see its traffic.',
    reason: CONSUMER_OUTSIDE_VPC,
  },
  {
    rule: 'lambda_inside_vpc_check',
    paths: ['*/Lake/Custom::S3AutoDeleteObjectsCustomResourceProvider', '*/Network/Custom::VpcRestrictDefaultSGCustomResourceProvider'],
    risk: "aws-cdk-lib's own custom-resource handlers (emptying dev buckets on destroy, removing the default security group's rules) run outside the VPC.",
    reason:
      'They run only during a CloudFormation deployment, call only the S3 or EC2 API with a role scoped to the resources of their stack, and are provided by aws-cdk-lib without a VPC option.',
  },
  {
    rule: 'sqs_dlq_check',
    paths: ['*/FastLayer/Views/DeadLetterQueue', '*/Monitoring/Alerts/Undelivered'],
    risk: 'Messages that cannot be processed from these queues have no further dead-letter queue.',
    reason:
      'Each queue is itself a dead-letter queue (the views consumer\'s on-failure destination, and the SNS redrive target of the alert subscriptions); a dead-letter queue of a dead-letter queue would only move failed messages further from the people who replay them. Both are alarmed on their visible messages.',
  },
  {
    rule: 's3_bucket_default_encryption_kms_check',
    paths: ['*/Lake/Storage/LogsBucket'],
    risk: 'The access-log bucket is encrypted with S3-managed keys, not with a customer-managed KMS key.',
    reason: 'S3 server access logging delivers only to buckets encrypted with S3-managed keys (SSE-S3); the logs hold request metadata, not lake data.',
  },
  {
    rule: 's3_bucket_logging_enabled_check',
    paths: ['*/Lake/Storage/LogsBucket'],
    risk: 'Reads of the access-log bucket itself are not access-logged.',
    reason: 'This is the access-log target of every lake bucket; logging it into itself would log its own log deliveries without adding an audit trail (CloudTrail records management calls on it).',
  },
  {
    rule: 'cloudwatch_log_group_encrypted_check',
    paths: ['*/Orchestration/Airflow/*Logs'],
    risk: "None known: MWAA's log groups are encrypted with the lake key; the control cannot see it.",
    reason:
      "The control recognizes KmsKeyId only as a string or a same-template reference; these groups name the lake key of the Lake stack through Fn::GetStackOutput (CDK's cross-stack reference), which it reports as missing. The project's rule bdp_log_group_has_retention_and_key checks that KmsKeyId is set.",
  },
  {
    rule: 'ec2_instance_no_public_ip_check',
    paths: ['*/Network/Network/Vpc/publicSubnet*/NatInstance'],
    risk: 'A NAT instance (network.natProvider instance, never in production) has a public IPv4 address, reachable from the internet.',
    reason:
      "NAT needs a public address to forward the private subnets' traffic through the internet gateway, as a NAT gateway needs its Elastic IP. Its security group admits only HTTP and HTTPS from the VPC CIDR, it has no key pair or SSH, and IMDSv2 is required (test/constructs/network.test.ts).",
  },
  {
    rule: 'ec2_instance_nitro_encryption_in_transit_check',
    paths: ['*/Network/Network/Vpc/publicSubnet*/NatInstance'],
    risk: "The NAT instance's type (t4g.nano by default) does not encrypt traffic between instances at the Nitro layer.",
    reason:
      'It talks to no other instance of the VPC as a peer: it only forwards the private subnets\' outbound HTTP(S), which the clients encrypt end to end with TLS to AWS and the internet, exactly as through a NAT gateway (which offers no Nitro encryption either). The cheapest types that support it cost several times the NAT gateway this lever replaces.',
  },
  // ---------------------------------------------------------------- accepted with the reason given
  {
    rule: 'bdp_emr_mutation_requires_own_cluster_tag',
    paths: ['*/Orchestration/Airflow/ExecutionRole'],
    risk: 'The execution role holds elasticmapreduce:AddTags on cluster/* with an aws:RequestTag condition but no aws:ResourceTag condition.',
    reason:
      "Tag-on-create needs it: since 2023 EMR authorizes RunJobFlow's Tags as AddTags against the literal resource cluster/* (no cluster id exists yet), so no resource tag can be required there. The explicit Deny of AddTags and RemoveTags on cluster/j-* beside it keeps every existing cluster out of reach; test/access/access-matrix.test.ts proves re-tagging a foreign cluster is denied under IAM evaluation.",
  },
  {
    rule: 'bdp_role_does_not_trust_account_root',
    paths: ['*/Lake/Analytics/AnalystRole'],
    risk: 'A principal of the account that carries the principal tag bdp:access=analyst can become the analyst.',
    reason:
      "Analysts come from SSO permission sets or engineers' roles whose ARNs the platform cannot know; the tag is the contract. Only identity-center administrators (session tags of a permission set) and IAM administrators (iam:TagRole) can set it, and the access matrix proves an untagged principal and another account's tagged principal are refused.",
  },
];
