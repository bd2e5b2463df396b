"""The input kinds: how each is recognised and which normalizer reads it.

Each kind registers a name test (used when searching folders) and a normalizer.
Normalizers are imported on first use, so starting the program stays fast.
"""

from __future__ import annotations

import fnmatch
import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from .document import Document
from .errors import InputError, InvalidInput
from .source import Source


@dataclass(frozen=True)
class NormalizeOptions:
    """Settings a normalizer may use; each kind reads the ones that apply to it."""

    # Dockerfile: the stage whose runtime view is evaluated (default: the last).
    target: str | None = None
    # Compose: variables for interpolation, as given with --env-file or by a caller.
    environment: dict[str, str] = field(default_factory=dict)
    env_files: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    # Compose: files merged after the first one, as with docker compose -f a.yml -f b.yml.
    extra_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    """An input kind: name patterns for folder search and the normalizer entry point."""

    name: str
    patterns: tuple[str, ...]
    # "module:function" taking (Source, NormalizeOptions) and returning a list of documents.
    normalizer: str
    # A file whose presence makes a whole folder one input of this kind (an OCI image layout's oci-layout).
    directory_marker: str | None = None

    def matches_name(self, file_name: str) -> bool:
        lowered = file_name.lower()
        return any(fnmatch.fnmatchcase(lowered, pattern) for pattern in self.patterns)

    def normalize(self, source: Source, options: NormalizeOptions) -> list[Document]:
        module_name, _, function_name = self.normalizer.partition(":")
        function: Callable[[Source, NormalizeOptions], list[Document]] = getattr(
            importlib.import_module(module_name), function_name
        )
        return function(source, options)


KINDS: dict[str, Kind] = {
    "dockerfile": Kind(
        name="dockerfile",
        patterns=("dockerfile", "containerfile", "*.dockerfile", "*.containerfile", "dockerfile.*", "containerfile.*"),
        normalizer="prodpolicy.dockerfile:normalize_source",
    ),
}


def kind_for_name(file_name: str) -> Kind | None:
    """Return the kind a file name indicates, or None."""
    for kind in KINDS.values():
        if kind.matches_name(file_name):
            return kind
    return None


def kind_for_directory(path: str) -> Kind | None:
    """Return the kind that reads a whole folder as one input, or None for an ordinary folder."""
    for kind in KINDS.values():
        if kind.directory_marker and os.path.isfile(os.path.join(path, kind.directory_marker)):
            return kind
    return None


def detect_kind(source: Source, file_name: str) -> Kind:
    """Decide the kind of an explicitly given file, by name first and then by content."""
    kind = kind_for_name(file_name)
    if kind is not None:
        return kind
    for sniffer in SNIFFERS:
        name = sniffer(source.data)
        if name is not None and name in KINDS:
            return KINDS[name]
    known = ", ".join(sorted(KINDS))
    raise InvalidInput(
        InputError(
            source.file,
            f"cannot tell what kind of input this is (known kinds: {known}); "
            "name Dockerfiles Dockerfile or *.Dockerfile, or pass --kind",
        )
    )


# Content tests, tried in order, each returning a kind name or None.
SNIFFERS: list[Callable[[bytes], str | None]] = []


def _looks_like_dockerfile(data: bytes) -> str | None:
    head = data[:4096].lstrip(b"\xef\xbb\xbf").decode("utf-8", "replace")
    for line in head.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        keyword = stripped.split(None, 1)[0].upper()
        return "dockerfile" if keyword in ("FROM", "ARG") else None
    return None


SNIFFERS.append(_looks_like_dockerfile)


def normalize_with(kind: Kind, source: Source, options: NormalizeOptions | None = None) -> list[Document]:
    """Run a kind's normalizer on a source."""
    return kind.normalize(source, options or NormalizeOptions())


__all__ = ["KINDS", "Kind", "NormalizeOptions", "detect_kind", "kind_for_name", "normalize_with"]
