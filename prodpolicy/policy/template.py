"""Render finding messages: ``{field}`` inserts a field of the matched node.

Only field lookups are allowed, never expressions or format specs, so a message
template cannot run anything. ``{param.NAME}`` inserts a rule parameter;
``{{`` and ``}}`` are literal braces. A list is joined with spaces and a missing
or null field renders as ``(none)``, or as the text after a ``|`` in the
placeholder: ``{env.NODE_ENV.value|not set}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .jsonpath import CompiledPath, JSONPathError, compile_path

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]+)\}")


class TemplateError(ValueError):
    """Raised for a placeholder that is not a valid field path."""


@dataclass(frozen=True, slots=True)
class Template:
    """A message template with its placeholders compiled."""

    text: str
    parts: tuple[str | _Field, ...]

    def render(self, node: Any) -> str:
        return "".join([part if isinstance(part, str) else part.render(node) for part in self.parts])


@dataclass(frozen=True, slots=True)
class _Field:
    """A placeholder: the field path, and the text for a missing or null value."""

    path: CompiledPath
    fallback: str | None

    def render(self, node: Any) -> str:
        if self.path.names is not None:
            # Most placeholders name a field: its one value, or nothing, without the list of values.
            value = self.path.named_value(node)
            if value is None:
                return "(none)" if self.fallback is None else self.fallback
            return value if type(value) is str else _format([value])
        values = self.path.values(node)
        if self.fallback is not None and all(value is None for value in values):
            return self.fallback
        return _format(values)


def _format(values: list[Any]) -> str:
    if not values:
        return "(none)"
    texts = []
    for value in values:
        if isinstance(value, list):
            texts.append(" ".join(_scalar(item) for item in value))
        else:
            texts.append(_scalar(value))
    return ", ".join(texts)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    if value is None:
        return "(none)"
    if isinstance(value, float) and value.is_integer():
        # Durations are stored in seconds as floats: 300.0 reads better as 300.
        return str(int(value))
    return str(value)


def compile_template(
    text: str, parameter: Callable[[str], Any], check: Callable[[CompiledPath], None] | None = None
) -> Template:
    """Compile a template; ``parameter`` returns the value of ``{param.NAME}``.

    ``check`` is called with each field path and raises :class:`TemplateError`
    for one that cannot exist in the documents the rule applies to.
    """
    parts: list[str | _Field] = []
    # Every bad placeholder is reported, not only the first, so one run shows all there is to fix.
    errors: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        parts.append(text[position : match.start()])
        position = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append(token[0])
            continue
        try:
            parts.append(_placeholder(match.group(1), parameter, check))
        except TemplateError as error:
            errors.append(str(error))
    if errors:
        raise TemplateError("; ".join(errors))
    parts.append(text[position:])
    return Template(text, tuple(part for part in parts if part != ""))


def _placeholder(
    inside: str, parameter: Callable[[str], Any], check: Callable[[CompiledPath], None] | None
) -> str | _Field:
    """Compile the text between the braces of one placeholder, or raise :class:`TemplateError`."""
    name, bar, fallback = inside.partition("|")
    name = name.strip()
    if name.startswith("param."):
        return _format([parameter(name[len("param.") :])])
    try:
        path = compile_path(name)
    except JSONPathError as error:
        raise TemplateError(f"invalid placeholder {{{name}}}: {error}") from None
    if not path.relative:
        raise TemplateError(f"placeholder {{{name}}} must be relative to the matched node; drop the leading $")
    if check is not None:
        check(path)
    return _Field(path, fallback.strip() if bar else None)
