"""The container every normalizer returns: document data plus where each part came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import InputError

# A path into the document data: keys and list indexes from the root.
Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True, init=False)
class Location:
    """A place in a source file: 1-based lines, and a 1-based column when known.

    ``file`` is None for a place in the document's own file. A compose project
    also reads override files, ``extends`` bases, included files and env files,
    and a value written in one of them carries that file's name.
    """

    line: int
    end_line: int | None = None
    column: int | None = None
    file: str | None = None

    def __init__(self, line: int, end_line: int | None = None, column: int | None = None, file: str | None = None) -> None:
        # A document has a location for every key, instruction and command. The slots' own setters take
        # about 60% of the time of the object.__setattr__ calls a frozen dataclass makes.
        _SET_LOCATION[0](self, line)
        _SET_LOCATION[1](self, end_line)
        _SET_LOCATION[2](self, column)
        _SET_LOCATION[3](self, file)


_SET_LOCATION = tuple(getattr(Location, name).__set__ for name in Location.__slots__)


@dataclass(frozen=True, slots=True)
class Suppression:
    """An inline ``# prodpolicy ignore=...`` comment and the lines it covers.

    ``file`` is None for a comment in the document's own file, else the file it is written in.
    """

    rules: tuple[str, ...]
    reason: str | None
    line: int
    start_line: int
    end_line: int
    file: str | None = None


@dataclass(slots=True)
class Document:
    """One normalized input.

    ``data`` is plain JSON-compatible data that matches
    ``schemas/document.schema.json``; rules select from it with JSONPath.
    ``locations`` maps paths inside ``data`` to source positions; a path that is
    not listed takes the position of its nearest listed parent. ``lines`` are
    the lines of ``file``; ``sources`` maps every other file the
    document was read from, by the name its locations use, to its lines.
    """

    kind: str
    file: str
    data: dict[str, Any]
    locations: dict[Path, Location] = field(default_factory=dict)
    # Source lines for code frames, with secrets already redacted.
    lines: list[str] = field(default_factory=list)
    # Source lines of the other files read (compose overrides, extends bases, env files), secrets redacted.
    sources: dict[str, list[str]] = field(default_factory=dict)
    # Problems that did not stop normalization (fatal ones raise InvalidInput instead).
    errors: list[InputError] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    # Which part of a multi-document input this is, such as one image of an archive.
    subject: str | None = None

    def location_of(self, path: Path) -> Location | None:
        """Return the source position of ``path``, or of its nearest parent that has one."""
        locations = self.locations
        for end in range(len(path), -1, -1):
            found = locations.get(path[:end])
            if found is not None:
                return found
        return None

    def lines_of(self, file: str) -> list[str]:
        """Return the redacted source lines of ``file``, the document's own or another one it read."""
        if file == self.file:
            return self.lines
        return self.sources.get(file, [])

    def to_model(self) -> Any:
        """Validate ``data`` and return it as the typed pydantic document model."""
        from .model import document_adapter

        return document_adapter().validate_python(self.data)
