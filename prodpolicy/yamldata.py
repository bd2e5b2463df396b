"""The results of loading YAML: the data with the positions of its keys, or an error with a line.

These types live apart from the loader (:mod:`prodpolicy.yamlload`) so that code
which only passes loaded data around, such as the cached bundled ruleset, does
not import PyYAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .document import Location, Path


class YAMLError(ValueError):
    """Raised for YAML that cannot be loaded; carries the 1-based line and column."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class YAMLData:
    """Loaded data with positions: ``locations`` maps paths to where the key or item starts.

    ``styles`` maps the paths of the scalars asked for with ``styles_for`` to
    how they are written: ``plain``, ``single``, ``double``, ``literal`` or ``folded``.
    ``merged`` contains the paths of keys that a merge key (``<<``) brought in.
    """

    data: Any
    locations: dict[Path, Location] = field(default_factory=dict)
    tags: dict[Path, str] = field(default_factory=dict)
    styles: dict[Path, str] = field(default_factory=dict)
    merged: set[Path] = field(default_factory=set)
