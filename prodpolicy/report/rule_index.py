"""Rule metadata for the formats that describe rules (SARIF, JUnit, GitLab).

Renderers take the rules from the ``policy`` context when the caller passes one
(a :class:`~prodpolicy.policy.load.Policy`, or the per-input policies of
``prodpolicy eval``), and otherwise from ``Report.rules``, the enabled rules of
the policies that evaluation applied.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Protocol

from ..findings import Report
from ..source import Source

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..policy.load import CompiledRule


class RuleSource(Protocol):
    """A policy, or a set of policies, that can list its rules and the rules for an input kind."""

    @property
    def rules(self) -> Iterable[CompiledRule]: ...

    def rules_for(self, kind: str) -> Iterable[CompiledRule]: ...


def rules_by_id(policy: RuleSource | None, report: Report) -> dict[str, CompiledRule]:
    """Map rule ids to the rules of the policy, and of the report for ids the policy lacks."""
    rules: dict[str, CompiledRule] = {rule.id: rule for rule in policy.rules} if policy is not None else {}
    for rule_id, rule in report.rules.items():
        rules.setdefault(rule_id, rule)
    return rules


def kind_of_file(report: Report, file: str) -> str | None:
    """Tell the input kind of a reported file by its folder marker, name or content; None when unknown."""
    from ..kinds import SNIFFERS, kind_for_directory, kind_for_name

    # TODO: read the kind from the report once evaluation records it for every input.
    # Until then a file whose name and kept source lines do not show its kind is unknown.
    if os.path.isdir(file):
        kind = kind_for_directory(file)
        return kind.name if kind else None
    kind = kind_for_name(os.path.basename(file))
    if kind is not None:
        return kind.name
    lines = report.sources.get(file)
    if not lines:
        return None
    source = Source(file, "\n".join(lines).encode("utf-8", "surrogatepass"))
    for sniffer in SNIFFERS:
        name = sniffer(source.data)
        if name is not None:
            return name
    return None


def rules_checked(policy: RuleSource | None, report: Report, file: str) -> list[CompiledRule] | None:
    """Return the enabled rules that were applied to ``file``, or None when that is unknown."""
    if file not in report.files:
        return None
    kind = kind_of_file(report, file)
    if kind is None:
        return None
    if policy is None:
        return [rule for rule in report.rules.values() if rule.enabled and kind in rule.applies_to]
    # The per-input policies of prodpolicy eval pick the configuration nearest to each file.
    policy_for = getattr(policy, "policy_for", None)
    chosen = policy_for(file) if policy_for is not None else policy
    return list(chosen.rules_for(kind))


def rules_applied(policy: RuleSource | None, report: Report) -> list[CompiledRule]:
    """Return the enabled rules applied to any evaluated file; all enabled rules when a file's kind is unknown."""
    applied: dict[str, CompiledRule] = {}
    for file in report.files:
        rules = rules_checked(policy, report, file)
        if rules is None:
            return [rule for rule in rules_by_id(policy, report).values() if rule.enabled]
        applied.update((rule.id, rule) for rule in rules)
    return list(applied.values())
