"""Compiled policies: immutable objects that evaluation reads and never changes.

A :class:`Policy` is built once by the loader and can be shared between threads
and evaluations: its rules, parameters and exceptions are frozen, and every
value records where it came from (:class:`Origin`) for ``prodpolicy config --show``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..severities import SEVERITIES
from .jsonpath import CompiledPath
from .spec import INPUT_KINDS, RuleDocs, RuleTest
from .template import Template

if TYPE_CHECKING:
    from .exceptions import CompiledException
    from .selection import Plan

SEVERITY_RANK: Mapping[str, int] = MappingProxyType({severity: rank for rank, severity in enumerate(SEVERITIES)})

Predicate = Callable[[Any], bool]
EMPTY: Mapping[str, Any] = MappingProxyType({})


def freeze(value: Any) -> Any:
    """Return a read-only copy of a parameter value: lists become tuples, mappings read-only views."""
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    if isinstance(value, dict):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    return value


@dataclass(frozen=True, slots=True)
class Origin:
    """The place a value of the merged policy was set: file, line, and the step (``rule default``, ``override``...)."""

    file: str
    line: int | None = None
    how: str = ""

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True, eq=False)
class CompiledRule:
    """A rule ready to evaluate: paths, conditions and message compiled, parameters merged."""

    id: str
    name: str
    title: str
    severity: str
    applies_to: frozenset[str]
    tags: tuple[str, ...]
    enabled: bool
    given: tuple[CompiledPath, ...]
    predicate: Predicate
    on_no_match: str
    message: Template
    report_at: tuple[CompiledPath, ...]
    # Read-only: lists are tuples here; the compiled conditions hold their own copies.
    parameters: Mapping[str, Any]
    docs: RuleDocs
    references: tuple[str, ...]
    tests: tuple[RuleTest, ...]
    source: str
    line: int | None
    test_folder: str | None = None
    # The line of each tests: entry in the rule's file, so a failing case names its own line.
    test_lines: tuple[int | None, ...] = ()
    # Where severity, enabled and each parameters.NAME were last set.
    origins: Mapping[str, Origin] = field(default_factory=lambda: EMPTY)
    # The rule as its file declares it, when overrides changed its parameters; its test cases run on that.
    declared: CompiledRule | None = None
    # What a node needs to possibly match (see prodpolicy.policy.selection). Evaluation tests only such nodes.
    plan: Plan | None = None

    @property
    def severity_rank(self) -> int:
        return SEVERITY_RANK[self.severity]

    @property
    def as_declared(self) -> CompiledRule:
        """Return the rule with the parameter values its own file declares."""
        return self.declared or self


@dataclass(frozen=True, slots=True)
class PolicySettings:
    """Policy-wide settings after merging, with where each was set."""

    inline_suppressions: str = "allow"
    origins: Mapping[str, Origin] = field(default_factory=lambda: EMPTY)


@dataclass(frozen=True, eq=False)
class Policy:
    """A compiled, immutable policy: the rules to apply in id order, with exceptions and settings."""

    rules: tuple[CompiledRule, ...]
    sources: tuple[str, ...] = ()
    exceptions: tuple[CompiledException, ...] = ()
    settings: PolicySettings = field(default_factory=PolicySettings)
    # The files and other layers merged into this policy, first to last, for config --show.
    layers: tuple[str, ...] = ()
    _by_kind: Mapping[str, tuple[CompiledRule, ...]] = field(default_factory=lambda: EMPTY, repr=False, compare=False)
    _by_key: Mapping[str, CompiledRule] = field(default_factory=lambda: EMPTY, repr=False, compare=False)
    _enabled: tuple[CompiledRule, ...] = field(default=(), repr=False, compare=False)
    _enabled_by_id: MappingProxyType[str, CompiledRule] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False
    )

    def __post_init__(self) -> None:
        by_kind = {
            kind: tuple(rule for rule in self.rules if rule.enabled and kind in rule.applies_to) for kind in INPUT_KINDS
        }
        by_key: dict[str, CompiledRule] = {}
        for rule in self.rules:
            by_key[rule.id] = rule
            by_key[rule.name] = rule
        object.__setattr__(self, "_by_kind", MappingProxyType(by_kind))
        object.__setattr__(self, "_by_key", MappingProxyType(by_key))
        # Every input's evaluation lists these rules in its report: computed once rather than per input.
        enabled = tuple(rule for rule in self.rules if rule.enabled)
        object.__setattr__(self, "_enabled", enabled)
        enabled_by_id: dict[str, CompiledRule] = {}
        for rule in enabled:
            enabled_by_id.setdefault(rule.id, rule)
        object.__setattr__(self, "_enabled_by_id", MappingProxyType(enabled_by_id))

    def rules_for(self, kind: str) -> tuple[CompiledRule, ...]:
        """Return the enabled rules that apply to an input kind."""
        return self._by_kind.get(kind, ())

    def find_rule(self, key: str) -> CompiledRule | None:
        """Return the rule with this id (any case) or name."""
        return self._by_key.get(key.upper()) or self._by_key.get(key)

    @property
    def enabled_rules(self) -> tuple[CompiledRule, ...]:
        return self._enabled

    @property
    def enabled_by_id(self) -> MappingProxyType[str, CompiledRule]:
        """The enabled rules by id, the first one of each id."""
        return self._enabled_by_id
