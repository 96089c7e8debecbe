import {
  AssociateClientVpnTargetNetworkCommand,
  type AssociationStatusCode,
  DescribeClientVpnTargetNetworksCommand,
  DisassociateClientVpnTargetNetworkCommand,
  type TargetNetwork,
} from '@aws-sdk/client-ec2';
import { loadEnvironments } from '../../lib/config';
import { ExitCode } from '../../ops/errors';
import { cli, cloudFormation, deployed, ec2, resetMocks } from './ops-harness';

const ENDPOINT = 'cvpn-endpoint-0abc';
const SUBNETS = ['subnet-0aaa', 'subnet-0bbb'];
const environments = loadEnvironments();
const onDemand = environments.filter((e) => e.vpn.enabled && e.vpn.associatedAzCount === 0).map((e) => e.name);
const alwaysOn = environments.filter((e) => e.vpn.enabled && e.vpn.associatedAzCount > 0).map((e) => e.name);

const association = (id: string, subnet: string, code: AssociationStatusCode): TargetNetwork => ({
  AssociationId: id,
  TargetNetworkId: subnet,
  ClientVpnEndpointId: ENDPOINT,
  VpcId: 'vpc-1',
  Status: { Code: code },
});

beforeEach(() => {
  resetMocks();
  deployed('Network', { ClientVpnEndpointId: ENDPOINT, PrivateSubnetIds: SUBNETS.join(','), VpcId: 'vpc-1' });
  ec2.on(DescribeClientVpnTargetNetworksCommand).resolves({ ClientVpnTargetNetworks: [] });
  ec2.on(AssociateClientVpnTargetNetworkCommand).resolves({ AssociationId: 'cvpn-assoc-01', Status: { Code: 'associating' } });
  ec2.on(DisassociateClientVpnTargetNetworkCommand).callsFake((input) => ({ AssociationId: input.AssociationId, Status: { Code: 'disassociating' } }));
});

test('dev is the environment with VPN on demand, and production never is', () => {
  expect(onDemand).toContain('dev');
  for (const env of environments.filter((e) => e.production)) expect(onDemand).not.toContain(env.name);
});

test("on: associates the Network stack's endpoint with the first private subnet, and says how long and what it costs", async () => {
  const run = await cli(['vpn-access', 'on', '--env', 'dev']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(ExitCode.Ok);
  expect(ec2.commandCalls(AssociateClientVpnTargetNetworkCommand).map((c) => c.args[0].input)).toEqual([{ ClientVpnEndpointId: ENDPOINT, SubnetId: SUBNETS[0] }]);
  expect(run.stdout).toContain(`Associating ${SUBNETS[0]} with ${ENDPOINT}: cvpn-assoc-01 is associating.`);
  expect(run.stdout).toMatch(/5 to 10 minutes/);
  expect(run.stdout).toContain('platform vpn-access off --env dev');
});

test('on: when an association is already there (or on its way), nothing new is associated', async () => {
  ec2.on(DescribeClientVpnTargetNetworksCommand).resolves({ ClientVpnTargetNetworks: [association('cvpn-assoc-01', SUBNETS[0], 'associating')] });
  const run = await cli(['vpn-access', 'on', '--env', 'dev']);
  expect(run.code).toBe(ExitCode.Ok);
  expect(ec2.commandCalls(AssociateClientVpnTargetNetworkCommand)).toHaveLength(0);
  expect(run.stdout).toContain('VPN is already on (associating)');
});

test('off: removes every live association across pages, and leaves those already going', async () => {
  ec2.on(DescribeClientVpnTargetNetworksCommand, { ClientVpnEndpointId: ENDPOINT, NextToken: undefined }).resolves({
    ClientVpnTargetNetworks: [association('cvpn-assoc-01', SUBNETS[0], 'associated'), association('cvpn-assoc-00', SUBNETS[0], 'disassociating')],
    NextToken: 'page-2',
  });
  ec2.on(DescribeClientVpnTargetNetworksCommand, { ClientVpnEndpointId: ENDPOINT, NextToken: 'page-2' }).resolves({ ClientVpnTargetNetworks: [association('cvpn-assoc-02', SUBNETS[1], 'associating')] });
  const run = await cli(['vpn-access', 'off', '--env', 'dev']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(ExitCode.Ok);
  expect(ec2.commandCalls(DisassociateClientVpnTargetNetworkCommand).map((c) => c.args[0].input)).toEqual([
    { ClientVpnEndpointId: ENDPOINT, AssociationId: 'cvpn-assoc-01' },
    { ClientVpnEndpointId: ENDPOINT, AssociationId: 'cvpn-assoc-02' },
  ]);
  expect(run.stdout).toContain(`Disassociating ${SUBNETS[1]} (cvpn-assoc-02): disassociating.`);
});

test('off: with no association it changes nothing', async () => {
  const run = await cli(['vpn-access', 'off', '--env', 'dev']);
  expect(run.code).toBe(ExitCode.Ok);
  expect(ec2.commandCalls(DisassociateClientVpnTargetNetworkCommand)).toHaveLength(0);
  expect(run.stdout).toContain('VPN is already off');
});

test('status: lists the associations and whether the hourly charge runs', async () => {
  ec2.on(DescribeClientVpnTargetNetworksCommand).resolves({ ClientVpnTargetNetworks: [association('cvpn-assoc-01', SUBNETS[0], 'associated')] });
  const on = await cli(['vpn-access', 'status', '--env', 'dev']);
  expect(on.code).toBe(ExitCode.Ok);
  expect(on.stdout).toMatch(/cvpn-assoc-01\s+subnet-0aaa\s+associated/);
  expect(on.stdout).toContain('VPN is ON: 1 association(s) billed by the hour');

  ec2.on(DescribeClientVpnTargetNetworksCommand).resolves({ ClientVpnTargetNetworks: [association('cvpn-assoc-01', SUBNETS[0], 'disassociated')] });
  const off = await cli(['vpn-access', 'status', '--env', 'dev']);
  expect(off.stdout).toContain('VPN is OFF');
  expect(ec2.commandCalls(AssociateClientVpnTargetNetworkCommand)).toHaveLength(0);
  expect(ec2.commandCalls(DisassociateClientVpnTargetNetworkCommand)).toHaveLength(0);
});

test.each(alwaysOn.flatMap((env) => [[env, 'on'], [env, 'off']]))('%s keeps its VPN always on: vpn-access %s refuses before any AWS call', async (env, action) => {
  const run = await cli(['vpn-access', action, '--env', env]);
  expect(run.code).toBe(ExitCode.Usage);
  expect(run.stderr).toMatch(/keeps its Client VPN always on \(vpn.associatedAzCount is \d\); its associations belong to the Network stack/);
  expect(cloudFormation.calls()).toHaveLength(0);
  expect(ec2.calls()).toHaveLength(0);
});

test('a missing or unknown action is a usage error', async () => {
  for (const args of [['vpn-access', '--env', 'dev'], ['vpn-access', 'up', '--env', 'dev'], ['vpn-access', 'on', 'now', '--env', 'dev']]) {
    const run = await cli(args);
    expect(run.code).toBe(ExitCode.Usage);
    expect(ec2.calls()).toHaveLength(0);
  }
});

test('an association refused by EC2 fails the command with its reason', async () => {
  ec2.on(AssociateClientVpnTargetNetworkCommand).rejects(Object.assign(new Error('The subnet has insufficient free addresses'), { name: 'InvalidParameterValue' }));
  const run = await cli(['vpn-access', 'on', '--env', 'dev']);
  expect(run.code).toBe(ExitCode.Failed);
  expect(run.stderr).toContain('InvalidParameterValue: The subnet has insufficient free addresses');
});
