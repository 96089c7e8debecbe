"""The SparkSession every job runs in.

Only settings that the jobs' correctness depends on live here. Sizing (master, memory, shuffle
partitions, UI, logging) comes from spark-submit: EMR's defaults on a cluster,
`etl/conf/spark-local.conf` on a laptop, the test fixture in pytest.
"""

from __future__ import annotations

from pyspark.sql import SparkSession

JOB_CONF = {
    # A rerun of a date replaces that date's partition and leaves every other date alone.
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    # Event times are UTC; the dates derived from them must not depend on the host's time zone.
    "spark.sql.session.timeZone": "UTC",
    # Casting a malformed value yields null, which bronze_to_silver quarantines with a reason,
    # instead of failing the whole job (ANSI mode, the default from Spark 4, would throw).
    "spark.sql.ansi.enabled": "false",
    # INT64 timestamps rather than Spark 3's legacy INT96, read natively by Athena and DuckDB.
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
}


def spark_session(app_name: str) -> SparkSession:
    builder = SparkSession.builder.appName(app_name)
    for key, value in JOB_CONF.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
