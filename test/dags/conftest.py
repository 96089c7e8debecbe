"""Test set-up for the DAGs: a throwaway Airflow home and metadata DB, fake AWS (moto), platform fixtures.

Airflow reads its configuration when first imported, so the environment is set here, before any test
module imports it.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile

import pytest

from dag_test_support import ACCOUNT, DAGS, platform_json

_airflow_home = tempfile.mkdtemp(prefix="bdp-dags-test-")
atexit.register(shutil.rmtree, _airflow_home, ignore_errors=True)
os.environ.update(
    {
        "AIRFLOW_HOME": _airflow_home,
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
        # Fake credentials: nothing may reach AWS, and moto answers for the fixtures' account.
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-north-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "MOTO_ACCOUNT_ID": ACCOUNT,
    }
)
os.environ.pop("AIRFLOW_VAR_BDP_PLATFORM", None)
sys.path.insert(0, str(DAGS))  # as on MWAA, where the dags folder is on sys.path


@pytest.fixture(params=["dev", "prod"])
def platform_document(request) -> dict:
    """dev: spot everywhere, no task fleet. prod: on-demand primary and core, a spot task fleet."""
    return platform_json(request.param)


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """A fresh metadata DB (SQLite in the temporary Airflow home) for runs of whole DAGs."""
    from airflow.utils.db import initdb

    initdb()


@pytest.fixture
def aws(monkeypatch) -> dict:
    """moto's in-process AWS with the dev alerts topic; the dev platform Variable. Yields the Variable."""
    import boto3
    from moto import mock_aws

    platform = platform_json("dev")
    monkeypatch.setenv("AIRFLOW_VAR_BDP_PLATFORM", json.dumps(platform))
    with mock_aws():
        topic = boto3.client("sns", region_name=platform["region"]).create_topic(Name="bdp-dev-alerts")
        assert topic["TopicArn"] == platform["alerts_topic_arn"]
        yield platform
