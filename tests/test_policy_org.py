"""An organisation policy end to end: extend the bundled set, tune it, add a rule, except a file.

tests/policies/org/acme-policy.yaml extends prodpolicy:recommended@1, raises
healthcheck-missing to high, disables the DF rules by prefix, adds ACME001 with
inline and folder test cases, and excepts RT101 for services/legacy/Dockerfile
until 2031-06-30.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from prodpolicy.api import evaluate_paths
from prodpolicy.cli import main
from prodpolicy.policy.load import load_policy
from prodpolicy.policy.testing import rule_cases, run_case

ORG = Path(__file__).parent / "policies" / "org"
POLICY = ORG / "acme-policy.yaml"
API = str(ORG / "services" / "api" / "Dockerfile")
LEGACY = str(ORG / "services" / "legacy" / "Dockerfile")
BEFORE_EXPIRY = datetime.date(2031, 6, 30)
AFTER_EXPIRY = datetime.date(2031, 7, 1)


# The rules the organisation policy tunes, adds or excepts. Findings of other bundled rules are left
# out, so that rules added to the bundled set later do not change what these tests expect.
RULES_UNDER_TEST = ("ACME001", "DF102", "RT101", "RT201")


def findings_under_test(report):
    return [finding for finding in report.findings if finding.rule_id in RULES_UNDER_TEST]


def rows(report):
    return [
        (finding.file, finding.line, finding.rule_id, finding.severity, finding.suppressed.kind if finding.suppressed else None)
        for finding in findings_under_test(report)
    ]


def test_org_policy_findings_before_the_exception_expires():
    report = evaluate_paths([str(ORG / "services")], load_policy([POLICY]), today=BEFORE_EXPIRY)

    assert rows(report) == [
        (API, 1, "ACME001", "high", None),
        (API, 1, "RT201", "high", None),
        (LEGACY, 1, "RT101", "high", "exception"),
    ]
    assert report.findings[0].message == "base image node:20 does not come from an internal registry"
    assert report.warnings == []
    assert report.errors == []


def test_excepted_finding_carries_reason_owner_and_expiry():
    report = evaluate_paths([LEGACY], load_policy([POLICY]), today=BEFORE_EXPIRY)
    [finding] = findings_under_test(report)

    assert finding.to_json()["suppressed"] == {
        "kind": "exception",
        "justification": "The vendor agent needs root until its 3.0 release.",
        "source": f"{POLICY}:17",
        "owner": "platform-team",
        "expires": "2031-06-30",
    }
    assert report.summary()["suppressed"] == 1
    assert report.active_findings() == [item for item in report.findings if item.rule_id not in RULES_UNDER_TEST]


def test_expired_exception_returns_the_finding_with_a_note():
    report = evaluate_paths([str(ORG / "services")], load_policy([POLICY]), today=AFTER_EXPIRY)

    assert rows(report) == [
        (API, 1, "ACME001", "high", None),
        (API, 1, "RT201", "high", None),
        (LEGACY, 1, "RT101", "high", None),
    ]
    legacy = findings_under_test(report)[2]
    assert legacy.notes == (
        f"the exception at {POLICY}:17 expired on 2031-06-30 (The vendor agent needs root until its 3.0 release.); "
        "renew it or fix the finding",
    )
    assert legacy.to_json()["expired_exception"]["expires"] == "2031-06-30"
    assert report.warnings == []


def test_bundled_rules_without_org_policy():
    report = evaluate_paths([str(ORG / "services")], load_policy(), today=BEFORE_EXPIRY)

    assert rows(report) == [
        (API, 1, "DF102", "low", None),
        (API, 1, "RT201", "medium", None),
        (LEGACY, 1, "RT101", "high", None),
    ]


def test_org_policy_changes_record_their_origin():
    policy = load_policy([POLICY])
    healthcheck = policy.find_rule("RT201")
    unpinned = policy.find_rule("DF101")

    assert (healthcheck.severity, str(healthcheck.origins["severity"])) == ("high", f"{POLICY}:11")
    assert (unpinned.enabled, str(unpinned.origins["enabled"])) == (False, f"{POLICY}:14")
    assert policy.find_rule("DF102").enabled is False
    assert policy.find_rule("ACME001").parameters["registries"] == ("registry.acme.internal",)


def test_custom_rule_cases_pass():
    rule = load_policy([POLICY]).find_rule("ACME001")
    cases = rule_cases(rule)

    assert [case.name for case in cases] == [
        "public image",
        "mirrored image",
        "multi-stage.Dockerfile",
        "stage-reference.Dockerfile",
    ]
    assert [[item.line for item in case.expect] for case in cases] == [[1], [], [2], []]
    assert all(run_case(rule, case).passed for case in cases)


def test_prodpolicy_test_runs_the_org_rule(capsys):
    code = main(["test", str(POLICY), "--select", "ACME", "-v"])
    out = capsys.readouterr().out

    assert code == 0
    assert out.splitlines() == [
        "ok    ACME001 internal-registry-only: public image",
        "ok    ACME001 internal-registry-only: mirrored image",
        "ok    ACME001 internal-registry-only: multi-stage.Dockerfile",
        "ok    ACME001 internal-registry-only: stage-reference.Dockerfile",
        "1 rule, 4 cases: 4 passed.",
    ]
