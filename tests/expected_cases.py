"""Shared checks for the expected.tsv tables of tests/cases, with one row per verdict: file, rule or input-error, and line."""

from __future__ import annotations

import csv
from pathlib import Path

from prodpolicy.findings import Report


def read_rows(directory: Path) -> list[dict[str, str]]:
    """Return the rows of ``directory/expected.tsv``."""
    with open(directory / "expected.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def row_id(row: dict[str, str]) -> str:
    """Name a row for the test report."""
    return f"{row['file']}-{row['rule']}-{row['should_fire']}-{row['line']}"


def check_verdict(report: Report, directory: Path, row: dict[str, str], *, dash_is_any_line: bool = True) -> None:
    """Assert that the report contains the row's verdict.

    A line of ``-`` matches any line when ``dash_is_any_line``, and only a finding
    on the whole file (no line) otherwise, as for image configs.
    """
    path = str(directory / row["file"])
    line = None if row["line"] == "-" else int(row["line"])
    if row["rule"] == "input-error":
        errors = [error for error in report.errors if error.file == path]
        if row["should_fire"] == "yes":
            assert [error.line for error in errors] == [line]
        else:
            assert errors == []
        return

    def on_line(finding_line: int | None) -> bool:
        return (line is None and dash_is_any_line) or finding_line == line

    findings = [
        finding
        for finding in report.active_findings()
        if finding.file == path and finding.rule_id == row["rule"] and on_line(finding.line)
    ]
    assert len(findings) == (1 if row["should_fire"] == "yes" else 0), [finding.message for finding in findings]
