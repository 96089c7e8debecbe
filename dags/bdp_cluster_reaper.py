"""Hourly: terminate this environment's platform clusters that outlived their run.

A pipeline run terminates its own cluster in a teardown, and EMR terminates an idle cluster after the
configured IdleTimeout. This DAG catches what both miss, e.g. a cluster stuck in a step after its run was
marked failed by hand. It selects clusters tagged `bdp:environment=<environment>`, in an active state and
older than `max_age_hours`; it never touches clusters without that tag.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.providers.amazon.aws.hooks.emr import EmrHook
from airflow.providers.amazon.aws.operators.emr import EmrTerminateJobFlowOperator
from airflow.sdk import DAG, Param, task

from bdp import platform
from bdp.dag_defaults import AWS, DEFAULT_ARGS, START_DATE, TAGS
from bdp.reaping import DEFAULT_MAX_AGE_HOURS, describe_active_clusters, select_stale_clusters

PARAMS = {
    "max_age_hours": Param(
        DEFAULT_MAX_AGE_HOURS,
        type="integer",
        minimum=1,
        description="Terminate platform clusters older than this; the default outlasts the longest run",
    ),
}

with DAG(
    dag_id="bdp_cluster_reaper",
    schedule="@hourly",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params=PARAMS,
    tags=[*TAGS, "emr", "cost"],
    doc_md=__doc__,
) as dag:

    @task
    def find_stale_clusters(params=None) -> list[str]:
        config = platform.load()
        emr = EmrHook(aws_conn_id=AWS["aws_conn_id"], region_name=config.region).conn
        return select_stale_clusters(
            describe_active_clusters(emr),
            environment=config.environment,
            now=datetime.now(UTC),
            max_age=timedelta(hours=params["max_age_hours"]),
        )

    EmrTerminateJobFlowOperator.partial(task_id="terminate_stale_cluster", **AWS).expand(
        job_flow_id=find_stale_clusters()
    )
