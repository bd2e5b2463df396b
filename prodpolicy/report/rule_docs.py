"""A rule's documentation as plain text (terminal, SARIF help) and as Markdown."""

from __future__ import annotations

import json
import re
import textwrap
from typing import TYPE_CHECKING, Any

from .links import rule_help_uri

if TYPE_CHECKING:
    from ..policy.load import CompiledRule

def rule_text(rule: CompiledRule, width: int | None = None) -> str:
    """Render the documentation of a rule as plain text, wrapped to ``width`` columns when given."""
    docs = rule.docs
    parts = [
        f"{rule.id} {rule.name}: {rule.title}",
        _fields_line(rule),
        "",
        _paragraph(docs.summary, width, ""),
    ]
    parts += _text_section("Why it matters", docs.why, width)
    parts += ["", "Reported:", textwrap.indent(docs.bad.rstrip("\n"), "    ")]
    parts += ["", "Accepted:", textwrap.indent(docs.good.rstrip("\n"), "    ")]
    parts += _text_section("How to fix it", docs.fix, width)
    if docs.limitations:
        parts += _text_section("Limitations", docs.limitations, width)
    if rule.parameters:
        parts += ["", "Parameters:"]
        parts += [f"  {name} = {_value(value)}" for name, value in sorted(rule.parameters.items())]
    if rule.references:
        parts += ["", "Covers the same ground as:", _paragraph(", ".join(rule.references), width, "  ")]
    parts += ["", f"Reference: {rule_help_uri(rule.id)}"]
    return "\n".join(parts) + "\n"


def rule_markdown(rule: CompiledRule) -> str:
    """Render the documentation of a rule as Markdown."""
    docs = rule.docs
    parts = [f"**{rule.id} {rule.name}**: {_markdown_inline(rule.title)}", "", _fields_line(rule), "", docs.summary.strip()]
    parts += ["", "### Why it matters", "", docs.why.strip()]
    parts += ["", "### Reported", "", _fence(docs.bad), "", "### Accepted", "", _fence(docs.good)]
    parts += ["", "### How to fix it", "", docs.fix.strip()]
    if docs.limitations:
        parts += ["", "### Limitations", "", docs.limitations.strip()]
    if rule.references:
        parts += ["", "### Covers the same ground as", "", ", ".join(f"`{reference}`" for reference in rule.references)]
    return "\n".join(parts) + "\n"


def _fields_line(rule: CompiledRule) -> str:
    fields = [f"severity: {rule.severity}", f"applies to: {', '.join(sorted(rule.applies_to))}"]
    if rule.tags:
        fields.append(f"tags: {', '.join(rule.tags)}")
    if not rule.enabled:
        fields.append("disabled")
    return "; ".join(fields)


def _text_section(title: str, body: str, width: int | None) -> list[str]:
    return ["", f"{title}:", _paragraph(body, width, "  ")]


def _paragraph(text: str, width: int | None, indent: str) -> str:
    text = " ".join(text.split())
    if width is None:
        return indent + text
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent)


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _fence(code: str) -> str:
    # A fence longer than any backtick run inside the example keeps the block closed.
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{_example_language(code)}\n{code.rstrip()}\n{fence}"


def _example_language(code: str) -> str:
    """Name the syntax of an example for highlighting: Dockerfile, JSON (image config) or YAML (compose)."""
    for line in code.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith(("{", "[")):
            return "json"
        keyword = stripped.split(None, 1)[0].upper()
        return "dockerfile" if keyword in ("FROM", "ARG") else "yaml"
    return ""


def _markdown_inline(text: str) -> str:
    return text.replace("*", "\\*").replace("_", "\\_")
