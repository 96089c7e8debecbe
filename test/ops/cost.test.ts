import { loadEnvironments } from '../../lib/config';
import type { Template } from '../../ops/cloud-assembly';
import { ORIGINAL_PLATFORM, estimate, fixedCostLines, formatComparison, inventoryFromTemplates, runCostLines } from '../../ops/cost';
import { fleetPlans, instanceUnits } from '../../ops/emr-pricing';
import { HOURS_PER_MONTH, PRICES, pricesFor } from '../../ops/prices';

const p = PRICES['eu-north-1'];
const resource = (Type: string, Properties: Record<string, unknown> = {}) => ({ Type, Properties });
const template = (...resources: ReturnType<typeof resource>[]): Template => ({ Resources: Object.fromEntries(resources.map((r, i) => [`R${i}`, r])) });

const network = template(
  resource('AWS::EC2::NatGateway'),
  resource('AWS::EC2::NatGateway'),
  resource('AWS::EC2::EIP'),
  resource('AWS::EC2::EIP'),
  resource('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', RouteTableIds: [{ Ref: 'a' }] }),
  resource('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', SubnetIds: [{ Ref: 'a' }, { Ref: 'b' }, { Ref: 'c' }] }),
  resource('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', SubnetIds: [{ Ref: 'a' }, { Ref: 'b' }] }),
  resource('AWS::EC2::ClientVpnTargetNetworkAssociation'),
  resource('AWS::KMS::Key'),
);
const platform = template(
  resource('AWS::MWAA::Environment', { EnvironmentClass: 'mw1.medium', MinWorkers: 3, Schedulers: 3 }),
  resource('AWS::Kinesis::Stream', { StreamModeDetails: { StreamMode: 'ON_DEMAND' } }),
  resource('AWS::Kinesis::Stream', { ShardCount: 4, RetentionPeriodHours: 168 }),
  resource('AWS::DynamoDB::Table', { BillingMode: 'PAY_PER_REQUEST' }),
  resource('AWS::DynamoDB::Table', { ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 2 }, GlobalSecondaryIndexes: [{ ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }] }),
  resource('AWS::SecretsManager::Secret'),
  resource('AWS::KMS::Key'),
  resource('AWS::CloudWatch::Alarm'),
  resource('AWS::S3::Bucket'),
);

test('counts the fixed-cost resources of templates', () => {
  expect(inventoryFromTemplates([network, platform])).toEqual({
    natGateways: 2,
    publicIpv4Addresses: 2,
    interfaceEndpoints: 2,
    interfaceEndpointAzs: 5,
    clientVpnAssociations: 1,
    mwaaEnvironments: [{ environmentClass: 'mw1.medium', minWorkers: 3, schedulers: 3 }],
    kinesisStreams: [
      { mode: 'ON_DEMAND', shards: 0, retentionHours: 24 },
      { mode: 'PROVISIONED', shards: 4, retentionHours: 168 },
    ],
    dynamodbTables: [
      { billing: 'PAY_PER_REQUEST', readCapacityUnits: 0, writeCapacityUnits: 0 },
      { billing: 'PROVISIONED', readCapacityUnits: 6, writeCapacityUnits: 3 },
    ],
    kmsKeys: 2,
    secrets: 1,
    cloudWatchAlarms: 1,
    cloudWatchDashboards: 0,
  });
});

test('CloudFormation defaults apply to what a template leaves out', () => {
  const inventory = inventoryFromTemplates([template(resource('AWS::MWAA::Environment'), resource('AWS::Kinesis::Stream'))]);
  expect(inventory.mwaaEnvironments).toEqual([{ environmentClass: 'mw1.small', minWorkers: 1, schedulers: 2 }]);
  expect(inventory.kinesisStreams).toEqual([{ mode: 'PROVISIONED', shards: 1, retentionHours: 24 }]);
});

test('prices a month of 730 hours; MWAA charges workers and schedulers beyond those included', () => {
  const lines = fixedCostLines(inventoryFromTemplates([network, platform]), p);
  const amount = (item: string) => lines.find((l) => l.item.startsWith(item))?.amount;
  expect(amount('NAT gateways')).toBeCloseTo(2 * p.natGatewayHour * HOURS_PER_MONTH);
  expect(amount('Interface endpoints (2) x AZs')).toBeCloseTo(5 * p.interfaceEndpointAzHour * HOURS_PER_MONTH);
  expect(amount('MWAA mw1.medium environment')).toBeCloseTo(p.mwaa.environmentHour['mw1.medium'] * HOURS_PER_MONTH);
  expect(amount('MWAA mw1.medium minimum workers')).toBeCloseTo(2 * p.mwaa.additionalWorkerHour['mw1.medium'] * HOURS_PER_MONTH);
  expect(amount('MWAA mw1.medium schedulers beyond the included 2')).toBeCloseTo(1 * p.mwaa.additionalSchedulerHour['mw1.medium'] * HOURS_PER_MONTH);
  expect(amount('Kinesis on-demand streams')).toBeCloseTo(p.kinesis.onDemandStreamHour * HOURS_PER_MONTH);
  expect(amount('Kinesis provisioned shards')).toBeCloseTo(4 * p.kinesis.shardHour * HOURS_PER_MONTH);
  expect(amount('Kinesis shards with retention over 24 h')).toBeCloseTo(4 * p.kinesis.extendedRetentionShardHour * HOURS_PER_MONTH);
  expect(amount('DynamoDB on-demand tables')).toBe(0);
  expect(amount('DynamoDB provisioned read capacity units')).toBeCloseTo(6 * p.dynamodb.readCapacityUnitHour * HOURS_PER_MONTH);
  expect(amount('KMS customer-managed keys')).toBe(2 * p.kmsKeyMonth);
  // Nothing to count, nothing listed.
  expect(amount('CloudWatch dashboards')).toBeUndefined();
});

test("the original platform's baseline is computed from the price table", () => {
  const baseline = estimate({ name: 'Original', region: 'eu-north-1', prices: p, ...ORIGINAL_PLATFORM });
  const fixedHourly = 2 * p.natGatewayHour + 2 * p.publicIpv4Hour + 8 * p.interfaceEndpointAzHour + p.clientVpnAssociationHour + p.mwaa.environmentHour['mw1.micro'];
  const run = 3 * (p.ec2Hour['m5.xlarge'] + p.emrUpliftHour['m5.xlarge']);
  expect(baseline.fixedMonthly).toBeCloseTo(fixedHourly * HOURS_PER_MONTH, 6);
  expect(baseline.runCost).toBeCloseTo(run, 6);
  expect(baseline.monthlyTotal).toBeCloseTo(fixedHourly * HOURS_PER_MONTH + 30 * run, 6);
  // The figure docs/operations.md quotes.
  expect(baseline.fixedMonthly.toFixed(2)).toBe('401.50');
});

test('a run prices each fleet at the mean of its types; spot only discounts EC2, not the EMR uplift', () => {
  const dev = loadEnvironments().find((e) => e.emr.spotEverywhere && e.region === 'eu-north-1')!;
  const [primary, core, task] = runCostLines(fleetPlans(dev.emr), p, 2);
  const spot = (type: string) => p.ec2Hour[type as keyof typeof p.ec2Hour] * p.spotFactor + p.emrUpliftHour[type as keyof typeof p.emrUpliftHour];
  const primaryTypes = dev.emr.primaryInstanceTypes;
  const meanSpot = primaryTypes.reduce((sum, type) => sum + spot(type), 0) / primaryTypes.length;
  expect(primary).toMatchObject({ quantity: 2, amount: expect.closeTo(2 * meanSpot, 10) });
  expect(core.item).toContain('spot');
  expect(task).toMatchObject({ quantity: dev.emr.taskSpotUnits * 2 });
});

test('environments are compared with the baseline of their region', () => {
  const base = estimate({ name: 'Original', region: 'eu-north-1', prices: p, ...ORIGINAL_PLATFORM });
  const half = estimate({ name: 'Half', region: 'eu-north-1', prices: p, inventory: { ...ORIGINAL_PLATFORM.inventory, natGateways: 0, publicIpv4Addresses: 0 }, fleets: [] });
  const text = formatComparison([half], new Map([['eu-north-1', base]]));
  const ratio = (half.fixedMonthly / base.fixedMonthly).toFixed(2);
  expect(text).toMatch(new RegExp(`^Half .* ${ratio}x +${(half.monthlyTotal / base.monthlyTotal).toFixed(2)}x$`, 'm'));
  expect(text).toMatch(/^Original .* 1\.00x +1\.00x$/m);
});

test('every instance type the environments configure has a price in their region', () => {
  for (const config of loadEnvironments()) {
    expect(() => runCostLines(fleetPlans(config.emr), pricesFor(config.region), 1)).not.toThrow();
  }
  expect(() => pricesFor('ap-south-2')).toThrow(/no price table for region 'ap-south-2'/);
});

test('fleet units follow the DAG: one per xlarge', () => {
  expect(['m5.xlarge', 'm5.2xlarge', 'r6g.4xlarge', 'm5.large'].map(instanceUnits)).toEqual([1, 2, 4, 1]);
});
