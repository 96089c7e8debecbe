from datetime import date, datetime
from decimal import Decimal

import pytest
from pyspark.sql import Row
from pyspark.sql import functions as F
from pyspark.testing.utils import assertDataFrameEqual

from bdp_etl.schema import spark_schema
from bdp_etl.silver_to_gold import (
    age_band,
    daily_active_users,
    daily_event_metrics,
    user_activity,
    user_segments,
)


@pytest.fixture
def events(frame):
    def event(event_id, user_id, event_type, amount, country):
        return {
            "event_id": event_id,
            "user_id": user_id,
            "event_type": event_type,
            "event_time": datetime(2026, 1, 15, 12),
            "amount": Decimal(amount),
            "country": country,
            "properties": {},
        }

    return frame(
        "silver",
        "events",
        [
            event("e1", "u1", "purchase", "10.50", "SE"),
            event("e2", "u1", "purchase", "4.25", "SE"),
            event("e3", "u2", "purchase", "1.00", "SE"),
            event("e4", "u2", "click", "0.00", "SE"),
            event("e5", "u1", "click", "0.00", "NO"),
            event("e6", "u9", "click", "0.00", "NO"),  # a user missing from silver users
        ],
    )


@pytest.fixture
def users(frame):
    def user(user_id, age, country, salary):
        return {
            "user_id": user_id,
            "name": user_id,
            "age": age,
            "country": country,
            "salary": Decimal(salary),
            "signup_date": date(2020, 1, 1),
        }

    return frame(
        "silver",
        "users",
        [
            user("u1", 30, "SE", "50000.00"),
            user("u2", 34, "SE", "60000.01"),
            user("u3", 34, "SE", "70000.00"),
            user("u4", 70, "NO", "40000.00"),
        ],
    )


def declared(name):
    return [(f.name, f.dataType.simpleString()) for f in spark_schema("gold", name)]


def columns(df):
    return [(f.name, f.dataType.simpleString()) for f in df.schema]


def test_daily_event_metrics_count_events_revenue_and_users_per_type_and_country(events):
    metrics = daily_event_metrics(user_activity(events))

    assert columns(metrics) == declared("daily_event_metrics")
    assertDataFrameEqual(
        metrics,
        [
            Row(
                event_type="purchase",
                country="SE",
                events=3,
                revenue=Decimal("15.75"),
                unique_users=2,
            ),
            Row(
                event_type="click", country="SE", events=1, revenue=Decimal("0.00"), unique_users=1
            ),
            Row(
                event_type="click", country="NO", events=2, revenue=Decimal("0.00"), unique_users=2
            ),
        ],
    )


def test_daily_active_users_are_distinct_per_country(events):
    active = daily_active_users(user_activity(events))

    assert columns(active) == declared("daily_active_users")
    assertDataFrameEqual(
        active, [Row(country="SE", active_users=2), Row(country="NO", active_users=2)]
    )


def test_user_segments_join_activity_to_users_by_age_band_and_country(users, events):
    segments = user_segments(users, user_activity(events))

    assert columns(segments) == declared("user_segments")
    assertDataFrameEqual(
        segments,
        [
            Row(
                age_band="25-34",
                country="SE",
                users=3,
                active_users=2,
                revenue=Decimal("15.75"),
                avg_salary=Decimal("60000.00"),
            ),
            Row(
                age_band="65+",
                country="NO",
                users=1,
                active_users=0,
                revenue=Decimal("0.00"),
                avg_salary=Decimal("40000.00"),
            ),
        ],
    )


def test_age_bands_cover_every_valid_age(spark):
    ages = spark.createDataFrame(
        [(age,) for age in (18, 24, 25, 34, 35, 54, 55, 64, 65, 120)], "age int"
    )
    bands = [
        row.band
        for row in ages.orderBy("age").select(age_band(F.col("age")).alias("band")).collect()
    ]
    assert bands == [
        "18-24",
        "18-24",
        "25-34",
        "25-34",
        "35-44",
        "45-54",
        "55-64",
        "55-64",
        "65+",
        "65+",
    ]
