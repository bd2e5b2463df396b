"""Check rule parameter values against their declared type.

A default and every override are checked the same way, so ``allowed_registries:
registry.acme.internal`` (text where a list is expected) is an error at the line
that sets it rather than a condition that silently never holds.
"""

from __future__ import annotations

from typing import Any

from .conditions import ConditionError, compile_regex
from .spec import ParameterSpec

_TYPE_NAMES = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "regex": "a regular expression",
    "list": "a list",
}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "null"
    return type(value).__name__


def _scalar_problem(kind: str, value: Any) -> str | None:
    if kind == "string" and isinstance(value, str):
        return None
    if kind == "boolean" and isinstance(value, bool):
        return None
    if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
        return None
    if kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        return None
    if kind == "regex" and isinstance(value, str):
        try:
            compile_regex(value)
        except ConditionError as error:
            return error.message
        return None
    return f"expected {_TYPE_NAMES[kind]}, found {_describe(value)} {value!r}"


def parameter_problems(name: str, parameter: ParameterSpec, value: Any) -> list[tuple[tuple[int, ...], str]]:
    """Return (list index path, message) for each way ``value`` does not fit the parameter's type."""
    if parameter.type != "list":
        problem = _scalar_problem(parameter.type, value)
        return [] if problem is None else [((), f"parameter {name!r}: {problem}")]
    if not isinstance(value, list):
        return [((), f"parameter {name!r} is a list: expected a list, found {_describe(value)} {value!r}")]
    if parameter.items is None:
        return []
    problems = []
    for index, item in enumerate(value):
        problem = _scalar_problem(parameter.items, item)
        if problem is not None:
            problems.append(((index,), f"parameter {name!r} item {index}: {problem}"))
    return problems
