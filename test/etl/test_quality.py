from datetime import datetime
from decimal import Decimal

from bdp_etl.quality import (
    event_time_aggregates,
    freshness_checks,
    gold_checks,
    reconciliation_checks,
    silver_aggregates,
    silver_checks,
)


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
    fresh = {"latest_event_time": "2026-01-15T23:59:59Z", "late_arrivals": 1, "rows": 100}
    stale = {"latest_event_time": "2026-01-14T23:59:59Z", "late_arrivals": 100, "rows": 100}
    empty = {"latest_event_time": None, "late_arrivals": 0, "rows": 0}

    assert not any(result.blocks for result in freshness_checks(fresh, dt))
    stale_results = by_name(freshness_checks(stale, dt))
    assert stale_results["events_freshness"].blocks
    # Many late arrivals are worth a look but do not stop the pipeline.
    assert not stale_results["events_late_arrivals"].passed
    assert not stale_results["events_late_arrivals"].blocks
    assert by_name(freshness_checks(empty, dt))["events_freshness"].blocks


def test_gold_totals_must_match_silver():
    events = {"rows": 10, "revenue": Decimal("12.50")}
    good = gold_checks(events, 4, {"events": 10, "revenue": Decimal("12.50")}, {"users": 4})
    bad = by_name(gold_checks(events, 4, {"events": 10, "revenue": Decimal("12.49")}, {"users": 3}))

    assert all(result.passed for result in good)
    assert bad["daily_event_metrics_reconciliation"].blocks
    assert bad["user_segments_reconciliation"].blocks
