"""Run the test cases that rules carry: each input must produce exactly the expected findings."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

from ..errors import InvalidInput
from ..evaluate import iter_findings
from ..findings import Finding
from ..kinds import kind_for_name
from .load import CompiledRule, Policy
from .model import RuleTest


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one test case of one rule."""

    rule: CompiledRule
    test: RuleTest
    findings: tuple[Finding, ...]
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        """Explain a failure: what was expected, what was found."""
        lines = [f"{self.rule.id} {self.rule.name}: {self.test.name}"]
        lines.extend(f"  {problem}" for problem in self.problems)
        return "\n".join(lines)


def _test_kind(rule: CompiledRule, test: RuleTest) -> str:
    if test.kind is not None:
        return test.kind
    if test.file is not None:
        named = kind_for_name(os.path.basename(test.file))
        if named is not None:
            return named.name
    return "dockerfile" if "dockerfile" in rule.applies_to else sorted(rule.applies_to)[0]


def run_case(rule: CompiledRule, test: RuleTest) -> CaseResult:
    """Normalize a test input and compare the rule's findings with the expected ones."""
    from ..api import normalize

    kind = _test_kind(rule, test)
    name = test.file or f"<{rule.id} test: {test.name}>"
    try:
        documents = normalize(name, kind=kind, text=test.input) if test.input is not None else normalize(name, kind=kind)
    except InvalidInput as error:
        return CaseResult(rule, test, (), (f"the input could not be read: {error}",))
    single = Policy((rule,))
    findings = tuple(finding for document in documents for finding in iter_findings(document, single))
    problems = _compare(test, findings)
    errors = [error for document in documents for error in document.errors]
    problems.extend(f"input error at line {error.line}: {error.message}" for error in errors)
    return CaseResult(rule, test, findings, tuple(problems))


def _compare(test: RuleTest, findings: tuple[Finding, ...]) -> list[str]:
    problems: list[str] = []
    expected = Counter(item.line for item in test.expect)
    actual = Counter(finding.line for finding in findings)
    for line in sorted(set(expected) | set(actual), key=lambda value: value or 0):
        if expected[line] > actual[line]:
            problems.append(f"expected a finding at line {line}, found {actual[line]} of the {expected[line]} expected")
        elif actual[line] > expected[line]:
            messages = "; ".join(finding.message for finding in findings if finding.line == line)
            problems.append(f"unexpected finding at line {line}: {messages}")
    for item in test.expect:
        if item.message is None:
            continue
        at_line = [finding.message for finding in findings if finding.line == item.line]
        if at_line and not any(item.message in message for message in at_line):
            problems.append(f"the finding at line {item.line} does not mention {item.message!r}: {at_line[0]}")
    return problems


def run_policy_tests(policy: Policy) -> list[CaseResult]:
    """Run every test case of every rule in the policy, in rule order."""
    return [run_case(rule, test) for rule in policy.rules for test in rule.tests]
