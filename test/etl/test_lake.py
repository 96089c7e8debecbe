import json
from datetime import date

import pytest
from pyspark.sql import Row
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from bdp_etl.lake import (
    EmptyPartitionError,
    Lake,
    StagedWrites,
    data_files,
    ensure_table,
    partition_path,
    read_bronze,
    read_partition,
    staged_writes,
    write_bronze,
)
from bdp_etl.schema import datasets, partition_key, spark_schema
from bdp_etl.session import use_lake

OTHER_DAY = date(2026, 1, 14)


@pytest.mark.parametrize(
    ("root", "expected"),
    [
        (
            "s3://bdp-dev-{zone}-111111111111-eu-north-1",
            "s3://bdp-dev-silver-111111111111-eu-north-1",
        ),
        ("s3://bdp-dev-{zone}/", "s3://bdp-dev-silver"),
        ("/tmp/lake/", "/tmp/lake/silver"),
        (".lake", ".lake/silver"),
    ],
)
def test_zone_root_substitutes_the_zone_or_uses_a_subfolder(root, expected):
    assert Lake(root).zone_root("silver") == expected


def test_zone_root_rejects_unknown_zones():
    with pytest.raises(
        ValueError, match="Unknown zone 'platinum'; valid zones: bronze, silver, gold"
    ):
        Lake("/lake").zone_root("platinum")


@pytest.mark.parametrize(
    ("root", "namespace", "error"),
    [
        ("", "{zone}", "lake root is empty"),
        ("  ", "{zone}", "lake root is empty"),
        ("/lake", "bdp_dev", "lacks {zone}"),
        ("/lake", "bdp-dev-{zone}", "not a Glue database name"),
    ],
)
def test_a_lake_refuses_an_empty_root_or_a_shared_namespace(root, namespace, error):
    with pytest.raises(ValueError, match=error):
        Lake(root, namespace)


def test_tables_are_named_by_the_namespace_template_and_located_in_their_zone():
    lake = Lake("s3://bdp-dev-{zone}-1", "bdp_dev_{zone}")
    assert lake.table("silver", "events") == "lake.bdp_dev_silver.events"
    assert lake.location("gold", "user_segments") == "s3://bdp-dev-gold-1/user_segments"
    with pytest.raises(ValueError, match="raw Parquet"):
        lake.table("bronze", "events")


def test_partition_path_is_hive_style(dt):
    assert partition_path(Lake("s3://b-{zone}"), "bronze", "users", dt) == (
        "s3://b-bronze/users/dt=2026-01-15"
    )


def test_iceberg_tables_have_the_declared_schemas_partitioned_by_dt(spark, tmp_path):
    lake = Lake(str(tmp_path))
    for d in datasets():
        if d.zone == "bronze":
            continue
        table = ensure_table(spark, lake, d.zone, d.name)
        schema = spark.table(table).schema
        assert [(f.name, f.dataType) for f in schema] == [
            *((f.name, f.dataType) for f in spark_schema(d.zone, d.name)),
            (partition_key(), spark_schema("bronze", "users")["user_id"].dataType),
        ]
        partitions = spark.table(f"{table}.partitions").schema["partition"].dataType
        assert partitions.names == [partition_key()]
        assert (tmp_path / d.zone / d.name / "metadata").is_dir()


def test_a_newly_declared_column_is_added_to_an_existing_table(spark, tmp_path):
    lake = Lake(str(tmp_path))
    ensure_table(spark, lake, "gold", "daily_active_users")
    table = lake.table("gold", "daily_active_users")
    spark.sql(f"ALTER TABLE {table} DROP COLUMN active_users")

    ensure_table(spark, lake, "gold", "daily_active_users")

    assert [f.name for f in spark.table(table).schema] == ["country", "dt", "active_users"]


def test_a_changed_column_type_is_refused(spark, tmp_path):
    lake = Lake(str(tmp_path))
    table = lake.table("gold", "daily_active_users")
    use_lake(spark, lake.root)
    spark.sql("CREATE NAMESPACE IF NOT EXISTS lake.gold")
    spark.sql(f"CREATE TABLE {table} (country string, active_users int, dt string) USING iceberg")
    with pytest.raises(ValueError, match=r"active_users is int but datasets\.json declares bigint"):
        ensure_table(spark, lake, "gold", "daily_active_users")


def test_replacing_a_date_leaves_other_dates_and_an_empty_result_empties_it(
    spark, tmp_path, frame, dt
):
    lake = Lake(str(tmp_path))
    rows = [{"country": "SE", "active_users": 1}, {"country": "NO", "active_users": 2}]
    other_day = frame("gold", "daily_active_users", [{"country": "DK", "active_users": 9}])
    with staged_writes(spark, lake, "t1") as writes:
        writes.replace_partition(other_day, "gold", "daily_active_users", OTHER_DAY)
        written = writes.replace_partition(
            frame("gold", "daily_active_users", rows), "gold", "daily_active_users", dt
        )
    with staged_writes(spark, lake, "t2") as writes:
        again = writes.replace_partition(
            frame("gold", "daily_active_users", rows[:1]), "gold", "daily_active_users", dt
        )

    assert (written, again) == (2, 1)
    assertDataFrameEqual(
        read_partition(spark, lake, "gold", "daily_active_users", dt), [Row(**rows[0])]
    )
    assertDataFrameEqual(
        read_partition(spark, lake, "gold", "daily_active_users", OTHER_DAY), other_day
    )

    with staged_writes(spark, lake, "t3") as writes:
        empty = frame("gold", "daily_active_users", rows).where("false")
        assert writes.replace_partition(empty, "gold", "daily_active_users", dt) == 0
    assert read_partition(spark, lake, "gold", "daily_active_users", dt).count() == 0


def test_a_merge_upserts_and_deletes_within_its_date_only(spark, tmp_path, frame, dt):
    lake = Lake(str(tmp_path))
    users = spark_schema("silver", "users").names

    def user(user_id, age):
        return dict(zip(users, (user_id, user_id, age, "SE", None, None), strict=True))

    with staged_writes(spark, lake, "m1") as writes:
        writes.merge(
            frame("silver", "users", [user("u1", 30)]), "silver", "users", OTHER_DAY, "user_id"
        )
        writes.merge(
            frame("silver", "users", [user("u1", 30), user("u2", 40)]),
            "silver",
            "users",
            dt,
            "user_id",
        )
    other_day_files = data_files(spark, lake, "silver", "users", OTHER_DAY)
    with staged_writes(spark, lake, "m2") as writes:
        writes.merge(
            frame("silver", "users", [user("u1", 31), user("u3", 50)]),
            "silver",
            "users",
            dt,
            "user_id",
        )

    day = read_partition(spark, lake, "silver", "users", dt).select("user_id", "age")
    assertDataFrameEqual(day, [Row(user_id="u1", age=31), Row(user_id="u3", age=50)])
    assert read_partition(spark, lake, "silver", "users", OTHER_DAY).count() == 1
    # Copy-on-write rewrote the date's files only: the other date's file is the one written first.
    assert data_files(spark, lake, "silver", "users", OTHER_DAY) == other_day_files


def test_a_failed_job_publishes_none_of_its_writes(spark, tmp_path, frame, dt):
    lake = Lake(str(tmp_path))
    before = frame("gold", "daily_active_users", [{"country": "SE", "active_users": 1}])
    with staged_writes(spark, lake, "first") as writes:
        writes.replace_partition(before, "gold", "daily_active_users", dt)
    table = lake.table("gold", "daily_active_users")
    snapshot = spark.sql(f"SELECT snapshot_id FROM {table}.refs WHERE name = 'main'").first()[0]

    after = frame("gold", "daily_active_users", [{"country": "NO", "active_users": 5}])

    def job():
        with staged_writes(spark, lake, "second") as writes:
            writes.replace_partition(after, "gold", "daily_active_users", dt)
            writes.replace_partition(after.where("false"), "gold", "daily_active_users", OTHER_DAY)
            raise RuntimeError("injected after two writes")

    with pytest.raises(RuntimeError, match="injected"):
        job()

    refs = spark.sql(f"SELECT name, snapshot_id FROM {table}.refs").collect()
    assert [(r.name, r.snapshot_id) for r in refs] == [("main", snapshot)]
    assertDataFrameEqual(read_partition(spark, lake, "gold", "daily_active_users", dt), before)


def test_a_killed_job_leaves_main_readable_and_the_next_run_replaces_its_branch(
    spark, tmp_path, frame, dt
):
    lake = Lake(str(tmp_path))
    before = frame("gold", "daily_active_users", [{"country": "SE", "active_users": 1}])
    with staged_writes(spark, lake, "run") as writes:
        writes.replace_partition(before, "gold", "daily_active_users", dt)
    # A process killed mid-job runs no cleanup: its branch stays, unpublished.
    killed = StagedWrites(spark, lake, "etl_run")
    killed.replace_partition(before.where("false"), "gold", "daily_active_users", dt)

    assertDataFrameEqual(read_partition(spark, lake, "gold", "daily_active_users", dt), before)
    after = frame("gold", "daily_active_users", [{"country": "NO", "active_users": 2}])
    with staged_writes(spark, lake, "run") as writes:
        writes.replace_partition(after, "gold", "daily_active_users", dt)
    assertDataFrameEqual(read_partition(spark, lake, "gold", "daily_active_users", dt), after)


def test_write_refuses_columns_that_differ_from_the_declaration(spark, tmp_path, frame, dt):
    rows = frame("gold", "daily_active_users", [{"country": "SE", "active_users": 1}])
    wrong = rows.withColumn("active_users", F.col("active_users").cast("int"))
    writes = StagedWrites(spark, Lake(str(tmp_path)), "bad")
    with pytest.raises(ValueError, match=r"gold\.daily_active_users: columns .*'int'.* differ"):
        writes.replace_partition(wrong, "gold", "daily_active_users", dt)
    assert not (tmp_path / "gold").exists()


def test_reading_a_missing_bronze_partition_fails(spark, tmp_path, dt):
    with pytest.raises(FileNotFoundError, match="dt=2026-01-15"):
        read_bronze(spark, Lake(str(tmp_path)), "events", dt)


def test_an_empty_bronze_partition_fails_clearly(spark, tmp_path, dt):
    lake = Lake(str(tmp_path))
    folder = tmp_path / "bronze" / "events" / "dt=2026-01-15"
    folder.mkdir(parents=True)
    (folder / "_SUCCESS").write_text("")
    with pytest.raises(EmptyPartitionError, match="holds no data files"):
        read_bronze(spark, lake, "events", dt)


def test_an_extra_bronze_column_is_logged_then_left_out(spark, tmp_path, bronze_users, dt, capsys):
    lake = Lake(str(tmp_path))
    landed = bronze_users({}).withColumn("nickname", F.lit("ann"))
    landed.write.parquet(partition_path(lake, "bronze", "users", dt))

    users = read_bronze(spark, lake, "users", dt)

    assert users.columns == spark_schema("bronze", "users").names
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["event"], r["dataset"], r["columns"]) for r in logged] == [
        ("bronze_extra_columns", "bronze.users", ["nickname"])
    ]


def test_bronze_writes_replace_only_their_date(spark, tmp_path, bronze_users, dt):
    lake = Lake(str(tmp_path))
    write_bronze(bronze_users({"user_id": "old"}), lake, "users", OTHER_DAY)
    assert write_bronze(bronze_users({}, {"user_id": "u2"}), lake, "users", dt) == {"rows": 2}
    assert write_bronze(bronze_users({}), lake, "users", dt) == {"rows": 1}
    assert read_bronze(spark, lake, "users", dt).count() == 1
    assert read_bronze(spark, lake, "users", OTHER_DAY).first().user_id == "old"
