"""Whole runs of the daily pipeline against moto's EMR: the cluster always dies, failures stay failures.

Each fault run also records the AWS calls the DAG code makes (`iam_requests`) and checks that
dags/bdp/aws_calls.json declares every one of them.

Differences from production, all confined to these tests:
* Sensors poke instead of deferring (`deferrable=False`): a deferred sensor's trigger polls through
  aiobotocore, which moto's in-process mock does not intercept.
* moto never runs a step, so `step_outcomes` scripts the state each step reports, as EMR would with
  CANCEL_AND_WAIT (a failed step, then the later steps cancelled).
* moto accepts and ignores Instances.InstanceFleets, so the production request is sent unchanged.
* Retries wait no time and the sensor timeout is shortened where a test says so; the counts are real.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pendulum
import pytest

from bdp.emr_config import DAILY_JOBS
from bdp.reaping import ACTIVE_STATES
from dag_test_support import emr_backend, published_alerts
from iam_requests import RECORDER, undeclared

LOGICAL_DATE = pendulum.datetime(2026, 11, 21, 1, tz="UTC")  # the run after this one's interval processes 11-21
RUN_DATE = "2026-11-21"
FIRST, SECOND, *LATER = DAILY_JOBS


@dataclass
class Run:
    state: str
    task_states: dict[str, str]
    tries: dict[str, int]
    requests: list[dict[str, Any]]


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


def run_daily_pipeline(sensor_timeout: float | None = None) -> Run:
    from bdp_pipeline import DAILY_SCHEDULE, pipeline_dag

    dag = pipeline_dag(
        "bdp_daily_pipeline", jobs=DAILY_JOBS, schedule=DAILY_SCHEDULE, doc_md="test run", deferrable=False
    )
    for task in dag.tasks:
        task.retry_delay, task.retry_exponential_backoff = timedelta(0), False
        if task.task_id == "terminate_cluster":
            task.verify_delay = 0
        if sensor_timeout and task.task_id.startswith("watch_"):
            task.timeout, task.poke_interval = sensor_timeout, sensor_timeout / 4
    with RECORDER.record() as requests:
        run = dag.test(logical_date=LOGICAL_DATE)
    tis = run.get_task_instances()
    return Run(run.state, {ti.task_id: ti.state for ti in tis}, {ti.task_id: ti.try_number for ti in tis}, requests)


def clusters(platform) -> list:
    return list(emr_backend(platform["region"]).clusters.values())


def active_clusters(platform) -> list[str]:
    return [cluster.id for cluster in clusters(platform) if cluster.state in ACTIVE_STATES]


def alerts(platform) -> list[str]:
    return [message for _, message, *_ in published_alerts(platform)]


def aws_error(code: str, status: int = 400):
    from moto.core.exceptions import JsonRESTError

    error = JsonRESTError(code, f"injected {code}")
    error.code = status
    return error


def assert_ended_cleanly_with_one_alert(platform, run: Run, failed_task: str, bindings) -> None:
    """The fault contract: the run failed, no cluster is active, one alert names the task that failed."""
    assert run.state == "failed"
    assert active_clusters(platform) == []
    [message] = alerts(platform)
    assert f"failed at task {failed_task} " in message
    assert undeclared(run.requests, bindings) == []


@pytest.mark.usefixtures("airflow_db")
def test_a_passing_run_succeeds_quietly_and_terminates_the_cluster(aws, step_outcomes, request_bindings):
    step_outcomes.update(dict.fromkeys(DAILY_JOBS, "COMPLETED"))

    run = run_daily_pipeline()

    assert run.state == "success"
    local_steps = {f"spark_{job}" for job in DAILY_JOBS}  # the local runtime's path, not taken
    assert {task for task, state in run.task_states.items() if state != "success"} == local_steps
    assert {run.task_states[task] for task in local_steps} == {"skipped"}
    [cluster] = clusters(aws)
    assert cluster.state == "TERMINATED"
    assert cluster.name == f"bdp-dev-{RUN_DATE}"
    assert {"Key": "bdp:environment", "Value": "dev"} in cluster.tags
    assert [step.name for step in cluster.steps] == [f"{job} {RUN_DATE}" for job in DAILY_JOBS]
    assert all(step.args[step.args.index("--date") + 1] == RUN_DATE for step in cluster.steps)
    assert alerts(aws) == []
    assert undeclared(run.requests, request_bindings) == []


@pytest.mark.usefixtures("airflow_db")
def test_run_job_flow_failing_fails_the_run_after_retries_and_alerts_once(aws, monkeypatch, request_bindings):
    from moto.emr.models import ElasticMapReduceBackend

    def refuse(self, **kwargs):
        raise aws_error("ValidationException")

    monkeypatch.setattr(ElasticMapReduceBackend, "run_job_flow", refuse)

    run = run_daily_pipeline()

    assert_ended_cleanly_with_one_alert(aws, run, "create_cluster", request_bindings)
    assert run.tries["create_cluster"] == 3  # the first try and DEFAULT_ARGS' two retries
    assert (run.task_states["terminate_cluster"], run.task_states["steps_succeeded"]) == ("success", "upstream_failed")
    assert clusters(aws) == []


@pytest.mark.usefixtures("airflow_db")
@pytest.mark.parametrize("step_state", ["FAILED", "CANCELLED"])
def test_a_failed_or_cancelled_step_fails_the_run_alerts_once_and_terminates(
    aws, step_outcomes, request_bindings, step_state
):
    step_outcomes.update({FIRST: "COMPLETED", SECOND: step_state, **dict.fromkeys(LATER, "CANCELLED")})

    run = run_daily_pipeline()

    assert_ended_cleanly_with_one_alert(aws, run, f"watch_{SECOND}", request_bindings)
    assert run.task_states[f"watch_{FIRST}"] == "success"
    assert {run.task_states[f"watch_{job}"] for job in LATER} == {"upstream_failed"}
    assert run.task_states["terminate_cluster"] == "success"
    assert [cluster.state for cluster in clusters(aws)] == ["TERMINATED"]


@pytest.mark.usefixtures("airflow_db")
def test_a_sensor_timing_out_fails_the_run_alerts_once_and_terminates(aws, step_outcomes, request_bindings):
    step_outcomes.update(dict.fromkeys(DAILY_JOBS, "RUNNING"))

    run = run_daily_pipeline(sensor_timeout=0.4)

    assert_ended_cleanly_with_one_alert(aws, run, f"watch_{FIRST}", request_bindings)
    assert run.tries[f"watch_{FIRST}"] == 1  # sensors are not retried: a retry would restart the budget
    assert [cluster.state for cluster in clusters(aws)] == ["TERMINATED"]


@pytest.mark.usefixtures("airflow_db")
def test_a_lost_cluster_fails_the_run_and_alerts_once(aws, monkeypatch, request_bindings):
    """Spot capacity reclaimed: EMR ends the cluster TERMINATED_WITH_ERRORS and cancels its steps."""
    from moto.emr.models import ElasticMapReduceBackend

    add_steps = ElasticMapReduceBackend.add_job_flow_steps

    def add_then_lose_the_cluster(self, job_flow_id, steps):
        added = add_steps(self, job_flow_id, steps)
        cluster = self.clusters[job_flow_id]
        cluster.state, cluster.state_change_reason = "TERMINATED_WITH_ERRORS", "spot instances reclaimed"
        for step in added:
            step.state = "CANCELLED"
        return added

    monkeypatch.setattr(ElasticMapReduceBackend, "add_job_flow_steps", add_then_lose_the_cluster)

    run = run_daily_pipeline()

    assert_ended_cleanly_with_one_alert(aws, run, f"watch_{FIRST}", request_bindings)
    assert run.task_states["terminate_cluster"] == "success"  # nothing active was left to terminate
    assert [cluster.state for cluster in clusters(aws)] == ["TERMINATED_WITH_ERRORS"]


@pytest.mark.usefixtures("airflow_db")
def test_a_failed_termination_fails_a_run_whose_steps_passed_and_alerts_once(
    aws, step_outcomes, monkeypatch, request_bindings
):
    from moto.emr.models import ElasticMapReduceBackend

    def refuse(self, job_flow_ids):
        raise aws_error("AccessDeniedException")

    step_outcomes.update(dict.fromkeys(DAILY_JOBS, "COMPLETED"))
    monkeypatch.setattr(ElasticMapReduceBackend, "terminate_job_flows", refuse)

    run = run_daily_pipeline()

    assert run.state == "failed"
    assert run.task_states["steps_succeeded"] == "success"
    assert (run.task_states["terminate_cluster"], run.tries["terminate_cluster"]) == ("failed", 3)
    [message] = alerts(aws)
    assert "failed at task terminate_cluster " in message
    assert undeclared(run.requests, request_bindings) == []
    # Nothing in the run can end a cluster EMR refuses to terminate: its AutoTerminationPolicy does once
    # the cluster idles (test_emr_config checks every cluster gets one), or the hourly reaper.
    assert len(active_clusters(aws)) == 1


@pytest.mark.usefixtures("airflow_db")
def test_an_unverified_termination_is_retried_then_fails_the_run(aws, step_outcomes, monkeypatch, request_bindings):
    """TerminateJobFlows answers OK but the cluster stays active: the teardown notices and fails."""
    from moto.emr.models import ElasticMapReduceBackend

    step_outcomes.update(dict.fromkeys(DAILY_JOBS, "COMPLETED"))
    monkeypatch.setattr(ElasticMapReduceBackend, "terminate_job_flows", lambda self, job_flow_ids: [])

    run = run_daily_pipeline()

    assert run.state == "failed"
    assert (run.task_states["terminate_cluster"], run.tries["terminate_cluster"]) == ("failed", 3)
    [message] = alerts(aws)
    assert "still active after TerminateJobFlows" in message


@pytest.mark.usefixtures("airflow_db")
def test_a_run_job_flow_resent_after_a_lost_reply_leaves_no_duplicate_running(
    aws, step_outcomes, monkeypatch, request_bindings
):
    """EMR starts the cluster but the reply is lost; botocore resends RunJobFlow, which starts another."""
    from moto.emr.responses import ElasticMapReduceResponse

    run_job_flow = ElasticMapReduceResponse.run_job_flow
    replies_lost = []

    def start_then_lose_the_first_reply(self):
        reply = run_job_flow(self)  # the cluster exists, tagged, whatever happens to the reply
        if not replies_lost:
            replies_lost.append(reply)
            raise aws_error("InternalServerError", status=500)  # botocore retries a 5xx
        return reply

    step_outcomes.update(dict.fromkeys(DAILY_JOBS, "COMPLETED"))
    monkeypatch.setattr(ElasticMapReduceResponse, "run_job_flow", start_then_lose_the_first_reply)

    run = run_daily_pipeline()

    started = clusters(aws)
    assert len(started) == 2  # the duplicate exists: RunJobFlow has no idempotency token
    assert {cluster.state for cluster in started} == {"TERMINATED"}  # the teardown found both by the run's tag
    assert run.state == "success"  # the steps ran once, on the cluster whose id was returned
    assert [len(cluster.steps) for cluster in started] == [0, len(DAILY_JOBS)]
    assert alerts(aws) == []
    assert undeclared(run.requests, request_bindings) == []


@pytest.mark.usefixtures("airflow_db")
def test_a_create_cluster_retry_reuses_the_cluster_of_its_first_try(aws, step_outcomes, monkeypatch, request_bindings):
    """RunJobFlow succeeds, the follow-up DescribeCluster is throttled beyond botocore's retries."""
    from moto.emr.responses import ElasticMapReduceResponse

    describe_cluster = ElasticMapReduceResponse.describe_cluster
    throttled = []

    def throttle_the_first_describe(self):
        if not throttled:
            throttled.append(self._get_param("ClusterId"))
            raise aws_error("ThrottlingException")
        return describe_cluster(self)

    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # botocore gives up at once, as it would after its retries
    step_outcomes.update(dict.fromkeys(DAILY_JOBS, "COMPLETED"))
    monkeypatch.setattr(ElasticMapReduceResponse, "describe_cluster", throttle_the_first_describe)

    run = run_daily_pipeline()

    assert run.tries["create_cluster"] == 2
    [cluster] = clusters(aws)
    assert cluster.id == throttled[0]
    assert cluster.state == "TERMINATED"
    assert run.state == "success"
    assert alerts(aws) == []
    assert [action for action in (r["action"] for r in run.requests) if action.endswith("RunJobFlow")] == [
        "elasticmapreduce:RunJobFlow"
    ]
    assert undeclared(run.requests, request_bindings) == []


@pytest.mark.usefixtures("airflow_db")
def test_a_failure_to_add_steps_still_terminates_the_cluster(aws, monkeypatch, request_bindings):
    from moto.emr.models import ElasticMapReduceBackend

    def refuse(self, job_flow_id, steps):
        raise aws_error("ValidationException")

    monkeypatch.setattr(ElasticMapReduceBackend, "add_job_flow_steps", refuse)

    run = run_daily_pipeline()

    assert_ended_cleanly_with_one_alert(aws, run, "add_steps", request_bindings)
    assert run.task_states["terminate_cluster"] == "success"
    assert [cluster.state for cluster in clusters(aws)] == ["TERMINATED"]
