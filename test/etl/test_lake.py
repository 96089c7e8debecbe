from datetime import date

import pytest
from pyspark.sql import Row
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from bdp_etl.lake import partition_path, read_partition, write_partition, zone_root

OTHER_DAY = date(2026, 1, 14)


@pytest.mark.parametrize(
    ("lake", "expected"),
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
def test_zone_root_substitutes_the_zone_or_uses_a_subfolder(lake, expected):
    assert zone_root(lake, "silver") == expected


def test_zone_root_rejects_unknown_zones():
    with pytest.raises(
        ValueError, match="Unknown zone 'platinum'; valid zones: bronze, silver, gold"
    ):
        zone_root("/lake", "platinum")


def test_partition_path_is_hive_style(dt):
    assert partition_path("s3://b-{zone}", "gold", "daily_active_users", dt) == (
        "s3://b-gold/daily_active_users/dt=2026-01-15"
    )


def test_write_replaces_only_its_date_and_counts_while_writing(spark, tmp_path, frame, dt):
    lake = str(tmp_path)
    rows = [{"country": "SE", "active_users": 1}, {"country": "NO", "active_users": 2}]
    other_day = frame("gold", "daily_active_users", [{"country": "DK", "active_users": 9}])
    write_partition(other_day, lake, "gold", "daily_active_users", OTHER_DAY)

    first = write_partition(
        frame("gold", "daily_active_users", rows), lake, "gold", "daily_active_users", dt
    )
    again = write_partition(
        frame("gold", "daily_active_users", rows[:1]),
        lake,
        "gold",
        "daily_active_users",
        dt,
        {"users": F.sum("active_users")},
    )

    assert first == {"rows": 2}
    assert again == {"rows": 1, "users": 1}
    assertDataFrameEqual(
        read_partition(spark, lake, "gold", "daily_active_users", dt), [Row(**rows[0])]
    )
    assertDataFrameEqual(
        read_partition(spark, lake, "gold", "daily_active_users", OTHER_DAY), other_day
    )


def test_writing_no_rows_empties_the_date_instead_of_keeping_stale_rows(spark, tmp_path, frame, dt):
    lake = str(tmp_path)
    stale = frame("gold", "daily_active_users", [{"country": "SE", "active_users": 1}])
    write_partition(stale, lake, "gold", "daily_active_users", dt)

    counts = write_partition(stale.where("false"), lake, "gold", "daily_active_users", dt)

    assert counts == {"rows": 0}
    assert read_partition(spark, lake, "gold", "daily_active_users", dt).count() == 0


def test_write_refuses_columns_that_differ_from_the_declaration(tmp_path, frame, dt):
    rows = frame("gold", "daily_active_users", [{"country": "SE", "active_users": 1}])
    with pytest.raises(ValueError, match=r"gold\.daily_active_users: columns .*'int'.* differ"):
        write_partition(
            rows.withColumn("active_users", F.col("active_users").cast("int")),
            str(tmp_path),
            "gold",
            "daily_active_users",
            dt,
        )
    assert not (tmp_path / "gold").exists()


def test_reading_a_missing_partition_fails(spark, tmp_path, dt):
    with pytest.raises(Exception, match="PATH_NOT_FOUND"):
        read_partition(spark, str(tmp_path), "silver", "events", dt)
