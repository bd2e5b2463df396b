"""Find inputs: files given by name are taken, folders are searched by file name.

A compose override file (``compose.override.yaml`` and its variants) found next
to a default compose file (``compose.yaml``, ``docker-compose.yml``...) is not a
separate input. The compose normalizer merges it into that file, as
``docker compose`` does when it runs in that folder, so the merged project is
what gets evaluated. An override file without a default file beside it is
evaluated on its own.

A folder search skips what :class:`~prodpolicy.ignore.Excludes` excludes
(``.gitignore``, ``.prodpolicyignore`` and ``--exclude``). Paths given by name
are taken even when excluded, unless ``force_exclude`` is set, as in Ruff. A
pre-commit hook names every changed file, so it sets ``force_exclude`` to honour
the exclusions. Each input found and each path skipped is logged at DEBUG level,
with the reason.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from .ignore import Excludes
from .kinds import kind_for_directory, kind_for_name
from .regular_files import NOT_REGULAR_FILE, is_special_file

logger = logging.getLogger("prodpolicy.discovery")

# Folders that hold dependencies, caches or version control data, never inputs of ours.
SKIPPED_DIRECTORIES = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache", ".pytest_cache"}
)
# docker-compose.prod.yml, compose.dev.yaml: files that docker compose reads only when -f names them, and that
# are often partial overrides of the base file, so a folder search leaves them to be named.
_COMPOSE_VARIANT = re.compile(r"^(docker-)?compose\.[^.]+\.ya?ml$")
# The path that stands for standard input on the command line.
STDIN = "-"


class Found(NamedTuple):
    """One input: its path, and whether it was given by name (explicit) rather than found in a folder."""

    path: str
    explicit: bool
    # Why a file found in a folder is not read (a named pipe, a link to a file outside the folder): an input error.
    problem: str | None = None


def discover(
    paths: list[str], excludes: Excludes | None = None, *, force_exclude: bool = False, stdin_filename: str | None = None
) -> Iterator[Found]:
    """Yield every input under ``paths``, in a stable order.

    A file given by name is explicit: it is evaluated or reported as an error
    whatever its name. Files found in folders are taken only when their name
    marks them as an input kind and ``excludes`` does not exclude them.
    ``-`` stands for standard input. It is yielded as it is, unless
    ``force_exclude`` is set and ``stdin_filename``, the name it is reported
    under, is excluded.
    """
    search = _Search(excludes, force_exclude)
    for path in paths:
        if path == STDIN:
            if stdin_filename is None or not search.skips_explicit(stdin_filename, False):
                yield Found(path, True)
            continue
        is_dir = os.path.isdir(path)
        if search.skips_explicit(path, is_dir):
            continue
        if is_dir and kind_for_directory(path) is None:
            other_files, excluded, skipped = search.other_files, search.excluded, search.skipped_folders
            inputs = 0
            for found in search.walk(Path(path)):
                inputs += 1
                yield Found(found, False, _unreadable_reason(found, path))
            if not inputs:
                # Without this warning a folder of wrongly named files would pass as a clean report of 0 files.
                _warn_no_input(
                    path, search.other_files - other_files, search.excluded - excluded, search.skipped_folders - skipped
                )
        else:
            logger.debug("found %s (given by name)", path)
            yield Found(path, True)
    if search.other_files:
        logger.debug(
            "did not read %d other files in the folders searched: their names are not Dockerfile or compose file names",
            search.other_files,
        )
    if search.compose_variants:
        logger.info(
            "did not read %s named like compose files of one environment (such as docker-compose.prod.yml); "
            "pass them by name to evaluate them, and run with --verbose to list them",
            _count(search.compose_variants, "file"),
        )


def _unreadable_reason(path: str, root: str) -> str | None:
    """Return why a file found under ``root`` is not read, or None to read it.

    A named pipe waits for a writer when it is opened, so it could hang the run.
    A symbolic link to a file outside the searched folder, such as a committed
    Dockerfile.x -> /etc/shadow, would show lines of that file in error messages.
    Both are read when given by name.
    """
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        # Reading the path reports why it cannot be read.
        return None
    if stat.S_ISLNK(mode):
        folder = os.path.realpath(root)
        if os.path.commonpath([os.path.realpath(path), folder]) != folder:
            return "a symbolic link to a file outside the folder searched, which is not read: pass it by name to read it anyway"
        special = is_special_file(path)
    else:
        # For a file that is not a link, the usual case in a search, one lstat is enough.
        special = not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))
    return f"{NOT_REGULAR_FILE}: pass it by name to read it anyway" if special else None


def _warn_no_input(folder: str, other_files: int, excluded: int, skipped_folders: int) -> None:
    names = (
        "Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*, compose.yaml, docker-compose.yml "
        "and their .yml, .yaml and override forms"
    )
    reasons: list[str] = []
    if excluded:
        reasons.append(f"the exclusions (.gitignore, .prodpolicyignore, --exclude) skipped {_count(excluded, 'path')}")
    if skipped_folders:
        reasons.append(
            f"{_count(skipped_folders, 'version control, dependency or cache folder')} (such as .git or node_modules) "
            f"{_was(skipped_folders)} not searched"
        )
    if other_files:
        reasons.append(
            f"{_count(other_files, 'other file')} {_was(other_files)} not read, since a folder search reads only "
            f"files named {names}"
        )
    if not reasons:
        reasons.append(f"it contains no file named {names}")
    advice = "; pass files by name to evaluate them whatever their names" if other_files else ""
    verbose = "; run with --verbose to see each skipped path" if excluded or skipped_folders else ""
    logger.warning("no input found in %s: %s%s%s", folder, "; ".join(reasons), advice, verbose)


def _count(number: int, noun: str) -> str:
    return f"1 {noun}" if number == 1 else f"{number} {noun}s"


def _was(number: int) -> str:
    return "was" if number == 1 else "were"


class _Search:
    """One folder search: the exclusions and the count of files that were not inputs."""

    def __init__(self, excludes: Excludes | None, force_exclude: bool) -> None:
        self.excludes = excludes
        self.force_exclude = force_exclude
        self.other_files = 0
        # Of those, files named like a compose file of one environment (docker-compose.prod.yml).
        self.compose_variants = 0
        # Files and folders skipped because an exclusion matched them.
        self.excluded = 0
        # Version control, dependency and cache folders, never searched.
        self.skipped_folders = 0

    def skips_explicit(self, path: str, is_dir: bool) -> bool:
        if not self.force_exclude or self.excludes is None:
            return False
        parent = os.path.dirname(os.path.abspath(path))
        exclusion = self.excludes.excluded(path, is_dir=is_dir, root=parent)
        if exclusion is not None:
            logger.debug("skipped %s: %s, and --force-exclude applies exclusions to paths given by name", path, exclusion)
        return exclusion is not None

    def walk(self, root: Path) -> Iterator[str]:
        for directory, subdirectories, files in os.walk(root):
            searched = [name for name in sorted(subdirectories) if self._searched(root, directory, name)]
            claimed = [name for name in searched if kind_for_directory(os.path.join(directory, name))]
            for name in claimed:
                found = os.path.join(directory, name)
                logger.debug("found %s (a folder holding an image layout)", found)
                yield found
            subdirectories[:] = [name for name in searched if name not in claimed]
            inputs = []
            for name in sorted(files):
                if kind_for_name(name) is None:
                    self.other_files += 1
                    if _COMPOSE_VARIANT.match(name):
                        self.compose_variants += 1
                        logger.debug(
                            "skipped %s: docker compose reads such a file only when -f names it, often as an override "
                            "of another; pass it by name to evaluate it",
                            os.path.join(directory, name),
                        )
                elif not self._excluded(root, os.path.join(directory, name), is_dir=False):
                    inputs.append(name)
            merged = _merged_overrides(inputs)
            for name in inputs:
                found = os.path.join(directory, name)
                if name in merged:
                    logger.debug("skipped %s: merged into %s beside it, as docker compose does", found, merged[name])
                else:
                    logger.debug("found %s", found)
                    yield found

    def _searched(self, root: Path, directory: str, name: str) -> bool:
        path = os.path.join(directory, name)
        if name in SKIPPED_DIRECTORIES:
            self.skipped_folders += 1
            logger.debug("skipped %s: a version control, dependency or cache folder", path)
            return False
        return not self._excluded(root, path, is_dir=True)

    def _excluded(self, root: Path, path: str, *, is_dir: bool) -> bool:
        if self.excludes is None:
            return False
        exclusion = self.excludes.excluded(path, is_dir=is_dir, root=str(root))
        if exclusion is not None:
            self.excluded += 1
            logger.debug("skipped %s: %s", path, exclusion)
        return exclusion is not None


def _merged_overrides(files: list[str]) -> dict[str, str]:
    """Map the compose override files in a folder that a default compose file there takes in to that file."""
    from .compose.project import DEFAULT_FILES, OVERRIDE_FILES

    defaults = [name for name in DEFAULT_FILES if name in files]
    if not defaults:
        return {}
    return {name: defaults[0] for name in files if name in OVERRIDE_FILES}
