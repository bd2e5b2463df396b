"""Facts that compare the running services of a project with each other.

Docker refuses to start a second container with a container name already in
use, or to bind a host port another container holds. Two services writing one
named volume share its files without coordination. Each fact is recorded on
the later entry, in the order services are defined, so a conflict is reported
once, where the second claim is written.
"""

from __future__ import annotations

from typing import Any

_ANY_ADDRESS = frozenset({None, "", "0.0.0.0", "::"})


def annotate(services: dict[str, dict[str, Any]]) -> None:
    """Add ``container_name_shared_with``, ports' ``also_published_by`` and volumes' ``shared_with`` in place."""
    _container_names(services)
    _host_ports(services)
    _named_volumes(services)


def _container_names(services: dict[str, dict[str, Any]]) -> None:
    owners: dict[str, list[str]] = {}
    for name, service in services.items():
        container = service.get("container_name")
        if not container:
            continue
        service["container_name_shared_with"] = list(owners.get(container, []))
        owners.setdefault(container, []).append(name)


def _host_ports(services: dict[str, dict[str, Any]]) -> None:
    claims: list[tuple[str, dict[str, Any]]] = []
    for name, service in services.items():
        for port in service.get("ports") or []:
            if port.get("published_port") is None or port.get("unknown"):
                # A random host port, or one a variable decides, is not compared.
                continue
            port["also_published_by"] = [
                f"{other} ({_shown(claimed)})" for other, claimed in claims if _overlap(port, claimed)
            ]
            claims.append((name, port))


def _overlap(port: dict[str, Any], other: dict[str, Any]) -> bool:
    if port["protocol"] != other["protocol"]:
        return False
    if port.get("host_ip") not in _ANY_ADDRESS and other.get("host_ip") not in _ANY_ADDRESS and port["host_ip"] != other["host_ip"]:
        return False
    start, end = port["published_port"], port.get("published_end") or port["published_port"]
    other_start, other_end = other["published_port"], other.get("published_end") or other["published_port"]
    return start <= other_end and other_start <= end


def _shown(port: dict[str, Any]) -> str:
    end = port.get("published_end")
    text = f"{port['published_port']}-{end}" if end else str(port["published_port"])
    return f"{port['host_ip']}:{text}" if port.get("host_ip") else text


def _named_volumes(services: dict[str, dict[str, Any]]) -> None:
    users: dict[str, list[tuple[str, bool]]] = {}
    for name, service in services.items():
        for mount in service.get("volumes") or []:
            if mount.get("type") == "volume" and mount.get("source"):
                users.setdefault(mount["source"], []).append((name, bool(mount.get("read_only"))))
    for name, service in services.items():
        for mount in service.get("volumes") or []:
            if mount.get("type") != "volume" or not mount.get("source"):
                continue
            others = [(user, read_only) for user, read_only in users[mount["source"]] if user != name]
            mount["shared_with"] = list(dict.fromkeys(user for user, _ in others))
            mount["shared_writable_with"] = list(dict.fromkeys(user for user, read_only in others if not read_only))
