"""Read an OCI image layout folder: ``oci-layout``, ``index.json`` and ``blobs/<algorithm>/<hex>``.

Blob names are built from checked digests (see :mod:`.blobs`), and a file that
resolves outside the folder through a symbolic link is refused, so a layout
cannot make prodpolicy read other files on the machine.
"""

from __future__ import annotations

import os
from typing import BinaryIO

from .blobs import MAX_JSON_BYTES, BlobError


class FolderStore:
    """The files of one OCI image layout folder."""

    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)

    def _path(self, name: str) -> str:
        path = os.path.realpath(os.path.join(self.root, *name.split("/")))
        if os.path.commonpath([self.root, path]) != self.root:
            raise BlobError(f"{name} resolves to {path}, outside the layout folder, so it was not read")
        return path

    def exists(self, name: str) -> bool:
        return os.path.isfile(self._path(name))

    def size(self, name: str) -> int | None:
        try:
            return os.path.getsize(self._path(name))
        except OSError:
            return None

    def read(self, name: str, limit: int = MAX_JSON_BYTES) -> bytes:
        with self.open(name) as handle:
            content = handle.read(limit + 1)
        if len(content) > limit:
            raise BlobError(f"{name} is more than the {limit:,}-byte limit for a manifest or config")
        return content

    def open(self, name: str) -> BinaryIO:
        path = self._path(name)
        if not os.path.isfile(path):
            raise BlobError(f"{name} is missing from the layout folder")
        try:
            return open(path, "rb")
        except OSError as error:
            raise BlobError(f"{name} could not be read: {error.strerror or error}") from None
