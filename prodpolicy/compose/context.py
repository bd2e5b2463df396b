"""State shared while one project is normalized: positions, problems and secret values."""

from __future__ import annotations

import os

from ..document import Location, Path
from ..errors import InputError
from .interpolate import Lookup
from .tree import Origin


class Context:
    """Collects the document's locations and non-fatal errors while services are normalized.

    A document names one file, so only positions in the primary file are
    recorded. A value from an override, an ``extends`` base in another file or an
    included file takes the position of its nearest parent in the primary file.
    """

    def __init__(self, primary: str, errors: list[InputError], read_files: bool, lookup: Lookup | None = None) -> None:
        self.primary = primary
        # Interpolation variables, for the values of env_file files.
        self.lookup: Lookup = lookup or (lambda name: ("", False))
        self.errors = errors
        self.read_files = read_files
        self.locations: dict[Path, Location] = {}
        self.secret_values: set[str] = set()
        self._directories: dict[str, str] = {}

    def locate(self, path: Path, origin: Origin | None) -> None:
        # TODO: a finding can name only the document's file; Location needs a file for values from other files.
        if origin is not None and origin.file == self.primary:
            self.locations[path] = origin.location

    def error(self, message: str, origin: Origin | None) -> None:
        if origin is None:
            self.errors.append(InputError(self.primary, message, fatal=False))
            return
        location = origin.location
        self.errors.append(InputError(origin.file, message, location.line, location.column, fatal=False))

    def directory(self, origin: Origin | None) -> str:
        """Return the folder that relative paths at ``origin`` are relative to."""
        file = origin.file if origin is not None else self.primary
        found = self._directories.get(file)
        if found is None:
            found = os.path.dirname(os.path.abspath(file))
            self._directories[file] = found
        return found
