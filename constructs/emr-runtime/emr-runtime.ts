import { Stack, Tags, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as emr from 'aws-cdk-lib/aws-emr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { EmrRuntimeProps } from './emr-runtime-props';

/** The tag the EMR v2 managed service policy requires on every VPC resource a cluster uses. */
export const EMR_MANAGED_TAG = { key: 'for-use-with-amazon-emr-managed-policies', value: 'true' };
/** Lake prefixes of the ETL package and of cluster logs. */
export const ETL_PREFIX = 'etl/';
export const EMR_LOGS_PREFIX = 'emr-logs/';

/**
 * Everything a transient EMR cluster of the platform needs that outlives it: the service role
 * (AWS's v2 policy, which acts only on resources carrying the managed-policies tag), the EC2
 * instance role with lake access by zone, a security configuration (SSE-KMS on S3, encrypted
 * local disks and EBS, TLS between nodes, IMDSv2 only), and EMR-managed security groups for private subnets. The DAGs
 * create clusters from these; nothing here runs until they do.
 */
export class EmrRuntime extends Construct {
  readonly serviceRole: iam.Role;
  readonly instanceRole: iam.Role;
  readonly instanceProfile: iam.InstanceProfile;
  readonly securityConfiguration: emr.CfnSecurityConfiguration;
  readonly primarySecurityGroup: ec2.SecurityGroup;
  readonly coreSecurityGroup: ec2.SecurityGroup;
  readonly serviceAccessSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: EmrRuntimeProps) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    const { lake } = props;

    this.instanceRole = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'EMR cluster nodes: the ETL reads bronze, writes silver and gold, reads its package, writes logs',
    });
    lake.grantRead(this.instanceRole, 'bronze');
    lake.grantReadWrite(this.instanceRole, 'silver');
    lake.grantReadWrite(this.instanceRole, 'gold');
    lake.grantRead(this.instanceRole, 'artifacts', ETL_PREFIX);
    // EMR pushes logs and never needs to delete one.
    lake.grantAppend(this.instanceRole, 'logs', EMR_LOGS_PREFIX);
    // Every node downloads the in-transit TLS certificates when it starts.
    lake.grantRead(this.instanceRole, 'artifacts', props.inTransitCertificatesKey);
    // Iceberg's Glue catalog: read and commit the tables of the ETL's databases (a commit is an UpdateTable).
    this.instanceRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:CreateTable', 'glue:UpdateTable'],
        resources: [
          `arn:${partition}:glue:${region}:${account}:catalog`,
          ...props.icebergDatabases.flatMap((database) => [`arn:${partition}:glue:${region}:${account}:database/${database}`, `arn:${partition}:glue:${region}:${account}:table/${database}/*`]),
        ],
      }),
    );
    for (const database of props.icebergDatabases) {
      Validations.of(this.instanceRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:glue:${region}:${account}:table/${database}/*]`,
        reason: `The ETL creates and commits the Iceberg tables of ${database}; their names come from datasets.json, and a wildcard within the one database keeps a new dataset from needing an IAM change.`,
      });
    }
    this.instanceProfile = new iam.InstanceProfile(this, 'InstanceProfile', { role: this.instanceRole });

    this.serviceRole = new iam.Role(this, 'ServiceRole', {
      // Only EMR acting for this account may assume it (confused-deputy protection).
      assumedBy: new iam.ServicePrincipal('elasticmapreduce.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:elasticmapreduce:${region}:${account}:*` },
        },
      }),
      description: 'EMR service role (v2 policy: acts only on resources tagged for EMR managed policies)',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonEMRServicePolicy_v2')],
    });
    // The v2 policy passes only a role named EMR_EC2_DefaultRole; ours has its own name.
    this.serviceRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.instanceRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      }),
    );
    // Encrypted EBS volumes and local disks use the lake key through EMR.
    lake.key.grant(this.serviceRole, 'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey');
    lake.key.grant(this.serviceRole, 'kms:CreateGrant').principalStatement?.addCondition('Bool', { 'kms:GrantIsForAWSResource': true });

    Validations.of(this.serviceRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2]',
      reason: "AWS maintains the EMR v2 service policy for new EMR features; it acts only on EC2 resources tagged for EMR managed policies, unlike v1's ec2:* on *, the original platform's fault.",
    });
    for (const role of [this.serviceRole, this.instanceRole]) {
      Validations.of(role).acknowledge({
        id: 'NIST.800.53.R5-IAMNoInlinePolicy',
        reason: "The role's inline policy is generated from the lake's scoped grants and lives and dies with the role, so it cannot be attached elsewhere by mistake.",
      });
    }

    this.securityConfiguration = new emr.CfnSecurityConfiguration(this, 'SecurityConfiguration', {
      name: `${props.namePrefix}-emr`,
      securityConfiguration: {
        EncryptionConfiguration: {
          EnableAtRestEncryption: true,
          AtRestEncryptionConfiguration: {
            S3EncryptionConfiguration: { EncryptionMode: 'SSE-KMS', AwsKmsKey: lake.key.keyArn },
            LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: 'AwsKms', AwsKmsKey: lake.key.keyArn, EnableEbsEncryption: true },
          },
          EnableInTransitEncryption: true,
          InTransitEncryptionConfiguration: {
            TLSCertificateConfiguration: { CertificateProviderType: 'PEM', S3Object: `s3://${lake.bucketNames.artifacts}/${props.inTransitCertificatesKey}` },
          },
        },
        // IMDSv2 only, one hop: credentials cannot be read by SSRF or from containers.
        InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: 2, HttpPutResponseHopLimit: 1 },
      },
    });

    // EMR adds its own rules to these managed groups when a cluster starts; the service-access
    // group's rules for private subnets are declared here so they are reviewed like any other.
    const group = (name: string, description: string, allowAllOutbound: boolean) =>
      new ec2.SecurityGroup(this, name, { vpc: props.vpc, description, allowAllOutbound });
    this.primarySecurityGroup = group('PrimarySecurityGroup', 'EMR-managed: primary nodes of platform clusters', true);
    this.coreSecurityGroup = group('CoreSecurityGroup', 'EMR-managed: core and task nodes of platform clusters', true);
    this.serviceAccessSecurityGroup = group('ServiceAccessSecurityGroup', 'EMR-managed: EMR service access to clusters in private subnets', false);
    this.serviceAccessSecurityGroup.addIngressRule(this.primarySecurityGroup, ec2.Port.tcp(9443), 'Primary nodes reach the EMR service');
    this.serviceAccessSecurityGroup.addEgressRule(this.primarySecurityGroup, ec2.Port.tcp(8443), 'EMR service reaches primary nodes');
    this.serviceAccessSecurityGroup.addEgressRule(this.coreSecurityGroup, ec2.Port.tcp(8443), 'EMR service reaches core and task nodes');

    for (const resource of [this.primarySecurityGroup, this.coreSecurityGroup, this.serviceAccessSecurityGroup, ...props.subnets]) {
      Tags.of(resource).add(EMR_MANAGED_TAG.key, EMR_MANAGED_TAG.value);
    }
  }
}
