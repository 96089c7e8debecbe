"""What makes a silver row valid, declared once.

bronze_to_silver quarantines every row that breaks a rule, naming the first rule it breaks, and the
quality job checks the silver partitions against the same rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from pyspark.sql import Column
from pyspark.sql import functions as F

EVENT_TYPES = ("page_view", "click", "add_to_cart", "purchase", "signup")
COUNTRY_CODE = r"^[A-Z]{2}$"
AGE_RANGE = (18, 120)
SALARY_RANGE = (Decimal("0.00"), Decimal("10000000.00"))
AMOUNT_RANGE = (Decimal("0.00"), Decimal("100000.00"))
LATE_EVENT_DAYS = 2
"""Events landed on dt whose event_time is more than this many days before dt are `late_event`."""
ARRIVAL_SLACK = timedelta(minutes=15)
"""Firehose dates a file by its oldest record's arrival and buffers up to 15 minutes, so events of
the first minutes after midnight can land in the previous day's partition: not `future_event`.
The bound is inclusive: an event exactly 15 minutes past midnight is accepted."""
DEFAULT_LOOKBACK_DAYS = LATE_EVENT_DAYS + 1
"""Earlier silver dates searched for an event_id before accepting it. An accepted event is at most
LATE_EVENT_DAYS old, and the arrival slack can put its first delivery one processing date earlier
still, so LATE_EVENT_DAYS + 1 dates hold every earlier delivery an accepted event can have."""

ColumnOf = Callable[[str], Column]
"""Resolves a silver column name to a Column: `F.col` on silver, a conversion on bronze."""


@dataclass(frozen=True)
class Rule:
    reason: str
    holds: Callable[[ColumnOf], Column]

    def broken(self, column_of: ColumnOf) -> Column:
        """True when the rule fails or cannot be evaluated (a null is never valid)."""
        return ~F.coalesce(self.holds(column_of), F.lit(False))


@dataclass(frozen=True)
class SilverContract:
    key: str
    """One silver row per key; the other valid rows with that key are quarantined as duplicates."""
    required: tuple[str, ...]
    """Columns that must not be null or blank, each checked by a `missing_<column>` rule."""
    latest_first: tuple[str, ...]
    """Columns that pick the row to keep among duplicates, highest first."""
    unique_across_dates: bool
    """Whether a key already in an earlier date's silver makes the row a duplicate (events, which
    can be delivered again on a later day), or each date is a snapshot of its own (users)."""
    value_rules: Callable[[date], tuple[Rule, ...]]
    """The rules on values for processing date dt."""

    @property
    def duplicate_reason(self) -> str:
        return f"duplicate_{self.key}"

    def rules(self, dt: date) -> tuple[Rule, ...]:
        """Every rule, in the order that picks a rejected row's reason."""
        return (*(missing(column) for column in self.required), *self.value_rules(dt))

    def reasons(self, dt: date) -> tuple[str, ...]:
        return (*(rule.reason for rule in self.rules(dt)), self.duplicate_reason)


def missing(column: str) -> Rule:
    return Rule(f"missing_{column}", lambda c: c(column).isNotNull())


def in_range(name: str, bounds: tuple) -> Callable[[ColumnOf], Column]:
    return lambda c: c(name).between(*bounds)


def user_value_rules(dt: date) -> tuple[Rule, ...]:
    return (
        Rule("invalid_age", in_range("age", AGE_RANGE)),
        Rule("invalid_salary", in_range("salary", SALARY_RANGE)),
        Rule("invalid_signup_date", lambda c: c("signup_date") <= F.lit(dt)),
        Rule("invalid_country", lambda c: c("country").rlike(COUNTRY_CODE)),
    )


def latest_event_time(dt: date) -> datetime:
    """The newest event_time accepted on dt: the end of dt (UTC) plus the arrival slack.

    Time-zone aware, so Spark reads it as UTC whatever the driver's OS time zone is.
    """
    return datetime.combine(dt + timedelta(days=1), time(), tzinfo=UTC) + ARRIVAL_SLACK


def _event_date(c: ColumnOf) -> Column:
    return F.to_date(c("event_time"))


def event_value_rules(dt: date) -> tuple[Rule, ...]:
    return (
        Rule("invalid_event_type", lambda c: c("event_type").isin(*EVENT_TYPES)),
        Rule("invalid_event_time", lambda c: c("event_time").isNotNull()),
        Rule("late_event", lambda c: _event_date(c) >= F.lit(dt - timedelta(days=LATE_EVENT_DAYS))),
        Rule("future_event", lambda c: c("event_time") <= F.lit(latest_event_time(dt))),
        Rule("invalid_amount", in_range("amount", AMOUNT_RANGE)),
        Rule("invalid_country", lambda c: c("country").rlike(COUNTRY_CODE)),
    )


CONTRACTS = {
    "users": SilverContract(
        key="user_id",
        required=("user_id",),
        latest_first=(),
        unique_across_dates=False,
        value_rules=user_value_rules,
    ),
    "events": SilverContract(
        key="event_id",
        required=("event_id", "user_id"),
        latest_first=("event_time",),
        unique_across_dates=True,
        value_rules=event_value_rules,
    ),
}


def first_broken_rule(rules: tuple[Rule, ...], column_of: ColumnOf) -> Column:
    """The reason of the first rule a row breaks, or null when it keeps them all."""
    return F.coalesce(*(F.when(rule.broken(column_of), F.lit(rule.reason)) for rule in rules))
