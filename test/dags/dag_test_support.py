"""Paths, platform fixtures and moto accessors shared by the DAG tests. Imports no Airflow."""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ACCOUNT = "111111111111"  # the dev fixture's account: moto creates its resources there


def platform_json(environment: str) -> dict:
    """The Variable as CDK writes it for an environment-like fixture."""
    return json.loads((FIXTURES / f"platform-{environment}.json").read_text())


def emr_backend(region: str):
    from moto.emr.models import emr_backends

    return emr_backends[ACCOUNT][region]


def published_alerts(platform: dict) -> list[tuple]:
    """Messages moto's SNS received on the alerts topic: (id, message, subject, attributes, group)."""
    from moto.sns.models import sns_backends

    return sns_backends[ACCOUNT][platform["region"]].topics[platform["alerts_topic_arn"]].sent_notifications
