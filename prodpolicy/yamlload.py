"""Load YAML into plain data with the source position of every key and list item.

PyYAML's own loaders follow YAML 1.1: ``no`` and ``on`` become booleans, ``22:22``
becomes the number 1342, a repeated key silently replaces the first one, and
aliases are expanded without limit. This loader composes the node graph (with
the C parser when PyYAML has it) and builds the data itself:

* scalars follow the YAML 1.2 core schema: only ``true``/``false`` are booleans,
  ``null``/``~``/empty are null, decimal, ``0o`` and ``0x`` integers and floats are
  numbers, everything else is a string;
* a repeated mapping key is an error naming both lines;
* merge keys (``<<``) are resolved; keys they bring in take the position of the
  ``<<`` line, and explicit keys win over merged ones;
* the number of values built through aliases is bounded, so a small file that
  expands exponentially is rejected before it uses the memory;
* tags other than the standard ones are rejected unless the caller allows them
  (compose allows ``!reset`` and ``!override``); allowed tags are reported by path.

Compose files are read with ``scalars="compose"``, which resolves plain scalars
the way docker compose's YAML library (go-yaml v3) does. Integers are parsed as
Go's ``strconv.ParseInt`` with base 0 after dropping underscores, so ``0755`` is
octal 493 and ``0b101`` is 5. An unquoted ``2024-01-01`` is a timestamp, which
compose then rejects; it is returned here as :class:`Timestamp`.

Style rules need to know whether some scalars are quoted, which the data alone
does not show. ``styles_for`` names mapping keys: the style of their scalar
values, and of the scalar items of their lists, is recorded by path.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from .document import Location, Path
from .limits import DEFAULT_LIMITS, Limits, current_limits
from .yamldata import YAMLData, YAMLError

__all__ = ["SCALAR_STYLES", "Builder", "Timestamp", "YAMLData", "YAMLError", "yaml_node", "load_yaml", "position", "resolve_go_yaml"]

try:
    _BaseLoader: type = yaml.CSafeLoader  # type: ignore[attr-defined]
except AttributeError:  # PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

DEFAULT_MAX_VALUES = DEFAULT_LIMITS.max_yaml_values
DEFAULT_MAX_DEPTH = DEFAULT_LIMITS.max_yaml_depth

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_STANDARD_SCALARS = frozenset(
    {_STR, "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"}
)


class _CoreResolver(yaml.resolver.Resolver):
    """Resolves plain scalars by the YAML 1.2 core schema instead of YAML 1.1."""

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}


for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:bool", _BOOL, "tTfF"),
    ("tag:yaml.org,2002:int", _INT, "-+0123456789"),
    ("tag:yaml.org,2002:float", _FLOAT, "-+0123456789."),
    ("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""]),
    (_MERGE, re.compile(r"^(?:<<)$"), "<"),
):
    _CoreResolver.add_implicit_resolver(_tag, _pattern, list(_first))


class _Loader(_BaseLoader, _CoreResolver):  # type: ignore[misc, valid-type]
    """A composer only: construction is done by :class:`Builder`."""


# Every plain scalar of a compose file gets this tag; Builder resolves it like go-yaml v3.
_PLAIN = "tag:prodpolicy,2024:plain"


class _ComposeResolver(yaml.resolver.Resolver):
    """Leaves plain scalars unresolved (tagged ``_PLAIN``) apart from the merge key."""

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        # The tag the two resolvers registered below give, without PyYAML's loop over them, which runs for
        # every scalar. No path resolver is registered, so other nodes get the default tags.
        if kind is yaml.ScalarNode and implicit[0]:
            return _MERGE if value == "<<" else _PLAIN
        return super().resolve(kind, value, implicit)


_ComposeResolver.add_implicit_resolver(_MERGE, re.compile(r"^(?:<<)$"), ["<"])
_ComposeResolver.add_implicit_resolver(_PLAIN, re.compile(r"(?s).*"), None)


class _ComposeLoader(_BaseLoader, _ComposeResolver):  # type: ignore[misc, valid-type]
    """A composer for compose files: plain scalars are resolved by :func:`resolve_go_yaml`."""


class Timestamp(str):
    """An unquoted date or time, which go-yaml v3 reads as a timestamp and compose rejects."""

    __slots__ = ()


_GO_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_GO_SPECIAL_FLOATS = {
    ".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
    "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
    "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
    ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan"),
}  # fmt: skip
_GO_TIMESTAMP = re.compile(
    r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$"
)
_GO_INT_PREFIXES = {"0x": 16, "0X": 16, "0o": 8, "0O": 8, "0b": 2, "0B": 2}
_GO_DIGITS = {2: frozenset("01"), 8: frozenset("01234567"), 10: frozenset("0123456789"), 16: frozenset("0123456789abcdefABCDEF")}


def resolve_go_yaml(value: str) -> Any:
    """Resolve a plain scalar as go-yaml v3 does when decoding into an untyped value."""
    if value in ("", "~", "null", "Null", "NULL"):
        return None
    if value in ("true", "True", "TRUE"):
        return True
    if value in ("false", "False", "FALSE"):
        return False
    special = _GO_SPECIAL_FLOATS.get(value)
    if special is not None:
        return special
    if not value or value[0] not in "+-.0123456789":
        return value
    if _GO_TIMESTAMP.match(value):
        return Timestamp(value)
    plain = value.replace("_", "")
    number = _go_parse_int(plain)
    if number is not None:
        return number
    if _GO_FLOAT.match(plain):
        return float(plain)
    return value


def _go_parse_int(text: str) -> int | None:
    """Parse like Go's strconv.ParseInt(text, 0, 64): sign, then 0x, 0o, 0b, a leading 0 (octal) or decimal."""
    sign = -1 if text[:1] == "-" else 1
    body = text[1:] if text[:1] in "+-" else text
    base = _GO_INT_PREFIXES.get(body[:2])
    if base is not None:
        digits = body[2:]
    elif len(body) > 1 and body[0] == "0":
        base, digits = 8, body[1:]
    else:
        base, digits = 10, body
    if not digits or not set(digits) <= _GO_DIGITS[base]:
        return None
    if len(digits.lstrip("0")) > 64:
        # Longer than any 64-bit number in any base; Python also refuses to convert thousands of digits.
        return None
    number = sign * int(digits, base)
    if not -(2**63) <= number < 2**63:
        return None
    return number


# Scalar style names by PyYAML's style mark (None is plain).
SCALAR_STYLES = {None: "plain", "": "plain", "'": "single", '"': "double", "|": "literal", ">": "folded"}


def load_yaml(
    text: str,
    allowed_tags: frozenset[str] = frozenset(),
    max_values: int | None = None,
    max_depth: int | None = None,
    scalars: str = "core",
    styles_for: frozenset[str] = frozenset(),
) -> YAMLData:
    """Load one YAML document; raise :class:`YAMLError` with a position when it is invalid.

    ``scalars`` is ``core`` (YAML 1.2 core schema) or ``compose`` (go-yaml v3, as docker compose reads).
    ``styles_for`` names keys whose scalar values and list items get their style recorded.
    ``max_values`` and ``max_depth`` default to the current ``max_yaml_values`` and
    ``max_yaml_depth`` limits (see :mod:`prodpolicy.limits`).
    """
    limits = current_limits()
    limits = Limits(
        max_yaml_values=max_values if max_values is not None else limits.max_yaml_values,
        max_yaml_depth=max_depth if max_depth is not None else limits.max_yaml_depth,
    )
    node = yaml_node(text, scalars, limits)
    if node is None:
        return YAMLData(None)
    builder = Builder(allowed_tags, limits, scalars == "compose", styles_for)
    data = builder.build(node, (), None, 0)
    return YAMLData(data, builder.locations, builder.tags, builder.styles, builder.merged)


def yaml_node(text: str, scalars: str = "core", limits: Limits | None = None) -> yaml.Node | None:
    """Parse one YAML document into PyYAML's node graph, or None for an empty one; raise :class:`YAMLError`.

    A document whose aliases would expand it past ``limits.max_yaml_values`` is
    rejected here, before anything is built. :class:`Builder` turns the graph into data.
    """
    limits = limits or current_limits()
    loader = _ComposeLoader(text) if scalars == "compose" else _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        problem = error.problem or "invalid YAML"
        context = f" {error.context}" if error.context else ""
        raise YAMLError(f"invalid YAML: {problem}{context}", line, column) from None
    except yaml.YAMLError as error:
        raise YAMLError(f"invalid YAML: {error}") from None
    finally:
        loader.dispose()
    if node is None:
        return None
    # Without an alias, a document has fewer than three values per character (a lone "?" is a mapping, a key
    # and a value), so a short one cannot go over the limit and is not counted. A "*" that is no alias only
    # means counting as before.
    must_count = "*" in text or 3 * len(text) + 3 > limits.max_yaml_values
    size = _expanded_size(node, {}, set(), limits.max_yaml_values) if must_count else 0
    if size > limits.max_yaml_values:
        raise YAMLError(
            limits.exceeded("max_yaml_values", "its aliases expand the document, as an alias bomb does, to more values than"),
            _first_alias_line(text),
        )
    return node


def _expanded_size(node: yaml.Node, memo: dict[int, int], active: set[int], limit: int) -> int:
    """Count the values building ``node`` would create, aliases expanded, stopping past ``limit``."""
    key = id(node)
    if key in memo:
        return memo[key]
    if key in active:
        raise YAMLError("an alias refers to a node that contains it", node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):
        return 1
    active.add(key)
    total = 1
    children = node.value if isinstance(node, yaml.SequenceNode) else [item for pair in node.value for item in pair]
    for child in children:
        total += _expanded_size(child, memo, active, limit)
        if total > limit:
            break
    active.discard(key)
    memo[key] = total
    return total


def _first_alias_line(text: str) -> int | None:
    """Return the line of the first alias (``*name``) in the text, found from the event stream."""
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                return event.start_mark.line + 1
    except yaml.YAMLError:
        return None
    return None


def position(node: yaml.Node) -> Location:
    """Return where a node starts, with the line where its text ends."""
    return Location(node.start_mark.line + 1, _end_line(node), node.start_mark.column + 1)


def _end_line(node: yaml.Node) -> int:
    """Return the 1-based line where a node's text ends.

    A block collection's end mark is where the next token starts, often on a
    later line, so the end is taken from its last descendant instead. A block
    scalar ends with its line break, at column 0 of the following line.
    """
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    end = node.end_mark
    if end.column == 0 and end.line > node.start_mark.line:
        return end.line
    return end.line + 1


class Builder:
    """Build data from a node graph, recording the location of every key and list item by path.

    A subclass can build other containers: :meth:`_new_mapping` makes a
    mapping, :meth:`_entry` runs after each key is set, and :meth:`_sequence`
    builds a list.
    """

    def __init__(self, allowed_tags: frozenset[str], limits: Limits, go_scalars: bool = False,
                 styles_for: frozenset[str] = frozenset()) -> None:  # fmt: skip
        self.allowed_tags = allowed_tags
        self.limits = limits
        self.max_depth = limits.max_yaml_depth
        self.go_scalars = go_scalars
        self.styles_for = styles_for
        self.locations: dict[Path, Location] = {}
        self.tags: dict[Path, str] = {}
        self.styles: dict[Path, str] = {}
        self.merged: set[Path] = set()

    def build(self, node: yaml.Node, path: Path, location: Location | None, depth: int) -> Any:
        if depth > self.max_depth:
            raise YAMLError(
                self.limits.exceeded("max_yaml_depth", "the document nests deeper than"),
                node.start_mark.line + 1,
                node.start_mark.column + 1,
            )
        if location is not None:
            self.locations[path] = location
        tag = node.tag
        if tag.startswith("!") and not tag.startswith("!!"):
            if tag not in self.allowed_tags:
                raise self._unsupported_tag(tag, node)
            self.tags[path] = tag
        if isinstance(node, yaml.ScalarNode):
            if self.styles_for and self._wants_style(path):
                self.styles[path] = SCALAR_STYLES.get(node.style, "plain")
            return self._scalar(node)
        if tag not in (_SEQ, _MAP) and tag not in self.allowed_tags:
            raise self._unsupported_tag(tag, node)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node, path, depth)
        return self._mapping(node, path, depth)

    def _unsupported_tag(self, tag: str, node: yaml.Node) -> YAMLError:
        also = f" and {', '.join(sorted(self.allowed_tags))}" if self.allowed_tags else ""
        message = f"unsupported tag {tag}; remove it: only YAML's standard tags{also} are read"
        return YAMLError(message, node.start_mark.line + 1, node.start_mark.column + 1)

    def _sequence(self, node: yaml.SequenceNode, path: Path, depth: int) -> list[Any]:
        return [self.build(item, (*path, index), position(item), depth + 1) for index, item in enumerate(node.value)]

    def _new_mapping(self) -> dict[str, Any]:
        return {}

    def _entry(self, mapping: dict[str, Any], key: str, path: Path, location: Location, merged: bool) -> None:
        """Record more about ``key`` after it is set in ``mapping``. This builder records nothing.

        ``merged`` is True when a merge key (``<<``) brought the key in.
        """

    def _wants_style(self, path: Path) -> bool:
        """Return True for a value under one of the keys in ``styles_for``, directly or as an item of its list."""
        if not path:
            return False
        key = path[-2] if isinstance(path[-1], int) and len(path) >= 2 else path[-1]
        return key in self.styles_for

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        value = node.value
        if tag == _PLAIN and self.go_scalars:
            return resolve_go_yaml(value)
        if tag == _STR or tag in self.allowed_tags:
            return value
        if tag not in _STANDARD_SCALARS:
            raise self._unsupported_tag(tag, node)
        if tag.endswith(":null"):
            return None
        if tag.endswith(":bool"):
            return value.lower() == "true"
        if tag.endswith(":int"):
            if value.startswith("0o"):
                return int(value[2:], 8)
            if value.startswith("0x"):
                return int(value[2:], 16)
            return int(value)
        if tag.endswith(":float"):
            lowered = value.lower()
            if lowered.endswith("inf"):
                return float("-inf") if lowered.startswith("-") else float("inf")
            if lowered == ".nan":
                return float("nan")
            return float(value)
        return value

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result = self._new_mapping()
        seen: dict[str, int] = {}
        merged: list[tuple[yaml.Node, Location]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.extend((source, position(key_node)) for source in self._merge_sources(value_node))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise YAMLError("mapping keys must be scalars", key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            # Keys are strings in every format we read, so 1: and true: stay as written.
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                raise YAMLError(f"duplicate key {key!r} (first defined at line {seen[key]})", line, key_node.start_mark.column + 1)
            seen[key] = line
            location = Location(line, max(line, _end_line(value_node)), key_node.start_mark.column + 1)
            child = (*path, key)
            result[key] = self.build(value_node, child, location, depth + 1)
            self._entry(result, key, child, location, False)
        for source, location in merged:
            for key, value_node in self._merge_pairs(source):
                if key not in result:
                    child = (*path, key)
                    result[key] = self.build(value_node, child, location, depth + 1)
                    self.merged.add(child)
                    self._entry(result, key, child, location, True)
        return result

    def _merge_sources(self, node: yaml.Node) -> list[yaml.Node]:
        if isinstance(node, yaml.MappingNode):
            return [node]
        if isinstance(node, yaml.SequenceNode) and all(isinstance(item, yaml.MappingNode) for item in node.value):
            return list(node.value)
        raise YAMLError("a merge key (<<) needs a mapping or a list of mappings", node.start_mark.line + 1)

    def _merge_pairs(self, node: yaml.MappingNode) -> list[tuple[str, yaml.Node]]:
        pairs: list[tuple[str, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                for source in self._merge_sources(value_node):
                    pairs.extend(self._merge_pairs(source))
                continue
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
            pairs.append((key, value_node))
        # Earlier keys win: keep the first occurrence of each key.
        unique: dict[str, tuple[str, yaml.Node]] = {}
        for pair in pairs:
            unique.setdefault(pair[0], pair)
        return list(unique.values())
