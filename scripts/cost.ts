/**
 * `make cost`: the monthly fixed cost of every synthesized environment and the cost of one
 * pipeline run, against the original platform's design.
 * Usage: tsx scripts/cost.ts [cdk.out] [--hours 1] [--runs-per-month 30]
 */
import { parseArgs } from 'node:util';
import { loadEnvironments } from '../lib/config';
import { readSynthesizedStacks, stacksByStage } from '../ops/cloud-assembly';
import { type CostEstimate, ORIGINAL_PLATFORM, estimate, formatComparison, formatEstimate, inventoryFromTemplates } from '../ops/cost';
import { fleetPlans } from '../ops/emr-pricing';
import { pricesFor } from '../ops/prices';
import { stageId } from '../lib/platform-stage';

const { values, positionals } = parseArgs({
  options: { hours: { type: 'string', default: '1' }, 'runs-per-month': { type: 'string', default: '30' } },
  allowPositionals: true,
});
const positive = (name: string, text: string): number => {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got '${text}'`);
  return value;
};
const runHours = positive('hours', values.hours);
const runsPerMonth = positive('runs-per-month', values['runs-per-month']);
const outdir = positionals[0] ?? 'cdk.out';

const stages = stacksByStage(readSynthesizedStacks(outdir));
const estimates: CostEstimate[] = [];
for (const config of loadEnvironments()) {
  const stacks = stages.get(stageId(config.name));
  if (!stacks) throw new Error(`no Stage '${stageId(config.name)}' in ${outdir}: run make cdk-synth first`);
  // Stacks outside the environment's region (the budget's, in us-east-1) hold nothing priced here.
  const inventory = inventoryFromTemplates(stacks.map((s) => s.template));
  estimates.push(estimate({ name: stageId(config.name), region: config.region, prices: pricesFor(config.region), inventory, fleets: fleetPlans(config.emr), runHours, runsPerMonth }));
}
const baselines = new Map(
  [...new Set(estimates.map((e) => e.region))].map((region) => [
    region,
    estimate({ name: 'Original platform', region, prices: pricesFor(region), ...ORIGINAL_PLATFORM, runHours: 1, runsPerMonth: 30 }),
  ]),
);

const sources = [...new Set(estimates.map((e) => e.prices.source))].join('; ');
console.log(`Estimated cost from the templates in ${outdir}, in USD. Prices: ${sources} (ops/prices.ts).`);
console.log('Usage (data processed, requests, storage, VPN connection-hours, Firehose, Lambda) is not included.\n');
for (const e of [...estimates, ...baselines.values()]) console.log(`${formatEstimate(e)}\n`);
console.log(formatComparison(estimates, baselines));
console.log('\nThe original platform: 2 NAT gateways, 4 interface endpoints in 2 AZs, 1 VPN association, mw1.micro, 3 on-demand m5.xlarge for 1 h a day.');
