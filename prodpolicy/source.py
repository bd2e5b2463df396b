"""Read input files: size limit, binary detection and strict UTF-8 decoding with a position.

Text inputs are read whole, up to a size limit. An archive (a tar, possibly
compressed) can be gigabytes: only its first bytes are read here, to recognise
it, and its normalizer streams the rest from the path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .errors import InputError, InvalidInput
from .limits import DEFAULT_LIMITS, Limits, current_limits

DEFAULT_MAX_FILE_BYTES = DEFAULT_LIMITS.max_file_bytes
# Enough to see a tar header (its magic is at offset 257) and the start of a gzip stream.
HEAD_BYTES = 64 * 1024

# Magic numbers of the compressed streams a docker save archive may be wrapped in.
_COMPRESSED_MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd")


@dataclass(frozen=True, slots=True)
class Source:
    """The bytes of one input and the name to report it under.

    For an archive read from disk, ``data`` contains only the first bytes and
    ``complete`` is False: its normalizer opens ``path`` and streams it.
    """

    file: str
    data: bytes
    # The file or folder on disk; None for content given in memory.
    path: str | None = None
    complete: bool = True


def is_archive(head: bytes) -> bool:
    """Return True when ``head`` starts a tar archive or a compressed stream (gzip, bzip2, xz, zstd)."""
    if head[257:262] == b"ustar":
        return True
    return head.startswith(_COMPRESSED_MAGIC)


def read_source(path: str | os.PathLike[str], max_bytes: int | None = None, display: str | None = None) -> Source:
    """Read a text file whole, or the head of an archive; raise :class:`InvalidInput` on failure.

    A text file larger than ``max_bytes`` (default: the current ``max_file_bytes``
    limit) is rejected after reading one byte more than the limit, so a huge file
    costs no more than the limit. An archive has no size limit here because
    only its first :data:`HEAD_BYTES` are read.
    """
    file = display or os.fspath(path)
    limits = current_limits() if max_bytes is None else Limits(max_file_bytes=max_bytes)
    max_bytes = limits.max_file_bytes
    try:
        with open(path, "rb") as handle:
            data = handle.read(HEAD_BYTES)
            if is_archive(data):
                return Source(file, data, os.fspath(path), complete=False)
            if len(data) == HEAD_BYTES and max_bytes >= HEAD_BYTES:
                data += handle.read(max_bytes + 1 - HEAD_BYTES)
    except FileNotFoundError:
        raise InvalidInput(InputError(file, "file not found")) from None
    except IsADirectoryError:
        raise InvalidInput(InputError(file, "is a directory; pass the folder itself to search it")) from None
    except OSError as error:
        raise InvalidInput(InputError(file, f"cannot read the file: {error.strerror or error}")) from None
    check_size(file, len(data), limits)
    return Source(file, data, os.fspath(path))


def check_size(file: str, size: int, limits: Limits) -> None:
    """Raise :class:`InvalidInput` when a text input of ``size`` bytes is over the file size limit."""
    if size > limits.max_file_bytes:
        raise InvalidInput(InputError(file, limits.exceeded("max_file_bytes", "the file is larger than")))


def decode_text(source: Source) -> str:
    """Decode UTF-8 text; a byte order mark is kept for the parsers, which drop it.

    Raises :class:`InvalidInput` for binary data (a NUL byte) and for bytes that
    are not UTF-8, naming the line and column of the first bad byte.
    """
    data = source.data
    nul = data.find(b"\0")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise InvalidInput(
            InputError(source.file, "binary data (a NUL byte): expected a text file such as a Dockerfile", line=line)
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InvalidInput(
            InputError(
                source.file,
                f"not valid UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8",
                line=line,
                column=column,
            )
        ) from None
