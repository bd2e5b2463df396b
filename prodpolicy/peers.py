"""The peer catalog: what other container linters check, and how the bundled ruleset relates to it.

``policies/rules-catalog.tsv`` lists the rules of hadolint, Docker's build checks,
Trivy, Checkov, Dockle, compose-lint, dclint, tally and KICS, each summarised and
grouped with the rules of other tools that check the same thing (a *concern*).
Rows of the tool ``seed (prodpolicy guide)`` are this project's own production
practices, not peer rules: no rule references them.

Two files beside it record decisions about the catalog:

* ``policies/declined.yaml``: concerns the ruleset deliberately does not check, as
  a list of ``{concern: ID, reason: TEXT}``. An entry with ``status: input-error``
  is a concern that needs no rule, because prodpolicy reports the problem as an
  input error with its line, as Docker rejects such a file;
* ``policies/own-practices.yaml``: rules that cover no peer rule, as a list of
  ``{rule: ID, concern: ID, reason: TEXT}`` (``concern`` names the seed concern the
  rule implements, when there is one).

A rule covers a peer rule when its ``references`` name it as ``tool:ID``
(``hadolint:DL3002``, ``buildkit:JSONArgsRecommended``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .policy.read import data_directory
from .yamlload import YAMLError, load_yaml

CATALOG_FILE = "rules-catalog.tsv"
DECLINED_FILE = "declined.yaml"
OWN_PRACTICES_FILE = "own-practices.yaml"
# The values of ``status`` in declined.yaml; "declined" when the entry has none.
DECISION_STATUSES = ("declined", "input-error")

SEED_TOOL = "seed (prodpolicy guide)"
# The catalog names Docker's build checks after their documentation; references use the short name.
REFERENCE_PREFIXES = {"buildkit-checks": "buildkit"}
# Concerns of one language or platform: the ruleset may leave them uncovered.
NICHE_PREFIXES = ("gpu-", "ruby-", "php-", "ps-", "windows-")
CATALOG_COLUMNS = (
    "tool",
    "rule_id",
    "input_kind",
    "severity_in_tool",
    "summary_in_our_words",
    "data_needed",
    "expressible_as_pure_data",
    "concern_id",
)


class CatalogError(ValueError):
    """Raised for a catalog or decision file that is missing or malformed; the message names the file and line."""


@dataclass(frozen=True)
class PeerRule:
    """One row of the catalog: a rule of a peer tool, or one of our own production practices."""

    tool: str
    rule_id: str
    input_kind: str
    severity: str
    summary: str
    concerns: tuple[str, ...]

    @property
    def is_seed(self) -> bool:
        return self.tool == SEED_TOOL

    @property
    def tool_name(self) -> str:
        """Return the tool name that references use (``buildkit`` for ``buildkit-checks``)."""
        return REFERENCE_PREFIXES.get(self.tool, self.tool)

    @property
    def reference(self) -> str:
        """Return the reference a rule writes to cover this peer rule, such as ``hadolint:DL3002``."""
        return f"{self.tool_name}:{self.rule_id}"


@dataclass(frozen=True)
class Decision:
    """An entry of declined.yaml or own-practices.yaml, with the line it is written on."""

    concern: str | None
    reason: str
    line: int
    rule: str | None = None
    # declined.yaml only: "declined", or "input-error" for a problem reported as an input error.
    status: str = "declined"


@dataclass(frozen=True)
class Catalog:
    """The peer rules and our own practices, in the catalog's order."""

    rules: tuple[PeerRule, ...]

    @property
    def peer_rules(self) -> tuple[PeerRule, ...]:
        return tuple(rule for rule in self.rules if not rule.is_seed)

    @property
    def seed_rules(self) -> tuple[PeerRule, ...]:
        return tuple(rule for rule in self.rules if rule.is_seed)

    def by_reference(self) -> dict[str, PeerRule]:
        """Map ``tool:ID`` references to the peer rules they name."""
        return {rule.reference: rule for rule in self.peer_rules}

    def concerns(self) -> dict[str, tuple[PeerRule, ...]]:
        """Map each concern, in order of first appearance, to its rows (peer rules and seed rows)."""
        grouped: dict[str, list[PeerRule]] = {}
        for rule in self.rules:
            for concern in rule.concerns:
                grouped.setdefault(concern, []).append(rule)
        return {concern: tuple(rows) for concern, rows in grouped.items()}

    def peer_concerns(self) -> dict[str, tuple[PeerRule, ...]]:
        """Map each concern that at least one peer tool checks to its peer rules."""
        grouped = {concern: tuple(rule for rule in rows if not rule.is_seed) for concern, rows in self.concerns().items()}
        return {concern: rows for concern, rows in grouped.items() if rows}

    def tools(self) -> list[str]:
        """Return the peer tools by reference name, in the catalog's order."""
        return list(dict.fromkeys(rule.tool_name for rule in self.peer_rules))


def is_niche(concern: str) -> bool:
    """Tell whether a concern is specific to one language or platform (GPU, Ruby, PHP, PowerShell, Windows)."""
    return concern.startswith(NICHE_PREFIXES)


def policies_directory() -> Path:
    return data_directory("policies")


def read_catalog(path: Path | None = None) -> Catalog:
    """Read the catalog TSV; raise :class:`CatalogError` when it is missing or a row is malformed."""
    path = path or policies_directory() / CATALOG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogError(f"{path}: cannot read the peer catalog: {error.strerror or error}") from error
    rows = list(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or tuple(rows[0]) != CATALOG_COLUMNS:
        raise CatalogError(f"{path}:1: the header must be the columns {', '.join(CATALOG_COLUMNS)}")
    rules = []
    for number, row in enumerate(rows[1:], 2):
        if not row:
            continue
        if len(row) != len(CATALOG_COLUMNS):
            raise CatalogError(f"{path}:{number}: expected {len(CATALOG_COLUMNS)} tab-separated columns, found {len(row)}")
        values = dict(zip(CATALOG_COLUMNS, row, strict=True))
        concerns = tuple(concern.strip() for concern in values["concern_id"].split(";") if concern.strip())
        if not concerns:
            raise CatalogError(f"{path}:{number}: the row of {values['tool']} {values['rule_id']} has no concern_id")
        rules.append(
            PeerRule(
                tool=values["tool"],
                rule_id=values["rule_id"],
                input_kind=values["input_kind"],
                severity=values["severity_in_tool"],
                summary=values["summary_in_our_words"],
                concerns=concerns,
            )
        )
    return Catalog(tuple(rules))


@lru_cache(maxsize=1)
def bundled_catalog() -> Catalog | None:
    """Return the catalog shipped with prodpolicy, or None when this installation has none."""
    try:
        return read_catalog()
    except CatalogError:
        return None


def read_declined(path: Path | None = None) -> list[Decision]:
    """Read the declined concerns: a list of ``{concern, reason}`` with an optional ``status``.

    A missing file declines nothing. Raises :class:`CatalogError` for a status
    other than those of ``DECISION_STATUSES``.
    """
    path = path or policies_directory() / DECLINED_FILE
    entries = _read_entries(path, required=("concern", "reason"), optional=("status",))
    decisions = []
    for line, data in entries:
        status = data.get("status", "declined")
        if status not in DECISION_STATUSES:
            raise CatalogError(f"{path}:{line}: unknown status {status!r}; use {' or '.join(DECISION_STATUSES)}")
        decisions.append(Decision(concern=data["concern"], reason=data["reason"], line=line, status=status))
    return decisions


def read_own_practices(path: Path | None = None) -> list[Decision]:
    """Read the rules that cover no peer rule: a list of ``{rule, reason}`` with an optional seed ``concern``."""
    path = path or policies_directory() / OWN_PRACTICES_FILE
    entries = _read_entries(path, required=("rule", "reason"), optional=("concern",))
    return [
        Decision(concern=data.get("concern"), reason=data["reason"], line=line, rule=data["rule"]) for line, data in entries
    ]


def _read_entries(path: Path, required: Iterable[str], optional: Iterable[str]) -> list[tuple[int, Mapping[str, Any]]]:
    if not path.exists():
        return []
    try:
        loaded = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogError(f"{path}: cannot read the file: {error}") from error
    except YAMLError as error:
        raise CatalogError(f"{path}:{error.line or 1}: {error.message}") from error
    if loaded.data is None:
        return []
    if not isinstance(loaded.data, list):
        raise CatalogError(f"{path}:1: expected a list of entries, each a mapping of {', '.join(required)}")
    allowed = set(required) | set(optional)
    entries = []
    for index, item in enumerate(loaded.data):
        location = loaded.locations.get((index,))
        line = location.line if location is not None else 1
        if not isinstance(item, dict):
            raise CatalogError(f"{path}:{line}: an entry must be a mapping of {', '.join(sorted(allowed))}")
        missing = [key for key in required if not isinstance(item.get(key), str) or not item[key].strip()]
        unknown = sorted(set(item) - allowed)
        if missing:
            raise CatalogError(f"{path}:{line}: the entry needs {' and '.join(missing)} as text")
        if unknown:
            raise CatalogError(f"{path}:{line}: unknown key {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
        entries.append((line, {key: " ".join(str(value).split()) for key, value in item.items()}))
    return entries
