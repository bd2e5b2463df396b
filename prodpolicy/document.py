"""The container every normalizer returns: document data plus where each part came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import InputError

# A path into the document data: keys and list indexes from the root.
Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Location:
    """A place in the source file: 1-based lines, and a 1-based column when known."""

    line: int
    end_line: int | None = None
    column: int | None = None


@dataclass(frozen=True, slots=True)
class Suppression:
    """An inline ``# prodpolicy ignore=...`` comment and the lines it covers."""

    rules: tuple[str, ...]
    reason: str | None
    line: int
    start_line: int
    end_line: int


@dataclass(slots=True)
class Document:
    """One normalized input.

    ``data`` is plain JSON-compatible data that matches
    ``schemas/document.schema.json``; rules select from it with JSONPath.
    ``locations`` maps paths inside ``data`` to source positions; a path that is
    not listed takes the position of its nearest listed parent.
    """

    kind: str
    file: str
    data: dict[str, Any]
    locations: dict[Path, Location] = field(default_factory=dict)
    # Source lines for code frames, with secrets already redacted.
    lines: list[str] = field(default_factory=list)
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

    def to_model(self) -> Any:
        """Validate ``data`` and return it as the typed pydantic document model."""
        from .model import document_adapter

        return document_adapter().validate_python(self.data)
