"""The jobs. Each reads its inputs, applies the pure transforms and writes its outputs, logging row
counts and durations per stage. Every job that writes silver or gold stages all its writes and
publishes them together at the end (lake.staged_writes), so a failed job changes no table."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from bdp_etl import quality as checks
from bdp_etl.bronze_to_silver import WHITESPACE, accepted, label, rejected
from bdp_etl.generate import events_with_defects, users_with_defects
from bdp_etl.lake import (
    Lake,
    StagedWrites,
    read_bronze,
    read_partition,
    staged_writes,
    table_exists,
    write_bronze,
)
from bdp_etl.logs import log, stage
from bdp_etl.rules import CONTRACTS, DEFAULT_LOOKBACK_DAYS
from bdp_etl.schema import datasets, partition_key
from bdp_etl.session import CATALOG
from bdp_etl.silver_to_gold import gold_outputs, user_activity

SNAPSHOT_RETENTION = timedelta(days=7)
"""Time travel window: snapshots younger than this are kept by `maintenance`."""
SNAPSHOTS_KEPT = 5
"""Snapshots kept per table whatever their age, so a quiet table can still be rolled back."""
COMPACTION_MIN_FILES = 2
"""A date with this many files below the target size is compacted (Iceberg's default is 5)."""
ORPHAN_FILE_AGE = timedelta(days=3)
"""Files no snapshot references are removed once this old; younger ones may belong to a running
job's uncommitted write."""


def generate(spark: SparkSession, lake: Lake, dt: date, rows: int, seed: int) -> None:
    """Bronze users and events for dt: `rows` of each, plus the injected duplicates."""
    frames = {
        "users": users_with_defects(spark, rows, seed, dt),
        "events": events_with_defects(spark, rows, seed, dt, users=rows),
    }
    for name, frame in frames.items():
        with stage("generate", dataset=f"bronze.{name}", dt=dt) as counts:
            counts.update(write_bronze(frame.drop("defect"), lake, name, dt))


def earlier_keys(
    spark: SparkSession, lake: Lake, name: str, dt: date, lookback_days: int
) -> DataFrame | None:
    """The keys in silver on the `lookback_days` dates before dt, or None when there are none.

    Materialized as a local checkpoint: the silver MERGE's source is built from them, and Spark
    4.1 cannot plan a MERGE whose source still reads the table it writes (an INTERNAL_ERROR, "No
    plan for TableReference"). One column of keys is small next to the frame it is joined to.
    """
    if lookback_days == 0 or not table_exists(spark, lake, "silver", name):
        return None
    table = lake.table("silver", name)
    first, last = (dt - timedelta(days=lookback_days)).isoformat(), dt.isoformat()
    window = (F.col(partition_key()) >= first) & (F.col(partition_key()) < last)
    # Partition metadata answers without reading data, and spares a join on a first date.
    partitions = spark.table(f"{table}.partitions").select(f"partition.{partition_key()}")
    if partitions.where(window).isEmpty():
        return None
    return spark.table(table).where(window).select(CONTRACTS[name].key).localCheckpoint()


def bronze_to_silver(
    spark: SparkSession, lake: Lake, dt: date, lookback_days: int = DEFAULT_LOOKBACK_DAYS
) -> None:
    with staged_writes(spark, lake, f"bronze_to_silver_{dt}") as writes:
        for name, contract in CONTRACTS.items():
            with stage("bronze_to_silver", dataset=name, dt=dt) as counts:
                bronze = read_bronze(spark, lake, name, dt)
                seen = (
                    earlier_keys(spark, lake, name, dt, lookback_days)
                    if contract.unique_across_dates
                    else None
                )
                # Silver and quarantine are two filters of one labelled frame: caching it reads
                # and sorts bronze once; counting its reasons fills the cache.
                # persist()'s default level keeps the cached batches deserialized; PySpark's
                # MEMORY_AND_DISK would serialize every batch in and out of the cache.
                labelled = label(bronze, name, dt, seen).persist()
                reasons = dict(labelled.groupBy("reason").count().collect())
                writes.merge(accepted(labelled, name), "silver", name, dt, contract.key)
                writes.replace_partition(
                    rejected(labelled, name), "silver", f"{name}_quarantine", dt
                )
                labelled.unpersist()
                silver_rows = reasons.pop(None, 0)
                counts.update(
                    bronze_rows=silver_rows + sum(reasons.values()),
                    silver_rows=silver_rows,
                    quarantine_rows=sum(reasons.values()),
                    quarantine_reasons=dict(sorted(reasons.items())),
                )


def _write_gold(writes: StagedWrites, dt: date) -> None:
    users = writes.read("silver", "users", dt)
    # Read and shuffle the events once for the three outputs, not once per output.
    activity = user_activity(writes.read("silver", "events", dt)).persist()
    for name, frame in gold_outputs(users, activity).items():
        with stage("silver_to_gold", dataset=f"gold.{name}", dt=dt) as counts:
            counts.update(rows=writes.replace_partition(frame, "gold", name, dt))
    activity.unpersist()


def silver_to_gold(spark: SparkSession, lake: Lake, dt: date) -> None:
    with staged_writes(spark, lake, f"silver_to_gold_{dt}") as writes:
        _write_gold(writes, dt)


def quality(spark: SparkSession, lake: Lake, dt: date) -> bool:
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
        activity = user_activity(read("silver", "events")).persist()
        for name, expected in gold_outputs(read("silver", "users"), activity).items():
            measured = checks.measure_gold(expected.cache(), read("gold", name), name)
            expected.unpersist()
            results.append(checks.gold_check(name, *measured))
        activity.unpersist()
        with staged_writes(spark, lake, f"quality_{dt}") as writes:
            writes.replace_partition(
                checks.results_frame(spark, results), "gold", "quality_results", dt
            )
        counts.update(checks=len(results), failed=sum(not result.passed for result in results))
    for result in results:
        log("quality_check", **result.as_record())
    return not any(result.blocks for result in results)


def iceberg_tables(spark: SparkSession, lake: Lake) -> list[tuple[str, str]]:
    """The (zone, name) of every declared silver and gold table that exists."""
    return [
        (d.zone, d.name)
        for d in datasets()
        if d.zone != "bronze" and table_exists(spark, lake, d.zone, d.name)
    ]


def maintenance(
    spark: SparkSession,
    lake: Lake,
    now: datetime | None = None,
    snapshot_retention: timedelta = SNAPSHOT_RETENTION,
    orphan_file_age: timedelta = ORPHAN_FILE_AGE,
) -> None:
    """Compact small files to the target size, expire snapshots older than the time travel window
    (keeping SNAPSHOTS_KEPT), and remove files no snapshot references, on every table."""
    now = now or datetime.now(UTC)

    def timestamp(moment: datetime) -> str:
        return f"TIMESTAMP '{moment.astimezone(UTC).strftime('%Y-%m-%d %H:%M:%S')}'"

    for zone, name in iceberg_tables(spark, lake):
        table = lake.table(zone, name)  # catalog-qualified, as in StagedWrites.publish
        with stage("maintenance", table=table) as counts:
            compacted = spark.sql(
                f"CALL {CATALOG}.system.rewrite_data_files(table => '{table}', "
                f"options => map('min-input-files', '{COMPACTION_MIN_FILES}'))"
            ).first()
            expired = spark.sql(
                f"CALL {CATALOG}.system.expire_snapshots(table => '{table}', "
                f"older_than => {timestamp(now - snapshot_retention)}, "
                f"retain_last => {SNAPSHOTS_KEPT})"
            ).first()
            orphans = spark.sql(
                f"CALL {CATALOG}.system.remove_orphan_files(table => '{table}', "
                f"older_than => {timestamp(now - orphan_file_age)})"
            ).collect()
            counts.update(
                files_rewritten=compacted.rewritten_data_files_count,
                files_added=compacted.added_data_files_count,
                data_files_expired=expired.deleted_data_files_count,
                orphan_files_removed=len(orphans),
            )


def _sql_string(value: str) -> str:
    """A Spark SQL string literal, every character escaped, so any user id is safe to quote."""
    return "'" + "".join(f"\\u{ord(char):04x}" for char in value) + "'"


def forget_user(spark: SparkSession, lake: Lake, user_id: str) -> list[date]:
    """Delete a user's rows from silver users, events and both quarantines, then recompute the gold
    of every date that counted them; returns those dates. Bronze is raw landing data kept only for
    its retention period: it is not rewritten here."""
    user = _sql_string(user_id)
    # Quarantined rows are as landed: match the id as bronze_to_silver would have conformed it.
    landed = f"btrim(user_id, {_sql_string(WHITESPACE)})"
    conditions = {
        "users": f"user_id = {user}",
        "events": f"user_id = {user}",
        "users_quarantine": f"{landed} = {user}",
        "events_quarantine": f"{landed} = {user}",
    }
    with stage("forget_user", user_id=user_id) as counts:
        dates: set[str] = set()
        for name in ("users", "events"):
            if table_exists(spark, lake, "silver", name):
                table = lake.table("silver", name)
                found = spark.sql(
                    f"SELECT DISTINCT `{partition_key()}` FROM {table} WHERE {conditions[name]}"
                ).collect()
                dates |= {row[0] for row in found}
        gold_dates = sorted(date.fromisoformat(day) for day in dates)
        with staged_writes(spark, lake, "forget_user") as writes:
            for name, condition in conditions.items():
                if table_exists(spark, lake, "silver", name):
                    writes.delete("silver", name, condition)
            for day in gold_dates:
                _write_gold(writes, day)
        counts.update(gold_dates_recomputed=[day.isoformat() for day in gold_dates])
    return gold_dates
