"""Options that shape the report: format, destination, colour, progress, verbosity, baseline and failure threshold."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TextIO

SEVERITY_CHOICES = ("info", "low", "medium", "high", "critical", "none")
COLOR_CHOICES = ("auto", "always", "never")
# The formats whose summary counts the findings a baseline hid; the others have no summary.
FORMATS_WITH_SUMMARY = ("text", "github", "json")
# The formats --statistics can print the counts in.
STATISTICS_FORMATS = ("text", "json")


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
    parser.add_argument(
        "--statistics",
        action="store_true",
        help="print the number of findings of each rule instead of the findings, as text or, with --format json, "
        "as JSON; with --output the report is still written to the file",
    )
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only the report: no summary line, progress bar or log messages",
    )
    verbosity.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log on standard error which inputs were found, which paths were skipped and why, and timings",
    )
    baseline = parser.add_argument_group("baseline")
    baseline.add_argument(
        "--baseline",
        metavar="FILE",
        help="report only findings that are not in FILE, a JSON report saved earlier; findings are matched by "
        "fingerprint (file, rule and place in the document), not by line",
    )
    baseline.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="save every current finding to FILE as a JSON report and use it as the baseline of this run",
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
    """Render the report in the chosen format and write it; return False when writing failed.

    ``--quiet`` leaves out the summary line of the text and GitHub formats.
    """
    from ..report import render

    if arguments.format == "json":
        return _stream_json(report, arguments.output)
    destination = sys.stdout if arguments.output is None else None
    color = color_enabled(getattr(arguments, "color", "never"), destination)
    summary = not getattr(arguments, "quiet", False)
    text = render(arguments.format, report, policy=policy, color=color, summary=summary)
    if arguments.output is None:
        _write_stdout(text)
        return True
    return write_file(arguments.output, text)


def write_statistics(report: Any, arguments: argparse.Namespace) -> None:
    """Print the number of findings of each rule to standard output, in JSON with --format json.

    The text form ends with the summary line of the text report, which counts the
    findings a baseline hid; ``--quiet`` leaves it out.
    """
    from .. import statistics
    from ..report.style import Styler
    from ..report.text_format import summary_line

    if arguments.format == "json":
        _write_stdout(statistics.render_json(report, report.baseline_hidden))
        return
    text = statistics.render_text(report)
    if not arguments.quiet:
        summary = summary_line(report, Styler(color_enabled(arguments.color, sys.stdout)))
        text += ("\n" if text else "") + summary + "\n"
    _write_stdout(text)


def write_file(path: str, text: str) -> bool:
    """Write text to a file; print the reason and return False when that fails."""
    try:
        with open(path, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(text)
    except OSError as error:
        print(f"prodpolicy: cannot write {path}: {error.strerror or error}", file=sys.stderr)
        return False
    return True


def _stream_json(report: Any, output: str | None) -> bool:
    """Write the JSON report while it is encoded; return False when writing failed.

    The text is byte for byte what ``render("json", ...)`` returns (tests/test_performance_results.py
    checks it), but the whole text is never held: for 40,000 findings the encoder's list of pieces
    and the joined text need about 100 MiB more than the report itself.
    """
    from ..report.json_text import iter_pretty_json

    pieces = iter_pretty_json(report.to_json(finding_objects=True))
    if output is None:
        _write_pieces(sys.stdout, pieces)
        sys.stdout.flush()
        return True
    try:
        with open(output, "w", encoding="utf-8", errors="backslashreplace") as handle:
            _write_pieces(handle, pieces)
    except OSError as error:
        print(f"prodpolicy: cannot write {output}: {error.strerror or error}", file=sys.stderr)
        return False
    return True


def _write_pieces(stream: TextIO, pieces: Iterator[str]) -> None:
    # The encoder yields pieces of a few characters; writing them in blocks of about 64 KiB is much faster.
    block: list[str] = []
    size = 0
    for piece in pieces:
        block.append(piece)
        size += len(piece)
        if size >= 65536:
            stream.write("".join(block))
            block.clear()
            size = 0
    block.append("\n")
    stream.write("".join(block))


def _write_stdout(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


@contextmanager
def logging_for_verbosity(arguments: argparse.Namespace) -> Iterator[None]:
    """Send the prodpolicy.* logs to standard error for --verbose, or keep only errors for --quiet."""
    package_logger = logging.getLogger("prodpolicy")
    previous_level = package_logger.level
    # Messages name files and quote their text, so control characters are escaped as in the text report. Without
    # --verbose the handler prints warnings as Python's last-resort handler would, the message alone.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_PrintableFormatter("%(name)s: %(message)s" if arguments.verbose else "%(message)s"))
    if arguments.verbose:
        package_logger.setLevel(logging.DEBUG)
    else:
        handler.setLevel(logging.WARNING)
        if arguments.quiet:
            package_logger.setLevel(logging.ERROR)
    package_logger.addHandler(handler)
    try:
        yield
    finally:
        package_logger.removeHandler(handler)
        package_logger.setLevel(previous_level)


class _PrintableFormatter(logging.Formatter):
    """Format a log record with its control characters escaped, so a file name cannot drive the terminal."""

    def format(self, record: logging.LogRecord) -> str:
        from ..report.style import printable

        return printable(super().format(record))


def fails_threshold(report: Any, arguments: argparse.Namespace) -> bool:
    """Return True when an unsuppressed finding reaches the --fail-on severity."""
    from ..severities import SEVERITIES

    if arguments.fail_on == "none":
        return False
    threshold = SEVERITIES.index(arguments.fail_on)
    return any(SEVERITIES.index(finding.severity) >= threshold for finding in report.active_findings())
