import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** The qualifier of a plain `cdk bootstrap`. */
export const CDK_BOOTSTRAP_QUALIFIER = 'hnb659fds';
/** The roles `cdk bootstrap` creates in every account and region. */
export const CDK_BOOTSTRAP_ROLES = ['lookup', 'deploy', 'file-publishing', 'image-publishing'] as const;
export type CdkBootstrapRole = (typeof CDK_BOOTSTRAP_ROLES)[number];

/** The name `cdk bootstrap` gives one of its roles. */
export function cdkBootstrapRoleName(kind: CdkBootstrapRole, account: string, region: string, qualifier = CDK_BOOTSTRAP_QUALIFIER): string {
  return `cdk-${qualifier}-${kind}-role-${account}-${region}`;
}

/**
 * What the delivery roles may do, each grant the whole of it. Resources are literal ARNs built from
 * the stack's account and region, so the Delivery stack needs no reference to the stacks it serves.
 */

/**
 * Assume the account's CDK bootstrap roles of these kinds in the stack's region, and nothing else:
 * the CDK CLI does everything else through them (CloudFormation through the deploy role, assets
 * through the publishing roles, templates and lookups through the lookup role).
 */
export function grantAssumeCdkBootstrapRoles(role: iam.Role, kinds: readonly CdkBootstrapRole[], qualifier = CDK_BOOTSTRAP_QUALIFIER): void {
  const { partition, account, region } = Stack.of(role);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['sts:AssumeRole'],
      resources: kinds.map((kind) => `arn:${partition}:iam::${account}:role/${cdkBootstrapRoleName(kind, account, region, qualifier)}`),
    }),
  );
}

/**
 * Read the deployed templates of some stacks, which is all `cdk diff --method template` needs
 * (DescribeStacks and GetTemplate), and nothing else: no bootstrap role, so in particular not the
 * lookup role, whose ReadOnlyAccess would let a pull request read logs and data.
 * @param stacks stack name patterns per region, e.g. `{ 'eu-north-1': ['Dev-*'] }`
 */
export function grantTemplateDiff(role: iam.Role, stacks: Readonly<Record<string, readonly string[]>>): void {
  const { partition, account } = Stack.of(role);
  const arns = Object.entries(stacks).flatMap(([region, names]) => names.map((name) => `arn:${partition}:cloudformation:${region}:${account}:stack/${name}/*`));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'], resources: arns }));
  for (const arn of arns) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagRendering(Stack.of(role), arn)}]`,
      reason: 'The stacks of one environment, named by their Stage prefix; a stack id exists only once deployed, so the ARN ends in a wildcard.',
    });
  }
}

export interface PrefixSyncTarget {
  readonly bucketName: string;
  /** Key prefixes without a trailing slash, e.g. `dags`. */
  readonly prefixes: readonly string[];
  /** Alias of the KMS key of the bucket's default encryption, e.g. `alias/bdp-dev-lake`. */
  readonly keyAlias: string;
}

/**
 * Mirror local folders into some prefixes of a bucket (`aws s3 sync --delete`): list, read back,
 * write and delete objects under those prefixes only.
 *
 * The bucket's KMS key lives in another stack, and an IAM policy cannot name a key by its alias
 * (an alias ARN as Resource governs only alias operations). So the key statement names any key of
 * the account and narrows it by condition to the key behind the alias, used by S3 in this region:
 * the role can encrypt and decrypt with it only inside S3 requests that its S3 grants allow.
 */
export function grantPrefixSync(role: iam.Role, target: PrefixSyncTarget): void {
  const stack = Stack.of(role);
  const { partition, account, region } = stack;
  const bucketArn = `arn:${partition}:s3:::${target.bucketName}`;
  const objectArns = target.prefixes.map((prefix) => `${bucketArn}/${prefix}/*`);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucketArn],
      conditions: { StringLike: { 's3:prefix': target.prefixes.map((prefix) => `${prefix}/*`) } },
    }),
  );
  // GetObject lets `make sync` read back the published requirements file's version and digest.
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resources: objectArns,
    }),
  );
  const keys = `arn:${partition}:kms:${region}:${account}:key/*`;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [keys],
      conditions: {
        StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` },
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [target.keyAlias] },
      },
    }),
  );
  for (const arn of objectArns) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagRendering(stack, arn)}]`,
      reason: `Objects are granted under one prefix of the ${target.bucketName} bucket; S3 can name a set of objects only with a wildcard.`,
    });
  }
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagRendering(stack, keys)}]`,
    reason: `The bucket key belongs to another stack and IAM cannot name a key by alias; conditions narrow the wildcard to the key aliased ${target.keyAlias}, used through S3 only.`,
  });
}

/** cdk-nag prints an unresolved partition (apps without the partition-literals flag) as <AWS::Partition>. */
function nagRendering(stack: Stack, arn: string): string {
  return Token.isUnresolved(stack.partition) ? arn.replace(stack.partition, '<AWS::Partition>') : arn;
}
