"""Compile rule conditions into predicates, once, when a policy loads.

A compiled predicate takes the matched node and returns whether the condition
holds. Regular expressions run on RE2 (google-re2), which has no backtracking,
so a pattern in a policy cannot stall evaluation; patterns RE2 rejects
(backreferences, lookaround) are policy errors. A pattern sees at most the
first :data:`~prodpolicy.limits.MAX_REGEX_INPUT_CHARS` characters of a value,
which bounds the time of each match.

When the loader passes the document schema, every ``field`` is also checked
against it, so a misspelt field is an error at load time instead of a
condition that never holds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import re2

from ..durations import parse_duration
from ..limits import MAX_REGEX_INPUT_CHARS
from .docschema import DocumentSchema, SchemaPathError
from .jsonpath import CompiledPath, JSONPathError, compile_path
from .regex import RE2_OPTIONS, search_any
from .plain import plain_evaluation
from .spec import BoundsSpec, ConditionSpec

Predicate = Callable[[Any], bool]
Values = Callable[[Any], list[Any]]
Location = tuple[str | int, ...]
SchemaNodes = list[dict[str, Any]] | None

# Operators whose operand may be another field of the node: {field: path}.
_FIELD_OPERAND_OPERATORS = frozenset({"equals", "not_equals", "gt", "gte", "lt", "lte"})


class ConditionError(ValueError):
    """Raised for a condition that cannot be compiled.

    ``location`` is the path inside the rule; ``parameter`` names the rule
    parameter whose value caused the error, so an override can be blamed.
    """

    def __init__(self, message: str, location: Location = (), parameter: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.parameter = parameter


class ConditionErrors(ValueError):
    """Raised with every condition that could not be compiled."""

    def __init__(self, errors: list[ConditionError]) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors


def compile_regex(pattern: Any, location: Location = ()) -> Any:
    """Compile a policy regular expression with RE2, or raise :class:`ConditionError`."""
    if isinstance(pattern, dict) and set(pattern) == {"param"}:
        raise ConditionError(
            "a parameter cannot be one item of a list of patterns: give {param: NAME} alone, "
            "with a parameter of type list, or list the patterns themselves",
            location,
            pattern["param"] if isinstance(pattern["param"], str) else None,
        )
    if not isinstance(pattern, str):
        raise ConditionError(f"a regular expression must be text, not {type(pattern).__name__}", location)
    try:
        return re2.compile(pattern, RE2_OPTIONS)
    except Exception as error:  # noqa: BLE001 - google-re2 raises its own error class without a stable import path
        detail = error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else str(error)
        # RE2 reports a lookaround as a Perl operator and a backreference as an escape: name the real cause.
        hint = ""
        if detail.startswith(("invalid perl operator", "invalid escape sequence: \\")):
            hint = " (RE2 syntax has no backreferences or lookaround)"
        raise ConditionError(f"invalid regular expression {pattern!r}: {detail}{hint}", location) from None


@dataclass(frozen=True, slots=True)
class _FieldOperand:
    """An operand read from another field of the tested node."""

    values: Values


def _itself(node: Any) -> list[Any]:
    """Return the values of a condition without ``field``: the node itself."""
    return [] if node is None else [node]


def _field_values(path: CompiledPath | None) -> Values:
    if path is None:
        return _itself
    if path.names is not None and len(path.names) == 1:
        # The most common field, one name, without CompiledPath.values' loop; the same values.
        name = path.names[0]

        def named(node: Any) -> list[Any]:
            if isinstance(node, dict):
                value = node.get(name)
                if value is not None:
                    return [value]
            return []

        # Operators that run per node many times read the one value directly (see _single_name and _one_value).
        named.field_name = name  # type: ignore[attr-defined]
        named.one_value = lambda node: node.get(name) if isinstance(node, dict) else None  # type: ignore[attr-defined]
        return named
    if path.names is not None and len(path.names) == 2:
        # Two names, such as package.manager or facts.shipped, are the next most common field. The values are the same.
        first, second = path.names

        def one_value(node: Any) -> Any:
            if isinstance(node, dict):
                outer = node.get(first)
                if isinstance(outer, dict):
                    return outer.get(second)
            return None

        def named_twice(node: Any) -> list[Any]:
            value = one_value(node)
            return [] if value is None else [value]

        named_twice.one_value = one_value  # type: ignore[attr-defined]
        return named_twice
    return path.values


def _one_value(values: Values) -> Callable[[Any], Any] | None:
    """Return the function that gives the field's one value (or None) when ``values`` reads a field of names, else None.

    A field of one or two names has at most one value, so tests can compare it directly
    instead of building the list of values.
    """
    return getattr(values, "one_value", None)


def _single_name(values: Values) -> str | None:
    """Return the field name when ``values`` reads one named field of the node, else None."""
    return getattr(values, "field_name", None)


def regex_input(value: Any) -> str | None:
    """Return the text a pattern is matched against: the value as text, cut to the regex input limit."""
    # Most values are texts: they skip the conversion.
    text = value if type(value) is str else _as_text(value)
    if text is not None and len(text) > MAX_REGEX_INPUT_CHARS:
        # NOTE: a match after the cut is missed; no field of a document within the file size limit is this long.
        return text[:MAX_REGEX_INPUT_CHARS]
    return text


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


def _number(value: Any, location: Location) -> float:
    if isinstance(value, bool):
        raise ConditionError("a comparison needs a number or a duration, not a boolean", location)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        seconds = parse_duration(value.strip())
        if seconds is not None:
            return seconds
    raise ConditionError(f"a comparison needs a number or a duration such as 30s, not {value!r}", location)


def _measure(value: Any) -> float | None:
    """Return a document value as a number for comparisons: numbers, and durations written as text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if math.isnan(value) else float(value)
    if isinstance(value, str):
        return parse_duration(value.strip())
    return None


def _parameter_name(operand: Any) -> str | None:
    if isinstance(operand, dict) and set(operand) == {"param"} and isinstance(operand["param"], str):
        return operand["param"]
    return None


class _Compiler:
    def __init__(self, parameters: dict[str, Any], schema: DocumentSchema | None, kinds: str) -> None:
        self.parameters = parameters
        self.schema = schema
        self.kinds = kinds

    def operand(self, value: Any, location: Location) -> Any:
        name = _parameter_name(value)
        if name is not None:
            return self.parameter(name, location)
        return value

    def parameter(self, name: str, location: Location) -> Any:
        if name not in self.parameters:
            known = ", ".join(sorted(self.parameters)) or "none"
            raise ConditionError(f"unknown parameter {name!r}; the rule defines: {known}", location)
        return self.parameters[name]

    def relative_path(self, text: Any, location: Location, nodes: SchemaNodes) -> tuple[CompiledPath, SchemaNodes]:
        """Compile a path relative to the tested node and check it against the schema."""
        if not isinstance(text, str):
            raise ConditionError(f"a field path must be text, not {type(text).__name__}", location)
        try:
            path = compile_path(text)
        except JSONPathError as error:
            raise ConditionError(str(error), location) from None
        if not path.relative:
            raise ConditionError("a field is relative to the matched node; drop the leading $", location)
        if nodes is None or self.schema is None:
            return path, None
        try:
            reached = self.schema.select(nodes, path.steps, "@")
        except SchemaPathError as unreachable:
            raise ConditionError(f"field {text!r} cannot exist in a {self.kinds} document: {unreachable}", location) from None
        return path, reached

    def compile(self, condition: ConditionSpec, location: Location, nodes: SchemaNodes) -> Predicate:
        path = None
        field_nodes = nodes
        if condition.field is not None:
            path, field_nodes = self.relative_path(condition.field, (*location, "field"), nodes)
        values = _field_values(path)
        operator = condition.operator
        operand = condition.operand
        where = (*location, operator)
        if operator in _FIELD_OPERAND_OPERATORS and isinstance(operand, dict) and set(operand) == {"field"}:
            reference, _ = self.relative_path(operand["field"], (*where, "field"), nodes)
            operand = _FieldOperand(reference.values)
        builder = getattr(self, f"_op_{operator}")
        try:
            return builder(values, operand, where, field_nodes)
        except ConditionError as error:
            if error.parameter is None:
                error.parameter = _parameter_name(operand)
            raise

    def item_nodes(self, nodes: SchemaNodes, where: Location) -> SchemaNodes:
        if nodes is None or self.schema is None:
            return None
        try:
            return self.schema.items(nodes, "the field")
        except SchemaPathError as error:
            raise ConditionError(f"{where[-1]} needs a list or mapping field: {error}", where) from None

    # Value operators.
    def _op_exists(self, values: Values, operand: Any, where: Location, _nodes: SchemaNodes) -> Predicate:
        expected = self.operand(operand, where)
        if not isinstance(expected, bool):
            raise ConditionError("exists takes true or false", where)
        one_value = _one_value(values)
        if one_value is not None:
            return lambda node: (one_value(node) is not None) is expected
        return lambda node: bool(values(node)) is expected

    def _op_absent(self, values: Values, operand: Any, where: Location, _nodes: SchemaNodes) -> Predicate:
        expected = self.operand(operand, where)
        if not isinstance(expected, bool):
            raise ConditionError("absent takes true or false", where)
        one_value = _one_value(values)
        if one_value is not None:
            return lambda node: (one_value(node) is None) is expected
        return lambda node: (not values(node)) is expected

    def _op_equals(self, values: Values, operand: Any, where: Location, _nodes: SchemaNodes) -> Predicate:
        if isinstance(operand, _FieldOperand):
            other = operand.values
            return lambda node: any(_same(value, item) for value in values(node) for item in other(node))
        expected = self.operand(operand, where)
        name = _single_name(values)
        one_value = _one_value(values)
        if isinstance(expected, str):
            # Only text equals text, so list membership (identity, then ==) gives the same result as _same,
            # and so does comparing a field's one value.
            if name is not None:
                return lambda node: isinstance(node, dict) and node.get(name) == expected
            if one_value is not None:
                return lambda node: one_value(node) == expected
            return lambda node: expected in values(node)
        if isinstance(expected, bool) and one_value is not None:
            return lambda node: one_value(node) is expected
        if isinstance(expected, bool):
            # A boolean only equals the same boolean, never 0 or 1.
            def same_boolean(node: Any) -> bool:
                for value in values(node):
                    if value is expected:
                        return True
                return False

            return same_boolean
        return lambda node: any(_same(value, expected) for value in values(node))

    def _op_not_equals(self, values: Values, operand: Any, where: Location, nodes: SchemaNodes) -> Predicate:
        equals = self._op_equals(values, operand, where, nodes)
        return lambda node: not equals(node)

    def _op_in(self, values: Values, operand: Any, where: Location, _nodes: SchemaNodes) -> Predicate:
        options = self.operand(operand, where)
        if not isinstance(options, list):
            raise ConditionError("in takes a list of values", where)
        if options and all(isinstance(option, str) for option in options):
            texts = frozenset(options)
            name = _single_name(values)
            if name is not None:

                def field_in_texts(node: Any) -> bool:
                    if not isinstance(node, dict):
                        return False
                    value = node.get(name)
                    return isinstance(value, str) and value in texts

                return field_in_texts

            def in_texts(node: Any) -> bool:
                for value in values(node):
                    if isinstance(value, str) and value in texts:
                        return True
                return False

            return in_texts
        return lambda node: any(_same(value, option) for value in values(node) for option in options)

    def _op_not_in(self, values: Values, operand: Any, where: Location, nodes: SchemaNodes) -> Predicate:
        inside = self._op_in(values, operand, where, nodes)
        return lambda node: not inside(node)

    def _patterns(self, operand: Any, where: Location) -> list[Any]:
        resolved = self.operand(operand, where)
        if isinstance(resolved, list):
            return [compile_regex(item, (*where, number)) for number, item in enumerate(resolved)]
        return [compile_regex(resolved, where)]

    def _op_matches(self, values: Values, operand: Any, where: Location, _nodes: SchemaNodes) -> Predicate:
        found_in = search_any(self._patterns(operand, where))
        name = _single_name(values)
        if name is not None:
            # The same test as below for a field of one name, without building its list of values.
            def matches_field(node: Any) -> bool:
                if not isinstance(node, dict):
                    return False
                value = node.get(name)
                if type(value) is str and len(value) <= MAX_REGEX_INPUT_CHARS:
                    return found_in(value)
                if value is None:
                    return False
                text = regex_input(value)
                return text is not None and found_in(text)

            return matches_field

        def matches(node: Any) -> bool:
            for value in values(node):
                text = regex_input(value)
                if text is not None and found_in(text):
                    return True
            return False

        return matches

    def _op_not_matches(self, values: Values, operand: Any, where: Location, nodes: SchemaNodes) -> Predicate:
        matches = self._op_matches(values, operand, where, nodes)
        return lambda node: not matches(node)

    def _op_contains(self, values: Values, operand: Any, where: Location, _nodes: SchemaNodes) -> Predicate:
        expected = self.operand(operand, where)

        def contains(node: Any) -> bool:
            for value in values(node):
                if isinstance(value, list) and any(_same(item, expected) for item in value):
                    return True
                # The keys of a document's mappings are strings, so any other operand matches no key. A list or
                # a mapping operand cannot even be looked up.
                if isinstance(value, dict) and isinstance(expected, str) and expected in value:
                    return True
                if isinstance(value, str) and isinstance(expected, str) and expected in value:
                    return True
            return False

        return contains

    def _op_not_contains(self, values: Values, operand: Any, where: Location, nodes: SchemaNodes) -> Predicate:
        contains = self._op_contains(values, operand, where, nodes)
        return lambda node: not contains(node)

    def _op_contains_match(self, values: Values, operand: Any, where: Location, _nodes: SchemaNodes) -> Predicate:
        found_in = search_any(self._patterns(operand, where))

        def contains_match(node: Any) -> bool:
            for value in values(node):
                items = value if isinstance(value, list) else list(value) if isinstance(value, dict) else []
                for item in items:
                    text = regex_input(item)
                    if text is not None and found_in(text):
                        return True
            return False

        return contains_match

    def _op_contains_all(self, values: Values, operand: Any, where: Location, _nodes: SchemaNodes) -> Predicate:
        required = self.operand(operand, where)
        if not isinstance(required, list):
            raise ConditionError("contains_all takes a list of values", where)
        if not required:
            # Nothing is required, so nothing can be missing, even from a field that is absent.
            return lambda node: True

        def contains_all(node: Any) -> bool:
            for value in values(node):
                # A mapping is tested by its keys, as labels and environment variables are named by them.
                if isinstance(value, dict):
                    items = list(value)
                elif isinstance(value, list):
                    items = value
                else:
                    continue
                if all(any(_same(item, wanted) for item in items) for wanted in required):
                    return True
            return False

        return contains_all

    def _text_test(self, values: Values, operand: Any, where: Location, method: str) -> Predicate:
        resolved = self.operand(operand, where)
        options = tuple(resolved) if isinstance(resolved, list) else (resolved,)
        if not all(isinstance(option, str) for option in options):
            raise ConditionError(f"{method} takes text or a list of texts", where)
        return lambda node: any(isinstance(value, str) and getattr(value, method)(options) for value in values(node))

    def _op_startswith(self, values: Values, operand: Any, where: Location, _nodes: SchemaNodes) -> Predicate:
        return self._text_test(values, operand, where, "startswith")

    def _op_endswith(self, values: Values, operand: Any, where: Location, _nodes: SchemaNodes) -> Predicate:
        return self._text_test(values, operand, where, "endswith")

    def _compare(self, values: Values, operand: Any, where: Location, test: Callable[[float, float], bool]) -> Predicate:
        if isinstance(operand, _FieldOperand):
            other = operand.values

            def compare_fields(node: Any) -> bool:
                bounds = [bound for bound in (_measure(item) for item in other(node)) if bound is not None]
                measured = [value for value in (_measure(item) for item in values(node)) if value is not None]
                return any(test(value, bound) for value in measured for bound in bounds)

            return compare_fields
        bound = _number(self.operand(operand, where), where)

        def compare(node: Any) -> bool:
            for value in values(node):
                measured = _measure(value)
                if measured is not None and test(measured, bound):
                    return True
            return False

        return compare

    def _op_gt(self, values: Values, operand: Any, where: Location, _nodes: SchemaNodes) -> Predicate:
        return self._compare(values, operand, where, lambda value, bound: value > bound)

    def _op_gte(self, values: Values, operand: Any, where: Location, _nodes: SchemaNodes) -> Predicate:
        return self._compare(values, operand, where, lambda value, bound: value >= bound)

    def _op_lt(self, values: Values, operand: Any, where: Location, _nodes: SchemaNodes) -> Predicate:
        return self._compare(values, operand, where, lambda value, bound: value < bound)

    def _op_lte(self, values: Values, operand: Any, where: Location, _nodes: SchemaNodes) -> Predicate:
        return self._compare(values, operand, where, lambda value, bound: value <= bound)

    # Nested operators.
    def _bounds(self, comparison: BoundsSpec, where: Location) -> Callable[[int], bool]:
        checks: list[Callable[[int], bool]] = []
        for name, raw in comparison.bounds:
            bound = self.operand(raw, (*where, name))
            if isinstance(bound, bool) or not isinstance(bound, int):
                parameter = _parameter_name(raw)
                found = f", and parameter {parameter!r} is {bound!r}" if parameter else f", not {bound!r}"
                raise ConditionError(f"{name} needs a whole number{found}", (*where, name), parameter)
            checks.append(_bound_test(name, bound))
        # Most lengths and counts have one or two bounds: those skip the generator.
        if len(checks) == 1:
            return checks[0]
        if len(checks) == 2:
            low, high = checks
            return lambda size: low(size) and high(size)
        return lambda size: all(check(size) for check in checks)

    def _op_length(self, values: Values, operand: BoundsSpec, where: Location, _nodes: SchemaNodes) -> Predicate:
        within = self._bounds(operand, where)
        one_value = _one_value(values)
        if one_value is not None:
            # A field of names has at most one value: the same test without the list.
            def length_of_field(node: Any) -> bool:
                value = one_value(node)
                return within(len(value) if isinstance(value, list | dict | str) else 0)

            return length_of_field

        def length(node: Any) -> bool:
            sized = [value for value in values(node) if isinstance(value, list | dict | str)]
            if not sized:
                return within(0)
            return any(within(len(value)) for value in sized)

        return length

    def _op_count(self, values: Values, operand: BoundsSpec, where: Location, nodes: SchemaNodes) -> Predicate:
        within = self._bounds(operand, where)
        predicate = None
        if operand.where is not None:
            predicate = self.compile(operand.where, (*where, "where"), self.item_nodes(nodes, where))

        def count(node: Any) -> bool:
            total = 0
            for item in _items(values(node)):
                if predicate is None or predicate(item):
                    total += 1
            return within(total)

        return count

    def _nested(self, conditions: Sequence[ConditionSpec], where: Location, nodes: SchemaNodes) -> list[Predicate]:
        return [self.compile(condition, (*where, number), nodes) for number, condition in enumerate(conditions)]

    def _op_all(self, values: Values, operand: Sequence[ConditionSpec], where: Location, nodes: SchemaNodes) -> Predicate:
        predicates = self._nested(operand, where, nodes)
        holds = _all_of(predicates)
        if values is _itself:
            # Without a field, all tests the node itself, which is never null here.
            return lambda node: node is not None and holds(node)

        def all_of_values(node: Any) -> bool:
            for value in values(node):
                if holds(value):
                    return True
            return False

        return all_of_values

    def _op_any(self, values: Values, operand: Sequence[ConditionSpec], where: Location, nodes: SchemaNodes) -> Predicate:
        predicates = self._nested(operand, where, nodes)
        if values is _itself:

            def any_of_node(node: Any) -> bool:
                if node is None:
                    return False
                for predicate in predicates:
                    if predicate(node):
                        return True
                return False

            guard = self._shared_requirement(operand, where, nodes)
            if guard is not None:
                return lambda node: guard(node) and any_of_node(node)
            return any_of_node

        def any_of(node: Any) -> bool:
            for value in values(node):
                for predicate in predicates:
                    if predicate(value):
                        return True
            return False

        return any_of

    def _shared_requirement(self, branches: Sequence[ConditionSpec], where: Location, nodes: SchemaNodes) -> Predicate | None:
        """Return one test that every branch of an ``any`` needs, when each needs a match in the same list.

        Branches such as ``commands`` ``any_item`` ``text`` ``matches: next`` (one
        per tool) each require some item's text to match their own pattern. A node
        where no item matches any of the patterns satisfies no branch, and one RE2
        search over the patterns together finds that, instead of one per branch.
        The branches still decide for the nodes that pass, so results do not change.
        """
        if plain_evaluation():
            return None
        requirements = [_item_match(branch) for branch in branches]
        if len(requirements) < 3 or None in requirements:
            return None
        fields = {(outer, inner) for outer, inner, _ in requirements}  # type: ignore[misc]
        if len(fields) != 1:
            return None
        patterns: list[Any] = []
        for _, _, operand in requirements:  # type: ignore[misc]
            resolved = self.operand(operand, where)
            patterns.extend(resolved if isinstance(resolved, list) else [resolved])
        ((outer, inner),) = fields
        combined = ConditionSpec("any_item", ConditionSpec("matches", patterns, inner), outer)
        return self.compile(combined, where, nodes)

    def _op_not(self, values: Values, operand: ConditionSpec, where: Location, nodes: SchemaNodes) -> Predicate:
        predicate = self.compile(operand, where, nodes)
        return lambda node: not any(predicate(value) for value in values(node))

    def _op_any_item(self, values: Values, operand: ConditionSpec, where: Location, nodes: SchemaNodes) -> Predicate:
        predicate = self.compile(operand, where, self.item_nodes(nodes, where))
        name = _single_name(values)
        if name is not None:
            # The same test as below for a field of one name, iterating its items without copying them.
            def any_item_of_field(node: Any) -> bool:
                if not isinstance(node, dict):
                    return False
                value = node.get(name)
                if isinstance(value, dict):
                    value = value.values()
                elif not isinstance(value, list):
                    return False
                for item in value:
                    if predicate(item):
                        return True
                return False

            return any_item_of_field

        def any_item(node: Any) -> bool:
            for item in _items(values(node)):
                if predicate(item):
                    return True
            return False

        return any_item

    def _op_all_items(self, values: Values, operand: ConditionSpec, where: Location, nodes: SchemaNodes) -> Predicate:
        predicate = self.compile(operand, where, self.item_nodes(nodes, where))
        return lambda node: all(predicate(item) for item in _items(values(node)))

    def _op_no_item(self, values: Values, operand: ConditionSpec, where: Location, nodes: SchemaNodes) -> Predicate:
        predicate = self.compile(operand, where, self.item_nodes(nodes, where))

        def no_item(node: Any) -> bool:
            for item in _items(values(node)):
                if predicate(item):
                    return False
            return True

        return no_item


def _item_match(condition: ConditionSpec) -> tuple[str, str | None, Any] | None:
    """Return (list field, item field, patterns) when ``condition`` requires an item of a list to match patterns.

    That is so for ``field: F, any_item: {field: G, matches: P}``, and for an
    ``all`` without a field whose first condition is one.
    """
    if condition.operator == "all" and condition.field is None and condition.operand:
        return _item_match(condition.operand[0])
    item = condition.operand
    if condition.operator != "any_item" or condition.field is None or item.operator != "matches":
        return None
    return condition.field, item.field, item.operand


def _bound_test(name: str, bound: int) -> Callable[[int], bool]:
    """Return the test of a size against one bound, as one lambda per comparison so that a test is a single call."""
    if name == "equals":
        return lambda size: size == bound
    if name == "gt":
        return lambda size: size > bound
    if name == "gte":
        return lambda size: size >= bound
    if name == "lt":
        return lambda size: size < bound
    return lambda size: size <= bound


def _all_of(predicates: list[Predicate]) -> Predicate:
    """Return a predicate that holds when every one of ``predicates`` does, testing them in order."""
    if len(predicates) == 1:
        return predicates[0]
    if len(predicates) == 2:
        first, second = predicates
        return lambda node: first(node) and second(node)

    def all_of(node: Any) -> bool:
        for predicate in predicates:
            if not predicate(node):
                return False
        return True

    return all_of


def _items(values: list[Any]) -> list[Any]:
    items: list[Any] = []
    for value in values:
        if isinstance(value, list):
            items.extend(value)
        elif isinstance(value, dict):
            items.extend(value.values())
    return items


def compile_conditions(
    conditions: Sequence[ConditionSpec],
    parameters: dict[str, Any],
    schema: DocumentSchema | None = None,
    nodes: SchemaNodes = None,
    kinds: str = "",
) -> Predicate:
    """Compile a rule's ``when`` list into one predicate: all conditions must hold.

    With ``schema`` and the schema ``nodes`` that ``given`` reaches, every field
    path is checked against the document model; ``kinds`` names the input kinds
    in messages. Raises :class:`ConditionErrors` with the first mistake of each
    top-level condition.
    """
    compiler = _Compiler(parameters, schema, kinds)
    predicates: list[Predicate] = []
    errors: list[ConditionError] = []
    for number, condition in enumerate(conditions):
        try:
            predicates.append(compiler.compile(condition, ("when", number), nodes))
        except ConditionError as error:
            errors.append(error)
    if errors:
        raise ConditionErrors(errors)
    if not predicates:
        return lambda node: True
    return _all_of(predicates)
