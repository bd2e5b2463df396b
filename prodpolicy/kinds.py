"""The input kinds: how each is recognised and which normalizer reads it.

Each kind registers a name test (used when searching folders) and a normalizer.
Normalizers are imported on first use, so starting the program stays fast.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import importlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .document import Document
from .errors import InputError, InvalidInput
from .limits import DEFAULT_LIMITS, Limits, applied
from .source import Source, check_size, is_archive


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
    # Every kind: the input limits, raised with --max-file-size and the other limit options.
    limits: Limits = DEFAULT_LIMITS


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
        """Run the normalizer with ``options.limits`` as the current limits.

        Text given in memory was not read through :func:`~prodpolicy.source.read_source`,
        so its size is checked here. Error messages may quote the input: token
        shapes in them are masked here, whichever normalizer wrote them.
        """
        module_name, _, function_name = self.normalizer.partition(":")
        function: Callable[[Source, NormalizeOptions], list[Document]] = getattr(
            importlib.import_module(module_name), function_name
        )
        if source.complete:
            check_size(source.file, len(source.data), options.limits)
        with applied(options.limits):
            try:
                documents = function(source, options)
            except InvalidInput as error:
                raise InvalidInput(_redacted_error(error.error)) from None
        for document in documents:
            document.errors[:] = [_redacted_error(error) for error in document.errors]
        return documents


KINDS: dict[str, Kind] = {
    "dockerfile": Kind(
        name="dockerfile",
        patterns=("dockerfile", "containerfile", "*.dockerfile", "*.containerfile", "dockerfile.*", "containerfile.*"),
        normalizer="prodpolicy.dockerfile:normalize_source",
    ),
    # The default names docker compose looks for, and their override files (merged into them: see discovery).
    "compose": Kind(
        name="compose",
        patterns=(
            "compose.yaml",
            "compose.yml",
            "docker-compose.yaml",
            "docker-compose.yml",
            "compose.override.yaml",
            "compose.override.yml",
            "docker-compose.override.yaml",
            "docker-compose.override.yml",
        ),
        normalizer="prodpolicy.compose:normalize_source",
    ),
    # Image files have no telling names (image.tar, config.json): they are recognised by content.
    "image": Kind(
        name="image",
        patterns=(),
        normalizer="prodpolicy.image:normalize_source",
        directory_marker="oci-layout",
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
    if _json_keys(source.data) is not None:
        _raise_invalid_json(source)
        raise InvalidInput(
            InputError(
                source.file,
                "a JSON file that is none of the known kinds: expected docker inspect output, an OCI image "
                f"config, or an OCI image layout or docker save archive; pass --kind ({known}) to force one",
            )
        )
    raise InvalidInput(
        InputError(
            source.file,
            f"cannot tell what kind of input this is (known kinds: {known}); "
            "name Dockerfiles Dockerfile or *.Dockerfile, or pass --kind",
        )
    )


def _raise_invalid_json(source: Source) -> None:
    """Raise an input error at the first syntax error of text that starts like JSON, if it has one."""
    import json

    try:
        json.loads(source.data.decode("utf-8", errors="replace"))
    except RecursionError:
        raise InvalidInput(InputError(source.file, "invalid JSON: nested too deeply to read")) from None
    except json.JSONDecodeError as error:
        raise InvalidInput(
            InputError(source.file, f"invalid JSON: {error.msg[:1].lower()}{error.msg[1:]} here; fix the syntax", line=error.lineno, column=error.colno)
        ) from None
    except ValueError:
        # A number of more digits than Python converts: the syntax is valid, and the caller reports JSON of no
        # known kind.
        return


def _redacted_error(error: InputError) -> InputError:
    from . import secrets  # RE2 patterns compile on import: only once an input is normalized

    message = secrets.redact_text(error.message)
    return error if message == error.message else dataclasses.replace(error, message=message)


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

# A top-level services: key, the one key every compose file has, as a block or as a flow mapping ({}).
_COMPOSE_SERVICES = re.compile(rb"^services:[ \t]*(?:\{.*|#.*)?\r?$", re.MULTILINE)


def _looks_like_compose(data: bytes) -> str | None:
    return "compose" if _COMPOSE_SERVICES.search(data[:65536]) else None


SNIFFERS.append(_looks_like_compose)

_JSON_KEY = re.compile(rb'"([A-Za-z_]+)"\s*:')
# An object or an array as JSON starts them; an INI section such as [metadata] does not match.
_JSON_START = re.compile(rb'^(?:\xef\xbb\xbf)?\s*(?:\{\s*["}]|\[\s*(?:[\[{"\]0-9-]|true|false|null))')
# Keys that, found together near the start of a JSON file, mark one of the image formats.
_IMAGE_KEY_SETS = (
    {b"RepoTags"},  # docker inspect
    {b"Id", b"Config"},  # docker inspect without tags
    {b"RootFS"},  # docker inspect
    {b"rootfs"},  # OCI image config
    {b"architecture", b"os", b"config"},  # OCI image config without rootfs
    {b"schemaVersion", b"manifests"},  # OCI image index: explained as an error by the normalizer
    {b"schemaVersion", b"layers"},  # OCI image manifest: explained as an error by the normalizer
    {b"Config", b"Layers"},  # the manifest.json of docker save: explained as an error by the normalizer
)


def _json_keys(data: bytes) -> set[bytes] | None:
    """Return the object keys near the start of a JSON document, or None when the data does not start like JSON."""
    head = data[:65536]
    if not _JSON_START.match(head):
        return None
    return set(_JSON_KEY.findall(head))


def _looks_like_image(data: bytes) -> str | None:
    if is_archive(data):
        return "image"
    keys = _json_keys(data)
    if keys and any(required <= keys for required in _IMAGE_KEY_SETS):
        return "image"
    return None


SNIFFERS.append(_looks_like_image)


def normalize_with(kind: Kind, source: Source, options: NormalizeOptions | None = None) -> list[Document]:
    """Run a kind's normalizer on a source."""
    return kind.normalize(source, options or NormalizeOptions())


__all__ = ["KINDS", "Kind", "NormalizeOptions", "detect_kind", "kind_for_name", "normalize_with"]
