"""Read the typed values of an image config: users, exposed ports and image references.

Config values are already final (no variables, no quoting), so these readers
are simpler than their Dockerfile counterparts and produce the same model shapes.
"""

from __future__ import annotations

import re
from typing import Any

from ..imageref import parse_image_reference

_PORT = re.compile(r"^([0-9]{1,5})(?:-([0-9]{1,5}))?(?:/([A-Za-z]+))?$")
_PROTOCOLS = frozenset({"tcp", "udp", "sctp"})
_MAX_PORT = 65535


def user_of(raw: str) -> dict[str, Any]:
    """Split ``user[:group]``; root is the name root or uid 0, whatever the group."""
    user, _, group = raw.partition(":")
    result: dict[str, Any] = {"raw": raw, "user": user or None, "group": group or None}
    if user.isdigit():
        result["uid"] = int(user)
    if group.isdigit():
        result["gid"] = int(group)
    result["is_root"] = user == "root" or (user.isdigit() and int(user) == 0)
    return result


def port_of(name: str) -> dict[str, Any] | None:
    """Read an ``ExposedPorts`` key such as ``8080/tcp`` or ``8000-8010/udp``; None when it is not a port."""
    match = _PORT.match(name)
    if match is None:
        return None
    protocol = (match.group(3) or "tcp").lower()
    start = int(match.group(1))
    end = int(match.group(2)) if match.group(2) else None
    if protocol not in _PROTOCOLS or start > _MAX_PORT or (end is not None and not start <= end <= _MAX_PORT):
        return None
    port: dict[str, Any] = {"port": start, "protocol": protocol, "raw": name}
    if end is not None and end != start:
        port["end_port"] = end
    return port


def reference_of(name: str) -> dict[str, Any]:
    """Describe an image reference: its parts and how well it is pinned."""
    return {"raw": name, "reference": name, **parse_image_reference(name).fields()}


def tag_reference(tag: str) -> dict[str, Any]:
    """Describe a reference name that holds only a tag, as an OCI ref.name annotation may."""
    return {"raw": tag, "reference": tag, "tag": tag, "pinning": "latest" if tag == "latest" else "tag"}
