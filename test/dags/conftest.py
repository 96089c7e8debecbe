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

EMR_INSTANCE_ROLE = "bdp-dev-emr-instance-role"  # the dev Variable names only the instance profile

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

import iam_requests  # noqa: E402, F401 (registers the request recorder before any botocore session exists)


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
    """moto's in-process AWS: the dev alerts topic (SSE-KMS, as CDK makes it) and the EMR roles the dev
    Variable names; the Variable itself. Yields the Variable."""
    import boto3
    from moto import mock_aws

    platform = platform_json("dev")
    monkeypatch.setenv("AIRFLOW_VAR_BDP_PLATFORM", json.dumps(platform))
    region = platform["region"]
    with mock_aws():
        alerts_key = boto3.client("kms", region_name=region).create_key(Description="alerts")["KeyMetadata"]["Arn"]
        topic = boto3.client("sns", region_name=region).create_topic(
            Name="bdp-dev-alerts", Attributes={"KmsMasterKeyId": alerts_key}
        )
        assert topic["TopicArn"] == platform["alerts_topic_arn"]
        iam = boto3.client("iam")
        trust = json.dumps({"Version": "2012-10-17", "Statement": []})
        iam.create_role(RoleName=platform["service_role"], AssumeRolePolicyDocument=trust)
        iam.create_role(RoleName=EMR_INSTANCE_ROLE, AssumeRolePolicyDocument=trust)
        iam.create_instance_profile(InstanceProfileName=platform["job_flow_role"])
        iam.add_role_to_instance_profile(InstanceProfileName=platform["job_flow_role"], RoleName=EMR_INSTANCE_ROLE)
        yield platform


@pytest.fixture
def request_bindings(aws) -> dict[str, str]:
    """What the placeholders of dags/bdp/aws_calls.json stand for in the `aws` fixture's account."""
    import boto3

    region = aws["region"]
    return {
        "region": region,
        "account": ACCOUNT,
        "environment": aws["environment"],
        "alerts_topic_arn": aws["alerts_topic_arn"],
        "alerts_key_arn": boto3.client("sns", region_name=region).get_topic_attributes(
            TopicArn=aws["alerts_topic_arn"]
        )["Attributes"]["KmsMasterKeyId"],
        "service_role_arn": f"arn:aws:iam::{ACCOUNT}:role/{aws['service_role']}",
        "instance_role_arn": f"arn:aws:iam::{ACCOUNT}:role/{EMR_INSTANCE_ROLE}",
    }
