from datetime import date, datetime
from decimal import Decimal

import pytest
from pyspark.sql import functions as F

from bdp_etl.quality import (
    event_time_aggregates,
    freshness_checks,
    gold_check,
    measure_gold,
    reconciliation_checks,
    silver_aggregates,
    silver_checks,
)
from bdp_etl.rules import ARRIVAL_SLACK
from bdp_etl.silver_to_gold import gold_outputs, user_activity


def by_name(results):
    return {result.check_name: result for result in results}


def test_reconciliation_is_exact_and_counts_duplicates_as_quarantined():
    quarantined = {"duplicate_event_id": 2, "invalid_amount": 1}
    passing = by_name(reconciliation_checks("events", 100, 97, quarantined))
    failing = by_name(reconciliation_checks("events", 100, 98, quarantined))

    assert passing["events_row_count_reconciliation"].passed
    assert passing["events_row_count_reconciliation"].observed == (
        "bronze=100 silver=97 quarantine=3 (duplicates=2)"
    )
    assert failing["events_row_count_reconciliation"].blocks


def test_a_quarantine_spike_blocks():
    results = by_name(reconciliation_checks("users", 100, 94, {"invalid_age": 6}))
    assert results["users_quarantine_rate"].blocks
    assert results["users_quarantine_rate"].observed == "6.00% (invalid_age=6)"


def test_silver_aggregates_measure_null_keys_duplicates_and_broken_rules(frame, dt):
    def event(event_id, user_id="u1", amount="1.00", country="SE"):
        return {
            "event_id": event_id,
            "user_id": user_id,
            "event_type": "click",
            "event_time": datetime(2026, 1, 14, 23),
            "amount": Decimal(amount),
            "country": country,
            "properties": {},
        }

    events = frame(
        "silver",
        "events",
        [
            event("e1"),
            event("e1"),
            event(None),
            event("e2", user_id=None),
            event("e3", country="se"),
        ],
    )
    measured = events.agg(*silver_aggregates("events", dt), *event_time_aggregates(dt)).first()
    results = by_name(silver_checks("events", measured.asDict(), dt))

    assert (measured.rows, measured.null_keys, measured.keyed_rows, measured.distinct_keys) == (
        5,
        2,
        4,
        3,
    )
    assert (measured.late_arrivals, measured.revenue) == (5, Decimal("5.00"))
    assert measured.latest_event_time == "2026-01-14T23:00:00Z"
    assert results["events_null_keys"].blocks
    assert results["events_unique_event_id"].observed == "3 distinct in 4 rows"
    assert results["events_value_ranges"].observed == "invalid_country=1"
    assert results["events_value_ranges"].blocks


def test_freshness_needs_events_of_the_processing_date(dt):
    fresh = {
        "latest_event_time": "2026-01-15T23:59:59Z",
        "events_on_date": 99,
        "late_arrivals": 1,
        "rows": 100,
    }
    stale = {
        "latest_event_time": "2026-01-14T23:59:59Z",
        "events_on_date": 0,
        "late_arrivals": 100,
        "rows": 100,
    }
    empty = {"latest_event_time": None, "events_on_date": 0, "late_arrivals": 0, "rows": 0}

    assert not any(result.blocks for result in freshness_checks(fresh, dt))
    stale_results = by_name(freshness_checks(stale, dt))
    assert stale_results["events_freshness"].blocks
    # Many late arrivals are worth a look but do not stop the pipeline.
    assert not stale_results["events_late_arrivals"].passed
    assert not stale_results["events_late_arrivals"].blocks
    assert by_name(freshness_checks(empty, dt))["events_freshness"].blocks


def silver_event(event_id, user_id, event_type, amount, country, event_time):
    return {
        "event_id": event_id,
        "user_id": user_id,
        "event_type": event_type,
        "event_time": event_time,
        "amount": Decimal(amount),
        "country": country,
        "properties": {},
    }


def test_an_accepted_event_in_the_arrival_slack_keeps_the_date_fresh(frame, dt):
    # Accepted into dt's silver (rules.ARRIVAL_SLACK), though dated the next day.
    after_midnight = datetime(2026, 1, 16) + ARRIVAL_SLACK / 3
    events = frame(
        "silver",
        "events",
        [
            silver_event("e1", "u1", "click", "0", "SE", datetime(2026, 1, 15, 12)),
            silver_event("e2", "u1", "click", "0", "SE", after_midnight),
        ],
    )
    measured = events.agg(*silver_aggregates("events", dt), *event_time_aggregates(dt)).first()

    assert measured.latest_event_time.startswith("2026-01-16")
    assert not by_name(freshness_checks(measured.asDict(), dt))["events_freshness"].blocks


@pytest.fixture
def silver(frame):
    def user(user_id, age, country, salary):
        return {
            "user_id": user_id,
            "name": user_id,
            "age": age,
            "country": country,
            "salary": Decimal(salary),
            "signup_date": date(2020, 1, 1),
        }

    noon = datetime(2026, 1, 15, 12)
    users = frame(
        "silver",
        "users",
        [user("u1", 30, "SE", "50000.00"), user("u2", 70, "NO", "40000.00")],
    )
    events = frame(
        "silver",
        "events",
        [
            silver_event("e1", "u1", "purchase", "10.50", "SE", noon),
            silver_event("e2", "u2", "purchase", "4.25", "SE", noon),
            silver_event("e3", "u2", "click", "0.00", "NO", noon),
        ],
    )
    return users, user_activity(events)


def reconcile(expected, actual, name):
    return gold_check(name, *measure_gold(expected, actual, name))


def test_gold_computed_from_silver_reconciles(silver):
    for name, gold in gold_outputs(*silver).items():
        result = reconcile(gold, gold, name)
        assert result.passed, result
        assert result.check_name == f"{name}_reconciliation"


@pytest.mark.parametrize(
    ("name", "column", "corruption"),
    [
        ("daily_active_users", "active_users", "active_users * 2"),
        ("user_segments", "revenue", "0"),
        ("user_segments", "active_users", "0"),
        ("daily_event_metrics", "unique_users", "0"),
        ("daily_event_metrics", "events", "events + 1"),
        ("daily_event_metrics", "revenue", "revenue - 0.01"),
        ("user_segments", "users", "users * 2"),
        ("user_segments", "avg_salary", "0"),
        ("daily_event_metrics", "country", "'XX'"),
    ],
)
def test_a_corrupted_gold_column_fails_the_gate(silver, name, column, corruption):
    expected = gold_outputs(*silver)[name]
    corrupted = expected.withColumn(
        column, F.expr(corruption).cast(expected.schema[column].dataType)
    )

    result = reconcile(expected, corrupted, name)

    assert result.blocks
    assert "0 rows differ" not in result.observed


def test_a_missing_or_extra_gold_row_fails_the_gate(silver):
    expected = gold_outputs(*silver)["daily_active_users"]

    assert reconcile(expected, expected.limit(1), "daily_active_users").blocks
    assert reconcile(expected, expected.union(expected), "daily_active_users").blocks
