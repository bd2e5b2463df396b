"""Scan the layers of an image for setuid and setgid files in the final filesystem.

Each layer is a tar (plain, or gzip-compressed in registry layouts) whose
headers carry each file's mode. The layers are applied in order, as a
container runtime stacks them: a later layer that rewrites a file decides its
mode, and OCI whiteouts remove files of the layers below (``.wh.NAME`` removes
NAME, ``.wh..wh..opq`` empties its folder). Only headers are read; file data
is skipped with seeks where the layer is not compressed.

Directories with the setgid bit are left out: on a directory the bit only
makes new files inherit the group, it grants no privilege.
"""

from __future__ import annotations

import gzip
import posixpath
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from .archive import READ_ERRORS
from .blobs import BlobError, BlobStore

_SPECIAL_BITS = 0o6000
_WHITEOUT = ".wh."
_OPAQUE = ".wh..wh..opq"
_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


@dataclass
class LayerScan:
    """The result of reading an image's layers."""

    filesystem: dict[str, Any]
    setuid_files: list[dict[str, Any]]
    # Missing or damaged layers: input errors. A layer format this scan cannot read is only noted.
    errors: list[str] = field(default_factory=list)


def scan_layers(store: BlobStore, layers: list[dict[str, Any]]) -> LayerScan:
    """Read every layer in order and return the setuid and setgid files of the final filesystem."""
    found: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    notes: list[str] = []
    for index, layer in enumerate(layers):
        name = layer["blob"]
        try:
            if _foreign(layer) and not store.exists(name):
                # Windows base layers may not be redistributed, so docker save and registries leave them out.
                notes.append(f"layer {index + 1} is a foreign layer that the input does not contain")
                continue
            with store.open(name) as handle:
                _apply_layer(handle, index, found)
        except BlobError as error:
            errors.append(f"layer {index + 1} was not scanned: {error}")
        except _Unreadable as error:
            notes.append(f"layer {index + 1} ({name}) was not scanned: {error}")
        except READ_ERRORS as error:
            errors.append(f"layer {index + 1} ({name}) was not scanned: it is truncated or damaged ({error})")
    filesystem: dict[str, Any] = {"scanned": not (errors or notes)}
    if errors or notes:
        filesystem["note"] = "; ".join([*errors, *notes])
    files = sorted(found.values(), key=lambda item: item["path"])
    return LayerScan(filesystem, files, errors)


def _foreign(layer: dict[str, Any]) -> bool:
    media_type = layer.get("media_type") or ""
    return "foreign" in media_type or "nondistributable" in media_type


class _Unreadable(Exception):
    """Raised for a layer in a format this scan cannot read."""


def _apply_layer(handle: BinaryIO, index: int, found: dict[str, dict[str, Any]]) -> None:
    for member in _members(handle):
        path = "/" + "/".join(part for part in member.name.split("/") if part not in ("", "."))
        directory, base = posixpath.split(path)
        if base == _OPAQUE:
            _remove_below(found, directory, index)
        elif base.startswith(_WHITEOUT):
            removed = posixpath.join(directory, base[len(_WHITEOUT) :])
            found.pop(removed, None)
            _remove_below(found, removed, index + 1)
        elif (member.isfile() or member.islnk()) and member.mode & _SPECIAL_BITS:
            found[path] = _setuid_file(path, member.mode, index)
        else:
            found.pop(path, None)


def _remove_below(found: dict[str, dict[str, Any]], directory: str, before_layer: int) -> None:
    """Remove files under ``directory`` that layers before ``before_layer`` wrote."""
    prefix = directory.rstrip("/") + "/"
    for path in [path for path, item in found.items() if path.startswith(prefix) and item["layer"] < before_layer]:
        del found[path]


def _setuid_file(path: str, mode: int, layer: int) -> dict[str, Any]:
    return {
        "path": path,
        "mode": f"{mode & 0o7777:04o}",
        "setuid": bool(mode & 0o4000),
        "setgid": bool(mode & 0o2000),
        "source": "layer",
        "layer": layer,
    }


def _members(handle: BinaryIO) -> Iterator[tarfile.TarInfo]:
    head = handle.read(4)
    handle.seek(0)
    if head.startswith(_ZSTD_MAGIC):
        # TODO: read zstd layers with the standard library's compression.zstd once Python 3.14 is the minimum.
        raise _Unreadable("it is compressed with zstd, which this Python version cannot read")
    if head.startswith(_GZIP_MAGIC):
        # A stream over the decompressed bytes: headers are read in order and data is skipped.
        tar = tarfile.open(fileobj=gzip.GzipFile(fileobj=handle, mode="rb"), mode="r|")
    else:
        tar = tarfile.open(fileobj=handle, mode="r:")
    with tar:
        while True:
            member = tar.next()
            if member is None:
                return
            # tarfile keeps every header; a layer can hold a million files, so drop them as we go.
            tar.members = []
            yield member
