"""Run the test cases that rules carry: each input must produce exactly the expected findings.

A rule has two kinds of cases:

* ``tests:`` entries, each an inline ``input`` or a fixture ``file`` with the
  lines where the rule must report (``expect: []`` for an input it must pass);
* the files of its ``test_folder``, where a comment ``# expect: RULE`` (the id
  or the name, several separated by commas) marks the next line that is
  neither blank nor a comment as one where the rule must report. A file without
  a mark for the rule must give no finding of it. Formats without comments,
  such as JSON image configs, use ``tests:`` entries with ``file:`` instead.

Cases run on the rule as its own file declares it, with the declared parameter
values, so an organisation's overrides do not break the rule's own tests.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path as FilePath

from ..errors import InvalidInput
from ..evaluation import iter_findings
from ..findings import Finding
from ..kinds import kind_for_name
from .compiled import CompiledRule, Policy
from .spec import ExpectedFinding, RuleTest

_MARK = re.compile(r"^\s*#\s*expect\s*:\s*(?P<rules>[A-Za-z0-9_.-]+(?:\s*,\s*[A-Za-z0-9_.-]+)*)\s*(?:--\s*(?P<text>.*?))?\s*$")


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

    @property
    def where(self) -> str:
        """Return where the case is written: the fixture file, or its entry in the rule file."""
        if self.test.file is not None:
            return self.test.file
        line = self.rule.line
        for index, test in enumerate(self.rule.tests):
            if test is self.test and index < len(self.rule.test_lines):
                line = self.rule.test_lines[index] or line
        return self.rule.source if line is None else f"{self.rule.source}:{line}"

    def describe(self) -> str:
        """Explain a failure as a diff: ``-`` for an expected finding that is missing, ``+`` for an extra one."""
        lines = [f"{self.rule.id} {self.rule.name}: {self.test.name} ({self.where})"]
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

    declared = rule.as_declared
    kind = _test_kind(declared, test)
    name = test.file or f"<{declared.id} test: {test.name}>"
    try:
        documents = normalize(name, kind=kind, text=test.input) if test.input is not None else normalize(name, kind=kind)
    except InvalidInput as error:
        return CaseResult(declared, test, (), (f"! the input could not be read: {error}",))
    except Exception as error:  # noqa: BLE001 - a normalizer bug fails this case, not the whole run
        return CaseResult(declared, test, (), (f"! the normalizer failed on the input: {type(error).__name__}: {error}",))
    single = Policy((_enabled(declared),))
    findings = tuple(finding for document in documents for finding in iter_findings(document, single))
    problems = _compare(test, findings)
    errors = [error for document in documents for error in document.errors]
    problems.extend(f"! input error at line {error.line}: {error.message}" for error in errors)
    return CaseResult(declared, test, findings, tuple(problems))


def _enabled(rule: CompiledRule) -> CompiledRule:
    # A rule that is off by default is still tested, because its cases describe it once a policy turns it on.
    if rule.enabled:
        return rule
    import dataclasses

    return dataclasses.replace(rule, enabled=True)


def _compare(test: RuleTest, findings: tuple[Finding, ...]) -> list[str]:
    problems: list[str] = []
    expected = Counter(item.line for item in test.expect)
    actual = Counter(finding.line for finding in findings)
    for line in sorted(set(expected) | set(actual), key=lambda value: value or 0):
        where = "the whole file" if line is None else f"line {line}"
        if expected[line] > actual[line]:
            missing = expected[line] - actual[line]
            problems.append(f"- {where}: expected {expected[line]} finding{'s' if expected[line] > 1 else ''}, "
                            f"{missing} missing")
        elif actual[line] > expected[line]:
            messages = "; ".join(finding.message for finding in findings if finding.line == line)
            problems.append(f"+ {where}: unexpected finding: {messages}")
    for item in test.expect:
        if item.message is None:
            continue
        at_line = [finding.message for finding in findings if finding.line == item.line]
        if at_line and not any(item.message in message for message in at_line):
            problems.append(f"~ line {item.line}: the message does not contain {item.message!r}: {at_line[0]}")
    return problems


def folder_cases(rule: CompiledRule) -> Iterator[RuleTest]:
    """Yield one case per file in the rule's test folder, with the lines its ``# expect:`` marks name."""
    if rule.test_folder is None:
        return
    folder = FilePath(rule.test_folder)
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith(".") or path.suffix in (".md", ".txt"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        expect = tuple(_marked_lines(text, rule))
        relative = path.relative_to(folder).as_posix()
        yield RuleTest(name=relative, file=str(path), expect=expect)


def _marked_lines(text: str, rule: CompiledRule) -> Iterator[ExpectedFinding]:
    pending: list[str | None] = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _MARK.match(line)
        if match:
            names = {name.strip() for name in match.group("rules").split(",")}
            if rule.id in names or rule.name in names:
                pending.append(match.group("text") or None)
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        for text_part in pending:
            yield ExpectedFinding(line=number, message=text_part)
        pending = []


def unknown_marks(policy: Policy) -> list[str]:
    """Return ``FILE:LINE: ...`` for each ``# expect:`` mark in a test folder that names no rule of the policy.

    Such a mark is usually a typo of a rule id, and the case it belongs to then
    fails with an unexpected finding and no hint of the cause.
    """
    known = {rule.id for rule in policy.rules} | {rule.name for rule in policy.rules}
    folders = sorted({rule.as_declared.test_folder for rule in policy.rules if rule.as_declared.test_folder})
    found: list[str] = []
    for folder in folders:
        for path in sorted(FilePath(folder).rglob("*")):
            if not path.is_file() or path.name.startswith(".") or path.suffix in (".md", ".txt"):
                continue
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            for number, line in enumerate(lines, 1):
                match = _MARK.match(line)
                if match is None:
                    continue
                for name in (part.strip() for part in match.group("rules").split(",")):
                    if name not in known:
                        found.append(f"{path}:{number}: '# expect: {name}' names no rule of this policy; check the id")
    return found


def rule_cases(rule: CompiledRule) -> list[RuleTest]:
    """Return every case of a rule: its ``tests:`` entries, then its test folder's files."""
    declared = rule.as_declared
    return [*declared.tests, *folder_cases(declared)]


def run_policy_tests(policy: Policy) -> list[CaseResult]:
    """Run every test case of every rule in the policy, in rule order."""
    return [run_case(rule, test) for rule in policy.rules for test in rule_cases(rule)]
