"""The verdicts in cases/compose/expected.tsv hold through a full evaluation.

The table maps each case file to one of our rules (CP601 unpinned image, CP301
privileged, CP101 restart policy, RT201 health check, CP401 docker socket,
CP501 port on all interfaces) or to input-error, with the line it belongs to.
"""

from __future__ import annotations

import pytest

from prodpolicy.api import evaluate_paths
from prodpolicy.policy.load import load_policy

from .expected_cases import check_verdict, read_rows, row_id
from .helpers import CASES

DIRECTORY = CASES / "compose"
ROWS = read_rows(DIRECTORY)
FILES = sorted(str(path) for path in DIRECTORY.glob("*.yml"))
REPORT = evaluate_paths(FILES, load_policy())


@pytest.mark.parametrize("row", ROWS, ids=[row_id(row) for row in ROWS])
def test_expected_verdict(row):
    check_verdict(REPORT, DIRECTORY, row)


def test_every_case_file_has_a_row():
    assert sorted({row["file"] for row in ROWS}) == sorted(path.rsplit("/", 1)[-1] for path in FILES)


def test_input_errors_name_the_problem():
    messages = {error.file.rsplit("/", 1)[-1]: error.message for error in REPORT.errors}
    assert messages == {
        "40-duplicate-keys.yml": "duplicate key 'privileged' (first defined at line 4)",
        "41-latin1-comment.yml": "not valid UTF-8 (byte 0xe9); save the file as UTF-8",
        "42-alias-fanout.yml": messages["42-alias-fanout.yml"],
    }
    assert "alias bomb" in messages["42-alias-fanout.yml"]


def test_findings_for_the_merge_key_case():
    path = str(DIRECTORY / "34-anchors-merge-keys.yml")
    # The compose rules only: cross-kind rules of other areas are pinned in their own tests.
    found = sorted(
        (finding.line, finding.rule_id)
        for finding in REPORT.active_findings()
        if finding.file == path and finding.rule_id.startswith("CP")
    )
    per_service = ["CP102", "CP103", "CP304", "CP305", "CP306"]
    assert found == sorted(
        [
            (1, "CP107"),
            *((9, rule) for rule in per_service),
            *((12, rule) for rule in per_service),
            (13, "CP301"),
            *((15, rule) for rule in per_service),
            (18, "CP101"),
        ]
    )
