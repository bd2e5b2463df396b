"""A progress bar on standard error for runs over many files.

The bar is drawn only on a terminal and only when the run covers at least
:data:`MIN_FILES` inputs, so that pipes, CI logs and quick runs stay clean. It
redraws one line in place, at most every :data:`REDRAW_SECONDS`, and erases
itself when the run ends so the report starts on a clean line.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from typing import TextIO

from .report.style import printable

MIN_FILES = 20
REDRAW_SECONDS = 0.1
_BAR_WIDTH = 24
_ERASE_LINE = "\r\x1b[K"


class ProgressBar:
    """Count inputs as evaluation reaches them and draw ``[####----]  12/40  path``.

    Call :meth:`advance` with each input's path before it is read, and
    :meth:`close` when the run ends, also after an error.
    """

    def __init__(
        self,
        stream: TextIO,
        total: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        columns: Callable[[], int] | None = None,
    ) -> None:
        self.stream = stream
        self.total = total
        self.done = 0
        self._clock = clock
        self._columns = columns or (lambda: shutil.get_terminal_size((80, 24)).columns)
        self._last_draw: float | None = None
        self._drawn = False

    def advance(self, path: str) -> None:
        """Count one more input and redraw the bar unless it was drawn a moment ago."""
        self.done += 1
        # Discovery may find more inputs than were counted up front if files appear meanwhile.
        self.total = max(self.total, self.done)
        now = self._clock()
        if self._last_draw is not None and now - self._last_draw < REDRAW_SECONDS and self.done < self.total:
            return
        self._last_draw = now
        self._draw(path)

    def close(self) -> None:
        """Erase the bar."""
        if self._drawn:
            self.stream.write(_ERASE_LINE)
            self.stream.flush()
            self._drawn = False

    def _draw(self, path: str) -> None:
        filled = _BAR_WIDTH * self.done // self.total if self.total else _BAR_WIDTH
        counter = f"{self.done:>{len(str(self.total))}}/{self.total}"
        line = f"[{'#' * filled}{'-' * (_BAR_WIDTH - filled)}] {counter} "
        room = self._columns() - len(line) - 1
        line += _shorten(printable(path), room)
        self.stream.write(_ERASE_LINE + line)
        self.stream.flush()
        self._drawn = True


def _shorten(path: str, room: int) -> str:
    """Keep the end of a path, which names the file, when the line has no room for all of it."""
    if room <= 3:
        return ""
    if len(path) <= room:
        return path
    return "..." + path[len(path) - room + 3 :]


def progress_bar(stream: TextIO, total: int, enabled: bool = True) -> ProgressBar | None:
    """Return a bar for ``total`` inputs on ``stream``, or None when none should be drawn.

    None when ``enabled`` is False, the stream is not a terminal, ``TERM`` is
    ``dumb``, or the run has fewer than :data:`MIN_FILES` inputs.
    """
    if not enabled or total < MIN_FILES or os.environ.get("TERM") == "dumb":
        return None
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        return None
    return ProgressBar(stream, total)
