"""EXPOSE port specifications, checked as BuildKit does.

A port is ``80``, ``80/udp``, ``8000-8010`` or ``8000-8010/tcp``; the protocol
is tcp, udp or sctp in any case and defaults to tcp. Numbers run from 0 to
65535 and a range must not end below its start. BuildKit also accepts the
``[ip:][host_port:]port`` form of ``docker run -p`` with a warning, because an
image cannot publish a port; only the container port is kept.
"""

from __future__ import annotations

import re
from typing import Any

PROTOCOLS = frozenset({"tcp", "udp", "sctp"})
_NUMBER = re.compile(r"^[+-]?[0-9]+$")


class PortError(ValueError):
    """Raised for a port Docker rejects."""


def parse_port(text: str) -> tuple[dict[str, Any], str | None]:
    """Read one EXPOSE word; return the port and a warning, or raise PortError."""
    warning = None
    parts = text.split(":")
    container = parts[-1]
    if len(parts) > 1:
        warning = f"EXPOSE {text}: an image cannot publish ports to the host; expose {container} instead"
    number_part, _, protocol = container.partition("/")
    if not number_part:
        raise PortError(f"invalid port {text!r}: no port number")
    if protocol.lower() not in PROTOCOLS and protocol:
        raise PortError(f"invalid port {text!r}: unknown protocol {protocol!r}; use tcp, udp or sctp")
    start, end = _port_range(number_part, text)
    port: dict[str, Any] = {"port": start, "protocol": (protocol or "tcp").lower(), "raw": text}
    if end != start:
        port["end_port"] = end
    return port, warning


def _port_range(text: str, raw: str) -> tuple[int, int]:
    first, dash, last = text.partition("-")
    start = _port_number(first, raw)
    if not dash or first == last:
        return start, start
    end = _port_number(last, raw)
    if end < start:
        raise PortError(f"invalid port range {raw!r}: the range ends below its start")
    return start, end


def _port_number(text: str, raw: str) -> int:
    if not _NUMBER.match(text):
        raise PortError(f"invalid port {raw!r}: {text!r} is not a number")
    if len(text.lstrip("0")) > 5:
        # Python refuses to convert a text of thousands of digits, and no such number is a port.
        raise PortError(f"invalid port {raw!r}: the number is outside 0-65535")
    number = int(text)
    if number < 0 or number > 65535:
        raise PortError(f"invalid port {raw!r}: {number} is outside 0-65535")
    return number
