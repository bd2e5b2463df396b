"""Published ports: short syntax (``[HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]``) and long syntax, one shape.

The short syntax is split the way Docker's port-spec parser splits it. The
last ``:`` part is the container port (or range) and the one before it the
published port (or range). Anything before that is the host IP, which may be an
IPv6 address in brackets. ``22:22`` is a string here, never the YAML 1.1
sexagesimal number 1342.
"""

from __future__ import annotations

import re
from typing import Any

from .interpolate import is_unknown

_RANGE = re.compile(r"^([0-9]+)(?:-([0-9]+))?$")
_MAX_PORT = 65535
_REFERENCE = re.compile(r"\$\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|\$[A-Za-z_][A-Za-z0-9_]*")
_ALL_INTERFACES = frozenset({"", "0.0.0.0", "::", "[::]"})
PROTOCOLS = frozenset({"tcp", "udp", "sctp"})


class PortError(ValueError):
    """Raised for a port entry that docker compose would reject."""


def parse_port(item: Any) -> dict[str, Any]:
    """Normalize one ``ports`` entry; raise :class:`PortError` when it is invalid."""
    if isinstance(item, bool) or item is None:
        raise PortError(f"invalid port {item!r}: expected a number, a string or a mapping")
    if isinstance(item, int):
        return _finish({"raw": str(item), "host_ip": None, "published": None, "target": item, "target_end": None,
                        "protocol": "tcp", "mode": "ingress"}, unknown=False)  # fmt: skip
    if isinstance(item, dict):
        return _long(item)
    if isinstance(item, str):
        return _short(item)
    raise PortError(f"invalid port {item!r}: expected a number, a string or a mapping")


def _short(text: str) -> dict[str, Any]:
    unknown = is_unknown(text)
    spec, _, protocol = text.partition("/")
    protocol = protocol or "tcp"
    parts = spec.split(":")
    target_text = parts[-1]
    published = parts[-2] if len(parts) >= 2 else None
    host_ip = ":".join(parts[:-2]) if len(parts) >= 3 else None
    if host_ip is not None and host_ip.startswith("[") and host_ip.endswith("]"):
        host_ip = host_ip[1:-1]
    port: dict[str, Any] = {"raw": str(text), "host_ip": host_ip or None, "published": published or None,
                            "protocol": protocol, "mode": "ingress"}  # fmt: skip
    if unknown:
        port.update(target=None, target_end=None)
        return _finish(port, unknown=True, raw=getattr(text, "raw", str(text)))
    match = _RANGE.match(target_text)
    if match is None:
        raise PortError(f"invalid port {text!r}: the container port {target_text!r} is not a number or range")
    port["target"], port["target_end"] = _range_numbers(match, "container", text)
    published_match = _RANGE.match(published) if published else None
    if published is not None and published != "" and published_match is None:
        raise PortError(f"invalid port {text!r}: the published port {published!r} is not a number or range")
    _range_numbers(published_match, "published", text)
    if protocol not in PROTOCOLS:
        raise PortError(f"invalid port {text!r}: unknown protocol {protocol!r} (expected tcp, udp or sctp)")
    return _finish(port, unknown=False)


def check_expose(text: str) -> None:
    """Raise PortError for an ``expose`` entry whose port is above 65535; other forms are left to compose."""
    _range_numbers(_RANGE.match(text.partition("/")[0]), "container", text)


def _range_numbers(match: re.Match[str] | None, side: str, text: str) -> tuple[int | None, int | None]:
    """Return the first and last port of a range that ``_RANGE`` matched (None for a single port or no match)."""
    if match is None:
        return None, None
    first, last = match.groups()
    return _port_number(first, side, text), _port_number(last, side, text) if last is not None else None


def _port_number(digits: str, side: str, text: str) -> int:
    """Return a port number written in digits; raise PortError when it is above 65535. ``side`` is container or published."""
    # The length is checked first: Python refuses to convert a text of thousands of digits.
    if len(digits.lstrip("0")) > 5 or int(digits) > _MAX_PORT:
        number = digits if len(digits) <= 12 else digits[:12] + "..."
        raise PortError(f"invalid port {str(text)[:40]!r}: the {side} port {number} is outside 0-{_MAX_PORT}")
    return int(digits)


def _long(item: dict[str, Any]) -> dict[str, Any]:
    target = item.get("target")
    unknown = any(is_unknown(value) for value in item.values())
    if isinstance(target, str) and not is_unknown(target):
        if not target.isdigit():
            raise PortError(f"invalid port target {target!r}: expected a number")
        target = _port_number(target, "container", target)
    elif isinstance(target, int) and not isinstance(target, bool) and not 0 <= target <= _MAX_PORT:
        raise PortError(f"invalid port target {target}: the container port is outside 0-{_MAX_PORT}")
    if target is not None and not isinstance(target, int) and not is_unknown(target):
        raise PortError(f"invalid port target {target!r}: expected a number")
    published = item.get("published")
    if published not in (None, "") and not is_unknown(published):
        _range_numbers(_RANGE.match(str(published)), "published", str(published))
    protocol = str(item.get("protocol") or "tcp")
    if protocol not in PROTOCOLS and not is_unknown(item.get("protocol")):
        raise PortError(f"invalid port protocol {protocol!r} (expected tcp, udp or sctp)")
    port: dict[str, Any] = {
        "raw": None,
        "host_ip": str(item["host_ip"]) if item.get("host_ip") not in (None, "") else None,
        "published": str(published) if published not in (None, "") else None,
        "target": target if isinstance(target, int) else None,
        "target_end": None,
        "protocol": protocol,
        "mode": str(item.get("mode") or "ingress"),
    }
    for key in ("name", "app_protocol"):
        if item.get(key) is not None:
            port[key] = str(item[key])
    if port["host_ip"] is not None and port["host_ip"].startswith("["):
        port["host_ip"] = port["host_ip"].strip("[]")
    return _finish(port, unknown=is_unknown(item.get("host_ip")) or (unknown and port["target"] is None))


def _finish(port: dict[str, Any], unknown: bool, raw: str | None = None) -> dict[str, Any]:
    """Add the host port numbers and ``all_interfaces``.

    ``all_interfaces`` is True without a host IP or with 0.0.0.0 or ::, and None when a variable decides it.
    """
    port["unknown"] = unknown
    published = _RANGE.match(port["published"] or "")
    port["published_port"] = int(published.group(1)) if published else None
    port["published_end"] = int(published.group(2)) if published and published.group(2) else None
    if not unknown:
        port["all_interfaces"] = (port["host_ip"] or "") in _ALL_INTERFACES
        return port
    # Only the host IP part decides the interfaces: replace each reference by a placeholder and look.
    written = _REFERENCE.sub("V", raw) if raw is not None else None
    if written is not None and len(written.partition("/")[0].split(":")) <= 2:
        port["all_interfaces"] = True
    else:
        port["all_interfaces"] = None
    return port


def merge_key(item: Any) -> str:
    """Return the identity compose uses to replace a port entry when files are merged."""
    if isinstance(item, dict):
        host = item.get("host_ip") or "0.0.0.0"
        return f"{host}:{item.get('published') or ''}:{item.get('target')}/{item.get('protocol') or 'tcp'}"
    return str(item)
