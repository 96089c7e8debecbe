import type { Template } from './cloud-assembly';
import { type FleetPlan, type Market, unitHourPrice } from './emr-pricing';
import { HOURS_PER_MONTH, MWAA_INCLUDED_SCHEDULERS, MWAA_INCLUDED_WORKERS, type MwaaEnvironmentClass, type RegionPrices } from './prices';
import { formatTable, unitUsd, usd } from './table';

/**
 * The cost estimate behind `make cost`: what an environment costs a month while idle (counted from
 * its synthesized templates, so it prices what would be deployed, not what the config intends) and
 * what one pipeline run costs on the EMR fleets the DAGs create. Pure: templates and prices in,
 * figures out.
 */

export interface MwaaInventory {
  readonly environmentClass: MwaaEnvironmentClass;
  readonly minWorkers: number;
  readonly schedulers: number;
}

export interface KinesisInventory {
  readonly mode: 'ON_DEMAND' | 'PROVISIONED';
  readonly shards: number;
  readonly retentionHours: number;
}

export interface DynamoDbInventory {
  readonly billing: 'PAY_PER_REQUEST' | 'PROVISIONED';
  readonly readCapacityUnits: number;
  readonly writeCapacityUnits: number;
}

/** The resources that cost money by the hour or month whether or not anything runs. */
export interface FixedInventory {
  readonly natGateways: number;
  readonly publicIpv4Addresses: number;
  readonly interfaceEndpoints: number;
  /** Interface endpoints are billed per AZ (subnet) they are in. */
  readonly interfaceEndpointAzs: number;
  readonly clientVpnAssociations: number;
  readonly mwaaEnvironments: readonly MwaaInventory[];
  readonly kinesisStreams: readonly KinesisInventory[];
  readonly dynamodbTables: readonly DynamoDbInventory[];
  readonly kmsKeys: number;
  readonly secrets: number;
  readonly cloudWatchAlarms: number;
  readonly cloudWatchDashboards: number;
}

type Properties = Record<string, unknown>;
const num = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : fallback);
const obj = (value: unknown): Properties => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Properties) : {});

/** Counts the fixed-cost resources of an environment's templates. */
export function inventoryFromTemplates(templates: readonly Template[]): FixedInventory {
  const resources = templates.flatMap((t) => Object.values(t.Resources ?? {}));
  const ofType = (type: string) => resources.filter((r) => r.Type === type).map((r) => r.Properties ?? {});
  const interfaceEndpoints = ofType('AWS::EC2::VPCEndpoint').filter((p) => p.VpcEndpointType === 'Interface');
  return {
    natGateways: ofType('AWS::EC2::NatGateway').length,
    publicIpv4Addresses: ofType('AWS::EC2::EIP').length,
    interfaceEndpoints: interfaceEndpoints.length,
    // A SubnetIds that is a single token (not a list) is counted as one AZ.
    interfaceEndpointAzs: interfaceEndpoints.reduce((sum, p) => sum + (Array.isArray(p.SubnetIds) ? p.SubnetIds.length : 1), 0),
    clientVpnAssociations: ofType('AWS::EC2::ClientVpnTargetNetworkAssociation').length,
    mwaaEnvironments: ofType('AWS::MWAA::Environment').map(mwaaInventory),
    kinesisStreams: ofType('AWS::Kinesis::Stream').map((p) => {
      const mode = obj(p.StreamModeDetails).StreamMode === 'ON_DEMAND' ? 'ON_DEMAND' : 'PROVISIONED';
      return { mode, shards: mode === 'ON_DEMAND' ? 0 : num(p.ShardCount, 1), retentionHours: num(p.RetentionPeriodHours, 24) };
    }),
    dynamodbTables: [...ofType('AWS::DynamoDB::Table').map(dynamoDbTable), ...ofType('AWS::DynamoDB::GlobalTable').map(dynamoDbGlobalTable)],
    kmsKeys: ofType('AWS::KMS::Key').length,
    secrets: ofType('AWS::SecretsManager::Secret').length,
    cloudWatchAlarms: ofType('AWS::CloudWatch::Alarm').length,
    cloudWatchDashboards: ofType('AWS::CloudWatch::Dashboard').length,
  };
}

function mwaaInventory(p: Properties): MwaaInventory {
  // CloudFormation's defaults: mw1.small, one minimum worker, two schedulers.
  const environmentClass = (typeof p.EnvironmentClass === 'string' ? p.EnvironmentClass : 'mw1.small') as MwaaEnvironmentClass;
  return { environmentClass, minWorkers: num(p.MinWorkers, 1), schedulers: num(p.Schedulers, MWAA_INCLUDED_SCHEDULERS(environmentClass)) };
}

function dynamoDbTable(p: Properties): DynamoDbInventory {
  // CloudFormation's default billing mode is PROVISIONED.
  if (p.BillingMode === 'PAY_PER_REQUEST') return { billing: 'PAY_PER_REQUEST', readCapacityUnits: 0, writeCapacityUnits: 0 };
  const throughputs = [obj(p.ProvisionedThroughput), ...(Array.isArray(p.GlobalSecondaryIndexes) ? p.GlobalSecondaryIndexes.map((i) => obj(obj(i).ProvisionedThroughput)) : [])];
  return {
    billing: 'PROVISIONED',
    readCapacityUnits: throughputs.reduce((sum, t) => sum + num(t.ReadCapacityUnits, 0), 0),
    writeCapacityUnits: throughputs.reduce((sum, t) => sum + num(t.WriteCapacityUnits, 0), 0),
  };
}

function dynamoDbGlobalTable(p: Properties): DynamoDbInventory {
  const replicas = Array.isArray(p.Replicas) ? p.Replicas.map(obj) : [{}];
  if (p.BillingMode === 'PAY_PER_REQUEST') return { billing: 'PAY_PER_REQUEST', readCapacityUnits: 0, writeCapacityUnits: 0 };
  // Provisioned global tables auto-scale writes; the minimum is what is always paid, in every replica.
  const writes = num(obj(obj(p.WriteProvisionedThroughputSettings).WriteCapacityAutoScalingSettings).MinCapacity, 0);
  const reads = replicas.reduce((sum, r) => {
    const settings = obj(r.ReadProvisionedThroughputSettings);
    return sum + num(settings.ReadCapacityUnits, num(obj(settings.ReadCapacityAutoScalingSettings).MinCapacity, 0));
  }, 0);
  return { billing: 'PROVISIONED', readCapacityUnits: reads, writeCapacityUnits: writes * replicas.length };
}

export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  /** What the quantity counts, e.g. `h` (per hour, all month), `mo`, `unit-h`. */
  readonly per: string;
  readonly unitPrice: number;
  /** Monthly for fixed items, per run for pipeline items. */
  readonly amount: number;
}

const hourly = (item: string, quantity: number, unitPrice: number): CostLine => ({ item, quantity, per: 'h', unitPrice, amount: quantity * unitPrice * HOURS_PER_MONTH });
const monthly = (item: string, quantity: number, unitPrice: number): CostLine => ({ item, quantity, per: 'mo', unitPrice, amount: quantity * unitPrice });

/** Prices the inventory for a month of 730 hours. Items with nothing to count are left out. */
export function fixedCostLines(inventory: FixedInventory, prices: RegionPrices): CostLine[] {
  const lines: CostLine[] = [
    hourly('NAT gateways', inventory.natGateways, prices.natGatewayHour),
    hourly('Public IPv4 addresses (NAT Elastic IPs)', inventory.publicIpv4Addresses, prices.publicIpv4Hour),
    hourly(`Interface endpoints (${inventory.interfaceEndpoints}) x AZs`, inventory.interfaceEndpointAzs, prices.interfaceEndpointAzHour),
    hourly('Client VPN subnet associations', inventory.clientVpnAssociations, prices.clientVpnAssociationHour),
  ];
  for (const mwaa of inventory.mwaaEnvironments) {
    const c = mwaa.environmentClass;
    lines.push(
      hourly(`MWAA ${c} environment`, 1, prices.mwaa.environmentHour[c]),
      hourly(`MWAA ${c} minimum workers beyond the included one`, Math.max(0, mwaa.minWorkers - MWAA_INCLUDED_WORKERS), prices.mwaa.additionalWorkerHour[c]),
      hourly(`MWAA ${c} schedulers beyond the included ${MWAA_INCLUDED_SCHEDULERS(c)}`, Math.max(0, mwaa.schedulers - MWAA_INCLUDED_SCHEDULERS(c)), prices.mwaa.additionalSchedulerHour[c]),
    );
  }
  const streams = inventory.kinesisStreams;
  const provisioned = streams.filter((s) => s.mode === 'PROVISIONED');
  lines.push(
    hourly('Kinesis on-demand streams', streams.filter((s) => s.mode === 'ON_DEMAND').length, prices.kinesis.onDemandStreamHour),
    hourly('Kinesis provisioned shards', provisioned.reduce((sum, s) => sum + s.shards, 0), prices.kinesis.shardHour),
    hourly('Kinesis shards with retention over 24 h', provisioned.filter((s) => s.retentionHours > 24).reduce((sum, s) => sum + s.shards, 0), prices.kinesis.extendedRetentionShardHour),
  );
  const tables = inventory.dynamodbTables;
  lines.push(
    // Listed at zero so the reader sees the table was counted: on-demand tables cost per request and GB only.
    monthly('DynamoDB on-demand tables (per request only)', tables.filter((t) => t.billing === 'PAY_PER_REQUEST').length, 0),
    hourly('DynamoDB provisioned read capacity units', tables.reduce((sum, t) => sum + t.readCapacityUnits, 0), prices.dynamodb.readCapacityUnitHour),
    hourly('DynamoDB provisioned write capacity units', tables.reduce((sum, t) => sum + t.writeCapacityUnits, 0), prices.dynamodb.writeCapacityUnitHour),
    monthly('KMS customer-managed keys', inventory.kmsKeys, prices.kmsKeyMonth),
    monthly('Secrets Manager secrets', inventory.secrets, prices.secretMonth),
    monthly('CloudWatch alarms', inventory.cloudWatchAlarms, prices.cloudWatchAlarmMonth),
    monthly('CloudWatch dashboards', inventory.cloudWatchDashboards, prices.cloudWatchDashboardMonth),
  );
  return lines.filter((line) => line.quantity > 0);
}

const MARKET_LABEL: Record<Market, string> = { ON_DEMAND: 'on-demand', SPOT: 'spot' };

/** One pipeline run of `hours` on the given fleets: unit-hours x (EC2 + EMR uplift). */
export function runCostLines(fleets: readonly FleetPlan[], prices: RegionPrices, hours: number): CostLine[] {
  return fleets.map((fleet) => {
    const unitPrice = unitHourPrice(fleet.options, fleet.market, prices);
    const types = fleet.options.map((o) => o.instanceType);
    const listed = types.length > 2 ? `${types[0]} +${types.length - 1} types` : types.join('|');
    return { item: `EMR ${fleet.name} fleet, ${MARKET_LABEL[fleet.market]} (${listed})`, quantity: fleet.units * hours, per: 'unit-h', unitPrice, amount: fleet.units * hours * unitPrice };
  });
}

export interface CostEstimate {
  readonly name: string;
  readonly region: string;
  readonly prices: RegionPrices;
  readonly fixed: readonly CostLine[];
  readonly run: readonly CostLine[];
  readonly runHours: number;
  readonly runsPerMonth: number;
  readonly fixedMonthly: number;
  readonly runCost: number;
  /** Fixed costs plus `runsPerMonth` pipeline runs. */
  readonly monthlyTotal: number;
}

export interface EstimateInput {
  readonly name: string;
  readonly region: string;
  readonly prices: RegionPrices;
  readonly inventory: FixedInventory;
  readonly fleets: readonly FleetPlan[];
  /** Length of one pipeline run. @default 1 */
  readonly runHours?: number;
  /** The daily DAG: 30 runs a month. @default 30 */
  readonly runsPerMonth?: number;
}

const sum = (lines: readonly CostLine[]) => lines.reduce((total, line) => total + line.amount, 0);

export function estimate(input: EstimateInput): CostEstimate {
  const runHours = input.runHours ?? 1;
  const runsPerMonth = input.runsPerMonth ?? 30;
  const fixed = fixedCostLines(input.inventory, input.prices);
  const run = runCostLines(input.fleets, input.prices, runHours);
  const fixedMonthly = sum(fixed);
  const runCost = sum(run);
  return { name: input.name, region: input.region, prices: input.prices, fixed, run, runHours, runsPerMonth, fixedMonthly, runCost, monthlyTotal: fixedMonthly + runsPerMonth * runCost };
}

/**
 * The Terraform platform this project replaces (docs: original-platform.md), as the baseline: two
 * NAT gateways with their Elastic IPs, four interface endpoints in two AZs, one VPN association,
 * mw1.micro, and a daily cluster of three m5.xlarge. Its cluster ran on spot; the baseline prices it
 * on demand, as the issue asks, which is what it cost whenever spot capacity was short. It had no
 * KMS keys or alarms; its secrets are not known and not counted.
 */
export const ORIGINAL_PLATFORM: { readonly inventory: FixedInventory; readonly fleets: readonly FleetPlan[] } = {
  inventory: {
    natGateways: 2,
    publicIpv4Addresses: 2,
    interfaceEndpoints: 4,
    interfaceEndpointAzs: 8,
    clientVpnAssociations: 1,
    mwaaEnvironments: [{ environmentClass: 'mw1.micro', minWorkers: 1, schedulers: 1 }],
    kinesisStreams: [],
    dynamodbTables: [],
    kmsKeys: 0,
    secrets: 0,
    cloudWatchAlarms: 0,
    cloudWatchDashboards: 0,
  },
  fleets: [{ name: 'primary+core', options: [{ instanceType: 'm5.xlarge', weight: 1 }], units: 3, market: 'ON_DEMAND' }],
};

const ratio = (value: number, baseline: number) => (baseline > 0 ? `${(value / baseline).toFixed(2)}x` : 'n/a');

/** One estimate as a table: fixed items, the monthly total, one run's items and the run total. */
export function formatEstimate(e: CostEstimate): string {
  const row = (line: CostLine) => [line.item, String(Number(line.quantity.toFixed(2))), `${unitUsd(line.unitPrice)}/${line.per}`, usd(line.amount)];
  const rows = [
    ...e.fixed.map(row),
    ['Fixed per month', '', '', usd(e.fixedMonthly)],
    ...e.run.map(row),
    [`One pipeline run (${e.runHours} h)`, '', '', usd(e.runCost)],
    [`Per month with ${e.runsPerMonth} runs`, '', '', usd(e.monthlyTotal)],
  ];
  const title = `${e.name} (${e.region}, prices as of ${e.prices.asOf})`;
  return `${title}\n${formatTable(['ITEM', 'QTY', 'UNIT PRICE', 'AMOUNT'], rows, { align: ['left', 'right', 'right', 'right'], indent: '  ' })}`;
}

/** Every environment against the baseline of its region. */
export function formatComparison(estimates: readonly CostEstimate[], baselines: ReadonlyMap<string, CostEstimate>): string {
  const rows = estimates.map((e) => {
    const base = baselines.get(e.region);
    return [e.name, usd(e.fixedMonthly), usd(e.runCost), usd(e.monthlyTotal), base ? ratio(e.fixedMonthly, base.fixedMonthly) : 'n/a', base ? ratio(e.monthlyTotal, base.monthlyTotal) : 'n/a'];
  });
  for (const base of baselines.values()) rows.push([base.name, usd(base.fixedMonthly), usd(base.runCost), usd(base.monthlyTotal), '1.00x', '1.00x']);
  return formatTable(['ENVIRONMENT', 'FIXED/MONTH', 'ONE RUN', 'MONTH WITH RUNS', 'FIXED VS ORIGINAL', 'TOTAL VS ORIGINAL'], rows, { align: ['left', 'right', 'right', 'right', 'right', 'right'] });
}
