"""The text report: one line per finding as ``file:line:column: severity ID name: message``."""

from __future__ import annotations

from typing import Any

from ..findings import Report


def render(report: Report, **_context: Any) -> str:
    lines: list[str] = []
    for error in report.errors:
        lines.append(f"{error.location()}: error: {error.message}")
    for finding in report.active_findings():
        where = finding.file
        if finding.line is not None:
            where += f":{finding.line}"
            if finding.column is not None:
                where += f":{finding.column}"
        subject = f" [{finding.subject}]" if finding.subject else ""
        lines.append(f"{where}:{subject} {finding.severity} {finding.rule_id} {finding.rule_name}: {finding.message}")
    lines.append(_summary_line(report))
    return "\n".join(lines) + "\n"


def _summary_line(report: Report) -> str:
    summary = report.summary()
    counts = ", ".join(f"{count} {severity}" for severity, count in summary["by_severity"].items() if count)
    total = summary["findings"]
    text = f"{total} finding{'s' if total != 1 else ''}"
    if counts:
        text += f" ({counts})"
    text += f" in {summary['files']} file{'s' if summary['files'] != 1 else ''}"
    if summary["suppressed"]:
        text += f", {summary['suppressed']} suppressed"
    if summary["errors"]:
        text += f", {summary['errors']} input error{'s' if summary['errors'] != 1 else ''}"
    return text + "."
