"""Read standard input as one input, as ``prodpolicy eval -`` does.

Text (a Dockerfile, a compose file, docker inspect output) is read whole, up to
the same size limit as a file. An archive (``docker save image | prodpolicy eval -
--kind image``) can be gigabytes: it is copied to a temporary file that its
normalizer streams, as it streams an archive named on the command line, and the
file is removed when the batch ends.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from .batch import InputTask
from .errors import InputError
from .source import DEFAULT_MAX_FILE_BYTES, HEAD_BYTES, is_archive

# The name an input read from standard input is reported under, unless the caller names it.
STDIN_NAME = "-"


@contextmanager
def stdin_task(
    stream: BinaryIO | None = None, *, file: str = STDIN_NAME, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> Iterator[InputTask]:
    """Read ``stream`` (default: standard input) into a task reported as ``file``.

    A read that fails, or text over ``max_bytes``, gives a task that carries the
    error, so the batch reports it as an input error like any other.
    """
    if stream is None:
        if sys.stdin is None:
            yield InputTask(file, error=InputError(file, "standard input is closed; pipe the input into prodpolicy"))
            return
        stream = sys.stdin.buffer
    spooled: str | None = None
    try:
        try:
            head = stream.read(HEAD_BYTES)
            if is_archive(head):
                spooled = _spool(head, stream)
                task = InputTask(file, path=spooled)
            else:
                task = _text_task(file, head, stream, max_bytes)
        except OSError as error:
            task = InputTask(file, error=InputError(file, f"cannot read standard input: {error.strerror or error}"))
        yield task
    finally:
        if spooled is not None:
            os.unlink(spooled)


def _text_task(file: str, head: bytes, stream: BinaryIO, max_bytes: int) -> InputTask:
    data = head
    if len(head) == HEAD_BYTES:
        data += stream.read(max(0, max_bytes + 1 - len(head)))
    if len(data) > max_bytes:
        message = f"standard input is larger than the {max_bytes:,}-byte limit for text inputs"
        return InputTask(file, error=InputError(file, message))
    return InputTask(file, text=data)


def _spool(head: bytes, stream: BinaryIO) -> str:
    """Copy an archive from the stream to a temporary file and return its path."""
    handle = tempfile.NamedTemporaryFile(prefix="prodpolicy-stdin-", suffix=".tar", delete=False)
    try:
        with handle:
            handle.write(head)
            shutil.copyfileobj(stream, handle)
    except BaseException:
        os.unlink(handle.name)
        raise
    return handle.name
