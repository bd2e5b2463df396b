"""Compile JSONPath selectors once and run them over document data.

jsonpath-ng parses the text; the parse tree is then turned into a flat list of
steps that this module runs directly over dicts and lists, about ten times
faster than asking jsonpath-ng to find matches on every call. Only RFC 9535
selectors are accepted: names, wildcards, indexes, slices and descendants.
Filters are not: rules select with ``given`` and test with typed conditions.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..document import Path

# One selection step: ("name", names), ("wildcard",), ("index", indexes), ("slice", start, end, step), ("descend",).
Step = tuple[Any, ...]


class JSONPathError(ValueError):
    """Raised when a path does not parse or uses a selector outside RFC 9535's basic set."""


@dataclass(frozen=True, slots=True)
class CompiledPath:
    """A JSONPath compiled into steps; ``relative`` paths start at the matched node."""

    text: str
    steps: tuple[Step, ...]
    relative: bool
    # The names of a path made only of single-name steps (``a.b.c``), else None: a fast path.
    names: tuple[str, ...] | None = None
    # A number for each prefix of the steps, shared by equal prefixes of all paths: the keys of find_sharing.
    # A number hashes faster than the tuple of steps, which Python hashes again at every lookup.
    prefix_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        ids = tuple(_prefix_id(self.steps[:length]) for length in range(1, len(self.steps) + 1))
        object.__setattr__(self, "prefix_ids", ids)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # The numbers belong to this process: a copy in another one numbers its prefixes there.
        return CompiledPath, (self.text, self.steps, self.relative, self.names)

    def find(self, data: Any, base: Path = ()) -> list[tuple[Path, Any]]:
        """Return every (path, value) this path selects, in document order."""
        current: list[tuple[Path, Any]] = [(base, data)]
        for step in self.steps:
            current = _apply(step, current)
            if not current:
                break
        return current

    def find_sharing(self, data: Any, found: dict[int, list[tuple[Path, Any]]]) -> list[tuple[Path, Any]]:
        """Return what :meth:`find` returns, reusing and filling ``found``: the selections of path prefixes.

        Rules select from the same document with paths that share their first
        steps, such as ``$.stages[*].instructions[*]`` and its ``.commands[*]``.
        With one ``found`` per document, each prefix is walked once. The lists
        in ``found`` are shared, so callers must not change them.
        """
        steps = self.steps
        ids = self.prefix_ids
        # The longest prefix already walked, else the document root.
        start = 0
        current: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
        for length in range(len(steps), 0, -1):
            walked = found.get(ids[length - 1])
            if walked is not None:
                start, current = length, walked
                break
        for number in range(start, len(steps)):
            current = _apply(steps[number], current)
            found[ids[number]] = current
        return current

    def values(self, data: Any) -> list[Any]:
        """Return the selected values only."""
        if self.names is not None:
            value = self.named_value(data)
            return [] if value is None else [value]
        return [value for _, value in self.find(data)]

    def named_value(self, data: Any) -> Any:
        """Return the one value a path of names (``names`` is set) selects, or None when it selects nothing."""
        value = data
        for name in self.names or ():
            if not isinstance(value, dict):
                return None
            value = value.get(name)
        return value


def _prefix_id(prefix: tuple[Step, ...]) -> int:
    # next() on a count is one C call under CPython's GIL, so two threads never get the same number.
    return _PREFIX_IDS.setdefault(prefix, next(_PREFIX_NUMBERS))


# The number of each prefix of steps, among the paths compiled in this process.
_PREFIX_IDS: dict[tuple[Step, ...], int] = {}
_PREFIX_NUMBERS = itertools.count()


def _apply(step: Step, nodes: list[tuple[Path, Any]]) -> list[tuple[Path, Any]]:
    kind = step[0]
    selected: list[tuple[Path, Any]] = []
    # Steps of one name and wildcards are most of the steps of the rules' paths: they are written as
    # comprehensions, which run faster than loops that append.
    if kind == "name" and len(step[1]) == 1:
        name = step[1][0]
        return [((*path, name), value[name]) for path, value in nodes if isinstance(value, dict) and name in value]
    if kind == "name":
        for path, value in nodes:
            if isinstance(value, dict):
                for name in step[1]:
                    if name in value:
                        selected.append(((*path, name), value[name]))
    elif kind == "wildcard":
        for path, value in nodes:
            if isinstance(value, list):
                selected += [((*path, index), item) for index, item in enumerate(value)]
            elif isinstance(value, dict):
                selected += [((*path, key), item) for key, item in value.items()]
    elif kind == "index":
        for path, value in nodes:
            if isinstance(value, list):
                for index in step[1]:
                    position = index + len(value) if index < 0 else index
                    if 0 <= position < len(value):
                        selected.append(((*path, position), value[position]))
    elif kind == "slice":
        for path, value in nodes:
            if isinstance(value, list):
                positions = range(len(value))[slice(step[1], step[2], step[3])]
                selected.extend(((*path, position), value[position]) for position in positions)
    elif kind == "descend":
        for path, value in nodes:
            selected.extend(_descendants(path, value))
    return selected


def _descendants(path: Path, value: Any) -> Iterator[tuple[Path, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _descendants((*path, key), item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _descendants((*path, index), item)


@functools.lru_cache(maxsize=4096)
def compile_path(text: str) -> CompiledPath:
    """Compile a JSONPath; ``$`` starts at the document root, ``@`` or a bare name at the matched node.

    Compiled paths are immutable, so one is shared by every rule that writes the same text.
    """
    simple = _compile_simple(text)
    if simple is not None:
        return simple
    return _compile_parsed(text)


# A path of names, [*] and [N] only, which most rules use; jsonpath-ng reserves where and wherenot.
_SIMPLE_PATH = re.compile(r"(\$|@)?((\.?[A-Za-z_][A-Za-z0-9_]*)|\[\*\]|\[[0-9]+\])*")
_SIMPLE_STEP = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\*|[0-9]+)\]")
_RESERVED_NAMES = frozenset({"where", "wherenot"})


def _compile_simple(text: str) -> CompiledPath | None:
    """Compile a path of names, ``[*]`` and ``[N]`` without jsonpath-ng's parser, which costs about 0.5 ms a path.

    Returns None for any other path, which :func:`_compile_parsed` then reads;
    tests/test_performance_paths.py checks that both give the same steps.
    """
    source = text.strip()
    if not source or source == "@" or _SIMPLE_PATH.fullmatch(source) is None:
        return None
    relative = not source.startswith("$")
    body = source[1:] if source[0] in "$@" else source
    if not relative and body and body[0] not in ".[":
        return None
    if source[0] != "$" and body.startswith("."):
        # "@.a" is "a"; a bare ".a" is left to jsonpath-ng.
        if source[0] != "@":
            return None
    steps: list[Step] = []
    for match in _SIMPLE_STEP.finditer(body):
        name, selector = match.group(1), match.group(2)
        if name is not None:
            if name in _RESERVED_NAMES:
                return None
            steps.append(("name", (name,)))
        elif selector == "*":
            steps.append(("wildcard",))
        else:
            steps.append(("index", (int(selector),)))
    names = None
    if all(step[0] == "name" for step in steps):
        names = tuple(step[1][0] for step in steps)
    return CompiledPath(text, tuple(steps), relative, names)


def _compile_parsed(text: str) -> CompiledPath:
    """Compile any supported path with jsonpath-ng's parser."""
    source = text.strip()
    if not source:
        raise JSONPathError("the path is empty")
    if "[?" in source.replace(" ", ""):
        raise JSONPathError(
            f"unsupported selector in {text!r}: JSONPath filters [?...] are not supported; select nodes with "
            "given and test them with conditions under 'when'"
        )
    relative = not source.startswith("$")
    if source == "@":
        return CompiledPath(text, (), True, ())
    if source.startswith("@"):
        source = source[1:].lstrip(".")
        if source.startswith("["):
            source = "$" + source
    from jsonpath_ng import parse
    from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError

    try:
        tree = parse(source)
    except (JsonPathLexerError, JsonPathParserError, Exception) as error:  # noqa: BLE001 - the parser raises plain Exception too
        raise JSONPathError(f"invalid JSONPath {text!r}: {error}") from None
    steps: list[Step] = []
    _flatten(tree, steps, text)
    names = None
    if all(step[0] == "name" and len(step[1]) == 1 for step in steps):
        names = tuple(step[1][0] for step in steps)
    return CompiledPath(text, tuple(steps), relative, names)


def _flatten(node: Any, steps: list[Step], text: str) -> None:
    from jsonpath_ng import jsonpath as ast

    if isinstance(node, ast.Root | ast.This):
        return
    if isinstance(node, ast.Child):
        _flatten(node.left, steps, text)
        _flatten(node.right, steps, text)
        return
    if isinstance(node, ast.Descendants):
        _flatten(node.left, steps, text)
        steps.append(("descend",))
        _flatten(node.right, steps, text)
        return
    wildcard = getattr(ast, "Wildcard", None)
    if wildcard is not None and isinstance(node, wildcard):
        steps.append(("wildcard",))
        return
    if isinstance(node, ast.Fields):
        if node.fields == ("*",):
            steps.append(("wildcard",))
        elif node.fields == ("@",):
            return
        else:
            steps.append(("name", tuple(node.fields)))
        return
    if isinstance(node, ast.Index):
        # Older jsonpath-ng releases keep one index in `index`, newer ones a tuple in `indices`.
        indices = getattr(node, "indices", None) or (node.index,)  # type: ignore[attr-defined]
        steps.append(("index", tuple(indices)))
        return
    if isinstance(node, ast.Slice):
        if node.start is None and node.end is None and node.step is None:
            steps.append(("wildcard",))
        else:
            steps.append(("slice", node.start, node.end, node.step))
        return
    raise JSONPathError(
        f"unsupported selector {type(node).__name__} in {text!r}: use names, [*], indexes, slices and ..; "
        "express filters as conditions under 'when'"
    )


def format_path(path: Path) -> str:
    """Write a path as an RFC 9535 normalized path, such as ``$['stages'][0]['base']``."""
    # Findings of a document point at the same few nodes: a compose file gets about 120 of them.
    text = _FORMATTED.get(path)
    if text is None:
        if len(_FORMATTED) >= _FORMATTED_SIZE:
            _FORMATTED.clear()
        text = _FORMATTED[path] = _format_path(path)
    return text


# The paths formatted lately, kept until there are this many.
_FORMATTED: dict[Path, str] = {}
_FORMATTED_SIZE = 4096


def _format_path(path: Path) -> str:
    parts = ["$"]
    for part in path:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            parts.append(f"['{escaped}']")
    return "".join(parts)
