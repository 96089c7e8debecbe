import { App, Stage, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compliancePacks } from '../../lib/app';
import { EnvironmentConfig, loadEnvironments } from '../../lib/config';
import { CDK_BOOTSTRAP_ROLES, DELIVERY_ROLES, DEPLOY_BOOTSTRAP_ROLES, DeliveryRole, SYNC_PREFIXES, cdkBootstrapRoleName, deliveryRoleName } from '../../lib/delivery-names';
import { stageId } from '../../lib/platform-stage';
import { DeliveryStack } from '../../lib/stacks/delivery-stack';
import { deliveryFacts } from '../../scripts/delivery-env';
import { cdkJsonContext, environment, nagFindings } from '../harness/platform';

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: Record<string, unknown>;
  Condition?: Record<string, Record<string, string | string[]>>;
};
type Resource = { Type: string; Properties: Record<string, unknown> };

/** Delivery stacks as the Stage wires them: `<Stage>/Delivery`, with the app's compliance packs. */
function deliveryApp(configs: readonly EnvironmentConfig[]): { app: App; stacks: DeliveryStack[] } {
  const app = new App({ context: cdkJsonContext() });
  const stacks = configs.map((config) => new DeliveryStack(new Stage(app, stageId(config.name)), 'Delivery', { config }));
  Validations.of(app).addPlugins(...compliancePacks(app));
  return { app, stacks };
}

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function roleNamed(template: Template, name: string): [string, Resource] {
  const [entry] = Object.entries(template.findResources('AWS::IAM::Role', { Properties: { RoleName: name } }));
  if (!entry) throw new Error(`no role named ${name}`);
  return entry as [string, Resource];
}

/** Every permission statement attached to the role with this logical id. */
function permissionsOf(template: Template, logicalId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: logicalId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/** Trust statements that would admit more than exact subjects: a pattern operator, a wildcard, or no `sub` or `aud` at all. */
function looseTrusts(templateJson: { Resources?: Record<string, Resource> }): string[] {
  const problems: string[] = [];
  for (const [id, resource] of Object.entries(templateJson.Resources ?? {})) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    for (const statement of (resource.Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement) {
      const conditions = statement.Condition ?? {};
      for (const operator of Object.keys(conditions)) if (operator !== 'StringEquals') problems.push(`${id}: ${operator}`);
      const equals = conditions.StringEquals ?? {};
      const subjects = list(equals['token.actions.githubusercontent.com:sub']);
      if (subjects.length === 0) problems.push(`${id}: no sub condition`);
      for (const subject of subjects) if (/[*?]/.test(subject)) problems.push(`${id}: wildcard subject ${subject}`);
      if (equals['token.actions.githubusercontent.com:aud'] !== 'sts.amazonaws.com') problems.push(`${id}: aud is not sts.amazonaws.com`);
    }
  }
  return problems;
}

const environments = loadEnvironments();
const { app, stacks } = deliveryApp(environments);

describe.each(environments.map((config, i) => [config.name, config, stacks[i]] as const))('%s Delivery stack', (name, config, stack) => {
  const template = Template.fromStack(stack);
  const { githubOwner: owner, githubRepo: repo, githubOwnerId: ownerId, githubRepoId: repoId } = config.delivery;
  const bootstrapRole = (kind: (typeof CDK_BOOTSTRAP_ROLES)[number]) =>
    `arn:aws:iam::${config.account}:role/${cdkBootstrapRoleName(kind, config.account, config.region)}`;
  const artifacts = `arn:aws:s3:::bdp-${name}-artifacts-${config.account}-${config.region}`;
  const expectedSubjects: Record<DeliveryRole, string[]> = {
    diff: [`repo:${owner}/${repo}:pull_request`, `repo:${owner}@${ownerId}/${repo}@${repoId}:pull_request`],
    deploy: [`repo:${owner}/${repo}:environment:${name}`, `repo:${owner}@${ownerId}/${repo}@${repoId}:environment:${name}`],
    sync: [`repo:${owner}/${repo}:environment:${name}`, `repo:${owner}@${ownerId}/${repo}@${repoId}:environment:${name}`],
  };

  test('one GitHub OIDC provider: the GitHub issuer, audience sts.amazonaws.com', () => {
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] });
  });

  test.each(DELIVERY_ROLES)('the %s role trusts the provider, aud sts.amazonaws.com and exactly its legacy and immutable subjects', (role) => {
    const [, resource] = roleNamed(template, deliveryRoleName(config, role));
    const [providerId] = Object.keys(template.findResources('AWS::IAM::OIDCProvider'));
    expect(resource.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRoleWithWebIdentity',
          Principal: { Federated: { Ref: providerId } },
          Condition: {
            StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': expectedSubjects[role] },
          },
        },
      ],
    });
    expect(resource.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('no role trusts all of GitHub, another repository or a pattern of subjects', () => {
    expect(looseTrusts(template.toJSON())).toEqual([]);
  });

  test("the diff role may only read its environment's deployed templates: no bootstrap role, so it can neither deploy nor look up", () => {
    const [id] = roleNamed(template, deliveryRoleName(config, 'diff'));
    const stacks = [config.region, 'us-east-1'].map((region) => `arn:aws:cloudformation:${region}:${config.account}:stack/${stageId(name)}-*/*`);
    expect(permissionsOf(template, id)).toEqual([{ Effect: 'Allow', Action: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'], Resource: stacks }]);
  });

  test("the deploy role may only assume the CDK bootstrap roles of its account and region, never the lookup role", () => {
    const [id] = roleNamed(template, deliveryRoleName(config, 'deploy'));
    const statements = permissionsOf(template, id);
    expect(statements.flatMap((s) => list(s.Action))).toEqual(['sts:AssumeRole']);
    expect(statements.flatMap((s) => list(s.Resource)).sort()).toEqual(DEPLOY_BOOTSTRAP_ROLES.map(bootstrapRole).sort());
  });

  test("the sync role writes only its prefixes of its environment's artifacts bucket, and cannot touch MWAA", () => {
    const [id] = roleNamed(template, deliveryRoleName(config, 'sync'));
    const statements = permissionsOf(template, id);
    const s3 = statements.filter((s) => list(s.Action).some((a) => a.startsWith('s3:')));
    const objectStatements = s3.filter((s) => !list(s.Action).includes('s3:ListBucket'));
    expect(objectStatements.flatMap((s) => list(s.Resource)).sort()).toEqual(SYNC_PREFIXES.map((prefix) => `${artifacts}/${prefix}/*`).sort());
    expect(objectStatements.flatMap((s) => list(s.Action)).filter((a) => /Put|Delete/.test(a)).sort()).toEqual(['s3:DeleteObject', 's3:PutObject']);
    expect(s3.find((s) => list(s.Action).includes('s3:ListBucket'))).toEqual({
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: artifacts,
      Condition: { StringLike: { 's3:prefix': SYNC_PREFIXES.map((prefix) => `${prefix}/*`) } },
    });
    const kms = statements.find((s) => list(s.Action).includes('kms:GenerateDataKey'));
    expect(kms?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': `s3.${config.region}.amazonaws.com` },
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [`alias/bdp-${name}-lake`] },
    });
    const actions = statements.flatMap((s) => list(s.Action));
    expect(actions.filter((a) => !/^(s3|kms):/.test(a))).toEqual([]);
  });

  test('role ARNs are outputs, and scripts/delivery-env.ts prints the same ARNs from the names module', () => {
    const facts = deliveryFacts(config);
    for (const role of DELIVERY_ROLES) {
      const [id, resource] = roleNamed(template, deliveryRoleName(config, role));
      const output = `${role.charAt(0).toUpperCase()}${role.slice(1)}RoleArn`;
      template.hasOutput(output, { Value: { 'Fn::GetAtt': [id, 'Arn'] } });
      expect(facts[`${role}-role-arn`]).toBe(`arn:aws:iam::${config.account}:role/${resource.Properties.RoleName}`);
    }
  });
});

test('without the numeric ids, roles trust only the legacy subject form', () => {
  const config = environment('dev', (input) => ({ ...input, delivery: { githubOwner: 'example-org', githubRepo: 'big-data-platform' } }));
  const template = Template.fromStack(deliveryApp([config]).stacks[0]);
  const [, resource] = roleNamed(template, deliveryRoleName(config, 'deploy'));
  const statement = (resource.Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement[0];
  expect(statement.Condition?.StringEquals['token.actions.githubusercontent.com:sub']).toEqual(['repo:example-org/big-data-platform:environment:dev']);
});

test("an account's existing provider (delivery.existingOidcProviderArn) is imported, not created a second time", () => {
  const arn = `arn:aws:iam::${environments[0].account}:oidc-provider/token.actions.githubusercontent.com`;
  const config = environment('dev', (input) => ({ ...input, delivery: { ...input.delivery, existingOidcProviderArn: arn } }));
  const template = Template.fromStack(deliveryApp([config]).stacks[0]);
  template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
  expect(looseTrusts(template.toJSON())).toEqual([]);
  expect(JSON.stringify(template.findResources('AWS::IAM::Role'))).toContain(`"Federated":"${arn}"`);
});

test('the trust scan catches a pattern subject, a missing aud and a foreign operator', () => {
  const loose = {
    Resources: {
      Loose: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: {}, StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:example-org/*' } } }],
          },
        },
      },
    },
  };
  expect(looseTrusts(loose)).toEqual(['Loose: StringLike', 'Loose: wildcard subject repo:example-org/*', 'Loose: aud is not sts.amazonaws.com']);
});

test('cdk-nag AwsSolutions, NIST 800-53 R5 and Serverless report no unacknowledged finding', () => {
  expect(nagFindings(app)).toEqual([]);
});

test('cfn-lint reports nothing on the Delivery templates', () => {
  const cfnLint = join(__dirname, '..', '..', '.venv', 'bin', 'cfn-lint');
  if (!existsSync(cfnLint)) throw new Error('cfn-lint is missing: run `make deps` (it installs requirements-dev.txt into .venv)');
  const dir = mkdtempSync(join(tmpdir(), 'delivery-'));
  try {
    const files = stacks.map((stack) => {
      const file = join(dir, `${stack.stackName}.template.json`);
      writeFileSync(file, JSON.stringify(Template.fromStack(stack).toJSON()));
      return file;
    });
    expect(execFileSync(cfnLint, files, { encoding: 'utf8' })).toBe('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
