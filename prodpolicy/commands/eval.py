"""``prodpolicy eval``: evaluate files and folders against a policy."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from . import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from .input_options import add_input_options, normalize_options_from_arguments
from .output_options import add_output_options, fails_threshold, write_report
from .policy_options import add_policy_options, load_input_policies_from_arguments

if TYPE_CHECKING:
    from ..progress import ProgressBar

EXAMPLES = """\
examples:
  prodpolicy eval .
  prodpolicy eval Dockerfile --format json --fail-on high
  prodpolicy eval services/ --policy acme-policy.yaml
  prodpolicy eval . --format sarif --output prodpolicy.sarif
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="evaluate files and folders against a policy",
        description="Evaluate inputs against the bundled ruleset or the given policies.\n\n"
        "Exit codes: 0 when no finding reaches --fail-on, 1 when one does, 2 for a usage\n"
        "error, an invalid policy or an input that could not be evaluated.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, or folders to search for inputs")
    add_policy_options(parser)
    add_input_options(parser)
    add_output_options(parser)
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    from ..api import evaluate_paths

    policy = load_input_policies_from_arguments(arguments)
    if policy is None:
        return EXIT_ERROR
    options = normalize_options_from_arguments(arguments)
    progress = _progress_bar(arguments)
    try:
        report = evaluate_paths(
            arguments.paths,
            policy,
            kind=arguments.kind,
            options=options,
            progress=progress.advance if progress else None,
        )
    finally:
        if progress:
            progress.close()
    if not write_report(report, arguments, policy):
        return EXIT_ERROR
    if report.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if fails_threshold(report, arguments) else EXIT_OK


def _progress_bar(arguments: argparse.Namespace) -> ProgressBar | None:
    """Return a progress bar for this run, or None when none is drawn.

    Inputs are counted up front only when standard error is a terminal.
    """
    from ..progress import progress_bar

    if not arguments.progress or not sys.stderr.isatty():
        return None
    from ..discovery import discover

    # NOTE: this second search must select the same inputs as evaluate_paths, so pass it
    # the same exclusions when discovery gains them. The bar tolerates a wrong count.
    total = sum(1 for _ in discover(list(arguments.paths)))
    return progress_bar(sys.stderr, total)
