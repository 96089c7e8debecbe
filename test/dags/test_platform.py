"""The `bdp_platform` Variable contract: its keys, its validation and the CLI CDK's tests call."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bdp.platform import KEYS, PlatformConfig, PlatformConfigError
from dag_test_support import DAGS, FIXTURES


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bdp.platform", *args], cwd=DAGS, input=stdin, capture_output=True, text=True
    )


def test_keys_cli_prints_the_contract_in_documented_order():
    result = run_cli("--keys")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == list(KEYS)
    assert KEYS[:3] == ("environment", "region", "release_label")
    assert KEYS[-1] == "tags"


def test_fixtures_hold_exactly_the_contract_keys(platform_document):
    assert list(platform_document) == list(KEYS)


def test_a_valid_document_becomes_an_immutable_config(platform_document):
    config = PlatformConfig.from_json(platform_document)

    assert config.subnet_ids == tuple(platform_document["subnet_ids"])
    with pytest.raises(TypeError):
        config.tags["bdp:environment"] = "other"  # type: ignore[index]


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_check_cli_accepts_the_fixtures(environment):
    result = run_cli("--check", str(FIXTURES / f"platform-{environment}.json"))

    assert result.returncode == 0, result.stderr


def test_check_cli_names_the_bad_field():
    document = json.loads((FIXTURES / "platform-dev.json").read_text())
    document["idle_timeout_seconds"] = 30

    result = run_cli("--check", "-", stdin=json.dumps(document))

    assert result.returncode == 1
    assert "environment 'dev'" in result.stderr
    assert "idle_timeout_seconds" in result.stderr
    assert "60 to 604800" in result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"region": None}, "missing keys ['region']"),
        ({"extra": 1}, "unknown keys ['extra']"),
        ({"core_on_demand_units": True}, "'core_on_demand_units' is True; expected an integer"),
        ({"spot_everywhere": "false"}, "'spot_everywhere' is 'false'; expected true or false"),
        ({"subnet_ids": "subnet-1"}, "'subnet_ids' is 'subnet-1'; expected a list of non-empty strings"),
        ({"subnet_ids": []}, "'subnet_ids' is []; expected a non-empty list"),
        ({"tags": {"owner": 1}}, "'tags' is {'owner': 1}; expected an object of string values"),
        ({"service_role": ""}, "'service_role' is ''; expected a non-empty string"),
        ({"lake_root": "s3://bdp-dev-lake"}, "literal placeholder {zone}"),
        ({"log_uri": "bdp-dev-logs"}, "'log_uri' is 'bdp-dev-logs'; expected an s3:// URI"),
        ({"release_label": "7.14.0"}, "an EMR 7 or 8 release label"),
        ({"release_label": "emr-6.15.0"}, "an EMR 7 or 8 release label"),  # PySpark 3.4 and no python3.11
        ({"release_label": "emr-8.1.0"}, "an EMR 7 or 8 release label"),  # EMR 8 labels read emr-spark-8.x.y
        ({"log_encryption_key_arn": "alias/bdp-dev-lake"}, "a KMS key ARN"),
        ({"catalog_namespace": "bdp_dev_bronze"}, "the literal placeholder {zone}"),
        ({"catalog_namespace": "bdp-dev-{zone}"}, "a Glue database name"),
        ({"dedup_lookback_days": 0}, "'dedup_lookback_days' is 0; expected an integer from 1 to 365"),
        ({"task_spot_units": -1}, "an integer >= 0"),
        ({"task_spot_units": 2, "task_instance_types": []}, "a non-empty list when task_spot_units > 0"),
        ({"core_instance_types": [f"m5.{n}xlarge" for n in range(2, 33)]}, "at most 30 instance types"),
        ({"tags": {"bdp:environment": "prod"}}, "or one equal to 'dev'"),
    ],
)
def test_invalid_documents_are_refused_with_a_helpful_message(change, message):
    document = json.loads((FIXTURES / "platform-dev.json").read_text())
    for key, value in change.items():
        if value is None:
            del document[key]
        else:
            document[key] = value

    with pytest.raises(PlatformConfigError) as error:
        PlatformConfig.from_json(document)

    assert message in str(error.value)
    assert str(error.value).startswith("bdp_platform (environment 'dev'): ")


def test_a_non_object_is_refused():
    with pytest.raises(PlatformConfigError, match="expected a JSON object, got list"):
        PlatformConfig.from_json([])


@pytest.mark.parametrize("release_label", ["emr-7.14.0", "emr-spark-8.1.0"])
def test_emr_7_and_8_release_labels_are_accepted(release_label):
    document = json.loads((FIXTURES / "platform-dev.json").read_text())
    document["release_label"] = release_label

    assert PlatformConfig.from_json(document).release_label == release_label
