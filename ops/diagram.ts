import { App, CfnElement, CfnOutput, CfnResource, CustomResourceProviderBase, DefaultTokenResolver, type IPostProcessor, type IResolvable, type IResolveContext, Reference, Stack, type Stage, StringConcat, Tokenization } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPlatform } from '../lib/app';
import { loadEnvironments } from '../lib/config';

/**
 * The architecture diagram, derived from the CDK app itself (`make diagram`): one cluster per
 * stack, one box per top-level construct of a stack, split into its notable resources when it has
 * several (the lake's buckets, the fast layer's stream and delivery), and edges that the app
 * implies:
 *  - data flow, from IAM grants: a role that may read a bucket, table, stream or queue draws data
 *    from it; one that may write pushes data to it;
 *  - PassRole: who launches work with whose role (MWAA starts EMR clusters);
 *  - references: any other property of one construct that names another (subnets, keys, ARNs).
 * References are found by resolving every resource's properties with a resolver that records
 * where tokens point, and by matching literal ARNs and names (this app writes bucket and topic
 * ARNs as literals) against the resources that own them. Output is deterministic: construct order
 * and sorted edges, no timestamps, so a test can compare it with the committed docs/architecture.dot.
 */

export type EdgeKind = 'reads' | 'writes' | 'reads+writes' | 'PassRole' | 'uses';

export interface DiagramNode {
  readonly id: string;
  /** Construct id and what it is: our construct's class, an L2's module, or a resource type. */
  readonly title: string;
  readonly subtitle: string;
  /** What it is made of, e.g. `S3 Bucket x5, KMS Key`. */
  readonly detail: string;
}

/** A top-level construct of a stack: one node, or a cluster of its notable resources. */
export interface DiagramGroup {
  readonly id: string;
  readonly title: string;
  readonly subtitle: string;
  readonly nodes: readonly DiagramNode[];
  /** True when the group is drawn as a cluster of several nodes. */
  readonly isCluster: boolean;
}

export interface DiagramStack {
  readonly id: string;
  readonly title: string;
  readonly groups: readonly DiagramGroup[];
}

export interface DiagramEdge {
  /** A node id, or a group id when the end is the group as a whole. */
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
}

export interface ArchitectureGraph {
  readonly title: string;
  readonly stacks: readonly DiagramStack[];
  readonly edges: readonly DiagramEdge[];
}

/** Resource types that get a node of their own when a construct holds several. */
const NOTABLE_TYPES = new Set([
  'AWS::EC2::VPC',
  'AWS::EC2::ClientVpnEndpoint',
  'AWS::S3::Bucket',
  'AWS::Glue::Database',
  'AWS::Athena::WorkGroup',
  'AWS::MWAA::Environment',
  'AWS::Kinesis::Stream',
  'AWS::KinesisFirehose::DeliveryStream',
  'AWS::Lambda::Function',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::SNS::Topic',
  'AWS::SQS::Queue',
  'AWS::CloudWatch::Dashboard',
  'AWS::Budgets::Budget',
]);

/** Plumbing left out of the "made of" summaries. */
const PLUMBING = /(Policy|Ingress|Egress|Association|Route|RouteTable|Attachment|Alias|Subscription|NamedQuery|Permission|EventSourceMapping|Version)$|^AWS::CDK::|^Custom::/;

/** Services whose IAM actions move data; other actions (kms, logs, glue...) are references. */
const DATA_SERVICES = new Set(['s3', 'dynamodb', 'kinesis', 'firehose', 'sqs', 'sns']);
// Reading or writing data; listing and bucket, queue or stream metadata are neither.
const READ_ACTION = /^(Get(?!Bucket|Queue|Encryption|Lifecycle|Account|Topic|ShardIterator)|Query|Scan|Receive|Select|BatchGet|Subscribe)/;
const WRITE_ACTION = /^(Put|Delete|Abort|Send|Publish|Write|BatchWrite|Update|TransactWrite|Restore)/;

const dotId = (path: string) => `n_${path.replace(/[^A-Za-z0-9]/g, '_')}`;
const typeLabel = (cfnType: string) => cfnType.replace(/^AWS::/, '').replace('::', ' ');

/**
 * `kms.Key` for an aws-cdk-lib construct, from its jsii type info; the class name for ours. The
 * library wraps decorated classes in same-named subclasses, so the info may sit a few levels up;
 * a differently named ancestor's info (Construct's, for ours) is not the construct's own.
 */
function constructType(construct: IConstruct): string {
  const rtti = Symbol.for('jsii.rtti');
  const name = construct.constructor.name;
  for (let ctor: unknown = construct.constructor; typeof ctor === 'function' && (ctor as { name: string }).name === name; ctor = Object.getPrototypeOf(ctor)) {
    if (Object.prototype.hasOwnProperty.call(ctor, rtti)) {
      const fqn = (ctor as unknown as Record<symbol, { fqn: string }>)[rtti].fqn;
      return fqn.replace(/^aws-cdk-lib\.aws_/, '').replace(/^aws-cdk-lib\./, '');
    }
  }
  return name;
}

const cfnResources = (scope: IConstruct): CfnResource[] => scope.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource);

function summary(resources: readonly CfnResource[]): string {
  const counts = new Map<string, number>();
  for (const r of resources) if (!PLUMBING.test(r.cfnResourceType)) counts.set(r.cfnResourceType, (counts.get(r.cfnResourceType) ?? 0) + 1);
  return [...counts]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, 4)
    .map(([type, count]) => `${typeLabel(type)}${count > 1 ? ` x${count}` : ''}`)
    .join(', ');
}

/** Top-level constructs worth drawing: not outputs, metadata or CDK's own custom-resource providers. */
function drawableChildren(stack: Stack): IConstruct[] {
  return stack.node.children.filter((child) => !(child instanceof CfnElement) && !(child instanceof CfnOutput) && !(child instanceof CustomResourceProviderBase) && cfnResources(child).length > 0);
}

/** The L2 that wraps a resource (`Bucket` for its `Resource`), or the resource itself. */
const ownerOf = (resource: CfnResource): IConstruct => (resource.node.id === 'Resource' && resource.node.scope ? resource.node.scope : resource);

interface Layout {
  readonly stacks: DiagramStack[];
  /** Every resource of the app → the node or group id that stands for it. */
  readonly endpointOf: Map<CfnResource, string>;
  /** Node or group id → its group id. */
  readonly groupOf: Map<string, string>;
}

function layout(stage: Stage): Layout {
  const endpointOf = new Map<CfnResource, string>();
  const groupOf = new Map<string, string>();
  const stacks: DiagramStack[] = [];
  for (const stack of stage.node.children.filter((c): c is Stack => c instanceof Stack)) {
    const groups: DiagramGroup[] = [];
    for (const top of drawableChildren(stack)) {
      const groupId = dotId(top.node.path);
      const resources = cfnResources(top);
      const notable = resources.filter((r) => NOTABLE_TYPES.has(r.cfnResourceType));
      const isCluster = notable.length > 1;
      const nodes: DiagramNode[] = isCluster
        ? notable.map((r) => ({ id: dotId(ownerOf(r).node.path), title: ownerOf(r).node.id, subtitle: typeLabel(r.cfnResourceType), detail: '' }))
        : [{ id: groupId, title: top.node.id, subtitle: constructType(top), detail: summary(resources) }];
      // Inside a cluster, a resource belongs to the nearest notable resource that contains it (a
      // bucket's policy to the bucket); what no single one contains belongs to the cluster.
      const nodeOwners = new Map(isCluster ? notable.map((r) => [ownerOf(r), dotId(ownerOf(r).node.path)] as const) : []);
      for (const r of resources) {
        const owner = r.node.scopes.slice().reverse().find((scope) => nodeOwners.has(scope));
        endpointOf.set(r, owner ? nodeOwners.get(owner)! : groupId);
      }
      groupOf.set(groupId, groupId);
      for (const node of nodes) groupOf.set(node.id, groupId);
      groups.push({ id: groupId, title: top.node.id, subtitle: constructType(top), nodes, isCluster });
    }
    stacks.push({ id: dotId(stack.node.path), title: `${stack.node.id} stack`, groups });
  }
  return { stacks, endpointOf, groupOf };
}

/**
 * A resource's properties with every reference to another construct replaced by a placeholder
 * `«ref:N»`, and what each placeholder points at. Pseudo parameters become their literal values,
 * so literal and token-built ARNs compare alike.
 */
function resolveWithPlaceholders(resource: CfnResource): { properties: Record<string, unknown>; targets: IConstruct[] } {
  const targets: IConstruct[] = [];
  const stack = Stack.of(resource);
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': stack.region, 'AWS::AccountId': stack.account, 'AWS::URLSuffix': 'amazonaws.com' };
  class RecordingResolver extends DefaultTokenResolver {
    override resolveToken(token: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): unknown {
      if (token instanceof Reference) {
        if (token.target instanceof Stack) return pseudo[token.displayName] ?? `«${token.displayName}»`;
        targets.push(token.target);
        return `«ref:${targets.length - 1}»`;
      }
      return super.resolveToken(token, context, postProcessor);
    }
  }
  // The resource renders as a token that resolves to `{ Resources: { <logical id>: { Type, Properties } } }`.
  const template = Tokenization.resolve(resource._toCloudFormation(), { scope: resource, resolver: new RecordingResolver(new StringConcat()), preparing: false });
  const [definition] = Object.values((template as { Resources: Record<string, { Properties?: Record<string, unknown> }> }).Resources);
  return { properties: definition?.Properties ?? {}, targets };
}

const strings = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : Array.isArray(value) ? value.flatMap(strings) : value && typeof value === 'object' ? Object.values(value).flatMap(strings) : [];

/** Literal ARNs (and `s3://` URLs) of the notable resources whose physical names are literal. */
function literalNames(resources: readonly { resource: CfnResource; properties: Record<string, unknown> }[]): Map<string, CfnResource> {
  const names = new Map<string, CfnResource>();
  for (const { resource, properties: p } of resources) {
    const { region, account } = Stack.of(resource);
    const name = (key: string) => (typeof p[key] === 'string' && !(p[key] as string).includes('«') ? (p[key] as string) : undefined);
    const arn = (service: string, rest: string | undefined) => rest && names.set(`arn:aws:${service}:${region}:${account}:${rest}`, resource);
    switch (resource.cfnResourceType) {
      case 'AWS::S3::Bucket':
        if (name('BucketName')) {
          names.set(`arn:aws:s3:::${name('BucketName')}`, resource);
          names.set(`s3://${name('BucketName')}`, resource);
        }
        break;
      case 'AWS::SNS::Topic':
        arn('sns', name('TopicName'));
        break;
      case 'AWS::SQS::Queue':
        arn('sqs', name('QueueName'));
        break;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        arn('dynamodb', name('TableName') && `table/${name('TableName')}`);
        break;
      case 'AWS::Kinesis::Stream':
        arn('kinesis', name('Name') && `stream/${name('Name')}`);
        break;
      case 'AWS::KinesisFirehose::DeliveryStream':
        arn('firehose', name('DeliveryStreamName') && `deliverystream/${name('DeliveryStreamName')}`);
        break;
    }
  }
  return names;
}

/** The resources a string names: placeholders, or a literal ARN/URL (an IAM wildcard pattern may match several). */
function named(text: string, targets: readonly IConstruct[], literals: ReadonlyMap<string, CfnResource>): IConstruct[] {
  const refs = [...text.matchAll(/«ref:(\d+)»/g)].map((m) => targets[Number(m[1])]);
  if (refs.length > 0 || text === '*') return refs;
  const pattern = new RegExp(`^${text.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return [...literals].filter(([name]) => pattern.test(name) || text.startsWith(`${name}/`)).map(([, resource]) => resource);
}

interface Statement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
}

type Relation = 'read' | 'write' | 'PassRole' | 'uses';

/** What an IAM action says about the relation between the principal and the resource. */
function relationOf(action: string): Relation | undefined {
  if (action === 'iam:PassRole') return 'PassRole';
  const [service, verb = ''] = action.split(':');
  if (!DATA_SERVICES.has(service)) return 'uses';
  return READ_ACTION.test(verb) ? 'read' : WRITE_ACTION.test(verb) ? 'write' : undefined;
}

/** The IAM policy documents of a resource: a managed or inline policy's, or a role's inline ones. */
function policyDocuments(resource: CfnResource, properties: Record<string, unknown>): unknown[] {
  if (resource.cfnResourceType === 'AWS::IAM::Policy') return [properties.PolicyDocument];
  return ((properties.Policies as { PolicyDocument?: unknown }[] | undefined) ?? []).map((p) => p.PolicyDocument);
}

/** Relations between endpoints, merged per pair; see `edges()` for what is drawn. */
class Relations {
  private readonly data = new Map<string, Set<'reads' | 'writes'>>();
  private readonly other = new Map<string, 'PassRole' | 'uses'>();

  constructor(private readonly groupOf: ReadonlyMap<string, string>) {}

  add(from: string | undefined, to: string | undefined, relation: Relation): void {
    if (!from || !to || this.groupOf.get(from) === this.groupOf.get(to)) return;
    const key = `${from}|${to}`;
    if (relation === 'read' || relation === 'write') this.data.set(key, (this.data.get(key) ?? new Set()).add(relation === 'read' ? 'reads' : 'writes'));
    else if (this.other.get(key) !== 'PassRole') this.other.set(key, relation);
  }

  /**
   * Data flow and PassRole between endpoints as found. A reference between two top-level
   * constructs already joined by one of those adds nothing; the others are drawn once per pair of
   * top-level constructs, to keep the picture readable.
   */
  edges(): DiagramEdge[] {
    const group = (id: string) => this.groupOf.get(id)!;
    const edges: DiagramEdge[] = [...this.data].map(([key, kinds]) => {
      const [from, to] = key.split('|');
      return { from, to, kind: kinds.size === 2 ? 'reads+writes' : [...kinds][0] };
    });
    for (const [key, kind] of this.other) {
      const [from, to] = key.split('|');
      if (kind === 'PassRole') edges.push({ from, to, kind });
    }
    const joined = new Set(edges.flatMap((e) => [`${group(e.from)}|${group(e.to)}`, `${group(e.to)}|${group(e.from)}`]));
    for (const [key, kind] of this.other) {
      const [from, to] = key.split('|').map(group);
      if (kind !== 'uses' || joined.has(`${from}|${to}`)) continue;
      joined.add(`${from}|${to}`).add(`${to}|${from}`);
      edges.push({ from, to, kind });
    }
    return edges.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.kind.localeCompare(b.kind));
  }
}

/** Builds the diagram model of one Stage (one environment). */
export function architectureGraph(stage: Stage, title: string): ArchitectureGraph {
  const { stacks, endpointOf, groupOf } = layout(stage);
  const resolved = [...endpointOf.keys()].map((resource) => ({ resource, ...resolveWithPlaceholders(resource) }));
  const literals = literalNames(resolved);
  // The endpoint standing for a construct a token points at: the resource itself, or the L2's default resource.
  const endpoint = (target: IConstruct): string | undefined => {
    const resource = target instanceof CfnResource ? target : target.node.defaultChild;
    return resource instanceof CfnResource ? endpointOf.get(resource) : undefined;
  };

  const relations = new Relations(groupOf);
  for (const { resource, properties, targets } of resolved) {
    const source = endpointOf.get(resource);
    const isIam = resource.cfnResourceType === 'AWS::IAM::Policy' || resource.cfnResourceType === 'AWS::IAM::Role';
    if (!isIam) {
      for (const target of strings(properties).flatMap((text) => named(text, targets, literals))) relations.add(source, endpoint(target), 'uses');
      continue;
    }
    for (const document of policyDocuments(resource, properties)) {
      for (const statement of (document as { Statement?: Statement[] } | undefined)?.Statement ?? []) {
        if (statement.Effect === 'Deny') continue;
        const resources = strings(statement.Resource).flatMap((text) => named(text, targets, literals));
        for (const relation of [statement.Action ?? []].flat().map(relationOf)) {
          if (relation) for (const target of resources) relations.add(source, endpoint(target), relation);
        }
      }
    }
  }
  return { title, stacks, edges: relations.edges() };
}

const STACK_COLORS = ['#eef4fb', '#eef8f0', '#fdf5e8', '#f5eefa', '#fbeef0', '#eef8f8', '#f4f4f4'];
const EDGE_STYLE: Record<EdgeKind, string> = {
  reads: 'color="#1f6fb2", penwidth=1.6, label="reads"',
  writes: 'color="#1f6fb2", penwidth=1.6, label="writes"',
  'reads+writes': 'color="#1f6fb2", penwidth=1.6, label="reads+writes", dir=both',
  PassRole: 'color="#7b3fa0", penwidth=1.4, label="PassRole"',
  uses: 'color="#8a8a8a", style=dashed',
};

const LEGEND = (title: string) =>
  `<b>${html(title)}</b><br/><font point-size="10"><font color="#1f6fb2">blue: data flow from IAM grants, in the direction of the data</font><br/>` +
  `<font color="#7b3fa0">purple: PassRole, who launches work with whose role</font><br/><font color="#6a6a6a">dashed: references (subnets, keys, ARNs)</font></font>`;

const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function nodeLabel(node: DiagramNode): string {
  const lines = [`<b>${html(node.title)}</b>`, `<font point-size="9">${html(node.subtitle)}</font>`];
  if (node.detail) lines.push(`<font point-size="8" color="#555555">${html(node.detail)}</font>`);
  return `<${lines.join('<br/>')}>`;
}

/**
 * Graphviz DOT of the graph. Edges into or out of a cluster attach to its first node and are
 * clipped at the cluster's border (compound=true), so they read as "to the construct as a whole".
 */
export function toDot(graph: ArchitectureGraph): string {
  const anchor = new Map<string, string>();
  const clusterIds = new Set<string>();
  for (const stack of graph.stacks) {
    for (const group of stack.groups) {
      anchor.set(group.id, group.nodes[0].id);
      if (group.isCluster) clusterIds.add(group.id);
    }
  }
  const out = [
    'digraph architecture {',
    `  graph [label=<${LEGEND(graph.title)}>, labelloc=t, fontname="Helvetica", fontsize=16, rankdir=TB, compound=true, newrank=true, nodesep=0.3, ranksep=1.0, pad=0.3];`,
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#5a6b7b", fontname="Helvetica", fontsize=11, margin="0.12,0.06"];',
    '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];',
  ];
  graph.stacks.forEach((stack, index) => {
    out.push(`  subgraph cluster_${stack.id} {`, `    label=<<b>${html(stack.title)}</b>>; style="rounded,filled"; fillcolor="${STACK_COLORS[index % STACK_COLORS.length]}"; color="#9aa8b6"; fontsize=13;`);
    for (const group of stack.groups) {
      if (group.isCluster) {
        out.push(`    subgraph cluster_${group.id} {`, `      label=<<b>${html(group.title)}</b><br/><font point-size="9">${html(group.subtitle)}</font>>; style="rounded,dashed"; color="#7d8b99"; fontsize=11;`);
        for (const node of group.nodes) out.push(`      ${node.id} [label=${nodeLabel(node)}];`);
        out.push('    }');
      } else out.push(`    ${group.nodes[0].id} [label=${nodeLabel(group.nodes[0])}];`);
    }
    out.push('  }');
  });
  for (const edge of graph.edges) {
    // A read is drawn from the store to the reader, so arrows and ranks follow the data.
    const [tail, head] = edge.kind === 'reads' ? [edge.to, edge.from] : [edge.from, edge.to];
    const attributes = [EDGE_STYLE[edge.kind]];
    if (clusterIds.has(tail)) attributes.push(`ltail=cluster_${tail}`);
    if (clusterIds.has(head)) attributes.push(`lhead=cluster_${head}`);
    out.push(`  ${anchor.get(tail) ?? tail} -> ${anchor.get(head) ?? head} [${attributes.join(', ')}];`);
  }
  out.push('}', '');
  return out.join('\n');
}

/** The DOT of one environment's Stage, built in-process exactly as bin/app.ts builds the app. */
export function platformArchitectureDot(environment = 'dev'): string {
  const config = loadEnvironments().find((e) => e.name === environment);
  if (!config) throw new Error(`no environment '${environment}' in lib/config/environments.ts`);
  // cdk.json's feature flags, as `cdk synth` applies them; bundling is skipped, nothing is synthesized.
  const context = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')).context as Record<string, unknown>;
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const [stage] = buildPlatform(app, [config]);
  return toDot(architectureGraph(stage, `big-data-platform: the ${stage.stageName} environment (${config.region}), drawn from the CDK app`));
}
