import type { Cluster, ClusterState, InstanceFleet } from '@aws-sdk/client-emr';
import type { OpsContext } from '../context';
import { formatDuration } from '../duration';
import { ACTIVE_STATES, clusterEnvironment, describeClusters, listClusterIds, listInstanceFleets } from '../emr-clusters';
import { UnpricedInstanceType, unitHourPrice } from '../emr-pricing';
import { ExitCode } from '../errors';
import { type RegionPrices, pricesFor } from '../prices';
import { formatTable, usd } from '../table';

export interface ClustersOptions {
  /** Also list clusters that ended in the last week. */
  readonly all: boolean;
}

const ENDED_STATES: readonly ClusterState[] = ['TERMINATING', 'TERMINATED', 'TERMINATED_WITH_ERRORS'];
const WEEK_MS = 7 * 86_400_000;

export interface ClusterReport {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly createdAt?: Date;
  readonly upMs: number;
  readonly fleets: readonly InstanceFleet[];
  /** Undefined when a fleet's instance types are not in the price table. */
  readonly estimatedCost?: number;
}

/** How long a cluster has billed: from creation to its end, or to now while it runs. */
export function upTime(cluster: Cluster, now: Date): number {
  const { CreationDateTime: created, EndDateTime: ended } = cluster.Status?.Timeline ?? {};
  return created ? (ended ?? now).getTime() - created.getTime() : 0;
}

/**
 * Instance-hours so far times the hourly price, per market, for each fleet. Running fleets count
 * what is provisioned; ended ones (provisioned back to 0) what they targeted.
 */
export function estimateClusterCost(fleets: readonly InstanceFleet[], hours: number, ended: boolean, prices: RegionPrices): number | undefined {
  let total = 0;
  for (const fleet of fleets) {
    const options = (fleet.InstanceTypeSpecifications ?? []).map((s) => ({ instanceType: s.InstanceType ?? '', weight: s.WeightedCapacity ?? 1 }));
    if (options.length === 0) continue;
    const onDemand = (ended ? fleet.TargetOnDemandCapacity : fleet.ProvisionedOnDemandCapacity) ?? 0;
    const spot = (ended ? fleet.TargetSpotCapacity : fleet.ProvisionedSpotCapacity) ?? 0;
    try {
      total += hours * (onDemand * unitHourPrice(options, 'ON_DEMAND', prices) + spot * unitHourPrice(options, 'SPOT', prices));
    } catch (error) {
      if (error instanceof UnpricedInstanceType) return undefined;
      throw error;
    }
  }
  return total;
}

/** `primary 1 od, core 1 spot, task 2 spot`: provisioned capacity per fleet and market. */
export function describeFleets(fleets: readonly InstanceFleet[]): string {
  if (fleets.length === 0) return '-';
  return fleets
    .map((f) => {
      const parts = [f.ProvisionedOnDemandCapacity ? `${f.ProvisionedOnDemandCapacity} od` : '', f.ProvisionedSpotCapacity ? `${f.ProvisionedSpotCapacity} spot` : ''].filter(Boolean);
      return `${(f.Name ?? f.InstanceFleetType ?? '?').toLowerCase()} ${parts.join('+') || '0'}`;
    })
    .join(', ');
}

/** The environment's clusters (by tag), each with its fleets and estimated cost so far. */
export async function platformClusters(ctx: OpsContext, options: ClustersOptions): Promise<ClusterReport[]> {
  const { emr } = ctx.clients;
  const now = ctx.now();
  const states = options.all ? [...ACTIVE_STATES, ...ENDED_STATES] : [...ACTIVE_STATES, 'TERMINATING' as const];
  const ids = await ctx.progress('Listing EMR clusters', listClusterIds(emr, states, options.all ? new Date(now.getTime() - WEEK_MS) : undefined));
  const ours = (await ctx.progress(`Describing ${ids.length} clusters`, describeClusters(emr, ids))).filter((c) => clusterEnvironment(c) === ctx.config.name);
  const prices = pricesFor(ctx.config.region);
  const reports: ClusterReport[] = [];
  for (const cluster of ours) {
    const fleets = await ctx.progress(`Reading the fleets of ${cluster.Id}`, listInstanceFleets(emr, cluster.Id!));
    const upMs = upTime(cluster, now);
    const ended = ENDED_STATES.includes(cluster.Status?.State as ClusterState);
    reports.push({
      id: cluster.Id!,
      name: cluster.Name ?? '',
      state: cluster.Status?.State ?? 'UNKNOWN',
      createdAt: cluster.Status?.Timeline?.CreationDateTime,
      upMs,
      fleets,
      estimatedCost: estimateClusterCost(fleets, upMs / 3_600_000, ended, prices),
    });
  }
  return reports.sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0));
}

export function formatClusters(environment: string, reports: readonly ClusterReport[]): string {
  if (reports.length === 0) return `No EMR clusters tagged bdp:environment=${environment}.`;
  const rows = reports.map((r) => [r.id, r.name, r.state, r.createdAt?.toISOString().slice(0, 16).replace('T', ' ') ?? '-', formatDuration(r.upMs), describeFleets(r.fleets), r.estimatedCost === undefined ? 'n/a' : usd(r.estimatedCost)]);
  const table = formatTable(['ID', 'NAME', 'STATE', 'CREATED (UTC)', 'UP', 'FLEETS (units)', 'EST. COST'], rows, { align: ['left', 'left', 'left', 'left', 'right', 'left', 'right'] });
  const total = reports.reduce((sum, r) => sum + (r.estimatedCost ?? 0), 0);
  const unpriced = reports.some((r) => r.estimatedCost === undefined) ? ' n/a: an instance type missing from the price table, not counted.' : '';
  return `${table}\n\nEstimated cost so far: ${usd(total)} (list prices, spot at a typical discount; see ops/prices.ts).${unpriced}`;
}

export async function clusters(ctx: OpsContext, options: ClustersOptions): Promise<ExitCode> {
  ctx.print(formatClusters(ctx.config.name, await platformClusters(ctx, options)));
  return ExitCode.Ok;
}
