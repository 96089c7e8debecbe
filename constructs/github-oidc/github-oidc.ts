import { Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { GitHubJobClaim, GitHubOidcProps, GitHubRepository, GitHubRoleProps } from './github-oidc-props';

export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';
/** The audience aws-actions/configure-aws-credentials requests. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/**
 * The exact `sub` claims of one repository's jobs of one kind: the legacy `repo:owner/name:...`
 * form, and the immutable `repo:owner@ID/name@ID:...` form when both ids are known.
 */
export function githubSubjects(repository: GitHubRepository, job: GitHubJobClaim): string[] {
  const { owner, name, ownerId, repositoryId } = repository;
  const subjects = [`repo:${owner}/${name}:${job.claim}`];
  if (ownerId !== undefined && repositoryId !== undefined) subjects.push(`repo:${owner}@${ownerId}/${name}@${repositoryId}:${job.claim}`);
  return subjects;
}

/**
 * GitHub Actions' OIDC identity provider in an account (created with the native
 * `AWS::IAM::OIDCProvider`, no custom-resource Lambda, or imported), and roles that trust exactly
 * one repository's jobs of one kind: `aud` must be `sts.amazonaws.com` and `sub` one of the exact
 * subjects, never a pattern.
 */
export class GitHubOidc extends Construct {
  readonly provider: iam.IOidcProvider;
  private readonly repository: GitHubRepository;

  constructor(scope: Construct, id: string, props: GitHubOidcProps) {
    super(scope, id);
    validateRepository(props.repository);
    this.repository = props.repository;

    const existing = props.existingProviderArn;
    if (existing !== undefined && !Token.isUnresolved(existing) && !existing.endsWith(`:oidc-provider/${GITHUB_OIDC_ISSUER}`)) {
      throw new Error(`GitHubOidc: existingProviderArn '${existing}' is not the ARN of a GitHub Actions provider (…:oidc-provider/${GITHUB_OIDC_ISSUER})`);
    }
    this.provider = existing
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'Provider', existing)
      : new iam.OidcProviderNative(this, 'Provider', {
          url: `https://${GITHUB_OIDC_ISSUER}`,
          clientIds: [GITHUB_OIDC_AUDIENCE],
          // No thumbprints: IAM verifies GitHub's certificate against its library of trusted CAs.
        });
  }

  /** A role that the repository's jobs of one kind (pull requests, one environment) may assume. */
  addRole(id: string, props: GitHubRoleProps): iam.Role {
    const role = new iam.Role(this, id, {
      roleName: props.roleName,
      description: props.description,
      maxSessionDuration: props.maxSessionDuration,
      assumedBy: new iam.OpenIdConnectPrincipal(this.provider, {
        StringEquals: {
          [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_ISSUER}:sub`]: githubSubjects(this.repository, props.job),
        },
      }),
    });
    Validations.of(role).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: "The role's inline policy holds only its delivery grants and lives and dies with the role, so it cannot be attached to another principal by mistake.",
    });
    return role;
  }
}

/** Fail fast on a value that would widen the trust beyond one repository. */
function validateRepository({ owner, name }: GitHubRepository): void {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(owner)) throw new Error(`GitHubOidc: repository.owner '${owner}' is not a GitHub organisation or user name`);
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) throw new Error(`GitHubOidc: repository.name '${name}' is not a GitHub repository name`);
}
