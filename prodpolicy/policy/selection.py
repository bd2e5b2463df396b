"""Find the nodes a rule can match without testing the others: the keyword index.

Most rules start with a test such as ``field: keyword, in: [COPY, ADD]``. Such a
first condition compares a plain field path (names only, such as ``keyword`` or
``package.manager``) with constant texts. For these rules, evaluation indexes the
nodes that the rule's ``given`` selects by that field's text, once per document,
and tests only the nodes under the rule's texts.

This changes no result. The conditions of ``when`` must all hold and are tested
in order, so a node whose field is not one of the texts fails the first test
and no later condition runs on it. A field matches one of the texts only when
it is text: ``equals: RUN`` never holds for a number, a list or null.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..document import Path
from .jsonpath import CompiledPath, compile_path
from .spec import ConditionSpec

# Set to any value to evaluate every selected node, as a check that the index changes no result.
PLAIN_ENVIRONMENT = "PRODPOLICY_PLAIN_EVALUATION"


def plain_evaluation() -> bool:
    """Return whether the environment turns the evaluation shortcuts off."""
    return bool(os.environ.get(PLAIN_ENVIRONMENT))


@dataclass(frozen=True, slots=True)
class NodeFilter:
    """The texts that the field ``names`` (a path of names) must hold for a node to possibly match."""

    names: tuple[str, ...]
    texts: frozenset[str]


def node_filter(conditions: Sequence[ConditionSpec], parameters: dict[str, Any]) -> NodeFilter | None:
    """Return the filter that a rule's first condition implies, or None when it implies none."""
    if not conditions:
        return None
    first = conditions[0]
    if first.field is None:
        return None
    if first.operator == "equals":
        operand = _resolve(first.operand, parameters)
        options = [operand]
    elif first.operator == "in":
        operand = _resolve(first.operand, parameters)
        if not isinstance(operand, list | tuple):
            return None
        options = list(operand)
    else:
        return None
    if not options or not all(isinstance(option, str) for option in options):
        return None
    try:
        path: CompiledPath = compile_path(first.field)
    except ValueError:
        return None
    if not path.relative or not path.names:
        return None
    return NodeFilter(path.names, frozenset(options))


def _resolve(operand: Any, parameters: dict[str, Any]) -> Any:
    if isinstance(operand, dict):
        # {field: other} compares two fields of the node and {param: name} is resolved above.
        if set(operand) == {"param"}:
            return parameters.get(operand["param"])
        return None
    return operand


class SelectionIndex:
    """The nodes selected by one ``given`` in one document, indexed by field text on first use."""

    __slots__ = ("nodes", "selected_any", "_indexes")

    def __init__(self, nodes: list[tuple[Path, Any]]) -> None:
        self.nodes = nodes
        # A null node is an absent field, so it neither is tested nor counts as selected.
        self.selected_any = any(node is not None for _, node in nodes)
        self._indexes: dict[tuple[str, ...], dict[str, list[int]]] = {}

    def candidates(self, node_filter: NodeFilter) -> list[tuple[Path, Any]]:
        """Return, in document order, the nodes whose field is one of the filter's texts."""
        index = self._indexes.get(node_filter.names)
        if index is None:
            index = self._build(node_filter.names)
            self._indexes[node_filter.names] = index
        positions: list[int] = []
        for text in node_filter.texts:
            found = index.get(text)
            if found:
                positions.extend(found)
        if len(node_filter.texts) > 1:
            positions.sort()
        nodes = self.nodes
        return [nodes[position] for position in positions]

    def _build(self, names: tuple[str, ...]) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        for position, (_, node) in enumerate(self.nodes):
            value = node
            for name in names:
                if not isinstance(value, dict):
                    value = None
                    break
                value = value.get(name)
            if isinstance(value, str):
                index.setdefault(value, []).append(position)
        return index
