"""The verdicts in cases/dockerfile/expected.tsv hold through a full evaluation."""

from __future__ import annotations

import csv

import pytest

from prodpolicy.api import evaluate_paths
from prodpolicy.policy.load import load_policy

from .helpers import CASES

DIRECTORY = CASES / "dockerfile"
with open(DIRECTORY / "expected.tsv", encoding="utf-8", newline="") as handle:
    ROWS = list(csv.DictReader(handle, delimiter="\t"))
REPORT = evaluate_paths([str(DIRECTORY)], load_policy())


def _row_id(row: dict[str, str]) -> str:
    return f"{row['file']}-{row['rule']}-{row['should_fire']}-{row['line']}"


@pytest.mark.parametrize("row", ROWS, ids=[_row_id(row) for row in ROWS])
def test_expected_verdict(row):
    path = str(DIRECTORY / row["file"])
    line = None if row["line"] == "-" else int(row["line"])
    if row["rule"] == "input-error":
        errors = [error for error in REPORT.errors if error.file == path]
        if row["should_fire"] == "yes":
            assert [error.line for error in errors] == [line]
        else:
            assert errors == []
        return
    findings = [
        finding
        for finding in REPORT.active_findings()
        if finding.file == path and finding.rule_id == row["rule"] and (line is None or finding.line == line)
    ]
    assert len(findings) == (1 if row["should_fire"] == "yes" else 0), [finding.message for finding in findings]


def test_suppressed_finding_stays_in_the_report():
    path = str(DIRECTORY / "27-suppression-scope.Dockerfile")
    suppressed = [finding for finding in REPORT.findings if finding.file == path and finding.suppressed]
    assert [(finding.rule_id, finding.line, finding.suppressed.justification) for finding in suppressed] == [
        ("DF101", 2, "vendor publishes only a rolling tag")
    ]
