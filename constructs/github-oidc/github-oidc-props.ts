import type { Duration } from 'aws-cdk-lib';

/** The repository whose workflows may assume the roles. */
export interface GitHubRepository {
  /** The organisation or user, e.g. `example-org`. */
  readonly owner: string;
  /** The repository name, e.g. `big-data-platform`. */
  readonly name: string;
  /**
   * Numeric ids of the owner and the repository. Repositories created after 2026-07-15 sign
   * immutable subjects (`repo:owner@ID/name@ID:...`); with both ids set, roles trust that form as
   * well as the legacy one.
   * @default - only the legacy `repo:owner/name:...` subjects are trusted
   */
  readonly ownerId?: number;
  /** @default - only the legacy subjects are trusted (see `ownerId`) */
  readonly repositoryId?: number;
}

/**
 * The kind of workflow job a role trusts, as GitHub writes it after the repository in the token's
 * `sub` claim. Only exact claims can be built, so no role can trust a wildcard.
 */
export class GitHubJobClaim {
  /** Jobs of `pull_request` workflows (without a GitHub environment). */
  static pullRequest(): GitHubJobClaim {
    return new GitHubJobClaim('pull_request');
  }

  /** Jobs that run in a GitHub environment, whose protection rules (reviewers, branches) gate them. */
  static environment(name: string): GitHubJobClaim {
    if (!/^[A-Za-z0-9._-]{1,255}$/.test(name)) {
      throw new Error(`GitHubJobClaim.environment: '${name}' is not a usable GitHub environment name (letters, digits, '.', '_', '-')`);
    }
    return new GitHubJobClaim(`environment:${name}`);
  }

  private constructor(readonly claim: string) {}
}

export interface GitHubOidcProps {
  readonly repository: GitHubRepository;
  /**
   * ARN of the account's existing GitHub OIDC provider. An account holds one provider per issuer,
   * so a second stack in the same account (or a provider made by hand) must import it.
   * @default - the provider is created
   */
  readonly existingProviderArn?: string;
}

export interface GitHubRoleProps {
  /** A fixed name, so workflows can compute the role's ARN from the account alone. */
  readonly roleName: string;
  /** The job whose token may assume the role. */
  readonly job: GitHubJobClaim;
  readonly description: string;
  /** @default Duration.hours(1) */
  readonly maxSessionDuration?: Duration;
}
