"""Silver to gold: the daily business metrics, each a pure function of one date's silver partitions.

Metrics follow processing time: a late event accepted into silver on dt counts towards dt, so every
gold date depends on that date's silver partitions only and can be recomputed on its own.
"""

from __future__ import annotations

from itertools import pairwise

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from bdp_etl.schema import spark_schema

AGE_BAND_STARTS = (18, 25, 35, 45, 55, 65)


def age_band(age: Column) -> Column:
    """`18-24`, `25-34`, ... `55-64`, then `65+`."""
    last = AGE_BAND_STARTS[-1]
    bands = F.when(age >= last, F.lit(f"{last}+"))
    for start, next_start in pairwise(AGE_BAND_STARTS):
        bands = bands.when(age < next_start, F.lit(f"{start}-{next_start - 1}"))
    return bands


def _as_declared(df: DataFrame, name: str) -> DataFrame:
    """The gold dataset's declared columns, in order, with their declared types."""
    return df.select(*(F.col(f.name).cast(f.dataType) for f in spark_schema("gold", name)))


def user_activity(events: DataFrame) -> DataFrame:
    """Events and revenue per user, event type and country: every gold metric aggregates it.

    Hash-partitioned by user_id once, so that the per-user aggregates, the distinct users and the
    join to users all reuse that partitioning instead of each shuffling the events again. A job
    that derives several metrics from it should persist it.
    """
    partitions = int(events.sparkSession.conf.get("spark.sql.shuffle.partitions"))
    return (
        events.repartition(partitions, "user_id")
        .groupBy("user_id", "event_type", "country")
        .agg(F.count(F.lit(1)).alias("events"), F.sum("amount").alias("revenue"))
    )


def daily_event_metrics(activity: DataFrame) -> DataFrame:
    metrics = activity.groupBy("event_type", "country").agg(
        F.sum("events").alias("events"),
        F.sum("revenue").alias("revenue"),
        # One activity row per user, event type and country: its rows are the distinct users.
        F.count(F.lit(1)).alias("unique_users"),
    )
    return _as_declared(metrics, "daily_event_metrics")


def daily_active_users(activity: DataFrame) -> DataFrame:
    active = activity.groupBy("country").agg(F.count_distinct("user_id").alias("active_users"))
    return _as_declared(active, "daily_active_users")


def user_segments(users: DataFrame, activity: DataFrame) -> DataFrame:
    """Users by age band and their own country, with the activity and revenue of that day's events.

    Events of user_ids missing from silver users (quarantined users, say) are not counted here.
    """
    per_user = activity.groupBy("user_id").agg(
        F.sum("events").alias("events"), F.sum("revenue").alias("revenue")
    )
    segments = (
        # Hashing the smaller side of the join saves sorting both sides of a sort-merge join.
        users.join(per_user.hint("shuffle_hash"), "user_id", "left")
        .groupBy(age_band(F.col("age")).alias("age_band"), "country")
        .agg(
            F.count(F.lit(1)).alias("users"),
            F.count_if(F.col("events") > 0).alias("active_users"),
            F.coalesce(F.sum("revenue"), F.lit(0)).alias("revenue"),
            F.avg("salary").alias("avg_salary"),
        )
    )
    return _as_declared(segments, "user_segments")


def gold_outputs(users: DataFrame, activity: DataFrame) -> dict[str, DataFrame]:
    """Every gold dataset silver_to_gold writes, from one date's silver users and the
    `user_activity` of its silver events."""
    return {
        "daily_event_metrics": daily_event_metrics(activity),
        "daily_active_users": daily_active_users(activity),
        "user_segments": user_segments(users, activity),
    }
