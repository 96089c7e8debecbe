"""The contract between CDK and the DAGs: the Airflow Variable `bdp_platform`.

CDK writes one Secrets Manager secret per environment, `airflow/variables/bdp_platform`; MWAA's
Secrets Manager backend (prefix `airflow/variables`) serves it as the JSON Variable `bdp_platform`.
`PlatformConfig` lists its keys once. DAGs read it only at run time (inside a task or a template),
never at parse time.

    python -m bdp.platform --keys            # the keys, as a JSON list (cwd: dags/)
    python -m bdp.platform --check FILE|-    # validate a JSON document against the contract

This module imports nothing from Airflow, so the CDK tests can run it with any Python 3.11+.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any, get_origin, get_type_hints

VARIABLE = "bdp_platform"
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
        if not isinstance(value, Mapping):
            raise PlatformConfigError(f"{VARIABLE}: expected a JSON object, got {type(value).__name__}")
        where = f"{VARIABLE} (environment {value.get('environment', '?')!r})"
        missing = [key for key in KEYS if key not in value]
        unknown = sorted(set(value) - set(KEYS))
        if missing or unknown:
            raise PlatformConfigError(f"{where}: missing keys {missing}, unknown keys {unknown}; expected {list(KEYS)}")
        hints = get_type_hints(cls)
        config = cls(**{key: _typed(where, key, value[key], hints[key]) for key in KEYS})
        config._check_values(where)
        return config

    def _check_values(self, where: str) -> None:
        def bad(field: str, rule: str) -> PlatformConfigError:
            value = getattr(self, field)
            shown = list(value) if isinstance(value, tuple) else dict(value) if field == "tags" else value
            return PlatformConfigError(f"{where}: field {field!r} is {shown!r}; expected {rule}")

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


KEYS: tuple[str, ...] = tuple(field.name for field in fields(PlatformConfig))


def _typed(where: str, key: str, value: Any, hint: Any) -> Any:
    """Check one value against its field's type; lists and objects become immutable."""
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


def load() -> PlatformConfig:
    """Read and validate the Variable. Call it only at run time, inside a task."""
    from airflow.sdk import Variable  # imported here so the contract module stays free of Airflow

    return PlatformConfig.from_json(Variable.get(VARIABLE, deserialize_json=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bdp.platform", description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--keys", action="store_true", help="print the Variable's keys as a JSON list")
    action.add_argument("--check", metavar="FILE", help="validate a JSON document ('-' reads stdin)")
    args = parser.parse_args(argv)
    if args.keys:
        print(json.dumps(list(KEYS)))
        return 0
    source = "stdin" if args.check == "-" else args.check
    # Bad input is reported in one line, as the contract's own errors are, never as a traceback.
    try:
        with sys.stdin if args.check == "-" else open(args.check, encoding="utf-8") as document:
            PlatformConfig.from_json(json.load(document))
    except OSError as error:
        print(f"{source}: cannot read it: {error.strerror or error}", file=sys.stderr)
        return 2
    except json.JSONDecodeError as error:
        print(f"{source}: not JSON: {error}", file=sys.stderr)
        return 1
    except PlatformConfigError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{source}: a valid bdp_platform Variable ({len(KEYS)} keys)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
