"""Command line of the jobs: `main.py <job> --date YYYY-MM-DD --lake ROOT [--rows N] [--seed S]`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date

from bdp_etl import jobs
from bdp_etl.generate import DEFAULT_ROWS, DEFAULT_SEED
from bdp_etl.logs import log
from bdp_etl.session import spark_session

JOBS = ("generate", "bronze_to_silver", "silver_to_gold", "quality")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--date must be YYYY-MM-DD, got {value!r}") from None


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"--rows must be a positive whole number, got {value!r}")
    return int(value)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="main.py", description="Run one ETL job for one date.")
    parser.add_argument("job", choices=JOBS)
    parser.add_argument("--date", type=_date, required=True, help="processing date, YYYY-MM-DD")
    parser.add_argument(
        "--lake",
        required=True,
        help="lake root: s3://bucket-{zone} (a bucket per zone) or a folder of bronze/silver/gold",
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
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run a job; 1 when a blocking quality check fails. Errors propagate, never swallowed."""
    args = parse_args(argv)
    spark = spark_session(f"bdp-etl-{args.job}")
    context = {"job": args.job, "dt": args.date, "lake": args.lake}
    log("job_started", **context)
    try:
        if args.job == "generate":
            jobs.generate(spark, args.lake, args.date, args.rows, args.seed)
        elif args.job == "bronze_to_silver":
            jobs.bronze_to_silver(spark, args.lake, args.date)
        elif args.job == "silver_to_gold":
            jobs.silver_to_gold(spark, args.lake, args.date)
        elif not jobs.quality(spark, args.lake, args.date):
            log("job_failed", **context, error="a blocking quality check failed")
            return 1
    except Exception as error:
        log("job_failed", **context, error=f"{type(error).__name__}: {error}")
        raise
    log("job_succeeded", **context)
    return 0
