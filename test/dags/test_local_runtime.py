"""The local runtime end to end: `make local-run` runs the real DAGs, their steps on real Spark, into a
temporary lake, and its exit code and task states tell the truth.

Expectations come from etl/bdp_etl/datasets.json, the pipeline's job list and what the run read and
wrote (silver and bronze, summarised by lake_summary.py), never from shipped figures. A few thousand
rows keep each run to about a minute and a half on two cores.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from bdp.emr_config import DAILY_JOBS, DEMO_JOBS
from dag_test_support import REPO

RUN_DATE = "2026-11-21"
ROWS = 3000
EMR_TASKS = ("create_cluster", "add_steps")


@dataclass
class LocalRun:
    returncode: int
    output: str
    state: str
    task_states: dict[str, str]
    lake: Path


def local_run(tmp: Path, dag: str, lake: Path) -> LocalRun:
    """`make local-run` in a state folder of its own, as a user runs it (no test settings of Airflow's)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW")}
    home = tmp / "home"
    settings = [f"ETL_LAKE={lake}", f"LOCAL_HOME={home}"]
    result = subprocess.run(
        ["make", "--no-print-directory", "local-run", f"DAG={dag}", f"ROWS={ROWS}", f"ETL_DATE={RUN_DATE}", *settings],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    with sqlite3.connect(home / "airflow" / "airflow.db") as db:
        [(run_id, state)] = db.execute(
            "SELECT run_id, state FROM dag_run WHERE dag_id = ? ORDER BY start_date DESC LIMIT 1", (dag,)
        ).fetchall()
        tasks = dict(
            db.execute("SELECT task_id, state FROM task_instance WHERE dag_id = ? AND run_id = ?", (dag, run_id))
        )
    return LocalRun(result.returncode, result.stdout + result.stderr, state, tasks, lake)


def iceberg_jar() -> Path:
    """The Iceberg runtime jar `make dags-test` fetches before pytest starts (looked up when used,
    so a test run started some other way fails on the missing jar, not at import)."""
    return next((REPO / ".jars").glob("iceberg-spark-runtime-*.jar"))


def lake_summary(lake: Path) -> dict:
    """lake_summary.py's JSON, from the same PySpark and Iceberg runtime the steps used."""
    spark_submit = [REPO / ".venv/bin/spark-submit", "--properties-file", "etl/conf/spark-local.conf"]
    result = subprocess.run(
        [*spark_submit, "--jars", iceberg_jar(), "test/dags/lake_summary.py", lake, RUN_DATE],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO / "etl"), "PYSPARK_PYTHON": str(REPO / ".venv/bin/python")}
        | {"SPARK_LOCAL_IP": "127.0.0.1"},
        capture_output=True,
        text=True,
        check=True,
    )
    [line] = [line for line in result.stdout.splitlines() if line.startswith("LAKE_SUMMARY ")]
    return json.loads(line.removeprefix("LAKE_SUMMARY "))


def declared(zone: str) -> dict[str, list[str]]:
    """The datasets.json declaration of a zone: dataset name → column names, the partition key last."""
    declaration = json.loads((REPO / "etl/bdp_etl/datasets.json").read_text())
    key = declaration["partitionKey"]["name"]
    return {
        entry["name"]: [column["name"] for column in entry["columns"]] + [key]
        for entry in declaration["datasets"]
        if entry["zone"] == zone
    }


def assert_printed_task_states(run: LocalRun) -> None:
    assert "Task states of" in run.output
    for task_id in run.task_states:
        assert task_id in run.output


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> LocalRun:
    tmp = tmp_path_factory.mktemp("local-demo")
    return local_run(tmp, "bdp_demo_pipeline", tmp / "lake")


def test_the_demo_dag_runs_locally_to_success_with_the_cluster_tasks_skipped(demo_run):
    assert demo_run.returncode == 0, demo_run.output[-5000:]
    assert demo_run.state == "success"
    assert {demo_run.task_states[f"spark_{job}"] for job in DEMO_JOBS} == {"success"}
    assert {demo_run.task_states[task] for task in EMR_TASKS} == {"skipped"}
    assert {demo_run.task_states[f"watch_{job}"] for job in DEMO_JOBS} == {"skipped"}
    # The teardown runs on every path; here it has no cluster to end.
    assert demo_run.task_states["terminate_cluster"] == "success"
    assert demo_run.task_states["steps_succeeded"] == "success"
    assert_printed_task_states(demo_run)


def test_gold_holds_every_declared_table_agreeing_with_silver(demo_run):
    summary = lake_summary(demo_run.lake)
    tables = summary["tables"]

    assert tables["bronze.events"]["rows"] >= ROWS  # the generated events, and the re-delivered copies
    for zone in ("silver", "gold"):
        for name, columns in declared(zone).items():
            assert tables[f"{zone}.{name}"]["columns"] == columns, f"{zone}.{name}"
            assert tables[f"{zone}.{name}"]["rows"] > 0, f"{zone}.{name}"
    # Every bronze event is accepted into silver or quarantined; gold adds up to silver.
    silver_rows = tables["silver.events"]["rows"]
    assert tables["bronze.events"]["rows"] == silver_rows + tables["silver.events_quarantine"]["rows"]
    assert summary["gold"] == summary["silver"]
    assert int(summary["gold"]["events"]) == silver_rows
    checks = summary["quality"]
    assert checks
    assert not [check for check in checks if check["blocking"] and check["status"] != "PASS"]


@pytest.fixture(scope="module")
def quality_failure_run(demo_run, tmp_path_factory) -> LocalRun:
    """The daily DAG on the demo's bronze, with every event file of the day landed twice: half the
    events become duplicates, far more than the quarantine rate the quality gate allows."""
    tmp = tmp_path_factory.mktemp("local-quality-failure")
    lake = tmp / "lake"
    shutil.copytree(demo_run.lake / "bronze", lake / "bronze")
    day = lake / "bronze" / "events" / f"dt={RUN_DATE}"
    for part in sorted(day.glob("*.parquet")):
        shutil.copy(part, part.with_name(f"redelivered-{part.name}"))
    return local_run(tmp, "bdp_daily_pipeline", lake)


def test_a_blocking_quality_failure_fails_the_dag_run(quality_failure_run):
    run = quality_failure_run
    quality_at = DAILY_JOBS.index("quality")

    assert run.returncode != 0
    assert run.state == "failed"
    assert {run.task_states[f"spark_{job}"] for job in DAILY_JOBS[:quality_at]} == {"success"}
    assert run.task_states["spark_quality"] == "failed"
    assert run.task_states["steps_succeeded"] == "upstream_failed"
    assert_printed_task_states(run)
    checks = lake_summary(run.lake)["quality"]
    failed = {check["check_name"]: check["blocking"] for check in checks if check["status"] == "FAIL"}
    assert failed == {"events_quarantine_rate": True}


def test_a_failed_step_skips_the_later_steps_and_still_runs_the_teardown(quality_failure_run):
    run = quality_failure_run
    later = DAILY_JOBS[DAILY_JOBS.index("quality") + 1 :]

    assert later  # maintenance: never run on data that failed its checks
    assert {run.task_states[f"spark_{job}"] for job in later} == {"upstream_failed"}
    assert run.task_states["terminate_cluster"] == "success"
    assert {run.task_states[task] for task in EMR_TASKS} == {"skipped"}
