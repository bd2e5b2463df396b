"""The fast JSON writer gives the text json.dumps(indent=2, ensure_ascii=False) gives, byte for byte."""

from __future__ import annotations

import json
from typing import Any

import pytest

from prodpolicy.findings import Finding, Report, Suppressed
from prodpolicy.report.json_text import iter_pretty_json

CASES: list[Any] = [
    {},
    [],
    "text",
    None,
    0,
    {"version": 1, "findings": [], "errors": [], "summary": {"files": 0, "by_severity": {}}},
    {"findings": [{"rule_id": "DF101", "line": 3, "column": None, "tags": []}]},
    {"findings": [{"rule_id": "DF101", "line": 3}, {"rule_id": "CP305", "line": None, "fix": {"text": "x", "edits": []}}]},
    {"text": "quotes \" and \\ backslash, tab\t, newline\n, bell \x07, nul \x00, é, 中文, emoji 😀, \u2028"},
    {"lone surrogate": "\udce9"},
    {"numbers": [1, -2, 3.5, 1e20, 1e-7, 0.1, -0.0, 10**30, float("inf"), float("-inf"), float("nan")]},
    {"booleans": [True, False, None], "nested": [[[]], [{}], [[1, [2, {"a": []}]]]]},
    {"tuple": (1, "two", (3,))},
    {1: "int key", 2.5: "float key", True: "bool key", None: "null key", "é": "text key"},
    [{"a": 1}, {"b": [1, 2]}],
    [[1, 2], [3]],
]


@pytest.mark.parametrize("value", CASES)
def test_same_text_as_json_dumps(value: Any) -> None:
    assert "".join(iter_pretty_json(value)) == json.dumps(value, indent=2, ensure_ascii=False)


def test_findings_are_streamed_one_by_one() -> None:
    report = {"version": 1, "findings": [{"rule_id": f"DF{number}"} for number in range(100, 103)], "summary": {}}

    pieces = list(iter_pretty_json(report))

    assert pieces[:3] == ["{", '\n  "version": 1,', '\n  "findings": [']
    assert pieces[3] == '\n    {\n      "rule_id": "DF100"\n    },'
    assert len(pieces) == 9


def test_unknown_type_is_an_error() -> None:
    with pytest.raises(TypeError, match="set is not JSON serializable"):
        "".join(iter_pretty_json({"a": {1, 2}}))


FINDINGS = [
    Finding("DF101", "latest-tag", "high", 'uses "latest"\n', "Dockerfile", 3, 3, None, "$['stages'][0]"),
    Finding("CP305", "no-restart", "medium", "no restart policy: é 中文", "compose.yaml", None, None, 7, "$", subject="web"),
    Finding(
        "DF102",
        "root-user",
        "low",
        "runs as root",
        "a/Dockerfile",
        12,
        14,
        1,
        "$['stages'][1]",
        suppressed=Suppressed("inline", "accepted risk", "a/Dockerfile:11"),
        notes=("the exception at policy.yaml:4 expired",),
        expired_exception=Suppressed("exception", "until the migration", "policy.yaml:4"),
    ),
]


@pytest.mark.parametrize("finding", FINDINGS, ids=lambda finding: finding.rule_id)
def test_finding_objects_give_the_text_of_their_dicts(finding: Finding) -> None:
    report = Report(findings=[finding, finding])
    single = Report(findings=[finding])
    for value in (report, single):
        written = "".join(iter_pretty_json(value.to_json(finding_objects=True)))
        assert written == json.dumps(value.to_json(), indent=2, ensure_ascii=False)
