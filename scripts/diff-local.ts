/**
 * Prints the per-stack differences between two synthesized cloud assemblies, offline. Run through
 * `make diff-local BASE=<git ref>` (scripts/diff-local.sh synthesizes both sides):
 *
 *   npx tsx scripts/diff-local.ts --base-label HEAD~1 --base-root <base checkout> <base cdk.out> <head cdk.out>
 *
 * Each root is the checkout that was synthesized (the head's defaults to this one): assets are
 * compared by content, and a bundle's source map names its sources relative to where it was built.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { diffAssemblies, findCfnLintSchemas, loadReplacementOracle, readAssembly, renderReport } from './template-diff';

const project = resolve(__dirname, '..');
const { values, positionals } = parseArgs({
  options: { 'base-label': { type: 'string', default: 'base' }, 'base-root': { type: 'string' }, 'head-root': { type: 'string', default: project } },
  allowPositionals: true,
});
if (positionals.length !== 2 || !values['base-root']) {
  console.error('usage: npx tsx scripts/diff-local.ts [--base-label <ref>] --base-root <base checkout> [--head-root <head checkout>] <base assembly dir> <head assembly dir>');
  process.exit(2);
}
const base = readAssembly(positionals[0], values['base-root']);
const head = readAssembly(positionals[1], values['head-root']);
const oracle = loadReplacementOracle(findCfnLintSchemas(project));
console.log(renderReport(diffAssemblies(base, head, oracle), `Template diff ${values['base-label']} -> working tree (offline: synthesized templates, assets by content; replacements from ${oracle.source})`));
