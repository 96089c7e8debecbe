"""The jobs end to end through the spark-submit entry point, on a small generated lake."""

import shutil
from datetime import date

import pytest
from pyspark.errors import AnalysisException
from pyspark.testing.utils import assertDataFrameEqual

from bdp_etl.cli import main
from bdp_etl.lake import read_partition, write_partition
from bdp_etl.schema import datasets

ROWS = 1_500
NEXT_DAY = date(2026, 1, 16)


def run(job, lake, day, *extra):
    return main([job, "--date", day.isoformat(), "--lake", lake, *extra])


def snapshot(spark, lake, day):
    """Every dataset's rows for a day."""
    return {d.ref: read_partition(spark, lake, d.zone, d.name, day).collect() for d in datasets()}


def assert_same(spark, lake, day, expected):
    for d in datasets():
        assertDataFrameEqual(read_partition(spark, lake, d.zone, d.name, day), expected[d.ref])


@pytest.fixture(scope="module")
def lake(spark, tmp_path_factory, dt):
    root = str(tmp_path_factory.mktemp("lake"))
    assert run("generate", root, dt, "--rows", str(ROWS)) == 0
    for job in ("bronze_to_silver", "silver_to_gold", "quality"):
        assert run(job, root, dt) == 0
    return root


def test_a_good_date_passes_every_check(spark, lake, dt):
    results = read_partition(spark, lake, "gold", "quality_results", dt).collect()

    assert len(results) == 14
    assert {row.status for row in results if row.blocking} == {"PASS"}


def test_rerunning_a_date_gives_identical_output(spark, lake, dt):
    before = snapshot(spark, lake, dt)

    for job in ("bronze_to_silver", "silver_to_gold", "quality"):
        assert run(job, lake, dt) == 0

    assert_same(spark, lake, dt, before)
    events = read_partition(spark, lake, "silver", "events", dt)
    assert events.count() == events.select("event_id").distinct().count()


def test_running_another_date_leaves_the_first_untouched(spark, lake, dt):
    before = snapshot(spark, lake, dt)

    assert run("generate", lake, NEXT_DAY, "--rows", "300") == 0
    assert run("bronze_to_silver", lake, NEXT_DAY) == 0

    assert_same(spark, lake, dt, before)
    assert read_partition(spark, lake, "silver", "users", NEXT_DAY).count() < 300


def test_quality_fails_on_a_bad_partition(spark, lake, dt, tmp_path):
    bad_lake = str(tmp_path / "lake")
    shutil.copytree(lake, bad_lake)
    silver = read_partition(spark, lake, "silver", "events", dt)
    write_partition(silver.union(silver.limit(1)), bad_lake, "silver", "events", dt)

    assert run("quality", bad_lake, dt) == 1

    results = read_partition(spark, bad_lake, "gold", "quality_results", dt)
    failed = {row.check_name for row in results.where("status = 'FAIL'").collect()}
    assert failed == {
        "events_row_count_reconciliation",
        "events_unique_event_id",
        "daily_event_metrics_reconciliation",
    }


def test_a_failing_job_raises_instead_of_succeeding(tmp_path):
    with pytest.raises(AnalysisException, match="PATH_NOT_FOUND"):
        run("silver_to_gold", str(tmp_path), date(2030, 1, 1))


@pytest.mark.parametrize(
    "arguments",
    [
        ["generate", "--date", "2026-13-01", "--lake", "x"],
        ["generate", "--date", "2026-01-15", "--lake", "x", "--rows", "0"],
        ["publish", "--date", "2026-01-15", "--lake", "x"],
        ["quality", "--date", "2026-01-15"],
    ],
)
def test_bad_arguments_exit_with_usage(arguments, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(arguments)
    assert exit_info.value.code == 2
    assert "usage: main.py" in capsys.readouterr().err
