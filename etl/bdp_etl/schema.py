"""Spark schemas built from the one dataset declaration, `datasets.json`.

`spark_schema(zone, name)` returns the data columns only, in declared order, without the `dt`
partition key: the same columns a Glue table lists (Glue keeps partition keys apart). Run
`python -m bdp_etl.schema --dump` to print every schema as JSON for tools outside Python.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    BooleanType,
    ByteType,
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    MapType,
    ShortType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

PRIMITIVE_TYPES: dict[str, DataType] = {
    "string": StringType(),
    "boolean": BooleanType(),
    "tinyint": ByteType(),
    "smallint": ShortType(),
    "int": IntegerType(),
    "bigint": LongType(),
    "float": FloatType(),
    "double": DoubleType(),
    "date": DateType(),
    "timestamp": TimestampType(),
    "binary": BinaryType(),
}
DECIMAL = re.compile(r"decimal\((\d+),(\d+)\)")
GENERIC = re.compile(r"(array|map)<(.*)>")


@dataclass(frozen=True)
class Dataset:
    zone: str
    name: str
    columns: tuple[tuple[str, str], ...]
    """(column name, Hive DDL type) pairs, in declared order."""

    @property
    def ref(self) -> str:
        return f"{self.zone}.{self.name}"


@cache
def _declaration() -> dict:
    # importlib.resources reads package data from a directory or from the zip that EMR receives.
    return json.loads(resources.files(__package__).joinpath("datasets.json").read_text())


def partition_key() -> str:
    return _declaration()["partitionKey"]["name"]


@cache
def datasets() -> tuple[Dataset, ...]:
    return tuple(
        Dataset(
            zone=entry["zone"],
            name=entry["name"],
            columns=tuple((column["name"], column["type"]) for column in entry["columns"]),
        )
        for entry in _declaration()["datasets"]
    )


def dataset(zone: str, name: str) -> Dataset:
    for candidate in datasets():
        if (candidate.zone, candidate.name) == (zone, name):
            return candidate
    known = ", ".join(d.ref for d in datasets())
    raise KeyError(f"No dataset {zone}.{name} in datasets.json; declared: {known}")


def spark_type(hive_type: str) -> DataType:
    """Map a Hive/Glue DDL type such as `decimal(12,2)` or `map<string,string>` to Spark."""
    normalised = re.sub(r"\s+", "", hive_type.lower())
    if normalised in PRIMITIVE_TYPES:
        return PRIMITIVE_TYPES[normalised]
    if decimal := DECIMAL.fullmatch(normalised):
        return DecimalType(int(decimal[1]), int(decimal[2]))
    if generic := GENERIC.fullmatch(normalised):
        arguments = [spark_type(argument) for argument in _split_top_level(generic[2])]
        if generic[1] == "array" and len(arguments) == 1:
            return ArrayType(arguments[0])
        if generic[1] == "map" and len(arguments) == 2:
            return MapType(arguments[0], arguments[1])
    supported = ", ".join([*PRIMITIVE_TYPES, "decimal(p,s)", "array<t>", "map<k,v>"])
    raise ValueError(f"Unsupported type {hive_type!r} in datasets.json; supported: {supported}")


def _split_top_level(arguments: str) -> list[str]:
    """Split `string,decimal(12,2)` on the commas that are not nested in <> or ()."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(arguments):
        depth += (char in "<(") - (char in ">)")
        if char == "," and depth == 0:
            parts.append(arguments[start:index])
            start = index + 1
    parts.append(arguments[start:])
    return parts


@cache
def spark_schema(zone: str, name: str) -> StructType:
    """The declared data columns of a dataset, without the `dt` partition key."""
    return StructType(
        [
            StructField(column, spark_type(hive_type))
            for column, hive_type in dataset(zone, name).columns
        ]
    )


def dump() -> dict[str, list[list[str]]]:
    """Every dataset's columns as `[name, Spark simpleString type]`, keyed by `zone.name`."""
    return {
        d.ref: [[f.name, f.dataType.simpleString()] for f in spark_schema(d.zone, d.name).fields]
        for d in datasets()
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dump", action="store_true", help="print every dataset's Spark schema as JSON"
    )
    if parser.parse_args().dump:
        print(json.dumps(dump(), indent=2))
    else:
        parser.print_help()
