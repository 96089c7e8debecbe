"""Benchmark: bronze_to_silver and silver_to_gold on local Spark against the same SQL in DuckDB.

    spark-submit --properties-file etl/conf/spark-local.conf etl/bench_etl.py --rows 5000000

Spark generates the bronze data of two dates once, and processes the earlier date untimed, so the
timed date has earlier silver for the cross-date de-duplication to search; a share of the earlier
date's events lands again in the timed date's bronze, as re-deliveries. Both engines then read the
same bronze Parquet files. Spark runs its real jobs, which write the Iceberg tables (MERGE for
silver, partition replacement for gold, all published together); DuckDB applies the same rules in
SQL, the look-back against the same earlier silver files included, and writes zstd Parquet as
Iceberg does. Both read the same silver files for silver_to_gold (DuckDB gets the Iceberg table's
current data files), and they must agree on every output's row count, revenue and quarantine
reasons before the timings are printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from collections.abc import Callable
from datetime import date, timedelta
from itertools import pairwise

import duckdb
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from bdp_etl import jobs
from bdp_etl.bronze_to_silver import WHITESPACE
from bdp_etl.generate import DEFAULT_ROWS
from bdp_etl.lake import (
    TARGET_FILE_SIZE_BYTES,
    Lake,
    StagedWrites,
    data_files,
    files_per_partition,
    partition_path,
)
from bdp_etl.logs import log
from bdp_etl.rules import (
    AGE_RANGE,
    AMOUNT_RANGE,
    CONTRACTS,
    DEFAULT_LOOKBACK_DAYS,
    EVENT_TYPES,
    LATE_EVENT_DAYS,
    SALARY_RANGE,
    latest_event_time,
)
from bdp_etl.schema import partition_key
from bdp_etl.session import spark_session
from bdp_etl.silver_to_gold import AGE_BAND_STARTS

SILVER_OUTPUTS = ("users", "users_quarantine", "events", "events_quarantine")
GOLD_OUTPUTS = ("daily_event_metrics", "daily_active_users", "user_segments")
REDELIVERED_BUCKETS = 100
"""One in this many of the earlier date's bronze events lands again in the timed date's bronze."""


def _in(values: tuple) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _age_band_sql() -> str:
    last = AGE_BAND_STARTS[-1]
    bands = " ".join(
        f"WHEN age < {upper} THEN '{start}-{upper - 1}'"
        for start, upper in pairwise(AGE_BAND_STARTS)
    )
    return f"CASE WHEN age >= {last} THEN '{last}+' {bands} END"


def _trimmed(column: str) -> str:
    return f"NULLIF(trim({column}, '{WHITESPACE}'), '')"


def _number(column: str, sql_type: str, scale: int = 0) -> str:
    """As bronze_to_silver: only plain digits with at most `scale` decimals are cast."""
    fraction = rf"(\.[0-9]{{1,{scale}}})?" if scale else ""
    value = _trimmed(column)
    shape = f"regexp_full_match({value}, '[+-]?[0-9]+{fraction}')"
    return f"CASE WHEN {shape} THEN TRY_CAST({value} AS {sql_type}) END"


def bronze_to_silver_sql(dt: date) -> dict[str, str]:
    """The labelling query per dataset: landed columns, typed columns (t_*) and `reason`."""
    earliest = f"DATE '{dt}' - INTERVAL {LATE_EVENT_DAYS} DAY"
    cutoff = f"TIMESTAMPTZ '{latest_event_time(dt).isoformat()}'"
    ages, salaries, amounts = (
        " AND ".join(map(str, r)) for r in (AGE_RANGE, SALARY_RANGE, AMOUNT_RANGE)
    )
    return {
        "users": f"""
            WITH typed AS (
                SELECT *,
                    {_trimmed("user_id")} AS t_user_id,
                    {_trimmed("name")} AS t_name,
                    {_number("age", "INTEGER")} AS t_age,
                    upper({_trimmed("country")}) AS t_country,
                    {_number("salary", "DECIMAL(12,2)", 2)} AS t_salary,
                    TRY_CAST({_trimmed("signup_date")} AS DATE) AS t_signup_date
                FROM landed),
            checked AS (
                SELECT *, CASE
                    WHEN t_user_id IS NULL THEN 'missing_user_id'
                    WHEN t_age IS NULL OR t_age NOT BETWEEN {ages} THEN 'invalid_age'
                    WHEN t_salary IS NULL OR t_salary NOT BETWEEN {salaries} THEN 'invalid_salary'
                    WHEN t_signup_date IS NULL OR t_signup_date > DATE '{dt}'
                        THEN 'invalid_signup_date'
                    WHEN t_country IS NULL OR NOT regexp_full_match(t_country, '[A-Z]{{2}}')
                        THEN 'invalid_country'
                END AS rule_reason FROM typed)
            SELECT * EXCLUDE (rule_reason), CASE
                WHEN rule_reason IS NULL AND row_number() OVER (
                    PARTITION BY t_user_id ORDER BY rule_reason IS NOT NULL,
                    user_id DESC, name DESC, age DESC, country DESC, salary DESC, signup_date DESC
                ) > 1 THEN 'duplicate_user_id' ELSE rule_reason END AS reason
            FROM checked""",
        "events": f"""
            WITH typed AS (
                SELECT *,
                    {_trimmed("event_id")} AS t_event_id,
                    {_trimmed("user_id")} AS t_user_id,
                    lower({_trimmed("event_type")}) AS t_event_type,
                    TRY_CAST({_trimmed("event_time")} AS TIMESTAMPTZ) AS t_event_time,
                    {_number("amount", "DECIMAL(12,2)", 2)} AS t_amount,
                    upper({_trimmed("country")}) AS t_country,
                    properties AS t_properties
                FROM landed),
            ruled AS (
                SELECT *, CASE
                    WHEN t_event_id IS NULL THEN 'missing_event_id'
                    WHEN t_user_id IS NULL THEN 'missing_user_id'
                    WHEN t_event_type IS NULL OR t_event_type NOT IN ({_in(EVENT_TYPES)})
                        THEN 'invalid_event_type'
                    WHEN t_event_time IS NULL THEN 'invalid_event_time'
                    WHEN CAST(t_event_time AS DATE) < {earliest} THEN 'late_event'
                    WHEN t_event_time > {cutoff} THEN 'future_event'
                    WHEN t_amount IS NULL OR t_amount NOT BETWEEN {amounts} THEN 'invalid_amount'
                    WHEN t_country IS NULL OR NOT regexp_full_match(t_country, '[A-Z]{{2}}')
                        THEN 'invalid_country'
                END AS rule_reason FROM typed),
            checked AS (
                -- As Spark: a valid event whose id is in the look-back's silver is a duplicate.
                SELECT ruled.* EXCLUDE (rule_reason), CASE
                    WHEN rule_reason IS NULL AND seen.event_id IS NOT NULL
                        THEN 'duplicate_event_id' ELSE rule_reason END AS rule_reason
                FROM ruled LEFT JOIN (SELECT DISTINCT event_id FROM seen) seen
                    ON ruled.t_event_id = seen.event_id)
            SELECT * EXCLUDE (rule_reason), CASE
                WHEN rule_reason IS NULL AND row_number() OVER (
                    PARTITION BY t_event_id ORDER BY rule_reason IS NOT NULL, t_event_time DESC,
                    event_id DESC, user_id DESC, event_type DESC, event_time DESC, amount DESC,
                    country DESC, list_sort(map_entries(properties)) DESC
                ) > 1 THEN 'duplicate_event_id' ELSE rule_reason END AS reason
            FROM checked""",
    }


def silver_to_gold_sql() -> dict[str, str]:
    return {
        "daily_event_metrics": """
            SELECT event_type, country, count(*) AS events,
                CAST(sum(amount) AS DECIMAL(18,2)) AS revenue,
                count(DISTINCT user_id) AS unique_users
            FROM events GROUP BY event_type, country""",
        "daily_active_users": """
            SELECT country, count(DISTINCT user_id) AS active_users FROM events GROUP BY country""",
        "user_segments": f"""
            WITH activity AS (
                SELECT user_id, count(*) AS events, sum(amount) AS revenue
                FROM events GROUP BY user_id)
            SELECT {_age_band_sql()} AS age_band, country, count(*) AS users,
                count(*) FILTER (WHERE activity.events > 0) AS active_users,
                CAST(coalesce(sum(revenue), 0) AS DECIMAL(18,2)) AS revenue,
                CAST(avg(salary) AS DECIMAL(12,2)) AS avg_salary
            FROM users LEFT JOIN activity USING (user_id) GROUP BY ALL""",
    }


def _parquet(files: list[str]) -> str:
    listed = ", ".join(f"'{file}'" for file in files)
    return f"read_parquet([{listed}], hive_partitioning = false)"


def _bronze(lake: Lake, name: str, dt: date) -> str:
    return _parquet([f"{partition_path(lake, 'bronze', name, dt)}/*.parquet"])


def _duckdb_path(lake: str, zone: str, name: str, dt: date) -> str:
    return f"{lake}/{zone}/{name}/dt={dt.isoformat()}"


def _copy(con: duckdb.DuckDBPyConnection, query: str, path: str) -> None:
    os.makedirs(path, exist_ok=True)
    # zstd, as Iceberg writes its Parquet files (write.parquet.compression-codec's default).
    con.execute(f"COPY ({query}) TO '{path}/part-0.parquet' (FORMAT parquet, COMPRESSION zstd)")


def duckdb_bronze_to_silver(
    con: duckdb.DuckDBPyConnection, lake: Lake, out: str, dt: date, seen_files: list[str]
) -> None:
    seen = _parquet(seen_files) if seen_files else "(SELECT NULL::VARCHAR AS event_id LIMIT 0)"
    con.execute(f"CREATE OR REPLACE TEMP VIEW seen AS SELECT event_id FROM {seen}")
    for name, query in bronze_to_silver_sql(dt).items():
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW landed AS SELECT * FROM {_bronze(lake, name, dt)}"
        )
        # Like Spark's cached frame: label once, then write both outputs from it.
        con.execute(f"CREATE OR REPLACE TEMP TABLE labelled AS {query}")
        landed = [row[0] for row in con.execute("DESCRIBE landed").fetchall()]
        typed = ", ".join(f"t_{column} AS {column}" for column in landed)
        accepted = f"SELECT {typed} FROM labelled WHERE reason IS NULL"
        _copy(con, accepted, _duckdb_path(out, "silver", name, dt))
        quarantine = f"SELECT {', '.join(landed)}, reason FROM labelled WHERE reason IS NOT NULL"
        _copy(con, quarantine, _duckdb_path(out, "silver", f"{name}_quarantine", dt))


def duckdb_silver_to_gold(
    con: duckdb.DuckDBPyConnection, silver_files: dict[str, list[str]], out: str, dt: date
) -> None:
    for name, files in silver_files.items():
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {_parquet(files)}")
    for name, query in silver_to_gold_sql().items():
        _copy(con, query, _duckdb_path(out, "gold", name, dt))


def _summary(con: duckdb.DuckDBPyConnection, source: str) -> tuple:
    """Rows, the sum of the first money column, and the rows per quarantine reason."""
    described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    columns = [column for column, *_ in described]
    money = [column for column, data_type, *_ in described if data_type.startswith("DECIMAL")]
    total = f"sum({money[0]})" if money else "NULL"
    rows, money_sum = con.execute(f"SELECT count(*), {total} FROM {source}").fetchone()
    reasons = ()
    if "reason" in columns:
        reasons = tuple(
            con.execute(
                f"SELECT reason, count(*) FROM {source} GROUP BY reason ORDER BY reason"
            ).fetchall()
        )
    return rows, money_sum, reasons


def land_redeliveries(spark: SparkSession, lake: Lake, earlier: date, dt: date) -> None:
    """Append a share of the earlier date's bronze events to dt's bronze partition, as a source
    re-sending them the next day would."""
    source = partition_path(lake, "bronze", "events", earlier)
    (
        spark.read.parquet(source)
        .where(F.pmod(F.xxhash64("event_id"), F.lit(REDELIVERED_BUCKETS)) == 0)
        .coalesce(1)
        .write.mode("append")
        .parquet(partition_path(lake, "bronze", "events", dt))
    )


def lookback_files(spark: SparkSession, lake: Lake, dt: date, days: int) -> list[str]:
    """The silver events files of the `days` dates before dt, the window Spark searches."""
    first = (dt - timedelta(days=days)).isoformat()
    rows = spark.sql(
        f"SELECT file_path FROM {lake.table('silver', 'events')}.files "
        f"WHERE partition.`{partition_key()}` >= '{first}' "
        f"AND partition.`{partition_key()}` < '{dt.isoformat()}'"
    ).collect()
    return [row.file_path for row in rows]


def log_write_times() -> None:
    """Log the seconds of each staged write and publish of the Spark jobs (`bench_spark_write`):
    with the jobs' own stage logs, where Spark's time goes."""
    for method in ("merge", "replace_partition", "publish"):
        original = getattr(StagedWrites, method)

        def timed(self, *args, _original=original, _method=method, **kwargs):
            started = time.perf_counter()
            try:
                return _original(self, *args, **kwargs)
            finally:
                seconds = round(time.perf_counter() - started, 2)
                log("bench_spark_write", method=_method, target=args[1:3], seconds=seconds)

        setattr(StagedWrites, method, timed)


def _timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _line(stage: str, rows: int, spark_seconds: float, duckdb_seconds: float) -> str:
    def rate(seconds: float) -> str:
        return f"{rows} rows in {seconds:.1f} s ({rows / seconds:,.0f} rows/s)"

    return (
        f"etl {stage} spark: {rate(spark_seconds)}; duckdb: {rate(duckdb_seconds)}; "
        f"spark/duckdb time ratio: {spark_seconds / duckdb_seconds:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="users and events to make")
    parser.add_argument("--lake", default=".lake/bench", help="scratch folder for both lakes")
    parser.add_argument("--date", type=date.fromisoformat, default=date(2026, 1, 15))
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="DuckDB threads")
    args = parser.parse_args()
    spark_lake, duckdb_lake = Lake(f"{args.lake}/spark"), f"{args.lake}/duckdb"
    for root in (spark_lake.root, duckdb_lake):
        shutil.rmtree(root, ignore_errors=True)

    spark = spark_session("bdp-etl-bench", spark_lake.root)
    log_write_times()
    earlier = args.date - timedelta(days=1)
    for day in (earlier, args.date):
        jobs.generate(spark, spark_lake, day, args.rows, seed=42)
    land_redeliveries(spark, spark_lake, earlier, args.date)
    # Untimed: the earlier date's silver, which the timed date's look-back searches on both sides.
    jobs.bronze_to_silver(spark, spark_lake, earlier)
    seen_files = lookback_files(spark, spark_lake, args.date, DEFAULT_LOOKBACK_DAYS)
    if not (CONTRACTS["events"].unique_across_dates and seen_files):
        raise SystemExit("the timed date has no earlier silver events to search")
    con = duckdb.connect(config={"threads": args.threads})
    con.execute("SET TimeZone = 'UTC'")  # as Spark's session time zone (bdp_etl.session)

    def spark_output(zone: str, name: str) -> str:
        return _parquet(data_files(spark, spark_lake, zone, name, args.date))

    b2s_spark = _timed(
        lambda: jobs.bronze_to_silver(spark, spark_lake, args.date, DEFAULT_LOOKBACK_DAYS)
    )
    b2s_duckdb = _timed(
        lambda: duckdb_bronze_to_silver(con, spark_lake, duckdb_lake, args.date, seen_files)
    )
    silver_files = {
        name: data_files(spark, spark_lake, "silver", name, args.date)
        for name in ("users", "events")
    }
    s2g_spark = _timed(lambda: jobs.silver_to_gold(spark, spark_lake, args.date))
    s2g_duckdb = _timed(lambda: duckdb_silver_to_gold(con, silver_files, duckdb_lake, args.date))

    outputs = [("silver", name) for name in SILVER_OUTPUTS] + [
        ("gold", name) for name in GOLD_OUTPUTS
    ]
    for zone, name in outputs:
        spark_result = _summary(con, spark_output(zone, name))
        duckdb_path = _duckdb_path(duckdb_lake, zone, name, args.date)
        duckdb_result = _summary(con, _parquet([f"{duckdb_path}/*.parquet"]))
        if spark_result != duckdb_result:
            raise SystemExit(
                f"{zone}.{name} differs: spark (rows, money) {spark_result}, duckdb {duckdb_result}"
            )
    bronze_rows = sum(
        _summary(con, _bronze(spark_lake, name, args.date))[0] for name in ("users", "events")
    )
    silver_rows = sum(_summary(con, _parquet(files))[0] for files in silver_files.values())
    redelivered = dict(_summary(con, spark_output("silver", "events_quarantine"))[2])
    print(
        f"etl outputs agree: {len(outputs)} datasets, same rows, revenue and quarantine reasons "
        f"in Spark and DuckDB ({redelivered.get('duplicate_event_id', 0)} duplicate_event_id, "
        f"re-deliveries of {earlier} included)"
    )
    print(_line("bronze_to_silver", bronze_rows, b2s_spark, b2s_duckdb))
    print(_line("silver_to_gold", silver_rows, s2g_spark, s2g_duckdb))
    files = {
        name: files_per_partition(spark, spark_lake, "silver", name)[args.date.isoformat()]
        for name in SILVER_OUTPUTS
    }
    print(
        f"etl silver files per partition: {files}; "
        f"target file size {TARGET_FILE_SIZE_BYTES // 2**20} MiB"
    )


if __name__ == "__main__":
    main()
