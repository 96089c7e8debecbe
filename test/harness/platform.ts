import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPlatform, compliancePacks } from '../../lib/app';
import { EnvironmentConfig, EnvironmentInput, loadEnvironments, validateEnvironment } from '../../lib/config';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { PlatformStage } from '../../lib/platform-stage';

/** `new App()` in jest does not read cdk.json, so its context (feature flags) is passed in. */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;
}

export interface SynthesizedPlatform {
  readonly app: App;
  readonly stages: ReadonlyMap<string, PlatformStage>;
}

let shippedPlatform: SynthesizedPlatform | undefined;

/**
 * The whole platform, every environment, exactly as `bin/app.ts` builds it. Without arguments the
 * platform is built once per test file, so suites registered together (test/adaptation.test.ts)
 * share one synthesis.
 */
export function synthPlatform(environments?: readonly EnvironmentConfig[]): SynthesizedPlatform {
  if (environments === undefined) return (shippedPlatform ??= buildSynthesizedPlatform(loadEnvironments()));
  return buildSynthesizedPlatform(environments);
}

function buildSynthesizedPlatform(environments: readonly EnvironmentConfig[]): SynthesizedPlatform {
  const app = new App({ context: cdkJsonContext() });
  const stages = buildPlatform(app, environments);
  return { app, stages: new Map(stages.map((s) => [s.config.name, s])) };
}

/** One environment's input with some fields replaced, for tests of variations and bad values. */
export function environmentInput(name: string, patch: (input: EnvironmentInput) => unknown = (i) => i): unknown {
  const input = ENVIRONMENTS.find((e) => e.name === name);
  if (!input) throw new Error(`no environment '${name}' in environments.ts`);
  return patch(structuredClone(input) as EnvironmentInput);
}

/** A validated environment with some fields replaced. */
export function environment(name: string, patch?: (input: EnvironmentInput) => unknown): EnvironmentConfig {
  return validateEnvironment(environmentInput(name, patch));
}

const templates = new WeakMap<Stack, Template>();
/** Template.fromStack synthesizes the whole app; do it once per stack. */
export function templateOf(stack: Stack): Template {
  let template = templates.get(stack);
  if (!template) {
    template = Template.fromStack(stack);
    templates.set(stack, template);
  }
  return template;
}

export interface Finding {
  readonly rule: string;
  readonly path: string;
}

/** cdk-nag findings of every pack that the app registers, minus acknowledged ones. */
export function nagFindings(app: App): Finding[] {
  return compliancePacks().flatMap((pack) =>
    pack.validateScope(app).violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? r.resourceLogicalId ?? '<unknown>' }))),
  );
}

/** An IAM policy statement as a synthesized template holds it. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- template JSON is untyped
  readonly Resource: any;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** Every statement of the policies attached to roles whose logical id matches `rolePattern` (all roles by default). */
export function policyStatements(template: Template, rolePattern?: string): PolicyStatement[] {
  const filter = rolePattern === undefined ? undefined : { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(rolePattern) }] } };
  return Object.values(template.findResources('AWS::IAM::Policy', filter)).flatMap((p) => p.Properties.PolicyDocument.Statement);
}
