"""The text report for terminals: findings grouped by file, each with a code frame, and a summary line.

Each finding starts with ``file:line:column: severity ID name: message``, which
editors and terminals turn into a link. Input errors and warnings of a file come
before its findings. Suppressed findings and those a baseline hid are counted in
the summary line but not shown; ``summary=False`` leaves that line out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import InputError
from ..findings import Finding, Report, ReportWarning
from .code_frame import code_frame
from .locations import finding_column, start_column
from .style import SEVERITY_STYLES, Styler, printable


def render(report: Report, *, color: bool = False, summary: bool = True, **_context: Any) -> str:
    style = Styler(color)
    entries: list[str] = []
    for file, errors, warnings, findings in _by_file(report):
        lines = report.sources.get(file, [])
        entries += [_error(error, lines, report, style) for error in errors]
        entries += [_warning(warning, lines, report, style) for warning in warnings]
        entries += [_finding(finding, lines, report, style) for finding in findings]
    if summary:
        entries.append(summary_line(report, style))
    if not entries:
        return ""
    return "\n\n".join(entries) + "\n"


def _by_file(report: Report) -> Iterator[tuple[str, list[InputError], list[ReportWarning], list[Finding]]]:
    """Yield each file with its errors, warnings and unsuppressed findings, files in sorted order."""
    errors: dict[str, list[InputError]] = {}
    for error in report.errors:
        errors.setdefault(error.file, []).append(error)
    warnings: dict[str, list[ReportWarning]] = {}
    for warning in report.warnings:
        warnings.setdefault(warning.file, []).append(warning)
    findings: dict[str, list[Finding]] = {}
    for finding in report.active_findings():
        findings.setdefault(finding.file, []).append(finding)
    for file in sorted(errors.keys() | warnings.keys() | findings.keys()):
        yield file, errors.get(file, []), warnings.get(file, []), findings.get(file, [])


def _error(error: InputError, lines: list[str], report: Report, style: Styler) -> str:
    column = start_column(error.line, error.column, report.sources, error.file)
    location = _location(error.file, error.line, column)
    head = f"{style(location, 'bold')}: {style('error', 'bold red')}: {printable(error.message)}"
    frame = code_frame(lines, error.line, error.line, style) if error.line is not None else []
    return "\n".join([head, *frame])


def _warning(warning: ReportWarning, lines: list[str], report: Report, style: Styler) -> str:
    column = start_column(warning.line, None, report.sources, warning.file)
    location = _location(warning.file, warning.line, column)
    head = f"{style(location, 'bold')}: {style('warning', 'yellow')}: {printable(warning.message)} [{warning.kind}]"
    frame = code_frame(lines, warning.line, warning.line, style) if warning.line is not None else []
    return "\n".join([head, *frame])


def _finding(finding: Finding, lines: list[str], report: Report, style: Styler) -> str:
    location = _location(finding.file, finding.line, finding_column(finding, report.sources))
    subject = f" [{printable(finding.subject)}]" if finding.subject else ""
    severity = style(finding.severity, SEVERITY_STYLES[finding.severity])
    rule = f"{style(finding.rule_id, 'bold')} {finding.rule_name}"
    head = f"{style(location, 'bold')}:{subject} {severity} {rule}: {printable(finding.message)}"
    notes = [f"  {style('note', 'bold')}: {printable(note)}" for note in finding.notes]
    frame = code_frame(lines, finding.line, finding.end_line, style) if finding.line is not None else []
    return "\n".join([head, *notes, *frame])


def _location(file: str, line: int | None, column: int | None) -> str:
    text = printable(file)
    if line is not None:
        text += f":{line}"
        if column is not None:
            text += f":{column}"
    return text


def summary_line(report: Report, style: Styler | None = None) -> str:
    """Return the closing line, such as ``5 findings (3 high, 1 medium, 1 low) in 2 files, 4 hidden by the baseline.``"""
    style = style or Styler(False)
    summary = report.summary()
    total = summary["findings"]
    text = _plural(total, "finding")
    counts = ", ".join(f"{count} {severity}" for severity, count in summary["by_severity"].items() if count)
    if counts:
        text += f" ({counts})"
    text += f" in {_plural(summary['files'], 'file')}"
    if summary["suppressed"]:
        text += f", {summary['suppressed']} suppressed"
    if report.baseline_hidden:
        text += f", {report.baseline_hidden} hidden by the baseline"
    if summary["errors"]:
        text += f", {_plural(summary['errors'], 'input error')}"
    if report.warnings:
        text += f", {_plural(len(report.warnings), 'warning')}"
    text += "."
    if total or summary["errors"]:
        return style(text, "bold")
    return style(text, "green")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"
