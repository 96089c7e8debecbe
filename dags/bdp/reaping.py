"""Which platform clusters are stale: tagged for this environment, still active, older than a run can be."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from bdp.emr_config import DEMO_JOBS, ENVIRONMENT_TAG, STEP_TIMEOUT

ACTIVE_STATES = ("STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING")

# A run's cluster lives at most as long as its steps' sensors wait, plus start-up (spot timeout, then
# on demand). A cluster older than that has outlived its run: its teardown never ran.
LONGEST_RUN = len(DEMO_JOBS) * STEP_TIMEOUT + timedelta(hours=1)
DEFAULT_MAX_AGE_HOURS = math.ceil(LONGEST_RUN / timedelta(hours=1)) + 1


def select_stale_clusters(
    clusters: Iterable[Mapping[str, Any]], *, environment: str, now: datetime, max_age: timedelta
) -> list[str]:
    """Ids of the DescribeCluster `Cluster`s to terminate. Clusters without this environment's tag never are."""
    return [
        cluster["Id"]
        for cluster in clusters
        if tags_of(cluster).get(ENVIRONMENT_TAG) == environment
        and cluster["Status"]["State"] in ACTIVE_STATES
        and now - cluster["Status"]["Timeline"]["CreationDateTime"] > max_age
    ]


def describe_active_clusters(emr: Any, name_prefix: str = "") -> list[dict[str, Any]]:
    """DescribeCluster of every active cluster in the region (named `name_prefix`...), given a boto3 EMR client.

    CDK's policy lets the MWAA role describe only clusters tagged with its environment, so AccessDenied
    on other clusters is expected: they are not ours and are skipped.
    """
    clusters = []
    for page in emr.get_paginator("list_clusters").paginate(ClusterStates=list(ACTIVE_STATES)):
        for summary in page["Clusters"]:
            if not summary["Name"].startswith(name_prefix):
                continue
            try:
                clusters.append(emr.describe_cluster(ClusterId=summary["Id"])["Cluster"])
            except ClientError as error:
                if error.response["Error"]["Code"] not in ("AccessDenied", "AccessDeniedException"):
                    raise
    return clusters


def tags_of(cluster: Mapping[str, Any]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in cluster.get("Tags", [])}
