/**
 * Prints what `cdk synth` produced: every stack of every environment with its resource counts,
 * and the compliance findings. Exits non-zero if any pack reported an unacknowledged finding.
 * Usage: tsx scripts/synth-summary.ts [cdk.out]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compliancePacks } from '../lib/app';

interface Artifact {
  type: string;
  environment?: string;
  displayName?: string;
  properties?: { templateFile?: string; directoryName?: string };
}
interface Template {
  Resources: Record<string, { Type: string; Metadata?: { cdk_nag?: { rules_to_suppress?: { id: string }[] } } }>;
}

const outdir = process.argv[2] ?? 'cdk.out';
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const artifacts = (dir: string) => Object.values(readJson<{ artifacts: Record<string, Artifact> }>(join(dir, 'manifest.json')).artifacts);

// Resource types worth a glance, in the order a reader thinks of the architecture.
const HIGHLIGHTS = ['EC2::VPC', 'EC2::Subnet', 'EC2::NatGateway', 'EC2::VPCEndpoint', 'EC2::ClientVpnEndpoint', 'S3::Bucket', 'KMS::Key', 'Glue::Table', 'Athena::WorkGroup', 'MWAA::Environment', 'Kinesis::Stream', 'KinesisFirehose::DeliveryStream', 'Lambda::Function', 'DynamoDB::GlobalTable'];

let stacks = 0;
const acknowledgedRules = new Set<string>();
let acknowledgedResources = 0;
console.log('Synthesized stacks (offline, no AWS calls):');
for (const assembly of artifacts(outdir).filter((a) => a.type === 'cdk:cloud-assembly')) {
  const dir = join(outdir, assembly.properties!.directoryName!);
  for (const stack of artifacts(dir).filter((a) => a.type === 'aws:cloudformation:stack')) {
    const template = readJson<Template>(join(dir, stack.properties!.templateFile!));
    const resources = Object.values(template.Resources);
    const byType = new Map<string, number>();
    for (const r of resources) byType.set(r.Type.replace(/^AWS::/, ''), (byType.get(r.Type.replace(/^AWS::/, '')) ?? 0) + 1);
    for (const r of resources) {
      // aws-cdk-lib acknowledges some of its own CloudFormation-Validate findings; only cdk-nag's count here.
      const rules = (r.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((rule) => rule.id).filter((id) => !id.startsWith('CloudFormation-Validate'));
      rules.forEach((id) => acknowledgedRules.add(id));
      if (rules.length > 0) acknowledgedResources++;
    }
    const highlights = HIGHLIGHTS.filter((t) => byType.has(t)).map((t) => `${t.split('::')[1]} ${byType.get(t)}`);
    console.log(`  ${stack.displayName!.padEnd(24)} ${stack.environment!.replace('aws://', '').padEnd(26)} ${String(resources.length).padStart(4)} resources  ${highlights.join(', ')}`);
    stacks++;
  }
}

const reportPath = join(outdir, 'validation-report.json');
const reports = existsSync(reportPath) ? readJson<{ pluginReports: { pluginName: string; violations: unknown[] }[] }>(reportPath).pluginReports : [];
const packNames: string[] = compliancePacks().map((p) => p.name);
const findings = packNames.map((name) => [name, reports.find((r) => r.pluginName === name)?.violations.length ?? 0] as const);
console.log(`\n${stacks} stacks. cdk-nag unacknowledged findings: ${findings.map(([n, c]) => `${n} ${c}`).join(', ')}; acknowledged with a reason: ${acknowledgedRules.size} rules on ${acknowledgedResources} resources.`);
const other = reports.filter((r) => !packNames.includes(r.pluginName) && r.violations.length > 0);
for (const r of other) console.log(`${r.pluginName}: ${r.violations.length} findings`);
if (findings.some(([, c]) => c > 0) || other.length > 0) {
  console.error(`Findings are listed in ${reportPath}.`);
  process.exit(1);
}
