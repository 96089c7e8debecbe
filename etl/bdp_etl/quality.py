"""Data-quality checks between the layers.

Each dataset is measured by one aggregation (the `*_aggregates` functions), and the checks are plain
functions of those measurements, so they are cheap to run and easy to test. A failed blocking check
fails the quality job, and with it the EMR step and the DAG run.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date
from functools import reduce

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import NumericType

from bdp_etl.rules import CONTRACTS
from bdp_etl.schema import spark_schema

QUARANTINE_RATE_LIMIT = 0.05
"""Above this share of rejected bronze rows, the source is more likely broken than noisy."""
LATE_ARRIVAL_RATE_LIMIT = 0.10
"""Share of accepted events from before dt that is worth a warning (it does not block)."""


@dataclass(frozen=True)
class CheckResult:
    check_name: str
    layer: str
    passed: bool
    blocking: bool
    observed: str
    expected: str

    @property
    def status(self) -> str:
        return "PASS" if self.passed else "FAIL"

    @property
    def blocks(self) -> bool:
        return self.blocking and not self.passed

    def as_record(self) -> dict[str, object]:
        """The result as a row of gold quality_results."""
        return {
            "check_name": self.check_name,
            "layer": self.layer,
            "status": self.status,
            "blocking": self.blocking,
            "observed": self.observed,
            "expected": self.expected,
        }


def results_frame(spark: SparkSession, results: list[CheckResult]) -> DataFrame:
    """The results as gold quality_results, built from literals so no Python worker is needed."""
    columns = spark_schema("gold", "quality_results").names
    rows = [
        F.struct(*(F.lit(result.as_record()[column]).alias(column) for column in columns))
        for result in results
    ]
    return spark.range(1).select(F.inline(F.array(*rows)))


def silver_aggregates(name: str, dt: date) -> list[Column]:
    """Rows, rows with null keys, rows with and distinct values of the key, and rows breaking each
    value rule of a silver dataset."""
    contract = CONTRACTS[name]
    any_required_null = reduce(operator.or_, (F.col(c).isNull() for c in contract.required))
    return [
        F.count(F.lit(1)).alias("rows"),
        F.count_if(any_required_null).alias("null_keys"),
        F.count(contract.key).alias("keyed_rows"),
        F.count_distinct(contract.key).alias("distinct_keys"),
        *(F.count_if(rule.broken(F.col)).alias(rule.reason) for rule in contract.value_rules(dt)),
    ]


def event_time_aggregates(dt: date) -> list[Column]:
    """Newest event time (UTC, ISO-8601), accepted events of dt itself and from before dt, and
    revenue."""
    return [
        F.date_format(F.max("event_time"), "yyyy-MM-dd'T'HH:mm:ssX").alias("latest_event_time"),
        F.count_if(F.to_date("event_time") == F.lit(dt)).alias("events_on_date"),
        F.count_if(F.to_date("event_time") < F.lit(dt)).alias("late_arrivals"),
        F.sum("amount").alias("revenue"),
    ]


def reconciliation_checks(
    name: str, bronze_rows: int, silver_rows: int, quarantined: dict[str, int]
) -> list[CheckResult]:
    """Every bronze row is either in silver or in quarantine, and few are quarantined."""
    quarantine_rows = sum(quarantined.values())
    duplicates = quarantined.get(CONTRACTS[name].duplicate_reason, 0)
    rate = quarantine_rows / bronze_rows if bronze_rows else 0.0
    return [
        CheckResult(
            f"{name}_row_count_reconciliation",
            "bronze_to_silver",
            passed=bronze_rows == silver_rows + quarantine_rows,
            blocking=True,
            observed=f"bronze={bronze_rows} silver={silver_rows} quarantine={quarantine_rows} "
            f"(duplicates={duplicates})",
            expected="bronze = silver + quarantine",
        ),
        CheckResult(
            f"{name}_quarantine_rate",
            "bronze_to_silver",
            passed=rate <= QUARANTINE_RATE_LIMIT,
            blocking=True,
            observed=f"{rate:.2%} ({_counts(quarantined) or 'none'})",
            expected=f"<= {QUARANTINE_RATE_LIMIT:.0%}",
        ),
    ]


def silver_checks(name: str, measured: dict, dt: date) -> list[CheckResult]:
    """No null keys, unique keys and values within the rules, measured by `silver_aggregates`."""
    contract = CONTRACTS[name]
    reasons = [rule.reason for rule in contract.value_rules(dt)]
    broken = {reason: measured[reason] for reason in reasons if measured[reason]}
    return [
        CheckResult(
            f"{name}_null_keys",
            "silver",
            passed=measured["null_keys"] == 0,
            blocking=True,
            observed=f"{measured['null_keys']} rows with a null {' or '.join(contract.required)}",
            expected="0",
        ),
        CheckResult(
            f"{name}_unique_{contract.key}",
            "silver",
            passed=measured["distinct_keys"] == measured["keyed_rows"],
            blocking=True,
            observed=f"{measured['distinct_keys']} distinct in {measured['keyed_rows']} rows",
            expected="one row per key",
        ),
        CheckResult(
            f"{name}_value_ranges",
            "silver",
            passed=not broken,
            blocking=True,
            observed=_counts(broken) or "0",
            expected=f"0 rows breaking {', '.join(reasons)}",
        ),
    ]


def freshness_checks(measured: dict, dt: date) -> list[CheckResult]:
    """Events of dt itself arrived, and not too many accepted events are from earlier days.

    The newest accepted event may be from just after midnight (the arrival slack of rules.py), so
    freshness asks for events dated dt, not for the newest event to be dated dt.
    """
    latest: str | None = measured["latest_event_time"]
    on_date: int = measured["events_on_date"]
    rate = measured["late_arrivals"] / measured["rows"] if measured["rows"] else 0.0
    return [
        CheckResult(
            "events_freshness",
            "silver",
            passed=on_date > 0,
            blocking=True,
            observed=f"{on_date} events dated {dt}, latest event_time {latest or 'none'}",
            expected=f"events dated {dt.isoformat()} (UTC)",
        ),
        CheckResult(
            "events_late_arrivals",
            "silver",
            passed=rate <= LATE_ARRIVAL_RATE_LIMIT,
            blocking=False,
            observed=f"{rate:.2%} ({measured['late_arrivals']} events dated before {dt})",
            expected=f"<= {LATE_ARRIVAL_RATE_LIMIT:.0%}",
        ),
    ]


def gold_totals(name: str) -> list[Column]:
    """Rows and the sum of every numeric column of a gold dataset (counts, revenue, users)."""
    numeric = [f.name for f in spark_schema("gold", name) if isinstance(f.dataType, NumericType)]
    return [F.count(F.lit(1)).alias("rows"), *(F.sum(column).alias(column) for column in numeric)]


def measure_gold(expected: DataFrame, actual: DataFrame, name: str) -> tuple[dict, dict, int]:
    """Totals of the gold dataset recomputed from silver and of the stored one, and how many rows
    differ between the two (in either direction, so a changed value counts twice)."""
    expected_totals = expected.agg(*gold_totals(name)).first().asDict()
    actual_totals = actual.agg(*gold_totals(name)).first().asDict()
    differing = expected.exceptAll(actual).count() + actual.exceptAll(expected).count()
    return expected_totals, actual_totals, differing


def gold_check(name: str, expected: dict, actual: dict, differing_rows: int) -> CheckResult:
    """A gold dataset equals what silver_to_gold computes from the date's silver: same rows, counts,
    sums and distinct users in every row, not only the same grand totals."""
    return CheckResult(
        f"{name}_reconciliation",
        "silver_to_gold",
        passed=differing_rows == 0 and expected == actual,
        blocking=True,
        observed=f"{_totals(actual)}; {differing_rows} rows differ from silver",
        expected=f"{_totals(expected)}; 0 rows differ",
    )


def _totals(totals: dict) -> str:
    return " ".join(f"{key}={value}" for key, value in totals.items())


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(counts.items()) if value)
