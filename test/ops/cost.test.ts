import { loadEnvironments } from '../../lib/config';
import { emrInstanceTypesIn } from '../../lib/config/instance-types';
import type { Template } from '../../ops/cloud-assembly';
import {
  DAYS_PER_MONTH,
  DEFAULT_ASSUMPTIONS,
  DEFAULT_ROOT_VOLUME_GB,
  DETAILED_MONITORING_METRICS,
  FIXED_COST_TARGETS,
  ORIGINAL_PLATFORM,
  type RunSchedule,
  type UsageAssumptions,
  costReport,
  estimate,
  fixedByComponent,
  fixedCostLines,
  formatComparison,
  inventoryFromTemplates,
  runCostLines,
  usageCostLines,
} from '../../ops/cost';
import { UnofferedInstanceType, fleetPlans, instanceHourPrice, instanceUnits } from '../../ops/emr-pricing';
import { HOURS_PER_MONTH, PRICES, priceStatusCounts, pricesFor, sourcedEntries, sourcedPricesFor } from '../../ops/prices';

const p = PRICES['eu-north-1'];
const resource = (Type: string, Properties: Record<string, unknown> = {}) => ({ Type, Properties });
const template = (...resources: ReturnType<typeof resource>[]): Template => ({ Resources: Object.fromEntries(resources.map((r, i) => [`R${i}`, r])) });
const noRuns: RunSchedule = { fleets: [], runHours: 1, runsPerMonth: 30 };
const mwaaLogs = (level: string, types = ['DagProcessingLogs', 'SchedulerLogs', 'TaskLogs', 'WebserverLogs', 'WorkerLogs']) =>
  Object.fromEntries(types.map((t) => [t, { Enabled: true, LogLevel: level }]));

const network = template(
  resource('AWS::EC2::NatGateway'),
  resource('AWS::EC2::NatGateway'),
  resource('AWS::EC2::EIP'),
  resource('AWS::EC2::EIP'),
  resource('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', RouteTableIds: [{ Ref: 'a' }] }),
  resource('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', SubnetIds: [{ Ref: 'a' }, { Ref: 'b' }, { Ref: 'c' }] }),
  resource('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', SubnetIds: [{ Ref: 'a' }, { Ref: 'b' }] }),
  resource('AWS::EC2::ClientVpnEndpoint'),
  resource('AWS::EC2::ClientVpnTargetNetworkAssociation'),
  resource('AWS::EC2::FlowLog', { LogDestinationType: 'cloud-watch-logs' }),
  resource('AWS::EC2::FlowLog', { LogDestinationType: 's3' }),
  resource('AWS::KMS::Key'),
);
const platform = template(
  resource('AWS::MWAA::Environment', { EnvironmentClass: 'mw1.medium', MinWorkers: 3, Schedulers: 3, LoggingConfiguration: { ...mwaaLogs('INFO', ['TaskLogs', 'WorkerLogs']), ...mwaaLogs('WARNING', ['SchedulerLogs']) } }),
  resource('AWS::Kinesis::Stream', { StreamModeDetails: { StreamMode: 'ON_DEMAND' } }),
  resource('AWS::Kinesis::Stream', { ShardCount: 4, RetentionPeriodHours: 168 }),
  resource('AWS::KinesisFirehose::DeliveryStream', { KinesisStreamSourceConfiguration: {} }),
  resource('AWS::DynamoDB::Table', { BillingMode: 'PAY_PER_REQUEST', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
  resource('AWS::DynamoDB::Table', { ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 2 }, GlobalSecondaryIndexes: [{ ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }] }),
  resource('AWS::Athena::WorkGroup'),
  resource('AWS::SecretsManager::Secret'),
  resource('AWS::KMS::Key'),
  resource('AWS::CloudWatch::Alarm'),
  resource('AWS::S3::Bucket'),
);

test('counts what costs money in templates', () => {
  expect(inventoryFromTemplates([network, platform])).toEqual({
    natGateways: 2,
    publicIpv4Addresses: 2,
    ec2Instances: [],
    interfaceEndpoints: 2,
    interfaceEndpointAzs: 5,
    clientVpnEndpoints: 1,
    clientVpnAssociations: 1,
    mwaaEnvironments: [{ environmentClass: 'mw1.medium', minWorkers: 3, schedulers: 3, logWeight: 2.1 }],
    kinesisStreams: [
      { mode: 'ON_DEMAND', shards: 0, retentionHours: 24 },
      { mode: 'PROVISIONED', shards: 4, retentionHours: 168 },
    ],
    streamConsumers: 1,
    firehoseStreams: 1,
    dynamodbTables: [
      { billing: 'PAY_PER_REQUEST', readCapacityUnits: 0, writeCapacityUnits: 0, pitr: true },
      { billing: 'PROVISIONED', readCapacityUnits: 6, writeCapacityUnits: 3, pitr: false },
    ],
    athenaWorkGroups: 1,
    flowLogsToCloudWatch: 1,
    kmsKeys: 2,
    secrets: 1,
    cloudWatchAlarms: 1,
    cloudWatchDashboards: 0,
  });
});

test('CloudFormation defaults apply to what a template leaves out', () => {
  const inventory = inventoryFromTemplates([template(resource('AWS::MWAA::Environment'), resource('AWS::Kinesis::Stream'), resource('AWS::EC2::FlowLog'))]);
  expect(inventory.mwaaEnvironments).toEqual([{ environmentClass: 'mw1.small', minWorkers: 1, schedulers: 2, logWeight: 0 }]);
  expect(inventory.kinesisStreams).toEqual([{ mode: 'PROVISIONED', shards: 1, retentionHours: 24 }]);
  expect(inventory.flowLogsToCloudWatch).toBe(1);
});

test('a NAT instance is an EC2 instance with a public address and a root volume, and no NAT data charge', () => {
  const natInstance: Template = {
    Resources: {
      Public: { Type: 'AWS::EC2::Subnet', Properties: { MapPublicIpOnLaunch: true } },
      Nat: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: 't4g.nano', SubnetId: { Ref: 'Public' } } },
      Sized: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: 't4g.nano', NetworkInterfaces: [{ AssociatePublicIpAddress: false }], BlockDeviceMappings: [{ Ebs: { VolumeSize: 20 } }], Monitoring: true } },
      // Encrypting the root volume without a size keeps the AMI's.
      Encrypted: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: 't4g.nano', BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true } }] } },
    },
  };
  const inventory = inventoryFromTemplates([natInstance]);
  expect(inventory.ec2Instances).toEqual([
    { instanceType: 't4g.nano', publicIpv4: true, volumeGb: DEFAULT_ROOT_VOLUME_GB, detailedMonitoring: false },
    { instanceType: 't4g.nano', publicIpv4: false, volumeGb: 20, detailedMonitoring: true },
    { instanceType: 't4g.nano', publicIpv4: false, volumeGb: DEFAULT_ROOT_VOLUME_GB, detailedMonitoring: false },
  ]);
  const lines = fixedCostLines(inventory, p);
  expect(lines.map((l) => [l.item, l.amount])).toEqual([
    ['EC2 t4g.nano instances (NAT)', 3 * p.ec2Hour['t4g.nano'] * HOURS_PER_MONTH],
    ['EBS gp3 of EC2 instances (GB)', (2 * DEFAULT_ROOT_VOLUME_GB + 20) * p.ebsGp3GbMonth],
    ['EC2 detailed monitoring (metrics)', DETAILED_MONITORING_METRICS * p.cloudWatchMetricMonth],
    ['Public IPv4 addresses', p.publicIpv4Hour * HOURS_PER_MONTH],
  ]);
  expect(usageCostLines(inventory, p, DEFAULT_ASSUMPTIONS, noRuns).map((l) => l.item)).not.toContainEqual(expect.stringMatching(/NAT/));
  expect(() => fixedCostLines(inventoryFromTemplates([template(resource('AWS::EC2::Instance', { InstanceType: 'x9.huge' }))]), p)).toThrow(
    "no EC2 price for instance type 'x9.huge' in eu-north-1: add it to ec2Hour in ops/prices.ts, with its source",
  );
});

// Each resource type alone in a minimal template, and the monthly amount it must come to.
test.each<[string, Template, string, number]>([
  ['NAT gateway', template(resource('AWS::EC2::NatGateway')), 'NAT gateways', p.natGatewayHour * HOURS_PER_MONTH],
  ['Elastic IP', template(resource('AWS::EC2::EIP')), 'Public IPv4 addresses', p.publicIpv4Hour * HOURS_PER_MONTH],
  ['interface endpoint in 2 AZs', template(resource('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', SubnetIds: ['a', 'b'] })), 'Interface endpoints (1) x AZs', 2 * p.interfaceEndpointAzHour * HOURS_PER_MONTH],
  ['VPN association', template(resource('AWS::EC2::ClientVpnTargetNetworkAssociation')), 'Client VPN subnet associations', p.clientVpnAssociationHour * HOURS_PER_MONTH],
  ['MWAA mw1.micro', template(resource('AWS::MWAA::Environment', { EnvironmentClass: 'mw1.micro', Schedulers: 1 })), 'MWAA mw1.micro environment', p.mwaa.environmentHour['mw1.micro'] * HOURS_PER_MONTH],
  ['MWAA extra workers', template(resource('AWS::MWAA::Environment', { EnvironmentClass: 'mw1.medium', MinWorkers: 3 })), 'MWAA mw1.medium minimum workers beyond the included one', 2 * p.mwaa.additionalWorkerHour['mw1.medium'] * HOURS_PER_MONTH],
  ['MWAA extra scheduler', template(resource('AWS::MWAA::Environment', { EnvironmentClass: 'mw1.medium', Schedulers: 3 })), 'MWAA mw1.medium schedulers beyond the included 2', p.mwaa.additionalSchedulerHour['mw1.medium'] * HOURS_PER_MONTH],
  ['on-demand stream', template(resource('AWS::Kinesis::Stream', { StreamModeDetails: { StreamMode: 'ON_DEMAND' } })), 'Kinesis on-demand streams', p.kinesis.onDemandStreamHour * HOURS_PER_MONTH],
  ['provisioned shards', template(resource('AWS::Kinesis::Stream', { ShardCount: 2 })), 'Kinesis provisioned shards', 2 * p.kinesis.shardHour * HOURS_PER_MONTH],
  ['extended retention', template(resource('AWS::Kinesis::Stream', { ShardCount: 2, RetentionPeriodHours: 48 })), 'Kinesis shards with retention over 24 h', 2 * p.kinesis.extendedRetentionShardHour * HOURS_PER_MONTH],
  ['provisioned reads', template(resource('AWS::DynamoDB::Table', { ProvisionedThroughput: { ReadCapacityUnits: 5 } })), 'DynamoDB provisioned read capacity units', 5 * p.dynamodb.readCapacityUnitHour * HOURS_PER_MONTH],
  ['KMS key', template(resource('AWS::KMS::Key')), 'KMS customer-managed keys', p.kmsKeyMonth],
  ['secret', template(resource('AWS::SecretsManager::Secret')), 'Secrets Manager secrets', p.secretMonth],
  ['alarm', template(resource('AWS::CloudWatch::Alarm')), 'CloudWatch alarms', p.cloudWatchAlarmMonth],
  ['dashboard', template(resource('AWS::CloudWatch::Dashboard')), 'CloudWatch dashboards', p.cloudWatchDashboardMonth],
])('fixed: %s', (_, t, item, amount) => {
  const lines = fixedCostLines(inventoryFromTemplates([t]), p);
  expect(lines.find((l) => l.item === item)?.amount).toBeCloseTo(amount, 9);
  // Nothing else costs money all month (but the MWAA environment and the shards a retention line counts).
  expect(lines.filter((l) => l.item !== item && !l.item.endsWith('environment') && l.item !== 'Kinesis provisioned shards')).toEqual([]);
});

test('an on-demand table, a flow log or an Athena workgroup cost nothing idle, only in use', () => {
  const t = template(resource('AWS::DynamoDB::Table', { BillingMode: 'PAY_PER_REQUEST' }), resource('AWS::EC2::FlowLog'), resource('AWS::Athena::WorkGroup'), resource('AWS::KinesisFirehose::DeliveryStream'));
  expect(fixedCostLines(inventoryFromTemplates([t]), p)).toEqual([]);
  expect(usageCostLines(inventoryFromTemplates([t]), p, DEFAULT_ASSUMPTIONS, noRuns).length).toBeGreaterThan(0);
});

describe('usage, from the assumptions', () => {
  const a: UsageAssumptions = { ...DEFAULT_ASSUMPTIONS, engineers: 4, vpnHoursPerEngineer: 100, gbPerDay: 2, recordKb: 1 };
  const usage = (t: Template, assumptions = a, runs = noRuns) => usageCostLines(inventoryFromTemplates([t]), p, assumptions, runs);
  const amount = (lines: ReturnType<typeof usage>, prefix: string) => lines.find((l) => l.item.startsWith(prefix))?.amount;
  const eventsPerMonth = (assumptions: UsageAssumptions) => (assumptions.gbPerDay * 1024 * 1024 * DAYS_PER_MONTH) / assumptions.recordKb;

  test('VPN connection-hours are engineers x hours; association-hours only when the VPN is associated on demand', () => {
    const associated = usage(template(resource('AWS::EC2::ClientVpnEndpoint'), resource('AWS::EC2::ClientVpnTargetNetworkAssociation')));
    expect(amount(associated, 'Client VPN connection-hours')).toBeCloseTo(4 * 100 * p.clientVpnConnectionHour, 9);
    expect(amount(associated, 'Client VPN association on demand')).toBeUndefined();
    const onDemand = usage(template(resource('AWS::EC2::ClientVpnEndpoint')));
    expect(amount(onDemand, 'Client VPN association on demand')).toBeCloseTo(4 * 100 * p.clientVpnAssociationHour, 9);
    // Never more than a month of one association.
    const busy = usage(template(resource('AWS::EC2::ClientVpnEndpoint')), { ...a, engineers: 10, vpnHoursPerEngineer: 200 });
    expect(amount(busy, 'Client VPN association on demand')).toBeCloseTo(HOURS_PER_MONTH * p.clientVpnAssociationHour, 9);
    expect(usage(template(resource('AWS::EC2::ClientVpnTargetNetworkAssociation')))).toEqual([]);
  });

  test('NAT gateway and endpoint data scale with GB a day', () => {
    const lines = usage(template(resource('AWS::EC2::NatGateway'), resource('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', SubnetIds: ['a'] })), { ...a, natGbPerDay: 3, endpointGbPerDay: 2 });
    expect(amount(lines, 'NAT gateway data processed')).toBeCloseTo(3 * DAYS_PER_MONTH * p.natGatewayGb, 9);
    expect(amount(lines, 'Interface endpoint data processed')).toBeCloseTo(2 * DAYS_PER_MONTH * p.interfaceEndpointGb, 9);
  });

  test('log ingestion: flow logs to CloudWatch, MWAA by log types and level', () => {
    const lines = usage(template(resource('AWS::EC2::FlowLog'), resource('AWS::MWAA::Environment', { LoggingConfiguration: mwaaLogs('INFO') })));
    expect(amount(lines, 'VPC flow logs')).toBeCloseTo(a.flowLogGbPerDay * DAYS_PER_MONTH * p.logsIngestionGb, 9);
    expect(amount(lines, 'MWAA logs')).toBeCloseTo(a.mwaaLogGbPerDay * DAYS_PER_MONTH * p.logsIngestionGb, 9);
    const quiet = usage(template(resource('AWS::MWAA::Environment', { LoggingConfiguration: mwaaLogs('ERROR') })));
    expect(amount(quiet, 'MWAA logs')).toBeCloseTo(0.1 * a.mwaaLogGbPerDay * DAYS_PER_MONTH * p.logsIngestionGb, 9);
  });

  test.each([
    [1, 5],
    [5, 5],
    [6, 10],
  ])('Firehose bills a %s KB record as %s KB', (recordKb, billedKb) => {
    const assumptions = { ...a, recordKb };
    const lines = usage(template(resource('AWS::KinesisFirehose::DeliveryStream')), assumptions);
    expect(amount(lines, 'Firehose ingestion')).toBeCloseTo(((eventsPerMonth(assumptions) * billedKb) / (1024 * 1024)) * p.firehoseIngestGb, 6);
  });

  test('streams: on-demand bills data in and each reader, provisioned bills PUT payload units', () => {
    const onDemand = usage(template(resource('AWS::Kinesis::Stream', { StreamModeDetails: { StreamMode: 'ON_DEMAND' } }), resource('AWS::KinesisFirehose::DeliveryStream', { KinesisStreamSourceConfiguration: {} })));
    const gb = a.gbPerDay * DAYS_PER_MONTH;
    expect(amount(onDemand, 'Kinesis on-demand data in')).toBeCloseTo(gb * p.kinesis.onDemandIngestGb, 6);
    expect(amount(onDemand, 'Kinesis on-demand data read (1 readers)')).toBeCloseTo(gb * p.kinesis.onDemandRetrievalGb, 6);
    const provisioned = usage(template(resource('AWS::Kinesis::Stream', { ShardCount: 1 })));
    expect(amount(provisioned, 'Kinesis PUT payload units')).toBeCloseTo((eventsPerMonth(a) / 1e6) * p.kinesis.putPayloadUnitsMillion, 6);
    expect(amount(provisioned, 'Kinesis on-demand')).toBeUndefined();
  });

  test('DynamoDB: writes per event, storage, and point-in-time recovery only where it is on', () => {
    const withPitr = usage(template(resource('AWS::DynamoDB::GlobalTable', { BillingMode: 'PAY_PER_REQUEST', Replicas: [{ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }] })), { ...a, dynamodbGb: 10 });
    expect(amount(withPitr, 'DynamoDB point-in-time recovery')).toBeCloseTo(10 * p.dynamodb.pitrGbMonth, 9);
    expect(amount(withPitr, 'DynamoDB storage')).toBeCloseTo(10 * p.dynamodb.storageGbMonth, 9);
    expect(amount(withPitr, 'DynamoDB on-demand writes')).toBeCloseTo((eventsPerMonth(a) / 1e6) * p.dynamodb.onDemandWritesMillion, 6);
    const without = usage(template(resource('AWS::DynamoDB::Table', { BillingMode: 'PAY_PER_REQUEST' })));
    expect(amount(without, 'DynamoDB point-in-time recovery')).toBeUndefined();
  });

  test('KMS requests, Athena scans and EBS on EMR nodes', () => {
    const fleets = [{ name: 'core', options: [{ instanceType: 'm6g.xlarge', weight: 1 }], units: 3, market: 'ON_DEMAND' as const }];
    const lines = usage(template(resource('AWS::KMS::Key'), resource('AWS::Athena::WorkGroup')), { ...a, kmsRequestsPerDay: 50_000, athenaTbPerMonth: 2, emrEbsGbPerNode: 100 }, { fleets, runHours: 2, runsPerMonth: 30 });
    expect(amount(lines, 'KMS requests')).toBeCloseTo(((50_000 * DAYS_PER_MONTH) / 10_000) * p.kmsRequests10k, 9);
    expect(amount(lines, 'Athena scans')).toBeCloseTo(2 * p.athenaTbScanned, 9);
    expect(amount(lines, 'EBS gp3 on EMR nodes')).toBeCloseTo(((3 * 100 * 2 * 30) / HOURS_PER_MONTH) * p.ebsGp3GbMonth, 9);
  });

  test('usage is shown apart from fixed cost and adds to the month', () => {
    const e = estimate({ name: 'X', region: 'eu-north-1', prices: p, inventory: inventoryFromTemplates([network, platform]), fleets: [], assumptions: a });
    expect(e.usage.length).toBeGreaterThan(5);
    expect(e.fixed.some((l) => e.usage.includes(l))).toBe(false);
    expect(e.monthlyTotal).toBeCloseTo(e.fixedMonthly + e.usageMonthly, 9);
    const doubled = estimate({ name: 'X', region: 'eu-north-1', prices: p, inventory: inventoryFromTemplates([network, platform]), fleets: [], assumptions: { ...a, gbPerDay: 4 } });
    expect(doubled.fixedMonthly).toBe(e.fixedMonthly);
    expect(doubled.usageMonthly).toBeGreaterThan(e.usageMonthly);
  });
});

test('an instance type the region does not offer is refused, and the price table holds none', () => {
  const fleets = [{ name: 'core', options: [{ instanceType: 'm5a.xlarge', weight: 1 }], units: 1, market: 'ON_DEMAND' as const }];
  expect(() => runCostLines(fleets, p, 1)).toThrow(UnofferedInstanceType);
  expect(() => instanceHourPrice('m5a.xlarge', 'SPOT', p)).toThrow("instance type 'm5a.xlarge' is not offered for EMR in eu-north-1 (lib/config/instance-types.ts)");
  const offered = emrInstanceTypesIn('eu-north-1')!;
  expect(offered.has('m5a.xlarge')).toBe(false);
  // Every EMR price the table holds is for a type the region offers (m5.xlarge, the original's, is).
  expect(Object.keys(p.emrUpliftHour).filter((type) => !offered.has(type))).toEqual([]);
  expect(offered.has('m5.xlarge')).toBe(true);
});

test("the original's ratio is 1 when the same model prices templates that hold the original's resources", () => {
  const subnets = [{ Ref: 'A' }, { Ref: 'B' }];
  const original = template(
    resource('AWS::EC2::NatGateway'),
    resource('AWS::EC2::NatGateway'),
    resource('AWS::EC2::EIP'),
    resource('AWS::EC2::EIP'),
    ...['logs', 'secretsmanager', 'sqs', 'elasticmapreduce'].map(() => resource('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', SubnetIds: subnets })),
    resource('AWS::EC2::ClientVpnEndpoint'),
    resource('AWS::EC2::ClientVpnTargetNetworkAssociation'),
    resource('AWS::MWAA::Environment', { EnvironmentClass: 'mw1.micro', Schedulers: 1, LoggingConfiguration: mwaaLogs('INFO') }),
  );
  expect(inventoryFromTemplates([original])).toEqual(ORIGINAL_PLATFORM.inventory);
  const { estimates, baselines } = costReport([{ name: 'Copy', region: 'eu-north-1', templates: [original], fleets: ORIGINAL_PLATFORM.fleets }], { prices: pricesFor });
  const base = baselines.get('eu-north-1')!;
  expect(estimates[0].fixedMonthly).toBe(base.fixedMonthly);
  expect(estimates[0].monthlyTotal).toBeCloseTo(base.monthlyTotal, 9);
  expect(formatComparison(estimates, baselines)).toMatch(/^Copy .* 1\.00x .* 1\.00x$/m);
  const fixedHourly = 2 * p.natGatewayHour + 2 * p.publicIpv4Hour + 8 * p.interfaceEndpointAzHour + p.clientVpnAssociationHour + p.mwaa.environmentHour['mw1.micro'];
  expect(base.fixedMonthly).toBeCloseTo(fixedHourly * HOURS_PER_MONTH, 9);
  expect(base.runCost).toBeCloseTo(3 * (p.ec2Hour['m5.xlarge'] + p.emrUpliftHour['m5.xlarge']), 9);
  expect(fixedByComponent(base).reduce((s, c) => s + c.amount, 0)).toBeCloseTo(base.fixedMonthly, 9);
});

test('the comparison states each target and whether the fixed cost meets it', () => {
  const base = estimate({ name: 'Original', region: 'eu-north-1', prices: p, ...ORIGINAL_PLATFORM });
  const cheap = estimate({ name: 'Dev', region: 'eu-north-1', prices: p, inventory: { ...ORIGINAL_PLATFORM.inventory, natGateways: 0, publicIpv4Addresses: 0, clientVpnAssociations: 0, interfaceEndpointAzs: 0 }, fleets: [] });
  const dear = estimate({ name: 'Staging', region: 'eu-north-1', prices: p, inventory: { ...ORIGINAL_PLATFORM.inventory, natGateways: 6 }, fleets: [] });
  const text = formatComparison([cheap, dear], new Map([['eu-north-1', base]]));
  expect(FIXED_COST_TARGETS).toEqual({ dev: 0.6, staging: 1.0 });
  expect(cheap.fixedMonthly / base.fixedMonthly).toBeLessThanOrEqual(0.6);
  expect(text).toMatch(new RegExp(`^Dev .* ${(cheap.fixedMonthly / base.fixedMonthly).toFixed(2)}x +0\\.60x met `, 'm'));
  expect(text).toMatch(/^Staging .* 1\.00x MISSED /m);
  expect(text).toMatch(/^Original .* 1\.00x .* 1\.00x$/m);
});

test('a run prices each fleet at the mean of its types; spot only discounts EC2, not the EMR uplift', () => {
  const dev = loadEnvironments().find((e) => e.emr.spotEverywhere && e.region === 'eu-north-1')!;
  const [primary, core, task] = runCostLines(fleetPlans(dev.emr), p, 2);
  const spot = (type: string) => p.ec2Hour[type] * p.spotFactor + p.emrUpliftHour[type];
  const primaryTypes = dev.emr.primaryInstanceTypes;
  const meanSpot = primaryTypes.reduce((sum, type) => sum + spot(type), 0) / primaryTypes.length;
  expect(primary).toMatchObject({ quantity: 2, amount: expect.closeTo(2 * meanSpot, 10) });
  expect(core.item).toContain('spot');
  expect(task).toMatchObject({ quantity: dev.emr.taskSpotUnits * 2 });
});

test('every instance type the environments configure has a price in their region', () => {
  for (const config of loadEnvironments()) {
    expect(() => runCostLines(fleetPlans(config.emr), pricesFor(config.region), 1)).not.toThrow();
  }
  expect(() => pricesFor('ap-south-2')).toThrow(/no price table for region 'ap-south-2'/);
});

test('every price carries a source and the day it was read; only unverified ones may lack an AWS URL', () => {
  const entries = sourcedEntries(sourcedPricesFor('eu-north-1'));
  expect(entries.length).toBeGreaterThan(40);
  for (const e of entries) {
    expect({ path: e.path, ok: e.usd >= 0 && /^\d{4}-\d{2}-\d{2}$/.test(e.read) && e.source.length > 20 }).toEqual({ path: e.path, ok: true });
    if (e.status !== 'unverified') expect(e.source).toMatch(/https:\/\/(aws\.amazon\.com|pricing\.us-east-1\.amazonaws\.com)\//);
  }
  const counts = priceStatusCounts('eu-north-1');
  expect(counts.verified + counts.secondary + counts.unverified).toBe(entries.length);
  // The numeric table the model uses is the sourced one's numbers.
  expect(p.natGatewayHour).toBe(sourcedPricesFor('eu-north-1').natGatewayHour.usd);
  expect(p.asOf).toBe(entries.map((e) => e.read).sort().at(-1));
});

test('fleet units follow the DAG: one per xlarge', () => {
  expect(['m5.xlarge', 'm5.2xlarge', 'r6g.4xlarge', 'm5.large'].map(instanceUnits)).toEqual([1, 2, 4, 1]);
});
