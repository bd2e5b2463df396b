"""The verdicts in cases/image/expected.tsv hold through a full evaluation of the image config cases."""

from __future__ import annotations

import csv

import pytest

from prodpolicy.api import evaluate_paths
from prodpolicy.policy.load import load_policy

from .helpers import CASES

DIRECTORY = CASES / "image"
with open(DIRECTORY / "expected.tsv", encoding="utf-8", newline="") as handle:
    ROWS = list(csv.DictReader(handle, delimiter="\t"))
# Image files have no telling names, so folder search does not pick them up: pass each file.
FILES = sorted({str(DIRECTORY / row["file"]) for row in ROWS})
REPORT = evaluate_paths(FILES, load_policy())


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
        if finding.file == path and finding.rule_id == row["rule"] and finding.line == line
    ]
    assert len(findings) == (1 if row["should_fire"] == "yes" else 0), [finding.message for finding in findings]


def test_every_case_file_was_evaluated():
    assert sorted(REPORT.files) == FILES


def test_cases_have_no_other_findings():
    # Pinned to the image rules and the cross-kind rules the cases name; other areas pin their own rules.
    pinned = {"RT101", "RT201"}
    found = sorted(
        (finding.file.rsplit("/", 1)[-1], finding.rule_id, finding.line)
        for finding in REPORT.findings
        if finding.rule_id.startswith("IM") or finding.rule_id in pinned
    )
    assert found == [
        ("46-image-empty-user-is-root.json", "RT101", 8),
        ("48-image-healthcheck-none.json", "RT201", 14),
    ]
