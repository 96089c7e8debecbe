import {
  type Cluster,
  type ClusterState,
  DescribeClusterCommand,
  EMRClient,
  type InstanceFleet,
  paginateListClusters,
  paginateListInstanceFleets,
} from '@aws-sdk/client-emr';
import { CLUSTER_ENVIRONMENT_TAG } from '../lib/naming';

/** States of a cluster that still bills (dags/bdp/reaping.py reaps the same ones). */
export const ACTIVE_STATES: readonly ClusterState[] = ['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING'];

/** Ids of the region's clusters in the given states, across every ListClusters page. */
export async function listClusterIds(emr: EMRClient, states: readonly ClusterState[], createdAfter?: Date): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of paginateListClusters({ client: emr }, { ClusterStates: [...states], CreatedAfter: createdAfter })) {
    for (const cluster of page.Clusters ?? []) if (cluster.Id) ids.push(cluster.Id);
  }
  return ids;
}

/**
 * DescribeCluster of each id. A cluster the caller may not describe is not one of ours (the
 * platform's roles are scoped by the environment tag), so AccessDenied skips it.
 */
export async function describeClusters(emr: EMRClient, ids: readonly string[]): Promise<Cluster[]> {
  const clusters: Cluster[] = [];
  for (const id of ids) {
    try {
      const { Cluster: cluster } = await emr.send(new DescribeClusterCommand({ ClusterId: id }));
      if (cluster) clusters.push(cluster);
    } catch (error) {
      if (!(error instanceof Error) || !['AccessDenied', 'AccessDeniedException'].includes(error.name)) throw error;
    }
  }
  return clusters;
}

/** The environment a cluster is tagged for (`bdp:environment`), if any. */
export const clusterEnvironment = (cluster: Cluster): string | undefined => cluster.Tags?.find((t) => t.Key === CLUSTER_ENVIRONMENT_TAG)?.Value;

export async function listInstanceFleets(emr: EMRClient, clusterId: string): Promise<InstanceFleet[]> {
  const fleets: InstanceFleet[] = [];
  for await (const page of paginateListInstanceFleets({ client: emr }, { ClusterId: clusterId })) fleets.push(...(page.InstanceFleets ?? []));
  return fleets;
}
