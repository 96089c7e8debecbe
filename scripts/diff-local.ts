/**
 * Prints the per-stack differences between two synthesized cloud assemblies, offline. Run through
 * `make diff-local BASE=<git ref>` (scripts/diff-local.sh synthesizes both sides):
 *
 *   npx tsx scripts/diff-local.ts --base-label HEAD~1 <base cdk.out> <head cdk.out>
 */
import { parseArgs } from 'node:util';
import { diffAssemblies, loadReplacementOracle, readAssemblyTemplates, renderReport } from './template-diff';

const { values, positionals } = parseArgs({ options: { 'base-label': { type: 'string', default: 'base' } }, allowPositionals: true });
if (positionals.length !== 2) {
  console.error('usage: npx tsx scripts/diff-local.ts [--base-label <ref>] <base assembly dir> <head assembly dir>');
  process.exit(2);
}
const [base, head] = positionals.map(readAssemblyTemplates);
const diffs = diffAssemblies(base, head, loadReplacementOracle());
console.log(renderReport(diffs, `Template diff ${values['base-label']} -> working tree (offline: synthesized templates; replacements from the CloudFormation resource spec)`));
