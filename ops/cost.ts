import type { Template } from './cloud-assembly';
import { type FleetPlan, type Market, UnpricedInstanceType, unitHourPrice } from './emr-pricing';
import { HOURS_PER_MONTH, MWAA_INCLUDED_SCHEDULERS, MWAA_INCLUDED_WORKERS, type MwaaEnvironmentClass, type RegionPrices } from './prices';
import { formatTable, unitUsd, usd } from './table';

/**
 * The cost estimate behind `make cost`: what an environment costs a month while idle (counted from
 * its synthesized templates, so it prices what would be deployed, not what the config intends),
 * what it costs in use at stated assumptions, and what one pipeline run costs on the EMR fleets the
 * DAGs create. Pure: templates, prices and assumptions in, figures out.
 */

export interface MwaaInventory {
  readonly environmentClass: MwaaEnvironmentClass;
  readonly minWorkers: number;
  readonly schedulers: number;
  /** Log types sent to CloudWatch, weighted by level: 1 at DEBUG or INFO, 0.1 at WARNING and above. */
  readonly logWeight: number;
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
  /** Point-in-time recovery on (in any replica). */
  readonly pitr: boolean;
}

export interface Ec2Inventory {
  readonly instanceType: string;
  readonly publicIpv4: boolean;
  /** EBS volumes of the instance, GB. */
  readonly volumeGb: number;
  /** Detailed (1-minute) monitoring: billed as custom metrics. */
  readonly detailedMonitoring: boolean;
}

/** The resources of an environment that cost money, idle or in use. */
export interface Inventory {
  readonly natGateways: number;
  /** Elastic IPs and instances with a public IPv4 address. */
  readonly publicIpv4Addresses: number;
  /** Instances such as a NAT instance. */
  readonly ec2Instances: readonly Ec2Inventory[];
  readonly interfaceEndpoints: number;
  /** Interface endpoints are billed per AZ (subnet) they are in. */
  readonly interfaceEndpointAzs: number;
  readonly clientVpnEndpoints: number;
  readonly clientVpnAssociations: number;
  readonly mwaaEnvironments: readonly MwaaInventory[];
  readonly kinesisStreams: readonly KinesisInventory[];
  /** Readers of the streams (Lambda event source mappings, Firehose): on-demand streams bill each GB read. */
  readonly streamConsumers: number;
  readonly firehoseStreams: number;
  readonly dynamodbTables: readonly DynamoDbInventory[];
  readonly athenaWorkGroups: number;
  /** VPC flow logs delivered to CloudWatch Logs. */
  readonly flowLogsToCloudWatch: number;
  readonly kmsKeys: number;
  readonly secrets: number;
  readonly cloudWatchAlarms: number;
  readonly cloudWatchDashboards: number;
}

type Properties = Record<string, unknown>;
const num = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : fallback);
const obj = (value: unknown): Properties => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Properties) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** An EC2 instance's root volume when its template gives no size: the Amazon Linux 2023 AMI's 8 GB. */
export const DEFAULT_ROOT_VOLUME_GB = 8;
/** EC2 detailed monitoring publishes 7 metrics per instance at 1-minute resolution, each billed as a custom metric. */
export const DETAILED_MONITORING_METRICS = 7;

/** Counts what costs money in an environment's templates. */
export function inventoryFromTemplates(templates: readonly Template[]): Inventory {
  const resources = templates.flatMap((t) => Object.values(t.Resources ?? {}));
  const ofType = (type: string) => resources.filter((r) => r.Type === type).map((r) => r.Properties ?? {});
  const interfaceEndpoints = ofType('AWS::EC2::VPCEndpoint').filter((p) => p.VpcEndpointType === 'Interface');
  const ec2Instances = templates.flatMap((t) => Object.values(t.Resources ?? {}).filter((r) => r.Type === 'AWS::EC2::Instance').map((r) => ec2Inventory(r.Properties ?? {}, t)));
  return {
    natGateways: ofType('AWS::EC2::NatGateway').length,
    publicIpv4Addresses: ofType('AWS::EC2::EIP').length + ec2Instances.filter((i) => i.publicIpv4).length,
    ec2Instances,
    interfaceEndpoints: interfaceEndpoints.length,
    // A SubnetIds that is a single token (not a list) is counted as one AZ.
    interfaceEndpointAzs: interfaceEndpoints.reduce((sum, p) => sum + (Array.isArray(p.SubnetIds) ? p.SubnetIds.length : 1), 0),
    clientVpnEndpoints: ofType('AWS::EC2::ClientVpnEndpoint').length,
    clientVpnAssociations: ofType('AWS::EC2::ClientVpnTargetNetworkAssociation').length,
    mwaaEnvironments: ofType('AWS::MWAA::Environment').map(mwaaInventory),
    kinesisStreams: ofType('AWS::Kinesis::Stream').map((p) => {
      const mode = obj(p.StreamModeDetails).StreamMode === 'ON_DEMAND' ? 'ON_DEMAND' : 'PROVISIONED';
      return { mode, shards: mode === 'ON_DEMAND' ? 0 : num(p.ShardCount, 1), retentionHours: num(p.RetentionPeriodHours, 24) };
    }),
    streamConsumers: templates.reduce((sum, t) => sum + streamConsumers(t), 0),
    firehoseStreams: ofType('AWS::KinesisFirehose::DeliveryStream').length,
    dynamodbTables: [...ofType('AWS::DynamoDB::Table').map(dynamoDbTable), ...ofType('AWS::DynamoDB::GlobalTable').map(dynamoDbGlobalTable)],
    athenaWorkGroups: ofType('AWS::Athena::WorkGroup').length,
    // CloudFormation's default destination is CloudWatch Logs.
    flowLogsToCloudWatch: ofType('AWS::EC2::FlowLog').filter((p) => (p.LogDestinationType ?? 'cloud-watch-logs') === 'cloud-watch-logs').length,
    kmsKeys: ofType('AWS::KMS::Key').length,
    secrets: ofType('AWS::SecretsManager::Secret').length,
    cloudWatchAlarms: ofType('AWS::CloudWatch::Alarm').length,
    cloudWatchDashboards: ofType('AWS::CloudWatch::Dashboard').length,
  };
}

function ec2Inventory(p: Properties, template: Template): Ec2Inventory {
  const instanceType = typeof p.InstanceType === 'string' ? p.InstanceType : 'm1.small';
  // A public address comes from the network interface's flag or from a subnet that maps one on launch.
  const interfaces = list(p.NetworkInterfaces).map(obj);
  const subnetRefs = [p.SubnetId, ...interfaces.map((i) => i.SubnetId)].map((s) => obj(s).Ref).filter((r): r is string => typeof r === 'string');
  const publicSubnet = subnetRefs.some((ref) => obj(template.Resources?.[ref]?.Properties).MapPublicIpOnLaunch === true);
  const explicit = interfaces.find((i) => typeof i.AssociatePublicIpAddress === 'boolean')?.AssociatePublicIpAddress as boolean | undefined;
  // A mapping without a size (e.g. only encrypting the root volume) keeps the AMI's size.
  const volumes = list(p.BlockDeviceMappings)
    .map((m) => obj(m))
    .filter((m) => m.Ebs !== undefined)
    .map((m) => num(obj(m.Ebs).VolumeSize, DEFAULT_ROOT_VOLUME_GB));
  return {
    instanceType,
    publicIpv4: explicit ?? publicSubnet,
    volumeGb: volumes.length > 0 ? volumes.reduce((a, b) => a + b, 0) : DEFAULT_ROOT_VOLUME_GB,
    detailedMonitoring: p.Monitoring === true,
  };
}

/** Firehose streams fed by Kinesis, and event source mappings whose source is a stream of the template. */
function streamConsumers(template: Template): number {
  const resources = Object.values(template.Resources ?? {});
  const isStream = (arn: unknown) => {
    const target = list(obj(arn)['Fn::GetAtt'])[0];
    return typeof target === 'string' && template.Resources?.[target]?.Type === 'AWS::Kinesis::Stream';
  };
  return (
    resources.filter((r) => r.Type === 'AWS::KinesisFirehose::DeliveryStream' && r.Properties?.KinesisStreamSourceConfiguration !== undefined).length +
    resources.filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping' && isStream(r.Properties?.EventSourceArn)).length
  );
}

const MWAA_LOG_TYPES = ['DagProcessingLogs', 'SchedulerLogs', 'TaskLogs', 'WebserverLogs', 'WorkerLogs'];

function mwaaInventory(p: Properties): MwaaInventory {
  // CloudFormation's defaults: mw1.small, one minimum worker, two schedulers.
  const environmentClass = (typeof p.EnvironmentClass === 'string' ? p.EnvironmentClass : 'mw1.small') as MwaaEnvironmentClass;
  const logging = obj(p.LoggingConfiguration);
  const logWeight = MWAA_LOG_TYPES.map((type) => obj(logging[type]))
    .filter((l) => l.Enabled === true)
    .reduce((sum, l) => sum + (l.LogLevel === 'INFO' || l.LogLevel === 'DEBUG' ? 1 : 0.1), 0);
  return { environmentClass, minWorkers: num(p.MinWorkers, 1), schedulers: num(p.Schedulers, MWAA_INCLUDED_SCHEDULERS(environmentClass)), logWeight };
}

function dynamoDbTable(p: Properties): DynamoDbInventory {
  const pitr = obj(p.PointInTimeRecoverySpecification).PointInTimeRecoveryEnabled === true;
  // CloudFormation's default billing mode is PROVISIONED.
  if (p.BillingMode === 'PAY_PER_REQUEST') return { billing: 'PAY_PER_REQUEST', readCapacityUnits: 0, writeCapacityUnits: 0, pitr };
  const throughputs = [obj(p.ProvisionedThroughput), ...list(p.GlobalSecondaryIndexes).map((i) => obj(obj(i).ProvisionedThroughput))];
  return {
    billing: 'PROVISIONED',
    readCapacityUnits: throughputs.reduce((sum, t) => sum + num(t.ReadCapacityUnits, 0), 0),
    writeCapacityUnits: throughputs.reduce((sum, t) => sum + num(t.WriteCapacityUnits, 0), 0),
    pitr,
  };
}

function dynamoDbGlobalTable(p: Properties): DynamoDbInventory {
  const replicas = Array.isArray(p.Replicas) ? p.Replicas.map(obj) : [{}];
  const pitr = replicas.some((r) => obj(r.PointInTimeRecoverySpecification).PointInTimeRecoveryEnabled === true);
  if (p.BillingMode === 'PAY_PER_REQUEST') return { billing: 'PAY_PER_REQUEST', readCapacityUnits: 0, writeCapacityUnits: 0, pitr };
  // Provisioned global tables auto-scale writes; the minimum is what is always paid, in every replica.
  const writes = num(obj(obj(p.WriteProvisionedThroughputSettings).WriteCapacityAutoScalingSettings).MinCapacity, 0);
  const reads = replicas.reduce((sum, r) => {
    const settings = obj(r.ReadProvisionedThroughputSettings);
    return sum + num(settings.ReadCapacityUnits, num(obj(settings.ReadCapacityAutoScalingSettings).MinCapacity, 0));
  }, 0);
  return { billing: 'PROVISIONED', readCapacityUnits: reads, writeCapacityUnits: writes * replicas.length, pitr };
}

/** What a line belongs to, for the chart and the per-component totals. */
export const COMPONENTS = ['NAT', 'Interface endpoints', 'Client VPN', 'MWAA', 'Streaming', 'Keys, secrets, monitoring', 'Logs', 'Queries', 'EMR'] as const;
export type Component = (typeof COMPONENTS)[number];

export interface CostLine {
  readonly component: Component;
  readonly item: string;
  readonly quantity: number;
  /** What the quantity counts, e.g. `h` (per hour, all month), `mo`, `GB`, `unit-h`. */
  readonly per: string;
  readonly unitPrice: number;
  /** Monthly for fixed and usage items, per run for pipeline items. */
  readonly amount: number;
}

const hourly = (component: Component, item: string, quantity: number, unitPrice: number): CostLine => ({ component, item, quantity, per: 'h', unitPrice, amount: quantity * unitPrice * HOURS_PER_MONTH });
const monthly = (component: Component, item: string, quantity: number, unitPrice: number): CostLine => ({ component, item, quantity, per: 'mo', unitPrice, amount: quantity * unitPrice });
const used = (component: Component, item: string, quantity: number, per: string, unitPrice: number): CostLine => ({ component, item, quantity, per, unitPrice, amount: quantity * unitPrice });

function ec2HourPrice(instanceType: string, prices: RegionPrices): number {
  const price = prices.ec2Hour[instanceType];
  if (price === undefined) throw new UnpricedInstanceType(instanceType, `no EC2 price for instance type '${instanceType}' in ${prices.region}: add it to ec2Hour in ops/prices.ts, with its source`);
  return price;
}

/** Prices what runs all month, idle or not, for 730 hours. Items with nothing to count are left out. */
export function fixedCostLines(inventory: Inventory, prices: RegionPrices): CostLine[] {
  const lines: CostLine[] = [
    hourly('NAT', 'NAT gateways', inventory.natGateways, prices.natGatewayHour),
    ...[...new Set(inventory.ec2Instances.map((i) => i.instanceType))].sort().map((type) =>
      hourly('NAT', `EC2 ${type} instances (NAT)`, inventory.ec2Instances.filter((i) => i.instanceType === type).length, ec2HourPrice(type, prices)),
    ),
    monthly('NAT', 'EBS gp3 of EC2 instances (GB)', inventory.ec2Instances.reduce((sum, i) => sum + i.volumeGb, 0), prices.ebsGp3GbMonth),
    monthly('NAT', 'EC2 detailed monitoring (metrics)', inventory.ec2Instances.filter((i) => i.detailedMonitoring).length * DETAILED_MONITORING_METRICS, prices.cloudWatchMetricMonth),
    hourly('NAT', 'Public IPv4 addresses', inventory.publicIpv4Addresses, prices.publicIpv4Hour),
    hourly('Interface endpoints', `Interface endpoints (${inventory.interfaceEndpoints}) x AZs`, inventory.interfaceEndpointAzs, prices.interfaceEndpointAzHour),
    hourly('Client VPN', 'Client VPN subnet associations', inventory.clientVpnAssociations, prices.clientVpnAssociationHour),
  ];
  for (const mwaa of inventory.mwaaEnvironments) {
    const c = mwaa.environmentClass;
    lines.push(
      hourly('MWAA', `MWAA ${c} environment`, 1, prices.mwaa.environmentHour[c]),
      hourly('MWAA', `MWAA ${c} minimum workers beyond the included one`, Math.max(0, mwaa.minWorkers - MWAA_INCLUDED_WORKERS), prices.mwaa.additionalWorkerHour[c]),
      hourly('MWAA', `MWAA ${c} schedulers beyond the included ${MWAA_INCLUDED_SCHEDULERS(c)}`, Math.max(0, mwaa.schedulers - MWAA_INCLUDED_SCHEDULERS(c)), prices.mwaa.additionalSchedulerHour[c]),
    );
  }
  const streams = inventory.kinesisStreams;
  const provisioned = streams.filter((s) => s.mode === 'PROVISIONED');
  lines.push(
    hourly('Streaming', 'Kinesis on-demand streams', streams.filter((s) => s.mode === 'ON_DEMAND').length, prices.kinesis.onDemandStreamHour),
    hourly('Streaming', 'Kinesis provisioned shards', provisioned.reduce((sum, s) => sum + s.shards, 0), prices.kinesis.shardHour),
    hourly('Streaming', 'Kinesis shards with retention over 24 h', provisioned.filter((s) => s.retentionHours > 24).reduce((sum, s) => sum + s.shards, 0), prices.kinesis.extendedRetentionShardHour),
  );
  const tables = inventory.dynamodbTables;
  lines.push(
    hourly('Streaming', 'DynamoDB provisioned read capacity units', tables.reduce((sum, t) => sum + t.readCapacityUnits, 0), prices.dynamodb.readCapacityUnitHour),
    hourly('Streaming', 'DynamoDB provisioned write capacity units', tables.reduce((sum, t) => sum + t.writeCapacityUnits, 0), prices.dynamodb.writeCapacityUnitHour),
    monthly('Keys, secrets, monitoring', 'KMS customer-managed keys', inventory.kmsKeys, prices.kmsKeyMonth),
    monthly('Keys, secrets, monitoring', 'Secrets Manager secrets', inventory.secrets, prices.secretMonth),
    monthly('Keys, secrets, monitoring', 'CloudWatch alarms', inventory.cloudWatchAlarms, prices.cloudWatchAlarmMonth),
    monthly('Keys, secrets, monitoring', 'CloudWatch dashboards', inventory.cloudWatchDashboards, prices.cloudWatchDashboardMonth),
  );
  return lines.filter((line) => line.quantity > 0);
}

/** What usage is priced at: `make cost` takes each as a flag and prints the values it used. */
export interface UsageAssumptions {
  /** Engineers who use the VPN. */
  readonly engineers: number;
  /** Hours a month each engineer is connected (168: working hours). */
  readonly vpnHoursPerEngineer: number;
  /** Events written to the stream, GB a day. */
  readonly gbPerDay: number;
  /** Mean event size, KB (Kinesis and Firehose round each record up). */
  readonly recordKb: number;
  /** Traffic through NAT (package installs, AWS APIs without an endpoint), GB a day. */
  readonly natGbPerDay: number;
  /** Traffic through interface endpoints, GB a day. */
  readonly endpointGbPerDay: number;
  /** VPC flow-log volume, GB a day. */
  readonly flowLogGbPerDay: number;
  /** MWAA log volume with all five log types at INFO, GB a day. */
  readonly mwaaLogGbPerDay: number;
  /** Size of the views table, GB (storage and point-in-time recovery). */
  readonly dynamodbGb: number;
  /** KMS requests a day (S3 bucket keys keep these low). */
  readonly kmsRequestsPerDay: number;
  /** Athena scans, TB a month. */
  readonly athenaTbPerMonth: number;
  /** EBS per EMR node, GB: EMR's 15 GB root volume plus its default 32 GB data volume for xlarge types. */
  readonly emrEbsGbPerNode: number;
}

export const DEFAULT_ASSUMPTIONS: UsageAssumptions = {
  engineers: 3,
  vpnHoursPerEngineer: 168,
  gbPerDay: 1,
  recordKb: 1,
  natGbPerDay: 1,
  endpointGbPerDay: 1,
  flowLogGbPerDay: 0.5,
  mwaaLogGbPerDay: 0.5,
  dynamodbGb: 1,
  kmsRequestsPerDay: 20_000,
  athenaTbPerMonth: 0.1,
  emrEbsGbPerNode: 47,
};

/** AWS's 730-hour month in days. */
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
const KB_PER_GB = 1024 * 1024;

/** A pipeline's runs in a month, for the usage that scales with them (EBS on EMR nodes). */
export interface RunSchedule {
  readonly fleets: readonly FleetPlan[];
  readonly runHours: number;
  readonly runsPerMonth: number;
}

/**
 * What an environment costs a month in use, at the assumptions. Only what its inventory has is
 * priced: no NAT gateway, no NAT data charge; no associations, the VPN is associated on demand.
 */
export function usageCostLines(inventory: Inventory, prices: RegionPrices, a: UsageAssumptions, runs: RunSchedule): CostLine[] {
  const vpnHours = a.engineers * a.vpnHoursPerEngineer;
  const eventsPerMonth = (a.gbPerDay * KB_PER_GB * DAYS_PER_MONTH) / a.recordKb;
  const streams = inventory.kinesisStreams;
  const lines: CostLine[] = [];
  if (inventory.clientVpnEndpoints > 0) {
    lines.push(used('Client VPN', `Client VPN connection-hours (${a.engineers} engineers x ${a.vpnHoursPerEngineer} h)`, vpnHours, 'h', prices.clientVpnConnectionHour));
    // On demand, one subnet is associated while anyone is connected: at most every engineer's hours, none overlapping.
    if (inventory.clientVpnAssociations === 0) {
      lines.push(used('Client VPN', 'Client VPN association on demand (1 subnet, no overlap)', Math.min(HOURS_PER_MONTH, vpnHours), 'h', prices.clientVpnAssociationHour));
    }
  }
  if (inventory.natGateways > 0) lines.push(used('NAT', `NAT gateway data processed (${a.natGbPerDay} GB/day)`, a.natGbPerDay * DAYS_PER_MONTH, 'GB', prices.natGatewayGb));
  if (inventory.interfaceEndpoints > 0) lines.push(used('Interface endpoints', `Interface endpoint data processed (${a.endpointGbPerDay} GB/day)`, a.endpointGbPerDay * DAYS_PER_MONTH, 'GB', prices.interfaceEndpointGb));
  if (inventory.flowLogsToCloudWatch > 0) {
    lines.push(used('Logs', `VPC flow logs to CloudWatch (${a.flowLogGbPerDay} GB/day each)`, inventory.flowLogsToCloudWatch * a.flowLogGbPerDay * DAYS_PER_MONTH, 'GB', prices.logsIngestionGb));
  }
  const mwaaLogWeight = inventory.mwaaEnvironments.reduce((sum, m) => sum + m.logWeight, 0);
  if (mwaaLogWeight > 0) {
    lines.push(used('Logs', `MWAA logs (${a.mwaaLogGbPerDay} GB/day at INFO x ${mwaaLogWeight}/5 log types)`, (mwaaLogWeight / MWAA_LOG_TYPES.length) * a.mwaaLogGbPerDay * DAYS_PER_MONTH, 'GB', prices.logsIngestionGb));
  }
  if (streams.some((s) => s.mode === 'ON_DEMAND')) {
    // On demand, each record is billed rounded up to the next KB, in and again per reader.
    const billedGb = (eventsPerMonth * Math.ceil(a.recordKb)) / KB_PER_GB;
    lines.push(used('Streaming', `Kinesis on-demand data in (${a.gbPerDay} GB/day, records rounded up to 1 KB)`, billedGb, 'GB', prices.kinesis.onDemandIngestGb));
    if (inventory.streamConsumers > 0) lines.push(used('Streaming', `Kinesis on-demand data read (${inventory.streamConsumers} readers)`, inventory.streamConsumers * billedGb, 'GB', prices.kinesis.onDemandRetrievalGb));
  }
  if (streams.some((s) => s.mode === 'PROVISIONED')) {
    // A PUT payload unit is 25 KB, each record rounded up.
    lines.push(used('Streaming', `Kinesis PUT payload units (${a.recordKb} KB records), millions`, (eventsPerMonth * Math.ceil(a.recordKb / 25)) / 1e6, 'M', prices.kinesis.putPayloadUnitsMillion));
  }
  if (inventory.firehoseStreams > 0) {
    // Firehose bills each record as a multiple of 5 KB: a 1 KB event is billed as 5 KB.
    const billedGb = (eventsPerMonth * Math.ceil(a.recordKb / 5) * 5) / KB_PER_GB;
    lines.push(used('Streaming', `Firehose ingestion, ${a.recordKb} KB records billed as ${Math.ceil(a.recordKb / 5) * 5} KB`, inventory.firehoseStreams * billedGb, 'GB', prices.firehoseIngestGb));
  }
  const onDemandTables = inventory.dynamodbTables.filter((t) => t.billing === 'PAY_PER_REQUEST').length;
  if (onDemandTables > 0) lines.push(used('Streaming', 'DynamoDB on-demand writes (one per event), millions', eventsPerMonth / 1e6, 'M', prices.dynamodb.onDemandWritesMillion));
  if (inventory.dynamodbTables.length > 0) lines.push(used('Streaming', `DynamoDB storage (${a.dynamodbGb} GB a table)`, inventory.dynamodbTables.length * a.dynamodbGb, 'GB-mo', prices.dynamodb.storageGbMonth));
  const pitrTables = inventory.dynamodbTables.filter((t) => t.pitr).length;
  if (pitrTables > 0) lines.push(used('Streaming', `DynamoDB point-in-time recovery (${pitrTables} tables x ${a.dynamodbGb} GB)`, pitrTables * a.dynamodbGb, 'GB-mo', prices.dynamodb.pitrGbMonth));
  if (inventory.kmsKeys > 0) lines.push(used('Keys, secrets, monitoring', `KMS requests (${a.kmsRequestsPerDay}/day), 10,000s`, (a.kmsRequestsPerDay * DAYS_PER_MONTH) / 10_000, '10k', prices.kmsRequests10k));
  if (inventory.athenaWorkGroups > 0) lines.push(used('Queries', 'Athena scans', a.athenaTbPerMonth, 'TB', prices.athenaTbScanned));
  // Nodes per run: capacity units over the mean weight of the fleet's types.
  const nodes = runs.fleets.reduce((sum, f) => sum + f.units / (f.options.reduce((w, o) => w + Math.max(o.weight, 1), 0) / f.options.length), 0);
  if (nodes > 0) {
    const gbMonths = (nodes * a.emrEbsGbPerNode * runs.runHours * runs.runsPerMonth) / HOURS_PER_MONTH;
    lines.push(used('EMR', `EBS gp3 on EMR nodes (${Number(nodes.toFixed(2))} nodes x ${a.emrEbsGbPerNode} GB x ${runs.runsPerMonth} runs of ${runs.runHours} h)`, gbMonths, 'GB-mo', prices.ebsGp3GbMonth));
  }
  return lines;
}

const MARKET_LABEL: Record<Market, string> = { ON_DEMAND: 'on-demand', SPOT: 'spot' };

/** One pipeline run of `hours` on the given fleets: unit-hours x (EC2 + EMR uplift). */
export function runCostLines(fleets: readonly FleetPlan[], prices: RegionPrices, hours: number): CostLine[] {
  return fleets.map((fleet) => {
    const unitPrice = unitHourPrice(fleet.options, fleet.market, prices);
    const types = fleet.options.map((o) => o.instanceType);
    const listed = types.length > 2 ? `${types[0]} +${types.length - 1} types` : types.join('|');
    return { component: 'EMR', item: `EMR ${fleet.name} fleet, ${MARKET_LABEL[fleet.market]} (${listed})`, quantity: fleet.units * hours, per: 'unit-h', unitPrice, amount: fleet.units * hours * unitPrice };
  });
}

export interface CostEstimate {
  readonly name: string;
  readonly region: string;
  readonly prices: RegionPrices;
  readonly fixed: readonly CostLine[];
  readonly usage: readonly CostLine[];
  readonly run: readonly CostLine[];
  readonly runHours: number;
  readonly runsPerMonth: number;
  readonly fixedMonthly: number;
  readonly usageMonthly: number;
  readonly runCost: number;
  /** Fixed costs, usage and `runsPerMonth` pipeline runs. */
  readonly monthlyTotal: number;
}

export interface EstimateInput {
  readonly name: string;
  readonly region: string;
  readonly prices: RegionPrices;
  readonly inventory: Inventory;
  readonly fleets: readonly FleetPlan[];
  /** @default DEFAULT_ASSUMPTIONS */
  readonly assumptions?: UsageAssumptions;
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
  const usage = usageCostLines(input.inventory, input.prices, input.assumptions ?? DEFAULT_ASSUMPTIONS, { fleets: input.fleets, runHours, runsPerMonth });
  const fixedMonthly = sum(fixed);
  const usageMonthly = sum(usage);
  const runCost = sum(run);
  return { name: input.name, region: input.region, prices: input.prices, fixed, usage, run, runHours, runsPerMonth, fixedMonthly, usageMonthly, runCost, monthlyTotal: fixedMonthly + usageMonthly + runsPerMonth * runCost };
}

/** Fixed monthly cost by component, in COMPONENTS order, components with nothing left out. */
export function fixedByComponent(e: CostEstimate): { readonly component: Component; readonly amount: number }[] {
  return COMPONENTS.map((component) => ({ component, amount: sum(e.fixed.filter((l) => l.component === component)) })).filter((c) => c.amount > 0);
}

/**
 * The Terraform platform this project replaces, as the baseline, in the same inventory the
 * templates give: two NAT gateways with their Elastic IPs, four interface endpoints in two AZs,
 * one Client VPN endpoint with one association, mw1.micro with all five log types at INFO, and a
 * daily cluster of three m5.xlarge. Its cluster ran on spot; the baseline prices it on demand,
 * which is what it cost whenever spot capacity was short. It had no KMS keys, alarms, flow logs,
 * stream or views table; its secrets are not known and not counted.
 */
export const ORIGINAL_PLATFORM: { readonly inventory: Inventory; readonly fleets: readonly FleetPlan[] } = {
  inventory: {
    natGateways: 2,
    publicIpv4Addresses: 2,
    ec2Instances: [],
    interfaceEndpoints: 4,
    interfaceEndpointAzs: 8,
    clientVpnEndpoints: 1,
    clientVpnAssociations: 1,
    mwaaEnvironments: [{ environmentClass: 'mw1.micro', minWorkers: 1, schedulers: 1, logWeight: 5 }],
    kinesisStreams: [],
    streamConsumers: 0,
    firehoseStreams: 0,
    dynamodbTables: [],
    athenaWorkGroups: 0,
    flowLogsToCloudWatch: 0,
    kmsKeys: 0,
    secrets: 0,
    cloudWatchAlarms: 0,
    cloudWatchDashboards: 0,
  },
  fleets: [{ name: 'primary+core', options: [{ instanceType: 'm5.xlarge', weight: 1 }], units: 3, market: 'ON_DEMAND' }],
};

/** The targets for fixed cost against the original: dev at most 0.6x, staging at most 1x. */
export const FIXED_COST_TARGETS: Readonly<Record<string, number>> = { dev: 0.6, staging: 1.0 };

const ratio = (value: number, baseline: number) => (baseline > 0 ? `${(value / baseline).toFixed(2)}x` : 'n/a');
const quantity = (q: number) => String(Number(q.toFixed(2)));

/** One estimate as a table: fixed items, usage items, one run's items, and the totals. */
export function formatEstimate(e: CostEstimate): string {
  const row = (line: CostLine) => [line.item, quantity(line.quantity), `${unitUsd(line.unitPrice)}/${line.per}`, usd(line.amount)];
  const rows = [
    ...e.fixed.map(row),
    ['Fixed per month', '', '', usd(e.fixedMonthly)],
    ...e.usage.map(row),
    ['Usage per month, at the assumptions', '', '', usd(e.usageMonthly)],
    ...e.run.map(row),
    [`One pipeline run (${e.runHours} h)`, '', '', usd(e.runCost)],
    [`Per month: fixed + usage + ${e.runsPerMonth} runs`, '', '', usd(e.monthlyTotal)],
  ];
  const title = `${e.name} (${e.region}, prices checked ${e.prices.asOf})`;
  return `${title}\n${formatTable(['ITEM', 'QTY', 'UNIT PRICE', 'AMOUNT'], rows, { align: ['left', 'right', 'right', 'right'], indent: '  ' })}`;
}

/** Every environment against the baseline of its region, with the target where there is one. */
export function formatComparison(estimates: readonly CostEstimate[], baselines: ReadonlyMap<string, CostEstimate>): string {
  const rows = estimates.map((e) => {
    const base = baselines.get(e.region);
    const target = FIXED_COST_TARGETS[e.name.toLowerCase()];
    const fixedRatio = base ? e.fixedMonthly / base.fixedMonthly : undefined;
    const verdict = target === undefined || fixedRatio === undefined ? '' : `${target.toFixed(2)}x ${Number(fixedRatio.toFixed(2)) <= target ? 'met' : 'MISSED'}`;
    return [e.name, usd(e.fixedMonthly), base ? ratio(e.fixedMonthly, base.fixedMonthly) : 'n/a', verdict, usd(e.usageMonthly), usd(e.runCost), usd(e.monthlyTotal), base ? ratio(e.monthlyTotal, base.monthlyTotal) : 'n/a'];
  });
  for (const base of baselines.values()) rows.push([base.name, usd(base.fixedMonthly), '1.00x', '', usd(base.usageMonthly), usd(base.runCost), usd(base.monthlyTotal), '1.00x']);
  return formatTable(['ENVIRONMENT', 'FIXED/MONTH', 'FIXED VS ORIGINAL', 'TARGET', 'USAGE/MONTH', 'ONE RUN', 'ALL-IN/MONTH', 'ALL-IN VS ORIGINAL'], rows, {
    align: ['left', 'right', 'right', 'left', 'right', 'right', 'right', 'right'],
  });
}

/** Fixed cost by component per environment, as a table (the numbers the chart draws). */
export function formatComponents(estimates: readonly CostEstimate[]): string {
  const components = COMPONENTS.filter((c) => estimates.some((e) => fixedByComponent(e).some((x) => x.component === c)));
  const rows = estimates.map((e) => {
    const by = new Map(fixedByComponent(e).map((x) => [x.component, x.amount]));
    return [e.name, ...components.map((c) => usd(by.get(c) ?? 0)), usd(e.fixedMonthly)];
  });
  return formatTable(['FIXED/MONTH', ...components.map((c) => c.toUpperCase()), 'TOTAL'], rows, { align: ['left', ...components.map(() => 'right' as const), 'right'] });
}

/** An environment's name and region, its synthesized templates and its EMR fleets. */
export interface PricedEnvironment {
  readonly name: string;
  readonly region: string;
  readonly templates: readonly Template[];
  readonly fleets: readonly FleetPlan[];
}

export interface ReportOptions {
  readonly prices: (region: string) => RegionPrices;
  readonly assumptions?: UsageAssumptions;
  readonly runHours?: number;
  readonly runsPerMonth?: number;
}

/**
 * Every environment's estimate and, per region, the original platform's, from the same model and
 * the same assumptions. The original always runs 1 h a day, as it was built.
 */
export function costReport(environments: readonly PricedEnvironment[], options: ReportOptions): { estimates: CostEstimate[]; baselines: Map<string, CostEstimate> } {
  const { assumptions, runHours, runsPerMonth } = options;
  const estimates = environments.map((env) =>
    estimate({ name: env.name, region: env.region, prices: options.prices(env.region), inventory: inventoryFromTemplates(env.templates), fleets: env.fleets, assumptions, runHours, runsPerMonth }),
  );
  const regions = [...new Set(environments.map((e) => e.region))];
  const baselines = new Map(regions.map((region) => [region, estimate({ name: 'Original platform', region, prices: options.prices(region), ...ORIGINAL_PLATFORM, assumptions, runHours: 1, runsPerMonth: 30 })]));
  return { estimates, baselines };
}
