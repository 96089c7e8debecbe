"""Bronze to silver: type, validate, normalise and de-duplicate, quarantining every rejected row.

`label` gives each bronze row, as landed, a `reason`: null when the row is accepted, otherwise
the first rule it breaks or `duplicate_<key>`. `accepted` and `rejected` then split a labelled
frame into the silver dataset and its quarantine, so every bronze row lands in exactly one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, DecimalType, IntegralType, MapType

from bdp_etl.rules import CONTRACTS, first_broken_rule
from bdp_etl.schema import spark_schema

NORMALISERS: dict[str, Callable[[Column], Column]] = {"country": F.upper, "event_type": F.lower}
WHITESPACE = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
"""Every character Python calls whitespace (tabs, newlines, no-break and other Unicode spaces), all
below U+3001; trimmed from both ends of every landed value."""


def _shape(data_type: DataType) -> str | None:
    """The pattern a landed number must match before it is cast, so that a cast never rounds:
    `30.7` is not an age, and `10.005` is not an amount in cents."""
    if isinstance(data_type, IntegralType):
        return r"^[+-]?[0-9]+$"
    if isinstance(data_type, DecimalType):
        fraction = rf"(\.[0-9]{{1,{data_type.scale}}})?" if data_type.scale else ""
        return rf"^[+-]?[0-9]+{fraction}$"
    return None


def conformed(name: str, data_type: DataType) -> Column:
    """A landed column trimmed, normalised and cast to its silver type; null if blank or bad.

    `try_cast` turns a malformed value into null (which a rule then quarantines with a reason)
    where ANSI mode's cast, Spark 4's default, would fail the job.
    """
    if isinstance(data_type, MapType):
        return F.col(name)
    value = F.nullif(F.btrim(F.col(name), F.lit(WHITESPACE)), F.lit(""))
    value = NORMALISERS.get(name, lambda column: column)(value)
    if (shape := _shape(data_type)) is not None:
        value = F.when(value.rlike(shape), value)
    return value.try_cast(data_type)


def _conformed_row(name: str) -> Column:
    """The whole silver row as one struct, so each value is converted once and read many times."""
    return F.struct(
        *(conformed(f.name, f.dataType).alias(f.name) for f in spark_schema("silver", name))
    )


def _silver(column: str) -> Column:
    return F.col(f"silver.{column}")


def _orderable(field_name: str, data_type: DataType) -> Column:
    """A landed column in a form Spark can sort; maps are sorted into arrays of entries."""
    if isinstance(data_type, MapType):
        return F.array_sort(F.map_entries(F.col(field_name)))
    return F.col(field_name)


def label(bronze: DataFrame, name: str, dt: date, seen_keys: DataFrame | None = None) -> DataFrame:
    """Bronze rows as landed, plus `silver` (the row typed and normalised) and `reason`: why the row
    is rejected, or null when it is accepted.

    Among the valid rows that share a key, the one with the highest `latest_first` columns is kept
    (the latest event_time for events); remaining ties are broken by the landed values, so the
    choice never depends on file order. `seen_keys` (one column, the key) are keys already accepted
    on earlier dates: a valid row with one of them is a duplicate too.
    """
    contract = CONTRACTS[name]
    key = _silver(contract.key)
    # Keys share their first bytes (`u000…`, `evt-2026…`), which makes a sort's 8-byte prefix
    # useless; leading with the key's hash (the same groups) lets the prefix decide.
    key_hash = F.xxhash64(key)
    key_groups = (key_hash, key)
    typed = bronze.withColumn("silver", _conformed_row(name))
    with_reason = typed.withColumn("reason", first_broken_rule(contract.rules(dt), _silver))
    if seen_keys is not None:
        seen_key = F.col(contract.key)
        seen = seen_keys.select(
            F.xxhash64(seen_key).alias("_seen_hash"), seen_key.alias("_seen_key")
        ).distinct()
        # Joined on the same (hash, key) the window below groups by: the join's shuffle then
        # places the rows for the window too, and the wide rows are shuffled once, not twice.
        is_seen = (key_hash == F.col("_seen_hash")) & (key == F.col("_seen_key"))
        with_reason = (
            with_reason.join(seen, is_seen, "left")
            .withColumn(
                "reason",
                F.when(
                    F.col("reason").isNull() & F.col("_seen_key").isNotNull(),
                    F.lit(contract.duplicate_reason),
                ).otherwise(F.col("reason")),
            )
            .drop("_seen_hash", "_seen_key")
        )
    rank = F.row_number().over(
        Window.partitionBy(*key_groups).orderBy(
            F.col("reason").isNotNull(),  # valid rows first
            *(_silver(column).desc() for column in contract.latest_first),
            *(_orderable(f.name, f.dataType).desc() for f in bronze.schema),
        )
    )
    is_duplicate = F.col("reason").isNull() & (rank > 1)
    return with_reason.withColumn(
        "reason", F.when(is_duplicate, F.lit(contract.duplicate_reason)).otherwise(F.col("reason"))
    )


def accepted(labelled: DataFrame, name: str) -> DataFrame:
    """The silver rows: accepted rows, typed and normalised to the declared silver schema."""
    return labelled.where(F.col("reason").isNull()).select("silver.*")


def rejected(labelled: DataFrame, name: str) -> DataFrame:
    """The quarantine rows: rejected rows as landed, with their reason."""
    return labelled.where(F.col("reason").isNotNull()).select(
        *spark_schema("silver", f"{name}_quarantine").names
    )
