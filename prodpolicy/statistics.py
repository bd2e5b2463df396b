"""Counts of findings per rule, which ``prodpolicy eval --statistics`` prints instead of the findings.

Only unsuppressed findings are counted. Rules are listed from the most findings
to the fewest, then by id. The text form has one aligned row per rule (count,
id, severity, name) and the summary line of the text report. The JSON form is
``{"version": 1, "rules": [...], "summary": {...}}``: each rule with
``rule_id``, ``rule_name``, ``severity`` and ``count``, and the report summary
with ``hidden_by_baseline`` added.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .findings import Report


@dataclass(frozen=True, slots=True)
class RuleCount:
    """How many unsuppressed findings one rule has."""

    rule_id: str
    rule_name: str
    severity: str
    count: int

    def to_json(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "rule_name": self.rule_name, "severity": self.severity, "count": self.count}


def rule_counts(report: Report) -> list[RuleCount]:
    """Count the unsuppressed findings of each rule, most findings first, then by rule id."""
    counts: dict[str, int] = {}
    first: dict[str, Any] = {}
    for finding in report.active_findings():
        counts[finding.rule_id] = counts.get(finding.rule_id, 0) + 1
        first.setdefault(finding.rule_id, finding)
    rows = [
        RuleCount(rule_id, first[rule_id].rule_name, first[rule_id].severity, count) for rule_id, count in counts.items()
    ]
    return sorted(rows, key=lambda row: (-row.count, row.rule_id))


def render_text(report: Report) -> str:
    """Return one aligned row per rule: count, rule id, severity and name."""
    rows = rule_counts(report)
    if not rows:
        return ""
    count_width = max(len(str(row.count)) for row in rows)
    id_width = max(len(row.rule_id) for row in rows)
    severity_width = max(len(row.severity) for row in rows)
    lines = [
        f"{row.count:>{count_width}}  {row.rule_id:<{id_width}}  {row.severity:<{severity_width}}  {row.rule_name}"
        for row in rows
    ]
    return "\n".join(lines) + "\n"


def render_json(report: Report, hidden_by_baseline: int = 0) -> str:
    """Return the counts and the report summary as JSON."""
    summary = report.summary()
    summary["hidden_by_baseline"] = hidden_by_baseline
    data = {"version": 1, "rules": [row.to_json() for row in rule_counts(report)], "summary": summary}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
