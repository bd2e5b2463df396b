"""Named blobs of an archive or a folder, read safely for the layout readers.

A docker save archive names its blobs by path (``manifest.json``,
``<id>/layer.tar``); an OCI image layout names them by digest under
``blobs/<algorithm>/<hex>``. Both stores below take such names, never a path
built from unchecked input, and read JSON blobs only up to a size limit.
"""

from __future__ import annotations

import hashlib
import re
from typing import BinaryIO, Protocol

from ..source import DEFAULT_MAX_FILE_BYTES

# Manifests and configs are kilobytes; a config with a long history stays far below this.
MAX_JSON_BYTES = DEFAULT_MAX_FILE_BYTES

# The OCI image spec's digest grammar, with the encoded part of the registered algorithms checked below.
_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$")
_HEX_LENGTHS = {"sha256": 64, "sha512": 128}


class BlobError(Exception):
    """Raised when a blob is missing, too large, unsafe or does not match its digest; the message names the blob."""


class BlobStore(Protocol):
    """Blobs by name: a tar archive's members or an OCI layout folder's files."""

    def exists(self, name: str) -> bool: ...

    def size(self, name: str) -> int | None: ...

    def read(self, name: str, limit: int = MAX_JSON_BYTES) -> bytes: ...

    def open(self, name: str) -> BinaryIO: ...


def check_digest(digest: object) -> str:
    """Return ``digest`` when it is a valid OCI digest; raise :class:`BlobError` otherwise."""
    if not isinstance(digest, str) or not _DIGEST.match(digest):
        raise BlobError(f"invalid digest {digest!r}; expected algorithm:hex such as sha256:<64 hex digits>")
    algorithm, _, encoded = digest.partition(":")
    length = _HEX_LENGTHS.get(algorithm)
    if length is not None and (len(encoded) != length or not re.fullmatch(r"[0-9a-f]+", encoded)):
        raise BlobError(f"invalid {algorithm} digest {digest!r}; expected {length} lower-case hex digits")
    return digest


def blob_name(digest: object) -> str:
    """Return the path of a blob inside an OCI image layout: ``blobs/<algorithm>/<encoded>``."""
    algorithm, _, encoded = check_digest(digest).partition(":")
    return f"blobs/{algorithm}/{encoded}"


def verify(content: bytes, digest: str, name: str) -> None:
    """Raise :class:`BlobError` when ``content`` does not hash to ``digest`` (for the algorithms hashlib has)."""
    algorithm, _, encoded = digest.partition(":")
    if algorithm not in _HEX_LENGTHS:
        return
    actual = hashlib.new(algorithm, content).hexdigest()
    if actual != encoded:
        raise BlobError(f"{name} does not match its digest {digest} (content hashes to {algorithm}:{actual[:12]}…); the blob is damaged or was altered")


def sha256_digest(content: bytes) -> str:
    """Return the ``sha256:<hex>`` digest of ``content``."""
    return "sha256:" + hashlib.sha256(content).hexdigest()
