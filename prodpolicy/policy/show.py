"""Describe a merged policy with where every value came from, for ``prodpolicy config --show``."""

from __future__ import annotations

import json
import os
import re
from typing import Any

from .compiled import Origin, Policy
from .read import BUNDLED_NAME, data_directory

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9_./@-]*$")


def _value(value: Any, origin: Origin | None) -> dict[str, Any]:
    # The same names as the text form: bundled files by the ruleset's name, files here relative to the folder.
    entry: dict[str, Any] = {"value": value, "origin": _shorten(str(origin)) if origin else None}
    if origin is not None and origin.how:
        entry["how"] = origin.how
    return entry


def describe_policy(policy: Policy, configuration: str | None = None, input_path: str | None = None) -> dict[str, Any]:
    """Return the merged policy as JSON-ready data: every setting, rule value and exception with its origin."""
    settings = {
        "inline_suppressions": _value(policy.settings.inline_suppressions, policy.settings.origins.get("inline_suppressions"))
    }
    rules: dict[str, Any] = {}
    for rule in policy.rules:
        entry: dict[str, Any] = {
            "name": rule.name,
            "enabled": _value(rule.enabled, rule.origins.get("enabled")),
            "severity": _value(rule.severity, rule.origins.get("severity")),
        }
        if rule.parameters:
            entry["parameters"] = {
                name: _value(value, rule.origins.get(f"parameters.{name}")) for name, value in sorted(rule.parameters.items())
            }
        rules[rule.id] = entry
    exceptions = [
        {
            "rules": list(exception.selectors),
            "target": {
                key: values
                for key, values in (
                    ("file", [glob.pattern for glob in exception.files]),
                    ("stage", list(exception.stages)),
                    ("service", list(exception.services)),
                    ("path", [path.text for path in exception.paths]),
                )
                if values
            },
            "reason": exception.reason,
            "owner": exception.owner,
            "expires": exception.expires.isoformat() if exception.expires else None,
            "origin": _shorten(str(exception.origin)),
        }
        for exception in policy.exceptions
    ]
    return {
        "input": input_path,
        "configuration": configuration,
        "layers": list(policy.layers),
        "settings": settings,
        "rules": rules,
        "exceptions": exceptions,
    }


def render_text(description: dict[str, Any]) -> str:
    """Write a description as YAML-like text with each value's origin as an aligned comment."""
    lines: list[str] = []
    if description.get("input"):
        lines.append(f"# policy for {description['input']}")
    configuration = description.get("configuration")
    lines.append(f"# configuration file: {_shorten(configuration) if configuration else 'none'}")
    lines.append("# layers, first to last (later layers win):")
    lines.extend(f"#   {number}. {_shorten(layer)}" for number, layer in enumerate(description["layers"], 1))

    rows: list[tuple[str, str]] = [("settings:", "")]
    for name, entry in description["settings"].items():
        rows.append((f"  {name}: {_flow(entry['value'])}", _origin(entry)))
    rows.append(("rules:", ""))
    for rule_id, rule in description["rules"].items():
        rows.append((f"  {rule_id}:", rule["name"]))
        rows.append((f"    enabled: {_flow(rule['enabled']['value'])}", _origin(rule["enabled"])))
        rows.append((f"    severity: {_flow(rule['severity']['value'])}", _origin(rule["severity"])))
        if rule.get("parameters"):
            rows.append(("    parameters:", ""))
            for name, entry in rule["parameters"].items():
                rows.append((f"      {name}: {_flow(entry['value'])}", _origin(entry)))
    rows.append(("exceptions:" if description["exceptions"] else "exceptions: []", ""))
    for exception in description["exceptions"]:
        target = {key: _single(values) for key, values in exception["target"].items()}
        rows.append((f"  - rule: {_flow(_single(exception['rules']))}", _shorten(exception["origin"])))
        rows.append((f"    target: {_flow(target)}", ""))
        rows.append((f"    reason: {_flow(exception['reason'])}", ""))
        for key in ("owner", "expires"):
            if exception[key] is not None:
                rows.append((f"    {key}: {exception[key]}", ""))

    width = min(max(len(text) for text, _ in rows), 56)
    for text, comment in rows:
        lines.append(f"{text.ljust(width)}  # {comment}" if comment else text)
    return "\n".join(lines) + "\n"


def _single(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def _flow(value: Any) -> str:
    # Plain words print bare, as YAML would write them; anything else as JSON, which YAML also reads.
    if isinstance(value, str) and _PLAIN.match(value) and value not in ("true", "false", "null"):
        return value
    return json.dumps(value, ensure_ascii=False)


def _origin(entry: dict[str, Any]) -> str:
    origin = _shorten(entry.get("origin") or "unknown")
    how = entry.get("how")
    return f"{origin} ({how})" if how else origin


def _shorten(origin: str) -> str:
    """Write a bundled rule file by the ruleset's name, and a file in the working folder relative to it."""
    if not os.path.isabs(origin):
        return origin
    bundled = str(data_directory("policies") / "rules") + os.sep
    if origin.startswith(bundled):
        return f"{BUNDLED_NAME}/{origin[len(bundled):].replace(os.sep, '/')}"
    relative = os.path.relpath(origin)
    return origin if relative.startswith("..") else relative
