"""Open files that a run reads on its own, such as ignore files, only when they are regular files.

Opening a named pipe for reading waits until a process opens it for writing,
which may never happen: one pipe named ``.dockerignore`` in a searched folder
would hang the whole run. :func:`open_regular` opens without waiting and
raises :class:`NotRegularFile`, an ``OSError``, for a pipe, socket or device.
Inputs and policy files named on the command line are opened as usual, so that
``<(command)`` in a shell still works.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import IO, Any

NOT_REGULAR_FILE = "not a regular file (a named pipe, socket or device)"


class NotRegularFile(OSError):
    """Raised for a path that is a named pipe, socket or device."""


def open_regular(path: str | os.PathLike[str], mode: str = "rb", **options: Any) -> IO[Any]:
    """Open a file for reading; raise NotRegularFile for a pipe, socket or device, IsADirectoryError for a folder."""
    # O_NONBLOCK makes open() return at once for a pipe with no writer. It changes nothing for a regular file.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        mode_bits = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode_bits):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
        if not stat.S_ISREG(mode_bits):
            raise NotRegularFile(errno.EINVAL, NOT_REGULAR_FILE, os.fspath(path))
        return os.fdopen(descriptor, mode, **options)
    except BaseException:
        os.close(descriptor)
        raise


def is_special_file(path: str | os.PathLike[str]) -> bool:
    """Return True for a named pipe, socket or device; False for a regular file, a folder or a path that cannot be read."""
    try:
        mode_bits = os.stat(path).st_mode
    except OSError:
        # Reading the path reports why it cannot be read.
        return False
    return not (stat.S_ISREG(mode_bits) or stat.S_ISDIR(mode_bits))
