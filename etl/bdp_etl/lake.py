"""All lake I/O: paths, format, schema and write mode for every dataset live here and only here.

A lake root containing `{zone}` names one bucket per zone (`s3://bdp-dev-{zone}-111111111111-eu-north-1`);
any other root holds the zones as subfolders (`.lake/bronze`, `.lake/silver`, `.lake/gold`).
"""

from __future__ import annotations

from datetime import date

from pyspark.sql import Column, DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from bdp_etl.schema import partition_key, spark_schema

ZONES = ("bronze", "silver", "gold")


def zone_root(lake: str, zone: str) -> str:
    if zone not in ZONES:
        raise ValueError(f"Unknown zone {zone!r}; valid zones: {', '.join(ZONES)}")
    if "{zone}" in lake:
        return lake.replace("{zone}", zone).rstrip("/")
    return f"{lake.rstrip('/')}/{zone}"


def dataset_path(lake: str, zone: str, name: str) -> str:
    return f"{zone_root(lake, zone)}/{name}"


def partition_path(lake: str, zone: str, name: str, dt: date) -> str:
    """The Hive-style partition folder, `<zone root>/<name>/dt=YYYY-MM-DD`."""
    return f"{dataset_path(lake, zone, name)}/{partition_key()}={dt.isoformat()}"


def read_partition(spark: SparkSession, lake: str, zone: str, name: str, dt: date) -> DataFrame:
    """One date of a dataset with its declared columns; a missing partition fails the job."""
    return spark.read.schema(spark_schema(zone, name)).parquet(partition_path(lake, zone, name, dt))


def write_partition(
    df: DataFrame,
    lake: str,
    zone: str,
    name: str,
    dt: date,
    metrics: dict[str, Column] | None = None,
) -> dict[str, int]:
    """Replace one date of a dataset with `df` and return its row count plus any `metrics`.

    The counts are observed while the rows are written, so they cost no extra pass over the data.
    """
    require_declared_columns(df, zone, name)
    observation = Observation()
    aggregates = {"rows": F.count(F.lit(1)), **(metrics or {})}
    (
        df.observe(observation, *[column.alias(key) for key, column in aggregates.items()])
        .withColumn(partition_key(), F.lit(dt.isoformat()))
        .write.mode("overwrite")
        .partitionBy(partition_key())
        .parquet(dataset_path(lake, zone, name))
    )
    observed = observation.get
    if observed["rows"] == 0:
        # Dynamic overwrite replaces only the partitions that receive rows, so a date that now
        # yields none would keep a previous run's rows. Overwrite it with an empty file instead.
        empty = df.where(F.lit(False))  # planned as an empty relation: nothing is recomputed
        empty.write.mode("overwrite").parquet(partition_path(lake, zone, name, dt))
    return observed


def require_declared_columns(df: DataFrame, zone: str, name: str) -> None:
    """Fail before writing anything that the Glue table built from datasets.json could not read."""
    declared = [(f.name, f.dataType.simpleString()) for f in spark_schema(zone, name).fields]
    actual = [(f.name, f.dataType.simpleString()) for f in df.schema.fields]
    if actual != declared:
        raise ValueError(f"{zone}.{name}: columns {actual} differ from datasets.json {declared}")
