import os
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pyspark.sql import Row
from pyspark.testing.utils import assertDataFrameEqual

from bdp_etl.bronze_to_silver import accepted, label, rejected
from bdp_etl.rules import latest_event_time
from bdp_etl.schema import spark_schema


def reasons(labelled, key):
    return {(row[key], row["reason"]) for row in labelled.select(key, "reason").collect()}


def declared(zone, name):
    return [(f.name, f.dataType.simpleString()) for f in spark_schema(zone, name)]


def columns(df):
    return [(f.name, f.dataType.simpleString()) for f in df.schema]


def test_accepted_events_are_typed_and_normalised(bronze_events, dt):
    bronze = bronze_events(
        {
            "event_id": " e1 ",
            "user_id": " u7",
            "event_type": " PURCHASE ",
            "event_time": "2026-01-15T10:11:12.5Z",
            "amount": " 19.90 ",
            "country": " se ",
            "properties": {"device": "ios"},
        }
    )
    silver = accepted(label(bronze, "events", dt), "events")

    assert columns(silver) == declared("silver", "events")
    expected = Row(
        event_id="e1",
        user_id="u7",
        event_type="purchase",
        event_time=datetime(2026, 1, 15, 10, 11, 12, 500000),
        amount=Decimal("19.90"),
        country="SE",
        properties={"device": "ios"},
    )
    assertDataFrameEqual(silver, [expected])


def test_accepted_users_are_typed_and_normalised(bronze_users, dt):
    bronze = bronze_users(
        {"name": " Anna Berg ", "age": " 42", "salary": "1234.5", "country": "no"}
    )
    silver = accepted(label(bronze, "users", dt), "users")

    assert columns(silver) == declared("silver", "users")
    expected = Row(
        user_id="u1",
        name="Anna Berg",
        age=42,
        country="NO",
        salary=Decimal("1234.50"),
        signup_date=datetime(2020, 5, 1).date(),
    )
    assertDataFrameEqual(silver, [expected])


def test_rejected_events_are_quarantined_with_the_first_rule_they_break(bronze_events, dt):
    cases = {
        "ok": {},
        "blank_id": {"event_id": "  "},
        "no_user": {"user_id": None},
        "bad_type": {"event_type": "purchase!"},
        "no_type": {"event_type": None},
        "bad_time": {"event_time": "yesterday"},
        "no_time": {"event_time": None},
        "late": {"event_time": "2026-01-12T23:59:59Z"},
        "late_but_accepted": {"event_time": "2026-01-13T00:00:00Z"},
        "future": {"event_time": "2026-01-16T00:15:00.000001Z"},
        "landed_just_after_midnight": {"event_time": "2026-01-16T00:14:59Z"},
        "exactly_at_the_slack": {"event_time": "2026-01-16T00:15:00Z"},
        "bad_amount": {"amount": "abc"},
        "negative_amount": {"amount": "-0.01"},
        "huge_amount": {"amount": "100000.01"},
        "bad_country": {"country": "Sweden"},
        "no_country": {"country": ""},
        "two_faults": {"user_id": "", "amount": "abc"},
    }
    bronze = bronze_events(*({"event_id": case, **fields} for case, fields in cases.items()))
    labelled = label(bronze, "events", dt)

    assert reasons(labelled, "event_id") == {
        ("ok", None),
        ("  ", "missing_event_id"),
        ("no_user", "missing_user_id"),
        ("bad_type", "invalid_event_type"),
        ("no_type", "invalid_event_type"),
        ("bad_time", "invalid_event_time"),
        ("no_time", "invalid_event_time"),
        ("late", "late_event"),
        ("late_but_accepted", None),
        ("future", "future_event"),
        ("landed_just_after_midnight", None),
        ("exactly_at_the_slack", None),
        ("bad_amount", "invalid_amount"),
        ("negative_amount", "invalid_amount"),
        ("huge_amount", "invalid_amount"),
        ("bad_country", "invalid_country"),
        ("no_country", "invalid_country"),
        ("two_faults", "missing_user_id"),
    }


def test_rejected_users_are_quarantined_with_the_first_rule_they_break(bronze_users, dt):
    cases = {
        "ok": {},
        "no_id": {"user_id": None},
        "bad_age": {"age": "abc"},
        "young": {"age": "17"},
        "old": {"age": "121"},
        "bad_salary": {"salary": "n/a"},
        "negative_salary": {"salary": "-1"},
        "bad_date": {"signup_date": "2024-02-30"},
        "future_signup": {"signup_date": "2026-01-16"},
        "bad_country": {"country": "S3"},
    }
    bronze = bronze_users(
        *({"name": case, "user_id": case, **fields} for case, fields in cases.items())
    )
    labelled = label(bronze, "users", dt)

    assert reasons(labelled, "name") == {
        ("ok", None),
        ("no_id", "missing_user_id"),
        ("bad_age", "invalid_age"),
        ("young", "invalid_age"),
        ("old", "invalid_age"),
        ("bad_salary", "invalid_salary"),
        ("negative_salary", "invalid_salary"),
        ("bad_date", "invalid_signup_date"),
        ("future_signup", "invalid_signup_date"),
        ("bad_country", "invalid_country"),
    }


def test_quarantine_keeps_rows_as_landed(bronze_events, dt):
    bronze = bronze_events({"amount": " abc ", "country": " se "})
    quarantine = rejected(label(bronze, "events", dt), "events")

    assert columns(quarantine) == declared("silver", "events_quarantine")
    assert quarantine.first().asDict() == {
        **bronze.first().asDict(),
        "reason": "invalid_amount",
    }


def test_duplicates_keep_the_latest_event_and_quarantine_the_rest(bronze_events, dt):
    bronze = bronze_events(
        {"event_id": "e1", "event_time": "2026-01-15T10:00:00Z", "amount": "1.00"},
        {"event_id": " e1", "event_time": "2026-01-15T11:00:00Z", "amount": "2.00"},
        {"event_id": "e1", "event_time": "2026-01-15T09:00:00Z", "amount": "3.00"},
        {"event_id": "e2"},
    )
    labelled = label(bronze, "events", dt)

    kept = accepted(labelled, "events").select("event_id", "amount")
    assertDataFrameEqual(
        kept,
        [Row(event_id="e1", amount=Decimal("2.00")), Row(event_id="e2", amount=Decimal("0.00"))],
    )
    quarantined = rejected(labelled, "events").select("amount", "reason")
    assertDataFrameEqual(
        quarantined,
        [
            Row(amount="1.00", reason="duplicate_event_id"),
            Row(amount="3.00", reason="duplicate_event_id"),
        ],
    )


def test_an_invalid_later_copy_neither_wins_nor_counts_as_a_duplicate(bronze_events, dt):
    bronze = bronze_events(
        {"event_time": "2026-01-15T10:00:00Z", "amount": "1.00"},
        {"event_time": "2026-01-15T11:00:00Z", "amount": "abc"},
    )
    labelled = label(bronze, "events", dt)

    assert {(row.amount, row.reason) for row in labelled.collect()} == {
        ("1.00", None),
        ("abc", "invalid_amount"),
    }


def test_ties_are_broken_by_the_landed_values_whatever_the_input_order(bronze_events, dt):
    copies = [
        {"amount": "5.00", "properties": {"device": "web"}},
        {"amount": "7.00", "properties": {"device": "web"}},
        {"amount": "7.00", "properties": {"device": "ios"}},
    ]
    for ordering in (copies, copies[::-1]):
        silver = accepted(label(bronze_events(*ordering), "events", dt), "events")
        assert [(row.amount, row.properties) for row in silver.collect()] == [
            (Decimal("7.00"), {"device": "web"})
        ]


def test_duplicate_users_keep_one_row(bronze_users, dt):
    bronze = bronze_users({}, {}, {"user_id": "u2"})
    labelled = label(bronze, "users", dt)

    assert accepted(labelled, "users").count() == 2
    assert [row.reason for row in rejected(labelled, "users").collect()] == ["duplicate_user_id"]


def test_the_future_cutoff_is_utc_whatever_the_drivers_time_zone(bronze_events, dt):
    cutoff = latest_event_time(dt).astimezone(UTC)
    just_after = (cutoff + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    at_cutoff = cutoff.strftime("%Y-%m-%dT%H:%M:%SZ")
    bronze = bronze_events(
        {"event_id": "at", "event_time": at_cutoff}, {"event_id": "after", "event_time": just_after}
    )
    try:
        # A naive cutoff would be read as Stockholm time, an hour before the UTC one.
        os.environ["TZ"] = "Europe/Stockholm"
        time.tzset()
        labelled = label(bronze, "events", dt)
        found = reasons(labelled, "event_id")
    finally:
        os.environ["TZ"] = "UTC"
        time.tzset()
    assert found == {("at", None), ("after", "future_event")}


@pytest.mark.parametrize(
    ("field", "landed"),
    [
        ("age", "30.7"),
        ("age", "30.0"),
        ("age", "3e1"),
        ("salary", "10.005"),
        ("salary", "1e3"),
        ("salary", "12345678901.00"),
    ],
)
def test_user_values_that_a_cast_would_truncate_or_round_are_rejected(
    bronze_users, dt, field, landed
):
    labelled = label(bronze_users({field: landed}), "users", dt)
    assert [row.reason for row in labelled.collect()] == [f"invalid_{field}"]


@pytest.mark.parametrize("landed", ["10.005", "0.001", "1e2", "12.", ".5"])
def test_amounts_with_more_than_cents_or_odd_forms_are_rejected(bronze_events, dt, landed):
    labelled = label(bronze_events({"amount": landed}), "events", dt)
    assert [row.reason for row in labelled.collect()] == ["invalid_amount"]


def test_every_kind_of_whitespace_is_trimmed(bronze_users, dt):
    bronze = bronze_users(
        {
            "user_id": "\tu1\n",
            "age": "\u00a030\r",
            "country": "\u2003se\u3000",
            "salary": "\f12.50\v",
        }
    )
    silver = accepted(label(bronze, "users", dt), "users")
    assert [(r.user_id, r.age, r.country, r.salary) for r in silver.collect()] == [
        ("u1", 30, "SE", Decimal("12.50"))
    ]


def test_an_event_already_in_earlier_silver_is_a_duplicate(bronze_events, spark, dt):
    bronze = bronze_events(
        {"event_id": "seen"}, {"event_id": "new"}, {"event_id": "bad", "amount": "x"}
    )
    seen = spark.createDataFrame([("seen",), ("bad",)], "event_id string")
    labelled = label(bronze, "events", dt, seen)
    assert reasons(labelled, "event_id") == {
        ("seen", "duplicate_event_id"),
        ("new", None),
        ("bad", "invalid_amount"),
    }
