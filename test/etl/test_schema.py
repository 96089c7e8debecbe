import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyspark.sql.types import (
    ArrayType,
    DecimalType,
    IntegerType,
    MapType,
    StringType,
    _parse_datatype_string,
)

from bdp_etl.schema import datasets, dump, partition_key, spark_schema, spark_type

ETL = Path(__file__).resolve().parents[2] / "etl"
DECLARATION = json.loads((ETL / "bdp_etl" / "datasets.json").read_text())


@pytest.mark.parametrize(
    ("hive_type", "expected"),
    [
        ("int", IntegerType()),
        ("decimal(12,2)", DecimalType(12, 2)),
        ("DECIMAL(18, 2)", DecimalType(18, 2)),
        ("map<string,string>", MapType(StringType(), StringType())),
        ("map<string,decimal(12,2)>", MapType(StringType(), DecimalType(12, 2))),
        ("array<map<string,int>>", ArrayType(MapType(StringType(), IntegerType()))),
    ],
)
def test_spark_type_maps_hive_types(hive_type, expected):
    assert spark_type(hive_type) == expected


def test_spark_type_names_the_unsupported_type():
    with pytest.raises(ValueError, match=r"'struct<a:int>'.*supported: string"):
        spark_type("struct<a:int>")


def test_every_declared_type_maps_as_spark_parses_it(spark):
    for entry in DECLARATION["datasets"]:
        for column in entry["columns"]:
            assert spark_type(column["type"]) == _parse_datatype_string(column["type"]), column


def test_schemas_are_the_declared_columns_in_order_without_the_partition_key():
    assert partition_key() == "dt"
    for entry in DECLARATION["datasets"]:
        schema = spark_schema(entry["zone"], entry["name"])
        assert [(f.name, f.dataType.simpleString()) for f in schema] == [
            (c["name"], c["type"]) for c in entry["columns"]
        ]
    assert len(datasets()) == len(DECLARATION["datasets"])


def test_unknown_dataset_lists_the_declared_ones():
    with pytest.raises(KeyError, match=r"bronze\.nope.*silver\.events"):
        spark_schema("bronze", "nope")


def test_dump_cli_prints_every_schema_as_json():
    result = subprocess.run(
        [sys.executable, "-m", "bdp_etl.schema", "--dump"],
        env={**os.environ, "PYTHONPATH": str(ETL)},
        capture_output=True,
        text=True,
        check=True,
    )
    printed = json.loads(result.stdout)
    assert printed == dump()
    assert printed["silver.events"][3:5] == [
        ["event_time", "timestamp"],
        ["amount", "decimal(12,2)"],
    ]
    assert set(printed) == {f"{d['zone']}.{d['name']}" for d in DECLARATION["datasets"]}
