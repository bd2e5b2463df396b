"""Positions and paths as the CI formats need them."""

from __future__ import annotations

import os
from urllib.parse import quote

from ..findings import Finding


def repository_path(file: str) -> str:
    """Return ``file`` relative to the working directory when it lies under it, normalized, with ``/`` separators.

    CI systems (GitHub code scanning, GitLab code quality) resolve paths against the
    repository root, which is where prodpolicy runs in a pipeline.
    """
    if os.path.isabs(file):
        try:
            relative = os.path.relpath(file)
        except ValueError:  # another drive on Windows
            return file.replace(os.sep, "/")
        if not relative.startswith(os.pardir):
            file = relative
    else:
        # "./service/Dockerfile", as found under "prodpolicy eval .", names the same file as "service/Dockerfile".
        file = os.path.normpath(file)
    return file.replace(os.sep, "/")


def artifact_uri(file: str) -> tuple[str, bool]:
    """Return the SARIF URI of a file and whether it is relative to the repository root."""
    path = repository_path(file)
    # A name that is not UTF-8 comes from the file system with surrogate escapes: its original bytes are
    # percent-encoded, which is the URI of the file.
    if os.path.isabs(path):
        return "file://" + quote(path.replace(os.sep, "/"), errors="surrogateescape"), False
    return quote(path, errors="surrogateescape"), True


def start_column(line: int | None, column: int | None, sources: dict[str, list[str]], file: str) -> int | None:
    """Return the 1-based column a finding or error starts at.

    Normalizers record a column only where the input has one finer than a line (a
    compose key). Without it, a finding covers its whole instruction, which starts
    at the first character that is not blank on its first line.
    """
    if column is not None or line is None:
        return column
    lines = sources.get(file)
    if lines is None or not 1 <= line <= len(lines):
        return None
    text = lines[line - 1]
    return len(text) - len(text.lstrip()) + 1


def finding_column(finding: Finding, sources: dict[str, list[str]]) -> int | None:
    """Return the start column of a finding (see :func:`start_column`)."""
    return start_column(finding.line, finding.column, sources, finding.file)
