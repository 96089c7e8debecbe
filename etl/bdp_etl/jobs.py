"""The four jobs. Each reads its inputs, applies the pure transforms and writes its outputs, logging
row counts and durations per stage."""

from __future__ import annotations

from datetime import date

from pyspark import StorageLevel
from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from bdp_etl import quality as checks
from bdp_etl.bronze_to_silver import accepted, label, rejected
from bdp_etl.generate import events_with_defects, users_with_defects
from bdp_etl.lake import read_partition, write_partition
from bdp_etl.logs import log, stage
from bdp_etl.rules import CONTRACTS
from bdp_etl.silver_to_gold import daily_active_users, daily_event_metrics, user_segments


def generate(spark: SparkSession, lake: str, dt: date, rows: int, seed: int) -> None:
    """Bronze users and events for dt: `rows` of each, plus the injected duplicates."""
    frames = {
        "users": users_with_defects(spark, rows, seed, dt),
        "events": events_with_defects(spark, rows, seed, dt, users=rows),
    }
    for name, frame in frames.items():
        with stage("generate", dataset=f"bronze.{name}", dt=dt) as counts:
            counts.update(write_partition(frame.drop("defect"), lake, "bronze", name, dt))


def bronze_to_silver(spark: SparkSession, lake: str, dt: date) -> None:
    for name, contract in CONTRACTS.items():
        with stage("bronze_to_silver", dataset=name, dt=dt) as counts:
            bronze_rows = Observation()
            bronze = read_partition(spark, lake, "bronze", name, dt).observe(
                bronze_rows, F.count(F.lit(1)).alias("rows")
            )
            # Silver and quarantine are two filters of one labelled frame: caching it reads and
            # sorts bronze once instead of once per output.
            labelled = label(bronze, name, dt).persist(StorageLevel.MEMORY_AND_DISK)
            silver = write_partition(accepted(labelled, name), lake, "silver", name, dt)
            reasons = {
                reason: F.count_if(F.col("reason") == reason) for reason in contract.reasons(dt)
            }
            quarantine = write_partition(
                rejected(labelled, name), lake, "silver", f"{name}_quarantine", dt, reasons
            )
            labelled.unpersist()
            quarantine_rows = quarantine.pop("rows")
            counts.update(
                bronze_rows=bronze_rows.get["rows"],
                silver_rows=silver["rows"],
                quarantine_rows=quarantine_rows,
                quarantine_reasons={reason: rows for reason, rows in quarantine.items() if rows},
            )


def silver_to_gold(spark: SparkSession, lake: str, dt: date) -> None:
    users = read_partition(spark, lake, "silver", "users", dt)
    events = read_partition(spark, lake, "silver", "events", dt)
    outputs = {
        "daily_event_metrics": daily_event_metrics(events),
        "daily_active_users": daily_active_users(events),
        "user_segments": user_segments(users, events),
    }
    for name, frame in outputs.items():
        with stage("silver_to_gold", dataset=f"gold.{name}", dt=dt) as counts:
            counts.update(write_partition(frame, lake, "gold", name, dt))


def quality(spark: SparkSession, lake: str, dt: date) -> bool:
    """Run every check, record the results in gold quality_results, and tell whether none blocks."""

    def read(zone: str, name: str) -> DataFrame:
        return read_partition(spark, lake, zone, name, dt)

    results: list[checks.CheckResult] = []
    with stage("quality", dt=dt) as counts:
        silver: dict[str, dict] = {}
        for name in CONTRACTS:
            extra = checks.event_time_aggregates(dt) if name == "events" else []
            silver[name] = (
                read("silver", name)
                .agg(*checks.silver_aggregates(name, dt), *extra)
                .first()
                .asDict()
            )
            quarantined = dict(
                read("silver", f"{name}_quarantine").groupBy("reason").count().collect()
            )
            bronze_rows = read("bronze", name).count()
            results += checks.reconciliation_checks(
                name, bronze_rows, silver[name]["rows"], quarantined
            )
            results += checks.silver_checks(name, silver[name], dt)
        results += checks.freshness_checks(silver["events"], dt)
        event_metrics = read("gold", "daily_event_metrics").agg(
            F.sum("events").alias("events"), F.sum("revenue").alias("revenue")
        )
        segments = read("gold", "user_segments").agg(F.sum("users").alias("users"))
        results += checks.gold_checks(
            silver["events"],
            silver["users"]["rows"],
            event_metrics.first().asDict(),
            segments.first().asDict(),
        )
        write_partition(checks.results_frame(spark, results), lake, "gold", "quality_results", dt)
        counts.update(checks=len(results), failed=sum(not result.passed for result in results))
    for result in results:
        log("quality_check", **result.as_record())
    return not any(result.blocks for result in results)
