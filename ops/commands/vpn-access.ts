import {
  AssociateClientVpnTargetNetworkCommand,
  type AssociationStatusCode,
  DescribeClientVpnTargetNetworksCommand,
  DisassociateClientVpnTargetNetworkCommand,
  type TargetNetwork,
} from '@aws-sdk/client-ec2';
import type { OpsContext } from '../context';
import { resolveOutput } from '../deployed-stacks';
import { ExitCode, OpsError, usageError } from '../errors';
import { formatTable } from '../table';

export const VPN_ACCESS_ACTIONS = ['on', 'off', 'status'] as const;
export type VpnAccessAction = (typeof VPN_ACCESS_ACTIONS)[number];

/** Associations in these states are billed and carry (or are about to carry) traffic. */
const LIVE: ReadonlySet<AssociationStatusCode | undefined> = new Set<AssociationStatusCode | undefined>(['associating', 'associated']);

/**
 * VPN on demand (`vpn.associatedAzCount: 0`): the Network stack keeps the Client VPN endpoint, its
 * certificates, authorisation rule, logging and security group, but no subnet association, which
 * is what the endpoint is billed for by the hour. `on` associates the first private subnet (what
 * CloudFormation would with a count of 1), `off` removes every association, `status` lists them.
 * Environments with always-on associations are CloudFormation's to manage: on and off refuse them.
 */
export async function vpnAccess(ctx: OpsContext, action: VpnAccessAction): Promise<ExitCode> {
  const { config } = ctx;
  if (!config.vpn.enabled) throw new OpsError(`Environment '${config.name}' has no Client VPN (vpn.enabled is false in lib/config/environments.ts).`, ExitCode.NotFound);
  if (action !== 'status' && config.vpn.associatedAzCount > 0) {
    throw usageError(
      `Environment '${config.name}' keeps its Client VPN always on (vpn.associatedAzCount is ${config.vpn.associatedAzCount}); its associations belong to the Network stack, so vpn-access ${action} leaves them alone. On demand is vpn.associatedAzCount: 0 (not in production).`,
    );
  }
  const endpointId = await ctx.progress('Resolving the Client VPN endpoint', resolveOutput(ctx.clients.cloudFormation, config, 'clientVpnEndpointId'));
  const associations = await ctx.progress(`Reading the associations of ${endpointId}`, targetNetworks(ctx, endpointId));
  const live = associations.filter((a) => LIVE.has(a.Status?.Code));

  if (action === 'status') {
    printAssociations(ctx, endpointId, associations);
    ctx.print(live.length > 0 ? `VPN is ON: ${live.length} association(s) billed by the hour. Turn it off with \`platform vpn-access off --env ${config.name}\`.` : `VPN is OFF: no association, nothing billed by the hour.`);
    return ExitCode.Ok;
  }

  if (action === 'on') {
    if (live.length > 0) {
      printAssociations(ctx, endpointId, live);
      ctx.print(`VPN is already on (${live[0].Status?.Code}). Connect once it is 'associated'.`);
      return ExitCode.Ok;
    }
    const [subnetId] = (await ctx.progress('Resolving the private subnets', resolveOutput(ctx.clients.cloudFormation, config, 'privateSubnetIds'))).split(',');
    const result = await ctx.progress(
      `Associating ${subnetId} with ${endpointId}`,
      ctx.clients.ec2.send(new AssociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: endpointId, SubnetId: subnetId })),
    );
    ctx.print(`Associating ${subnetId} with ${endpointId}: ${result.AssociationId ?? '?'} is ${result.Status?.Code ?? 'associating'}.`);
    ctx.print(`It takes about 5 to 10 minutes; \`platform vpn-access status --env ${config.name}\` shows 'associated' when you can connect.`);
    ctx.print(`It is billed by the hour until \`platform vpn-access off --env ${config.name}\`: turn it off when you are done.`);
    return ExitCode.Ok;
  }

  if (live.length === 0) {
    ctx.print(`VPN is already off: ${endpointId} has no association.`);
    return ExitCode.Ok;
  }
  for (const association of live) {
    const result = await ctx.progress(
      `Disassociating ${association.TargetNetworkId} from ${endpointId}`,
      ctx.clients.ec2.send(new DisassociateClientVpnTargetNetworkCommand({ ClientVpnEndpointId: endpointId, AssociationId: association.AssociationId })),
    );
    ctx.print(`Disassociating ${association.TargetNetworkId} (${association.AssociationId}): ${result.Status?.Code ?? 'disassociating'}.`);
  }
  ctx.print('Connected engineers are disconnected; the endpoint, its certificates and rules stay for next time.');
  return ExitCode.Ok;
}

async function targetNetworks(ctx: OpsContext, endpointId: string): Promise<TargetNetwork[]> {
  const all: TargetNetwork[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ctx.clients.ec2.send(new DescribeClientVpnTargetNetworksCommand({ ClientVpnEndpointId: endpointId, NextToken }));
    all.push(...(page.ClientVpnTargetNetworks ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
}

function printAssociations(ctx: OpsContext, endpointId: string, associations: readonly TargetNetwork[]): void {
  if (associations.length === 0) return;
  ctx.print(`Client VPN endpoint ${endpointId}:`);
  ctx.print(formatTable(['Association', 'Subnet', 'Status'], associations.map((a) => [a.AssociationId ?? '', a.TargetNetworkId ?? '', a.Status?.Code ?? '']), { indent: '  ' }));
}
