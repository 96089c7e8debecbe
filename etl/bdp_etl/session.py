"""The SparkSession every job runs in, and the Iceberg catalog of the lake it works on.

Only settings that the jobs' correctness depends on live here. Sizing (master, memory, shuffle
partitions, UI, logging) and the Iceberg runtime jar come from spark-submit: EMR's defaults and its
`iceberg-defaults` classification on a cluster, `etl/etl.mk` and `etl/conf/spark-local.conf` on a
laptop, the test fixture in pytest.
"""

from __future__ import annotations

from pyspark.sql import SparkSession

CATALOG = "lake"
"""The Spark catalog of the silver and gold Iceberg tables: `lake.<namespace>.<dataset>`."""

JOB_CONF = {
    # MERGE INTO, branches and the maintenance procedures (CALL lake.system.*) need Iceberg's SQL.
    "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
    # Bronze reruns replace that date's Parquet partition and leave every other date alone.
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    # Event times are UTC; the dates derived from them must not depend on the host's time zone.
    "spark.sql.session.timeZone": "UTC",
    # INT64 timestamps rather than Spark 3's legacy INT96, read natively by Athena and DuckDB.
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    # Iceberg sizes its write tasks with adaptive execution: Spark's default, and it must stay on.
    "spark.sql.adaptive.enabled": "true",
}


def catalog_conf(lake_root: str) -> dict[str, str]:
    """Spark settings of the `lake` catalog for a lake root.

    An `s3://` lake uses the AWS Glue Data Catalog with S3FileIO, as EMR 8.1 ships them; every table
    then gets an explicit location in its zone's bucket. A local lake (a folder) uses a Hadoop
    catalog whose warehouse is the lake folder itself, so table `lake.silver.events` lives in
    `<lake>/silver/events`, beside the bronze Parquet of `<lake>/bronze`.
    """
    prefix = f"spark.sql.catalog.{CATALOG}"
    if lake_root.startswith("s3://"):
        return {
            prefix: "org.apache.iceberg.spark.SparkCatalog",
            f"{prefix}.catalog-impl": "org.apache.iceberg.aws.glue.GlueCatalog",
            f"{prefix}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
            # Only a default: every table is created with the location of its own zone's bucket.
            f"{prefix}.warehouse": lake_root.replace("{zone}", "silver").rstrip("/"),
        }
    if "{zone}" in lake_root:
        raise ValueError(
            f"A local lake is one folder holding bronze/, silver/ and gold/; got {lake_root!r}. "
            "Only an s3:// lake may name one bucket per zone with {zone}."
        )
    return {
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.type": "hadoop",
        f"{prefix}.warehouse": lake_root.rstrip("/") or "/",
    }


def use_lake(spark: SparkSession, lake_root: str) -> None:
    """Point the `lake` catalog at a lake root.

    Spark builds a catalog once and keeps it, so when the settings change (the tests use a fresh
    lake per module) the catalog manager is reset to build it again from the new settings.
    """
    wanted = catalog_conf(lake_root)
    if all(spark.conf.get(key, None) == value for key, value in wanted.items()):
        return
    for key, value in wanted.items():
        spark.conf.set(key, value)
    spark._jsparkSession.sessionState().catalogManager().reset()


def spark_session(app_name: str, lake_root: str) -> SparkSession:
    builder = SparkSession.builder.appName(app_name)
    for key, value in JOB_CONF.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    use_lake(spark, lake_root)
    return spark
