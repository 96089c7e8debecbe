"""Record the AWS calls the DAG code makes against moto, as the IAM requests AWS will evaluate them as.

A botocore `provide-client-params` hook (registered for every botocore session, as moto registers its
own stub) sees each API call once, with its parameters, before it is sent. Each call becomes one or
more requests `{"action", "resource", "context"}`: the cluster's tags are read from moto at call time for
`aws:ResourceTag/*`, and calls that IAM evaluates more than once emit the implied requests too
(RunJobFlow: tag-on-create and both role passes; Publish to an SSE-KMS topic: the topic's key).

`dags/bdp/aws_calls.json` declares the requests the DAGs may make, with `${placeholders}`;
`undeclared` lists recorded requests that match no declaration.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from botocore.handlers import BUILTIN_HANDLERS

from dag_test_support import ACCOUNT, DAGS

DECLARED_CALLS = DAGS / "bdp" / "aws_calls.json"
CLUSTER_ID = r"j-[A-Z0-9]+"  # what `${cluster}` stands for


class IamRequestRecorder:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.recording = False

    def __call__(self, params: Mapping[str, Any], model, context: Mapping[str, Any], **_: Any) -> None:
        if self.recording:
            region = context["client_region"]
            prefix = model.service_model.signing_name
            self.requests.extend(_iam_requests(f"{prefix}:{model.name}", dict(params), region))

    @contextmanager
    def record(self) -> Iterator[list[dict[str, Any]]]:
        self.requests, self.recording = [], True
        try:
            yield self.requests
        finally:
            self.recording = False


RECORDER = IamRequestRecorder()
BUILTIN_HANDLERS.append(("provide-client-params", RECORDER))  # every botocore session created from now on


def _iam_requests(action: str, params: dict[str, Any], region: str) -> list[dict[str, Any]]:
    service, operation = action.split(":")
    if service == "elasticmapreduce":
        return _emr_requests(action, operation, params, region)
    if action == "sns:Publish":
        topic_arn = params.get("TopicArn") or params["TargetArn"]
        return [_request(action, topic_arn), *_topic_key_requests(topic_arn, region)]
    return [_request(action, "*")]


def _emr_requests(action: str, operation: str, params: dict[str, Any], region: str) -> list[dict[str, Any]]:
    if operation == "RunJobFlow":
        tags = {tag["Key"]: tag["Value"] for tag in params.get("Tags", [])}
        tagging = {**{f"aws:RequestTag/{key}": value for key, value in tags.items()}, "aws:TagKeys": sorted(tags)}
        return [
            _request(action, "*", tagging),
            # Tag-on-create: EMR also authorizes AddTags on the literal pattern, with the same request tags.
            _request("elasticmapreduce:AddTags", f"arn:aws:elasticmapreduce:{region}:{ACCOUNT}:cluster/*", tagging),
            _request("iam:PassRole", _role_arn(params["ServiceRole"]), {"iam:PassedToService": _EMR_SERVICE}),
            _request("iam:PassRole", _instance_profile_role_arn(params["JobFlowRole"]), {"iam:PassedToService": _EC2}),
        ]
    cluster_ids = params.get("JobFlowIds") or [params.get("ClusterId") or params.get("JobFlowId")]
    if cluster_ids == [None]:
        return [_request(action, "*")]
    return [
        _request(action, _cluster_arn(region, cluster_id), _resource_tags(region, cluster_id))
        for cluster_id in cluster_ids
    ]


_EMR_SERVICE, _EC2 = "elasticmapreduce.amazonaws.com", "ec2.amazonaws.com"


def _request(action: str, resource: str, context: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"action": action, "resource": resource, "context": dict(context or {})}


def _cluster_arn(region: str, cluster_id: str) -> str:
    return f"arn:aws:elasticmapreduce:{region}:{ACCOUNT}:cluster/{cluster_id}"


def _resource_tags(region: str, cluster_id: str) -> dict[str, str]:
    from moto.emr.models import emr_backends

    cluster = emr_backends[ACCOUNT][region].clusters.get(cluster_id)
    return {f"aws:ResourceTag/{tag['Key']}": tag["Value"] for tag in (cluster.tags if cluster else [])}


def _role_arn(name: str) -> str:
    from moto.iam.models import iam_backends

    return iam_backends[ACCOUNT]["global"].get_role(name).arn


def _instance_profile_role_arn(name: str) -> str:
    from moto.iam.models import iam_backends

    [role] = iam_backends[ACCOUNT]["global"].get_instance_profile(name).roles
    return role.arn


def _topic_key_requests(topic_arn: str, region: str) -> list[dict[str, Any]]:
    """SNS encrypts a message to an SSE-KMS topic with the topic's key, as the publisher."""
    from moto.sns.models import sns_backends

    key = sns_backends[ACCOUNT][region].topics[topic_arn].kms_master_key_id
    via = {"kms:ViaService": f"sns.{region}.amazonaws.com", "kms:CallerAccount": ACCOUNT}
    return [_request(action, key, via) for action in ("kms:GenerateDataKey", "kms:Decrypt")] if key else []


def declared_calls() -> list[dict[str, Any]]:
    return json.loads(DECLARED_CALLS.read_text())


def undeclared(requests: list[dict[str, Any]], bindings: Mapping[str, str]) -> list[dict[str, Any]]:
    """The recorded requests that no declared entry covers: same action, resource and declared context."""
    patterns = [_declared_pattern(entry, bindings) for entry in declared_calls()]
    return [
        request
        for request in requests
        if not any(
            action == request["action"]
            and resource.fullmatch(request["resource"])
            and context.items() <= request["context"].items()
            for action, resource, context in patterns
        )
    ]


def _declared_pattern(entry: Mapping[str, Any], bindings: Mapping[str, str]):
    def expand(text: str) -> str:
        return re.sub(r"\$\{(\w+)\}", lambda match: bindings[match.group(1)], text)

    resource = re.escape(entry["resource"]).replace(re.escape("${cluster}"), CLUSTER_ID)
    resource = re.sub(r"\\\$\\\{(\w+)\\\}", lambda match: re.escape(bindings[match.group(1)]), resource)
    context = {key: expand(value) if isinstance(value, str) else value for key, value in entry["context"].items()}
    return entry["action"], re.compile(resource), context
