import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_ISSUER,
  GitHubJobClaim,
  GitHubOidc,
  GitHubOidcProps,
  githubSubjects,
  grantAssumeCdkBootstrapRoles,
  grantPrefixSync,
} from '../../constructs/github-oidc';
import { cdkJsonContext, PolicyStatement as Statement, policyStatements } from '../harness/platform';

const repository = { owner: 'example-org', name: 'big-data-platform' };
const env = { account: '123456789012', region: 'eu-north-1' };

function stackWith(props: GitHubOidcProps = { repository }): { stack: Stack; github: GitHubOidc } {
  const stack = new Stack(new App({ context: cdkJsonContext() }), 'Test', { env });
  return { stack, github: new GitHubOidc(stack, 'GitHub', props) };
}

const statementsOf = (stack: Stack): Statement[] => policyStatements(Template.fromStack(stack));

describe('githubSubjects', () => {
  test('the legacy subject only, when the ids are unknown', () => {
    expect(githubSubjects(repository, GitHubJobClaim.pullRequest())).toEqual(['repo:example-org/big-data-platform:pull_request']);
  });

  test('the legacy and the immutable subject, when both ids are known', () => {
    expect(githubSubjects({ ...repository, ownerId: 11, repositoryId: 22 }, GitHubJobClaim.environment('prod'))).toEqual([
      'repo:example-org/big-data-platform:environment:prod',
      'repo:example-org@11/big-data-platform@22:environment:prod',
    ]);
  });

  test('one id alone cannot build an immutable subject, so only the legacy one is trusted', () => {
    expect(githubSubjects({ ...repository, ownerId: 11 }, GitHubJobClaim.pullRequest())).toHaveLength(1);
  });
});

describe('GitHubOidc', () => {
  test('creates the native provider for the GitHub issuer and STS audience, with no custom-resource Lambda', () => {
    const template = Template.fromStack(stackWith().stack);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', { Url: `https://${GITHUB_OIDC_ISSUER}`, ClientIdList: [GITHUB_OIDC_AUDIENCE] });
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('Custom::AWSCDKOpenIdConnectProvider', 0);
  });

  test('a role trusts the provider with aud = sts.amazonaws.com and exactly the subjects of its job kind', () => {
    const { stack, github } = stackWith();
    github.addRole('Role', { roleName: 'r', job: GitHubJobClaim.environment('dev'), description: 'd' });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'r',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRoleWithWebIdentity',
            Effect: 'Allow',
            Principal: { Federated: { Ref: Match.stringLikeRegexp('^GitHubProvider') } },
            Condition: {
              StringEquals: {
                'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                'token.actions.githubusercontent.com:sub': ['repo:example-org/big-data-platform:environment:dev'],
              },
            },
          },
        ],
      },
    });
  });

  test('imports an existing provider by ARN instead of creating a second one', () => {
    const arn = `arn:aws:iam::${env.account}:oidc-provider/${GITHUB_OIDC_ISSUER}`;
    const { stack, github } = stackWith({ repository, existingProviderArn: arn });
    github.addRole('Role', { roleName: 'r', job: GitHubJobClaim.pullRequest(), description: 'd' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    template.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Federated: arn } })] } });
  });

  test('refuses an existing provider of another issuer, naming the prop', () => {
    expect(() => stackWith({ repository, existingProviderArn: `arn:aws:iam::${env.account}:oidc-provider/gitlab.com` })).toThrow(/existingProviderArn/);
  });

  test.each([
    [{ owner: '*', name: 'big-data-platform' }, /repository\.owner/],
    [{ owner: 'example-org', name: 'big-data-*' }, /repository\.name/],
  ])('refuses a repository that would widen the trust: %j', (repo, message) => {
    expect(() => stackWith({ repository: repo })).toThrow(message);
  });

  test('refuses an environment claim with a wildcard', () => {
    expect(() => GitHubJobClaim.environment('*')).toThrow(/GitHub environment name/);
  });
});

describe('delivery grants', () => {
  test('grantAssumeCdkBootstrapRoles names the bootstrap roles of the stack account and region, and only those', () => {
    const { stack, github } = stackWith();
    grantAssumeCdkBootstrapRoles(github.addRole('Role', { roleName: 'r', job: GitHubJobClaim.pullRequest(), description: 'd' }), ['lookup', 'deploy']);
    expect(statementsOf(stack)).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Resource: [
          'arn:aws:iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-eu-north-1',
          'arn:aws:iam::123456789012:role/cdk-hnb659fds-lookup-role-123456789012-eu-north-1',
        ],
      },
    ]);
  });

  test('grantPrefixSync writes only under the prefixes and uses the aliased key only through S3', () => {
    const { stack, github } = stackWith();
    grantPrefixSync(github.addRole('Role', { roleName: 'r', job: GitHubJobClaim.pullRequest(), description: 'd' }), {
      bucketName: 'artifacts',
      prefixes: ['dags', 'etl'],
      keyAlias: 'alias/lake',
    });
    const statements = statementsOf(stack);
    expect(statements).toContainEqual({
      Action: 's3:ListBucket',
      Effect: 'Allow',
      Resource: 'arn:aws:s3:::artifacts',
      Condition: { StringLike: { 's3:prefix': ['dags/*', 'etl/*'] } },
    });
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: expect.arrayContaining(['s3:PutObject', 's3:DeleteObject']), Resource: ['arn:aws:s3:::artifacts/dags/*', 'arn:aws:s3:::artifacts/etl/*'] }),
    );
    expect(statements).toContainEqual({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Effect: 'Allow',
      Resource: 'arn:aws:kms:eu-north-1:123456789012:key/*',
      Condition: { StringEquals: { 'kms:ViaService': 's3.eu-north-1.amazonaws.com' }, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/lake'] } },
    });
  });

});
