"""make report: every chart shows what the gold tables hold, read independently through Spark."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

import duckdb
import pytest
from pyspark.sql import functions as F

from bdp_report.page import Chart, charts, render
from bdp_report.tables import LakeNotReadyError, gold_tables, load_gold


@pytest.fixture(scope="module")
def report(lake):
    con = duckdb.connect()
    sources = load_gold(con, lake.root)
    return con, sources, {chart.key: chart for chart in charts(con)}


def drawn(chart: Chart, value: str = "y") -> dict[tuple, float]:
    """What a chart draws: (trace name, x, y) -> value, or (trace name, x) -> y for bars."""
    points: dict[tuple, float] = defaultdict(float)
    for trace in chart.figure.data:
        if value == "z":
            for x, y, z in zip(trace.x, trace.y, trace.z, strict=True):
                points[x, y] += z
        else:
            for x, y in zip(trace.x, trace.y, strict=True):
                points[trace.name, x] += y
    return dict(points)


def gold(spark, lake, name):
    return spark.table(lake.table("gold", name))


def as_float(value) -> float:
    return float(value) if isinstance(value, Decimal) else value


def test_every_gold_table_is_read_at_its_newest_snapshot(spark, lake, report):
    _, sources, _ = report
    assert [s.table for s in sources] == [f"gold.{name}" for name in gold_tables()]
    for source in sources:
        name = source.table.removeprefix("gold.")
        assert source.rows == gold(spark, lake, name).count() > 0
        refs = spark.sql(
            f"SELECT snapshot_id FROM {lake.table('gold', name)}.refs WHERE name = 'main'"
        )
        assert source.snapshot_id == refs.first().snapshot_id


def test_daily_events_and_revenue_by_type(spark, lake, report, dates):
    _, _, shown = report
    rows = (
        gold(spark, lake, "daily_event_metrics")
        .groupBy("dt", "event_type")
        .agg(F.sum("events").alias("events"), F.sum("revenue").alias("revenue"))
        .collect()
    )
    assert {r.dt for r in rows} == {d.isoformat() for d in dates}
    assert drawn(shown["daily-events"]) == {(r.event_type, r.dt): r.events for r in rows}
    revenue = drawn(shown["daily-revenue"])
    assert revenue == pytest.approx({(r.event_type, r.dt): as_float(r.revenue) for r in rows})


def test_active_users_by_country(spark, lake, report):
    _, _, shown = report
    rows = gold(spark, lake, "daily_active_users").collect()
    assert drawn(shown["active-users"]) == {(r.country, r.dt): r.active_users for r in rows}


def test_segments_of_the_newest_date(spark, lake, report, dates):
    _, _, shown = report
    newest = gold(spark, lake, "user_segments").where(F.col("dt") == max(dates).isoformat())
    bands = newest.groupBy("age_band").agg(
        F.sum("users").alias("users"), F.sum("active_users").alias("active_users")
    )
    expected = {}
    for r in bands.collect():
        expected["users", r.age_band] = r.users
        expected["active_users", r.age_band] = r.active_users
    assert drawn(shown["segment-users"]) == expected
    revenue = {(r.country, r.age_band): as_float(r.revenue) for r in newest.collect()}
    assert drawn(shown["segment-revenue"], "z") == pytest.approx(revenue)


def test_quality_results_of_every_date_are_listed_and_charted(spark, lake, report, dates):
    con, sources, _ = report
    results = gold(spark, lake, "quality_results")
    page = render(con, lake.root, sources)
    table = page.split('id="quality-results"')[1]
    cells = r'<tr class="(pass|fail)"><td>([^<]+)</td><td>[^<]+</td><td>([^<]+)</td>'
    listed = re.findall(cells, table)
    expected = [(r.status.lower(), r.dt, r.check_name) for r in results.collect()]
    assert sorted(listed) == sorted(expected)

    newest = results.where(F.col("dt") == max(dates).isoformat()).groupBy("layer", "status").count()
    _, _, shown = report
    assert drawn(shown["quality-checks"]) == {
        (r.status, r.layer): r["count"] for r in newest.collect()
    }


def test_the_page_is_one_offline_file(lake, report):
    con, sources, _ = report
    page = render(con, lake.root, sources)
    assert not re.search(r"<(script|link)[^>]+(src|href)=", page)
    assert len(re.findall(r"Plotly\.newPlot\(", page)) == len(charts(con))


def test_a_lake_without_gold_names_every_missing_table(tmp_path):
    with pytest.raises(LakeNotReadyError) as raised:
        load_gold(duckdb.connect(), str(tmp_path))
    assert all(name in str(raised.value) for name in gold_tables())
    assert "make pipeline" in str(raised.value)
