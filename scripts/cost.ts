/**
 * `make cost`: the monthly fixed cost of every synthesized environment, its usage at stated
 * assumptions and the cost of one pipeline run, against the original platform's design; writes the
 * chart docs/cost.svg.
 * Usage: tsx scripts/cost.ts [cdk.out] [--hours 1] [--runs-per-month 30] [--engineers 3] ... [--chart docs/cost.svg] [--sources] [--check-arguments]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadEnvironments } from '../lib/config';
import { stageId } from '../lib/platform-stage';
import { readSynthesizedStacks, stacksByStage } from '../ops/cloud-assembly';
import { DEFAULT_ASSUMPTIONS, type UsageAssumptions, costReport, formatComparison, formatComponents, formatEstimate } from '../ops/cost';
import { chartInputFor, costChartSvg } from '../ops/cost-chart';
import { UnpricedInstanceType, fleetPlans } from '../ops/emr-pricing';
import { priceStatusCounts, pricesFor, sourcedEntries, sourcedPricesFor } from '../ops/prices';

/** A bad command line or missing input: reported as one line, without a stack trace. */
class CostUsageError extends Error {}

/** The assumption flags: name, field, what it is (printed with the value used). */
const ASSUMPTION_FLAGS: readonly (readonly [string, keyof UsageAssumptions, string])[] = [
  ['engineers', 'engineers', 'engineers using the VPN'],
  ['vpn-hours-per-engineer', 'vpnHoursPerEngineer', 'VPN hours a month per engineer'],
  ['gb-per-day', 'gbPerDay', 'GB of events a day into the stream'],
  ['record-kb', 'recordKb', 'KB per event'],
  ['nat-gb-per-day', 'natGbPerDay', 'GB a day through NAT'],
  ['endpoint-gb-per-day', 'endpointGbPerDay', 'GB a day through interface endpoints'],
  ['flow-log-gb-per-day', 'flowLogGbPerDay', 'GB of flow logs a day'],
  ['mwaa-log-gb-per-day', 'mwaaLogGbPerDay', 'GB of MWAA logs a day, all five types at INFO'],
  ['dynamodb-gb', 'dynamodbGb', 'GB in the views table'],
  ['kms-requests-per-day', 'kmsRequestsPerDay', 'KMS requests a day'],
  ['athena-tb-per-month', 'athenaTbPerMonth', 'TB Athena scans a month'],
  ['emr-ebs-gb-per-node', 'emrEbsGbPerNode', 'GB EBS per EMR node'],
];

export interface CostArgs {
  readonly runHours: number;
  readonly runsPerMonth: number;
  readonly assumptions: UsageAssumptions;
  readonly outdir: string;
  readonly chart?: string;
  readonly sources: boolean;
  readonly checkOnly: boolean;
}

/** The command line (make passes HOURS, RUNS and COST_FLAGS); every bad value is listed at once. */
export function parseCostArgs(argv: string[]): CostArgs {
  const assumptionOptions = Object.fromEntries(ASSUMPTION_FLAGS.map(([flag, field]) => [flag, { type: 'string' as const, default: String(DEFAULT_ASSUMPTIONS[field]) }]));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        hours: { type: 'string', default: '1' },
        'runs-per-month': { type: 'string', default: '30' },
        chart: { type: 'string' },
        sources: { type: 'boolean', default: false },
        'check-arguments': { type: 'boolean', default: false },
        ...assumptionOptions,
      },
      allowPositionals: true,
    });
  } catch (error) {
    throw new CostUsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const text = (name: string) => String((values as Record<string, unknown>)[name]);
  const problems: string[] = [];
  const hours = Number(values.hours);
  // A run longer than a month (744 h) cannot repeat monthly.
  if (values.hours.trim() === '' || !Number.isFinite(hours) || hours <= 0 || hours > 744) problems.push(`HOURS (--hours) must be a number of hours above 0 and at most 744, e.g. 1.5; got '${values.hours}'`);
  const runs = Number(values['runs-per-month']);
  if (!/^\d+$/.test(values['runs-per-month']) || runs < 1) problems.push(`RUNS (--runs-per-month) must be a whole number of runs a month, at least 1; got '${values['runs-per-month']}'`);
  const assumptions: Record<string, number> = {};
  for (const [flag, field] of ASSUMPTION_FLAGS) {
    const value = Number(text(flag));
    const wholeOnly = field === 'engineers';
    const positive = field === 'recordKb';
    if (text(flag).trim() === '' || !Number.isFinite(value) || value < 0 || (positive && value === 0) || (wholeOnly && !Number.isInteger(value))) {
      problems.push(`--${flag} must be ${wholeOnly ? 'a whole number' : positive ? 'a number above 0' : 'a number, 0 or more'}; got '${text(flag)}'`);
    }
    assumptions[field] = value;
  }
  if (assumptions.vpnHoursPerEngineer > 744) problems.push(`--vpn-hours-per-engineer is hours a month, at most 744; got '${text('vpn-hours-per-engineer')}'`);
  if (positionals.length > 1) problems.push(`one cdk.out folder at most; got ${positionals.join(' ')}`);
  if (problems.length > 0) throw new CostUsageError(problems.join('\n  '));
  return {
    runHours: hours,
    runsPerMonth: runs,
    assumptions: assumptions as unknown as UsageAssumptions,
    outdir: positionals[0] ?? 'cdk.out',
    chart: values.chart,
    sources: values.sources,
    checkOnly: values['check-arguments'],
  };
}

/** The price sources of a region: counts, the sourced ones, and (with `all`) the unverified ones. */
export function formatSources(region: string, all: boolean): string {
  const entries = sourcedEntries(sourcedPricesFor(region));
  const counts = priceStatusCounts(region);
  const lines = [
    `Price sources for ${region} (ops/prices.ts): ${counts.verified} verified on an AWS page, ${counts.secondary} from a secondary source quoting the region's value, ${counts.unverified} unverified of ${entries.length}.`,
  ];
  for (const e of entries.filter((x) => all || x.status !== 'unverified')) lines.push(`  [${e.status}] ${e.path} = ${e.path === 'spotFactor' ? e.usd : `$${e.usd}`} (read ${e.read}): ${e.source}`);
  if (!all) lines.push(`  Unverified (${counts.unverified}): ${entries.filter((x) => x.status === 'unverified').map((x) => x.path).join(', ')}. List with their bases: make cost COST_FLAGS=--sources`);
  return lines.join('\n');
}

function main(argv: string[]): void {
  const args = parseCostArgs(argv);
  // make checks the arguments before it spends minutes synthesizing.
  if (args.checkOnly) return;
  const stages = stacksByStage(readSynthesizedStacks(args.outdir));
  const environments = loadEnvironments().map((config) => {
    const stacks = stages.get(stageId(config.name));
    if (!stacks) throw new CostUsageError(`no Stage '${stageId(config.name)}' in ${args.outdir}: run make cdk-synth first`);
    // Stacks outside the environment's region (the budget's, in us-east-1) hold nothing priced here.
    return { name: stageId(config.name), region: config.region, templates: stacks.map((s) => s.template), fleets: fleetPlans(config.emr) };
  });
  let report;
  try {
    report = costReport(environments, { prices: pricesFor, assumptions: args.assumptions, runHours: args.runHours, runsPerMonth: args.runsPerMonth });
  } catch (error) {
    if (error instanceof UnpricedInstanceType) throw new CostUsageError(error.message);
    throw error;
  }
  const { estimates, baselines } = report;

  console.log(`Estimated cost from the templates in ${args.outdir}, in USD a month of 730 hours (ops/prices.ts).`);
  console.log('Usage is priced at these assumptions (flags of scripts/cost.ts; make cost COST_FLAGS="--engineers 5 ..."):');
  for (const [flag, field, what] of ASSUMPTION_FLAGS) console.log(`  --${flag}=${args.assumptions[field]}  ${what}`);
  console.log('');
  for (const e of [...estimates, ...baselines.values()]) console.log(`${formatEstimate(e)}\n`);
  console.log(formatComponents([...estimates, ...baselines.values()]));
  console.log('');
  console.log(formatComparison(estimates, baselines));
  console.log('\nThe original platform: 2 NAT gateways, 4 interface endpoints in 2 AZs, 1 VPN association, mw1.micro, 3 on-demand m5.xlarge for 1 h a day.');
  console.log('Targets are for fixed cost (issue 16): dev at most 0.6x the original, staging at most 1.0x.\n');
  for (const region of baselines.keys()) console.log(formatSources(region, args.sources));
  if (args.chart) {
    const [region, baseline] = [...baselines.entries()][0];
    writeFileSync(args.chart, costChartSvg(chartInputFor(estimates.filter((e) => e.region === region), baseline)));
    console.log(`\nChart: ${args.chart}`);
  }
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
