"""JUnit XML: one test suite per input file, one test case per rule applied to it.

A rule with findings in the file is a failed test case listing each finding. A
rule whose findings were all suppressed is skipped with the justification, and
a rule without findings passed. An input that could not be read in full gets an
``input`` test case with an ``<error>``. CI systems (GitLab, Jenkins, Azure
Pipelines) then show which rules each file passed, not only the failures.

The rules applied to a file are those of the policy for the file's kind. Without
a policy in the context, or when the kind cannot be told, the test cases are the
rules that reported findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ..errors import InputError
from ..findings import Finding, Report
from ..severities import SEVERITIES
from .locations import finding_column
from .messages import full_message
from .rule_index import RuleSource, rules_checked
from .xml_text import xml_safe


@dataclass
class _Case:
    """One test case: a rule on a file, or the reading of the file."""

    name: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        if self.errors:
            return "error"
        if any(finding.suppressed is None for finding in self.findings):
            return "failure"
        return "skipped" if self.findings else "passed"


def render(report: Report, *, policy: RuleSource | None = None, **_context: Any) -> str:
    suites = [(file, _cases(report, policy, file)) for file in _files(report)]
    totals = _count(case for _, cases in suites for case in cases)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f"<testsuites name=\"prodpolicy\" {totals}>"]
    for file, cases in suites:
        lines.append(f"  <testsuite name={_attribute(file)} {_count(cases)}>")
        for case in cases:
            lines += _case_lines(file, case, report)
        lines.append("  </testsuite>")
    lines.append("</testsuites>")
    return "\n".join(lines) + "\n"


def _files(report: Report) -> list[str]:
    return sorted(set(report.files) | {error.file for error in report.errors} | {finding.file for finding in report.findings})


def _cases(report: Report, policy: RuleSource | None, file: str) -> list[_Case]:
    cases: list[_Case] = []
    errors = [error for error in report.errors if error.file == file]
    if errors:
        cases.append(_Case("input", errors=errors))
    by_rule: dict[str, _Case] = {}
    for rule in rules_checked(policy, report, file) or ():
        by_rule[rule.id] = _Case(f"{rule.id} {rule.name}")
    for finding in report.findings:
        if finding.file == file:
            case = by_rule.setdefault(finding.rule_id, _Case(f"{finding.rule_id} {finding.rule_name}"))
            case.findings.append(finding)
    cases += [by_rule[rule_id] for rule_id in sorted(by_rule)]
    return cases


def _count(cases: Iterable[_Case]) -> str:
    outcomes = [case.outcome for case in cases]
    counts = (
        ("tests", len(outcomes)),
        ("failures", outcomes.count("failure")),
        ("errors", outcomes.count("error")),
        ("skipped", outcomes.count("skipped")),
    )
    return " ".join(f'{name}="{count}"' for name, count in counts)


def _case_lines(file: str, case: _Case, report: Report) -> list[str]:
    opening = f"    <testcase classname={_attribute(file)} name={_attribute(case.name)} file={_attribute(file)}"
    outcome = case.outcome
    if outcome == "passed":
        return [f"{opening}/>"]
    if outcome == "error":
        text = "\n".join(f"{error.location()}: error: {error.message}" for error in case.errors)
        message = case.errors[0].message
        body = f'<error type="input-error" message={_attribute(message)}>{_text(text)}</error>'
    elif outcome == "failure":
        active = [finding for finding in case.findings if finding.suppressed is None]
        worst = max(active, key=lambda finding: SEVERITIES.index(finding.severity))
        message = active[0].message if len(active) == 1 else f"{len(active)} findings"
        text = "\n".join(_finding_line(finding, report) for finding in active)
        body = f"<failure type={_attribute(worst.severity)} message={_attribute(message)}>{_text(text)}</failure>"
    else:
        reasons = sorted({finding.suppressed.justification or "no reason given" for finding in case.findings if finding.suppressed})
        body = f"<skipped message={_attribute('suppressed: ' + '; '.join(reasons))}/>"
    return [f"{opening}>", f"      {body}", "    </testcase>"]


def _finding_line(finding: Finding, report: Report) -> str:
    location = finding.file
    if finding.line is not None:
        location += f":{finding.line}"
        column = finding_column(finding, report.sources)
        if column is not None:
            location += f":{column}"
    subject = f" [{finding.subject}]" if finding.subject else ""
    return f"{location}:{subject} {finding.severity} {finding.rule_id} {finding.rule_name}: {full_message(finding)}"


def _attribute(value: str) -> str:
    return quoteattr(xml_safe(value), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _text(value: str) -> str:
    return escape(xml_safe(value))
