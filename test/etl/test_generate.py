from pyspark.testing.utils import assertDataFrameEqual

from bdp_etl.bronze_to_silver import label
from bdp_etl.generate import (
    DUPLICATE_SHARE,
    EVENT_DEFECTS,
    USER_DEFECTS,
    events_with_defects,
    users_with_defects,
)
from bdp_etl.schema import spark_schema

ROWS = 5_000


def generated(spark, dt, seed=42):
    return {
        "users": users_with_defects(spark, ROWS, seed, dt),
        "events": events_with_defects(spark, ROWS, seed, dt, users=ROWS),
    }


def test_same_seed_same_rows_other_seed_other_rows(spark, dt):
    first, again, other = generated(spark, dt), generated(spark, dt), generated(spark, dt, seed=7)
    for name in ("users", "events"):
        assertDataFrameEqual(first[name], again[name])
        scalars = [column for column in first[name].columns if column != "properties"]
        changed = first[name].select(scalars).exceptAll(other[name].select(scalars))
        assert changed.count() > ROWS // 2


def test_bronze_columns_are_the_declared_strings(spark, dt):
    for name, rows in generated(spark, dt).items():
        declared = [(f.name, f.dataType.simpleString()) for f in spark_schema("bronze", name)]
        assert [(f.name, f.dataType.simpleString()) for f in rows.schema] == [
            *declared,
            ("defect", "string"),
        ]


def test_generation_runs_no_python_per_row(spark, dt):
    for rows in generated(spark, dt).values():
        plan = rows._jdf.queryExecution().executedPlan().toString()
        assert "Python" not in plan


def test_each_defect_is_injected_and_quarantined_with_its_own_reason(spark, dt):
    for name, defects in (("users", USER_DEFECTS), ("events", EVENT_DEFECTS)):
        labelled = label(generated(spark, dt)[name], name, dt)
        # A duplicate user is an exact copy, so compare how many rows get each label, not which.
        injected = dict(labelled.groupBy("defect").count().collect())
        quarantined = dict(labelled.groupBy("reason").count().collect())

        assert quarantined == injected
        assert set(defects) < set(injected), injected
        duplicates = injected[f"duplicate_{'user_id' if name == 'users' else 'event_id'}"]
        assert abs(duplicates - ROWS * DUPLICATE_SHARE) < ROWS * DUPLICATE_SHARE / 2
        assert sum(injected.values()) == ROWS + duplicates
