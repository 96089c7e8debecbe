"""Validate request dictionaries against botocore's EMR input shapes, enum values included.

botocore's ParamValidator checks names, types, required members and ranges, but not enum values;
`enum_errors` walks the shape alongside the value and checks every enum-typed string.
"""

from __future__ import annotations

from typing import Any

import botocore.session
from botocore.model import Shape
from botocore.validate import ParamValidator

EMR = botocore.session.get_session().get_service_model("emr")


def input_shape(operation: str) -> Shape:
    return EMR.operation_model(operation).input_shape


def validation_errors(operation: str, params: dict[str, Any]) -> list[str]:
    """ParamValidator's findings plus enum violations; empty when the request is valid."""
    shape = input_shape(operation)
    report = ParamValidator().validate(params, shape)
    errors = report.generate_report().splitlines() if report.has_errors() else []
    return errors + enum_errors(shape, params)


def enum_errors(shape: Shape, value: Any, path: str = "") -> list[str]:
    return [
        f"{where}: {value!r} not in {allowed}"
        for where, value, allowed in enum_values(shape, value, path)
        if value not in allowed
    ]


def enum_values(shape: Shape, value: Any, path: str = "") -> list[tuple[str, Any, list[str]]]:
    """Every (path, value, allowed values) of an enum-typed string in `value`."""
    if shape.type_name == "structure" and isinstance(value, dict):
        return [
            found
            for name, member in value.items()
            if name in shape.members
            for found in enum_values(shape.members[name], member, f"{path}.{name}")
        ]
    if shape.type_name == "list" and isinstance(value, list):
        return [
            found for index, item in enumerate(value) for found in enum_values(shape.member, item, f"{path}[{index}]")
        ]
    if shape.type_name == "map" and isinstance(value, dict):
        return [
            found
            for key, item in value.items()
            for found in enum_values(shape.key, key, f"{path}.key") + enum_values(shape.value, item, f"{path}[{key}]")
        ]
    if shape.type_name == "string" and getattr(shape, "enum", None):
        return [(path or "<root>", value, list(shape.enum))]
    return []
