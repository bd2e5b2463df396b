"""Checkstyle XML: one ``<file>`` per evaluated input, one ``<error>`` per finding.

Many review tools read this format (Jenkins warnings, reviewdog, SonarQube
imports). Every evaluated file is listed, with no errors when it passed, so
that a consumer can tell a clean file from one that was not checked.
Suppressed findings are left out. The version attribute is 4.3, the value that
ESLint and other linters write in this format.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import quoteattr

from ..findings import Report
from .locations import finding_column, start_column
from .messages import full_message
from .xml_text import xml_safe

SEVERITIES = {"critical": "error", "high": "error", "medium": "warning", "low": "warning", "info": "info"}
INPUT_ERROR_SOURCE = "prodpolicy.input-error"


def render(report: Report, **_context: Any) -> str:
    entries: dict[str, list[str]] = {file: [] for file in report.files}
    for error in report.errors:
        column = start_column(error.line, error.column, report.sources, error.file)
        entries.setdefault(error.file, []).append(_error_element(error.line, column, "error", error.message, INPUT_ERROR_SOURCE))
    for finding in report.active_findings():
        column = finding_column(finding, report.sources)
        message = f"{full_message(finding)} ({finding.rule_id} {finding.rule_name})"
        element = _error_element(finding.line, column, SEVERITIES[finding.severity], message, f"prodpolicy.{finding.rule_id}")
        entries.setdefault(finding.file, []).append(element)

    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<checkstyle version="4.3">']
    for file in sorted(entries):
        if not entries[file]:
            lines.append(f"  <file name={_attribute(file)}/>")
            continue
        lines.append(f"  <file name={_attribute(file)}>")
        lines += [f"    {element}" for element in entries[file]]
        lines.append("  </file>")
    lines.append("</checkstyle>")
    return "\n".join(lines) + "\n"


def _error_element(line: int | None, column: int | None, severity: str, message: str, source: str) -> str:
    attributes = []
    if line is not None:
        attributes.append(f"line={_attribute(str(line))}")
        if column is not None:
            attributes.append(f"column={_attribute(str(column))}")
    attributes += [f"severity={_attribute(severity)}", f"message={_attribute(message)}", f"source={_attribute(source)}"]
    return f"<error {' '.join(attributes)}/>"


def _attribute(value: str) -> str:
    return quoteattr(xml_safe(value), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
