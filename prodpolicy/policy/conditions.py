"""Compile rule conditions into predicates, once, when a policy loads.

A compiled predicate takes the matched node and returns whether the condition
holds. Regular expressions run on RE2 (google-re2), which has no backtracking,
so a pattern in a policy cannot stall evaluation; patterns RE2 rejects
(backreferences, lookaround) are policy errors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import re2

from ..durations import parse_duration
from .jsonpath import CompiledPath, JSONPathError, compile_path
from .model import Comparison, Condition, Count, ParameterRef

Predicate = Callable[[Any], bool]

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False


class ConditionError(ValueError):
    """Raised for a condition that cannot be compiled; ``location`` is the path inside the condition."""

    def __init__(self, message: str, location: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.location = location


def compile_regex(pattern: Any, location: tuple[str | int, ...] = ()) -> Any:
    """Compile a policy regular expression with RE2, or raise :class:`ConditionError`."""
    if not isinstance(pattern, str):
        raise ConditionError(f"a regular expression must be text, not {type(pattern).__name__}", location)
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except Exception as error:  # noqa: BLE001 - google-re2 raises its own error class without a stable import path
        detail = error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else str(error)
        raise ConditionError(f"invalid regular expression {pattern!r}: {detail} (RE2 syntax has no backreferences or lookaround)", location) from None


def _field_values(path: CompiledPath | None) -> Callable[[Any], list[Any]]:
    if path is None:
        return lambda node: [] if node is None else [node]
    return path.values


def _same(left: Any, right: Any) -> bool:
    # True == 1 in Python; in a policy, a boolean only equals a boolean.
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    return bool(left == right)


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return None


def _number(value: Any, location: tuple[str | int, ...]) -> float:
    if isinstance(value, bool):
        raise ConditionError("a comparison needs a number or a duration, not a boolean", location)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        seconds = parse_duration(value.strip())
        if seconds is not None:
            return seconds
    raise ConditionError(f"a comparison needs a number or a duration such as 30s, not {value!r}", location)


class _Compiler:
    def __init__(self, parameters: dict[str, Any]) -> None:
        self.parameters = parameters

    def operand(self, value: Any, location: tuple[str | int, ...]) -> Any:
        if isinstance(value, ParameterRef):
            return self.parameter(value.param, location)
        if isinstance(value, dict) and set(value) == {"param"}:
            return self.parameter(value["param"], location)
        return value

    def parameter(self, name: str, location: tuple[str | int, ...]) -> Any:
        if name not in self.parameters:
            known = ", ".join(sorted(self.parameters)) or "none"
            raise ConditionError(f"unknown parameter {name!r}; the rule defines: {known}", location)
        return self.parameters[name]

    def compile(self, condition: Condition, location: tuple[str | int, ...]) -> Predicate:
        path = None
        if condition.field is not None:
            try:
                path = compile_path(condition.field)
            except JSONPathError as error:
                raise ConditionError(str(error), (*location, "field")) from None
            if not path.relative:
                raise ConditionError("a condition's field is relative to the matched node; drop the leading $", (*location, "field"))
        values = _field_values(path)
        operator = next(iter(condition.operators()))
        attribute = {"in": "in_", "not": "not_"}.get(operator, operator)
        operand = getattr(condition, attribute)
        where = (*location, operator)
        builder = getattr(self, f"_op_{operator}")
        return builder(values, operand, where)

    # Value operators.
    def _op_exists(self, values: Callable[[Any], list[Any]], operand: Any, where: tuple[str | int, ...]) -> Predicate:
        expected = self.operand(operand, where)
        if not isinstance(expected, bool):
            raise ConditionError("exists takes true or false", where)
        return lambda node: bool(values(node)) is expected

    def _op_equals(self, values: Callable[[Any], list[Any]], operand: Any, where: tuple[str | int, ...]) -> Predicate:
        expected = self.operand(operand, where)
        return lambda node: any(_same(value, expected) for value in values(node))

    def _op_not_equals(self, values: Callable[[Any], list[Any]], operand: Any, where: tuple[str | int, ...]) -> Predicate:
        equals = self._op_equals(values, operand, where)
        return lambda node: not equals(node)

    def _op_in(self, values: Callable[[Any], list[Any]], operand: Any, where: tuple[str | int, ...]) -> Predicate:
        options = self.operand(operand, where)
        if not isinstance(options, list):
            raise ConditionError("in takes a list of values", where)
        return lambda node: any(_same(value, option) for value in values(node) for option in options)

    def _op_not_in(self, values: Callable[[Any], list[Any]], operand: Any, where: tuple[str | int, ...]) -> Predicate:
        inside = self._op_in(values, operand, where)
        return lambda node: not inside(node)

    def _patterns(self, operand: Any, where: tuple[str | int, ...]) -> list[Any]:
        resolved = self.operand(operand, where)
        items = resolved if isinstance(resolved, list) else [resolved]
        return [compile_regex(item, (*where, number) if isinstance(resolved, list) else where) for number, item in enumerate(items)]

    def _op_matches(self, values: Callable[[Any], list[Any]], operand: Any, where: tuple[str | int, ...]) -> Predicate:
        patterns = self._patterns(operand, where)

        def matches(node: Any) -> bool:
            for value in values(node):
                text = _as_text(value)
                if text is not None and any(pattern.search(text) for pattern in patterns):
                    return True
            return False

        return matches

    def _op_not_matches(self, values: Callable[[Any], list[Any]], operand: Any, where: tuple[str | int, ...]) -> Predicate:
        matches = self._op_matches(values, operand, where)
        return lambda node: not matches(node)

    def _op_contains(self, values: Callable[[Any], list[Any]], operand: Any, where: tuple[str | int, ...]) -> Predicate:
        expected = self.operand(operand, where)

        def contains(node: Any) -> bool:
            for value in values(node):
                if isinstance(value, list) and any(_same(item, expected) for item in value):
                    return True
                if isinstance(value, dict) and expected in value:
                    return True
                if isinstance(value, str) and isinstance(expected, str) and expected in value:
                    return True
            return False

        return contains

    def _op_not_contains(self, values: Callable[[Any], list[Any]], operand: Any, where: tuple[str | int, ...]) -> Predicate:
        contains = self._op_contains(values, operand, where)
        return lambda node: not contains(node)

    def _op_contains_match(self, values: Callable[[Any], list[Any]], operand: Any, where: tuple[str | int, ...]) -> Predicate:
        patterns = self._patterns(operand, where)

        def contains_match(node: Any) -> bool:
            for value in values(node):
                items = value if isinstance(value, list) else list(value) if isinstance(value, dict) else []
                for item in items:
                    text = _as_text(item)
                    if text is not None and any(pattern.search(text) for pattern in patterns):
                        return True
            return False

        return contains_match

    def _text_test(self, values: Callable[[Any], list[Any]], operand: Any, where: tuple[str | int, ...], method: str) -> Predicate:
        resolved = self.operand(operand, where)
        options = tuple(resolved) if isinstance(resolved, list) else (resolved,)
        if not all(isinstance(option, str) for option in options):
            raise ConditionError(f"{method} takes text or a list of texts", where)
        return lambda node: any(isinstance(value, str) and getattr(value, method)(options) for value in values(node))

    def _op_startswith(self, values: Callable[[Any], list[Any]], operand: Any, where: tuple[str | int, ...]) -> Predicate:
        return self._text_test(values, operand, where, "startswith")

    def _op_endswith(self, values: Callable[[Any], list[Any]], operand: Any, where: tuple[str | int, ...]) -> Predicate:
        return self._text_test(values, operand, where, "endswith")

    def _compare(self, values: Callable[[Any], list[Any]], operand: Any, where: tuple[str | int, ...], test: Callable[[float, float], bool]) -> Predicate:
        bound = _number(self.operand(operand, where), where)

        def compare(node: Any) -> bool:
            for value in values(node):
                if isinstance(value, int | float) and not isinstance(value, bool) and not math.isnan(value):
                    if test(float(value), bound):
                        return True
            return False

        return compare

    def _op_gt(self, values: Callable[[Any], list[Any]], operand: Any, where: tuple[str | int, ...]) -> Predicate:
        return self._compare(values, operand, where, lambda value, bound: value > bound)

    def _op_gte(self, values: Callable[[Any], list[Any]], operand: Any, where: tuple[str | int, ...]) -> Predicate:
        return self._compare(values, operand, where, lambda value, bound: value >= bound)

    def _op_lt(self, values: Callable[[Any], list[Any]], operand: Any, where: tuple[str | int, ...]) -> Predicate:
        return self._compare(values, operand, where, lambda value, bound: value < bound)

    def _op_lte(self, values: Callable[[Any], list[Any]], operand: Any, where: tuple[str | int, ...]) -> Predicate:
        return self._compare(values, operand, where, lambda value, bound: value <= bound)

    # Nested operators.
    def _bounds(self, comparison: Comparison, where: tuple[str | int, ...]) -> Callable[[int], bool]:
        checks: list[Callable[[int], bool]] = []
        for name in ("equals", "gt", "gte", "lt", "lte"):
            raw = getattr(comparison, name)
            if raw is None:
                continue
            bound = self.operand(raw, (*where, name))
            if isinstance(bound, bool) or not isinstance(bound, int):
                raise ConditionError(f"{name} needs a whole number", (*where, name))
            checks.append(_BOUND_TESTS[name](bound))
        return lambda size: all(check(size) for check in checks)

    def _op_length(self, values: Callable[[Any], list[Any]], operand: Comparison, where: tuple[str | int, ...]) -> Predicate:
        within = self._bounds(operand, where)

        def length(node: Any) -> bool:
            sized = [value for value in values(node) if isinstance(value, list | dict | str)]
            if not sized:
                return within(0)
            return any(within(len(value)) for value in sized)

        return length

    def _op_count(self, values: Callable[[Any], list[Any]], operand: Count, where: tuple[str | int, ...]) -> Predicate:
        within = self._bounds(operand, where)
        predicate = self.compile(operand.where, (*where, "where")) if operand.where is not None else None

        def count(node: Any) -> bool:
            total = 0
            for item in _items(values(node)):
                if predicate is None or predicate(item):
                    total += 1
            return within(total)

        return count

    def _nested(self, conditions: Sequence[Condition], where: tuple[str | int, ...]) -> list[Predicate]:
        return [self.compile(condition, (*where, number)) for number, condition in enumerate(conditions)]

    def _op_all(self, values: Callable[[Any], list[Any]], operand: list[Condition], where: tuple[str | int, ...]) -> Predicate:
        predicates = self._nested(operand, where)
        return lambda node: any(all(predicate(value) for predicate in predicates) for value in values(node))

    def _op_any(self, values: Callable[[Any], list[Any]], operand: list[Condition], where: tuple[str | int, ...]) -> Predicate:
        predicates = self._nested(operand, where)
        return lambda node: any(any(predicate(value) for predicate in predicates) for value in values(node))

    def _op_not(self, values: Callable[[Any], list[Any]], operand: Condition, where: tuple[str | int, ...]) -> Predicate:
        predicate = self.compile(operand, where)
        return lambda node: not any(predicate(value) for value in values(node))

    def _op_any_item(self, values: Callable[[Any], list[Any]], operand: Condition, where: tuple[str | int, ...]) -> Predicate:
        predicate = self.compile(operand, where)
        return lambda node: any(predicate(item) for item in _items(values(node)))

    def _op_all_items(self, values: Callable[[Any], list[Any]], operand: Condition, where: tuple[str | int, ...]) -> Predicate:
        predicate = self.compile(operand, where)
        return lambda node: all(predicate(item) for item in _items(values(node)))

    def _op_no_item(self, values: Callable[[Any], list[Any]], operand: Condition, where: tuple[str | int, ...]) -> Predicate:
        predicate = self.compile(operand, where)
        return lambda node: not any(predicate(item) for item in _items(values(node)))


_BOUND_TESTS: dict[str, Callable[[int], Callable[[int], bool]]] = {
    "equals": lambda bound: lambda size: size == bound,
    "gt": lambda bound: lambda size: size > bound,
    "gte": lambda bound: lambda size: size >= bound,
    "lt": lambda bound: lambda size: size < bound,
    "lte": lambda bound: lambda size: size <= bound,
}


def _items(values: list[Any]) -> list[Any]:
    items: list[Any] = []
    for value in values:
        if isinstance(value, list):
            items.extend(value)
        elif isinstance(value, dict):
            items.extend(value.values())
    return items


def compile_conditions(conditions: Sequence[Condition], parameters: dict[str, Any]) -> Predicate:
    """Compile a rule's ``when`` list into one predicate: all conditions must hold."""
    compiler = _Compiler(parameters)
    predicates = [compiler.compile(condition, ("when", number)) for number, condition in enumerate(conditions)]
    if not predicates:
        return lambda node: True
    if len(predicates) == 1:
        return predicates[0]
    return lambda node: all(predicate(node) for predicate in predicates)
