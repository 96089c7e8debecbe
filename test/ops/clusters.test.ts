import { type Cluster, type ClusterState, DescribeClusterCommand, type InstanceFleet, ListClustersCommand, ListInstanceFleetsCommand } from '@aws-sdk/client-emr';
import { estimateClusterCost } from '../../ops/commands/clusters';
import { ExitCode } from '../../ops/errors';
import { PRICES } from '../../ops/prices';
import { NOW, cli, emr, resetMocks } from './ops-harness';

const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);
const cluster = (id: string, environment: string | undefined, created: Date, state: ClusterState = 'WAITING'): Cluster => ({
  Id: id,
  Name: `cluster ${id}`,
  Status: { State: state, Timeline: { CreationDateTime: created } },
  Tags: environment === undefined ? [{ Key: 'owner', Value: 'someone' }] : [{ Key: 'bdp:environment', Value: environment }],
});
const fleet = (name: string, onDemand: number, spot: number, types: string[]): InstanceFleet => ({
  Name: name,
  ProvisionedOnDemandCapacity: onDemand,
  ProvisionedSpotCapacity: spot,
  TargetOnDemandCapacity: onDemand,
  TargetSpotCapacity: spot,
  InstanceTypeSpecifications: types.map((InstanceType) => ({ InstanceType, WeightedCapacity: 1 })),
});

beforeEach(resetMocks);

test('lists every page of clusters and shows only those tagged for the environment, with fleets and cost', async () => {
  emr.on(ListClustersCommand).callsFake((input) =>
    input.Marker === undefined
      ? { Clusters: [{ Id: 'j-DEV1' }, { Id: 'j-OTHER' }], Marker: 'page-2' }
      : { Clusters: [{ Id: 'j-DEV2' }, { Id: 'j-UNTAGGED' }] },
  );
  const clusters: Record<string, Cluster> = {
    'j-DEV1': cluster('j-DEV1', 'dev', hoursAgo(2)),
    'j-DEV2': cluster('j-DEV2', 'dev', hoursAgo(0.5), 'RUNNING'),
    'j-OTHER': cluster('j-OTHER', 'staging', hoursAgo(3)),
    'j-UNTAGGED': cluster('j-UNTAGGED', undefined, hoursAgo(30)),
  };
  emr.on(DescribeClusterCommand).callsFake((input) => ({ Cluster: clusters[input.ClusterId] }));
  emr.on(ListInstanceFleetsCommand, { ClusterId: 'j-DEV1' }).resolves({ InstanceFleets: [fleet('primary', 0, 1, ['m5.xlarge']), fleet('task', 0, 2, ['m5.xlarge', 'm6g.xlarge'])] });
  emr.on(ListInstanceFleetsCommand, { ClusterId: 'j-DEV2' }).resolves({ InstanceFleets: [fleet('primary', 1, 0, ['x9.huge'])] });

  const run = await cli(['clusters', '--env', 'dev']);

  expect(run.code).toBe(ExitCode.Ok);
  const listCalls = emr.commandCalls(ListClustersCommand).map((c) => c.args[0].input);
  expect(listCalls).toHaveLength(2);
  expect(listCalls[1].Marker).toBe('page-2');
  expect(listCalls[0].ClusterStates).toEqual(['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING', 'TERMINATING']);
  expect(emr.commandCalls(DescribeClusterCommand)).toHaveLength(4);
  // Fleets are read only for the environment's clusters.
  expect(emr.commandCalls(ListInstanceFleetsCommand).map((c) => c.args[0].input.ClusterId)).toEqual(['j-DEV1', 'j-DEV2']);

  const lines = run.stdout.split('\n');
  const dev1 = lines.find((l) => l.startsWith('j-DEV1'))!;
  expect(dev1).toMatch(/WAITING\s+2026-11-22 10:00\s+2h 00m\s+primary 1 spot, task 2 spot/);
  // 2 h x (1 m5.xlarge spot + 2 units at the mean of m5.xlarge and m6g.xlarge spot), EC2 at the spot factor plus the EMR uplift.
  const p = PRICES['eu-north-1'];
  const m5 = p.ec2Hour['m5.xlarge'] * p.spotFactor + p.emrUpliftHour['m5.xlarge'];
  const m6g = p.ec2Hour['m6g.xlarge'] * p.spotFactor + p.emrUpliftHour['m6g.xlarge'];
  const expected = 2 * (m5 + 2 * ((m5 + m6g) / 2));
  expect(dev1).toContain(`$${expected.toFixed(2)}`);
  // An instance type missing from the price table is shown as n/a, not guessed.
  expect(lines.find((l) => l.startsWith('j-DEV2'))).toMatch(/primary 1 od\s+n\/a$/);
  expect(run.stdout).not.toMatch(/j-OTHER|j-UNTAGGED/);
  expect(run.stdout).toContain(`Estimated cost so far: $${expected.toFixed(2)}`);
});

test('--all also lists clusters that ended this week, priced by what their fleets targeted', async () => {
  emr.on(ListClustersCommand).resolves({ Clusters: [{ Id: 'j-DONE' }] });
  const done: Cluster = { ...cluster('j-DONE', 'dev', hoursAgo(30), 'TERMINATED'), Status: { State: 'TERMINATED', Timeline: { CreationDateTime: hoursAgo(30), EndDateTime: hoursAgo(29) } } };
  emr.on(DescribeClusterCommand).resolves({ Cluster: done });
  emr.on(ListInstanceFleetsCommand).resolves({ InstanceFleets: [{ ...fleet('core', 2, 0, ['m5.xlarge']), ProvisionedOnDemandCapacity: 0 }] });

  const run = await cli(['clusters', '--env', 'dev', '--all']);

  const input = emr.commandCalls(ListClustersCommand)[0].args[0].input;
  expect(input.ClusterStates).toContain('TERMINATED_WITH_ERRORS');
  expect(input.CreatedAfter).toEqual(new Date(NOW.getTime() - 7 * 86_400_000));
  const p = PRICES['eu-north-1'];
  expect(run.stdout).toMatch(new RegExp(`j-DONE .*TERMINATED .*1h 00m .*\\$${(2 * (p.ec2Hour['m5.xlarge'] + p.emrUpliftHour['m5.xlarge'])).toFixed(2)}`));
});

test('no clusters is said plainly', async () => {
  emr.on(ListClustersCommand).resolves({ Clusters: [] });
  const run = await cli(['clusters', '--env', 'dev']);
  expect(run.code).toBe(ExitCode.Ok);
  expect(run.stdout.trim()).toBe('No EMR clusters tagged bdp:environment=dev.');
});

test('a ListClusters error fails the command', async () => {
  emr.on(ListClustersCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
  const run = await cli(['clusters', '--env', 'dev']);
  expect(run.code).toBe(ExitCode.Failed);
  expect(run.stderr).toContain('Access denied: not authorized');
});

test('on-demand and spot capacity of a fleet are priced separately', () => {
  const p = PRICES['eu-north-1'];
  const mixed = fleet('core', 1, 3, ['m5.xlarge']);
  const perHour = p.ec2Hour['m5.xlarge'] + p.emrUpliftHour['m5.xlarge'] + 3 * (p.ec2Hour['m5.xlarge'] * p.spotFactor + p.emrUpliftHour['m5.xlarge']);
  expect(estimateClusterCost([mixed], 1.5, false, p)).toBeCloseTo(1.5 * perHour, 10);
});
