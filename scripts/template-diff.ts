/**
 * Compares two synthesized cloud assemblies, offline: resources added, removed and modified,
 * which of them CloudFormation replaces and why (CloudFormation's resource schemas, as cfn-lint
 * ships them), replacements that spread through references and exports to other resources and
 * stacks, and what that means for stateful data. Assets are compared by content, so synthesizing
 * the same code in another folder is no change. `scripts/diff-local.ts` prints it;
 * `scripts/diff-comment.ts` classifies the lines of a live `cdk diff` with the same `impactOf`.
 *
 * Everything above "I/O at the edge" is pure: parsed templates in, a report out.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface CfnOutput {
  readonly Value?: unknown;
  readonly Export?: { readonly Name?: unknown };
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, CfnOutput>;
}

/** One stack of an assembly. Its asset references name the asset's content (see `withAssetContent`). */
export interface AssemblyStack {
  readonly template: CfnTemplate;
  /** Picks the region's resource schemas; undefined uses the default region's. */
  readonly region?: string;
  /** The CloudFormation stack name, which `Fn::GetStackOutput` names (default: the display name with `-` for `/`). */
  readonly stackName?: string;
}
/** Stacks by display name (`Dev/Lake`). */
export type Assembly = ReadonlyMap<string, AssemblyStack>;

/**
 * Types whose deletion or replacement loses data or an identity others depend on (a key's
 * ciphertexts, a bucket's objects, a log group's history, a stream's records, an environment's
 * state), so removing or replacing one is flagged as data loss, above everything else.
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

/**
 * Property paths whose change replaces a resource: slash-separated below `Properties`, `*` for
 * any item of a list or map (`CidrBlock`, `NetworkConfiguration/SubnetIds`, `Tags/*` + `/Key`).
 * `conditional` paths replace it for some values only.
 */
export interface ReplacementRules {
  readonly always: readonly string[];
  readonly conditional: readonly string[];
}
export interface ReplacementOracle {
  /** Where the rules come from, for the report's title. */
  readonly source: string;
  rules(resourceType: string, region?: string): ReplacementRules;
}

/**
 * - `destroy`: a stateful resource is deleted or replaced, losing its data;
 * - `may-destroy`: a stateful resource may be replaced, depending on the new value;
 * - `replace` / `may-replace`: a stateless resource is (or may be) replaced: a new physical
 *   resource, with a new identity, for everything that refers to it;
 * - `orphan`: a removed stateful resource is retained (DeletionPolicy), left outside the stack.
 */
export type Impact = 'none' | 'orphan' | 'may-replace' | 'replace' | 'may-destroy' | 'destroy';
/** Changes that lose stateful data: flagged loudest. */
export const DATA_LOSS_IMPACTS: ReadonlySet<Impact> = new Set(['destroy', 'may-destroy']);
/** Replacements (of anything) and deletions of stateful resources. */
export const DESTRUCTIVE_IMPACTS: ReadonlySet<Impact> = new Set(['replace', 'may-replace', 'destroy', 'may-destroy']);

export interface ResourceChange {
  readonly logicalId: string;
  readonly type: string;
  readonly kind: 'added' | 'removed' | 'modified';
  /** Top-level properties (and attributes) that change, in the template or through a reference, for `modified`. */
  readonly changed: readonly string[];
  /** Why the resource is (or may be) replaced: the create-only property paths that change, and through what. */
  readonly replacedBy: readonly string[];
  /** Properties that change only because something they refer to changes (`VpcConfig: SubnetA is replaced`). */
  readonly through: readonly string[];
  /** Assets (Lambda code, …) whose content changes. */
  readonly assets: readonly string[];
  readonly impact: Impact;
}

export interface OutputChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly modified: readonly string[];
}

/**
 * An output of this stack that other stacks read (an export, through `Fn::ImportValue`, or any
 * output, through `Fn::GetStackOutput`) whose value changes or that disappears, and its readers.
 */
export interface ExportChange {
  readonly kind: 'export' | 'output';
  readonly name: string;
  readonly change: 'changed' | 'may-change' | 'removed';
  readonly importers: readonly string[];
}

export interface StackDiff {
  readonly stack: string;
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly resources: readonly ResourceChange[];
  readonly outputs: OutputChanges;
  readonly exports: readonly ExportChange[];
  /** Stacks whose changed exports this stack imports. */
  readonly affectedBy: readonly string[];
}

const RETAINED = new Set(['Retain', 'RetainExceptOnCreate']);
const IGNORED_TYPES = new Set(['AWS::CDK::Metadata']);
const ATTRIBUTES = ['DeletionPolicy', 'UpdateReplacePolicy'] as const;

/** JSON with object keys sorted, so that two equal values always print the same. */
export function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
    ) ?? 'undefined'
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

// ---------------------------------------------------------------- assets by content

/** How a template names an asset once its content is known: `asset(Views/Consumer/Code@1a2b3c4d5e6f)`. */
export const assetLabel = (name: string, contentHash: string): string => `asset(${name}@${contentHash.slice(0, 12)})`;
const ASSET_LABEL = /asset\((.+?)@([0-9a-f]{12})\)/g;
const ASSET_HASH = /[0-9a-f]{64}/g;

/**
 * The template with every asset hash (in S3 keys, image tags, …) replaced by the asset's label,
 * `labels` mapping the synthesized asset hash to `assetLabel(...)`. The synthesized hash covers
 * path-dependent bytes (a bundle's source map), the label only the content that matters.
 */
export function withAssetContent(template: CfnTemplate, labels: ReadonlyMap<string, string>): CfnTemplate {
  const replace = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(ASSET_HASH, (hash) => labels.get(hash) ?? hash);
    if (Array.isArray(value)) return value.map(replace);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replace(v)]));
    return value;
  };
  return replace(template) as CfnTemplate;
}

function assetsIn(value: unknown): Map<string, string> {
  const found = new Map<string, string>();
  for (const [, name, hash] of canonical(value).matchAll(ASSET_LABEL)) found.set(name, hash);
  return found;
}

/** The assets whose content differs between two values of a property. */
function changedAssets(before: unknown, after: unknown): string[] {
  const old = assetsIn(before);
  return [...assetsIn(after)].filter(([name, hash]) => old.has(name) && old.get(name) !== hash).map(([name]) => name);
}

// ---------------------------------------------------------------- references

interface References {
  /** Logical ids of the same template, through Ref, Fn::GetAtt and Fn::Sub. */
  readonly resources: Set<string>;
  /** Other stacks' values (`exportKey`, `outputKey`), through Fn::ImportValue and Fn::GetStackOutput. */
  readonly imports: Set<string>;
}

/** How a value one stack publishes for others is known: an export's name, or a stack's output. */
const exportKey = (name: unknown): string => `export:${canonical(name)}`;
const outputKey = (stackName: unknown, output: unknown): string => `output:${typeof stackName === 'string' ? stackName : canonical(stackName)}/${String(output)}`;

const SUB_VARIABLE = /\$\{([^!}][^}]*)\}/g;

/** Every resource and export a template value refers to. */
export function referencesIn(value: unknown, found: References = { resources: new Set(), imports: new Set() }): References {
  if (Array.isArray(value)) value.forEach((item) => referencesIn(item, found));
  else if (value && typeof value === 'object') {
    for (const [key, argument] of Object.entries(value)) {
      if (key === 'Ref' && typeof argument === 'string' && !argument.startsWith('AWS::')) found.resources.add(argument);
      else if (key === 'Fn::GetAtt') found.resources.add(Array.isArray(argument) ? String(argument[0]) : String(argument).split('.')[0]);
      else if (key === 'Fn::ImportValue') found.imports.add(exportKey(argument));
      else if (key === 'Fn::GetStackOutput' && argument && typeof argument === 'object') {
        const { StackName, OutputName } = argument as Record<string, unknown>;
        found.imports.add(outputKey(StackName, OutputName));
      }
      else if (key === 'Fn::Sub') {
        const [text, variables] = Array.isArray(argument) ? [String(argument[0]), (argument[1] ?? {}) as Record<string, unknown>] : [String(argument), {}];
        for (const [, name] of text.matchAll(SUB_VARIABLE)) {
          const id = name.split('.')[0];
          if (!id.startsWith('AWS::') && !(name in variables)) found.resources.add(id);
        }
        referencesIn(variables, found);
      }
      if (key !== 'Fn::ImportValue' && key !== 'Fn::GetStackOutput') referencesIn(argument, found);
    }
  }
  return found;
}

/** The values at a property path (`*` for every item of a list or map). */
export function valuesAt(properties: unknown, path: string): unknown[] {
  let values: unknown[] = [properties];
  for (const segment of path.split('/')) {
    values = values.flatMap((value): unknown[] => {
      if (!value || typeof value !== 'object') return [];
      if (segment === '*') return Object.values(value);
      const child = (value as Record<string, unknown>)[segment];
      return child === undefined ? [] : [child];
    });
  }
  return values;
}

// ---------------------------------------------------------------- the diff

type Strength = 'always' | 'conditional';
const weaker = (a: Strength, b: Strength): Strength => (a === 'conditional' || b === 'conditional' ? 'conditional' : 'always');

interface Entry {
  readonly logicalId: string;
  readonly type: string;
  readonly kind: ResourceChange['kind'];
  readonly changed: Set<string>;
  /** Reason -> strength. */
  readonly replacedBy: Map<string, Strength>;
  /** Property -> why it changes through a reference. */
  readonly through: Map<string, Set<string>>;
  readonly assets: Set<string>;
  readonly retained: boolean;
}

function replacement(entry: Entry): Strength | undefined {
  if (entry.kind !== 'modified' || entry.replacedBy.size === 0) return undefined;
  return [...entry.replacedBy.values()].includes('always') ? 'always' : 'conditional';
}

function newEntry(logicalId: string, type: string, kind: Entry['kind'], retained = false): Entry {
  return { logicalId, type, kind, changed: new Set(), replacedBy: new Map(), through: new Map(), assets: new Set(), retained };
}

/** What the template text alone says changes in one stack. */
function textualChanges(base: CfnTemplate | undefined, head: CfnTemplate | undefined, rulesOf: (type: string) => ReplacementRules): Map<string, Entry> {
  const before = resourcesOf(base);
  const after = resourcesOf(head);
  const entries = new Map<string, Entry>();
  for (const [logicalId, resource] of before) {
    if (!after.has(logicalId)) entries.set(logicalId, newEntry(logicalId, resource.Type, 'removed', RETAINED.has(resource.DeletionPolicy ?? '')));
  }
  for (const [logicalId, resource] of after) {
    const previous = before.get(logicalId);
    if (!previous) {
      entries.set(logicalId, newEntry(logicalId, resource.Type, 'added'));
      continue;
    }
    const entry = newEntry(logicalId, resource.Type, 'modified');
    if (previous.Type !== resource.Type) {
      // A new type is a new resource: the old one is deleted.
      entry.changed.add('Type');
      entry.replacedBy.set(`Type (was ${previous.Type})`, 'always');
      entries.set(logicalId, entry);
      continue;
    }
    const names = new Set([...Object.keys(previous.Properties ?? {}), ...Object.keys(resource.Properties ?? {})]);
    for (const name of names) {
      const [old, now] = [previous.Properties?.[name], resource.Properties?.[name]];
      if (canonical(old) === canonical(now)) continue;
      entry.changed.add(name);
      changedAssets(old, now).forEach((asset) => entry.assets.add(asset));
    }
    ATTRIBUTES.filter((attribute) => previous[attribute] !== resource[attribute]).forEach((attribute) => entry.changed.add(attribute));
    if (entry.changed.size === 0) continue;
    const rules = rulesOf(resource.Type);
    for (const [strength, paths] of [['always', rules.always], ['conditional', rules.conditional]] as const) {
      for (const path of paths) {
        if (entry.replacedBy.has(path) || !entry.changed.has(path.split('/')[0])) continue;
        if (canonical(valuesAt(previous.Properties, path)) !== canonical(valuesAt(resource.Properties, path))) entry.replacedBy.set(path, strength);
      }
    }
    entries.set(logicalId, entry);
  }
  return entries;
}

function impactOfEntry(entry: Entry): Impact {
  if (entry.kind === 'added') return 'none';
  if (entry.kind === 'removed') return impactOf(entry.type, entry.retained ? 'orphan' : 'delete');
  const strength = replacement(entry);
  return impactOf(entry.type, strength === 'always' ? 'replace' : strength === 'conditional' ? 'may-replace' : 'update');
}

interface ExportState {
  readonly stack: string;
  readonly kind: ExportChange['kind'];
  readonly name: string;
  readonly change: ExportChange['change'];
  readonly strength: Strength;
}

interface Published {
  readonly output: CfnOutput;
  readonly kind: ExportChange['kind'];
  readonly name: string;
}

/** What a stack's outputs publish to other stacks, by `exportKey` / `outputKey`. */
function published(stack: string, assemblyStack: AssemblyStack | undefined): Map<string, Published> {
  const links = new Map<string, Published>();
  const stackName = assemblyStack?.stackName ?? stack.replace(/\//g, '-');
  for (const [id, output] of Object.entries(assemblyStack?.template.Outputs ?? {})) {
    links.set(outputKey(stackName, id), { output, kind: 'output', name: id });
    const name = output.Export?.Name;
    if (name !== undefined) links.set(exportKey(name), { output, kind: 'export', name: typeof name === 'string' ? name : canonical(name) });
  }
  return links;
}

/** Published values that change or disappear, by key. */
function changedExports(base: Assembly, head: Assembly, entries: ReadonlyMap<string, Map<string, Entry>>): Map<string, ExportState> {
  const exports = new Map<string, ExportState>();
  for (const stack of new Set([...base.keys(), ...head.keys()])) {
    const before = published(stack, base.get(stack));
    const after = published(stack, head.get(stack));
    for (const [key, { kind, name }] of before) if (!after.has(key)) exports.set(key, { stack, kind, name, change: 'removed', strength: 'always' });
    for (const [key, { output, kind, name }] of after) {
      const old = before.get(key);
      if (!old) continue; // new: nothing can read it yet
      let strength: Strength | undefined = canonical(old.output.Value) !== canonical(output.Value) ? 'always' : undefined;
      for (const id of referencesIn(output.Value).resources) {
        const replaced = entries.get(stack)?.get(id);
        const replacedStrength = replaced && replacement(replaced);
        if (replacedStrength && strength !== 'always') strength = replacedStrength;
      }
      if (strength) exports.set(key, { stack, kind, name, change: strength === 'always' ? 'changed' : 'may-change', strength });
    }
  }
  return exports;
}

/**
 * Spreads replacements through references until nothing more changes: a property that refers to
 * a replaced resource (Ref, GetAtt, Sub) or imports a changed export changes too, and replaces its
 * resource when the property is create-only.
 */
function propagate(base: Assembly, head: Assembly, entries: Map<string, Map<string, Entry>>, oracle: ReplacementOracle): Map<string, ExportState> {
  for (;;) {
    const exports = changedExports(base, head, entries);
    let grew = false;
    for (const [stack, { template, region }] of head) {
      const before = base.get(stack)?.template;
      if (!before) continue;
      const stackEntries = entries.get(stack) ?? new Map<string, Entry>();
      entries.set(stack, stackEntries);
      const previous = resourcesOf(before);
      for (const [logicalId, resource] of resourcesOf(template)) {
        if (previous.get(logicalId)?.Type !== resource.Type) continue; // added, or already a new resource
        /** Why a value changes through its references, with how surely; empty when it does not. */
        const causes = (value: unknown): Map<string, Strength> => {
          const found = new Map<string, Strength>();
          const references = referencesIn(value);
          for (const id of references.resources) {
            const target = stackEntries.get(id);
            const strength = target && id !== logicalId ? replacement(target) : undefined;
            if (strength) found.set(`${id} is ${strength === 'always' ? '' : 'maybe '}replaced`, strength);
          }
          for (const key of references.imports) {
            const change = exports.get(key);
            const verb = change?.change === 'removed' ? 'is removed' : change?.strength === 'always' ? 'changes' : 'may change';
            if (change) found.set(`${change.stack} ${change.kind} ${change.name} ${verb}`, change.strength);
          }
          return found;
        };
        const rules = oracle.rules(resource.Type, region);
        for (const [property, value] of Object.entries(resource.Properties ?? {})) {
          const found = causes(value);
          if (found.size === 0) continue;
          const entry = stackEntries.get(logicalId) ?? newEntry(logicalId, resource.Type, 'modified');
          stackEntries.set(logicalId, entry);
          entry.changed.add(property);
          let replacing = false;
          for (const [strength, paths] of [['always', rules.always], ['conditional', rules.conditional]] as const) {
            for (const path of paths.filter((p) => p.split('/')[0] === property)) {
              for (const [cause, causeStrength] of causes(valuesAt(resource.Properties, path))) {
                replacing = true;
                const reason = `${path}: ${cause}`;
                if (!entry.replacedBy.has(reason)) {
                  entry.replacedBy.set(reason, weaker(strength, causeStrength));
                  grew = true;
                }
              }
            }
          }
          // An in-place update: the property takes the new identity or value.
          if (!replacing) entry.through.set(property, new Set([...(entry.through.get(property) ?? []), ...found.keys()]));
        }
      }
    }
    if (!grew) return exports;
  }
}

/** `CidrBlock`, `VpcId: X is replaced`, `VpcId: Y is replaced` -> `CidrBlock`, `VpcId (X is replaced, Y is replaced)`. */
function byPath(reasons: readonly string[]): string[] {
  const causes = new Map<string, string[]>();
  for (const reason of reasons) {
    const [path, cause] = reason.split(/: (.*)/s);
    causes.set(path, [...(causes.get(path) ?? []), ...(cause ? [cause] : [])]);
  }
  return [...causes].map(([path, list]) => (list.length > 0 ? `${path} (${list.join(', ')})` : path));
}

/** Stack-by-stack differences between two assemblies, replacements spread across references and exports. */
export function diffAssemblies(base: Assembly, head: Assembly, oracle: ReplacementOracle): StackDiff[] {
  const stacks = [...new Set([...base.keys(), ...head.keys()])].sort();
  const entries = new Map(
    stacks.map((stack) => {
      const region = (head.get(stack) ?? base.get(stack))?.region;
      return [stack, textualChanges(base.get(stack)?.template, head.get(stack)?.template, (type) => oracle.rules(type, region))];
    }),
  );
  const exports = propagate(base, head, entries, oracle);

  const importers = new Map<string, Set<string>>();
  for (const [stack, { template }] of head) {
    for (const name of referencesIn(template).imports) importers.set(name, new Set([...(importers.get(name) ?? []), stack]));
  }

  return stacks.map((stack): StackDiff => {
    const before = base.get(stack)?.template;
    const after = head.get(stack)?.template;
    const resources = [...(entries.get(stack)?.values() ?? [])]
      .map(
        (entry): ResourceChange => ({
          logicalId: entry.logicalId,
          type: entry.type,
          kind: entry.kind,
          changed: [...entry.changed].sort(),
          replacedBy: byPath([...entry.replacedBy.keys()]),
          through: [...entry.through].map(([property, causes]) => `${property}: ${[...causes].sort().join(', ')}`).sort(),
          assets: [...entry.assets].sort(),
          impact: impactOfEntry(entry),
        }),
      )
      .sort((a, b) => a.logicalId.localeCompare(b.logicalId));
    const outputs = diffOutputs(before, after);
    const stackExports = [...exports]
      .filter(([, state]) => state.stack === stack)
      .map(([key, state]): ExportChange => ({ kind: state.kind, name: state.name, change: state.change, importers: [...(importers.get(key) ?? [])].filter((s) => s !== stack).sort() }))
      // An output nobody reads is already counted under `outputs`.
      .filter((change) => change.kind === 'export' || change.importers.length > 0)
      .sort((a, b) => a.name.localeCompare(b.name));
    const affectedBy = [...new Set([...exports].filter(([name, state]) => state.stack !== stack && importers.get(name)?.has(stack)).map(([, state]) => state.stack))].sort();
    const outputChanges = outputs.added.length + outputs.removed.length + outputs.modified.length;
    const status = !before ? 'added' : !after ? 'removed' : resources.length + outputChanges + stackExports.length > 0 ? 'changed' : 'unchanged';
    return { stack, status, resources, outputs, exports: stackExports, affectedBy };
  });
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

// ---------------------------------------------------------------- the report

const SYMBOL: Record<ResourceChange['kind'], string> = { added: '[+]', removed: '[-]', modified: '[~]' };

/** How each impact reads in reports and pull-request comments. */
export const IMPACT_LABELS: Readonly<Record<Impact, string>> = {
  none: '',
  orphan: 'retained: leaves the stack but is not deleted',
  'may-replace': 'MAY BE REPLACED',
  replace: 'REPLACED',
  'may-destroy': '!!! DATA LOSS: stateful, may be replaced',
  destroy: '!!! DATA LOSS: stateful, deleted or replaced',
};

export const isDestructive = (change: ResourceChange): boolean => DESTRUCTIVE_IMPACTS.has(change.impact);
export const losesData = (change: ResourceChange): boolean => DATA_LOSS_IMPACTS.has(change.impact);
const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

function describe(change: ResourceChange): string {
  const properties = change.kind === 'modified' ? ` {${change.changed.join(', ')}}` : '';
  const impact = IMPACT_LABELS[change.impact];
  const why = change.replacedBy.length > 0 ? ` by ${change.replacedBy.join('; ')}` : '';
  return `${SYMBOL[change.kind]} ${change.type} ${change.logicalId}${properties}${impact ? `  ${impact}${why}` : ''}`;
}

/**
 * A plain-text report: data loss first, then one block per changed stack (replacements with the
 * property that causes them, changed assets, changed exports and their importers), and a summary
 * that counts every replacement as destructive.
 */
export function renderReport(diffs: readonly StackDiff[], title: string): string {
  const lines = [title, ''];
  const all = diffs.flatMap((d) => d.resources.map((change) => ({ stack: d.stack, change })));
  const dataLoss = all.filter(({ change }) => losesData(change));
  if (dataLoss.length > 0) {
    lines.push(`!!! ${plural(dataLoss.length, 'stateful resource')} (data) deleted or replaced:`);
    for (const { stack, change } of dataLoss) lines.push(`!!!   ${stack}: ${describe(change).slice(4)}`);
    lines.push('');
  }
  for (const diff of diffs.filter((d) => d.status !== 'unchanged')) {
    const destructive = diff.resources.filter(isDestructive).length;
    const count = plural(diff.resources.length, 'resource');
    const heading = {
      added: `new stack (${count})`,
      removed: `STACK REMOVED (${count})`,
      changed: diff.resources.length === 0 ? 'outputs changed' : `${count} changed${destructive > 0 ? `, ${destructive} destructive` : ''}`,
      unchanged: '',
    }[diff.status];
    const affected = diff.affectedBy.length > 0 ? ` (affected through imports from ${diff.affectedBy.join(', ')})` : '';
    lines.push(`${diff.stack}: ${heading}${affected}`);
    if (diff.status === 'added') continue;
    for (const change of diff.resources) {
      lines.push(`  ${describe(change)}`);
      for (const asset of change.assets) lines.push(`      asset ${asset}: content changed`);
      for (const cause of change.through) lines.push(`      through ${cause}`);
    }
    const { added, removed, modified } = diff.outputs;
    if (added.length + removed.length + modified.length > 0) lines.push(`  outputs: +${added.length} -${removed.length} ~${modified.length}`);
    for (const change of diff.exports) {
      const verb = { changed: 'changes', 'may-change': 'may change', removed: 'is REMOVED' }[change.change];
      const readers =
        change.importers.length === 0 ? '' : change.kind === 'export' ? `; imported by ${change.importers.join(', ')} (CloudFormation refuses to change or remove an export in use)` : `; read by ${change.importers.join(', ')}`;
      lines.push(`  ${change.kind} ${change.name} ${verb}${readers}`);
    }
  }
  const stacks = (status: StackDiff['status']) => diffs.filter((d) => d.status === status).length;
  if (stacks('unchanged') === diffs.length) {
    lines.push(`no changes (${plural(diffs.length, 'stack')} compared)`);
    return lines.join('\n');
  }
  const destructive = all.filter(({ change }) => isDestructive(change)).length;
  const replaced = all.filter(({ change }) => change.kind === 'modified' && isDestructive(change)).length;
  const affected = diffs.filter((d) => d.affectedBy.length > 0).length;
  lines.push(
    '',
    `Stacks: ${stacks('changed')} changed${affected > 0 ? ` (${affected} through imports)` : ''}, ${stacks('added')} added, ${stacks('removed')} removed, ${stacks('unchanged')} unchanged; ` +
      `${plural(destructive, 'destructive change')} (${replaced} replaced, ${destructive - replaced} deleted), ${dataLoss.length} losing stateful data.`,
  );
  return lines.join('\n');
}

// ---------------------------------------------------------------- I/O at the edge

interface ManifestArtifact {
  readonly type: string;
  readonly displayName?: string;
  readonly environment?: string;
  readonly properties?: { readonly directoryName?: string; readonly templateFile?: string; readonly file?: string; readonly stackName?: string };
}
interface AssetManifest {
  readonly files?: Record<string, { readonly displayName?: string; readonly source: { readonly path?: string } }>;
  readonly dockerImages?: Record<string, { readonly displayName?: string; readonly source: { readonly directory?: string } }>;
}

/**
 * Maps a path inside a source map to one that does not depend on where the project or the
 * assembly was: `aliases` are [absolute prefix, replacement] pairs, first match wins.
 */
function projectRelative(path: string, aliases: readonly (readonly [string, string])[]): string {
  for (const [prefix, replacement] of aliases) {
    if (path === prefix || path.startsWith(prefix + sep)) return replacement + path.slice(prefix.length);
  }
  return path;
}

/**
 * A hash of what an asset holds. Source maps name their sources relative to the folder the bundle
 * was written to, so those paths are made relative to the project first.
 */
export function assetContentHash(path: string, projectRoot: string): string {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : p);
  const aliases: [string, string][] = [
    [real(join(projectRoot, 'node_modules')), '<project>/node_modules'],
    [real(projectRoot), '<project>'],
    [resolve(projectRoot), '<project>'],
  ];
  const hash = createHash('sha256');
  const add = (file: string, name: string) => {
    let content: Buffer | string = readFileSync(file);
    if (file.endsWith('.map')) {
      const map = JSON.parse(content.toString('utf8')) as { sources?: string[]; sourceRoot?: string };
      map.sources = map.sources?.map((source) => projectRelative(resolve(dirname(file), map.sourceRoot ?? '', source), aliases));
      content = JSON.stringify(map);
    }
    hash.update(`${name}\0${content.length}\0`).update(content);
  };
  const walk = (directory: string, prefix: string) => {
    for (const name of readdirSync(directory).sort()) {
      const file = join(directory, name);
      if (statSync(file).isDirectory()) walk(file, `${prefix}${name}/`);
      else add(file, `${prefix}${name}`);
    }
  };
  if (statSync(path).isDirectory()) walk(path, '');
  else add(path, '');
  return hash.digest('hex');
}

/**
 * Every stack of a cloud assembly directory (nested Stage assemblies included) by display name,
 * with asset hashes replaced by the hash of the asset's content (`projectRoot` is the checkout
 * that was synthesized, for the paths inside source maps).
 */
export function readAssembly(directory: string, projectRoot: string): Map<string, AssemblyStack> {
  const labels = new Map<string, string>();
  const stacks: [string, CfnTemplate, string | undefined, string | undefined][] = [];
  const contentHashes = new Map<string, string>();
  const read = (dir: string) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { artifacts?: Record<string, ManifestArtifact> };
    for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
      const properties = artifact.properties ?? {};
      if (artifact.type === 'cdk:cloud-assembly' && properties.directoryName) read(join(dir, properties.directoryName));
      else if (artifact.type === 'aws:cloudformation:stack' && properties.templateFile) {
        const region = /^aws:\/\/[^/]+\/([a-z0-9-]+)$/.exec(artifact.environment ?? '')?.[1];
        stacks.push([artifact.displayName ?? id, JSON.parse(readFileSync(join(dir, properties.templateFile), 'utf8')), region, properties.stackName]);
      } else if (artifact.type === 'cdk:asset-manifest' && properties.file) {
        const assets = JSON.parse(readFileSync(join(dir, properties.file), 'utf8')) as AssetManifest;
        const sources = [
          ...Object.entries(assets.files ?? {}).map(([hash, a]) => [hash, a.displayName, a.source.path] as const),
          ...Object.entries(assets.dockerImages ?? {}).map(([hash, a]) => [hash, a.displayName, a.source.directory] as const),
        ];
        for (const [hash, name, source] of sources) {
          if (!source || source.endsWith('.template.json')) continue; // the stack templates themselves
          const path = resolve(dir, source);
          if (!existsSync(path)) continue;
          if (!contentHashes.has(path)) contentHashes.set(path, assetContentHash(path, projectRoot));
          labels.set(hash, assetLabel(name ?? hash.slice(0, 12), contentHashes.get(path)!));
        }
      }
    }
  };
  read(directory);
  return new Map(stacks.map(([name, template, region, stackName]) => [name, { template: withAssetContent(template, labels), region, stackName }]));
}

interface SpecProperty {
  readonly causesReplacement?: 'yes' | 'maybe' | 'no';
}
interface SpecResource {
  readonly cloudFormationType: string;
  readonly properties?: Record<string, SpecProperty>;
}
interface ResourceSchema {
  readonly createOnlyProperties?: readonly string[];
  readonly conditionalCreateOnlyProperties?: readonly string[];
}

/** cfn-lint's CloudFormation resource schemas in the project's virtualenv, if it is installed. */
export function findCfnLintSchemas(projectRoot: string): string | undefined {
  const lib = join(projectRoot, '.venv', 'lib');
  if (!existsSync(lib)) return undefined;
  return readdirSync(lib)
    .filter((name) => name.startsWith('python'))
    .map((python) => join(lib, python, 'site-packages', 'cfnlint', 'data', 'schemas'))
    .find((dir) => existsSync(join(dir, 'providers')));
}

const DEFAULT_REGION = 'us-east-1';
const NO_RULES: ReplacementRules = { always: [], conditional: [] };
/** `/properties/NetworkConfiguration/SubnetIds` -> `NetworkConfiguration/SubnetIds`. */
const propertyPath = (pointer: string): string => pointer.replace(/^\/properties\//, '');

/**
 * Which property changes replace a resource: CloudFormation's resource schemas as cfn-lint ships
 * them (`createOnlyProperties`, nested paths included), per region; for a type without a schema,
 * the resource specification of the pinned CDK CLI (top-level properties only).
 */
export function loadReplacementOracle(schemasDir: string | undefined): ReplacementOracle {
  const providers = new Map<string, Record<string, string>>();
  const provider = (region: string): Record<string, string> => {
    if (!providers.has(region)) {
      const file = join(schemasDir ?? '', 'providers', `${region}.json`);
      providers.set(region, schemasDir && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {});
    }
    return providers.get(region)!;
  };
  const schemaRules = new Map<string, ReplacementRules>();
  const fromSchema = (type: string, region: string): ReplacementRules | undefined => {
    const id = provider(region)[type] ?? provider(DEFAULT_REGION)[type];
    if (!id || !schemasDir) return undefined;
    if (!schemaRules.has(id)) {
      const file = join(schemasDir, 'resources', `${id}.json`);
      if (!existsSync(file)) return undefined;
      const schema = JSON.parse(readFileSync(file, 'utf8')) as ResourceSchema;
      schemaRules.set(id, { always: (schema.createOnlyProperties ?? []).map(propertyPath), conditional: (schema.conditionalCreateOnlyProperties ?? []).map(propertyPath) });
    }
    return schemaRules.get(id);
  };
  let spec: Map<string, ReplacementRules> | undefined;
  const fromSpec = (type: string): ReplacementRules => {
    spec ??= loadCdkSpec();
    return spec.get(type) ?? NO_RULES;
  };
  return {
    source: schemasDir ? "CloudFormation's resource schemas (cfn-lint)" : "the CDK CLI's resource specification (top-level properties only: run `make deps` for cfn-lint's schemas)",
    rules: (type, region = DEFAULT_REGION) => fromSchema(type, region) ?? fromSpec(type),
  };
}

/** The resource specification that the pinned CDK CLI ships (the database its own `cdk diff` reads). */
function loadCdkSpec(): Map<string, ReplacementRules> {
  const database = join(dirname(require.resolve('aws-cdk/package.json')), 'db.json.gz');
  if (!existsSync(database)) throw new Error(`the CDK CLI's resource database is missing (${database}); is aws-cdk installed?`);
  const db = JSON.parse(gunzipSync(readFileSync(database)).toString('utf8')) as { schema: { resource: { entities: Record<string, SpecResource> } } };
  return new Map(
    Object.values(db.schema.resource.entities).map((r) => {
      const properties = Object.entries(r.properties ?? {});
      const causing = (value: SpecProperty['causesReplacement']) => properties.filter(([, p]) => p.causesReplacement === value).map(([name]) => name);
      return [r.cloudFormationType, { always: causing('yes'), conditional: causing('maybe') }];
    }),
  );
}
