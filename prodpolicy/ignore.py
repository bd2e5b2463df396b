"""Exclusions for folder search: ignore files and ``--exclude`` patterns, both in ``.gitignore`` syntax.

Two kinds of ignore file are read in every folder searched and in its parents up
to the repository root (the nearest folder above that contains ``.git``):
``.gitignore`` and ``.prodpolicyignore``. Outside a repository, parents are read
up to the current folder when the search starts below it, otherwise from the
folder given on the command line down. The repository's ``.git/info/exclude`` is
read as well. As in git, the patterns of a file apply to paths relative to its
folder, a deeper file overrides a shallower one, the last matching line of a file
wins, and ``!pattern`` re-includes a path. In one folder ``.prodpolicyignore``
overrides ``.gitignore``.

``--exclude`` patterns are relative to the current folder and override every
ignore file. A pattern without a slash matches a name at any depth.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .regular_files import open_regular

if TYPE_CHECKING:
    import pathspec

logger = logging.getLogger("prodpolicy.ignore")

# In one folder the later file wins.
IGNORE_FILE_NAMES = (".gitignore", ".prodpolicyignore")
COMMAND_LINE = "--exclude"


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Why a path is skipped: the pattern that matched and where it is written."""

    pattern: str
    # "--exclude", or an ignore file and line such as "services/.gitignore:3".
    origin: str

    def __str__(self) -> str:
        return f"matches {self.pattern!r} ({self.origin})"


class PatternList:
    """The patterns of one ignore file or of the command line, matched against paths relative to ``base``."""

    def __init__(self, base: str, lines: Iterable[tuple[str, str]], *, strict: bool = True) -> None:
        """Compile ``(pattern, origin)`` pairs.

        An invalid pattern raises :class:`ValueError` naming it, or with ``strict``
        False is skipped, as git skips it.
        """
        self.base = base
        self._origins: list[tuple[str, str]] = []
        lines = list(lines)
        self._spec: pathspec.GitIgnoreSpec | None = None
        if not lines:
            return
        # Imported here: a run without ignore files or --exclude does not pay pathspec's 30 ms import.
        import pathspec

        patterns = []
        for pattern, origin in lines:
            try:
                compiled = pathspec.GitIgnoreSpec.from_lines([pattern]).patterns
            except ValueError as error:  # pathspec's pattern errors derive from ValueError
                if strict:
                    raise ValueError(f"invalid pattern {pattern!r} ({origin}): {error}") from None
                logger.debug("skipped the invalid pattern %r (%s): %s", pattern, origin, error)
                continue
            # Blank lines and comments compile to patterns that match nothing; leave them out.
            for item in compiled:
                if item.include is not None:
                    patterns.append(item)
                    self._origins.append((pattern, origin))
        self._spec = pathspec.GitIgnoreSpec(patterns)

    def __bool__(self) -> bool:
        return bool(self._origins)

    def match(self, relative: str) -> tuple[bool, Exclusion] | None:
        """Return (excluded, the pattern that decided) for a ``/``-separated relative path, or None.

        ``excluded`` is False when the deciding pattern re-includes the path with ``!``.
        """
        if self._spec is None:
            return None
        result = self._spec.check_file(relative)
        if result.include is None or result.index is None:
            return None
        pattern, origin = self._origins[result.index]
        return result.include, Exclusion(pattern, origin)


def read_ignore_file(path: str, folder: str) -> PatternList | None:
    """Read one ignore file; None when it does not exist. Invalid lines are skipped, as git skips them."""
    try:
        with open_regular(path, "r", encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except FileNotFoundError:
        return None
    except OSError as error:
        logger.warning("cannot read %s: %s; its patterns are not applied", path, error.strerror or error)
        return None
    display = _display(path)
    lines = ((line, f"{display}:{number}") for number, line in enumerate(text.splitlines(), 1))
    return PatternList(folder, lines, strict=False)


class Excludes:
    """Decide which files and folders a folder search skips.

    ``patterns`` are ``--exclude`` patterns; ``ignore_files`` False reads no
    ignore file. ``base`` is the folder command-line patterns are relative to
    (default: the current folder). Raises :class:`ValueError` for an invalid pattern.
    """

    def __init__(self, patterns: Sequence[str] = (), *, ignore_files: bool = True, base: str | None = None) -> None:
        self.base = os.path.abspath(base or os.curdir)
        self.ignore_files = ignore_files
        self.command_line = PatternList(self.base, [(pattern, COMMAND_LINE) for pattern in patterns])
        self._folder_files: dict[str, tuple[PatternList, ...]] = {}
        self._repositories: dict[str, str | None] = {}
        self._info_excludes: dict[str, PatternList | None] = {}

    def excluded(self, path: str, *, is_dir: bool, root: str) -> Exclusion | None:
        """Return why ``path`` is skipped, or None when it is searched.

        ``root`` is the folder given on the command line that the search started
        from; ignore files above it are read up to the repository root.
        """
        absolute = os.path.abspath(path)
        found = self._match(self.command_line, absolute, is_dir)
        if found is not None:
            return found[1] if found[0] else None
        if not self.ignore_files:
            return None
        for patterns in self._ignore_files_for(absolute, os.path.abspath(root)):
            found = self._match(patterns, absolute, is_dir)
            if found is not None:
                return found[1] if found[0] else None
        return None

    def _match(self, patterns: PatternList, absolute: str, is_dir: bool) -> tuple[bool, Exclusion] | None:
        if not patterns:
            return None
        relative = _relative(absolute, patterns.base)
        if relative is None:
            # Outside the base folder only patterns without a slash can match: try the path from the top.
            relative = absolute.lstrip(os.sep)
        relative = relative.replace(os.sep, "/")
        return patterns.match(relative + "/" if is_dir else relative)

    def _ignore_files_for(self, absolute: str, root: str) -> Iterable[PatternList]:
        """Yield the ignore files that apply to a path, the deciding ones (deepest) first."""
        folder = os.path.dirname(absolute)
        repository = self._repository_of(folder)
        top = repository or (self.base if _is_within(root, self.base) else root)
        while _is_within(folder, top):
            yield from self._files_in(folder)
            if folder == top:
                break
            folder = os.path.dirname(folder)
        if repository is not None:
            info = self._info_exclude(repository)
            if info:
                yield info

    def _files_in(self, folder: str) -> tuple[PatternList, ...]:
        cached = self._folder_files.get(folder)
        if cached is None:
            read = (read_ignore_file(os.path.join(folder, name), folder) for name in reversed(IGNORE_FILE_NAMES))
            cached = tuple(patterns for patterns in read if patterns)
            self._folder_files[folder] = cached
        return cached

    def _repository_of(self, folder: str) -> str | None:
        """Return the nearest folder at or above ``folder`` that contains ``.git``, or None."""
        visited = []
        current = folder
        while current not in self._repositories:
            visited.append(current)
            if os.path.exists(os.path.join(current, ".git")):
                self._repositories[current] = current
                break
            parent = os.path.dirname(current)
            if parent == current:
                self._repositories[current] = None
                break
            current = parent
        found = self._repositories[current]
        for item in visited:
            self._repositories[item] = found
        return found

    def _info_exclude(self, repository: str) -> PatternList | None:
        if repository not in self._info_excludes:
            path = os.path.join(repository, ".git", "info", "exclude")
            # A .git file (a worktree or submodule) points elsewhere; its exclude file is not read.
            self._info_excludes[repository] = read_ignore_file(path, repository) if os.path.isdir(os.path.dirname(path)) else None
        return self._info_excludes[repository]


def _relative(path: str, folder: str) -> str | None:
    """Return ``path`` relative to ``folder``, or None when it lies outside it."""
    try:
        relative = os.path.relpath(path, folder)
    except ValueError:  # another drive on Windows
        return None
    return None if relative == os.pardir or relative.startswith(os.pardir + os.sep) else relative


def _display(path: str) -> str:
    """Return a path as messages show it: relative to the current folder when it lies below it."""
    return _relative(os.path.abspath(path), os.path.abspath(os.curdir)) or path


def _is_within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
