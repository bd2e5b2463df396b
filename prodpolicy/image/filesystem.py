"""Scan the layers of an image for facts about its final filesystem.

Each layer is a tar (plain, or gzip-compressed in registry layouts) whose
headers carry each file's mode. The layers are applied in order, as a
container runtime stacks them: a later layer that rewrites a file decides its
state, and OCI whiteouts remove files of the layers below (``.wh.NAME`` removes
NAME, ``.wh..wh..opq`` empties its folder). Three facts are collected:

* setuid and setgid files. Directories with the setgid bit are left out: on a
  directory the bit only makes new files inherit the group, it grants no
  privilege;
* notable files and folders, chosen by name in :mod:`.notable` (secrets,
  version control and build files), with whether their content contains a
  credential;
* the account files ``/etc/passwd``, ``/etc/group`` and ``/etc/shadow``, whose
  text :mod:`.accounts` reads.

Only headers are read, and file data is skipped with seeks where the layer is
not compressed, except for the few files whose content a fact needs, of which
at most :data:`notable.MAX_READ_BYTES` (or :data:`MAX_ACCOUNT_FILE_BYTES`) are read.
Nothing is ever written to disk. The ``max_archive_bytes`` limit bounds the
uncompressed bytes of all layers together: the scan stops at the first header
that would pass it, before that member's data is decompressed.
"""

from __future__ import annotations

import gzip
import posixpath
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from ..limits import Limits, current_limits, expansion_message, expands_too_much
from . import notable
from .archive import READ_ERRORS
from .blobs import BlobError, BlobStore

_SPECIAL_BITS = 0o6000
_WHITEOUT = ".wh."
_OPAQUE = ".wh..wh..opq"
_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
ACCOUNT_FILES = ("/etc/passwd", "/etc/group", "/etc/shadow")
# Account files of real systems are kilobytes; a larger one is not read.
MAX_ACCOUNT_FILE_BYTES = 1024 * 1024
# Maximum number of notable files listed per image, because a tree of vendored packages can hold thousands of dotfiles.
MAX_NOTABLE_FILES = 1000


@dataclass
class LayerScan:
    """The result of reading an image's layers."""

    filesystem: dict[str, Any]
    setuid_files: list[dict[str, Any]]
    # Missing or damaged layers: input errors. A layer format this scan cannot read is only noted.
    errors: list[str] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    # The text of /etc/passwd, /etc/group and /etc/shadow as the final filesystem has them.
    account_files: dict[str, str] = field(default_factory=dict)


@dataclass
class _FinalState:
    """The state of the tracked paths after the layers applied so far."""

    setuid: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    accounts: dict[str, tuple[int, str]] = field(default_factory=dict)
    truncated: bool = False
    # Uncompressed bytes of the layers already read, tar headers included.
    scanned_bytes: int = 0

    def remove(self, path: str) -> None:
        for tracked in (self.setuid, self.files, self.accounts):
            tracked.pop(path, None)

    def remove_below(self, directory: str, before_layer: int) -> None:
        """Remove what layers before ``before_layer`` wrote under ``directory``."""
        prefix = directory.rstrip("/") + "/"
        for tracked in (self.setuid, self.files):
            for path in [path for path, item in tracked.items() if path.startswith(prefix) and item["layer"] < before_layer]:
                del tracked[path]
        for path in [path for path, (layer, _) in self.accounts.items() if path.startswith(prefix) and layer < before_layer]:
            del self.accounts[path]


def scan_layers(store: BlobStore, layers: list[dict[str, Any]]) -> LayerScan:
    """Read every layer in order and return the facts of the final filesystem."""
    state = _FinalState()
    limits = current_limits()
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
                _apply_layer(handle, index, state, limits)
        except _OverLimit as error:
            errors.append(f"layer {index + 1} was not scanned to the end, nor the layers after it: {error}")
            break
        except BlobError as error:
            errors.append(f"layer {index + 1} was not scanned: {error}")
        except _Unreadable as error:
            notes.append(f"layer {index + 1} ({name}) was not scanned: {error}")
        except READ_ERRORS as error:
            errors.append(f"layer {index + 1} ({name}) was not scanned: it is truncated or damaged ({error})")
    filesystem: dict[str, Any] = {"scanned": not (errors or notes)}
    if state.truncated:
        # The layers were all read; only the list of notable files is cut short.
        notes.append(f"more than {MAX_NOTABLE_FILES} notable files: only the first {MAX_NOTABLE_FILES} are listed")
    if errors or notes:
        filesystem["note"] = "; ".join([*errors, *notes])
    setuid = sorted(state.setuid.values(), key=lambda item: item["path"])
    files = sorted(state.files.values(), key=lambda item: item["path"])
    accounts = {path: text for path, (_, text) in state.accounts.items()}
    return LayerScan(filesystem, setuid, errors, files, accounts)


def _foreign(layer: dict[str, Any]) -> bool:
    media_type = layer.get("media_type") or ""
    return "foreign" in media_type or "nondistributable" in media_type


class _Unreadable(Exception):
    """Raised for a layer in a format this scan cannot read."""


class _OverLimit(Exception):
    """Raised when the layers read so far are larger, uncompressed, than ``max_archive_bytes``."""


def _apply_layer(handle: BinaryIO, index: int, state: _FinalState, limits: Limits) -> None:
    tar: tarfile.TarFile | None = None
    compressed = _stored_size(handle)
    for tar, member in _members(handle):
        # tarfile has already moved tar.offset past this member's data, which is not decompressed yet.
        if state.scanned_bytes + tar.offset > limits.max_archive_bytes:
            raise _OverLimit(limits.exceeded("max_archive_bytes", "the uncompressed layers are larger than"))
        if compressed is not None and expands_too_much(tar.offset, compressed):
            raise _OverLimit(expansion_message(f"layer {index + 1}", compressed))
        path = "/" + "/".join(part for part in member.name.split("/") if part not in ("", "."))
        directory, base = posixpath.split(path)
        if base == _OPAQUE:
            state.remove_below(directory, index)
            continue
        if base.startswith(_WHITEOUT):
            removed = posixpath.join(directory, base[len(_WHITEOUT) :])
            state.remove(removed)
            state.remove_below(removed, index + 1)
            continue
        state.remove(path)
        if (member.isfile() or member.islnk()) and member.mode & _SPECIAL_BITS:
            state.setuid[path] = _setuid_file(path, member.mode, index)
        if path in ACCOUNT_FILES and member.isfile() and member.size <= MAX_ACCOUNT_FILE_BYTES:
            state.accounts[path] = (index, _read(tar, member, MAX_ACCOUNT_FILE_BYTES).decode("utf-8", "replace"))
        _record_notable(tar, member, path, index, state)
    if tar is not None:
        state.scanned_bytes += tar.offset


def _stored_size(handle: BinaryIO) -> int | None:
    """Return the size of a layer as stored, or None when the stream cannot tell it."""
    try:
        size = handle.seek(0, 2)
        handle.seek(0)
    except (OSError, ValueError):
        return None
    return size


def _record_notable(tar: tarfile.TarFile, member: tarfile.TarInfo, path: str, index: int, state: _FinalState) -> None:
    for found in notable.candidates(path, member.isdir()):
        if found.path in state.files:
            continue
        if len(state.files) >= MAX_NOTABLE_FILES:
            state.truncated = True
            return
        entry: dict[str, Any] = {"path": found.path, "type": _type(member, found.folder), "layer": index}
        if not found.folder:
            entry["size"] = member.size
        if found.read and member.isfile():
            reason = notable.secret_reason(_read(tar, member, notable.MAX_READ_BYTES))
            if reason is not None:
                entry["secret"] = {"reason": reason}
        if found.gated and "secret" not in entry:
            continue
        state.files[found.path] = entry


def _type(member: tarfile.TarInfo, folder: bool) -> str:
    if folder:
        return "directory"
    if member.issym():
        return "symlink"
    return "file"


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo, limit: int) -> bytes:
    handle = tar.extractfile(member)
    if handle is None:
        return b""
    return handle.read(limit)


def _setuid_file(path: str, mode: int, layer: int) -> dict[str, Any]:
    return {
        "path": path,
        "mode": f"{mode & 0o7777:04o}",
        "setuid": bool(mode & 0o4000),
        "setgid": bool(mode & 0o2000),
        "source": "layer",
        "layer": layer,
    }


def _members(handle: BinaryIO) -> Iterator[tuple[tarfile.TarFile, tarfile.TarInfo]]:
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
            yield tar, member
