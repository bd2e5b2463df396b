"""Privileges and isolation: privileged, capabilities, security options, host namespaces, devices."""

from __future__ import annotations

from typing import Any

from .interpolate import is_unknown

# Service keys that share a host namespace when set to "host".
NAMESPACE_KEYS = {"network_mode": "network", "pid": "pid", "ipc": "ipc", "uts": "uts", "userns_mode": "user", "cgroup": "cgroup"}


class SettingError(ValueError):
    """Raised for a value of the wrong type, such as ``privileged: yes``."""


def boolean(value: Any, key: str) -> bool | None:
    """Read a compose boolean: YAML true/false, or the strings true/false after interpolation; None when unknown."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if is_unknown(value):
        return None
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise SettingError(f"{key} must be true or false, not {value!r}")


def capability(value: Any) -> dict[str, str]:
    """Normalize a capability name: upper case without the ``CAP_`` prefix, as Docker accepts both."""
    raw = str(value)
    name = raw.strip().upper()
    if name.startswith("CAP_"):
        name = name[4:]
    return {"name": name, "raw": raw}


def no_new_privileges(options: list[str]) -> bool:
    """Return True when ``security_opt`` sets no-new-privileges (alone, ``:true`` or ``=true``)."""
    for option in options:
        name, separator, value = option.replace("=", ":", 1).partition(":")
        if name.strip() == "no-new-privileges" and (not separator or value.strip().lower() == "true"):
            return True
    return False


def host_namespace(key: str, value: Any) -> dict[str, str] | None:
    """Return the host namespace a key shares (``network_mode: host``, ``pid: host``...), or None."""
    if key not in NAMESPACE_KEYS or not isinstance(value, str) or value.strip().lower() != "host":
        return None
    return {"namespace": NAMESPACE_KEYS[key], "key": key, "value": str(value)}
