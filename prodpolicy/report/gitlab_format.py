"""GitLab code quality report: a JSON array of issues in the Code Climate shape GitLab reads.

GitLab shows the issues in the merge request widget and the diff. Suppressed
findings are left out; an input that could not be evaluated is an issue of its
own, so that the merge request shows it.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from ..findings import Finding, Report
from .links import rule_help_uri
from .locations import repository_path
from .messages import full_message
from .rule_index import RuleSource, rules_by_id

if TYPE_CHECKING:
    from ..policy.load import CompiledRule

SEVERITIES = {"critical": "blocker", "high": "critical", "medium": "major", "low": "minor", "info": "info"}
# Code Climate categories by rule tag, where the first match wins. Other rules are "Bug Risk".
CATEGORIES = (("security", "Security"), ("performance", "Performance"), ("image-size", "Performance"))
INPUT_ERROR_CHECK = "prodpolicy/input-error"


def render(report: Report, *, policy: RuleSource | None = None, **_context: Any) -> str:
    rules = rules_by_id(policy, report)
    issues = [_error_issue(error.file, error.line, error.message) for error in report.errors]
    issues += [_finding_issue(finding, rules.get(finding.rule_id)) for finding in report.active_findings()]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def _finding_issue(finding: Finding, rule: CompiledRule | None) -> dict[str, Any]:
    line = finding.line or 1
    help_uri = rule_help_uri(finding.rule_id, rule)
    parts = [" ".join(rule.docs.summary.split())] if rule is not None else []
    parts += [f"See {help_uri}"] if help_uri else []
    body = "\n\n".join(parts) or f"{finding.rule_id} {finding.rule_name}"
    return {
        "type": "issue",
        "check_name": finding.rule_id,
        "description": f"{finding.rule_id} {finding.rule_name}: {full_message(finding)}",
        "content": {"body": body},
        "categories": [_category(rule.tags if rule else ())],
        "severity": SEVERITIES[finding.severity],
        "fingerprint": finding.fingerprint,
        "location": {
            "path": repository_path(finding.file),
            "lines": {"begin": line, "end": max(finding.end_line or line, line)},
        },
    }


def _error_issue(file: str, line: int | None, message: str) -> dict[str, Any]:
    key = "\0".join((file, INPUT_ERROR_CHECK, str(line), message))
    return {
        "type": "issue",
        "check_name": INPUT_ERROR_CHECK,
        "description": f"input error: {message}",
        "categories": ["Bug Risk"],
        "severity": "critical",
        "fingerprint": hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32],
        "location": {"path": repository_path(file), "lines": {"begin": line or 1, "end": line or 1}},
    }


def _category(tags: tuple[str, ...]) -> str:
    for tag, category in CATEGORIES:
        if tag in tags:
            return category
    return "Bug Risk"
