import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  acknowledgeGuardExceptions,
  acknowledgementReason,
  cfnGuardBinary,
  CONTROL_TOWER_RULES_DIR,
  GUARD_PLUGIN_NAME,
  guardFiles,
  pathPattern,
  PROJECT_RULES_DIR,
  ruleNames,
} from '../policies';
import { DISABLED_CONTROL_TOWER_RULES, GUARD_ACKNOWLEDGEMENTS } from '../policies/exceptions';
import { buildPlatform } from '../lib/app';
import { CLUSTER_ENVIRONMENT_TAG } from '../lib/naming';
import { cdkJsonContext } from './harness/platform';

/** Compliant and non-compliant templates, one folder per rule: pass-*.json and fail-*.json. */
const FIXTURES = join(__dirname, 'policies');

/** One data file's result in cfn-guard's `--structured` JSON output. */
interface GuardResult {
  readonly name: string;
  readonly compliant?: string[];
  readonly not_applicable?: string[];
  readonly not_compliant?: { Rule: { name: string } }[];
}

/** Runs cfn-guard as the plugin does (same binary, same flags) on one rules file and some templates. */
function runGuard(rulesFile: string, templates: string[]): GuardResult[] {
  const args = ['validate', '--rules', rulesFile, ...templates.flatMap((t) => ['--data', t]), '--output-format', 'json', '--show-summary', 'none', '--structured'];
  const run = spawnSync(cfnGuardBinary(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  // 0: all compliant; 19: some rule failed. Anything else (2: bad arguments, 5: parse error) is a broken rule file.
  if (run.status !== 0 && run.status !== 19) throw new Error(`cfn-guard exited ${run.status} on ${rulesFile}: ${run.stderr}${run.stdout.slice(0, 2000)}`);
  return JSON.parse(run.stdout) as GuardResult[];
}

/** The logical ids of the resources a rule's failed checks point at (`/Resources/<id>/...`). */
function failingResources(result: GuardResult, rule: string): string[] {
  const ids = new Set<string>();
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const path = (node as { path?: unknown }).path;
    if (typeof path === 'string' && path.startsWith('/Resources/')) ids.add(path.split('/')[2]);
    Object.values(node).forEach(walk);
  };
  (result.not_compliant ?? []).filter((nc) => nc.Rule.name === rule).forEach(walk);
  return [...ids].sort();
}

const projectRuleFiles = guardFiles(PROJECT_RULES_DIR);
const ruleFileOf = new Map(projectRuleFiles.flatMap((file) => ruleNames(readFileSync(file, 'utf8')).map((rule) => [rule, file] as const)));
const projectRules = [...ruleFileOf.keys()].sort();
const fixturesOf = (rule: string, kind: 'pass' | 'fail') =>
  existsSync(join(FIXTURES, rule)) ? readdirSync(join(FIXTURES, rule)).filter((f) => f.startsWith(`${kind}-`) && f.endsWith('.json')).map((f) => join(FIXTURES, rule, f)) : [];

describe('the project rules in policies/guard', () => {
  test('there are rules, and each file opens with a comment saying what it prevents and why', () => {
    expect(projectRules.length).toBeGreaterThanOrEqual(10);
    for (const file of projectRuleFiles) expect(readFileSync(file, 'utf8')).toMatch(/^# Prevents: .+\n(#.*\n)+/);
  });

  test('every rule has a compliant and a non-compliant template, and every fixture folder belongs to a rule', () => {
    for (const rule of projectRules) {
      expect({ rule, pass: fixturesOf(rule, 'pass').length > 0, fail: fixturesOf(rule, 'fail').length > 0 }).toEqual({ rule, pass: true, fail: true });
    }
    expect(readdirSync(FIXTURES).sort()).toEqual(projectRules);
  });

  test('the EMR rules scope clusters by the tag the platform sets', () => {
    const emrRules = readFileSync(ruleFileOf.get('bdp_emr_mutation_requires_own_cluster_tag')!, 'utf8');
    const tagKeys = new Set([...emrRules.matchAll(/'(?:aws|elasticmapreduce):(?:Resource|Request)Tag\/([^']+)'/g)].map((m) => m[1]));
    expect([...tagKeys]).toEqual([CLUSTER_ENVIRONMENT_TAG]);
  });

  describe.each(projectRules)('%s', (rule) => {
    const fixtures = [...fixturesOf(rule, 'pass'), ...fixturesOf(rule, 'fail')];
    const results = new Map(runGuard(ruleFileOf.get(rule)!, fixtures).map((r) => [basename(r.name), r]));
    // The plugin parses cfn-guard's output itself and cannot read every shape of check (a map-key
    // filter crashes it), so the failures are also read the way synth reads them.
    const pluginReport = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: [ruleFileOf.get(rule)!] }).validate({ templatePaths: fixtures, appConstruct: new App() });
    const reportedByPlugin = (fixture: string) =>
      pluginReport.violations
        .filter((v) => v.ruleName === rule)
        .flatMap((v) => v.violatingResources.filter((r) => basename(r.templatePath ?? '') === fixture).map((r) => ({ id: r.resourceLogicalId, description: v.description })));

    test.each(fixturesOf(rule, 'pass').map((f) => basename(f)))('passes %s, and applies to it', (fixture) => {
      const result = results.get(fixture)!;
      expect(failingResources(result, rule)).toEqual([]);
      // A rule that skipped the template proves nothing: it must have evaluated and passed it.
      expect(result.compliant).toContain(rule);
      expect(reportedByPlugin(fixture)).toEqual([]);
    });

    test.each(fixturesOf(rule, 'fail').map((f) => basename(f)))('fails %s on exactly its Bad* resources', (fixture) => {
      const template = JSON.parse(readFileSync(join(FIXTURES, rule, fixture), 'utf8')) as { Resources: Record<string, unknown> };
      const bad = Object.keys(template.Resources).filter((id) => id.startsWith('Bad')).sort();
      expect(bad.length).toBeGreaterThan(0);
      expect(failingResources(results.get(fixture)!, rule)).toEqual(bad);
      const reported = reportedByPlugin(fixture);
      expect([...new Set(reported.map((r) => r.id))].sort()).toEqual(bad);
      // The rule's own message (what it prevents, how to fix it) reaches the report, not cfn-guard's internals.
      for (const { description } of reported) expect(description).toMatch(/^\[BDP\.[A-Z]+\.\d+\]: /);
    });
  });
});

describe('the exceptions in policies/exceptions.ts', () => {
  const controlTowerFiles = guardFiles(CONTROL_TOWER_RULES_DIR);
  const disabledFiles = new Set(DISABLED_CONTROL_TOWER_RULES.map((r) => r.file));
  const enabledControlTowerRules = new Set(controlTowerFiles.filter((f) => !disabledFiles.has(basename(f, '.guard'))).flatMap((f) => ruleNames(readFileSync(f, 'utf8'))));

  test('each disabled Control Tower rule exists and states the risk accepted and why', () => {
    const files = new Set(controlTowerFiles.map((f) => basename(f, '.guard')));
    for (const rule of DISABLED_CONTROL_TOWER_RULES) {
      expect(files).toContain(rule.file);
      expect(rule.control).toMatch(/^CT\.[A-Z0-9]+\.PR\.\d+: /);
      expect(rule.risk.length).toBeGreaterThan(40);
      expect(rule.reason.length).toBeGreaterThan(80);
    }
  });

  test('each acknowledgement names a rule that runs, states the risk and why, and is recorded with those words', () => {
    for (const ack of GUARD_ACKNOWLEDGEMENTS) {
      expect([ack.rule, enabledControlTowerRules.has(ack.rule) || projectRules.includes(ack.rule)]).toEqual([ack.rule, true]);
      expect(ack.risk.length).toBeGreaterThan(40);
      expect(ack.reason.length).toBeGreaterThan(40);
      expect(acknowledgementReason(ack)).toContain(ack.risk);
      expect(acknowledgementReason(ack)).toContain(ack.reason);
    }
  });

  test('every acknowledged path matches a construct of the platform, so no entry is stale', () => {
    const app = new App({ context: cdkJsonContext() });
    buildPlatform(app);
    expect(acknowledgeGuardExceptions(app).filter((r) => r.unmatched.length > 0).map((r) => ({ rule: r.ack.rule, unmatched: r.unmatched }))).toEqual([]);
  });

  test('a path pattern matches one segment per *, and nothing else', () => {
    expect(pathPattern('*/Lake/Storage/LogsBucket').test('Dev/Lake/Storage/LogsBucket')).toBe(true);
    expect(pathPattern('*/Lake/Storage/LogsBucket').test('Dev/Lake/Storage/LogsBucket/Resource')).toBe(false);
    expect(pathPattern('*/Lake/Storage/LogsBucket').test('Dev/Other/Lake/Storage/LogsBucket')).toBe(false);
    expect(pathPattern('*/Lake/Custom::S3AutoDeleteObjectsCustomResourceProvider').test('Prod/Lake/Custom::S3AutoDeleteObjectsCustomResourceProvider')).toBe(true);
    expect(pathPattern('*/Orchestration/Airflow/*Logs').test('Dev/Orchestration/Airflow/TaskLogs')).toBe(true);
    expect(pathPattern('*/Orchestration/Airflow/*Logs').test('Dev/Orchestration/Airflow/Task/Logs')).toBe(false);
  });
});

describe('the plugin at synth', () => {
  /** A one-stack app with the platform's guard plugin, holding a log group that keeps its logs forever. */
  const appWithForeverLogGroup = () => {
    const app = new App({ context: { ...cdkJsonContext(), '@aws-cdk/core:validationReportJson': true }, builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Probe');
    new CfnResource(stack, 'ForeverLogGroup', { type: 'AWS::Logs::LogGroup', properties: { KmsKeyId: 'arn:aws:kms:eu-north-1:111111111111:key/k' } });
    return app;
  };
  const rule = 'bdp_log_group_has_retention_and_key';

  test('an unacknowledged failure of a project rule fails synthesis and names the rule and the resource', () => {
    const app = appWithForeverLogGroup();
    // The same registration as lib/app.ts, without the platform's stages.
    buildPlatform(app, []);
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`Acknowledge with '${GUARD_PLUGIN_NAME}::${rule}'`);
    expect(message).toContain('Probe/ForeverLogGroup (ForeverLogGroup)');
  });

  test('an acknowledgement from the exceptions list lets synthesis pass and lands in the report with its reason', () => {
    const app = appWithForeverLogGroup();
    buildPlatform(app, []);
    const ack = { rule, paths: ['Probe/ForeverLogGroup'], risk: 'This probe log group keeps its logs forever, which costs money.', reason: 'It exists only in this test, which proves that acknowledgements reach the report.' };
    expect(acknowledgeGuardExceptions(app, [ack])).toEqual([{ ack, unmatched: [] }]);
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; conclusion: string; violations: unknown[]; suppressedViolations?: { ruleName: string; reason: string }[] }[];
    };
    const guard = report.pluginReports.find((r) => r.pluginName === GUARD_PLUGIN_NAME)!;
    expect(guard.violations).toEqual([]);
    expect(guard.suppressedViolations?.map((v) => [v.ruleName, v.reason])).toEqual([[rule, acknowledgementReason(ack)]]);
  });
});
