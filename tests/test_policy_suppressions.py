"""Inline suppressions in Dockerfiles and the policy setting that requires reasons or forbids them."""

from __future__ import annotations

import pytest

from prodpolicy.api import normalize
from prodpolicy.evaluation import evaluate
from prodpolicy.policy.load import load_policy_text
from prodpolicy.suppressions import parse_suppression

DOCKERFILE = """\
# prodpolicy ignore=base-image-unpinned -- the vendor publishes only a rolling tag
FROM registry.example.internal/vendor/agent:latest
# prodpolicy ignore=SC101
COPY .env /app/.env
COPY .npmrc /root/.npmrc
USER 10001
HEALTHCHECK CMD ["agent", "health"]
CMD ["agent"]
"""


def policy(mode: str | None = None):
    text = "apiVersion: prodpolicy/v1\nkind: Policy\nextends: [prodpolicy:recommended@1]\n"
    if mode is not None:
        text += f"settings:\n  inline_suppressions: {mode}\n"
    # Only the rules the comments name or the inputs break, so that rules added later do not change the findings.
    text += "select: [DF101, SC101, RT101, RT201]\n"
    return load_policy_text(text, "policy.yaml")


def run(mode: str | None = None, text: str = DOCKERFILE):
    return evaluate(normalize("Dockerfile", text=text), policy(mode))


def rows(report):
    return [
        (finding.line, finding.rule_id, finding.suppressed.justification if finding.suppressed else "active")
        for finding in report.findings
    ]


def test_comment_covers_only_the_next_instruction():
    report = run()

    assert rows(report) == [
        (2, "DF101", "the vendor publishes only a rolling tag"),
        (4, "SC101", None),
        (5, "SC101", "active"),
    ]
    assert report.warnings == []


def test_suppressed_finding_names_its_comment():
    finding = run().findings[0]

    assert finding.to_json()["suppressed"] == {
        "kind": "inline",
        "justification": "the vendor publishes only a rolling tag",
        "source": "Dockerfile:1",
    }


def test_require_reason_ignores_comments_without_one():
    report = run("require-reason")

    assert rows(report) == [
        (2, "DF101", "the vendor publishes only a rolling tag"),
        (4, "SC101", "active"),
        (5, "SC101", "active"),
    ]
    assert report.findings[1].notes == (
        "the inline suppression at line 3 is ignored: the policy requires a reason after --",
    )
    assert [(warning.kind, warning.line) for warning in report.warnings] == [("suppression-without-reason", 3)]


def test_forbid_ignores_every_comment():
    report = run("forbid")

    assert rows(report) == [(2, "DF101", "active"), (4, "SC101", "active"), (5, "SC101", "active")]
    assert report.findings[0].notes == (
        "the inline suppression at line 1 is ignored: the policy forbids inline suppressions",
    )
    assert [(warning.kind, warning.line, warning.message) for warning in report.warnings] == [
        ("suppression-forbidden", 1, "inline suppressions are forbidden by the policy (policy.yaml:5); this comment has no effect"),
        ("suppression-forbidden", 3, "inline suppressions are forbidden by the policy (policy.yaml:5); this comment has no effect"),
    ]


def test_comment_naming_an_unknown_rule_is_a_warning():
    text = "# prodpolicy ignore=DF999,runs-as-root -- migrating\nFROM alpine:3.20\nHEALTHCHECK CMD [\"true\"]\n"

    report = run(text=text)

    assert rows(report) == [(2, "RT101", "migrating")]
    assert [(warning.kind, warning.line, warning.message) for warning in report.warnings] == [
        ("suppression-unknown-rule", 1, "the inline suppression names DF999, which is not a rule of the policy"),
    ]


def test_unused_comment_is_warning():
    text = (
        "FROM alpine:3.22\n"
        "# prodpolicy ignore=healthcheck-missing -- probed by the orchestrator\n"
        "USER 10001\n"
        "# prodpolicy ignore=DF101 -- left behind after the base image was pinned\n"
        "CMD [\"/app\"]\n"
    )

    report = run(text=text)

    assert rows(report) == [(1, "RT201", "active")]
    assert [(warning.kind, warning.line, warning.message) for warning in report.warnings] == [
        (
            "unused-suppression",
            2,
            "this inline suppression of healthcheck-missing matched no finding on line 3: put it right above the line "
            "the finding is reported on, or remove it",
        ),
        (
            "unused-suppression",
            4,
            "this inline suppression of DF101 matched no finding on line 5: put it right above the line the finding "
            "is reported on, or remove it",
        ),
    ]


def test_comment_for_rule_not_run():
    text = "FROM alpine:3.22\n# prodpolicy ignore=DF204 -- not selected by this policy\nUSER 10001\nHEALTHCHECK CMD [\"true\"]\n"

    report = run(text=text)

    assert rows(report) == []
    assert report.warnings == []


@pytest.mark.parametrize(
    ("comment", "rules", "reason"),
    [
        ("prodpolicy ignore=DF101", ("DF101",), None),
        ("prodpolicy ignore=DF101,runs-as-root -- vendor image", ("DF101", "runs-as-root"), "vendor image"),
        ("prodpolicy ignore = DF101 , RT101 # reviewed in SEC-12", ("DF101", "RT101"), "reviewed in SEC-12"),
        ("prodpolicy ignore=DF101 --", ("DF101",), None),
    ],
)
def test_parse_suppression(comment, rules, reason):
    suppression = parse_suppression(comment, 1, 2, 2)

    assert suppression is not None
    assert (suppression.rules, suppression.reason) == (rules, reason)


@pytest.mark.parametrize("comment", ["prodpolicy: ignore DF101", "ignore=DF101", "prodpolicy ignore="])
def test_other_comments_are_not_suppressions(comment):
    assert parse_suppression(comment, 1, 2, 2) is None
