"""Read one compose file: bytes to text, YAML as compose reads it, origins and suppressions."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
import yaml

from ..document import Location, Path, Suppression
from ..errors import InputError, InvalidInput
from ..limits import current_limits
from ..source import Source, decode_text, read_source
from ..suppressions import parse_suppression
from ..yamlload import Builder, Timestamp, YAMLError, yaml_node, position
from .tree import Mapping, Origin, Sequence

# Compose's own tags: !reset removes an inherited value, !override replaces it instead of merging.
ALLOWED_TAGS = frozenset({"!reset", "!override"})
# Keys whose short-syntax entries style rules check for quotes.
STYLED_KEYS = frozenset({"ports", "expose", "volumes"})


@dataclass
class ComposeFile:
    """One compose file as loaded, before interpolation."""

    file: str
    directory: str
    data: Mapping
    lines: list[str] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)


def read_compose_file(path: str, display: str | None = None) -> ComposeFile:
    """Read and load a compose file from disk; raise :class:`InvalidInput` when it cannot be used."""
    return load_compose_source(read_source(path, display=display))


def load_compose_source(source: Source) -> ComposeFile:
    """Load compose text; raise :class:`InvalidInput` naming the file and line when it is invalid."""
    text = decode_text(source).lstrip("\ufeff")
    try:
        node = yaml_node(text, "compose")
        builder = _OriginBuilder(source.file)
        data = None if node is None else builder.build(node, (), None, 0)
    except YAMLError as error:
        raise InvalidInput(InputError(source.file, error.message, error.line, error.column)) from None
    if data is None:
        raise InvalidInput(InputError(source.file, "the compose file is empty: it needs at least a services mapping"))
    if not isinstance(data, dict):
        raise InvalidInput(
            InputError(source.file, "a compose file must be a mapping at the top level (services:, volumes:, ...)", 1)
        )
    if builder.timestamp is not None:
        raise InvalidInput(builder.timestamp)
    lines = text.splitlines()
    # The folder on disk: the name shown in reports may be written relative to another folder.
    directory = os.path.dirname(os.path.abspath(source.path or source.file))
    return ComposeFile(source.file, directory, data, lines, find_suppressions(lines, builder.locations, source.file))


class _OriginBuilder(Builder):
    """Build Mapping and Sequence trees whose entries carry their origins, as compose reads the YAML.

    It also notes the first unquoted date, which compose's YAML library reads as
    a timestamp and no compose field accepts. The error is raised once the whole
    file is built, so that a YAML error anywhere in the file is reported first.
    """

    def __init__(self, file: str) -> None:
        super().__init__(ALLOWED_TAGS, current_limits(), True, STYLED_KEYS)
        self.file = file
        self.timestamp: InputError | None = None

    def _new_mapping(self) -> Mapping:
        return Mapping()

    def _entry(self, mapping: Mapping, key: str, path: Path, location: Location, merged: bool) -> None:  # type: ignore[override]
        mapping.origins[key] = Origin(self.file, location, self.styles.get(path), merged)
        tag = self.tags.get(path)
        if tag is not None:
            mapping.tags[key] = tag
        value = mapping[key]
        if type(value) is Timestamp and self.timestamp is None:
            self._note_timestamp(value, path, location)

    def _sequence(self, node: yaml.SequenceNode, path: Path, depth: int) -> Sequence:
        sequence = Sequence()
        for index, item in enumerate(node.value):
            child = (*path, index)
            location = position(item)
            value = self.build(item, child, location, depth + 1)
            sequence.append(value)
            sequence.origins.append(Origin(self.file, location, self.styles.get(child)))
            if type(value) is Timestamp and self.timestamp is None:
                self._note_timestamp(value, child, location)
        return sequence

    def _note_timestamp(self, value: Timestamp, path: Path, location: Location) -> None:
        dotted = ".".join(str(part) for part in path)
        self.timestamp = InputError(
            self.file,
            f"{dotted}: the unquoted value {value} is read as a YAML timestamp, which compose rejects; quote it",
            location.line,
            location.column,
        )


def find_suppressions(lines: list[str], locations: dict[Path, Location], file: str | None = None) -> list[Suppression]:
    """Read ``# prodpolicy ignore=...`` comments from the text, since YAML parsers drop comments.

    A comment alone on its line covers the key or list item on the next line with
    everything under it. A comment after a key covers that key the same way.
    ``file`` is the name the suppressions carry, so that a comment in an override
    file covers the lines of that file only.
    """
    spans: dict[int, int] = {}
    for location in locations.values():
        end = location.end_line or location.line
        spans[location.line] = max(spans.get(location.line, location.line), end)
    suppressions: list[Suppression] = []
    for index, line in enumerate(lines):
        if "prodpolicy" not in line:
            continue
        comment, whole_line = _comment(line)
        if comment is None:
            continue
        number = index + 1
        target = _next_content_line(lines, index) if whole_line else number
        suppression = parse_suppression(comment, number, target, spans.get(target, target), file)
        if suppression is not None:
            suppressions.append(suppression)
    return suppressions


def _comment(line: str) -> tuple[str | None, bool]:
    """Return the text of a ``#`` comment outside quotes, and whether it fills the whole line."""
    quote = None
    for position, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
        elif char == "#" and (position == 0 or line[position - 1] in " \t"):
            return line[position + 1 :], not line[:position].strip()
    return None, False


def _next_content_line(lines: list[str], index: int) -> int:
    for following in range(index + 1, len(lines)):
        stripped = lines[following].strip()
        if stripped and not stripped.startswith("#"):
            return following + 1
    return index + 2
