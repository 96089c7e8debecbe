"""All lake I/O: where every dataset lives, how it is read, and how writes are committed.

Bronze is raw Parquet in Hive-style `dt=` folders, as Firehose and the generator land it. Silver and
gold are Iceberg tables `lake.<namespace>.<dataset>` (see `session.py` for the catalog), whose
definitions this module owns: each is created from `datasets.json`, partitioned by `dt`, and gains
any newly declared column (schema evolution) before a job writes to it.

A job's writes are staged, then published together: each touched table gets a branch named after
the run, every write of the job commits to that branch, and only when the whole job has succeeded
is each table's `main` fast-forwarded to its branch. Readers (Athena, the next job) only see `main`,
so a job that fails or is killed part-way leaves every table at its previous snapshot.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from bdp_etl.logs import log
from bdp_etl.schema import dataset, partition_key, spark_schema
from bdp_etl.session import CATALOG, use_lake

ZONES = ("bronze", "silver", "gold")
DEFAULT_NAMESPACE = "{zone}"
TARGET_FILE_SIZE_BYTES = 128 * 1024 * 1024
"""Iceberg's write target and compaction target: Athena and Spark read 128 MB files efficiently."""
TABLE_PROPERTIES = {
    "format-version": "2",
    "write.target-file-size-bytes": str(TARGET_FILE_SIZE_BYTES),
    # Rows are clustered by partition before they are written, and adaptive execution sizes the
    # write tasks, so a date gets a few large files instead of one per shuffle partition.
    "write.distribution-mode": "hash",
    "write.merge.distribution-mode": "hash",
    "write.spark.advisory-partition-size-bytes": str(TARGET_FILE_SIZE_BYTES),
    # A job writes one date, so each write task has one file open at a time: fanout writers are
    # safe, and they spare the sort by partition Iceberg otherwise puts before every write.
    "write.spark.fanout.enabled": "true",
    # Copy-on-write: readers never need to apply delete files, Athena included.
    "write.merge.mode": "copy-on-write",
    "write.update.mode": "copy-on-write",
    "write.delete.mode": "copy-on-write",
}
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Lake:
    """A lake root and the namespace of each zone's tables.

    A root containing `{zone}` names one bucket per zone (`s3://bdp-dev-{zone}-111111111111-eu-north-1`);
    any other root holds the zones as subfolders (`.lake/bronze`, `.lake/silver`, `.lake/gold`).
    The namespace template gives each zone's Glue database (`bdp_dev_{zone}` on AWS, `{zone}` here).
    """

    root: str
    namespace_template: str = DEFAULT_NAMESPACE

    def __post_init__(self) -> None:
        if not self.root.strip():
            raise ValueError("The lake root is empty; give a folder or an s3:// bucket template")
        if "{zone}" not in self.namespace_template:
            raise ValueError(
                f"Namespace template {self.namespace_template!r} lacks {{zone}}: the zones' "
                "tables would share one namespace"
            )
        for zone in ZONES:
            if not IDENTIFIER.match(self.namespace(zone)):
                raise ValueError(
                    f"Namespace {self.namespace(zone)!r} is not a Glue database name "
                    "(lower-case letters, digits and underscores)"
                )

    def zone_root(self, zone: str) -> str:
        if zone not in ZONES:
            raise ValueError(f"Unknown zone {zone!r}; valid zones: {', '.join(ZONES)}")
        if "{zone}" in self.root:
            return self.root.replace("{zone}", zone).rstrip("/")
        return f"{self.root.rstrip('/')}/{zone}"

    def namespace(self, zone: str) -> str:
        return self.namespace_template.replace("{zone}", zone)

    def table(self, zone: str, name: str) -> str:
        """The Iceberg table of a silver or gold dataset, `lake.<namespace>.<name>`."""
        if zone == "bronze":
            raise ValueError("Bronze is raw Parquet, not an Iceberg table")
        dataset(zone, name)  # fails on an undeclared dataset
        return f"{CATALOG}.{self.namespace(zone)}.{name}"

    def location(self, zone: str, name: str) -> str:
        return f"{self.zone_root(zone)}/{name}"


# ---------------------------------------------------------------- bronze: raw Parquet


def partition_path(lake: Lake, zone: str, name: str, dt: date) -> str:
    """The Hive-style bronze partition folder, `<zone root>/<name>/dt=YYYY-MM-DD`."""
    return f"{lake.location(zone, name)}/{partition_key()}={dt.isoformat()}"


class EmptyPartitionError(RuntimeError):
    """A bronze partition folder exists but holds no data files."""


def read_bronze(spark: SparkSession, lake: Lake, name: str, dt: date) -> DataFrame:
    """One date of a bronze dataset with its declared columns.

    A missing partition fails the job (PATH_NOT_FOUND), and so does a folder without data files: an
    empty landing is an upstream failure, and treating it as a day without rows would replace good
    silver with nothing. A landed column that is not declared is logged, then left out.
    """
    path = partition_path(lake, "bronze", name, dt)
    if not _has_data_files(spark, path):
        raise EmptyPartitionError(f"bronze.{name}: {path} holds no data files")
    declared = spark_schema("bronze", name)
    extra = [c for c in spark.read.parquet(path).columns if c not in declared.names]
    if extra:
        log("bronze_extra_columns", dataset=f"bronze.{name}", dt=dt, columns=extra, path=path)
    return spark.read.schema(declared).parquet(path)


def _has_data_files(spark: SparkSession, path: str) -> bool:
    """Whether a partition folder holds a Parquet file, asked of the file system (no Spark job)."""
    hadoop_path = spark._jvm.org.apache.hadoop.fs.Path(path)
    fs = hadoop_path.getFileSystem(spark._jsc.hadoopConfiguration())
    if not fs.exists(hadoop_path):
        raise FileNotFoundError(f"No bronze partition {path}")
    files = fs.listFiles(hadoop_path, True)
    while files.hasNext():
        if files.next().getPath().getName().endswith(".parquet"):
            return True
    return False


def write_bronze(df: DataFrame, lake: Lake, name: str, dt: date) -> dict[str, int]:
    """Replace one date of a bronze dataset (the generator's landing) and return its row count."""
    require_declared_columns(df, "bronze", name)
    observation = Observation()
    (
        df.observe(observation, F.count(F.lit(1)).alias("rows"))
        .withColumn(partition_key(), F.lit(dt.isoformat()))
        .write.mode("overwrite")
        .partitionBy(partition_key())
        .parquet(lake.location("bronze", name))
    )
    return observation.get


def require_declared_columns(df: DataFrame, zone: str, name: str) -> None:
    """Fail before writing anything that the table built from datasets.json could not hold."""
    declared = [(f.name, f.dataType.simpleString()) for f in spark_schema(zone, name).fields]
    actual = [(f.name, f.dataType.simpleString()) for f in df.schema.fields]
    if actual != declared:
        raise ValueError(f"{zone}.{name}: columns {actual} differ from datasets.json {declared}")


# ---------------------------------------------------------------- silver and gold: Iceberg


def ensure_table(spark: SparkSession, lake: Lake, zone: str, name: str) -> str:
    """Create a silver or gold table from datasets.json if missing, add newly declared columns, and
    keep its properties; returns the table's name.

    A declared column whose type differs from the table's is a migration, not an evolution: the job
    stops and says so rather than rewrite a table.
    """
    use_lake(spark, lake.root)
    table = lake.table(zone, name)
    declared = spark_schema(zone, name)
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {CATALOG}.{lake.namespace(zone)}")
    columns = ", ".join(
        f"`{column}` {hive_type}" for column, hive_type in dataset(zone, name).columns
    )
    # The Hadoop catalog places tables itself (<warehouse>/<namespace>/<name>); Glue takes ours.
    location = f"LOCATION '{lake.location(zone, name)}'" if lake.root.startswith("s3://") else ""
    properties = ", ".join(f"'{key}' = '{value}'" for key, value in TABLE_PROPERTIES.items())
    spark.sql(
        f"CREATE TABLE IF NOT EXISTS {table} ({columns}, `{partition_key()}` string) "
        f"USING iceberg PARTITIONED BY (`{partition_key()}`) {location} "
        f"TBLPROPERTIES ({properties})"
    )
    existing = {f.name: f.dataType for f in spark.table(table).schema.fields}
    for wanted in declared.fields:
        if wanted.name not in existing:
            added = f"`{wanted.name}` {wanted.dataType.simpleString()}"
            spark.sql(f"ALTER TABLE {table} ADD COLUMNS ({added})")
            log("table_column_added", table=table, column=wanted.name)
        elif existing[wanted.name] != wanted.dataType:
            raise ValueError(
                f"{table}.{wanted.name} is {existing[wanted.name].simpleString()} but "
                f"datasets.json declares {wanted.dataType.simpleString()}: that needs a migration"
            )
    current = dict(spark.sql(f"SHOW TBLPROPERTIES {table}").collect())
    changed = {
        k: v for k, v in TABLE_PROPERTIES.items() if current.get(k) != v and k != "format-version"
    }
    if changed:
        settings = ", ".join(f"'{key}' = '{value}'" for key, value in changed.items())
        spark.sql(f"ALTER TABLE {table} SET TBLPROPERTIES ({settings})")
    return table


def read_table(spark: SparkSession, lake: Lake, zone: str, name: str) -> DataFrame:
    """A silver or gold table's published rows, with its declared columns plus `dt`."""
    use_lake(spark, lake.root)
    columns = [*spark_schema(zone, name).names, partition_key()]
    return spark.table(lake.table(zone, name)).select(*columns)


def read_partition(spark: SparkSession, lake: Lake, zone: str, name: str, dt: date) -> DataFrame:
    """One published date of a dataset with its declared columns (no `dt`)."""
    if zone == "bronze":
        return read_bronze(spark, lake, name, dt)
    return (
        read_table(spark, lake, zone, name)
        .where(F.col(partition_key()) == dt.isoformat())
        .drop(partition_key())
    )


def table_exists(spark: SparkSession, lake: Lake, zone: str, name: str) -> bool:
    use_lake(spark, lake.root)
    return spark.catalog.tableExists(lake.table(zone, name))


@dataclass
class StagedWrites:
    """The writes of one job run, committed to a branch of each table until `publish`."""

    spark: SparkSession
    lake: Lake
    branch: str
    staged: dict[str, str] = field(default_factory=dict)
    """Table name to the branch identifier it is staged on, in the order first touched."""

    def target(self, zone: str, name: str) -> str:
        """The branch to write a table on, created from the table's current `main`."""
        table = ensure_table(self.spark, self.lake, zone, name)
        if table not in self.staged:
            self.spark.sql(f"ALTER TABLE {table} CREATE OR REPLACE BRANCH {self.branch}")
            self.staged[table] = f"{table}.branch_{self.branch}"
        return self.staged[table]

    def read(self, zone: str, name: str, dt: date) -> DataFrame:
        """A date as this run sees it: its own staged writes, or else the published table."""
        table = self.lake.table(zone, name)
        source = self.staged.get(table)
        if source is None:
            return read_partition(self.spark, self.lake, zone, name, dt)
        return (
            self.spark.table(source)
            .where(F.col(partition_key()) == dt.isoformat())
            .select(*spark_schema(zone, name).names)
        )

    def merge(self, df: DataFrame, zone: str, name: str, dt: date, key: str) -> None:
        """Make the date's rows equal `df`, upserting on `key` and deleting rows `df` lacks.

        Only the date's files are read and rewritten. On a rerun (a first run finds the date
        empty) the keys `df` lacks are deleted first, so the MERGE needs no `WHEN NOT MATCHED BY
        SOURCE` clause, which would make copy-on-write rewrite every date of the table. `df` must
        hold one row per key (silver does; Iceberg refuses to merge duplicates) and must not read
        the table it is merged into (Spark 4.1 cannot plan that MERGE; see `jobs.earlier_keys`).
        """
        require_declared_columns(df, zone, name)
        target = self.target(zone, name)
        day, dt_column = dt.isoformat(), f"`{partition_key()}`"
        source = f"staged_{re.sub(r'[^a-z0-9_]', '_', name)}_{self.branch}"
        df.withColumn(partition_key(), F.lit(day)).createOrReplaceTempView(source)
        if not self.spark.table(target).where(F.col(partition_key()) == day).isEmpty():
            self.spark.sql(
                f"DELETE FROM {target} WHERE {dt_column} = '{day}' "
                f"AND `{key}` NOT IN (SELECT `{key}` FROM {source})"
            )
        self.spark.sql(
            f"""MERGE INTO {target} t USING {source} s
            ON t.{dt_column} = '{day}' AND t.`{key}` = s.`{key}`
            WHEN MATCHED THEN UPDATE SET *
            WHEN NOT MATCHED THEN INSERT *"""
        )
        self.spark.catalog.dropTempView(source)

    def replace_partition(self, df: DataFrame, zone: str, name: str, dt: date) -> int:
        """Replace the date's rows with `df` (an empty one empties it); returns the rows written."""
        require_declared_columns(df, zone, name)
        target = self.target(zone, name)
        # One commit that drops the date's rows and adds df's: an empty df empties the date.
        df.withColumn(partition_key(), F.lit(dt.isoformat())).writeTo(target).overwrite(
            F.col(partition_key()) == dt.isoformat()
        )
        return self.rows_added(target)

    def delete(self, zone: str, name: str, condition: str) -> None:
        self.spark.sql(f"DELETE FROM {self.target(zone, name)} WHERE {condition}")

    def rows_added(self, target: str) -> int:
        """Rows added by the latest commit on a staged branch, from its snapshot summary."""
        table, _, branch = target.rpartition(".branch_")
        summary = self.spark.sql(
            f"SELECT s.summary FROM {table}.snapshots s JOIN {table}.refs r "
            f"ON s.snapshot_id = r.snapshot_id WHERE r.name = '{branch}'"
        ).first()
        return int(summary.summary.get("added-records", 0)) if summary else 0

    def publish(self) -> None:
        """Fast-forward each table's main to its branch, then drop the branches.

        Fast-forwarding only moves a pointer, so the window in which some tables are published and
        others not is a few metadata commits long, never a data write.
        """
        for table in self.staged:
            # The catalog-qualified name: a bare `namespace.name` makes Iceberg first try the
            # namespace as a catalog, and Spark logs that CATALOG_NOT_FOUND with a stack trace.
            self.spark.sql(
                f"CALL {CATALOG}.system.fast_forward('{table}', 'main', '{self.branch}')"
            )
        self.abandon()

    def abandon(self) -> None:
        for table in self.staged:
            self.spark.sql(f"ALTER TABLE {table} DROP BRANCH IF EXISTS {self.branch}")
        self.staged.clear()


@contextmanager
def staged_writes(spark: SparkSession, lake: Lake, run: str) -> Iterator[StagedWrites]:
    """Stage a job's writes on branches and publish them together once the job has succeeded.

    On an exception the branches are dropped and the exception propagates: every table stays at the
    snapshot it had before the job (a killed job leaves its branch, which the next run replaces).
    """
    use_lake(spark, lake.root)
    writes = StagedWrites(spark, lake, branch=f"etl_{re.sub(r'[^a-z0-9_]', '_', run.lower())}")
    try:
        yield writes
    except BaseException:
        writes.abandon()
        raise
    writes.publish()


def files_per_partition(spark: SparkSession, lake: Lake, zone: str, name: str) -> dict[str, int]:
    """Data files of each date in a table's current snapshot."""
    rows = spark.sql(
        f"SELECT partition.`{partition_key()}` AS dt, count(*) AS files "
        f"FROM {lake.table(zone, name)}.files GROUP BY 1"
    ).collect()
    return {row.dt: row.files for row in rows}


def data_files(spark: SparkSession, lake: Lake, zone: str, name: str, dt: date) -> list[str]:
    """The data files holding a date of a table in its current snapshot (for other engines)."""
    rows = spark.sql(
        f"SELECT file_path FROM {lake.table(zone, name)}.files "
        f"WHERE partition.`{partition_key()}` = '{dt.isoformat()}'"
    ).collect()
    return [row.file_path for row in rows]
