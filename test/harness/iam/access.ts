import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { ResolvedResource, TemplateWorld } from './template-world';

/**
 * IAM evaluation of the synthesized platform with a real policy evaluator (@cloud-copilot/iam-simulate):
 * identity policies, the resource's own policy (bucket, key, topic, queue, role trust), conditions
 * and tags together, as IAM evaluates them. The requests are the ones the platform's code makes
 * (declared beside that code) and the ones it must never be able to make.
 */

/** One request as IAM evaluates it. Placeholders are resolved before this point. */
export interface AccessRequest {
  /** A role ARN, or a service principal such as `cloudwatch.amazonaws.com`. */
  readonly principal: string;
  readonly action: string;
  /** The ARN acted on, or `*` for actions without a resource type. */
  readonly resource: string;
  /** Condition keys: tags as `aws:ResourceTag/<key>`, `kms:ViaService`, `aws:SourceArn`, ... */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied' | `Error: ${string}`;

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly PolicyStatementJson[];
}

export interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** An account no environment uses: the owner of "foreign" resources in denied cases. */
export const FOREIGN_ACCOUNT = '999999999999';

const asList = <T>(value: T | readonly T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? [...value] : [value as T]);

export class AccessModel {
  constructor(readonly world: TemplateWorld) {}

  role(arn: string): ResolvedResource {
    const role = this.world.resources.find((r) => r.type === 'AWS::IAM::Role' && r.arn === arn);
    if (!role) throw new Error(`no role ${arn} in the templates`);
    return role;
  }

  /** Every identity policy of a role: inline, attached AWS::IAM::Policy and customer-managed policies. */
  identityPolicies(roleArn: string): { name: string; policy: PolicyDocument }[] {
    const role = this.role(roleArn);
    const attached = (r: ResolvedResource) => asList<string>(r.properties.Roles).includes(role.ref);
    const managedArns = asList<string>(role.properties.ManagedPolicyArns);
    return [
      ...asList<{ PolicyName: string; PolicyDocument: PolicyDocument }>(role.properties.Policies).map((p) => ({ name: p.PolicyName, policy: p.PolicyDocument })),
      ...this.world.ofType('AWS::IAM::Policy').filter(attached).map((p) => ({ name: p.logicalId, policy: p.properties.PolicyDocument as PolicyDocument })),
      ...this.world
        .ofType('AWS::IAM::ManagedPolicy')
        .filter((p) => attached(p) || managedArns.includes(p.arn!))
        .map((p) => ({ name: p.logicalId, policy: p.properties.PolicyDocument as PolicyDocument })),
    ];
  }

  /** AWS-managed policies attached to a role: their text is AWS's, so calls they cover are not evaluated here. */
  awsManagedPolicies(roleArn: string): string[] {
    return asList<string>(this.role(roleArn).properties.ManagedPolicyArns).filter((arn) => arn.includes(':iam::aws:policy/'));
  }

  /** The policy of the resource acted on, as IAM attaches it: bucket, key, topic, queue, or a role's trust policy. */
  resourcePolicy(action: string, resource: string): PolicyDocument | undefined {
    const statements = (type: string, matches: (r: ResolvedResource) => boolean) =>
      this.world
        .ofType(type)
        .filter(matches)
        .flatMap((p) => (p.properties.PolicyDocument as PolicyDocument).Statement);
    if (resource.startsWith('arn:aws:s3:::')) {
      const bucket = resource.slice('arn:aws:s3:::'.length).split('/')[0];
      const found = statements('AWS::S3::BucketPolicy', (p) => p.properties.Bucket === bucket);
      return found.length ? { Version: '2012-10-17', Statement: found } : undefined;
    }
    const target = this.world.byArn(resource);
    if (!target) return undefined;
    if (target.type === 'AWS::KMS::Key') return target.properties.KeyPolicy as PolicyDocument;
    if (target.type === 'AWS::IAM::Role' && action.startsWith('sts:')) return target.properties.AssumeRolePolicyDocument as PolicyDocument;
    if (target.type === 'AWS::SNS::Topic') {
      const found = statements('AWS::SNS::TopicPolicy', (p) => asList<string>(p.properties.Topics).includes(target.arn!));
      return found.length ? { Version: '2012-10-17', Statement: found } : undefined;
    }
    if (target.type === 'AWS::SQS::Queue') {
      const found = statements('AWS::SQS::QueuePolicy', (p) => asList<string>(p.properties.Queues).includes(target.ref));
      return found.length ? { Version: '2012-10-17', Statement: found } : undefined;
    }
    return undefined;
  }

  /** The account that owns a resource: from the ARN, or for S3 (whose ARNs name none) from the templates. */
  resourceAccount(resource: string, principal: string): string {
    const inArn = resource.split(':')[4];
    if (inArn && /^\d{12}$/.test(inArn)) return inArn;
    if (resource.startsWith('arn:aws:s3:::')) {
      const bucket = resource.slice('arn:aws:s3:::'.length).split('/')[0];
      const owner = this.world.ofType('AWS::S3::Bucket').find((b) => b.ref === bucket);
      return owner?.stack.account ?? FOREIGN_ACCOUNT;
    }
    return principal.split(':')[4] || this.world.stacks[0].account;
  }

  /** What KMS adds to every request on a key: the key's aliases (`kms:ResourceAliases`). */
  impliedContext(request: AccessRequest): Record<string, string | string[]> {
    if (!request.action.startsWith('kms:')) return {};
    const key = this.world.byArn(request.resource);
    if (key?.type !== 'AWS::KMS::Key') return {};
    const aliases = this.world.aliasesOf(key);
    return aliases.length > 0 ? { 'kms:ResourceAliases': aliases } : {};
  }

  async decide(request: AccessRequest, options: { identityPolicies?: { name: string; policy: PolicyDocument }[] } = {}): Promise<Decision> {
    const isService = !request.principal.startsWith('arn:');
    const resourcePolicy = this.resourcePolicy(request.action, request.resource);
    const result = await runSimulation(
      {
        request: {
          principal: request.principal,
          action: request.action,
          resource: { resource: request.resource, accountId: this.resourceAccount(request.resource, request.principal) },
          contextVariables: { 'aws:SecureTransport': 'true', ...this.impliedContext(request), ...(request.context as Record<string, string | string[]>) },
        },
        identityPolicies: options.identityPolicies ?? (isService ? [] : this.identityPolicies(request.principal)),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy,
      },
      { simulationMode: 'Strict' },
    );
    if (result.resultType === 'error') return `Error: ${JSON.stringify(result.errors).slice(0, 400)}`;
    return result.overallResult;
  }
}

/** `kms:GenerateDataKey*` matches `kms:GenerateDataKey`; IAM action and resource patterns are case-(in)sensitive globs. */
export function globMatches(pattern: string, value: string, caseInsensitive = false): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, caseInsensitive ? 'i' : '');
  return regex.test(value);
}

export interface UnusedGrant {
  readonly policy: string;
  readonly sid?: string;
  readonly action: string;
  readonly resources: readonly string[];
}

/**
 * The actions of a role's Allow statements that no declared request uses: a grant nobody's code
 * needs. Wildcards in the grant match a request's action or resource like IAM's.
 */
export function unusedGrants(model: AccessModel, roleArn: string, requests: readonly AccessRequest[]): UnusedGrant[] {
  const unused: UnusedGrant[] = [];
  for (const { name, policy } of model.identityPolicies(roleArn)) {
    for (const statement of policy.Statement) {
      if (statement.Effect !== 'Allow') continue;
      const resources = asList<string>(statement.Resource);
      for (const action of asList<string>(statement.Action)) {
        const used = requests.some(
          (r) => globMatches(action, r.action, true) && (resources.length === 0 || resources.some((pattern) => globMatches(pattern, r.resource) || globMatches(r.resource, pattern))),
        );
        if (!used) unused.push({ policy: name, sid: statement.Sid, action, resources });
      }
    }
  }
  return unused;
}
