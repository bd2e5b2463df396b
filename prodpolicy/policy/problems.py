"""Collect policy mistakes with their file, line, column and rule id.

The loader reports every mistake it finds, not just the first, so a policy
author fixes a file in one pass. Positions come from the YAML loader, which
records where every key and list item starts.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable
from typing import Any

from ..document import Location
from ..errors import PolicyProblem
from ..yamldata import YAMLData

DataPath = tuple[str | int, ...]


class Problems:
    """The mistakes found so far while loading one policy."""

    def __init__(self) -> None:
        self.items: list[PolicyProblem] = []

    def __len__(self) -> int:
        return len(self.items)

    def sorted(self) -> list[PolicyProblem]:
        """Return the problems by file, line and column; problems of one place keep the order found."""
        return sorted(self.items, key=lambda problem: (problem.file, problem.line or 0, problem.column or 0))

    def add(self, file: str, message: str, location: Location | None = None, rule_id: str | None = None) -> None:
        self.items.append(
            PolicyProblem(
                file=file,
                message=message,
                line=location.line if location else None,
                column=location.column if location else None,
                rule_id=rule_id,
            )
        )


def nearest(loaded: YAMLData | None, path: DataPath) -> Location | None:
    """Return the position of ``path``, or of its nearest parent that has one."""
    if loaded is None:
        return None
    for end in range(len(path), -1, -1):
        location = loaded.locations.get(path[:end])
        if location is not None:
            return location
    return Location(1) if path else None


def line_of(loaded: YAMLData | None, path: DataPath) -> int | None:
    location = nearest(loaded, path)
    return location.line if location else None


def data_path(data: Any, loc: Iterable[str | int]) -> DataPath:
    """Follow a pydantic error location through the data, skipping union branch labels."""
    path: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current:
            path.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            path.append(part)
            current = current[part]
    return tuple(path)


def rule_id_at(data: Any, path: DataPath) -> str | None:
    """Return the id of the rule that ``path`` is inside, when the data has one."""
    if isinstance(data, dict) and data.get("kind") == "Rule":
        return str(data.get("id")) if data.get("id") else None
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        rules = data.get("rules") if isinstance(data, dict) else None
        if isinstance(rules, list) and path[1] < len(rules) and isinstance(rules[path[1]], dict):
            rule_id = rules[path[1]].get("id")
            return str(rule_id) if rule_id else None
    return None


def describe_validation_error(item: dict[str, Any], path: DataPath) -> str:
    """Turn one pydantic error into a sentence that names the key and what is expected."""
    kind = item["type"]
    loc = item["loc"]
    key = loc[-1] if loc else ""
    where = ".".join(str(part) for part in path) or "the file"
    if kind == "extra_forbidden":
        if not _KEY_SHAPE.match(str(key)):
            # Not quoted: a file that is no policy at all, such as a link to /etc/shadow, must not be printed.
            parent = ".".join(str(part) for part in path[:-1]) or "the file"
            return (
                f"{parent}: an unknown key that is not a name; is this a policy file? "
                "It must be a mapping of the keys that `prodpolicy schema policy` lists"
            )
        close = difflib.get_close_matches(str(key), _format_keys(), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "check the spelling against `prodpolicy schema policy`"
        return f"unknown key {key!r}; {hint}"
    if kind == "missing":
        return f"missing required key {key!r}"
    if kind == "string_pattern_mismatch" and key in _PATTERN_RULES:
        return f"{where}: {_describe(item.get('input'))} is not valid: {_PATTERN_RULES[key]}"
    if kind == "too_short":
        least = item.get("ctx", {}).get("min_length", 1)
        return f"{where}: the list is empty; give at least {least} item{'s' if least != 1 else ''} or remove the key"
    message = item["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if kind == "model_type" and "ParameterRef" in message:
        # The model's class name means nothing to a policy author; the YAML form does.
        message = "Input should be a parameter reference such as {param: NAME}"
    if kind in ("string_type", "bool_type", "int_type", "list_type", "dict_type", "model_type", "float_type"):
        message = f"{message}, found {_describe(item.get('input'))}"
    return f"{where}: {message}"


# The keys of the format, and the misspellings worth quoting back: names, not lines of another file.
_KEY_SHAPE = re.compile(r"^\$?[A-Za-z_][A-Za-z0-9_.-]{0,63}$")


@functools.lru_cache(maxsize=1)
def _format_keys() -> tuple[str, ...]:
    """Return every key of the policy format, to suggest one for a misspelled key."""
    from pydantic import BaseModel

    from . import model

    keys: set[str] = set()
    for value in vars(model).values():
        if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == model.__name__:
            for name, field in value.model_fields.items():
                keys.add(field.alias or name.rstrip("_"))
    return tuple(sorted(keys))


# The requirements of the format's key patterns, in words rather than as regular expressions.
_PATTERN_RULES = {
    "id": "an id is 2 to 8 upper-case letters or digits starting with a letter, then three digits, as ACME001",
    "name": "a name is lower-case letters and digits in words joined by single hyphens, as internal-registry-only",
}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "null"
    return type(value).__name__
