"""State shared while one project is normalized: positions, problems, secret values and the files read."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

from ..document import Location, Path
from ..errors import InputError
from .interpolate import Lookup
from .tree import Origin


class Context:
    """Collects the document's locations and non-fatal errors while services are normalized.

    A value keeps the position of the file it is written in: the primary file,
    an override, an ``extends`` base in another file, an included file or an
    env file. Positions outside the primary file carry that file's name.
    """

    def __init__(
        self,
        primary: str,
        errors: list[InputError],
        read_files: bool,
        lookup: Lookup | None = None,
        directories: dict[str, str] | None = None,
        display: Callable[[str], str] | None = None,
    ) -> None:
        self.primary = primary
        # Interpolation variables, for the values of env_file files.
        self.lookup: Lookup = lookup or (lambda name: ("", False))
        self.errors = errors
        self.read_files = read_files
        self.locations: dict[Path, Location] = {}
        self.secret_values: set[str] = set()
        # The folder on disk of each file read, by the name its origins carry.
        self._directories: dict[str, str] = dict(directories or {})
        # Turns a path on disk into the name reports use, relative like the primary file's name.
        self.display: Callable[[str], str] = display or (lambda path: path)
        # Env files read, by the name their locations carry: their lines, for code frames.
        self.env_file_lines: dict[str, list[str]] = {}

    def locate(self, path: Path, origin: Origin | None) -> None:
        if origin is None:
            return
        location = origin.location
        if origin.file != self.primary and location.file != origin.file:
            location = dataclasses.replace(location, file=origin.file)
        self.locations[path] = location

    def error(self, message: str, origin: Origin | None, *, fatal: bool = False) -> None:
        """Record a problem; ``fatal`` when the file's structure is wrong, so no rule can judge it."""
        if origin is None:
            self.errors.append(InputError(self.primary, message, fatal=fatal))
            return
        location = origin.location
        self.errors.append(InputError(origin.file, message, location.line, location.column, fatal=fatal))

    def directory(self, origin: Origin | None) -> str:
        """Return the folder that relative paths at ``origin`` are relative to."""
        file = origin.file if origin is not None else self.primary
        found = self._directories.get(file)
        if found is None:
            found = os.path.dirname(os.path.abspath(file))
            self._directories[file] = found
        return found
