"""The local runtime's steps: each ETL job a spark-submit on this machine, through the Apache Spark provider.

`make local` and `make local-run` install the provider (requirements-airflow.txt), put the project's
PySpark `spark-submit` on PATH and define the connection `spark_default` as `local[2]`. Every path
comes from the local `bdp_platform` Variable (a `LocalPlatform`), read when the task runs.

MWAA does not ship the provider, and its runs never take this path (CDK writes `runtime: emr`), so
dags/requirements.txt does not install it: without the provider the same tasks exist, and fail with
a message saying what is missing if a local run ever reaches them.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseOperator

from bdp.emr_config import STEP_TIMEOUT

SPARK_CONN_ID = "spark_default"
PROVIDER = "apache-airflow-providers-apache-spark"
VARIABLE_FIELDS = {
    "application": "{{ var.json.bdp_platform.etl_entry_point }}",
    "py_files": "{{ var.json.bdp_platform.etl_package }}",
    "properties_file": "{{ var.json.bdp_platform.spark_properties_file }}",
    "jars": "{{ var.json.bdp_platform.spark_jars | join(',') }}",
}


def task_id(job: str) -> str:
    return f"spark_{job}"


def spark_step(job: str, application_args: Any) -> BaseOperator:
    """One ETL job as a spark-submit; `application_args` is main.py's argument list (an XComArg)."""
    try:
        from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
    except ModuleNotFoundError:
        return ProviderMissingOperator(task_id=task_id(job), retries=0)
    return SparkSubmitOperator(
        task_id=task_id(job),
        conn_id=SPARK_CONN_ID,
        spark_binary="spark-submit",
        name=f"bdp-etl-{job}",
        application_args=application_args,
        **VARIABLE_FIELDS,
        # As on EMR: a failed job is final (a blocking quality check exits 1), and each has 4 hours.
        retries=0,
        execution_timeout=STEP_TIMEOUT,
    )


class ProviderMissingOperator(BaseOperator):
    """Stands in for a local step where the Spark provider is not installed (MWAA); never runs there."""

    def execute(self, context) -> None:
        raise RuntimeError(
            f"{self.task_id}: the bdp_platform Variable says runtime 'local', which needs {PROVIDER} "
            "(installed by make local from requirements-airflow.txt); this Airflow does not have it"
        )
