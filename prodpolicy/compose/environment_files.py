"""The variables a compose project interpolates with, found the way docker compose finds them.

Compose reads ``.env`` in the project folder (the folder of the first compose
file), or instead the files given with ``--env-file``, later files overriding
earlier ones. Variables the caller passes (``--env NAME=VALUE`` or the library's
``environment`` mapping) win over every file. prodpolicy does not read its own
process environment, so results do not depend on the shell they run in.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from ..errors import InputError, InvalidInput
from ..source import decode_text, read_source
from .dotenv import EnvEntry, EnvFileError, parse_env_file
from .interpolate import Lookup

logger = logging.getLogger("prodpolicy.compose")


@dataclass
class ProjectEnvironment:
    """Interpolation variables with where each came from."""

    values: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def lookup(self, name: str) -> tuple[str, bool]:
        value = self.values.get(name)
        return ("", False) if value is None else (value, True)


def project_environment(caller: dict[str, str], env_files: tuple[str, ...], project_directory: str | None) -> ProjectEnvironment:
    """Collect the interpolation variables; raise :class:`InvalidInput` for an unreadable env file."""
    environment = ProjectEnvironment()
    files = list(env_files)
    if not files and project_directory is not None:
        default = os.path.join(project_directory, ".env")
        if os.path.isfile(default):
            files.append(default)
        elif os.path.exists(default):
            # A folder or named pipe of that name would otherwise be passed over without a word.
            logger.warning("%s is not a regular file, so its variables are not read", default)

    def lookup(name: str) -> tuple[str, bool]:
        if name in caller:
            return caller[name], True
        return environment.lookup(name)

    for path in files:
        if path in env_files and not os.path.isfile(path):
            problem = "not a regular file" if os.path.exists(path) else "file not found"
            raise InvalidInput(InputError(path, f"{problem}; it was given with --env-file, so check the path"))
        for entry in read_env_file(path, lookup):
            if entry.value is not None:
                environment.values[entry.name] = entry.value
                environment.sources[entry.name] = path
        environment.files.append(path)
    for name, value in caller.items():
        environment.values[name] = value
        environment.sources[name] = "caller"
    return environment


def read_env_file(path: str, lookup: Lookup) -> list[EnvEntry]:
    """Read one env file; raise :class:`InvalidInput` naming the file and line when it is invalid."""
    return read_env_file_lines(path, lookup)[0]


def read_env_file_lines(path: str, lookup: Lookup) -> tuple[list[EnvEntry], list[str]]:
    """Read one env file; return its entries and its lines (for code frames, redacted by the caller)."""
    source = read_source(path)
    text = decode_text(source)
    try:
        entries = parse_env_file(text, lookup)
    except EnvFileError as error:
        raise InvalidInput(InputError(path, f"invalid env file: {error.message}", error.line)) from None
    return entries, text.lstrip("\ufeff").splitlines()
