"""Find inputs: explicit files are always taken, folders are searched by file name.

A compose override file (``compose.override.yaml`` and its variants) found next
to a default compose file (``compose.yaml``, ``docker-compose.yml``...) is not a
separate input. The compose normalizer merges it into that file, as
``docker compose`` does when it runs in that folder, so the merged project is
what gets evaluated. An override file without a default file beside it is
evaluated on its own.
"""

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
        merged = _merged_overrides(files)
        for name in sorted(files):
            if kind_for_name(name) is not None and name not in merged:
                yield os.path.join(directory, name)


def _merged_overrides(files: list[str]) -> set[str]:
    """Return the compose override files in a folder that a default compose file there takes in."""
    from .compose.project import DEFAULT_FILES, OVERRIDE_FILES

    if not any(name in DEFAULT_FILES for name in files):
        return set()
    return {name for name in files if name in OVERRIDE_FILES}
