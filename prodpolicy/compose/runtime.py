"""The runtime view of a service: what runs, as whom, with which health check, environment and ports.

A service fills the same ``runtimes[*]`` entry as a Dockerfile's target stage,
so rules written once for the runtime view apply to services. What the compose
file leaves to the image is marked so: no ``user`` gives an unknown user
(``source: unset``), and no healthcheck test gives ``state: absent``.
"""

from __future__ import annotations

from typing import Any

from ..document import Path
from ..execution import execution
from .service import ServiceNormalizer


def runtime_view(normalizer: ServiceNormalizer, service: dict[str, Any], index: int) -> dict[str, Any]:
    """Build runtime entry ``index`` for a normalized service and record its locations."""
    prefix: Path = ("runtimes", index)
    source = normalizer.service
    env: dict[str, dict[str, Any]] = {}
    for env_file in service["env_files"]:
        env.update({name: _shared_variable(variable) for name, variable in env_file["variables"].items()})
    env.update({name: _shared_variable(variable) for name, variable in service["environment"].items()})

    runtime = {
        "subject": {"kind": "service", "name": service["name"]},
        "base": service["image"],
        "user": service["user"],
        "healthcheck": service["healthcheck"],
        "entrypoint": service["entrypoint"],
        "cmd": service["command"],
        "execution": execution(service["entrypoint"], service["command"]),
        "env": env,
        "labels": {name: {"name": name, "value": value} for name, value in service["labels"].items()},
        "ports": _container_ports(service),
        "workdir": service["working_dir"],
        "stop_signal": service["stop_signal"],
        "volumes": [mount["target"] for mount in service["volumes"]],
        "shell": None,
    }

    context = normalizer.context
    context.locate(prefix, normalizer.origin)
    context.locate((*prefix, "base"), source.origins.get("image"))
    context.locate((*prefix, "user"), source.origins.get("user"))
    context.locate((*prefix, "healthcheck"), normalizer.healthcheck_origin)
    context.locate((*prefix, "entrypoint"), source.origins.get("entrypoint"))
    context.locate((*prefix, "cmd"), source.origins.get("command"))
    context.locate((*prefix, "execution"), source.origins.get("command") or source.origins.get("entrypoint"))
    context.locate((*prefix, "workdir"), source.origins.get("working_dir"))
    for name, origin in normalizer.env_file_origins.items():
        context.locate((*prefix, "env", name), origin)
    # environment wins over env_file for a variable both set, as in compose.
    for name, origin in normalizer.environment_origins.items():
        context.locate((*prefix, "env", name), origin)
    return runtime


_SHARED_VARIABLE_FIELDS = ("name", "value", "raw", "unknown", "references", "credential_name", "secret", "line")


def _shared_variable(variable: dict[str, Any]) -> dict[str, Any]:
    """Keep the fields the shared runtime model defines; compose-only fields stay on the service."""
    return {key: variable[key] for key in _SHARED_VARIABLE_FIELDS if key in variable}


def _container_ports(service: dict[str, Any]) -> list[dict[str, Any]]:
    result = []
    for port in service["ports"]:
        entry: dict[str, Any] = {"port": port["target"], "protocol": port["protocol"], "raw": port["raw"] or str(port["target"])}
        if port.get("target_end"):
            entry["end_port"] = port["target_end"]
        result.append(entry)
    for exposed in service["expose"]:
        number, _, protocol = exposed.partition("/")
        start, _, end = number.partition("-")
        entry = {"port": int(start) if start.isdigit() else None, "protocol": protocol if protocol in ("tcp", "udp", "sctp") else "tcp", "raw": exposed}
        if end.isdigit():
            entry["end_port"] = int(end)
        result.append(entry)
    return result
