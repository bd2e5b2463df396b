"""File globs for exception targets, with the rules of .gitignore patterns.

* ``*`` matches within one folder name, ``?`` one character, ``[abc]`` a set;
* ``**`` matches across folders: ``legacy/**/Dockerfile``, ``**/*.Dockerfile``;
* a pattern with a ``/`` is anchored at the folder of the file that declares it.
  A leading ``/`` is allowed, and each leading ``../`` moves up one folder;
* a pattern without a ``/`` matches a file or folder name at any depth;
* a pattern that matches a folder matches every file below it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import re2


class GlobError(ValueError):
    """Raised for a glob that cannot be translated, such as an unclosed ``[``."""


@dataclass(frozen=True, slots=True, eq=False)
class FileGlob:
    """A compiled glob and the folder it is relative to."""

    pattern: str
    base: str
    anchored: bool
    regex: Any

    def matches(self, file: str) -> bool:
        """Return whether ``file`` (as given to prodpolicy, relative to the working folder or absolute) matches."""
        if self.anchored:
            relative = os.path.relpath(os.path.abspath(file), self.base)
            if relative == ".." or relative.startswith(".." + os.sep):
                return False
            parts = PurePath(relative).parts
            return any(self.regex.fullmatch("/".join(parts[:end])) for end in range(len(parts), 0, -1))
        return any(self.regex.fullmatch(part) for part in PurePath(file).parts)


def compile_glob(pattern: str, base: str) -> FileGlob:
    """Compile a glob relative to the folder ``base``; raise :class:`GlobError` when it is malformed."""
    text = pattern.strip()
    if not text:
        raise GlobError("the file glob is empty")
    if text.endswith("/"):
        text = text.rstrip("/") + "/**"
    anchored = "/" in text
    text = text.lstrip("/")
    folder = os.path.abspath(base)
    # ../ moves the folder the glob is anchored at, so a policy can name files beside its own folder.
    while text.startswith("../"):
        folder = os.path.dirname(folder)
        text = text[3:]
    return FileGlob(pattern, folder, anchored, re2.compile(_translate(text)))


def _translate(glob: str) -> str:
    parts: list[str] = []
    index = 0
    while index < len(glob):
        character = glob[index]
        if glob.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
        elif glob.startswith("**", index):
            parts.append(".*")
            index += 2
        elif character == "*":
            parts.append("[^/]*")
            index += 1
        elif character == "?":
            parts.append("[^/]")
            index += 1
        elif character == "[":
            end = glob.find("]", index + 2 if glob[index + 1 : index + 2] in ("!", "]") else index + 1)
            if end < 0:
                raise GlobError(f"unclosed [ in the file glob {glob!r}")
            body = glob[index + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            parts.append("[" + body.replace("\\", "\\\\") + "]")
            index = end + 1
        else:
            parts.append(re2.escape(character))
            index += 1
    return "".join(parts)
