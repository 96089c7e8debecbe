"""The jobs end to end through the spark-submit entry point, on a small generated lake."""

import os
import re
import signal
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pyspark.errors import AnalysisException
from pyspark.sql import functions as F
from pyspark.testing.utils import assertDataFrameEqual

from bdp_etl import jobs
from bdp_etl.cli import main
from bdp_etl.lake import (
    EmptyPartitionError,
    Lake,
    StagedWrites,
    files_per_partition,
    partition_path,
    read_bronze,
    read_partition,
    staged_writes,
)
from bdp_etl.quality import gold_check, measure_gold, reconciliation_checks
from bdp_etl.rules import CONTRACTS
from bdp_etl.schema import datasets
from bdp_etl.silver_to_gold import gold_outputs, user_activity

ROWS = 1_500
NEXT_DAY = date(2026, 1, 16)
README = Path(__file__).resolve().parents[2] / "etl" / "README.md"
TABLES = [(d.zone, d.name) for d in datasets() if d.zone != "bronze"]


def run(job, lake, day, *extra):
    return main([job, "--date", day.isoformat(), "--lake", lake.root, *extra])


def contents(spark, lake, day):
    """Every silver and gold table's rows for a day."""
    return {(z, n): read_partition(spark, lake, z, n, day).collect() for z, n in TABLES}


def assert_same(spark, lake, day, expected):
    for zone, name in TABLES:
        assertDataFrameEqual(read_partition(spark, lake, zone, name, day), expected[zone, name])


def main_snapshots(spark, lake):
    return {
        (z, n): spark.sql(f"SELECT name, snapshot_id FROM {lake.table(z, n)}.refs").collect()
        for z, n in TABLES
    }


@pytest.fixture(scope="module")
def lake(spark, tmp_path_factory, dt):
    lake = Lake(str(tmp_path_factory.mktemp("lake")))
    assert run("generate", lake, dt, "--rows", str(ROWS)) == 0
    for job in ("bronze_to_silver", "silver_to_gold", "quality"):
        assert run(job, lake, dt) == 0
    return lake


def test_a_good_date_passes_every_check_and_gold_is_reconciled(spark, lake, dt):
    results = read_partition(spark, lake, "gold", "quality_results", dt).collect()

    assert {row.status for row in results if row.blocking} == {"PASS"}
    gold = {d.name for d in datasets() if d.zone == "gold" and d.name != "quality_results"}
    assert {f"{name}_reconciliation" for name in gold} <= {row.check_name for row in results}


def test_silver_and_gold_are_iceberg_tables_with_one_file_per_small_partition(spark, lake, dt):
    for zone, name in TABLES:
        assert (Path(lake.root) / zone / name / "metadata").is_dir()
        assert files_per_partition(spark, lake, zone, name).get(dt.isoformat(), 0) <= 1


def test_rerunning_a_date_gives_identical_contents(spark, lake, dt):
    before = contents(spark, lake, dt)

    for job in ("bronze_to_silver", "silver_to_gold", "quality"):
        assert run(job, lake, dt) == 0

    assert_same(spark, lake, dt, before)
    events = read_partition(spark, lake, "silver", "events", dt)
    assert events.count() == events.select("event_id").distinct().count()


def test_a_job_failing_after_its_first_write_leaves_every_table_as_it_was(
    spark, lake, dt, monkeypatch
):
    before, snapshots = contents(spark, lake, dt), main_snapshots(spark, lake)
    merge = StagedWrites.merge

    def merge_users_then_fail(self, df, zone, name, *args):
        if name == "events":
            raise RuntimeError("injected: killed before events silver")
        merge(self, df, zone, name, *args)

    monkeypatch.setattr(StagedWrites, "merge", merge_users_then_fail)
    with pytest.raises(RuntimeError, match="injected"):
        run("bronze_to_silver", lake, dt)

    assert main_snapshots(spark, lake) == snapshots
    assert_same(spark, lake, dt, before)


def test_an_empty_bronze_partition_fails_clearly_and_writes_nothing(spark, lake, tmp_path):
    day = date(2026, 2, 1)
    Path(partition_path(lake, "bronze", "events", day)).mkdir(parents=True)
    assert run("generate", lake, day, "--rows", "50") == 0
    for path in Path(partition_path(lake, "bronze", "events", day)).iterdir():
        path.unlink()
    snapshots = main_snapshots(spark, lake)

    signal.alarm(300)  # the defect was a hang: fail rather than wait for ever
    try:
        with pytest.raises(EmptyPartitionError, match=r"bronze\.events: .* holds no data files"):
            run("bronze_to_silver", lake, day)
    finally:
        signal.alarm(0)

    assert main_snapshots(spark, lake) == snapshots


def test_an_event_delivered_again_on_a_later_date_is_a_duplicate(spark, lake, dt):
    assert run("generate", lake, NEXT_DAY, "--rows", "300") == 0
    accepted = read_partition(spark, lake, "silver", "events", dt).select("event_id")
    redelivered = read_bronze(spark, lake, "events", dt).join(accepted.limit(5), "event_id")
    redelivered.write.mode("append").parquet(partition_path(lake, "bronze", "events", NEXT_DAY))
    before = contents(spark, lake, dt)

    assert run("bronze_to_silver", lake, NEXT_DAY) == 0

    assert_same(spark, lake, dt, before)
    next_day = read_partition(spark, lake, "silver", "events", NEXT_DAY)
    assert next_day.join(accepted, "event_id").count() == 0
    quarantine = read_partition(spark, lake, "silver", "events_quarantine", NEXT_DAY)
    again = quarantine.join(accepted.limit(5), "event_id").select("reason").distinct()
    assert [row.reason for row in again.collect()] == [CONTRACTS["events"].duplicate_reason]
    # Outside the look-back window the earlier date is not searched.
    assert run("bronze_to_silver", lake, NEXT_DAY, "--lookback-days", "0") == 0
    assert (
        read_partition(spark, lake, "silver", "events", NEXT_DAY).join(accepted, "event_id").count()
        == 5
    )
    assert run("bronze_to_silver", lake, NEXT_DAY) == 0


def test_quality_fails_on_corrupted_silver_or_gold(spark, lake, dt):
    snapshots = main_snapshots(spark, lake)
    silver = read_partition(spark, lake, "silver", "events", dt)
    active = read_partition(spark, lake, "gold", "daily_active_users", dt)
    try:
        with staged_writes(spark, lake, "corrupt") as writes:
            writes.replace_partition(silver.union(silver.limit(1)), "silver", "events", dt)
            writes.replace_partition(
                active.withColumn("active_users", F.col("active_users") * 2),
                "gold",
                "daily_active_users",
                dt,
            )

        assert run("quality", lake, dt) == 1

        results = read_partition(spark, lake, "gold", "quality_results", dt)
        failed = {row.check_name for row in results.where("status = 'FAIL'").collect()}
        assert failed == {
            "events_row_count_reconciliation",
            "events_unique_event_id",
            "daily_event_metrics_reconciliation",
            "daily_active_users_reconciliation",
        }
    finally:
        for (zone, name), refs in snapshots.items():
            main = {r.name: r.snapshot_id for r in refs}["main"]
            table = lake.table(zone, name).split(".", 1)[1]
            spark.sql(f"CALL lake.system.set_current_snapshot('{table}', {main})")


def test_maintenance_compacts_expires_and_removes_orphans_without_changing_rows(spark, lake, dt):
    before = contents(spark, lake, dt)
    table = lake.table("gold", "quality_results")
    extra = read_partition(spark, lake, "gold", "quality_results", dt).withColumn(
        "dt", F.lit("2020-01-01")
    )
    for _ in range(3):  # three small files in one partition
        extra.writeTo(table).append()
    orphan = Path(lake.root) / "gold" / "quality_results" / "data" / "stray.parquet"
    orphan.write_bytes(b"not referenced by any snapshot")
    old = (datetime.now(UTC) - jobs.ORPHAN_FILE_AGE - timedelta(days=1)).timestamp()
    os.utime(orphan, (old, old))

    jobs.maintenance(spark, lake, snapshot_retention=timedelta(0))

    assert files_per_partition(spark, lake, "gold", "quality_results")["2020-01-01"] == 1
    for zone, name in TABLES:
        snapshots = spark.table(f"{lake.table(zone, name)}.snapshots").count()
        assert snapshots <= jobs.SNAPSHOTS_KEPT + 1, (zone, name)
    assert not orphan.exists()
    spark.sql(f"DELETE FROM {table} WHERE dt = '2020-01-01'")
    assert_same(spark, lake, dt, before)


def test_forgetting_a_user_deletes_their_rows_and_recomputes_gold(spark, lake, dt):
    events = read_partition(spark, lake, "silver", "events", dt)
    user_id = events.groupBy("user_id").count().orderBy(F.desc("count"), "user_id").first().user_id
    events_before = events.count()
    before = {
        name: read_partition(spark, lake, "gold", name, dt).collect()
        for name in ("daily_event_metrics", "user_segments")
    }

    assert (
        main(["forget_user", "--date", dt.isoformat(), "--lake", lake.root, "--user-id", user_id])
        == 0
    )

    for zone, name in TABLES:
        if zone == "silver":
            table = read_partition(spark, lake, zone, name, dt)
            assert table.where(F.trim("user_id") == user_id).count() == 0, name
    users = read_partition(spark, lake, "silver", "users", dt)
    events_after = read_partition(spark, lake, "silver", "events", dt)
    for name, expected in gold_outputs(users, user_activity(events_after)).items():
        stored = read_partition(spark, lake, "gold", name, dt)
        assert gold_check(name, *measure_gold(expected, stored, name)).passed, name
    removed = events_before - events_after.count()
    assert removed > 0
    metrics = read_partition(spark, lake, "gold", "daily_event_metrics", dt)
    assert (
        metrics.agg(F.sum("events")).first()[0]
        == sum(r.events for r in before["daily_event_metrics"]) - removed
    )


def test_a_failing_job_raises_instead_of_succeeding(tmp_path):
    with pytest.raises(AnalysisException, match="TABLE_OR_VIEW_NOT_FOUND"):
        run("silver_to_gold", Lake(str(tmp_path)), date(2030, 1, 1))


def test_the_readme_states_the_reconciliation_the_gate_enforces():
    enforced = reconciliation_checks("events", 3, 2, {"duplicate_event_id": 1})[0].expected
    readme = README.read_text()
    assert f"`{enforced}`" in readme
    assert not re.search(r"bronze = silver \+ quarantine\s*[-\u2212]\s*duplicates", readme)


@pytest.mark.parametrize(
    "arguments",
    [
        ["generate", "--date", "2026-13-01", "--lake", "x"],
        ["generate", "--date", "2026-01-15", "--lake", "x", "--rows", "0"],
        ["publish", "--date", "2026-01-15", "--lake", "x"],
        ["quality", "--date", "2026-01-15"],
        ["quality", "--date", "2026-01-15", "--lake", ""],
        ["quality", "--date", "2026-01-15", "--lake", " "],
        ["quality", "--date", "2026-01-15", "--lake", "x", "--namespace", "bdp_dev"],
        ["bronze_to_silver", "--date", "2026-01-15", "--lake", "x", "--lookback-days", "-1"],
        ["forget_user", "--date", "2026-01-15", "--lake", "x"],
        ["forget_user", "--date", "2026-01-15", "--lake", "x", "--user-id", ""],
    ],
)
def test_bad_arguments_exit_with_usage(arguments, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(arguments)
    assert exit_info.value.code == 2
    assert "usage: main.py" in capsys.readouterr().err
