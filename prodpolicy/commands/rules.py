"""``prodpolicy rules``: list the rules of a policy."""

from __future__ import annotations

import argparse
import json
import sys

from . import EXIT_ERROR, EXIT_OK
from .policy_options import add_policy_options, load_policy_from_arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("rules", help="list the rules of a policy")
    add_policy_options(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    policy = load_policy_from_arguments(arguments)
    if policy is None:
        return EXIT_ERROR
    if arguments.format == "json":
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
            }
            for rule in policy.rules
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    width = max((len(rule.name) for rule in policy.rules), default=0)
    for rule in policy.rules:
        disabled = "" if rule.enabled else " (disabled)"
        print(f"{rule.id}  {rule.name.ljust(width)}  {rule.severity:<8}  {rule.title}{disabled}")
        if rule.references:
            print(f"{'':{len(rule.id)}}  {'':{width}}  {'':<8}  covers {', '.join(rule.references)}")
    return EXIT_OK
