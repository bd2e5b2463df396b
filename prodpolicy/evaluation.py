"""Apply a compiled policy to documents and produce findings.

Each distinct ``given`` path is run once per document, however many rules use
it, and only the rules that apply to the document's kind are looked at. A rule
whose conditions rule out nodes from an index of the whole selection, such as
``keyword: RUN`` or ``text`` ``matches``, only tests the nodes left (see
:mod:`prodpolicy.policy.selection`). A rule that fails on unexpected data becomes an internal-error finding for that rule
and file; the other rules and files are still evaluated.

A finding is then checked against inline suppression comments and the policy's
exceptions. Suppressed findings stay in the report, marked with why.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Iterable, Iterator
from typing import Any

from . import suppressions
from .document import Document, Path
from .findings import Finding, Report, ReportWarning, Suppressed, sort_key
from .policy.compiled import CompiledRule, Policy
from .policy.exceptions import CompiledException
from .policy.jsonpath import format_path
from .policy.selection import SelectionIndex, plain_evaluation

logger = logging.getLogger("prodpolicy.evaluation")


def iter_findings(
    document: Document, policy: Policy, *, today: datetime.date | None = None, profile: RuleProfile | None = None
) -> Iterator[Finding]:
    """Yield the findings of one document in rule order, suppressed ones included and marked.

    ``today`` decides which exceptions have expired (default: the current date).
    ``profile``, when given, adds the time each rule took and what it tested.
    """
    day = today or datetime.date.today()
    selections: dict[str, SelectionIndex] = {}
    # The selections of path prefixes, shared by the rules' given paths (see CompiledPath.find_sharing).
    prefixes: dict[int, list[tuple[Path, Any]]] = {}
    data = document.data
    # The environment switch evaluates every selected node, to check that the index changes nothing.
    indexed = not plain_evaluation()
    clock = time.perf_counter
    for rule in policy.rules_for(document.kind):
        started = clock() if profile is not None else 0.0
        try:
            found = [
                _finding(rule, document, path, node, policy, day)
                for path, node in _apply_rule(rule, document, data, selections, prefixes, indexed)
            ]
        except Exception as error:  # noqa: BLE001 - one broken rule must not stop the others
            logger.warning("rule %s failed on %s: %s", rule.id, document.file, error)
            found = [_internal_error(rule, document, error)]
        if profile is not None:
            profile.add(rule.id, clock() - started, len(found))
        yield from found


def _apply_rule(
    rule: CompiledRule,
    document: Document,
    data: dict[str, Any],
    selections: dict[str, SelectionIndex],
    prefixes: dict[int, list[tuple[Path, Any]]],
    indexed: bool,
) -> list[tuple[Path, Any]]:
    # A list rather than a generator: most rules match nothing in a document, and a generator costs more to start.
    matched: list[tuple[Path, Any]] = []
    selected_any = False
    predicate = rule.predicate
    plan = rule.plan if indexed else None
    for given in rule.given:
        selection = selections.get(given.text)
        if selection is None:
            selection = SelectionIndex(given.find_sharing(data, prefixes) if indexed else given.find(data))
            selections[given.text] = selection
        selected_any = selected_any or selection.selected_any
        nodes = selection.nodes if plan is None else selection.candidates(plan)
        # A null field is an absent one: it is not a node to test.
        matched += [(path, node) for path, node in nodes if node is not None and predicate(node)]
    if not selected_any and rule.on_no_match == "fail":
        matched.append(((), data))
    return matched


class RuleProfile:
    """The time each rule took over a run, the times it ran, and the findings it produced."""

    def __init__(self) -> None:
        self.rules: dict[str, list[float]] = {}

    def add(self, rule_id: str, seconds: float, findings: int) -> None:
        """Add one run of a rule on one document."""
        totals = self.rules.get(rule_id)
        if totals is None:
            self.rules[rule_id] = [seconds, 1, findings]
            return
        totals[0] += seconds
        totals[1] += 1
        totals[2] += findings

    def merge(self, other: RuleProfile) -> None:
        """Add the totals of another profile, such as a worker process's."""
        for rule_id, (seconds, runs, findings) in other.rules.items():
            totals = self.rules.setdefault(rule_id, [0.0, 0, 0])
            totals[0] += seconds
            totals[1] += runs
            totals[2] += findings

    def rows(self) -> list[tuple[str, float, int, int]]:
        """Return (rule id, seconds, runs, findings), slowest first."""
        rows = [(rule_id, float(seconds), int(runs), int(findings)) for rule_id, (seconds, runs, findings) in self.rules.items()]
        rows.sort(key=lambda row: (-row[1], row[0]))
        return rows


def _internal_error(rule: CompiledRule, document: Document, error: Exception) -> Finding:
    return Finding(
        rule_id=rule.id,
        rule_name=rule.name,
        severity=rule.severity,
        message=f"internal error while evaluating this rule ({type(error).__name__}); "
        "the rule was skipped for this file, please report it",
        file=document.file,
        line=None,
        end_line=None,
        column=None,
        path="$",
        subject=document.subject,
    )


def _finding(rule: CompiledRule, document: Document, path: Path, node: Any, policy: Policy, today: datetime.date) -> Finding:
    target = path
    for report_path in rule.report_at:
        found = report_path.find(node, path)
        if found:
            target = found[0][0]
            break
    location = document.location_of(target)
    line = location.line if location else None
    end_line = location.end_line if location else None
    # A value written in another file of the input (a compose override, an extends base) is reported there.
    file = location.file if location is not None and location.file else document.file
    suppressed, notes, expired = _suppression(rule, document, target, file, line, policy, today)
    # Positional arguments, in the order of Finding's fields: a compose file gets over a hundred findings.
    return Finding(
        rule.id,
        rule.name,
        rule.severity,
        rule.message.render(node),
        file,
        line,
        end_line if end_line is not None else line,
        location.column if location else None,
        format_path(target),
        document.subject,
        suppressed,
        notes,
        expired,
    )


def _suppression(
    rule: CompiledRule, document: Document, path: Path, file: str, line: int | None, policy: Policy, today: datetime.date
) -> tuple[Suppressed | None, tuple[str, ...], Suppressed | None]:
    """Decide whether a finding at ``file``:``line`` is suppressed; return (suppressed, notes, expired exception)."""
    if not document.suppressions and not policy.exceptions:
        # Most documents have no suppression comment and most policies no exception: nothing to decide.
        return None, (), None
    notes: list[str] = []
    mode = policy.settings.inline_suppressions
    for comment in suppressions.covering(document, rule.id, rule.name, line, file):
        source = f"{file}:{comment.line}"
        if suppressions.honoured(comment, mode):
            return Suppressed("inline", comment.reason, source), (), None
        if mode == "forbid":
            notes.append(f"the inline suppression at line {comment.line} is ignored: the policy forbids inline suppressions")
        else:
            notes.append(f"the inline suppression at line {comment.line} is ignored: the policy requires a reason after --")
    expired: CompiledException | None = None
    for exception in policy.exceptions:
        if not exception.applies(rule.id, document, path, file):
            continue
        if exception.expired(today):
            expired = expired or exception
            continue
        return _exception_mark(exception), tuple(notes), None
    if expired is None:
        return None, tuple(notes), None
    assert expired.expires is not None
    notes.append(
        f"the exception at {expired.origin} expired on {expired.expires.isoformat()} ({expired.reason}); "
        "renew it or fix the finding"
    )
    return None, tuple(notes), _exception_mark(expired)


def _exception_mark(exception: CompiledException) -> Suppressed:
    return Suppressed(
        kind="exception",
        justification=exception.reason,
        source=str(exception.origin),
        owner=exception.owner,
        expires=exception.expires.isoformat() if exception.expires else None,
    )


class Evaluation:
    """Collects the findings of many documents into one report.

    Call :meth:`add` for each document with the policy that applies to it, then
    :meth:`finish`, which adds warnings for exceptions that matched nothing and
    sorts the report.
    """

    def __init__(
        self, report: Report | None = None, *, today: datetime.date | None = None, profile: RuleProfile | None = None
    ) -> None:
        self.report = report if report is not None else Report()
        self.today = today or datetime.date.today()
        self.profile = profile
        self._exceptions: dict[str, CompiledException] = {}
        self._used: set[str] = set()
        # The files evaluated with a policy that has each exception, by the exception's origin.
        self._under: dict[str, set[str]] = {}
        # The policies whose rules the report lists, by id; kept so that no other policy can take an id.
        self._recorded: dict[int, Policy] = {}

    def add(self, document: Document, policy: Policy) -> None:
        """Evaluate one document and add its findings, input errors and suppression warnings."""
        report = self.report
        report.sources.setdefault(document.file, document.lines)
        for file, lines in document.sources.items():
            report.sources.setdefault(file, lines)
        report.errors.extend(document.errors)
        self._record_rules(policy)
        for exception in policy.exceptions:
            source = str(exception.origin)
            self._exceptions.setdefault(source, exception)
            self._under.setdefault(source, set()).update((document.file, *document.sources))
        if any(error.fatal for error in document.errors):
            # The rest of the file was not read, so a rule would judge a part of it as the whole.
            return
        used_comments: set[str] = set()
        for finding in iter_findings(document, policy, today=self.today, profile=self.profile):
            report.findings.append(finding)
            for mark in (finding.suppressed, finding.expired_exception):
                if mark is not None and mark.kind == "exception" and mark.source is not None:
                    self._used.add(mark.source)
            if finding.suppressed is not None and finding.suppressed.kind == "inline" and finding.suppressed.source:
                used_comments.add(finding.suppressed.source)
        report.warnings.extend(_comment_warnings(document, policy))
        report.warnings.extend(_unused_comment_warnings(document, policy, used_comments))
        report.warnings.extend(_inactive_service_warnings(document))

    def _record_rules(self, policy: Policy) -> None:
        """List the policy's enabled rules in the report, once per policy rather than once per document."""
        if self._recorded.get(id(policy)) is policy:
            return
        self._recorded[id(policy)] = policy
        rules = self.report.rules
        if not rules:
            # The usual case: each input is evaluated on its own, with one policy. Updating from a dict copies the
            # table whole, about ten times faster than key by key from the read-only view.
            rules.update(policy.enabled_by_id.copy())
            return
        for rule in policy.enabled_rules:
            rules.setdefault(rule.id, rule)

    def finish(self) -> Report:
        """Add warnings for unused exceptions, sort everything, and return the report."""
        report = self.report
        evaluated = set(report.files) | set(report.sources)
        for source, exception in self._exceptions.items():
            if source in self._used:
                continue
            named = {file for file in evaluated if any(glob.matches(file) for glob in exception.files)}
            if exception.files and not named:
                # Its files were not part of this run (a pre-commit run on a few files), so it could not match.
                continue
            expired = " and has expired" if exception.expired(self.today) else ""
            advice = "remove it or correct its target"
            if named and not named & self._under.get(source, set()):
                # A nearer configuration file governs every file it names, so the target is not the mistake.
                advice = "the files it names were evaluated with another configuration file, where it does not apply; move it there"
            report.warnings.append(
                ReportWarning(
                    kind="unused-exception",
                    message=f"the exception for {exception.describe()} matched no finding in this run{expired}: {advice}",
                    file=exception.origin.file,
                    line=exception.origin.line,
                )
            )
        report.findings.sort(key=sort_key)
        report.errors.sort(key=lambda error: (error.file, error.line or 0))
        report.warnings.sort(key=lambda warning: (warning.file, warning.line or 0, warning.kind, warning.message))
        return report


def _comment_warnings(document: Document, policy: Policy) -> Iterator[ReportWarning]:
    mode = policy.settings.inline_suppressions
    for comment in document.suppressions:
        file = comment.file or document.file
        if mode == "forbid":
            origin = policy.settings.origins.get("inline_suppressions")
            yield ReportWarning(
                "suppression-forbidden",
                f"inline suppressions are forbidden by the policy ({origin}); this comment has no effect",
                file,
                comment.line,
            )
        elif mode == "require-reason" and not suppressions.honoured(comment, mode):
            yield ReportWarning(
                "suppression-without-reason",
                "this inline suppression has no reason and the policy requires one: add '-- why the finding is accepted'",
                file,
                comment.line,
            )
        for key in comment.rules:
            if policy.find_rule(key) is None:
                yield ReportWarning(
                    "suppression-unknown-rule",
                    f"the inline suppression names {key}, which is not a rule of the policy",
                    file,
                    comment.line,
                )


def _unused_comment_warnings(document: Document, policy: Policy, used: set[str]) -> Iterator[ReportWarning]:
    """Name the inline suppressions that covered no finding: misplaced, or left behind after a fix."""
    for comment in document.suppressions:
        file = comment.file or document.file
        if f"{file}:{comment.line}" in used or not suppressions.honoured(comment, policy.settings.inline_suppressions):
            continue
        rules = [policy.find_rule(key) for key in comment.rules]
        # A rule that is unknown (warned about already) or not run this time could not have matched.
        if not rules or any(rule is None or not rule.enabled for rule in rules):
            continue
        covered = (
            f"line {comment.start_line}" if comment.start_line == comment.end_line else f"lines {comment.start_line} to {comment.end_line}"
        )
        yield ReportWarning(
            "unused-suppression",
            f"this inline suppression of {', '.join(comment.rules)} matched no finding on {covered}: "
            "put it right above the line the finding is reported on, or remove it",
            file,
            comment.line,
        )


def _inactive_service_warnings(document: Document) -> Iterator[ReportWarning]:
    """Name the compose services that no rule saw because their profiles are not active."""
    inactive = document.data.get("inactive_services") if document.kind == "compose" else None
    if not inactive:
        return
    names = []
    profiles: set[str] = set()
    for name, service in inactive.items():
        names.append(f"{name} ({', '.join(service.get('profiles') or [])})")
        profiles.update(service.get("profiles") or [])
    options = " ".join(f"--profile {profile}" for profile in sorted(profiles))
    if len(names) == 1:
        message = f"1 service not evaluated, because its profile is not active: {names[0]}; pass {options} to check it"
    else:
        message = f"{len(names)} services not evaluated, because their profiles are not active: {', '.join(names)}; pass {options} to check them"
    yield ReportWarning("inactive-services", message, document.file, None)


def evaluate(documents: Iterable[Document], policy: Policy, *, today: datetime.date | None = None) -> Report:
    """Evaluate documents; the report lists findings sorted by file, line and rule.

    ``today`` decides which exceptions have expired (default: the current date).
    """
    evaluation = Evaluation(today=today)
    for document in documents:
        evaluation.report.files.append(document.file)
        evaluation.add(document, policy)
    return evaluation.finish()
