"""Silver to gold: the daily business metrics, each a pure function of one date's silver partitions.

Metrics follow processing time: a late event accepted into silver on dt counts towards dt, so every
gold date depends on that date's silver partitions only and can be recomputed on its own.
"""

from __future__ import annotations

from itertools import pairwise

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from bdp_etl.rules import EVENT_TYPES
from bdp_etl.schema import spark_schema

AGE_BAND_STARTS = (18, 25, 35, 45, 55, 65)


def age_band(age: Column) -> Column:
    """`18-24`, `25-34`, ... `55-64`, then `65+`."""
    last = AGE_BAND_STARTS[-1]
    bands = F.when(age >= last, F.lit(f"{last}+"))
    for start, next_start in pairwise(AGE_BAND_STARTS):
        bands = bands.when(age < next_start, F.lit(f"{start}-{next_start - 1}"))
    return bands


def cents(money: Column) -> Column:
    """A decimal(12,2) amount as whole cents.

    Spark sums a decimal(12,2) into a decimal(22,2), too wide for a long, so every addition makes
    big-decimal objects; a sum of cents is a sum of longs (and still raises on overflow).
    """
    return (money * 100).cast("long")


def _money(total_cents: Column) -> Column:
    return total_cents.cast("decimal(20,0)") / 100


def _as_declared(df: DataFrame, name: str) -> DataFrame:
    """The gold dataset's declared columns, in order, with their declared types."""
    return df.select(*(F.col(f.name).cast(f.dataType) for f in spark_schema("gold", name)))


def _events(event_type: str) -> str:
    return f"{event_type}_events"


def _revenue(event_type: str) -> str:
    return f"{event_type}_revenue_cents"


def _users(event_type: str) -> str:
    return f"{event_type}_users"


def user_activity(events: DataFrame) -> DataFrame:
    """One row per user and event country, with the events and revenue (in cents) of each event
    type in columns: every gold metric aggregates it.

    At this grain the distinct users of a country are its rows, and those of an event type are the
    rows with such events, so no gold metric needs a distinct count. Hash-partitioned by user_id,
    so that the join to users reuses that partitioning instead of shuffling the events again. A job
    that derives several metrics from it should persist it.
    """
    partitions = int(events.sparkSession.conf.get("spark.sql.shuffle.partitions"))
    per_type = []
    for event_type in EVENT_TYPES:
        is_type = F.col("event_type") == event_type
        per_type += [
            F.count_if(is_type).alias(_events(event_type)),
            F.sum(F.when(is_type, cents(F.col("amount"))).otherwise(0)).alias(_revenue(event_type)),
        ]
    return events.repartition(partitions, "user_id").groupBy("user_id", "country").agg(*per_type)


def daily_event_metrics(activity: DataFrame) -> DataFrame:
    per_country = activity.groupBy("country").agg(
        *(
            aggregate
            for event_type in EVENT_TYPES
            for aggregate in (
                F.sum(_events(event_type)).alias(_events(event_type)),
                F.sum(_revenue(event_type)).alias(_revenue(event_type)),
                F.count_if(F.col(_events(event_type)) > 0).alias(_users(event_type)),
            )
        )
    )
    by_type = F.array(
        *(
            F.struct(
                F.lit(event_type).alias("event_type"),
                F.col(_events(event_type)).alias("events"),
                _money(F.col(_revenue(event_type))).alias("revenue"),
                F.col(_users(event_type)).alias("unique_users"),
            )
            for event_type in EVENT_TYPES
        )
    )
    metrics = per_country.select("country", F.inline(by_type)).where(F.col("events") > 0)
    return _as_declared(metrics, "daily_event_metrics")


def daily_active_users(activity: DataFrame) -> DataFrame:
    active = activity.groupBy("country").agg(F.count(F.lit(1)).alias("active_users"))
    return _as_declared(active, "daily_active_users")


def user_segments(users: DataFrame, activity: DataFrame) -> DataFrame:
    """Users by age band and their own country, with the activity and revenue of that day's events.

    Events of user_ids missing from silver users (quarantined users, say) are not counted here.
    """
    segment = (age_band(F.col("age")).alias("age_band"), "country")
    # Counts and salaries come from users alone. The join to activity gives a user one row per
    # event country, so it counts the users with no match (the inactive ones, one row each) and
    # sums revenue, which adds up whatever the rows; it never needs a per-user aggregate.
    people = users.groupBy(*segment).agg(
        F.count(F.lit(1)).alias("users"), F.sum(cents(F.col("salary"))).alias("salary_cents")
    )
    spend = activity.select(
        "user_id",
        F.lit(True).alias("active"),
        sum(F.col(_revenue(event_type)) for event_type in EVENT_TYPES).alias("revenue_cents"),
    )
    activity_of_people = (
        users.select("user_id", "age", "country")
        # Hashing the activity saves sorting both sides of a sort-merge join.
        .join(spend.hint("shuffle_hash"), "user_id", "left")
        .groupBy(*segment)
        .agg(
            F.count_if(F.col("active").isNull()).alias("inactive_users"),
            F.coalesce(F.sum("revenue_cents"), F.lit(0)).alias("revenue_cents"),
        )
    )
    # Silver users always have an age and a country (rules.py), so no segment key is null.
    segments = people.join(activity_of_people, ["age_band", "country"]).select(
        "age_band",
        "country",
        "users",
        (F.col("users") - F.col("inactive_users")).alias("active_users"),
        _money(F.col("revenue_cents")).alias("revenue"),
        (F.col("salary_cents").cast("decimal(20,0)") / (F.col("users") * 100)).alias("avg_salary"),
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
