"""Image, restart policy, build, logging, secrets and configs, dependencies."""

from __future__ import annotations

from typing import Any

from ..imageref import parse_image_reference
from .environment import pairs, scalar_text
from .interpolate import Interpolated, is_unknown

# deploy.restart_policy.condition in docker run terms, as docker compose maps it.
_DEPLOY_CONDITIONS = {"none": "no", "no": "no", "on-failure": "on-failure", "any": "always", "always": "always",
                      "unless-stopped": "unless-stopped"}  # fmt: skip
RESTART_POLICIES = frozenset({"no", "always", "on-failure", "unless-stopped"})


class ResourceError(ValueError):
    """Raised for a value docker compose would reject, such as ``restart: sometimes``."""


def image(value: Any) -> dict[str, Any]:
    """Split an image reference and classify how well it is pinned (``unknown`` when a variable decides it)."""
    raw = value.raw if isinstance(value, Interpolated) else str(value)
    result: dict[str, Any] = {"raw": raw, "reference": str(value)}
    if is_unknown(value):
        result.update(unknown=True, pinning="unknown")
        return result
    result.update(parse_image_reference(str(value)).fields())
    return result


def restart(service: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Return the restart policy in effect and the key that sets it (``restart``, ``deploy`` or ``service``).

    docker compose applies ``deploy.restart_policy`` over ``restart`` when both are set.
    """
    deploy = service.get("deploy")
    policy = deploy.get("restart_policy") if isinstance(deploy, dict) else None
    if isinstance(policy, dict):
        condition = policy.get("condition")
        name = _DEPLOY_CONDITIONS.get(str(condition).lower() if condition is not None else "any")
        if name is None and not is_unknown(condition):
            raise ResourceError(f"deploy.restart_policy.condition must be none, on-failure or any, not {condition!r}")
        result: dict[str, Any] = {"policy": name, "source": "deploy", "raw": scalar_text(condition)}
        if policy.get("max_attempts") is not None:
            result["max_retries"] = _integer(policy["max_attempts"], "deploy.restart_policy.max_attempts")
        return result, "deploy"
    value = service.get("restart")
    if value is None:
        # Docker's default policy is no.
        return {"policy": "no", "source": "unset", "raw": None}, "service"
    raw = scalar_text(value) or ""
    if is_unknown(value):
        return {"policy": None, "source": "restart", "raw": getattr(value, "raw", raw), "unknown": True}, "restart"
    name, _, retries = raw.partition(":")
    if name not in RESTART_POLICIES or (retries and (name != "on-failure" or not retries.isdigit())):
        raise ResourceError(f"restart must be no, always, on-failure[:N] or unless-stopped, not {raw!r}")
    result = {"policy": name, "source": "restart", "raw": raw}
    if retries:
        result["max_retries"] = int(retries)
    return result, "restart"


def _integer(value: Any, key: str) -> int | None:
    if is_unknown(value):
        return None
    if isinstance(value, bool) or not str(value).lstrip("-").isdigit():
        raise ResourceError(f"{key} must be a whole number, not {value!r}")
    return int(value)


def build(value: Any) -> dict[str, Any] | None:
    """Normalize ``build``: a context path, or a mapping with context, dockerfile, args, target and secrets."""
    if value is None:
        return None
    if not isinstance(value, dict):
        return {"context": scalar_text(value), "dockerfile": None, "args": {}, "target": None, "secrets": []}
    secrets = value.get("secrets") if isinstance(value.get("secrets"), list) else []
    result: dict[str, Any] = {
        "context": scalar_text(value.get("context")) or ".",
        "dockerfile": scalar_text(value.get("dockerfile")),
        "args": {name: scalar_text(item) for name, item, _ in pairs(value.get("args"))},
        "target": scalar_text(value.get("target")),
        "secrets": [str(item.get("source")) if isinstance(item, dict) else str(item) for item in secrets],
    }
    for key in ("dockerfile_inline", "network", "platforms", "cache_from", "cache_to", "ssh", "tags", "labels", "no_cache", "pull"):
        if value.get(key) is not None:
            result[key] = value[key]
    return result


def logging(value: Any) -> dict[str, Any] | None:
    """Normalize ``logging`` into a driver and string options."""
    if not isinstance(value, dict):
        return None
    options = value.get("options") if isinstance(value.get("options"), dict) else {}
    return {"driver": scalar_text(value.get("driver")), "options": {str(key): scalar_text(item) for key, item in options.items()}}


def file_references(value: Any, default_directory: str) -> list[dict[str, Any]]:
    """Normalize service ``secrets`` or ``configs``: a name, or a mapping with source, target, uid, gid, mode."""
    if not isinstance(value, list):
        return []
    result = []
    for item in value:
        if isinstance(item, dict):
            source = str(item.get("source"))
            target = scalar_text(item.get("target")) or f"{default_directory}{source}"
            entry: dict[str, Any] = {"source": source, "target": target}
            for key in ("uid", "gid"):
                if item.get(key) is not None:
                    entry[key] = scalar_text(item[key])
            if item.get("mode") is not None:
                mode = item["mode"]
                entry["mode"] = f"0{int(mode):o}" if isinstance(mode, int) and not isinstance(mode, bool) else str(mode)
            result.append(entry)
        else:
            result.append({"source": str(item), "target": f"{default_directory}{item}"})
    return result


def depends_on(value: Any) -> dict[str, dict[str, Any]]:
    """Normalize ``depends_on`` (a list of names or a mapping) into conditions per service."""
    result: dict[str, dict[str, Any]] = {}
    if isinstance(value, list):
        for name in value:
            result[str(name)] = {"condition": "service_started", "required": True}
    elif isinstance(value, dict):
        for name, spec in value.items():
            spec = spec if isinstance(spec, dict) else {}
            entry = {"condition": str(spec.get("condition") or "service_started"), "required": spec.get("required", True) is not False}
            if spec.get("restart") is not None:
                entry["restart"] = bool(spec["restart"])
            result[str(name)] = entry
    return result
