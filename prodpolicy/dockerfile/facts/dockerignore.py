"""Build context facts: the .dockerignore beside the Dockerfile, and the COPY sources it excludes.

When the Dockerfile is a file on disk, its folder is taken as the build
context, as ``docker build .`` next to it does. BuildKit then reads
``<Dockerfile name>.dockerignore`` beside the Dockerfile if it exists, and
``.dockerignore`` otherwise. Patterns are read as BuildKit's ignore file
reader does (comments, whitespace, ``filepath.Clean``, a leading ``/``
dropped) and are anchored at the context root. Like BuildKit's
CopyIgnoredFile check, sources are not checked when a pattern starts with
``!``, because a re-included file inside an excluded folder cannot be judged
from the source path alone.
"""

from __future__ import annotations

import logging
import os
import posixpath
import time
from typing import TYPE_CHECKING, Any

from ...document import Location, Path
from ...policy.plain import plain_evaluation
from ...regular_files import NOT_REGULAR_FILE, NotRegularFile, open_regular
from ..lexer import LexResult

if TYPE_CHECKING:
    import pathspec

logger = logging.getLogger("prodpolicy.dockerignore")

# An ignore file is a short list of patterns, so a larger file is not read.
MAX_IGNORE_FILE_BYTES = 1 << 20
# Patterns that exclude every entry of the context root, so even "COPY . ." copies nothing.
_ROOT_PATTERNS = frozenset({"*", "**", "**/*"})


def annotate(document: dict[str, Any], locations: dict[Path, Location], source: LexResult) -> None:
    """Record the ignore file of the build context and the sources it excludes, in place."""
    found = find_ignore_file(document.get("file") or "")
    if found is None:
        return
    path, patterns = found
    exclusions = any(pattern.startswith("!") for pattern in patterns)
    document.setdefault("facts", {})["dockerignore"] = {"file": path, "patterns": patterns, "exclusions": exclusions}
    if exclusions or not patterns:
        return
    # Imported here, where a .dockerignore has patterns: pathspec takes 30 ms to import.
    import pathspec

    # TODO: match ** glued to other characters (**.log) as Docker does, where it matches only files
    # named .log. The gitignore reading used here matches every .log file below the context.
    spec = pathspec.GitIgnoreSpec.from_lines([_anchored(pattern) for pattern in patterns])
    excludes_root = bool(_ROOT_PATTERNS.intersection(patterns))
    for stage in document["stages"]:
        for instruction in stage["instructions"]:
            copy = instruction.get("copy")
            if instruction["keyword"] not in ("COPY", "ADD") or not copy or "from" in copy:
                continue
            ignored = [
                source["path"]
                for source in copy["sources"]
                if source["kind"] == "local" and _ignored(source["path"], spec, excludes_root)
            ]
            if ignored:
                facts = instruction.setdefault("facts", {})
                facts["ignored_sources"] = ignored


def find_ignore_file(dockerfile: str) -> tuple[str, list[str]] | None:
    """Return the ignore file BuildKit would use for a Dockerfile on disk, and its patterns."""
    if not dockerfile:
        return None
    folder = os.path.dirname(dockerfile)
    names: tuple[str, ...] = (os.path.basename(dockerfile) + ".dockerignore", ".dockerignore")
    listed = _ignore_files_in(folder)
    if listed is not None:
        names = tuple(name for name in names if name.lower() in listed)
        if not names:
            return None
    if not os.path.isfile(dockerfile):
        return None
    for name in names:
        candidate = os.path.join(folder, name)
        try:
            with open_regular(candidate) as handle:
                data = handle.read(MAX_IGNORE_FILE_BYTES + 1)
        except NotRegularFile:
            logger.warning("%s is %s; it is not read, so the build context is taken as not filtered", candidate, NOT_REGULAR_FILE)
            continue
        except OSError:
            continue
        if len(data) > MAX_IGNORE_FILE_BYTES:
            return None
        return candidate, read_patterns(data.decode("utf-8", errors="replace"))
    return None


def _ignore_files_in(folder: str) -> frozenset[str] | None:
    """Return the names of a folder's ignore files in lower case, or None when they are not known: then each is tried.

    A run over many Dockerfiles of one folder would otherwise try to open two
    missing files for each. The names are kept with the folder's modification
    time, which changes when a file is added, removed or renamed there. As Git
    does with its index, a listing is kept only once that time is a few seconds
    old, so that a change within the file system's timestamp granularity cannot
    go unseen.
    """
    if plain_evaluation():
        # The switch that turns the shortcuts off, so the tests can check that this one changes nothing.
        return None
    try:
        stamp = os.stat(folder or ".").st_mtime_ns
    except OSError:
        return None
    listing = _LISTINGS.get(folder)
    if listing is not None and listing[0] == stamp:
        return listing[1]
    if time.time_ns() - stamp < _SETTLED_NS:
        return None
    try:
        with os.scandir(folder or ".") as entries:
            # In lower case: on a file system that ignores case, opening .dockerignore reads .DockerIgnore.
            names = frozenset(entry.name.lower() for entry in entries if entry.name.lower().endswith(".dockerignore"))
    except OSError:
        return None
    if len(_LISTINGS) >= _LISTINGS_SIZE:
        _LISTINGS.clear()
    _LISTINGS[folder] = (stamp, names)
    return names


# The ignore files of the folders seen in this process, with the modification time they were listed at.
_LISTINGS: dict[str, tuple[int, frozenset[str]]] = {}
_LISTINGS_SIZE = 1024
_SETTLED_NS = 3_000_000_000


def read_patterns(text: str) -> list[str]:
    """Read ignore patterns as BuildKit does: skip comments and blank lines, clean each path."""
    patterns = []
    for line in text.removeprefix("\ufeff").splitlines():
        if line.startswith("#"):
            continue
        pattern = line.strip()
        if not pattern:
            continue
        negated = pattern.startswith("!")
        if negated:
            pattern = pattern[1:].strip()
        if pattern:
            # posixpath keeps a leading "//", which Go's filepath.Clean turns into "/".
            if pattern.startswith("/"):
                pattern = "/" + pattern.lstrip("/")
            pattern = posixpath.normpath(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        patterns.append(("!" if negated else "") + pattern)
    return patterns


def _anchored(pattern: str) -> str:
    # A gitignore pattern without a leading slash matches at any depth, while Docker's match at the context root.
    if pattern.startswith("!"):
        return "!/" + pattern[1:]
    return "/" + pattern


def _ignored(path: str, spec: pathspec.GitIgnoreSpec, excludes_root: bool) -> bool:
    cleaned = posixpath.normpath(path).lstrip("/")
    if cleaned in ("", "."):
        return excludes_root
    return spec.match_file(cleaned)
