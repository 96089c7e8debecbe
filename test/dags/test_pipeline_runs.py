"""Whole runs of the daily pipeline against moto's EMR: the cluster always dies, failures stay failures.

Differences from production, all confined to these tests:
* Sensors poke instead of deferring (`deferrable=False`): a deferred sensor's trigger polls through
  aiobotocore, which moto's in-process mock does not intercept.
* moto never runs a step, so `step_outcomes` scripts the state each step reports, as EMR would with
  CANCEL_AND_WAIT (a failed step, then the later steps cancelled).
* moto accepts and ignores Instances.InstanceFleets, so the production request is sent unchanged.
"""

from __future__ import annotations

import pendulum
import pytest

from bdp.emr_config import DAILY_JOBS
from dag_test_support import emr_backend, published_alerts

LOGICAL_DATE = pendulum.datetime(2026, 11, 21, 1, tz="UTC")  # the run after this one's interval processes 11-21
RUN_DATE = "2026-11-21"


@pytest.fixture
def step_outcomes(monkeypatch) -> dict[str, str]:
    """The state each step reaches as soon as it is added, by ETL job name; fill in before the run."""
    from moto.emr.models import ElasticMapReduceBackend

    outcomes: dict[str, str] = {}
    add_steps = ElasticMapReduceBackend.add_job_flow_steps

    def add_and_finish(self, job_flow_id, steps):
        added = add_steps(self, job_flow_id, steps)
        for step in added:
            step.state = outcomes[step.name.split()[0]]
        return added

    monkeypatch.setattr(ElasticMapReduceBackend, "add_job_flow_steps", add_and_finish)
    return outcomes


def run_daily_pipeline():
    from bdp_pipeline import DAILY_SCHEDULE, pipeline_dag

    dag = pipeline_dag(
        "bdp_daily_pipeline", jobs=DAILY_JOBS, schedule=DAILY_SCHEDULE, doc_md="test run", deferrable=False
    )
    run = dag.test(logical_date=LOGICAL_DATE)
    return run, {ti.task_id: ti.state for ti in run.get_task_instances()}


def only_cluster(platform):
    clusters = list(emr_backend(platform["region"]).clusters.values())
    assert len(clusters) == 1
    return clusters[0]


@pytest.mark.usefixtures("airflow_db")
def test_a_failed_step_fails_the_run_alerts_and_still_terminates_the_cluster(aws, step_outcomes):
    step_outcomes.update(bronze_to_silver="COMPLETED", silver_to_gold="FAILED", quality="CANCELLED")

    run, states = run_daily_pipeline()

    assert run.state == "failed"
    assert states["watch_bronze_to_silver"] == "success"
    assert states["watch_silver_to_gold"] == "failed"
    assert states["watch_quality"] == "upstream_failed"
    assert states["terminate_cluster"] == "success"
    assert only_cluster(aws).state == "TERMINATED"
    [(_, message, subject, _, _)] = published_alerts(aws)
    assert subject == "bdp dev: bdp_daily_pipeline failed"
    assert "failed at task watch_silver_to_gold" in message


@pytest.mark.usefixtures("airflow_db")
def test_a_passing_run_succeeds_quietly_and_terminates_the_cluster(aws, step_outcomes):
    step_outcomes.update(dict.fromkeys(DAILY_JOBS, "COMPLETED"))

    run, states = run_daily_pipeline()

    assert run.state == "success"
    assert set(states.values()) == {"success"}
    cluster = only_cluster(aws)
    assert cluster.state == "TERMINATED"
    assert cluster.name == f"bdp-dev-{RUN_DATE}"
    assert {"Key": "bdp:environment", "Value": "dev"} in cluster.tags
    assert [step.name for step in cluster.steps] == [f"{job} {RUN_DATE}" for job in DAILY_JOBS]
    assert all(step.args[step.args.index("--date") + 1] == RUN_DATE for step in cluster.steps)
    assert published_alerts(aws) == []


@pytest.mark.usefixtures("airflow_db")
def test_a_failure_to_add_steps_still_terminates_the_cluster(aws, monkeypatch):
    from moto.emr.exceptions import ValidationException
    from moto.emr.models import ElasticMapReduceBackend

    def refuse(self, job_flow_id, steps):
        raise ValidationException("steps refused")

    monkeypatch.setattr(ElasticMapReduceBackend, "add_job_flow_steps", refuse)

    run, states = run_daily_pipeline()

    assert run.state == "failed"
    assert states["add_steps"] == "failed"
    assert states["terminate_cluster"] == "success"
    assert only_cluster(aws).state == "TERMINATED"
    assert ["failed at task add_steps" in message for _, message, *_ in published_alerts(aws)] == [True]
