/**
 * `make cost`: the monthly fixed cost of every synthesized environment and the cost of one
 * pipeline run, against the original platform's design.
 * Usage: tsx scripts/cost.ts [cdk.out] [--hours 1] [--runs-per-month 30] [--check-arguments]
 */
import { parseArgs } from 'node:util';
import { loadEnvironments } from '../lib/config';
import { readSynthesizedStacks, stacksByStage } from '../ops/cloud-assembly';
import { type CostEstimate, ORIGINAL_PLATFORM, estimate, formatComparison, formatEstimate, inventoryFromTemplates } from '../ops/cost';
import { fleetPlans } from '../ops/emr-pricing';
import { pricesFor } from '../ops/prices';
import { stageId } from '../lib/platform-stage';

/** A bad command line or missing input: reported as one line, without a stack trace. */
class CostUsageError extends Error {}

/** `--hours` and `--runs-per-month` from the command line (make passes HOURS and RUNS). */
export function parseCostArgs(argv: string[]): { runHours: number; runsPerMonth: number; outdir: string; checkOnly: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { hours: { type: 'string', default: '1' }, 'runs-per-month': { type: 'string', default: '30' }, 'check-arguments': { type: 'boolean', default: false } }, allowPositionals: true });
  } catch (error) {
    throw new CostUsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const hours = Number(values.hours);
  // A run longer than a month (744 h) cannot repeat monthly.
  if (values.hours.trim() === '' || !Number.isFinite(hours) || hours <= 0 || hours > 744) throw new CostUsageError(`HOURS (--hours) must be a number of hours above 0 and at most 744, e.g. 1.5; got '${values.hours}'`);
  const runs = Number(values['runs-per-month']);
  if (!/^\d+$/.test(values['runs-per-month']) || runs < 1) throw new CostUsageError(`RUNS (--runs-per-month) must be a whole number of runs a month, at least 1; got '${values['runs-per-month']}'`);
  if (positionals.length > 1) throw new CostUsageError(`one cdk.out folder at most; got ${positionals.join(' ')}`);
  return { runHours: hours, runsPerMonth: runs, outdir: positionals[0] ?? 'cdk.out', checkOnly: values['check-arguments'] };
}

function main(argv: string[]): void {
  const { runHours, runsPerMonth, outdir, checkOnly } = parseCostArgs(argv);
  // make checks the arguments before it spends minutes synthesizing.
  if (checkOnly) return;
  const stages = stacksByStage(readSynthesizedStacks(outdir));
  const estimates: CostEstimate[] = [];
  for (const config of loadEnvironments()) {
    const stacks = stages.get(stageId(config.name));
    if (!stacks) throw new CostUsageError(`no Stage '${stageId(config.name)}' in ${outdir}: run make cdk-synth first`);
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
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CostUsageError)) throw error;
    console.error(`make cost: ${error.message}`);
    process.exit(2);
  }
}
