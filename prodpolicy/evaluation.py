"""Apply a compiled policy to documents and produce findings.

Each distinct ``given`` path is run once per document, however many rules use
it, and only the rules that apply to the document's kind are looked at. A rule
that fails on unexpected data becomes an internal-error finding for that rule
and file; the other rules and files are still evaluated.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from .document import Document, Path
from .findings import Finding, Report, Suppressed, sort_key
from .policy.jsonpath import format_path
from .policy.load import CompiledRule, Policy

logger = logging.getLogger("prodpolicy.evaluate")


def iter_findings(document: Document, policy: Policy) -> Iterator[Finding]:
    """Yield the findings of one document, in rule order."""
    matches: dict[str, list[tuple[Path, Any]]] = {}
    data = document.data
    for rule in policy.rules_for(document.kind):
        try:
            yield from _apply_rule(rule, document, data, matches)
        except Exception as error:  # noqa: BLE001 - one broken rule must not stop the others
            logger.warning("rule %s failed on %s: %s", rule.id, document.file, error)
            yield Finding(
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


def _apply_rule(
    rule: CompiledRule, document: Document, data: dict[str, Any], matches: dict[str, list[tuple[Path, Any]]]
) -> Iterator[Finding]:
    selected_any = False
    for given in rule.given:
        selected = matches.get(given.text)
        if selected is None:
            selected = given.find(data)
            matches[given.text] = selected
        for path, node in selected:
            selected_any = True
            if rule.predicate(node):
                yield _finding(rule, document, path, node)
    if not selected_any and rule.on_no_match == "fail":
        yield _finding(rule, document, (), data)


def _finding(rule: CompiledRule, document: Document, path: Path, node: Any) -> Finding:
    target = path
    for report_path in rule.report_at:
        found = report_path.find(node, path)
        if found:
            target = found[0][0]
            break
    location = document.location_of(target)
    line = location.line if location else None
    end_line = location.end_line if location else None
    return Finding(
        rule_id=rule.id,
        rule_name=rule.name,
        severity=rule.severity,
        message=rule.message.render(node),
        file=document.file,
        line=line,
        end_line=end_line if end_line is not None else line,
        column=location.column if location else None,
        path=format_path(target),
        subject=document.subject,
        suppressed=_inline_suppression(document, rule, line, end_line),
    )


def _inline_suppression(document: Document, rule: CompiledRule, line: int | None, end_line: int | None) -> Suppressed | None:
    if line is None:
        return None
    for suppression in document.suppressions:
        if rule.id not in suppression.rules and rule.name not in suppression.rules:
            continue
        if suppression.start_line <= line <= suppression.end_line:
            return Suppressed("inline", suppression.reason)
    return None


def evaluate(documents: Iterable[Document], policy: Policy) -> Report:
    """Evaluate documents; the report lists findings sorted by file, line and rule."""
    report = Report()
    for document in documents:
        report.files.append(document.file)
        report.sources.setdefault(document.file, document.lines)
        report.errors.extend(document.errors)
        report.findings.extend(iter_findings(document, policy))
    report.findings.sort(key=sort_key)
    return report
