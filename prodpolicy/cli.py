"""The ``prodpolicy`` command.

Exit codes: 0 when no finding is at or above the ``--fail-on`` severity, 1 when
one is, 2 for a usage error, an invalid policy or an input that could not be
evaluated. The report goes to standard output; messages go to standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from . import __version__

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
SEVERITY_CHOICES = ("info", "low", "medium", "high", "critical", "none")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prodpolicy",
        description="Check Dockerfiles, compose files and images against production policies.",
    )
    parser.add_argument("--version", action="version", version=f"prodpolicy {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    evaluate = commands.add_parser(
        "eval",
        help="evaluate files and folders against a policy",
        description="Evaluate inputs against the bundled ruleset or the given policies.",
        epilog="examples:\n  prodpolicy eval .\n  prodpolicy eval Dockerfile --format json --fail-on high\n"
        "  prodpolicy eval services/ --policy policy.yaml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    evaluate.add_argument("paths", nargs="+", metavar="PATH", help="files, or folders to search for inputs")
    _add_policy_option(evaluate)
    evaluate.add_argument("--format", choices=("text", "json"), default="text", help="report format (default: text)")
    evaluate.add_argument(
        "--fail-on",
        choices=SEVERITY_CHOICES,
        default="low",
        help="exit with 1 when a finding has this severity or higher; none never fails (default: low)",
    )
    evaluate.add_argument("--kind", choices=("dockerfile",), help="read every input as this kind")
    evaluate.add_argument("--target", metavar="STAGE", help="evaluate this Dockerfile stage instead of the last one")
    evaluate.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")

    rules = commands.add_parser("rules", help="list the rules of a policy")
    _add_policy_option(rules)
    rules.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")

    normalize = commands.add_parser("normalize", help="print the document model of one input as JSON")
    normalize.add_argument("path", metavar="FILE")
    normalize.add_argument("--kind", choices=("dockerfile",), help="read the input as this kind")
    normalize.add_argument("--target", metavar="STAGE", help="the Dockerfile stage whose runtime view is built")
    return parser


def _add_policy_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy",
        action="append",
        metavar="FILE",
        help="policy or rule file to apply instead of the bundled ruleset; repeat to combine "
        "(a policy can extend the bundled set with 'extends: [prodpolicy:recommended]')",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _parser()
    arguments = parser.parse_args(argv)
    if arguments.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    handler = {"eval": _run_eval, "rules": _run_rules, "normalize": _run_normalize}[arguments.command]
    try:
        return handler(arguments)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def _load_policy(arguments: argparse.Namespace) -> Any:
    from .errors import PolicyError
    from .policy.load import load_policy

    try:
        return load_policy(arguments.policy)
    except PolicyError as error:
        print(f"prodpolicy: the policy is invalid ({len(error.problems)} problem"
              f"{'s' if len(error.problems) != 1 else ''}):", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return None


def _run_eval(arguments: argparse.Namespace) -> int:
    from .api import evaluate_paths
    from .kinds import NormalizeOptions
    from .policy.load import SEVERITY_RANK
    from .report import render

    policy = _load_policy(arguments)
    if policy is None:
        return EXIT_ERROR
    options = NormalizeOptions(target=arguments.target)
    report = evaluate_paths(arguments.paths, policy, kind=arguments.kind, options=options)
    output = render(arguments.format, report)
    if not _write(output, arguments.output):
        return EXIT_ERROR
    if report.errors:
        return EXIT_ERROR
    if arguments.fail_on == "none":
        return EXIT_OK
    threshold = SEVERITY_RANK[arguments.fail_on]
    failing = any(SEVERITY_RANK[finding.severity] >= threshold for finding in report.active_findings())
    return EXIT_FINDINGS if failing else EXIT_OK


def _write(text: str, destination: str | None) -> bool:
    if destination is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return True
    try:
        with open(destination, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        print(f"prodpolicy: cannot write {destination}: {error.strerror or error}", file=sys.stderr)
        return False
    return True


def _run_rules(arguments: argparse.Namespace) -> int:
    policy = _load_policy(arguments)
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
        references = ", ".join(rule.references)
        disabled = "" if rule.enabled else " (disabled)"
        print(f"{rule.id}  {rule.name.ljust(width)}  {rule.severity:<8}  {rule.title}{disabled}")
        if references:
            print(f"{'':{len(rule.id)}}  {'':{width}}  {'':<8}  covers {references}")
    return EXIT_OK


def _run_normalize(arguments: argparse.Namespace) -> int:
    from .api import normalize
    from .errors import InvalidInput
    from .kinds import NormalizeOptions

    try:
        documents = normalize(arguments.path, kind=arguments.kind, options=NormalizeOptions(target=arguments.target))
    except InvalidInput as error:
        print(f"{error.error.location()}: error: {error.error.message}", file=sys.stderr)
        return EXIT_ERROR
    payload: Any = documents[0].data if len(documents) == 1 else [document.data for document in documents]
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    for document in documents:
        for error in document.errors:
            print(f"{error.location()}: error: {error.message}", file=sys.stderr)
    return EXIT_ERROR if any(document.errors for document in documents) else EXIT_OK
