"""Find the nodes a rule can match without testing the others: the rule's plan.

A rule tests each node its ``given`` selects, and most nodes fail. For many
rules that shows from an index of the whole selection: ``keyword: RUN`` holds
only for the nodes listed under RUN in an index of the keywords, and ``text``
``matches: P`` only for the nodes whose text one RE2 search over all the texts,
joined, finds P in. A rule's plan names such tests. Evaluation builds each
index once per selection and shares it between rules, then runs the rule's
predicate on the candidates only, in document order. The parts of a plan are:

* :class:`ValueIn`: a field of names (``program``, ``package.manager``) is one of some texts or booleans;
* :class:`Present`: such a field has a value;
* :class:`TextMatch`: such a field, or an item or key of it, matches one of some patterns;
* :class:`Either`: at least one part holds, for an ``any`` whose every branch has a plan.

A plan changes no result. It is a necessary condition, never a sufficient one:
every node the predicate accepts is a candidate, and the predicate still
decides. The plan comes from one condition of ``when``, all of which must hold,
and reading a field for an index has no effect on the document. Conditions that
can hold on a node without any value (``not``, ``absent``, ``no_item``,
``length``, ``count``) give no plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..document import Path
from .conditions import regex_input
from .jsonpath import compile_path
from .plain import PLAIN_ENVIRONMENT, plain_evaluation
from .regex import JoinedTexts, TextSearch
from .spec import ConditionSpec

# Booleans are indexed under these markers, because True == 1 would mix them with numbers in a dict.
TRUE = ("boolean", True)
FALSE = ("boolean", False)
# Operators that hold only when their field has a value. The plan does not test the value itself.
_NEED_A_VALUE = frozenset({"contains", "startswith", "endswith", "gt", "gte", "lt", "lte"})
# Below this many nodes, testing each node costs less than building an index.
_PLAN_FROM = 4


@dataclass(frozen=True, slots=True)
class ValueIn:
    """The field ``names`` is one of ``values``: texts, or the :data:`TRUE` and :data:`FALSE` markers."""

    names: tuple[str, ...]
    values: frozenset[Any]


@dataclass(frozen=True, slots=True)
class Present:
    """The field ``names`` has a value."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TextMatch:
    """The field ``names`` (with ``items``, one of its items or keys) matches one of ``patterns``."""

    names: tuple[str, ...]
    patterns: tuple[str, ...]
    items: bool = False


@dataclass(frozen=True, slots=True)
class Either:
    """At least one part holds."""

    parts: tuple[Plan, ...]


Plan = ValueIn | Present | TextMatch | Either


def rule_plan(conditions: Sequence[ConditionSpec], parameters: dict[str, Any]) -> Plan | None:
    """Return the plan of a rule's ``when`` list, or None when no condition gives a useful one.

    All conditions must hold, so the plan of any one of them will do: the one that costs least.
    """
    plan = _cheapest(_plan(condition, parameters) for condition in conditions)
    if plan is None or isinstance(plan, Present):
        # A node without the field fails the predicate's first test about as fast as an index finds it.
        return None
    return plan


def _plan(condition: ConditionSpec, parameters: dict[str, Any]) -> Plan | None:
    operator = condition.operator
    if condition.field is None:
        if operator == "all":
            return _cheapest(_plan(inner, parameters) for inner in condition.operand)
        if operator == "any":
            parts = [_plan(inner, parameters) for inner in condition.operand]
            if not parts or None in parts:
                return None
            return parts[0] if len(parts) == 1 else Either(tuple(parts))  # type: ignore[arg-type]
        # Other tests of the node itself: every node selected has a value.
        return None
    names = _names(condition.field)
    if names is None:
        # Reading a path with wildcards or indexes for every node costs about what the predicate costs.
        return None
    if operator in ("all", "any", "any_item"):
        # Nested conditions test the field's values or items, which plans do not read: the field needs a value.
        return Present(names)
    operand = condition.operand
    if isinstance(operand, dict) and set(operand) == {"param"}:
        operand = parameters.get(operand["param"])
    if operator in ("equals", "in"):
        return _value_in(operator, operand, names)
    if operator in ("matches", "contains_match"):
        patterns = operand if isinstance(operand, list | tuple) else [operand]
        if not patterns or not all(isinstance(pattern, str) for pattern in patterns):
            return Present(names)
        return TextMatch(names, tuple(patterns), items=operator == "contains_match")
    if operator == "exists":
        return Present(names) if operand is True else None
    if operator == "contains_all":
        return Present(names) if operand else None
    if operator in _NEED_A_VALUE:
        return Present(names)
    return None


def _names(field: str) -> tuple[str, ...] | None:
    try:
        path = compile_path(field)
    except ValueError:
        return None
    return path.names if path.relative else None


def _value_in(operator: str, operand: Any, names: tuple[str, ...]) -> Plan:
    if isinstance(operand, dict):
        # {field: other} compares two fields; the first still needs a value.
        return Present(names)
    options = [operand] if operator == "equals" else operand
    if not isinstance(options, list | tuple):
        return Present(names)
    values: set[Any] = set()
    for option in options:
        if isinstance(option, bool):
            values.add(TRUE if option else FALSE)
        elif isinstance(option, str):
            values.add(option)
        else:
            # Numbers equal across int and float, which an index of texts cannot tell.
            return Present(names)
    return ValueIn(names, frozenset(values))


def _cheapest(plans: Iterable[Plan | None]) -> Plan | None:
    found = [plan for plan in plans if plan is not None]
    return min(found, key=cost) if found else None


def cost(plan: Plan) -> int:
    """Rank a plan by what it costs to compute and how many nodes it leaves: index lookups first, whole fields last."""
    if isinstance(plan, Either):
        return max(cost(part) for part in plan.parts)
    if isinstance(plan, ValueIn):
        return 0
    if isinstance(plan, TextMatch):
        return 1
    return 2


class SelectionIndex:
    """The nodes selected by one ``given`` in one document, with the indexes that rules' plans read.

    Each index is built on first use and shared by every rule whose plan needs it.
    """

    __slots__ = ("nodes", "selected_any", "_values", "_present", "_texts")

    def __init__(self, nodes: list[tuple[Path, Any]]) -> None:
        self.nodes = nodes
        # A null node is an absent field, so it neither is tested nor counts as selected.
        self.selected_any = any(node is not None for _, node in nodes)
        self._values: dict[tuple[str, ...], dict[Any, list[int]]] = {}
        self._present: dict[tuple[str, ...], list[int]] = {}
        self._texts: dict[tuple[tuple[str, ...], bool], tuple[JoinedTexts, list[int]]] = {}

    def candidates(self, plan: Plan) -> list[tuple[Path, Any]]:
        """Return, in document order, the nodes the plan allows: every node the rule can match, and maybe others."""
        nodes = self.nodes
        if len(nodes) < _PLAN_FROM:
            return nodes
        return [nodes[position] for position in self._positions(plan)]

    def _positions(self, plan: Plan) -> list[int]:
        if isinstance(plan, ValueIn):
            index = self._value_index(plan.names)
            if len(plan.values) == 1:
                return index.get(next(iter(plan.values)), [])
            found: set[int] = set()
            for value in plan.values:
                found.update(index.get(value, ()))
            return sorted(found)
        if isinstance(plan, Present):
            return self._present_index(plan.names)
        if isinstance(plan, TextMatch):
            texts, owners = self._text_index(plan.names, plan.items)
            return _owners(owners, _search(plan.patterns).flagged(texts))
        union: set[int] = set()
        for part in plan.parts:
            union.update(self._positions(part))
        return sorted(union)

    def _value_index(self, names: tuple[str, ...]) -> dict[Any, list[int]]:
        index = self._values.get(names)
        if index is None:
            index = {}
            for position, value in self._field(names):
                if isinstance(value, str):
                    index.setdefault(value, []).append(position)
                elif value is True or value is False:
                    index.setdefault(TRUE if value else FALSE, []).append(position)
            self._values[names] = index
        return index

    def _present_index(self, names: tuple[str, ...]) -> list[int]:
        present = self._present.get(names)
        if present is None:
            present = [position for position, _ in self._field(names)]
            self._present[names] = present
        return present

    def _text_index(self, names: tuple[str, ...], items: bool) -> tuple[JoinedTexts, list[int]]:
        built = self._texts.get((names, items))
        if built is None:
            texts: list[str] = []
            owners: list[int] = []
            for position, value in self._field(names):
                tested: Any = (value,)
                if items:
                    # contains_match tests list items and mapping keys.
                    tested = value if isinstance(value, list) else ()
                    if isinstance(value, dict):
                        tested = list(value)
                for item in tested:
                    text = regex_input(item)
                    if text is not None:
                        texts.append(text)
                        owners.append(position)
            built = (JoinedTexts(texts), owners)
            self._texts[(names, items)] = built
        return built

    def _field(self, names: tuple[str, ...]) -> list[tuple[int, Any]]:
        """Return (position, value) for each node whose field of names has a value, as the conditions read it."""
        nodes = self.nodes
        # Most fields are one or two names deep: a comprehension reads them at about twice the speed of the loop.
        if len(names) == 1:
            name = names[0]
            return [
                (position, value)
                for position, (_, node) in enumerate(nodes)
                if isinstance(node, dict) and (value := node.get(name)) is not None
            ]
        if len(names) == 2:
            first, second = names
            return [
                (position, value)
                for position, (_, node) in enumerate(nodes)
                if isinstance(node, dict)
                and isinstance(outer := node.get(first), dict)
                and (value := outer.get(second)) is not None
            ]
        found: list[tuple[int, Any]] = []
        for position, (_, node) in enumerate(nodes):
            value = node
            for name in names:
                if not isinstance(value, dict):
                    value = None
                    break
                value = value.get(name)
            if value is not None:
                found.append((position, value))
        return found


def _owners(owners: list[int], flagged: list[int]) -> list[int]:
    """Return the positions of the nodes the flagged texts come from, once each, in order."""
    positions: list[int] = []
    for number in flagged:
        position = owners[number]
        if not positions or positions[-1] != position:
            positions.append(position)
    return positions


def _search(patterns: tuple[str, ...]) -> TextSearch:
    search = _SEARCHES.get(patterns)
    if search is None:
        search = TextSearch(patterns)
        _SEARCHES[patterns] = search
    return search


# One search per list of patterns, shared by the rules and documents that use it.
_SEARCHES: dict[tuple[str, ...], TextSearch] = {}

__all__ = ["PLAIN_ENVIRONMENT", "Either", "Plan", "Present", "SelectionIndex", "TextMatch", "ValueIn", "plain_evaluation", "rule_plan"]
