/**
 * Prints what `cdk synth` produced: every stack of every environment with its resource counts,
 * the cdk-nag findings and the guard rules' results (Control Tower plus policies/guard/). Exits
 * non-zero if any pack or guard rule reported an unacknowledged finding.
 * Usage: tsx scripts/synth-summary.ts [cdk.out]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compliancePacks } from '../lib/app';
import { readSynthesizedStacks } from '../ops/cloud-assembly';
import { GUARD_PLUGIN_NAME } from '../policies';
import { DISABLED_CONTROL_TOWER_RULES } from '../policies/exceptions';
import { summarizeGuard, ValidationReport } from '../policies/report';

const outdir = process.argv[2] ?? 'cdk.out';

// Resource types worth a glance, in the order a reader thinks of the architecture.
const HIGHLIGHTS = ['EC2::VPC', 'EC2::Subnet', 'EC2::NatGateway', 'EC2::VPCEndpoint', 'EC2::ClientVpnEndpoint', 'S3::Bucket', 'KMS::Key', 'Glue::Table', 'Athena::WorkGroup', 'MWAA::Environment', 'Kinesis::Stream', 'KinesisFirehose::DeliveryStream', 'Lambda::Function', 'DynamoDB::GlobalTable', 'CloudWatch::Alarm', 'Budgets::Budget'];

const acknowledgedRules = new Set<string>();
let acknowledgedResources = 0;
const stacks = readSynthesizedStacks(outdir);
console.log('Synthesized stacks (offline, no AWS calls):');
for (const stack of stacks) {
  const resources = Object.values(stack.template.Resources ?? {});
  const byType = new Map<string, number>();
  for (const r of resources) {
    const type = r.Type.replace(/^AWS::/, '');
    byType.set(type, (byType.get(type) ?? 0) + 1);
    const suppressed = (r.Metadata?.cdk_nag as { rules_to_suppress?: { id: string }[] } | undefined)?.rules_to_suppress ?? [];
    // The aspect writes every acknowledgement: aws-cdk-lib's own CloudFormation-Validate ones and the
    // guard rules' (counted from the validation report below) are not cdk-nag's.
    const rules = suppressed.map((rule) => rule.id).filter((id) => !id.startsWith('CloudFormation-Validate') && !id.startsWith(`${GUARD_PLUGIN_NAME}::`));
    rules.forEach((id) => acknowledgedRules.add(id));
    if (rules.length > 0) acknowledgedResources++;
  }
  const highlights = HIGHLIGHTS.filter((t) => byType.has(t)).map((t) => `${t.split('::')[1]} ${byType.get(t)}`);
  console.log(`  ${stack.displayName.padEnd(24)} ${stack.environment.replace('aws://', '').padEnd(26)} ${String(resources.length).padStart(4)} resources  ${highlights.join(', ')}`);
}

const reportPath = join(outdir, 'validation-report.json');
const report: ValidationReport = existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) : { pluginReports: [] };
const reports = report.pluginReports;
const packNames: string[] = compliancePacks().map((p) => p.name);
const findings = packNames.map((name) => [name, reports.find((r) => r.pluginName === name)?.violations.length ?? 0] as const);
console.log(
  `\n${stacks.length} stacks. cdk-nag unacknowledged findings: ${findings.map(([n, c]) => `${n} ${c}`).join(', ')}; acknowledged with a reason: ${acknowledgedRules.size} rules on ${acknowledgedResources} resources.`,
);

const guard = (() => {
  try {
    return summarizeGuard(report);
  } catch (e) {
    // A crashed or unregistered guard plugin reports nothing, which must not read as a pass.
    console.error((e as Error).message);
    process.exit(1);
  }
})();
const perTemplate = (list: { template: string }[]) => [...new Set(list.map((f) => f.template))].map((t) => `${t.replace(/\.template\.json$/, '')} ${list.filter((f) => f.template === t).length}`).join(', ');
console.log(
  `Guard rules (Control Tower ${guard.controlTowerRules} applicable + policies/guard ${guard.projectRules} = ${guard.controlTowerRules + guard.projectRules} rules on ${stacks.length} templates): ` +
    `${guard.failures.length} unacknowledged failures; acknowledged: ${guard.acceptedRisks.length} accepted risks, ${guard.pendingFixes.length} pending fixes (policies/exceptions.ts).`,
);
for (const f of guard.failures) console.log(`  FAIL ${f.rule} ${f.constructPath} (${f.template} ${f.logicalId})`);
const disabledPending = DISABLED_CONTROL_TOWER_RULES.filter((r) => r.pendingFix);
console.log(`  Control Tower controls disabled: ${DISABLED_CONTROL_TOWER_RULES.length} (${DISABLED_CONTROL_TOWER_RULES.map((r) => r.control.split(':')[0]).join(', ')}), ${disabledPending.length} of them until a fix lands.`);
if (guard.pendingFixes.length > 0) console.log(`  pending fixes per template: ${perTemplate(guard.pendingFixes)}`);
for (const { rule, path } of guard.unusedAcknowledgements) console.log(`  no longer needed: ${rule} on ${path}; remove it from policies/exceptions.ts`);

const other = reports.filter((r) => !packNames.includes(r.pluginName) && r.pluginName !== GUARD_PLUGIN_NAME && r.violations.length > 0);
for (const r of other) console.log(`${r.pluginName}: ${r.violations.length} findings`);
if (findings.some(([, c]) => c > 0) || other.length > 0 || guard.failures.length > 0) {
  console.error(`Findings are listed in ${reportPath}.`);
  process.exit(1);
}
