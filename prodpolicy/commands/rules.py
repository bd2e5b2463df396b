"""``prodpolicy rules``: list the rules of a policy as text, JSON or Markdown."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from . import EXIT_ERROR, EXIT_OK
from .policy_options import add_policy_options, load_policy_from_arguments

EXAMPLES = """\
examples:
  prodpolicy rules
  prodpolicy rules --format json
  prodpolicy rules --format md --policy acme-policy.yaml
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "rules",
        help="list the rules of a policy",
        description="List the rules of the bundled ruleset, or of the given policies, with id, name,\n"
        "severity, title and the peer rules each covers.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_policy_options(parser)
    parser.add_argument(
        "--format",
        choices=("text", "json", "md"),
        default="text",
        help="text for terminals, json for tools, md for a Markdown table (default: text)",
    )
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    policy = load_policy_from_arguments(arguments)
    if policy is None:
        return EXIT_ERROR
    writers = {"json": _json, "md": _markdown, "text": _text}
    sys.stdout.write(writers[arguments.format](policy.rules))
    return EXIT_OK


def _json(rules: Any) -> str:
    from ..report.links import rule_help_uri

    rows = [
        {
            "id": rule.id,
            "name": rule.name,
            "title": rule.title,
            "severity": rule.severity,
            "applies_to": sorted(rule.applies_to),
            "tags": list(rule.tags),
            "enabled": rule.enabled,
            "references": list(rule.references),
            "help_uri": rule_help_uri(rule.id, rule),
        }
        for rule in rules
    ]
    return json.dumps(rows, indent=2) + "\n"


def _markdown(rules: Any) -> str:
    from ..report.links import rule_help_uri

    lines = ["| Rule | Name | Severity | Applies to | Title | Covers |", "| --- | --- | --- | --- | --- | --- |"]
    for rule in rules:
        title = rule.title + ("" if rule.enabled else " (disabled)")
        cells = [
            f"[{rule.id}]({help_uri})" if (help_uri := rule_help_uri(rule.id, rule)) else rule.id,
            f"`{rule.name}`",
            rule.severity,
            ", ".join(sorted(rule.applies_to)),
            title,
            ", ".join(f"`{reference}`" for reference in rule.references),
        ]
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _text(rules: Any) -> str:
    # Organisations' ids can be longer than the bundled five characters (ACME001), so both columns are sized.
    id_width = max((len(rule.id) for rule in rules), default=0)
    width = max((len(rule.name) for rule in rules), default=0)
    lines: list[str] = []
    for rule in rules:
        disabled = "" if rule.enabled else " (disabled)"
        lines.append(f"{rule.id.ljust(id_width)}  {rule.name.ljust(width)}  {rule.severity:<8}  {rule.title}{disabled}")
        if rule.references:
            lines.append(f"{'':{id_width}}  {'':{width}}  {'':<8}  covers {', '.join(rule.references)}")
    return "\n".join(lines) + "\n" if lines else ""
