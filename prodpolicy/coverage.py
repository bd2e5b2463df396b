"""Coverage of the peer catalog by the bundled ruleset: per concern and per peer rule, as data and as Markdown.

A concern is *covered* when a rule references one of its peer rules, or when
``own-practices.yaml`` names the concern for a rule. It is an *input error* when
``declined.yaml`` marks it ``status: input-error``: Docker rejects such a file, so
prodpolicy reports the problem as an input error with its line. It is *declined*
when ``declined.yaml`` gives the reason it is not checked, and *niche* when it is
specific to one language or platform and none of these. Otherwise it is *missing*.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .peers import Catalog, Decision, PeerRule, is_niche
from .policy.compiled import CompiledRule

COVERED = "covered"
INPUT_ERROR = "input error"
DECLINED = "declined"
NICHE = "niche"
MISSING = "missing"
# A peer rule no rule references, in a concern that other references cover.
UNREFERENCED = "unreferenced"


@dataclass(frozen=True)
class ConcernCoverage:
    """One concern of the catalog, with its peer rules and what the ruleset does about it."""

    concern: str
    peer_rules: tuple[PeerRule, ...]
    seed_rules: tuple[PeerRule, ...]
    rules: tuple[str, ...]
    declined: Decision | None

    @property
    def niche(self) -> bool:
        return is_niche(self.concern)

    @property
    def status(self) -> str:
        if self.rules:
            return COVERED
        if self.declined is not None:
            return INPUT_ERROR if self.declined.status == "input-error" else DECLINED
        return NICHE if self.niche else MISSING


@dataclass(frozen=True)
class Coverage:
    """The coverage of the whole catalog by a set of rules."""

    concerns: tuple[ConcernCoverage, ...]
    # Rule ids by the peer reference they write, such as hadolint:DL3002.
    rules_by_reference: dict[str, tuple[str, ...]]
    # References that name no peer rule of the catalog, by rule id.
    unknown_references: dict[str, tuple[str, ...]]

    def by_concern(self) -> dict[str, ConcernCoverage]:
        return {item.concern: item for item in self.concerns}

    def with_status(self, status: str) -> list[ConcernCoverage]:
        return [item for item in self.concerns if item.status == status]

    def peer_rule_status(self, peer: PeerRule) -> tuple[str, tuple[str, ...]]:
        """Return how a peer rule is handled, with the rule ids that cover it or its concern.

        A peer rule is covered only through a rule that references it. One that no
        rule references is unreferenced when other rules cover its concern;
        otherwise its concern decides: input error, declined, niche or missing.
        """
        rules = self.rules_by_reference.get(peer.reference, ())
        if rules:
            return COVERED, rules
        by_concern = self.by_concern()
        concerns = [by_concern[concern] for concern in peer.concerns]
        covering = tuple(sorted({rule for item in concerns for rule in item.rules}))
        if covering:
            return UNREFERENCED, covering
        for status in (INPUT_ERROR, DECLINED):
            if any(item.status == status for item in concerns):
                return status, ()
        if all(item.niche for item in concerns):
            return NICHE, ()
        return MISSING, ()


def compute_coverage(
    rules: Iterable[CompiledRule], catalog: Catalog, declined: Iterable[Decision], own_practices: Iterable[Decision]
) -> Coverage:
    """Match the rules' references and the decision files against the catalog."""
    known = catalog.by_reference()
    by_reference: dict[str, list[str]] = {}
    unknown: dict[str, tuple[str, ...]] = {}
    for rule in rules:
        for reference in rule.references:
            by_reference.setdefault(reference, []).append(rule.id)
        missing = tuple(reference for reference in rule.references if reference not in known)
        if missing:
            unknown[rule.id] = missing

    declined_by_concern = {decision.concern: decision for decision in declined if decision.concern}
    own_by_concern: dict[str, list[str]] = {}
    for decision in own_practices:
        if decision.concern and decision.rule:
            own_by_concern.setdefault(decision.concern, []).append(decision.rule)

    concerns = []
    for concern, rows in catalog.concerns().items():
        peers = tuple(row for row in rows if not row.is_seed)
        covering = [rule_id for peer in peers for rule_id in by_reference.get(peer.reference, ())]
        covering += own_by_concern.get(concern, [])
        concerns.append(
            ConcernCoverage(
                concern=concern,
                peer_rules=peers,
                seed_rules=tuple(row for row in rows if row.is_seed),
                rules=tuple(sorted(set(covering))),
                declined=declined_by_concern.get(concern),
            )
        )
    return Coverage(
        tuple(concerns),
        {reference: tuple(sorted(set(ids))) for reference, ids in by_reference.items()},
        unknown,
    )
