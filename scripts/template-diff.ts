/**
 * Compares two synthesized cloud assemblies stack by stack, offline: resources added, removed and
 * modified, replacements the CloudFormation resource specification predicts, and what that means
 * for stateful resources. `scripts/diff-local.ts` prints it; `scripts/diff-comment.ts` classifies
 * the lines of a live `cdk diff` with the same `impactOf`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, unknown>;
}

/**
 * Types whose deletion or replacement loses data or an identity others depend on (a key's
 * ciphertexts, a bucket's objects, a log group's history, a stream's records, an environment's
 * state), so removing or replacing one is called out as destructive.
 */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::Kinesis::Stream',
  'AWS::MWAA::Environment',
  'AWS::Glue::Database',
  'AWS::Glue::Table',
  'AWS::SecretsManager::Secret',
  'AWS::SQS::Queue',
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::EFS::FileSystem',
  'AWS::Cognito::UserPool',
]);

/** What the resource specification says a change of one property does. */
export type Replacement = 'always' | 'conditional' | 'never';
export type ReplacementOracle = (resourceType: string, property: string) => Replacement;

/**
 * - `destroy`: a stateful resource is deleted or replaced, losing its data;
 * - `may-destroy`: a stateful resource may be replaced, depending on the new value;
 * - `replace` / `may-replace`: a stateless resource is (or may be) replaced;
 * - `orphan`: a removed stateful resource is retained (DeletionPolicy), left outside the stack.
 */
export type Impact = 'none' | 'orphan' | 'may-replace' | 'replace' | 'may-destroy' | 'destroy';
export const DESTRUCTIVE_IMPACTS: ReadonlySet<Impact> = new Set(['destroy', 'may-destroy']);

export interface ResourceChange {
  readonly logicalId: string;
  readonly type: string;
  readonly kind: 'added' | 'removed' | 'modified';
  /** Changed top-level properties (and attributes), for `modified`. */
  readonly changed: readonly string[];
  /** The changed properties that force (or may force) a replacement. */
  readonly replacedBy: readonly string[];
  readonly impact: Impact;
}

export interface OutputChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly modified: readonly string[];
}

export interface StackDiff {
  readonly stack: string;
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly resources: readonly ResourceChange[];
  readonly outputs: OutputChanges;
}

const RETAINED = new Set(['Retain', 'RetainExceptOnCreate']);
const IGNORED_TYPES = new Set(['AWS::CDK::Metadata']);
const ATTRIBUTES = ['DeletionPolicy', 'UpdateReplacePolicy'] as const;

/** JSON with object keys sorted, so that two equal values always print the same. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

function resourcesOf(template: CfnTemplate | undefined): Map<string, CfnResource> {
  return new Map(Object.entries(template?.Resources ?? {}).filter(([, r]) => !IGNORED_TYPES.has(r.Type)));
}

/** What CloudFormation does to a resource, as far as a template (or `cdk diff`) tells. */
export type ChangeEvent = 'update' | 'delete' | 'orphan' | 'replace' | 'may-replace';

/** The impact of an event on a resource of a type: only stateful resources can lose data. */
export function impactOf(type: string, event: ChangeEvent): Impact {
  const stateful = STATEFUL_TYPES.has(type);
  switch (event) {
    case 'delete':
      return stateful ? 'destroy' : 'none';
    case 'orphan':
      return stateful ? 'orphan' : 'none';
    case 'replace':
      return stateful ? 'destroy' : 'replace';
    case 'may-replace':
      return stateful ? 'may-destroy' : 'may-replace';
    default:
      return 'none';
  }
}

function modification(logicalId: string, before: CfnResource, after: CfnResource, replacementOf: ReplacementOracle): ResourceChange | undefined {
  if (before.Type !== after.Type) {
    // A new type is a new resource: the old one is deleted.
    const impact = impactOf(before.Type, 'delete') === 'destroy' ? 'destroy' : impactOf(after.Type, 'replace');
    return { logicalId, type: after.Type, kind: 'modified', changed: ['Type'], replacedBy: ['Type'], impact };
  }
  const names = new Set([...Object.keys(before.Properties ?? {}), ...Object.keys(after.Properties ?? {})]);
  const changedProperties = [...names].filter((name) => canonical(before.Properties?.[name]) !== canonical(after.Properties?.[name])).sort();
  const changedAttributes = ATTRIBUTES.filter((attribute) => before[attribute] !== after[attribute]);
  if (changedProperties.length === 0 && changedAttributes.length === 0) return undefined;

  const always = changedProperties.filter((p) => replacementOf(after.Type, p) === 'always');
  const conditional = changedProperties.filter((p) => replacementOf(after.Type, p) === 'conditional');
  const impact = impactOf(after.Type, always.length > 0 ? 'replace' : conditional.length > 0 ? 'may-replace' : 'update');
  return { logicalId, type: after.Type, kind: 'modified', changed: [...changedProperties, ...changedAttributes], replacedBy: [...always, ...conditional], impact };
}

/** The resource changes that turn `base` into `head` (either may be absent: a new or deleted stack). */
export function diffTemplates(base: CfnTemplate | undefined, head: CfnTemplate | undefined, replacementOf: ReplacementOracle): ResourceChange[] {
  const before = resourcesOf(base);
  const after = resourcesOf(head);
  const changes: ResourceChange[] = [];
  for (const [logicalId, resource] of before) {
    if (!after.has(logicalId)) {
      const impact = impactOf(resource.Type, RETAINED.has(resource.DeletionPolicy ?? '') ? 'orphan' : 'delete');
      changes.push({ logicalId, type: resource.Type, kind: 'removed', changed: [], replacedBy: [], impact });
    }
  }
  for (const [logicalId, resource] of after) {
    const previous = before.get(logicalId);
    if (!previous) changes.push({ logicalId, type: resource.Type, kind: 'added', changed: [], replacedBy: [], impact: 'none' });
    else {
      const change = modification(logicalId, previous, resource, replacementOf);
      if (change) changes.push(change);
    }
  }
  return changes.sort((a, b) => a.logicalId.localeCompare(b.logicalId));
}

function diffOutputs(base: CfnTemplate | undefined, head: CfnTemplate | undefined): OutputChanges {
  const before = base?.Outputs ?? {};
  const after = head?.Outputs ?? {};
  return {
    added: Object.keys(after).filter((k) => !(k in before)).sort(),
    removed: Object.keys(before).filter((k) => !(k in after)).sort(),
    modified: Object.keys(after).filter((k) => k in before && canonical(before[k]) !== canonical(after[k])).sort(),
  };
}

/** Stack-by-stack differences between two assemblies, keyed by stack display name (`Dev/Lake`). */
export function diffAssemblies(base: ReadonlyMap<string, CfnTemplate>, head: ReadonlyMap<string, CfnTemplate>, replacementOf: ReplacementOracle): StackDiff[] {
  const stacks = [...new Set([...base.keys(), ...head.keys()])].sort();
  return stacks.map((stack) => {
    const before = base.get(stack);
    const after = head.get(stack);
    const resources = diffTemplates(before, after, replacementOf);
    const outputs = diffOutputs(before, after);
    const outputChanges = outputs.added.length + outputs.removed.length + outputs.modified.length;
    const status = !before ? 'added' : !after ? 'removed' : resources.length + outputChanges > 0 ? 'changed' : 'unchanged';
    return { stack, status, resources, outputs };
  });
}

const SYMBOL: Record<ResourceChange['kind'], string> = { added: '[+]', removed: '[-]', modified: '[~]' };

/** How each impact reads in reports and pull-request comments. */
export const IMPACT_LABELS: Readonly<Record<Impact, string>> = {
  none: '',
  orphan: 'retained: leaves the stack but is not deleted',
  'may-replace': 'may be replaced',
  replace: 'replaced',
  'may-destroy': 'DESTRUCTIVE: may be replaced, losing its data',
  destroy: 'DESTRUCTIVE: deleted or replaced, losing its data',
};

function describeImpact(change: ResourceChange): string {
  if (change.impact === 'none') return '';
  return `${IMPACT_LABELS[change.impact]}${change.replacedBy.length > 0 ? ` (${change.replacedBy.join(', ')})` : ''}`;
}

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function isDestructive(change: ResourceChange): boolean {
  return DESTRUCTIVE_IMPACTS.has(change.impact);
}

/** A plain-text report: one block per stack, destructive changes marked DESTRUCTIVE, and a summary. */
export function renderReport(diffs: readonly StackDiff[], title: string): string {
  const lines = [title, ''];
  for (const diff of diffs) {
    const destructive = diff.resources.filter(isDestructive).length;
    const count = plural(diff.resources.length, 'resource');
    const heading = {
      added: `new stack (${count})`,
      removed: `STACK REMOVED (${count})`,
      changed: diff.resources.length === 0 ? 'outputs changed' : `${count} changed${destructive > 0 ? `, ${destructive} DESTRUCTIVE` : ''}`,
      unchanged: 'no changes',
    }[diff.status];
    lines.push(`${diff.stack}: ${heading}`);
    if (diff.status === 'changed' || diff.status === 'removed') {
      for (const change of diff.resources) {
        const properties = change.kind === 'modified' ? ` {${change.changed.join(', ')}}` : '';
        const impact = describeImpact(change);
        lines.push(`  ${SYMBOL[change.kind]} ${change.type} ${change.logicalId}${properties}${impact ? `  ${impact}` : ''}`);
      }
      const { added, removed, modified } = diff.outputs;
      if (added.length + removed.length + modified.length > 0) lines.push(`  outputs: +${added.length} -${removed.length} ~${modified.length}`);
    }
  }
  const stacks = (status: StackDiff['status']) => diffs.filter((d) => d.status === status).length;
  const destructive = diffs.flatMap((d) => d.resources).filter(isDestructive).length;
  lines.push('', `Stacks: ${stacks('changed')} changed, ${stacks('added')} added, ${stacks('removed')} removed, ${stacks('unchanged')} unchanged; ${plural(destructive, 'destructive change')}.`);
  return lines.join('\n');
}

// ---------------------------------------------------------------- I/O at the edge

interface ManifestArtifact {
  readonly type: string;
  readonly displayName?: string;
  readonly properties?: { readonly directoryName?: string; readonly templateFile?: string };
}

/** Every stack template of a cloud assembly directory (nested Stage assemblies included). */
export function readAssemblyTemplates(directory: string): Map<string, CfnTemplate> {
  const manifest = JSON.parse(readFileSync(join(directory, 'manifest.json'), 'utf8')) as { artifacts?: Record<string, ManifestArtifact> };
  const templates = new Map<string, CfnTemplate>();
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      for (const [name, template] of readAssemblyTemplates(join(directory, artifact.properties.directoryName))) templates.set(name, template);
    } else if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      templates.set(artifact.displayName ?? id, JSON.parse(readFileSync(join(directory, artifact.properties.templateFile), 'utf8')));
    }
  }
  return templates;
}

interface SpecProperty {
  readonly causesReplacement?: 'yes' | 'maybe' | 'no';
}
interface SpecResource {
  readonly cloudFormationType: string;
  readonly properties?: Record<string, SpecProperty>;
}

/**
 * Replacement behaviour from the CloudFormation resource specification that the pinned CDK CLI
 * ships (the same database its own `cdk diff` reads). Top-level properties only: a replacement
 * caused by a nested field, or by a replaced resource it references, is not predicted.
 */
export function loadReplacementOracle(): ReplacementOracle {
  const database = join(dirname(require.resolve('aws-cdk/package.json')), 'db.json.gz');
  if (!existsSync(database)) throw new Error(`the CDK CLI's resource database is missing (${database}); is aws-cdk installed?`);
  const db = JSON.parse(gunzipSync(readFileSync(database)).toString('utf8')) as { schema: { resource: { entities: Record<string, SpecResource> } } };
  const byType = new Map(Object.values(db.schema.resource.entities).map((r) => [r.cloudFormationType, r.properties ?? {}]));
  return (type, property) => {
    const causes = byType.get(type)?.[property]?.causesReplacement;
    return causes === 'yes' ? 'always' : causes === 'maybe' ? 'conditional' : 'never';
  };
}
