"""The written order of the primary compose file: its keys, services and list entries.

Style rules compare the order of what a file writes with a convention. Only
what the primary file itself writes is compared: keys an override adds, or
that an ``extends`` base or a YAML merge key brings in, are left out, since
the file's author did not place them. Written order is the order of the
source positions.

The conventions, each a list of groups in order:

* top level: ``x-`` extensions, version, name, include, services, networks,
  volumes, secrets, configs, models;
* a service: what runs (image, build...), dependencies, storage and
  configuration, environment, networking, the process, health and metadata,
  then privileges and resources. ``x-`` keys may stand anywhere, and keys of no
  group go last.
"""

from __future__ import annotations

from typing import Any

from . import ports
from .tree import Mapping, Origin, Sequence

TOP_LEVEL_ORDER = (("x-",), ("version",), ("name",), ("include",), ("services",), ("networks",), ("volumes",),
                   ("secrets",), ("configs",), ("models",))  # fmt: skip
SERVICE_ORDER = (
    ("image", "build", "pull_policy", "platform", "extends", "container_name", "hostname", "domainname", "profiles", "scale"),
    ("depends_on", "links", "external_links"),
    ("volumes", "volumes_from", "tmpfs", "devices", "configs", "secrets"),
    ("env_file", "environment"),
    ("ports", "expose", "networks", "network_mode", "extra_hosts", "dns", "dns_opt", "dns_search", "mac_address"),
    ("user", "working_dir", "entrypoint", "command", "init", "stdin_open", "tty", "stop_signal", "stop_grace_period",
     "restart", "post_start", "pre_stop"),
    ("healthcheck", "labels", "annotations", "logging"),
    ("privileged", "read_only", "cap_add", "cap_drop", "security_opt", "userns_mode", "pid", "ipc", "uts", "cgroup",
     "cgroup_parent", "group_add", "sysctls", "ulimits", "deploy", "mem_limit", "mem_reservation", "memswap_limit",
     "cpus", "cpu_shares", "cpu_quota", "cpu_period", "cpuset", "pids_limit", "shm_size", "oom_score_adj",
     "oom_kill_disable", "runtime", "gpus", "storage_opt"),
)  # fmt: skip


def project_layout(model: Mapping, primary: str) -> dict[str, Any]:
    """Return the top-level order facts of the primary file."""
    keys = _written(model, primary, None)
    services = model.get("services")
    names = _written(services, primary, None) if isinstance(services, Mapping) else []
    return {"keys": _first_out_of_order(keys, _rank_of(TOP_LEVEL_ORDER, prefix_groups=True)),
            "services": _first_unsorted(names, str.lower)}  # fmt: skip


def service_layout(service: Mapping, origin: Origin | None, primary: str) -> dict[str, Any]:
    """Return the order facts of one service as the primary file writes it."""
    if origin is None or origin.file != primary:
        return {"keys": None, "depends_on": None, "ports": None}
    span = (origin.location.line, origin.location.end_line or origin.location.line)
    keys = [key for key in _written(service, primary, span) if not key.startswith("x-")]
    depends_on = service.get("depends_on")
    port_items = service.get("ports")
    return {
        "keys": _first_out_of_order(keys, _rank_of(SERVICE_ORDER)),
        "depends_on": _first_unsorted(_written(depends_on, primary, span), _name_order),
        "ports": _first_unsorted(_written(port_items, primary, span), _port_order),
    }


def origin_of_item(container: Any, item: str) -> Origin | None:
    """Return the origin of the key, or of the list entry written as ``item``, that an order fact names."""
    if isinstance(container, Mapping):
        return container.origins.get(item)
    if isinstance(container, Sequence):
        for entry, origin in zip(container, container.origins, strict=False):
            if _text(entry) == item:
                return origin
    return None


def _written(container: Any, primary: str, span: tuple[int, int] | None) -> list[Any]:
    """Return the keys or items the primary file writes in a container, in written order."""
    if isinstance(container, Mapping):
        entries = [(key, container.origins.get(key)) for key in container]
    elif isinstance(container, Sequence):
        entries = list(zip(container, container.origins, strict=False))
    else:
        return []
    placed = []
    for entry, origin in entries:
        if origin is None or origin.file != primary or origin.merged:
            continue
        line = origin.location.line
        if span is not None and not span[0] <= line <= span[1]:
            continue
        placed.append(((line, origin.location.column or 0), entry))
    placed.sort(key=lambda item: item[0])
    return [entry for _, entry in placed]


def _rank_of(groups: tuple[tuple[str, ...], ...], prefix_groups: bool = False) -> Any:
    ranks = {key: index for index, group in enumerate(groups) for key in group}

    def rank(key: str) -> int:
        if prefix_groups and key.startswith("x-"):
            return ranks["x-"]
        return ranks.get(key, len(groups))

    return rank


def _first_out_of_order(keys: list[str], rank: Any) -> dict[str, str] | None:
    """Return the first key that belongs before a key written above it, with that key."""
    highest: str | None = None
    for key in keys:
        if highest is not None and rank(key) < rank(highest):
            return {"item": key, "after": highest}
        if highest is None or rank(key) > rank(highest):
            highest = key
    return None


def _name_order(item: Any) -> str | None:
    # An item of depends_on that is not a name (a null or a number in an invalid file) has no place in the order.
    return item.lower() if isinstance(item, str) else None


def _first_unsorted(items: list[Any], order: Any) -> dict[str, str] | None:
    previous: Any = None
    for item in items:
        key = order(item)
        if key is None:
            continue
        if previous is not None and key < previous[0]:
            return {"item": _text(item), "after": _text(previous[1])}
        previous = (key, item)
    return None


def _port_order(item: Any) -> tuple[int, int] | None:
    """Sort key of a ports entry: its host port, else its container port; None when it cannot be read."""
    try:
        port = ports.parse_port(item)
    except ports.PortError:
        return None
    published = (port.get("published") or "").partition("-")[0]
    target = port.get("target")
    if published.isdigit():
        return (int(published), target or 0)
    if target is None:
        return None
    return (target, target)


def _text(item: Any) -> str:
    if isinstance(item, dict):
        published = item.get("published")
        return f"{published}:{item.get('target')}" if published is not None else str(item.get("target"))
    return str(item)
