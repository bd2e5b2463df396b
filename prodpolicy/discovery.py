"""Find inputs: explicit files are always taken, folders are searched by file name."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from .kinds import kind_for_directory, kind_for_name

# Folders that hold dependencies, caches or version control data, never inputs of ours.
SKIPPED_DIRECTORIES = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache", ".pytest_cache"}
)


def discover(paths: list[str]) -> Iterator[tuple[str, bool]]:
    """Yield (path, explicit) for every input, in a stable order.

    A file given by name is explicit: it is evaluated or reported as an error
    whatever its name. Files found in folders are taken only when their name
    marks them as an input kind.
    """
    for path in paths:
        if os.path.isdir(path) and kind_for_directory(path) is not None:
            yield path, True
        elif os.path.isdir(path):
            yield from ((found, False) for found in _walk(Path(path)))
        else:
            yield path, True


def _walk(root: Path) -> Iterator[str]:
    for directory, subdirectories, files in os.walk(root):
        claimed = [name for name in subdirectories if kind_for_directory(os.path.join(directory, name))]
        yield from (os.path.join(directory, name) for name in sorted(claimed))
        subdirectories[:] = sorted(
            name for name in subdirectories if name not in SKIPPED_DIRECTORIES and name not in claimed
        )
        for name in sorted(files):
            if kind_for_name(name) is not None:
                yield os.path.join(directory, name)
