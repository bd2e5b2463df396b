"""The verdicts in cases/image/expected.tsv hold through a full evaluation of the image config cases."""

from __future__ import annotations

import pytest

from prodpolicy.api import evaluate_paths
from prodpolicy.policy.load import load_policy

from .expected_cases import check_verdict, read_rows, row_id
from .helpers import CASES

DIRECTORY = CASES / "image"
ROWS = read_rows(DIRECTORY)
# Image files have no telling names, so folder search does not pick them up: pass each file.
FILES = sorted({str(DIRECTORY / row["file"]) for row in ROWS})
REPORT = evaluate_paths(FILES, load_policy())


@pytest.mark.parametrize("row", ROWS, ids=[row_id(row) for row in ROWS])
def test_expected_verdict(row):
    check_verdict(REPORT, DIRECTORY, row, dash_is_any_line=False)


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
