"""dags/bdp/aws_calls.json, the IAM requests the DAGs may make: well formed, and the matcher is strict."""

from __future__ import annotations

import re

import pytest

from iam_requests import declared_calls, undeclared

BINDINGS = {
    "region": "eu-north-1",
    "account": "111111111111",
    "environment": "dev",
    "alerts_topic_arn": "arn:aws:sns:eu-north-1:111111111111:bdp-dev-alerts",
    "alerts_key_arn": "arn:aws:kms:eu-north-1:111111111111:key/alerts",
    "service_role_arn": "arn:aws:iam::111111111111:role/bdp-dev-emr-service",
    "instance_role_arn": "arn:aws:iam::111111111111:role/bdp-dev-emr-instance-role",
}
CLUSTER = "arn:aws:elasticmapreduce:eu-north-1:111111111111:cluster/j-2AXXXXXXGAPLF"


def placeholders(value) -> set[str]:
    return set(re.findall(r"\$\{(\w+)\}", str(value)))


def test_every_declaration_is_complete_and_uses_only_known_placeholders():
    for entry in declared_calls():
        assert set(entry) == {"action", "resource", "context", "why"}, entry
        assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z]+", entry["action"]), entry
        assert entry["why"].strip(), entry
        assert placeholders(entry) <= {*BINDINGS, "cluster"}, entry


def request(action, resource, **context):
    return {"action": action, "resource": resource, "context": context}


def test_declared_requests_pass():
    recorded = [
        request("elasticmapreduce:DescribeCluster", CLUSTER, **{"aws:ResourceTag/bdp:environment": "dev"}),
        request(
            "elasticmapreduce:RunJobFlow",
            "*",
            **{
                "aws:RequestTag/bdp:environment": "dev",
                "aws:RequestTag/for-use-with-amazon-emr-managed-policies": "true",
                "aws:RequestTag/project": "big-data-platform",  # more request context than declared is fine
            },
        ),
        request(
            "iam:PassRole", BINDINGS["service_role_arn"], **{"iam:PassedToService": "elasticmapreduce.amazonaws.com"}
        ),
    ]

    assert undeclared(recorded, BINDINGS) == []


@pytest.mark.parametrize(
    "call",
    [
        request("elasticmapreduce:ListSteps", CLUSTER, **{"aws:ResourceTag/bdp:environment": "dev"}),  # new call
        request("elasticmapreduce:DescribeCluster", CLUSTER, **{"aws:ResourceTag/bdp:environment": "prod"}),
        request(
            "elasticmapreduce:DescribeCluster",
            CLUSTER.replace("eu-north-1", "eu-west-1"),
            **{"aws:ResourceTag/bdp:environment": "dev"},
        ),
        request("elasticmapreduce:RunJobFlow", "*", **{"aws:RequestTag/bdp:environment": "dev"}),  # a tag short
        request("iam:PassRole", BINDINGS["service_role_arn"], **{"iam:PassedToService": "ec2.amazonaws.com"}),
        request("sns:Publish", "arn:aws:sns:eu-north-1:111111111111:someone-elses-topic"),
    ],
    ids=["new-action", "other-environment", "other-region", "missing-request-tag", "wrong-service", "other-topic"],
)
def test_a_request_no_declaration_covers_is_reported(call):
    assert undeclared([call], BINDINGS) == [call]
