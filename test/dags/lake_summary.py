"""What a local run left in the lake, as JSON, for test_local_runtime.py (run with spark-submit, etl/ on PYTHONPATH).

    spark-submit ... lake_summary.py LAKE YYYY-MM-DD

Every table the lake holds, with the columns it really has and its rows on the date; bronze's rows;
the quality results; and gold's totals beside the same figures computed here from silver.
"""

from __future__ import annotations

import json
import sys
from datetime import date

from bdp_etl.lake import Lake, read_partition, table_exists
from bdp_etl.schema import datasets
from bdp_etl.session import spark_session
from pyspark.sql import functions as sf


def main(lake_root: str, day: str) -> None:
    lake, dt = Lake(lake_root), date.fromisoformat(day)
    spark = spark_session("lake-summary", lake.root)
    summary: dict = {"tables": {}}
    for declared in datasets():
        zone, name = declared.zone, declared.name
        if zone == "bronze":
            summary["tables"][declared.ref] = {"rows": read_partition(spark, lake, zone, name, dt).count()}
        elif table_exists(spark, lake, zone, name):
            summary["tables"][declared.ref] = {
                "columns": spark.table(lake.table(zone, name)).columns,
                "rows": read_partition(spark, lake, zone, name, dt).count(),
            }
    if table_exists(spark, lake, "gold", "quality_results"):
        results = read_partition(spark, lake, "gold", "quality_results", dt)
        summary["quality"] = [row.asDict() for row in results.collect()]
    if table_exists(spark, lake, "gold", "daily_event_metrics"):
        events = read_partition(spark, lake, "silver", "events", dt)
        gold = read_partition(spark, lake, "gold", "daily_event_metrics", dt)
        active = read_partition(spark, lake, "gold", "daily_active_users", dt)
        summary["silver"] = _figures(
            events.agg(
                sf.count(sf.lit(1)).alias("events"),
                sf.sum("amount").alias("revenue"),
                sf.count_distinct("event_type").alias("event_types"),
                sf.count_distinct("country", "user_id").alias("active_users"),
            )
        )
        summary["gold"] = _figures(
            gold.agg(
                sf.sum("events").alias("events"),
                sf.sum("revenue").alias("revenue"),
                sf.count_distinct("event_type").alias("event_types"),
            ).crossJoin(active.agg(sf.sum("active_users").alias("active_users")))
        )
    print("LAKE_SUMMARY " + json.dumps(summary, default=str))
    spark.stop()


def _figures(frame) -> dict:
    return {key: str(value) for key, value in frame.first().asDict().items()}


if __name__ == "__main__":
    main(*sys.argv[1:])
