import { type Cluster, TerminateJobFlowsCommand } from '@aws-sdk/client-emr';
import { CLUSTER_ENVIRONMENT_TAG } from '../../lib/naming';
import type { OpsContext } from '../context';
import { formatDuration } from '../duration';
import { ACTIVE_STATES, clusterEnvironment, describeClusters, listClusterIds } from '../emr-clusters';
import { ExitCode, describeFailure } from '../errors';
import { formatTable } from '../table';

export interface ReapOptions {
  /** Only clusters up longer than this are terminated. */
  readonly olderThanMs: number;
  readonly dryRun: boolean;
  /** Consider only these clusters; by default every active cluster of the region. */
  readonly clusterIds: readonly string[];
}

export type ReapAction = 'terminate' | 'keep' | 'refuse';

export interface ReapDecision {
  readonly id: string;
  readonly name: string;
  readonly action: ReapAction;
  readonly reason: string;
}

/**
 * What to do with each cluster. Only a cluster tagged for this environment, active, unprotected
 * and older than the limit is terminated; one without the environment's tag is refused, whatever
 * else is true of it, because it is not the platform's to touch.
 */
export function decideReap(clusters: readonly Cluster[], environment: string, now: Date, olderThanMs: number): ReapDecision[] {
  return clusters.map((cluster) => {
    const decision = (action: ReapAction, reason: string): ReapDecision => ({ id: cluster.Id ?? '?', name: cluster.Name ?? '', action, reason });
    const tagged = clusterEnvironment(cluster);
    if (tagged !== environment) {
      return decision('refuse', `not tagged ${CLUSTER_ENVIRONMENT_TAG}=${environment} (${tagged === undefined ? 'no such tag' : `tagged ${tagged}`}): never touched`);
    }
    const state = cluster.Status?.State;
    if (!state || !ACTIVE_STATES.includes(state)) return decision('keep', `already ${state ?? 'in an unknown state'}`);
    const created = cluster.Status?.Timeline?.CreationDateTime;
    const ageMs = created ? now.getTime() - created.getTime() : 0;
    if (ageMs <= olderThanMs) return decision('keep', `up ${formatDuration(ageMs)}, within ${formatDuration(olderThanMs)}`);
    if (cluster.TerminationProtected) return decision('refuse', `up ${formatDuration(ageMs)} but termination-protected: lift the protection deliberately first`);
    return decision('terminate', `up ${formatDuration(ageMs)}, longer than ${formatDuration(olderThanMs)}`);
  });
}

/**
 * Terminates the environment's stale clusters (or says which it would, with --dry-run). Fails
 * when a termination fails, or when a cluster the operator named was refused.
 */
export async function reap(ctx: OpsContext, options: ReapOptions): Promise<ExitCode> {
  const { emr } = ctx.clients;
  const ids = options.clusterIds.length > 0 ? options.clusterIds : await ctx.progress('Listing active EMR clusters', listClusterIds(emr, ACTIVE_STATES));
  const clusters = await ctx.progress(`Describing ${ids.length} clusters`, describeClusters(emr, ids));
  const decisions = decideReap(clusters, ctx.config.name, ctx.now(), options.olderThanMs);
  const missing = options.clusterIds.filter((id) => !clusters.some((c) => c.Id === id));

  const failures: string[] = [];
  const outcome = new Map<string, string>();
  for (const d of decisions.filter((x) => x.action === 'terminate')) {
    if (options.dryRun) {
      outcome.set(d.id, 'would terminate (dry run)');
      continue;
    }
    try {
      await ctx.progress(`Terminating ${d.id}`, emr.send(new TerminateJobFlowsCommand({ JobFlowIds: [d.id] })));
      outcome.set(d.id, 'terminating');
    } catch (error) {
      const { message } = describeFailure(error, ctx.config);
      outcome.set(d.id, 'FAILED');
      failures.push(`${d.id}: ${message}`);
    }
  }

  if (decisions.length === 0) ctx.print(`No active EMR clusters${options.clusterIds.length > 0 ? ' among those named' : ''}.`);
  else {
    const rows = decisions.map((d) => [d.id, d.name, outcome.get(d.id) ?? (d.action === 'refuse' ? 'REFUSED' : 'kept'), d.reason]);
    ctx.print(formatTable(['ID', 'NAME', 'ACTION', 'WHY'], rows));
  }
  for (const id of missing) failures.push(`${id}: no such cluster, or not visible to you`);
  for (const failure of failures) ctx.print(`error: ${failure}`);
  const refusedNamed = options.clusterIds.length > 0 && decisions.some((d) => d.action === 'refuse');
  return failures.length > 0 || refusedNamed ? ExitCode.Failed : ExitCode.Ok;
}
