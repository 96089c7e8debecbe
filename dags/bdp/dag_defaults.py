"""What every platform DAG shares: start date, owner, retries, AWS access and failure alerts.

Everything that depends on the environment is a template, rendered at run time from the `bdp_platform`
Variable; nothing here reads it at parse time.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pendulum
from airflow.providers.amazon.aws.notifications.sns import SnsNotifier

from bdp import platform

START_DATE = pendulum.datetime(2026, 1, 1, tz="UTC")
TAGS = ["big-data-platform"]

# AWS credentials are MWAA's execution role (no Airflow connection); the region is the platform's.
AWS = {"aws_conn_id": None, "region_name": "{{ var.json.bdp_platform.region }}"}


def alert_on_failure(context) -> None:
    """Publish a task's final failure to the environment's alerts topic (subscribers are managed in CDK).

    The local runtime has no topic: the failure is only logged, as the task's own log already shows it.
    """
    if platform.runtime() == platform.LOCAL:
        logging.getLogger(__name__).warning("Runtime local: no alerts topic; %s failed", context["ti"].task_id)
        return
    # A fresh notifier per call: a notifier renders its templates in place, once.
    SnsNotifier(
        **AWS,
        target_arn="{{ var.json.bdp_platform.alerts_topic_arn }}",
        subject="bdp {{ var.json.bdp_platform.environment }}: {{ dag.dag_id }} failed",
        message=(
            "Run {{ run_id }} of {{ dag.dag_id }} failed at task {{ ti.task_id }} "
            "(try {{ ti.try_number }}) in environment {{ var.json.bdp_platform.environment }}.\n"
            "Error: {{ exception }}\nLog: {{ ti.log_url }}"
        ),
    )(context)


DEFAULT_ARGS = {
    "owner": "data-platform",
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=15),
    "on_failure_callback": alert_on_failure,
}
