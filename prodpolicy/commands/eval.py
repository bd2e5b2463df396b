"""``prodpolicy eval``: evaluate files and folders against a policy."""

from __future__ import annotations

import argparse

from . import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from .input_options import add_input_options, normalize_options_from_arguments
from .output_options import add_output_options, fails_threshold, write_report
from .policy_options import add_policy_options, load_policy_from_arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="evaluate files and folders against a policy",
        description="Evaluate inputs against the bundled ruleset or the given policies.",
        epilog="examples:\n  prodpolicy eval .\n  prodpolicy eval Dockerfile --format json --fail-on high\n"
        "  prodpolicy eval services/ --policy policy.yaml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, or folders to search for inputs")
    add_policy_options(parser)
    add_input_options(parser)
    add_output_options(parser)
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    from ..api import evaluate_paths

    policy = load_policy_from_arguments(arguments)
    if policy is None:
        return EXIT_ERROR
    options = normalize_options_from_arguments(arguments)
    report = evaluate_paths(arguments.paths, policy, kind=arguments.kind, options=options)
    if not write_report(report, arguments):
        return EXIT_ERROR
    if report.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if fails_threshold(report, arguments) else EXIT_OK
