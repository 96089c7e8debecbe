"""A local lake of two dates made by the real jobs, for the report to read."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from bdp_etl.cli import main
from bdp_etl.lake import Lake
from bdp_etl.session import spark_session

DATES = (date(2026, 1, 15), date(2026, 1, 16))
ROWS = 1_000
ETL = Path(__file__).resolve().parents[2] / "etl"


@pytest.fixture(scope="session")
def spark(tmp_path_factory) -> Iterator[SparkSession]:
    """The jobs' own session, sized as `make pipeline` sizes spark-submit (etl/conf)."""
    jar = os.environ.get("ICEBERG_JAR", "")
    if not Path(jar).is_file():
        pytest.exit(f"ICEBERG_JAR={jar!r} is not a file: run the tests with `make report-test`", 2)
    os.environ["PYSPARK_SUBMIT_ARGS"] = (
        f"--properties-file {ETL / 'conf' / 'spark-local.conf'} --jars {jar} pyspark-shell"
    )
    session = spark_session("bdp-report-tests", str(tmp_path_factory.mktemp("start-lake")))
    yield session
    session.stop()


@pytest.fixture(scope="session")
def dates() -> tuple[date, ...]:
    """The processing dates in the lake, so the daily charts have more than one day."""
    return DATES


@pytest.fixture(scope="session")
def lake(spark, tmp_path_factory, dates) -> Lake:
    lake = Lake(str(tmp_path_factory.mktemp("lake")))
    for day in dates:
        args = ["--date", day.isoformat(), "--lake", lake.root]
        assert main(["generate", *args, "--rows", str(ROWS)]) == 0
        for job in ("bronze_to_silver", "silver_to_gold", "quality"):
            assert main([job, *args]) == 0
    return lake
