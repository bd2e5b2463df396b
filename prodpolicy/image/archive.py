"""Read a tar archive (docker save output or an OCI layout tar) without extracting anything.

The archive is opened with :mod:`tarfile` from a file handle: member headers
are read one after another and member data is skipped with seeks, so a
gigabyte archive costs a pass over its headers, not its size in memory. Only
the small JSON members (manifests, configs, the index) are read, and layers are
streamed when the filesystem is scanned. A gzip, bzip2 or xz wrapper is
decompressed on the fly.

Names inside the archive are never trusted. A member whose name is absolute or
climbs out with ``..``, and a link whose target does, make the whole archive an
input error: docker and OCI tools never write one. Symbolic links between
members are followed inside the archive, because older docker save archives
store a repeated layer as a link to its first copy.

The current input limits (:mod:`prodpolicy.limits`) bound the number of members
and their total size; indexing stops at the first header over either, before
its data is read.
"""

from __future__ import annotations

import lzma
import posixpath
import re
import tarfile
import zlib
from typing import BinaryIO

from ..limits import DEFAULT_LIMITS, current_limits, expansion_message, expands_too_much
from .blobs import MAX_JSON_BYTES, BlobError

MAX_MEMBERS = DEFAULT_LIMITS.max_archive_members
# Links followed one after another before the chain counts as a loop.
MAX_LINK_HOPS = 16
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_TAR_METHOD_ERROR = re.compile(r"method tar: \w+\(['\"](.*?)['\"]\)")
# The exceptions tarfile and the decompressors raise for a damaged or truncated archive.
READ_ERRORS = (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError)


class ArchiveError(Exception):
    """Raised when the archive as a whole cannot be read; the message gives the reason and the next step."""


def safe_name(name: str) -> str | None:
    """Return the member name without ``./`` and trailing slashes, or None when it leaves the archive.

    A backslash counts as a separator for the ``..`` test, because Windows tools would extract it as one.
    """
    if name.startswith(("/", "\\")):
        return None
    if ".." in name.replace("\\", "/").split("/"):
        return None
    return "/".join(part for part in name.split("/") if part not in ("", "."))


def _tar_reason(error: BaseException) -> str:
    """Return why tarfile could not open an archive, without the list of every compression it tried."""
    text = str(error)
    # tarfile.open(mode="r:*") joins the errors of every method it tried, and the tar method's error is the
    # one that applies.
    found = _TAR_METHOD_ERROR.search(text)
    if found:
        return found.group(1)
    return text.splitlines()[0] if text else type(error).__name__


class TarStore:
    """The members of one tar archive, indexed by name after a safety check of every header."""

    def __init__(self, handle: BinaryIO) -> None:
        head = handle.read(4)
        handle.seek(0)
        if head == _ZSTD_MAGIC:
            raise ArchiveError(
                "the archive is compressed with zstd, which this Python version cannot read; "
                "decompress it first (zstd -d) and pass the .tar"
            )
        size = handle.seek(0, 2)
        handle.seek(0)
        try:
            self.tar = tarfile.open(fileobj=handle, mode="r:*")
        except READ_ERRORS as error:
            raise ArchiveError(f"not a readable tar archive ({_tar_reason(error)}); pass a docker save or OCI layout archive") from None
        self.members: dict[str, tarfile.TarInfo] = {}
        self.limits = current_limits()
        self._total_bytes = 0
        # The size on disk of a compressed archive (tarfile reads it through a decompressor), else None.
        self._compressed_size = size if self.tar.fileobj is not handle else None
        self._index()

    def _index(self) -> None:
        tar = self.tar
        try:
            while True:
                member = tar.next()
                if member is None:
                    break
                self._add(member)
            self._check_end()
        except READ_ERRORS as error:
            raise ArchiveError(
                f"the archive is truncated or damaged ({error}); copy or save the image again"
            ) from None
        # tarfile keeps every header it reads; the index above is all this store needs.
        tar.members = []

    def _add(self, member: tarfile.TarInfo) -> None:
        limits = self.limits
        if len(self.members) >= limits.max_archive_members:
            raise ArchiveError(limits.exceeded("max_archive_members", "the archive has more members than"))
        self._total_bytes += member.size
        if self._total_bytes > limits.max_archive_bytes:
            raise ArchiveError(limits.exceeded("max_archive_bytes", "the members of the archive are larger, in total, than"))
        if self._compressed_size is not None and expands_too_much(self._total_bytes, self._compressed_size):
            # Checked on the header, before tarfile decompresses the member's data to skip it.
            raise ArchiveError(expansion_message("the archive", self._compressed_size))
        name = safe_name(member.name)
        if name is None:
            raise ArchiveError(
                f"the archive member {member.name!r} has a path outside the archive; docker and OCI tools never "
                "write one, so the archive was not read further"
            )
        if member.issym() or member.islnk():
            target = self._link_target(name, member)
            if target is None:
                raise ArchiveError(
                    f"the archive member {member.name!r} is a link to {member.linkname!r}, outside the archive; "
                    "docker and OCI tools never write one, so the archive was not read further"
                )
        self.members[name] = member

    def _check_end(self) -> None:
        # tarfile stops without an error when the data ends at a member boundary or inside a header.
        # A complete archive has a block of zero bytes at that offset.
        tar = self.tar
        tar.fileobj.seek(tar.offset)
        trailer = tar.fileobj.read(tarfile.BLOCKSIZE)
        if trailer != tarfile.NUL * tarfile.BLOCKSIZE:
            raise ArchiveError(
                "the archive is truncated: it ends without the end-of-archive marker; copy or save the image again"
            )

    @staticmethod
    def _link_target(name: str, member: tarfile.TarInfo) -> str | None:
        if member.issym():
            if member.linkname.startswith("/"):
                return None
            return _resolve_dots(posixpath.dirname(name), member.linkname)
        # A hard link names its target from the archive root.
        return safe_name(member.linkname)

    def _member(self, name: str) -> tarfile.TarInfo:
        current = name
        for _ in range(MAX_LINK_HOPS):
            member = self.members.get(current)
            if member is None and current == name:
                raise BlobError(f"{name} is missing from the archive")
            if member is None:
                raise BlobError(f"{name} links to {current}, which is missing from the archive")
            if not (member.issym() or member.islnk()):
                if not member.isfile():
                    raise BlobError(f"{name} is not a regular file in the archive")
                return member
            target = self._link_target(current, member)
            assert target is not None  # unsafe links were rejected while indexing
            current = target
        raise BlobError(f"{name} is a chain of more than {MAX_LINK_HOPS} links; the archive is damaged")

    def exists(self, name: str) -> bool:
        return name in self.members

    def size(self, name: str) -> int | None:
        try:
            return self._member(name).size
        except BlobError:
            return None

    def read(self, name: str, limit: int = MAX_JSON_BYTES) -> bytes:
        member = self._member(name)
        if member.size > limit:
            raise BlobError(f"{name} is {member.size:,} bytes, more than the {limit:,}-byte limit for a manifest or config")
        try:
            return self.open(name).read()
        except READ_ERRORS as error:
            raise BlobError(f"{name} could not be read: the archive is truncated or damaged ({error})") from None

    def open(self, name: str) -> BinaryIO:
        handle = self.tar.extractfile(self._member(name))
        if handle is None:
            raise BlobError(f"{name} is not a regular file in the archive")
        return handle  # type: ignore[return-value]


def _resolve_dots(directory: str, link: str) -> str | None:
    """Join a symlink target to its directory, resolving ``..``; None when it climbs above the archive root."""
    parts = [part for part in directory.split("/") if part]
    for part in link.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)
