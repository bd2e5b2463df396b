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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .document import Location, Path

try:
    _BaseLoader: type = yaml.CSafeLoader  # type: ignore[attr-defined]
except AttributeError:  # PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

DEFAULT_MAX_VALUES = 1_000_000
DEFAULT_MAX_DEPTH = 200

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


class YAMLError(ValueError):
    """Raised for YAML that cannot be loaded; carries the 1-based line and column."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


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
    """A composer only: construction is done by :class:`_Builder`."""


@dataclass
class YAMLData:
    """Loaded data with positions: ``locations`` maps paths to where the key or item starts."""

    data: Any
    locations: dict[Path, Location] = field(default_factory=dict)
    tags: dict[Path, str] = field(default_factory=dict)


def load_yaml(
    text: str,
    allowed_tags: frozenset[str] = frozenset(),
    max_values: int = DEFAULT_MAX_VALUES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> YAMLData:
    """Load one YAML document; raise :class:`YAMLError` with a position when it is invalid."""
    loader = _Loader(text)
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
        return YAMLData(None)
    size = _expanded_size(node, {}, set(), max_values)
    if size > max_values:
        raise YAMLError(
            f"the document expands to more than {max_values:,} values through aliases; this looks like an "
            "alias bomb (raise the limit with --max-yaml-values if the file is genuine)",
            _first_alias_line(text),
        )
    builder = _Builder(allowed_tags, max_depth)
    data = builder.build(node, (), None, 0)
    return YAMLData(data, builder.locations, builder.tags)


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


def _position(node: yaml.Node) -> Location:
    return Location(node.start_mark.line + 1, node.end_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, allowed_tags: frozenset[str], max_depth: int) -> None:
        self.allowed_tags = allowed_tags
        self.max_depth = max_depth
        self.locations: dict[Path, Location] = {}
        self.tags: dict[Path, str] = {}

    def build(self, node: yaml.Node, path: Path, location: Location | None, depth: int) -> Any:
        if depth > self.max_depth:
            raise YAMLError(
                f"the document nests deeper than {self.max_depth} levels", node.start_mark.line + 1, node.start_mark.column + 1
            )
        if location is not None:
            self.locations[path] = location
        tag = node.tag
        if tag.startswith("!") and not tag.startswith("!!"):
            if tag not in self.allowed_tags:
                raise YAMLError(f"unsupported tag {tag}", node.start_mark.line + 1, node.start_mark.column + 1)
            self.tags[path] = tag
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if tag not in (_SEQ, _MAP) and tag not in self.allowed_tags:
            raise YAMLError(f"unsupported tag {tag}", node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index), _position(item), depth + 1) for index, item in enumerate(node.value)]
        return self._mapping(node, path, depth)

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        value = node.value
        if tag == _STR or tag in self.allowed_tags:
            return value
        if tag not in _STANDARD_SCALARS:
            raise YAMLError(f"unsupported tag {tag}", node.start_mark.line + 1, node.start_mark.column + 1)
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
        result: dict[str, Any] = {}
        seen: dict[str, int] = {}
        merged: list[tuple[yaml.Node, Location]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.extend((source, _position(key_node)) for source in self._merge_sources(value_node))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise YAMLError("mapping keys must be scalars", key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            # Keys are strings in every format we read, so 1: and true: stay as written.
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                raise YAMLError(f"duplicate key {key!r} (first defined at line {seen[key]})", line, key_node.start_mark.column + 1)
            seen[key] = line
            location = Location(line, value_node.end_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, (*path, key), location, depth + 1)
        for source, location in merged:
            for key, value_node in self._merge_pairs(source):
                if key not in result:
                    result[key] = self.build(value_node, (*path, key), location, depth + 1)
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
