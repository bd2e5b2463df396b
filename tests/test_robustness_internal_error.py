"""A rule that fails on unexpected data becomes an internal-error finding; the other rules still run."""

from __future__ import annotations

import dataclasses

from prodpolicy.evaluation import iter_findings
from prodpolicy.policy.load import load_policy

from .helpers import dockerfile

BROKEN_RULE = "RT201"


class _PolicyWithBrokenRule:
    """The bundled policy, except that one rule's predicate raises as on a value of an unexpected type."""

    def __init__(self, policy, broken_id: str) -> None:
        self.policy = policy
        self.broken_id = broken_id

    def rules_for(self, kind: str):
        return tuple(self._break(rule) if rule.id == self.broken_id else rule for rule in self.policy.rules_for(kind))

    @staticmethod
    def _break(rule):
        def predicate(node):
            return len(node) < "1"  # an int compared with a string: TypeError

        return dataclasses.replace(rule, predicate=predicate)

    def __getattr__(self, name: str):
        return getattr(self.policy, name)


def test_failing_rule_gives_internal_error_finding():
    policy = _PolicyWithBrokenRule(load_policy(select=("RT101", "RT201")), BROKEN_RULE)
    document = dockerfile("FROM alpine:3.20\nUSER root\n")
    findings = list(iter_findings(document, policy))
    assert [(finding.rule_id, finding.line) for finding in findings] == [("RT101", 2), ("RT201", None)]
    internal = findings[1]
    assert internal.message == (
        "internal error while evaluating this rule (TypeError); the rule was skipped for this file, please report it"
    )
    assert internal.file == "Dockerfile"
