"""Options that shape the report: format, destination, colour, progress and failure threshold."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from typing import Any, TextIO

SEVERITY_CHOICES = ("info", "low", "medium", "high", "critical", "none")
COLOR_CHOICES = ("auto", "always", "never")


def add_output_options(parser: argparse.ArgumentParser) -> None:
    from ..report import FORMATS

    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="report format: text for terminals; json, sarif, junit, github, gitlab or checkstyle for tools "
        "(default: text; see docs/output.md)",
    )
    parser.add_argument(
        "--fail-on",
        choices=SEVERITY_CHOICES,
        default="low",
        help="exit with 1 when a finding has this severity or higher; none never fails (default: low)",
    )
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")
    parser.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default="auto",
        help="colour the text report: auto colours it when it goes to a terminal and NO_COLOR is not set "
        "(default: auto)",
    )
    parser.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        help="do not draw the progress bar (drawn on standard error only when it is a terminal and the run covers many files)",
    )


def color_enabled(choice: str, stream: TextIO | None, environ: Mapping[str, str] = os.environ) -> bool:
    """Decide whether to colour output written to ``stream`` (None for a file).

    ``always`` and ``never`` win. ``auto`` colours a terminal unless ``NO_COLOR`` is
    set to a non-empty value (https://no-color.org) or ``TERM`` is ``dumb``.
    """
    if choice != "auto":
        return choice == "always"
    if stream is None or environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def write_report(report: Any, arguments: argparse.Namespace, policy: Any = None) -> bool:
    """Render the report in the chosen format and write it; return False when writing failed."""
    from ..report import render

    destination = sys.stdout if arguments.output is None else None
    color = color_enabled(getattr(arguments, "color", "never"), destination)
    text = render(arguments.format, report, policy=policy, color=color)
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
    from ..policy.model import SEVERITIES

    if arguments.fail_on == "none":
        return False
    threshold = SEVERITIES.index(arguments.fail_on)
    return any(SEVERITIES.index(finding.severity) >= threshold for finding in report.active_findings())
