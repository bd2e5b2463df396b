"""Read Go durations (``30s``, ``1m30s``, ``500ms``), the format Docker and compose use."""

from __future__ import annotations

import functools
import re

_PART = re.compile(r"([0-9]*\.?[0-9]+)(ns|us|µs|μs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


# Compose files repeat the same few intervals and timeouts, and conditions read them again: the results are kept.
@functools.lru_cache(maxsize=1024)
def parse_duration(text: str) -> float | None:
    """Return the duration in seconds, or None when ``text`` is not a valid Go duration.

    A bare ``0`` is valid; any other number needs a unit, as in Go's time.ParseDuration.
    """
    if text in ("0", "+0", "-0"):
        return 0.0
    sign = -1.0 if text.startswith("-") else 1.0
    body = text[1:] if text[:1] in "+-" else text
    position = 0
    total = 0.0
    for match in _PART.finditer(body):
        if match.start() != position:
            return None
        total += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    if position != len(body) or position == 0:
        return None
    return sign * total
