/**
 * The project's policy-as-code at synth: AWS Control Tower's proactive controls plus the rules in
 * policies/guard/, run by cfn-guard through CDK's policy-validation plugin mechanism. The exceptions
 * (disabled controls, acknowledged resources) come only from policies/exceptions.ts.
 */
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DISABLED_CONTROL_TOWER_RULES, GUARD_ACKNOWLEDGEMENTS, GuardAcknowledgement } from './exceptions';

/** The plugin's name, which prefixes its rule ids in acknowledgements and in the validation report. */
export const GUARD_PLUGIN_NAME = 'cdk-validator-cfnguard';

/** The project's own rules: every .guard file of this folder (the plugin takes the folder). */
export const PROJECT_RULES_DIR = join(__dirname, 'guard');

/** Control Tower's rule files as the plugin bundles them, one .guard file per control. */
export const CONTROL_TOWER_RULES_DIR = join(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'), '..', 'rules', 'control-tower', 'cfn-guard');

/**
 * The cfn-guard binary the plugin runs on this machine (the tests run rules with it directly). The
 * plugin's own lookup is private; this is its mapping: bin/<ubuntu|macos>/<x86_64|aarch64>/cfn-guard.
 */
export function cfnGuardBinary(): string {
  const platform = (<Record<string, string>>{ linux: 'ubuntu', darwin: 'macos' })[process.platform];
  const architecture = (<Record<string, string>>{ x64: 'x86_64', arm64: 'aarch64' })[process.arch];
  if (!platform || !architecture) throw new Error(`cfn-guard is bundled for Linux and macOS on x64 and arm64, not ${process.platform} ${process.arch}`);
  return join(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'), '..', 'bin', platform, architecture, 'cfn-guard');
}

/** Every .guard file under a folder, recursively. */
export function guardFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return guardFiles(path);
    return entry.name.endsWith('.guard') ? [path] : [];
  });
}

/** The rule names (`rule <name> when ...`, not the parameterized helpers) that a .guard file reports on. */
export function ruleNames(guardSource: string): string[] {
  const names = [...guardSource.matchAll(/^rule\s+([A-Za-z0-9_]+)\s*(?:when\b|\{)/gm)].map((m) => m[1]);
  return [...new Set(names)];
}

/** The resource types a rule file names (its "AWS::Service::Type" literals). */
export function resourceTypesOf(guardSource: string): string[] {
  return [...new Set([...guardSource.matchAll(/"(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)"/g)].map((m) => m[1]))];
}

/** Control Tower's rule files minus those policies/exceptions.ts disables. */
export function enabledControlTowerFiles(): string[] {
  const disabled = new Set(DISABLED_CONTROL_TOWER_RULES.map((rule) => rule.file));
  return guardFiles(CONTROL_TOWER_RULES_DIR).filter((file) => !disabled.has(basename(file, '.guard')));
}

/**
 * The guard plugin registered on the app: cdk-validator-cfnguard with Control Tower's enabled
 * controls and policies/guard/. It passes cfn-guard only the Control Tower files that name a
 * resource type present in the templates (plus any file that names none): the others cannot fail,
 * and skipping them cuts the plugin's time to about a third. Its report's metadata says how many
 * rules ran.
 */
export class PlatformGuardValidator implements IPolicyValidationPluginBeta1 {
  readonly name = GUARD_PLUGIN_NAME;
  readonly version = (JSON.parse(readFileSync(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'), 'utf8')) as { version: string }).version;

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const present = new Set(
      context.templatePaths.flatMap((path) => Object.values((JSON.parse(readFileSync(path, 'utf8')) as { Resources?: Record<string, { Type: string }> }).Resources ?? {}).map((r) => r.Type)),
    );
    const controlTower = enabledControlTowerFiles().filter((file) => {
      const types = resourceTypesOf(readFileSync(file, 'utf8'));
      return types.length === 0 || types.some((type) => present.has(type));
    });
    const project = guardFiles(PROJECT_RULES_DIR);
    const count = (files: string[]) => new Set(files.flatMap((f) => ruleNames(readFileSync(f, 'utf8')))).size;
    // cfn-guard writes one JSON report for all templates, far above the default 1 MiB stdout buffer when rules fail.
    const guard = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: [...controlTower, ...project], maxBuffer: 64 * 1024 * 1024 });
    const report = guard.validate(context);
    return { ...report, metadata: { ...report.metadata, controlTowerRules: String(count(controlTower)), projectRules: String(count(project)) } };
  }
}

/** The reason recorded with an acknowledgement: the risk and why it is accepted, as policies/exceptions.ts words them. */
export function acknowledgementReason(ack: GuardAcknowledgement): string {
  const pending = ack.pendingFix ? ` Pending fix (${ack.pendingFix}): remove this acknowledgement when it lands.` : '';
  return `Risk: ${ack.risk} Why: ${ack.reason}${pending}`;
}

/** A construct-path pattern as a RegExp: `*` matches characters within one path segment, never a `/`. */
export function pathPattern(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[^/]+')}$`);
}

/**
 * Attaches every acknowledgement of policies/exceptions.ts to the constructs its paths match, and
 * returns, per acknowledgement, the paths that matched nothing (a renamed construct, or a stale entry).
 */
export function acknowledgeGuardExceptions(root: IConstruct, acknowledgements: readonly GuardAcknowledgement[] = GUARD_ACKNOWLEDGEMENTS): { ack: GuardAcknowledgement; unmatched: string[] }[] {
  const constructs = root.node.findAll();
  return acknowledgements.map((ack) => {
    const unmatched = ack.paths.filter((pattern) => {
      const regex = pathPattern(pattern);
      const matches = constructs.filter((c) => regex.test(c.node.path));
      for (const construct of matches) Validations.of(construct).acknowledge({ id: `${GUARD_PLUGIN_NAME}::${ack.rule}`, reason: acknowledgementReason(ack) });
      return matches.length === 0;
    });
    return { ack, unmatched };
  });
}
