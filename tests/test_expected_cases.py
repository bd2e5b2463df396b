"""The verdicts in cases/dockerfile/expected.tsv hold through a full evaluation."""

from __future__ import annotations

import pytest

from prodpolicy.api import evaluate_paths
from prodpolicy.policy.load import load_policy

from .expected_cases import check_verdict, read_rows, row_id
from .helpers import CASES

DIRECTORY = CASES / "dockerfile"
ROWS = read_rows(DIRECTORY)
REPORT = evaluate_paths([str(DIRECTORY)], load_policy())


@pytest.mark.parametrize("row", ROWS, ids=[row_id(row) for row in ROWS])
def test_expected_verdict(row):
    check_verdict(REPORT, DIRECTORY, row)


def test_suppressed_finding_stays_in_the_report():
    path = str(DIRECTORY / "27-suppression-scope.Dockerfile")
    suppressed = [finding for finding in REPORT.findings if finding.file == path and finding.suppressed]
    assert [(finding.rule_id, finding.line, finding.suppressed.justification) for finding in suppressed] == [
        ("DF101", 2, "vendor publishes only a rolling tag")
    ]
