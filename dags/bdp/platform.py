"""The contract between CDK and the DAGs: the Airflow Variable `bdp_platform`.

CDK writes one Secrets Manager secret per environment, `airflow/variables/bdp_platform`; MWAA's
Secrets Manager backend (prefix `airflow/variables`) serves it as the JSON Variable `bdp_platform`.
`PlatformConfig` lists its keys once. DAGs read it only at run time (inside a task or a template),
never at parse time.

Its `runtime` says where the Spark steps run: `emr` (what CDK writes: a transient EMR cluster per
run) or `local` (`make local`: spark-submit on this machine, against a local lake), whose Variable
is a `LocalPlatform` and carries only the keys that runtime uses.

    python -m bdp.platform --keys            # the keys, as a JSON list (cwd: dags/)
    python -m bdp.platform --check FILE|-    # validate a JSON document against the contract
    python -m bdp.platform --local-keys      # the keys of a local runtime's Variable

This module imports nothing from Airflow, so the CDK tests can run it with any Python 3.11+.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any, get_origin, get_type_hints

VARIABLE = "bdp_platform"
EMR, LOCAL = "emr", "local"  # where the Spark steps run: the `runtime` key
RUNTIMES = (EMR, LOCAL)
# EMR 7 (`emr-7.x.y`) and EMR 8 (`emr-spark-8.x.y`): both ship Python 3.11 at /usr/bin/python3.11.
RELEASE_LABEL = re.compile(r"emr-(?:7|spark-8)\.\d+\.\d+")
IDLE_TIMEOUT_RANGE = (60, 604_800)  # seconds; what EMR accepts for AutoTerminationPolicy.IdleTimeout
MAX_FLEET_INSTANCE_TYPES = 30  # EMR's limit for a fleet with an allocation strategy
LOOKBACK_DAYS_RANGE = (1, 365)  # how many earlier days of silver the dedup compares against
KMS_KEY_ARN = re.compile(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[\w-]+")
NAMESPACE = re.compile(r"[a-z0-9_]*\{zone\}[a-z0-9_]*")  # Glue database names, one per zone


class PlatformConfigError(ValueError):
    """The `bdp_platform` Variable does not match the contract."""


@dataclass(frozen=True)
class PlatformConfig:
    """One environment's platform settings, as CDK writes them. Field order is the documented order."""

    environment: str
    runtime: str
    region: str
    release_label: str
    log_uri: str
    log_encryption_key_arn: str
    service_role: str
    job_flow_role: str
    security_configuration: str
    subnet_ids: tuple[str, ...]
    primary_security_group: str
    core_security_group: str
    service_access_security_group: str
    lake_root: str
    catalog_namespace: str
    dedup_lookback_days: int
    etl_entry_point: str
    etl_package: str
    primary_instance_types: tuple[str, ...]
    core_instance_types: tuple[str, ...]
    core_on_demand_units: int
    task_instance_types: tuple[str, ...]
    task_spot_units: int
    spot_everywhere: bool
    idle_timeout_seconds: int
    alerts_topic_arn: str
    tags: Mapping[str, str]

    @classmethod
    def from_json(cls, value: Any) -> PlatformConfig:
        """Validate the Variable's decoded JSON; the error names the environment, field, value and rule."""
        return _from_json(cls, value)

    def _check_values(self, where: str) -> None:
        bad = _bad(self, where)
        if self.runtime != EMR:
            raise bad("runtime", f"{EMR!r} (a {LOCAL!r} Variable is a LocalPlatform)")
        for field in ("log_uri", "lake_root", "etl_entry_point", "etl_package"):
            if not getattr(self, field).startswith("s3://"):
                raise bad(field, "an s3:// URI")
        if "{zone}" not in self.lake_root:
            raise bad("lake_root", "a URI with the literal placeholder {zone}, e.g. s3://bdp-dev-{zone}-...")
        if not RELEASE_LABEL.fullmatch(self.release_label):
            raise bad("release_label", "an EMR 7 or 8 release label such as 'emr-7.14.0' or 'emr-spark-8.1.0'")
        if not KMS_KEY_ARN.fullmatch(self.log_encryption_key_arn):
            raise bad("log_encryption_key_arn", "a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id>")
        if not NAMESPACE.fullmatch(self.catalog_namespace):
            raise bad(
                "catalog_namespace", "a Glue database name with the literal placeholder {zone}, e.g. bdp_dev_{zone}"
            )
        low, high = LOOKBACK_DAYS_RANGE
        if not low <= self.dedup_lookback_days <= high:
            raise bad("dedup_lookback_days", f"an integer from {low} to {high}")
        for field in ("subnet_ids", "primary_instance_types", "core_instance_types"):
            if not getattr(self, field):
                raise bad(field, "a non-empty list")
        for field in ("core_instance_types", "task_instance_types"):
            if len(getattr(self, field)) > MAX_FLEET_INSTANCE_TYPES:
                raise bad(field, f"at most {MAX_FLEET_INSTANCE_TYPES} instance types")
        if self.core_on_demand_units < 1:
            raise bad("core_on_demand_units", "an integer >= 1")
        if self.task_spot_units < 0:
            raise bad("task_spot_units", "an integer >= 0 (0 means no task fleet)")
        if self.task_spot_units and not self.task_instance_types:
            raise bad("task_instance_types", "a non-empty list when task_spot_units > 0")
        low, high = IDLE_TIMEOUT_RANGE
        if not low <= self.idle_timeout_seconds <= high:
            raise bad("idle_timeout_seconds", f"an integer from {low} to {high}")
        if self.tags.get("bdp:environment", self.environment) != self.environment:
            raise bad("tags", f"no 'bdp:environment' tag, or one equal to {self.environment!r}")


@dataclass(frozen=True)
class LocalPlatform:
    """The local runtime (`make local`): each step a spark-submit on this machine, the lake a folder.

    Paths are absolute, and must exist when the Variable is read: the ETL package (`make etl-package`),
    Spark's properties file and the jars it adds (the Iceberg runtime, `make iceberg-jar`).
    `catalog_namespace` and `dedup_lookback_days` may be left out: the ETL's defaults apply, as in
    `make pipeline`. There is no cluster, no AWS call and no alerts topic.
    """

    environment: str
    runtime: str
    lake_root: str
    etl_entry_point: str
    etl_package: str
    spark_properties_file: str
    spark_jars: tuple[str, ...]
    catalog_namespace: str | None = None
    dedup_lookback_days: int | None = None

    @classmethod
    def from_json(cls, value: Any) -> LocalPlatform:
        return _from_json(cls, value)

    def _check_values(self, where: str) -> None:
        bad = _bad(self, where)
        if self.runtime != LOCAL:
            raise bad("runtime", repr(LOCAL))
        if not Path(self.lake_root).is_absolute():
            raise bad("lake_root", "an absolute folder (it holds bronze/, silver/ and gold/)")
        for field in ("etl_entry_point", "etl_package", "spark_properties_file"):
            if not Path(getattr(self, field)).is_absolute() or not Path(getattr(self, field)).is_file():
                raise bad(field, "the absolute path of an existing file (make etl-package builds the ETL's)")
        for jar in self.spark_jars:
            if not Path(jar).is_absolute() or not Path(jar).is_file():
                raise bad("spark_jars", "absolute paths of existing jars (make iceberg-jar fetches Iceberg's)")
        if self.catalog_namespace is not None and not NAMESPACE.fullmatch(self.catalog_namespace):
            raise bad("catalog_namespace", "a namespace with the literal placeholder {zone}, e.g. {zone}")
        low, high = LOOKBACK_DAYS_RANGE
        if self.dedup_lookback_days is not None and not low <= self.dedup_lookback_days <= high:
            raise bad("dedup_lookback_days", f"an integer from {low} to {high}")


KEYS: tuple[str, ...] = tuple(field.name for field in fields(PlatformConfig))
LOCAL_KEYS: tuple[str, ...] = tuple(field.name for field in fields(LocalPlatform))


def parse(value: Any) -> PlatformConfig | LocalPlatform:
    """Validate the Variable's decoded JSON as the contract of its `runtime`."""
    runtime = value.get("runtime") if isinstance(value, Mapping) else None
    return LocalPlatform.from_json(value) if runtime == LOCAL else PlatformConfig.from_json(value)


def _from_json(cls, value: Any):
    if not isinstance(value, Mapping):
        raise PlatformConfigError(f"{VARIABLE}: expected a JSON object, got {type(value).__name__}")
    where = f"{VARIABLE} (environment {value.get('environment', '?')!r}, runtime {value.get('runtime', '?')!r})"
    if value.get("runtime") not in RUNTIMES:
        raise PlatformConfigError(f"{where}: field 'runtime' is {value.get('runtime')!r}; expected one of {RUNTIMES}")
    keys = [field.name for field in fields(cls)]
    optional = {field.name for field in fields(cls) if field.default is not MISSING}
    missing = [key for key in keys if key not in value and key not in optional]
    unknown = sorted(set(value) - set(keys))
    if missing or unknown:
        raise PlatformConfigError(f"{where}: missing keys {missing}, unknown keys {unknown}; expected {keys}")
    hints = get_type_hints(cls)
    config = cls(**{key: _typed(where, key, value[key], hints[key]) for key in keys if key in value})
    config._check_values(where)
    return config


def _bad(config: PlatformConfig | LocalPlatform, where: str):
    def bad(field: str, rule: str) -> PlatformConfigError:
        value = getattr(config, field)
        shown = list(value) if isinstance(value, tuple) else dict(value) if field == "tags" else value
        return PlatformConfigError(f"{where}: field {field!r} is {shown!r}; expected {rule}")

    return bad


def _typed(where: str, key: str, value: Any, hint: Any) -> Any:
    """Check one value against its field's type; lists and objects become immutable."""
    if type(None) in getattr(hint, "__args__", ()):  # `X | None`: a given value must be an X
        hint = next(arg for arg in hint.__args__ if arg is not type(None))
    origin = get_origin(hint) or hint
    if origin is tuple:
        if isinstance(value, list) and all(isinstance(item, str) and item for item in value):
            return tuple(value)
        expected = "a list of non-empty strings"
    elif origin is Mapping:
        if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            return MappingProxyType(dict(value))
        expected = "an object of string values"
    elif hint is bool:
        if isinstance(value, bool):
            return value
        expected = "true or false"
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        expected = "an integer"
    else:
        if isinstance(value, str) and value:
            return value
        expected = "a non-empty string"
    raise PlatformConfigError(f"{where}: field {key!r} is {value!r}; expected {expected}")


def load() -> PlatformConfig | LocalPlatform:
    """Read and validate the Variable. Call it only at run time, inside a task."""
    return parse(_read())


def runtime() -> str:
    """The Variable's `runtime`, unvalidated: for tasks that only need to know where the steps run."""
    value = _read()
    return value.get("runtime") if isinstance(value, Mapping) else None


def _read() -> Any:
    from airflow.sdk import Variable  # imported here so the contract module stays free of Airflow

    return Variable.get(VARIABLE, deserialize_json=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bdp.platform", description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--keys", action="store_true", help="print the Variable's keys as a JSON list")
    action.add_argument("--local-keys", action="store_true", help="print a local runtime Variable's keys")
    action.add_argument("--check", metavar="FILE", help="validate a JSON document ('-' reads stdin)")
    args = parser.parse_args(argv)
    if args.keys or args.local_keys:
        print(json.dumps(list(KEYS if args.keys else LOCAL_KEYS)))
        return 0
    source = "stdin" if args.check == "-" else args.check
    # Bad input is reported in one line, as the contract's own errors are, never as a traceback.
    try:
        with sys.stdin if args.check == "-" else open(args.check, encoding="utf-8") as document:
            config = parse(json.load(document))
    except OSError as error:
        print(f"{source}: cannot read it: {error.strerror or error}", file=sys.stderr)
        return 2
    except json.JSONDecodeError as error:
        print(f"{source}: not JSON: {error}", file=sys.stderr)
        return 1
    except PlatformConfigError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{source}: a valid bdp_platform Variable (runtime {config.runtime})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
