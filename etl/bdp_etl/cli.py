"""Command line of the jobs:

main.py <job> --date YYYY-MM-DD --lake ROOT [--namespace TEMPLATE] [--lookback-days N]
    [--rows N] [--seed S] [--user-id ID]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date

from bdp_etl import jobs
from bdp_etl.generate import DEFAULT_ROWS, DEFAULT_SEED
from bdp_etl.lake import DEFAULT_NAMESPACE, Lake
from bdp_etl.logs import log
from bdp_etl.rules import DEFAULT_LOOKBACK_DAYS
from bdp_etl.session import spark_session

JOBS = (
    "generate",
    "bronze_to_silver",
    "silver_to_gold",
    "quality",
    "maintenance",
    "forget_user",
)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--date must be YYYY-MM-DD, got {value!r}") from None


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"--rows must be a positive whole number, got {value!r}")
    return int(value)


def _days(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"--lookback-days must be a whole number, got {value!r}")
    return int(value)


def _not_blank(value: str) -> str:
    # An empty --lake would otherwise resolve zone folders against the filesystem root.
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return value


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="main.py", description="Run one ETL job for one date.")
    parser.add_argument("job", choices=JOBS)
    parser.add_argument("--date", type=_date, required=True, help="processing date, YYYY-MM-DD")
    parser.add_argument(
        "--lake",
        type=_not_blank,
        required=True,
        help="lake root: s3://bucket-{zone} (a bucket per zone) or a folder of bronze/silver/gold",
    )
    parser.add_argument(
        "--namespace",
        default=DEFAULT_NAMESPACE,
        help=f"namespace (Glue database) of each zone's tables (default {DEFAULT_NAMESPACE})",
    )
    parser.add_argument(
        "--lookback-days",
        type=_days,
        default=DEFAULT_LOOKBACK_DAYS,
        help="bronze_to_silver: earlier dates whose silver events make a re-delivered event a "
        f"duplicate (default {DEFAULT_LOOKBACK_DAYS})",
    )
    parser.add_argument(
        "--rows",
        type=_positive,
        default=DEFAULT_ROWS,
        help=f"generate: users and events (default {DEFAULT_ROWS})",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"generate: seed (default {DEFAULT_SEED})"
    )
    parser.add_argument("--user-id", type=_not_blank, help="forget_user: the user to forget")
    args = parser.parse_args(argv)
    if args.job == "forget_user" and args.user_id is None:
        parser.error("forget_user needs --user-id")
    try:
        args.lake = Lake(args.lake, args.namespace)
    except ValueError as error:
        parser.error(str(error))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run a job; 1 when a blocking quality check fails. Errors propagate, never swallowed."""
    args = parse_args(argv)
    lake: Lake = args.lake
    spark = spark_session(f"bdp-etl-{args.job}", lake.root)
    context = {
        "job": args.job,
        "dt": args.date,
        "lake": lake.root,
        "namespace": lake.namespace_template,
    }
    log("job_started", **context)
    try:
        if args.job == "generate":
            jobs.generate(spark, lake, args.date, args.rows, args.seed)
        elif args.job == "bronze_to_silver":
            jobs.bronze_to_silver(spark, lake, args.date, args.lookback_days)
        elif args.job == "silver_to_gold":
            jobs.silver_to_gold(spark, lake, args.date)
        elif args.job == "maintenance":
            jobs.maintenance(spark, lake)
        elif args.job == "forget_user":
            jobs.forget_user(spark, lake, args.user_id)
        elif not jobs.quality(spark, lake, args.date):
            log("job_failed", **context, error="a blocking quality check failed")
            return 1
    except Exception as error:
        log("job_failed", **context, error=f"{type(error).__name__}: {error}")
        raise
    log("job_succeeded", **context)
    return 0
