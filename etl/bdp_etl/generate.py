"""Synthetic bronze users and events for one date.

Every value is a Spark expression over a hash of (seed, date, purpose, row id), so a seed and a
date always give the same rows, whatever the partitioning, and no Python runs per row. A small,
known share of rows carries a defect named after the quarantine reason bronze_to_silver must give.
"""

from __future__ import annotations

import calendar
from datetime import date
from itertools import accumulate

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from bdp_etl.rules import EVENT_TYPES, LATE_EVENT_DAYS
from bdp_etl.schema import spark_schema

DEFAULT_ROWS = 5_000_000
DEFAULT_SEED = 42
FIRST_NAMES = ("Anna", "Erik", "Maja", "Lars", "Sofia", "Jonas", "Elin", "Oskar", "Ida", "Nils")
LAST_NAMES = ("Berg", "Lind", "Holm", "Dahl", "Strand", "Ek", "Sund", "Falk", "Nyberg", "Wall")
COUNTRIES = ("SE", "NO", "DK", "FI", "DE", "FR", "NL", "GB", "US", "ES")
DEVICES = ("ios", "android", "web")
CAMPAIGNS = ("none", "newsletter", "search", "social")
SECONDS_PER_DAY = 86_400

# Share of generated rows that carry each defect, keyed by the quarantine reason it must produce.
USER_DEFECTS = {
    "missing_user_id": 0.002,
    "invalid_age": 0.002,
    "invalid_salary": 0.002,
    "invalid_signup_date": 0.002,
    "invalid_country": 0.002,
}
EVENT_DEFECTS = {
    "missing_event_id": 0.002,
    "missing_user_id": 0.002,
    "invalid_event_type": 0.002,
    "invalid_event_time": 0.002,
    "late_event": 0.002,
    "future_event": 0.002,
    "invalid_amount": 0.002,
    "invalid_country": 0.002,
}
DUPLICATE_SHARE = 0.01
"""Share of clean rows landed twice; the extra copy must be quarantined as a duplicate."""
LATE_ARRIVAL_SHARE = 0.03
"""Share of clean events from the day before dt: late, but within LATE_EVENT_DAYS, so accepted."""
MESSY_SHARE = 0.05
"""Share of valid values landed with stray spaces or odd case, which normalisation fixes."""


class _Dice:
    """Deterministic per-row draws: one independent hash stream per purpose."""

    def __init__(self, seed: int, dt: date) -> None:
        self.seed, self.dt = seed, dt.isoformat()

    def draw(self, purpose: str, modulus: int) -> Column:
        """A whole number in [0, modulus)."""
        row_hash = F.xxhash64(F.lit(self.seed), F.lit(self.dt), F.lit(purpose), F.col("id"))
        return F.pmod(row_hash, F.lit(modulus))

    def chance(self, purpose: str, share: float) -> Column:
        return self.draw(purpose, 1_000_000) < round(share * 1_000_000)

    def pick(self, purpose: str, values: tuple) -> Column:
        options = F.array(*(F.lit(value).cast("string") for value in values))
        return F.element_at(options, (self.draw(purpose, len(values)) + 1).cast("int"))

    def defect(self, shares: dict[str, float]) -> Column:
        """The defect a row carries, or null for a clean row."""
        bucket = self.draw("defect", 1_000_000)
        branches = [
            (bucket < round(upper * 1_000_000), F.lit(reason))
            for reason, upper in zip(shares, accumulate(shares.values()), strict=True)
        ]
        cases = F.when(*branches[0])
        for condition, reason in branches[1:]:
            cases = cases.when(condition, reason)
        return cases


def _with_duplicates(rows: DataFrame, dice: _Dice, reason: str) -> DataFrame:
    """Land a share of the clean rows twice, the copy labelled with the duplicate reason."""
    copies = rows.where(F.col("defect").isNull() & dice.chance("duplicate", DUPLICATE_SHARE))
    return rows.unionByName(copies.withColumn("defect", F.lit(reason)))


def _unless(defect: str, bad_values: Column, value: Column) -> Column:
    """`value`, or one of the `bad_values` on rows generated with `defect`."""
    return F.when(F.col("defect") == defect, bad_values).otherwise(value)


def _messy(dice: _Dice, purpose: str, value: Column, messy_value: Column) -> Column:
    return F.when(dice.chance(purpose, MESSY_SHARE), messy_value).otherwise(value)


def _user_id(dice: _Dice, number: Column) -> Column:
    return _unless(
        "missing_user_id", dice.pick("bad_user_id", (None, "  ")), F.format_string("u%09d", number)
    )


def _country(dice: _Dice) -> Column:
    code = dice.pick("country", COUNTRIES)
    landed = _messy(dice, "messy_country", code, F.concat(F.lit(" "), F.lower(code), F.lit(" ")))
    return _unless("invalid_country", dice.pick("bad_country", ("Sweden", "S3", "")), landed)


def _decimal_string(cents: Column) -> Column:
    return (cents.cast("decimal(14,0)") / 100).cast("decimal(12,2)").cast("string")


def _bronze(frame: DataFrame, name: str) -> DataFrame:
    """The declared bronze columns plus the `defect` each row was generated with."""
    return frame.select(*spark_schema("bronze", name).names, "defect")


def users_with_defects(spark: SparkSession, rows: int, seed: int, dt: date) -> DataFrame:
    dice = _Dice(seed, dt)
    ids = spark.range(rows).withColumn("defect", dice.defect(USER_DEFECTS))
    signup_date = F.date_sub(F.lit(dt), dice.draw("signup", 3650).cast("int")).cast("string")
    users = _with_duplicates(ids, dice, "duplicate_user_id").select(
        "defect",
        _user_id(dice, F.col("id")).alias("user_id"),
        F.concat_ws(
            " ", dice.pick("first_name", FIRST_NAMES), dice.pick("last_name", LAST_NAMES)
        ).alias("name"),
        _unless(
            "invalid_age",
            dice.pick("bad_age", ("abc", "-3", "230")),
            (dice.draw("age", 43) + 18).cast("string"),
        ).alias("age"),
        _country(dice).alias("country"),
        _unless(
            "invalid_salary",
            dice.pick("bad_salary", ("n/a", "-100.00")),
            _decimal_string(F.lit(3_000_000) + dice.draw("salary", 12_000_001)),
        ).alias("salary"),
        _unless(
            "invalid_signup_date",
            dice.pick("bad_signup_date", ("2024-02-30", "not a date", "2999-01-01")),
            signup_date,
        ).alias("signup_date"),
    )
    return _bronze(users, "users")


def events_with_defects(
    spark: SparkSession, rows: int, seed: int, dt: date, users: int
) -> DataFrame:
    """`rows` events on dt by users `u000000000` up to `users` (exclusive)."""
    dice = _Dice(seed, dt)
    ids = spark.range(rows).withColumn("defect", dice.defect(EVENT_DEFECTS))
    shift_days = (
        F.when(F.col("defect") == "late_event", -(LATE_EVENT_DAYS + 1))
        .when(F.col("defect") == "future_event", 2)
        .when(dice.chance("late_arrival", LATE_ARRIVAL_SHARE), -1)
        .otherwise(0)
    )
    # A duplicate is an earlier delivery of the same event, so the original is the one to keep.
    copy_delay = F.when(F.col("defect") == "duplicate_event_id", dice.draw("copy_delay", 60) + 1)
    epoch_seconds = (
        F.lit(calendar.timegm(dt.timetuple()))
        + dice.draw("second", SECONDS_PER_DAY)
        + shift_days * SECONDS_PER_DAY
        - F.coalesce(copy_delay, F.lit(0))
    )
    event_type = dice.pick("event_type", EVENT_TYPES)
    amount = F.when(
        event_type == "purchase", _decimal_string(dice.draw("amount", 49_501) + 500)
    ).otherwise(F.lit("0.00"))
    events = _with_duplicates(ids, dice, "duplicate_event_id").select(
        "defect",
        _unless(
            "missing_event_id",
            dice.pick("bad_event_id", (None, "")),
            F.format_string("evt-%s-%010d", F.lit(dt.strftime("%Y%m%d")), "id"),
        ).alias("event_id"),
        _user_id(dice, dice.draw("user", users)).alias("user_id"),
        _unless(
            "invalid_event_type",
            dice.pick("bad_event_type", ("unknown", "", "purchase!")),
            _messy(dice, "messy_event_type", event_type, F.upper(event_type)),
        ).alias("event_type"),
        _unless(
            "invalid_event_time",
            dice.pick("bad_event_time", ("yesterday", "2026-13-01T00:00:00Z", None)),
            F.date_format(F.timestamp_seconds(epoch_seconds), "yyyy-MM-dd'T'HH:mm:ss'Z'"),
        ).alias("event_time"),
        _unless("invalid_amount", dice.pick("bad_amount", ("abc", "-5.00", "1e9")), amount).alias(
            "amount"
        ),
        _country(dice).alias("country"),
        F.create_map(
            F.lit("device"),
            dice.pick("device", DEVICES),
            F.lit("campaign"),
            dice.pick("campaign", CAMPAIGNS),
        ).alias("properties"),
    )
    return _bronze(events, "events")
