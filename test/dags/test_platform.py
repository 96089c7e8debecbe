"""The `bdp_platform` Variable contract: its keys, its validation and the CLI CDK's tests call."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bdp.platform import KEYS, LOCAL_KEYS, LocalPlatform, PlatformConfig, PlatformConfigError, parse
from dag_test_support import DAGS, FIXTURES


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bdp.platform", *args], cwd=DAGS, input=stdin, capture_output=True, text=True
    )


def test_keys_cli_prints_the_contract_in_documented_order():
    result = run_cli("--keys")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == list(KEYS)
    assert KEYS[:3] == ("environment", "runtime", "region")
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
    assert str(error.value).startswith("bdp_platform (environment 'dev', runtime 'emr'): ")


def test_a_non_object_is_refused():
    with pytest.raises(PlatformConfigError, match="expected a JSON object, got list"):
        PlatformConfig.from_json([])


@pytest.mark.parametrize("release_label", ["emr-7.14.0", "emr-spark-8.1.0"])
def test_emr_7_and_8_release_labels_are_accepted(release_label):
    document = json.loads((FIXTURES / "platform-dev.json").read_text())
    document["release_label"] = release_label

    assert PlatformConfig.from_json(document).release_label == release_label


@pytest.fixture
def local_document(tmp_path) -> dict:
    """A local runtime's Variable, as scripts/local-airflow.sh writes it, over files that exist."""
    for name in ("main.py", "bdp_etl.zip", "spark-local.conf", "iceberg.jar"):
        (tmp_path / name).write_text("")
    return {
        "environment": "local",
        "runtime": "local",
        "lake_root": str(tmp_path / "lake"),
        "etl_entry_point": str(tmp_path / "main.py"),
        "etl_package": str(tmp_path / "bdp_etl.zip"),
        "spark_properties_file": str(tmp_path / "spark-local.conf"),
        "spark_jars": [str(tmp_path / "iceberg.jar")],
    }


def test_cdk_writes_the_emr_runtime(platform_document):
    assert isinstance(parse(platform_document), PlatformConfig)
    assert parse(platform_document).runtime == "emr"


def test_a_local_variable_needs_only_the_local_keys(local_document):
    config = parse(local_document)

    assert isinstance(config, LocalPlatform)
    assert set(local_document) < set(LOCAL_KEYS)  # the namespace and look-back default to the ETL's
    assert (config.catalog_namespace, config.dedup_lookback_days) == (None, None)
    assert config.spark_jars == tuple(local_document["spark_jars"])


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("etl_package", "s3://bucket/etl/bdp_etl.zip", "existing file"),
        ("etl_entry_point", "/nowhere/main.py", "make etl-package"),
        ("spark_jars", ["/nowhere/iceberg.jar"], "make iceberg-jar"),
        ("lake_root", "relative/lake", "absolute folder"),
        ("dedup_lookback_days", 0, "1 to 365"),
    ],
)
def test_a_bad_local_variable_names_the_field_and_the_rule(local_document, field, value, rule):
    local_document[field] = value

    with pytest.raises(PlatformConfigError, match=rf"runtime 'local'.*field '{field}'.*{rule}"):
        parse(local_document)


def test_a_runtime_is_required_and_checked(platform_document, local_document):
    for runtime in (None, "kubernetes"):
        document = {**platform_document, "runtime": runtime}
        with pytest.raises(PlatformConfigError, match=r"field 'runtime' is .*expected one of \('emr', 'local'\)"):
            parse(document)
    # A local Variable holding EMR settings is a mistake, not something to ignore.
    with pytest.raises(PlatformConfigError, match=r"unknown keys \['region'\]"):
        parse({**local_document, "region": "eu-north-1"})


def test_check_cli_accepts_a_local_variable(local_document):
    result = run_cli("--check", "-", stdin=json.dumps(local_document))

    assert result.returncode == 0, result.stderr
    assert "runtime local" in result.stdout
