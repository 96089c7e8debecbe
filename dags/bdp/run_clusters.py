"""A run's cluster, created at most once and always terminated: the provider's EMR operators, keyed by tags.

Every cluster of a run carries `bdp:environment` and `bdp:airflow-run-id`. Creation first looks for an
active cluster with both tags, so an Airflow retry of `create_cluster` (e.g. after a throttled follow-up
call) reuses the cluster an earlier try started. A duplicate that no retry can see coming (botocore
resends RunJobFlow after a lost reply) still dies: the teardown terminates every active cluster with the
run's tags, then checks that each one is shutting down.

On the local runtime there is no cluster: creation is skipped, and the teardown runs (it must, after
any step) but only says so; its AWS settings, absent from a local Variable, are never rendered.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from airflow.providers.amazon.aws.hooks.emr import EmrHook
from airflow.providers.amazon.aws.operators.base_aws import AwsBaseOperator
from airflow.providers.amazon.aws.operators.emr import EmrCreateJobFlowOperator
from airflow.providers.amazon.aws.utils.mixins import aws_template_fields

from bdp import platform
from bdp.emr_config import ENVIRONMENT_TAG, RUN_ID_TAG, cluster_name_prefix, run_tag_value
from bdp.reaping import ACTIVE_STATES, describe_active_clusters, tags_of


def find_run_clusters(emr: Any, *, environment: str, run_tag: str) -> list[str]:
    """Ids of the active clusters of this environment tagged with this run, oldest first."""
    wanted = {ENVIRONMENT_TAG: environment, RUN_ID_TAG: run_tag}
    clusters = [
        cluster
        for cluster in describe_active_clusters(emr, name_prefix=cluster_name_prefix(environment))
        if wanted.items() <= tags_of(cluster).items()
    ]
    clusters.sort(key=lambda cluster: cluster["Status"]["Timeline"]["CreationDateTime"])
    return [cluster["Id"] for cluster in clusters]


class CreateRunClusterOperator(EmrCreateJobFlowOperator):
    """RunJobFlow, unless an earlier try of this run already started a cluster: then return that one."""

    def execute(self, context) -> str | None:
        tags = tags_of(self.job_flow_overrides)
        earlier = find_run_clusters(self.hook.conn, environment=tags[ENVIRONMENT_TAG], run_tag=tags[RUN_ID_TAG])
        if earlier:
            self.log.warning("Reusing cluster %s, started by an earlier try of this run", earlier[0])
            return earlier[0]
        return super().execute(context)


class TerminateRunClustersOperator(AwsBaseOperator[EmrHook]):
    """TerminateJobFlows on every active cluster of this run, then verify that each is shutting down.

    Fails (and is retried) while any of them is still active after `verify_attempts` checks.
    """

    aws_hook_class = EmrHook
    template_fields = aws_template_fields("environment")

    def __init__(self, *, environment: str, verify_attempts: int = 10, verify_delay: float = 15, **kwargs):
        super().__init__(**kwargs)
        self.environment = environment
        self.verify_attempts = verify_attempts
        self.verify_delay = verify_delay
        self.local = False

    def render_template_fields(self, context, jinja_env=None) -> None:
        self.local = platform.runtime() == platform.LOCAL
        if not self.local:
            super().render_template_fields(context, jinja_env)

    def execute(self, context: Mapping[str, Any]) -> list[str]:
        if self.local:
            self.log.info("Runtime local: the steps ran on this machine, there is no cluster to terminate")
            return []
        emr = self.hook.conn
        cluster_ids = find_run_clusters(emr, environment=self.environment, run_tag=run_tag_value(context["run_id"]))
        if not cluster_ids:
            self.log.info("No active cluster of this run: nothing to terminate")
            return []
        self.log.info("Terminating %s", cluster_ids)
        emr.terminate_job_flows(JobFlowIds=cluster_ids)
        for attempt in range(self.verify_attempts):
            states = {cluster_id: _state(emr, cluster_id) for cluster_id in cluster_ids}
            still_active = {cluster_id: state for cluster_id, state in states.items() if state in ACTIVE_STATES}
            if not still_active:
                self.log.info("Shutting down: %s", states)
                return cluster_ids
            if attempt + 1 < self.verify_attempts:
                time.sleep(self.verify_delay)
        raise RuntimeError(f"clusters still active after TerminateJobFlows: {still_active}")


def _state(emr: Any, cluster_id: str) -> str:
    return emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"]["State"]
