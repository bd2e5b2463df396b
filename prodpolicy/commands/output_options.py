"""Options that shape the report: format, destination and failure threshold."""

from __future__ import annotations

import argparse
import sys
from typing import Any

SEVERITY_CHOICES = ("info", "low", "medium", "high", "critical", "none")


def add_output_options(parser: argparse.ArgumentParser) -> None:
    from ..report import FORMATS

    parser.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    parser.add_argument(
        "--fail-on",
        choices=SEVERITY_CHOICES,
        default="low",
        help="exit with 1 when a finding has this severity or higher; none never fails (default: low)",
    )
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")


def write_report(report: Any, arguments: argparse.Namespace) -> bool:
    """Render the report in the chosen format and write it; return False when writing failed."""
    from ..report import render

    text = render(arguments.format, report)
    if arguments.output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return True
    try:
        with open(arguments.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        print(f"prodpolicy: cannot write {arguments.output}: {error.strerror or error}", file=sys.stderr)
        return False
    return True


def fails_threshold(report: Any, arguments: argparse.Namespace) -> bool:
    """Return True when an unsuppressed finding reaches the --fail-on severity."""
    from ..policy.load import SEVERITY_RANK

    if arguments.fail_on == "none":
        return False
    threshold = SEVERITY_RANK[arguments.fail_on]
    return any(SEVERITY_RANK[finding.severity] >= threshold for finding in report.active_findings())
