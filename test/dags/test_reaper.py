"""The cluster reaper: which clusters are stale, and a whole run against moto's EMR."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.exceptions import ClientError

from bdp.reaping import DEFAULT_MAX_AGE_HOURS, describe_active_clusters, select_stale_clusters
from dag_test_support import emr_backend

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
MAX_AGE = timedelta(hours=6)


def cluster(cluster_id: str, *, age_hours: float, state: str = "RUNNING", tags: dict | None = None) -> dict:
    """A DescribeCluster `Cluster`, reduced to what the selection reads."""
    return {
        "Id": cluster_id,
        "Status": {"State": state, "Timeline": {"CreationDateTime": NOW - timedelta(hours=age_hours)}},
        "Tags": [{"Key": key, "Value": value} for key, value in (tags or {}).items()],
    }


DEV = {"bdp:environment": "dev", "project": "big-data-platform"}
SELECT = {"environment": "dev", "now": NOW, "max_age": MAX_AGE}


@pytest.mark.parametrize("state", ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"])
def test_an_old_active_cluster_of_this_environment_is_stale(state):
    assert select_stale_clusters([cluster("j-old", age_hours=7, state=state, tags=DEV)], **SELECT) == ["j-old"]


@pytest.mark.parametrize(
    "candidate",
    [
        cluster("j-young", age_hours=5.9, tags=DEV),
        cluster("j-just-at-limit", age_hours=6, tags=DEV),
        cluster("j-untagged", age_hours=48),
        cluster("j-project-only", age_hours=48, tags={"project": "big-data-platform"}),
        cluster("j-prod", age_hours=48, tags={"bdp:environment": "prod"}),
        cluster("j-terminating", age_hours=48, state="TERMINATING", tags=DEV),
        cluster("j-terminated", age_hours=48, state="TERMINATED_WITH_ERRORS", tags=DEV),
    ],
    ids=lambda candidate: candidate["Id"],
)
def test_other_clusters_are_never_selected(candidate):
    assert select_stale_clusters([candidate], **SELECT) == []


def test_the_default_age_outlasts_the_longest_pipeline_run():
    from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor

    from bdp_pipeline import demo

    # Sensors run one after another, each with its own timeout; starting the cluster takes up to ~1 h.
    longest = sum((task.timeout for task in demo.tasks if isinstance(task, EmrStepSensor)), 0.0) + 3600
    assert longest < DEFAULT_MAX_AGE_HOURS * 3600


class TagConditionedEmr:
    """An EMR client that, like CDK's IAM policy, denies DescribeCluster on clusters not tagged for dev."""

    def __init__(self, client, fail_with: str = "AccessDeniedException"):
        self.client, self.fail_with = client, fail_with

    def get_paginator(self, name):
        return self.client.get_paginator(name)

    def describe_cluster(self, ClusterId):  # noqa: N803 (boto3's argument name)
        found = self.client.describe_cluster(ClusterId=ClusterId)
        if {"Key": "bdp:environment", "Value": "dev"} not in found["Cluster"]["Tags"]:
            raise ClientError({"Error": {"Code": self.fail_with, "Message": "denied"}}, "DescribeCluster")
        return found


def start_cluster(emr, name: str, *, age_hours: float, tags: dict | None = None) -> str:
    cluster_id = emr.run_job_flow(
        Name=name,
        ReleaseLabel="emr-7.14.0",
        Instances={"MasterInstanceType": "m5.xlarge", "InstanceCount": 1, "KeepJobFlowAliveWhenNoSteps": True},
        JobFlowRole="role",
        ServiceRole="role",
        Tags=[{"Key": key, "Value": value} for key, value in (tags or {}).items()],
    )["JobFlowId"]
    backend_cluster = emr_backend(emr.meta.region_name).clusters[cluster_id]
    backend_cluster.creation_datetime -= timedelta(hours=age_hours)
    return cluster_id


@pytest.fixture
def emr(aws):
    return boto3.client("emr", region_name=aws["region"])


def test_describe_skips_clusters_the_role_may_not_see(emr):
    ours = start_cluster(emr, "ours", age_hours=1, tags=DEV)
    start_cluster(emr, "someone-elses", age_hours=1)

    assert [found["Id"] for found in describe_active_clusters(TagConditionedEmr(emr))] == [ours]


def test_describe_raises_other_errors(emr):
    start_cluster(emr, "someone-elses", age_hours=1)

    with pytest.raises(ClientError, match="ThrottlingException"):
        describe_active_clusters(TagConditionedEmr(emr, fail_with="ThrottlingException"))


@pytest.mark.usefixtures("airflow_db")
def test_a_reaper_run_terminates_only_stale_clusters_of_its_environment(emr):
    from bdp_cluster_reaper import dag

    age = DEFAULT_MAX_AGE_HOURS + 1
    stale = start_cluster(emr, "stale", age_hours=age, tags=DEV)
    young = start_cluster(emr, "young", age_hours=1, tags=DEV)
    untagged = start_cluster(emr, "untagged", age_hours=age)
    prod = start_cluster(emr, "prod", age_hours=age, tags={"bdp:environment": "prod"})

    run = dag.test()

    assert run.state == "success"
    states = {
        cluster_id: emr_backend(emr.meta.region_name).clusters[cluster_id].state
        for cluster_id in (stale, young, untagged, prod)
    }
    assert states == {stale: "TERMINATED", young: "WAITING", untagged: "WAITING", prod: "WAITING"}
