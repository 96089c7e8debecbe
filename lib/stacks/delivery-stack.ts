import { CfnOutput, Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GitHubJobClaim, GitHubOidc, grantAssumeCdkBootstrapRoles, grantPrefixSync, grantTemplateDiff } from '../../constructs/github-oidc';
import { DEPLOY_BOOTSTRAP_ROLES, SYNC_PREFIXES, diffRoleName, deployRoleName, syncRoleName } from '../delivery-names';
import { ResourceNames, stageId } from '../naming';
import { PlatformStack, PlatformStackProps } from '../platform-stack';
import { BUDGETS_REGION } from './budget-stack';


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

    // Pull requests: read the deployed templates to diff them, and nothing else (no lookup role).
    const diff = this.github.addRole('DiffRole', {
      roleName: diffRoleName(config),
      job: GitHubJobClaim.pullRequest(),
      description: `cdk diff of ${config.name} from pull requests: read the deployed templates, nothing else`,
    });
    grantTemplateDiff(diff, { [config.region]: [`${stageId(config.name)}-*`], [BUDGETS_REGION]: [`${stageId(config.name)}-*`] });

    // Deploy jobs in the GitHub environment (reviewers gate staging and prod). First deployments
    // of MWAA take longer than an hour, and the CLI renews its bootstrap sessions from this one.
    const deploy = this.github.addRole('DeployRole', {
      roleName: deployRoleName(config),
      job: GitHubJobClaim.environment(config.name),
      description: `cdk deploy of ${config.name} through the CDK bootstrap roles`,
      maxSessionDuration: Duration.hours(2),
    });
    grantAssumeCdkBootstrapRoles(deploy, DEPLOY_BOOTSTRAP_ROLES, config.delivery.bootstrapQualifier);

    const sync = this.github.addRole('SyncRole', {
      roleName: syncRoleName(config),
      job: GitHubJobClaim.environment(config.name),
      description: `Sync DAGs, the ETL package and EMR TLS certificates of ${config.name} (no MWAA update: requirements changes go through a deploy)`,
    });
    grantPrefixSync(sync, { bucketName: names.bucket('artifacts'), prefixes: SYNC_PREFIXES, keyAlias: names.lakeKeyAlias });

    new CfnOutput(this, 'OidcProviderArn', { value: this.github.provider.oidcProviderArn });
    new CfnOutput(this, 'DiffRoleArn', { value: diff.roleArn });
    new CfnOutput(this, 'DeployRoleArn', { value: deploy.roleArn });
    new CfnOutput(this, 'SyncRoleArn', { value: sync.roleArn });
  }
}
