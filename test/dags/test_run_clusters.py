"""Which clusters belong to a run: the lookup a retried create_cluster and the teardown rely on."""

from __future__ import annotations

from datetime import timedelta

import boto3
import pytest

from bdp.emr_config import ENVIRONMENT_TAG, RUN_ID_TAG, cluster_name_prefix
from bdp.run_clusters import find_run_clusters
from dag_test_support import emr_backend

RUN_TAG = "scheduled__2026-11-21T01:00:00+00:00"


@pytest.fixture
def emr(aws):
    return boto3.client("emr", region_name=aws["region"])


def start(emr, *, environment="dev", run_tag=RUN_TAG, name=None, age_hours=0.0) -> str:
    cluster_id = emr.run_job_flow(
        Name=name or f"{cluster_name_prefix(environment)}2026-11-21",
        ReleaseLabel="emr-7.14.0",
        Instances={"MasterInstanceType": "m5.xlarge", "InstanceCount": 1, "KeepJobFlowAliveWhenNoSteps": True},
        JobFlowRole="role",
        ServiceRole="role",
        Tags=[{"Key": ENVIRONMENT_TAG, "Value": environment}, {"Key": RUN_ID_TAG, "Value": run_tag}],
    )["JobFlowId"]
    emr_backend(emr.meta.region_name).clusters[cluster_id].creation_datetime -= timedelta(hours=age_hours)
    return cluster_id


def test_only_active_clusters_of_this_environment_and_run_are_found_oldest_first(emr):
    newer = start(emr, age_hours=1)
    older = start(emr, age_hours=2)
    start(emr, run_tag="manual__other")
    start(emr, environment="prod")
    start(emr, name="someone-elses-cluster")  # the run's tags, but not a platform cluster's name
    emr.terminate_job_flows(JobFlowIds=[start(emr, age_hours=3)])

    assert find_run_clusters(emr, environment="dev", run_tag=RUN_TAG) == [older, newer]


def test_no_cluster_is_found_before_the_first_is_started(emr):
    assert find_run_clusters(emr, environment="dev", run_tag=RUN_TAG) == []
