"""The generated part of docs/coverage.md: the catalog's concerns and peer rules, and the rules that cover them."""

from __future__ import annotations

from collections import Counter

from .coverage import COVERED, DECLINED, INPUT_ERROR, MISSING, NICHE, UNREFERENCED, ConcernCoverage, Coverage
from .peers import Catalog, PeerRule
from .report.rule_docs import markdown_text

STATUS_LABELS = {
    COVERED: "covered",
    UNREFERENCED: "concern covered, rule not referenced",
    INPUT_ERROR: "input error",
    DECLINED: "declined",
    NICHE: "niche, not covered",
    MISSING: "missing",
}


def coverage_markdown(coverage: Coverage, catalog: Catalog) -> str:
    """Render the coverage tables, from the summary to the list of every peer rule by tool."""
    sections = [
        _summary(coverage, catalog),
        _concerns(coverage),
        _input_errors(coverage),
        _tools(coverage, catalog),
        _own_practices(coverage, catalog),
        _niche(coverage),
    ]
    return "\n\n".join(section.rstrip("\n") for section in sections) + "\n"


def _summary(coverage: Coverage, catalog: Catalog) -> str:
    concerns = [item for item in coverage.concerns if item.peer_rules]
    counts = Counter(item.status for item in concerns)
    niche = sum(1 for item in concerns if item.niche)
    lines = [
        "## Summary",
        "",
        f"The catalog lists {len(catalog.peer_rules)} rules of {len(catalog.tools())} peer tools, grouped into "
        f"{len(concerns)} concerns; {niche} of them are niche (one language or platform). "
        f"{len(catalog.seed_rules)} more rows are production practices of this project.",
        "",
        "| Concerns | Count |",
        "| --- | --- |",
    ]
    lines += [
        f"| {STATUS_LABELS[status]} | {counts[status]} |" for status in (COVERED, INPUT_ERROR, DECLINED, NICHE, MISSING)
    ]
    lines += [
        "",
        "| Tool | Rules | Covered | Concern covered, rule not referenced | Input error | Declined | Niche | Missing |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for tool in catalog.tools():
        statuses = Counter(coverage.peer_rule_status(peer)[0] for peer in catalog.peer_rules if peer.tool_name == tool)
        cells = [str(sum(statuses.values()))]
        cells += [str(statuses[status]) for status in (COVERED, UNREFERENCED, INPUT_ERROR, DECLINED, NICHE, MISSING)]
        lines.append(f"| {tool} | {' | '.join(cells)} |")
    return "\n".join(lines)


def _concerns(coverage: Coverage) -> str:
    lines = [
        "## Concerns",
        "",
        "Every concern that a peer tool checks, with the rules that cover it or the reason it is declined. "
        "Concerns reported as input errors are listed in the next section.",
        "",
        "| Concern | Peer rules | Status | Rules or reason |",
        "| --- | --- | --- | --- |",
    ]
    for item in sorted(coverage.concerns, key=lambda entry: entry.concern):
        if not item.peer_rules or item.niche or item.status == INPUT_ERROR:
            continue
        lines.append(_concern_row(item))
    return "\n".join(lines)


def _input_errors(coverage: Coverage) -> str:
    items = sorted(coverage.with_status(INPUT_ERROR), key=lambda entry: entry.concern)
    lines = [
        "## Input errors",
        "",
        f"{len(items)} concerns need no rule: Docker rejects such a file, so prodpolicy reports the problem as an "
        "input error with its file and line, and `prodpolicy eval` exits with 2.",
        "",
        "| Concern | Peer rules | What is reported |",
        "| --- | --- | --- |",
    ]
    for item in items:
        peers = ", ".join(f"`{peer.reference}`" for peer in item.peer_rules)
        lines.append(f"| `{item.concern}` | {peers} | {_rules_or_reason(item)} |")
    return "\n".join(lines)


def _concern_row(item: ConcernCoverage) -> str:
    peers = ", ".join(f"`{peer.reference}`" for peer in item.peer_rules)
    status = STATUS_LABELS[item.status]
    if item.status == MISSING:
        status = f"**{status}**"
    return f"| `{item.concern}` | {peers} | {status} | {_rules_or_reason(item)} |"


def _rules_or_reason(item: ConcernCoverage) -> str:
    if item.rules:
        return ", ".join(rule_link(rule_id) for rule_id in item.rules)
    if item.declined is not None:
        return _cell(item.declined.reason)
    return ""


def _tools(coverage: Coverage, catalog: Catalog) -> str:
    parts = [
        "## Rules by peer tool\n\nEach peer rule, what it checks, and the rule that covers it or why none does."
    ]
    for tool in catalog.tools():
        lines = [f"### {tool}", "", "| Rule | What it checks | Covered by |", "| --- | --- | --- |"]
        for peer in catalog.peer_rules:
            if peer.tool_name == tool:
                lines.append(f"| `{peer.rule_id}` | {_cell(peer.summary)} | {_peer_status(coverage, peer)} |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _peer_status(coverage: Coverage, peer: PeerRule) -> str:
    status, rules = coverage.peer_rule_status(peer)
    links = ", ".join(rule_link(rule_id) for rule_id in rules)
    if status == COVERED:
        return links
    if status == UNREFERENCED:
        return f"not referenced; its concern is covered by {links}"
    by_concern = coverage.by_concern()
    if status in (INPUT_ERROR, DECLINED):
        reasons = [by_concern[concern].declined for concern in peer.concerns if by_concern[concern].status == status]
        label = STATUS_LABELS[status]
        return f"{label}: " + _cell(" ".join(decision.reason for decision in reasons if decision is not None))
    concerns = ", ".join(f"`{concern}`" for concern in peer.concerns)
    return f"niche ({concerns}), not covered" if status == NICHE else f"**missing** ({concerns})"


def _own_practices(coverage: Coverage, catalog: Catalog) -> str:
    by_concern = coverage.by_concern()
    lines = [
        "## Production practices of this project",
        "",
        "The practices prodpolicy checks beyond the peer tools, and the rules that check them. Where a peer tool "
        "checks part of a practice, its rules are listed under the concern above.",
        "",
        "| Practice | Concern | Rules |",
        "| --- | --- | --- |",
    ]
    for seed in catalog.seed_rules:
        concerns = ", ".join(f"`{concern}`" for concern in seed.concerns)
        cells = [_practice_cell(by_concern[concern]) for concern in seed.concerns]
        if len(cells) > 1:
            # A practice of several concerns shows each one, so a part that is missing stays visible.
            cells = [f"`{concern}`: {cell}" for concern, cell in zip(seed.concerns, cells, strict=True)]
        lines.append(f"| {_cell(seed.summary)} | {concerns} | {'; '.join(cells)} |")
    return "\n".join(lines)


def _practice_cell(item: ConcernCoverage) -> str:
    if item.rules:
        return ", ".join(rule_link(rule_id) for rule_id in item.rules)
    if item.declined is not None:
        return f"{STATUS_LABELS[item.status]}: " + _cell(item.declined.reason)
    return "**missing**"


def _niche(coverage: Coverage) -> str:
    niche = [item for item in coverage.concerns if item.niche]
    lines = [
        "## Niche concerns",
        "",
        f"{len(niche)} concerns apply to one language or platform (GPU images, Ruby, PHP, PowerShell, Windows "
        "containers). The ruleset may leave them uncovered.",
        "",
        "| Concern | Peer rules | Status | Rules or reason |",
        "| --- | --- | --- | --- |",
    ]
    lines += [_concern_row(item) for item in sorted(niche, key=lambda entry: entry.concern)]
    return "\n".join(lines)


def rule_link(rule_id: str) -> str:
    """Link a rule id to its reference page, relative to docs/."""
    return f"[{rule_id}](rules/{rule_id}.md)"


def _cell(text: str) -> str:
    return markdown_text(text).replace("|", "\\|").replace("\n", " ")
