"""GitHub Actions workflow commands: one ``::error``, ``::warning`` or ``::notice`` annotation per finding.

GitHub shows the annotations on the lines of the pull request diff and in the
run summary. Suppressed findings are left out. Values are escaped as the runner
expects, so a message cannot end the command early or start another one, and
control characters from inputs are written as ``\\uXXXX``, as in the text format. The
text report's summary line closes the output unless ``summary=False``.
"""

from __future__ import annotations

import re
from typing import Any

from ..findings import Report
from .locations import finding_column, repository_path, start_column
from .messages import full_message
from .text_format import summary_line

# Control characters other than line breaks, which the runner's own escapes carry, and the bidirectional
# overrides: a CI log renders escape sequences, so an input could colour, hide or rewrite its lines.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

COMMANDS = {"critical": "error", "high": "error", "medium": "warning", "low": "warning", "info": "notice"}


def render(report: Report, *, summary: bool = True, **_context: Any) -> str:
    lines: list[str] = []
    for error in report.errors:
        column = start_column(error.line, error.column, report.sources, error.file)
        properties = _properties(error.file, error.line, error.line, column, "prodpolicy: input error")
        lines.append(f"::error {properties}::{_escape_data(error.message)}")
    for warning in report.warnings:
        column = start_column(warning.line, None, report.sources, warning.file)
        properties = _properties(warning.file, warning.line, warning.line, column, f"prodpolicy: {warning.kind}")
        lines.append(f"::warning {properties}::{_escape_data(warning.message)}")
    for finding in report.active_findings():
        title = f"{finding.severity} {finding.rule_id} {finding.rule_name}"
        if finding.subject:
            title += f" [{finding.subject}]"
        column = finding_column(finding, report.sources)
        properties = _properties(finding.file, finding.line, finding.end_line, column, title)
        lines.append(f"::{COMMANDS[finding.severity]} {properties}::{_escape_data(full_message(finding))}")
    if summary:
        lines.append(summary_line(report))
    if not lines:
        return ""
    return "\n".join(lines) + "\n"


def _properties(file: str, line: int | None, end_line: int | None, column: int | None, title: str) -> str:
    values = [("file", repository_path(file))]
    if line is not None:
        values += [("line", str(line)), ("endLine", str(max(end_line or line, line)))]
        if column is not None:
            values.append(("col", str(column)))
    values.append(("title", title))
    return ",".join(f"{name}={_escape_property(value)}" for name, value in values)


def _escape_data(text: str) -> str:
    text = _CONTROL.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
