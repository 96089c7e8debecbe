import { CfnOutput, Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GitHubJobClaim, GitHubOidc, grantAssumeCdkBootstrapRoles, grantMwaaRequirementsUpdate, grantPrefixSync } from '../../constructs/github-oidc';
import { CDK_BOOTSTRAP_ROLES, SYNC_PREFIXES, diffRoleName, deployRoleName, syncRoleName } from '../delivery-names';
import { ResourceNames } from '../naming';
import { PlatformStack, PlatformStackProps } from '../platform-stack';


/**
 * How GitHub Actions reaches this environment's account, without stored keys: the OIDC provider
 * and three roles, each trusting only this repository's jobs of one kind.
 */
export class DeliveryStack extends PlatformStack {
  readonly github: GitHubOidc;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { config } = this;
    const names = new ResourceNames(config);
    const { githubOwner, githubRepo, githubOwnerId, githubRepoId, existingOidcProviderArn } = config.delivery;
    this.github = new GitHubOidc(this, 'GitHub', {
      repository: { owner: githubOwner, name: githubRepo, ownerId: githubOwnerId, repositoryId: githubRepoId },
      existingProviderArn: existingOidcProviderArn,
    });

    // Pull requests: read what is deployed, through the CDK lookup role, to diff templates.
    const diff = this.github.addRole('DiffRole', {
      roleName: diffRoleName(config),
      job: GitHubJobClaim.pullRequest(),
      description: `cdk diff of ${config.name} from pull requests (template diff through the CDK lookup role only)`,
    });
    grantAssumeCdkBootstrapRoles(diff, ['lookup'], config.delivery.bootstrapQualifier);

    // Deploy jobs in the GitHub environment (reviewers gate staging and prod). First deployments
    // of MWAA take longer than an hour, and the CLI renews its bootstrap sessions from this one.
    const deploy = this.github.addRole('DeployRole', {
      roleName: deployRoleName(config),
      job: GitHubJobClaim.environment(config.name),
      description: `cdk deploy of ${config.name} through the CDK bootstrap roles`,
      maxSessionDuration: Duration.hours(2),
    });
    grantAssumeCdkBootstrapRoles(deploy, CDK_BOOTSTRAP_ROLES, config.delivery.bootstrapQualifier);

    const sync = this.github.addRole('SyncRole', {
      roleName: syncRoleName(config),
      job: GitHubJobClaim.environment(config.name),
      description: `Sync DAGs and the ETL package of ${config.name} and point MWAA at new requirements`,
    });
    grantPrefixSync(sync, { bucketName: names.bucket('artifacts'), prefixes: SYNC_PREFIXES, keyAlias: names.lakeKeyAlias });
    grantMwaaRequirementsUpdate(sync, names.mwaaEnvironment);

    new CfnOutput(this, 'OidcProviderArn', { value: this.github.provider.oidcProviderArn });
    new CfnOutput(this, 'DiffRoleArn', { value: diff.roleArn });
    new CfnOutput(this, 'DeployRoleArn', { value: deploy.roleArn });
    new CfnOutput(this, 'SyncRoleArn', { value: sync.roleArn });
  }
}
