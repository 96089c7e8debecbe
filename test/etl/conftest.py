"""One local SparkSession for the whole suite, and helpers that build small bronze frames."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from pyspark.sql import DataFrame, SparkSession

from bdp_etl.schema import spark_schema
from bdp_etl.session import JOB_CONF, catalog_conf

# pyspark.testing imports pyspark.pandas, which asks for this before any Spark context starts.
os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")

DT = date(2026, 1, 15)
ETL = Path(__file__).resolve().parents[2] / "etl"

VALID_USER = {
    "user_id": "u1",
    "name": "Anna Berg",
    "age": "30",
    "country": "SE",
    "salary": "50000.00",
    "signup_date": "2020-05-01",
}
VALID_EVENT = {
    "event_id": "e1",
    "user_id": "u1",
    "event_type": "click",
    "event_time": "2026-01-15T10:00:00Z",
    "amount": "0.00",
    "country": "SE",
    "properties": {"device": "web"},
}


def iceberg_jar() -> str:
    """The Iceberg runtime jar that `make etl-test` fetches and pins (etl/etl.mk), as spark-submit
    gets it in `make pipeline`."""
    jar = os.environ.get("ICEBERG_JAR", "")
    if not Path(jar).is_file():
        pytest.exit(f"ICEBERG_JAR={jar!r} is not a file: run the tests with `make etl-test`", 2)
    return jar


@pytest.fixture(scope="session")
def spark(tmp_path_factory) -> Iterator[SparkSession]:
    # Python datetimes in test data and results are naive; make them mean UTC, as Spark does here.
    os.environ["TZ"] = "UTC"
    time.tzset()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master("local[2]")
        .config("spark.jars", iceberg_jar())
        .appName("bdp-etl-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config(
            "spark.driver.extraJavaOptions",
            f"-Dlog4j2.configurationFile={ETL / 'conf' / 'log4j2.properties'}",
        )
    )
    # Jobs point the catalog at their own lake (session.use_lake); this is only a starting point.
    start = {**JOB_CONF, **catalog_conf(str(tmp_path_factory.mktemp("start-lake")))}
    for key, value in start.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    yield session
    session.stop()


@pytest.fixture(scope="session")
def dt() -> date:
    """The processing date of the tests."""
    return DT


@pytest.fixture(scope="session")
def frame(spark: SparkSession) -> Callable[[str, str, list[dict]], DataFrame]:
    """Builds a frame with a dataset's declared schema from rows given as dicts."""

    def build(zone: str, name: str, rows: list[dict]) -> DataFrame:
        schema = spark_schema(zone, name)
        return spark.createDataFrame([tuple(row[f] for f in schema.names) for row in rows], schema)

    return build


@pytest.fixture(scope="session")
def bronze_users(frame) -> Callable[..., DataFrame]:
    """One bronze user per override: a valid user with the given fields changed."""
    return lambda *overrides: frame("bronze", "users", [{**VALID_USER, **o} for o in overrides])


@pytest.fixture(scope="session")
def bronze_events(frame) -> Callable[..., DataFrame]:
    """One bronze event per override: a valid event with the given fields changed."""
    return lambda *overrides: frame("bronze", "events", [{**VALID_EVENT, **o} for o in overrides])
