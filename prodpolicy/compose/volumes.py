"""Volumes, tmpfs mounts and devices: short and long syntax in one shape.

Short syntax is ``[SOURCE:]TARGET[:OPTIONS]``. A source that starts with ``.``,
``/`` or ``~`` is a host path (a bind mount), and any other source names a
volume. Without a source, TARGET is an anonymous volume. So ``/var/run/docker.sock``
alone is an anonymous volume inside the container, not the host's socket.
Relative host paths are resolved against the folder of the file that declares
them, as compose does.
"""

from __future__ import annotations

import os
import posixpath
import re
from typing import Any

from .interpolate import is_unknown

_PROPAGATION = frozenset({"shared", "rshared", "slave", "rslave", "private", "rprivate"})
_CONSISTENCY = frozenset({"cached", "delegated", "consistent"})
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
MOUNT_TYPES = frozenset({"bind", "volume", "tmpfs", "npipe", "cluster", "image"})


class VolumeError(ValueError):
    """Raised for a volume entry that docker compose would reject."""


def is_host_path(source: str) -> bool:
    """Return True when a short-syntax source is a host path rather than a volume name."""
    return source.startswith((".", "/", "~")) or bool(_WINDOWS_DRIVE.match(source)) or source.startswith("\\\\")


def host_path(source: str, directory: str) -> str:
    """Return the host path a bind source means: relative paths joined to ``directory``, then normalized."""
    if source.startswith("~") or _WINDOWS_DRIVE.match(source) or source.startswith("\\\\"):
        return source
    joined = source if source.startswith("/") else posixpath.join(directory.replace(os.sep, "/"), source)
    normalized = posixpath.normpath(joined)
    # POSIX keeps a leading "//"; the kernel treats it as "/".
    return "/" + normalized.lstrip("/") if normalized.startswith("/") else normalized


def parse_volume(item: Any, directory: str) -> dict[str, Any]:
    """Normalize one ``volumes`` entry; raise :class:`VolumeError` when it is invalid."""
    if isinstance(item, str):
        return _short(item, directory)
    if isinstance(item, dict):
        return _long(item, directory)
    raise VolumeError(f"invalid volume {item!r}: expected a string or a mapping")


def _split_short(text: str) -> list[str]:
    """Split on ``:`` but keep a Windows drive (``C:\\``) inside its part."""
    parts: list[str] = []
    current = ""
    for index, char in enumerate(text):
        if char == ":" and not (len(current) == 1 and current.isalpha() and text[index + 1 : index + 2] in ("\\", "/")):
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _short(text: str, directory: str) -> dict[str, Any]:
    unknown = is_unknown(text)
    parts = _split_short(str(text))
    if len(parts) > 3 or not parts[-1 if len(parts) == 1 else 1]:
        raise VolumeError(f"invalid volume {str(text)!r}: expected [SOURCE:]TARGET[:OPTIONS]")
    mount: dict[str, Any] = {"raw": str(text), "read_only": False, "unknown": unknown}
    if len(parts) == 1:
        mount.update(type="volume", source=None, target=parts[0], host_path=None)
        return mount
    source, target = parts[0], parts[1]
    options = parts[2].split(",") if len(parts) == 3 else []
    if is_host_path(source):
        mount.update(type="bind", source=source, target=target, host_path=host_path(source, directory), create_host_path=True)
    else:
        mount.update(type="volume", source=source, target=target, host_path=None)
    for option in options:
        if option == "ro":
            mount["read_only"] = True
        elif option == "rw":
            mount["read_only"] = False
        elif option in ("z", "Z"):
            mount["selinux"] = option
        elif option == "nocopy":
            mount["nocopy"] = True
        elif option in _PROPAGATION:
            mount["propagation"] = option
        elif option in _CONSISTENCY:
            mount["consistency"] = option
        elif option:
            raise VolumeError(f"invalid volume {str(text)!r}: unknown option {option!r}")
    return mount


def _long(item: dict[str, Any], directory: str) -> dict[str, Any]:
    kind = str(item.get("type") or "volume")
    target = item.get("target")
    if kind not in MOUNT_TYPES and not is_unknown(kind):
        raise VolumeError(f"invalid volume type {kind!r} (expected one of {', '.join(sorted(MOUNT_TYPES))})")
    if not target:
        raise VolumeError("a volume in long syntax needs a target")
    source = item.get("source")
    mount: dict[str, Any] = {
        "raw": None,
        "type": kind,
        "source": str(source) if source is not None else None,
        "target": str(target),
        "read_only": _boolean(item.get("read_only")),
        "host_path": host_path(str(source), directory) if kind == "bind" and source else None,
        "unknown": any(is_unknown(value) for value in item.values()),
    }

    bind = item.get("bind") if isinstance(item.get("bind"), dict) else {}
    volume = item.get("volume") if isinstance(item.get("volume"), dict) else {}
    tmpfs = item.get("tmpfs") if isinstance(item.get("tmpfs"), dict) else {}
    if bind.get("propagation"):
        mount["propagation"] = str(bind["propagation"])
    if bind.get("selinux"):
        mount["selinux"] = str(bind["selinux"])
    if "create_host_path" in bind:
        mount["create_host_path"] = _boolean(bind["create_host_path"])

    if volume.get("nocopy") is not None:
        mount["nocopy"] = _boolean(volume["nocopy"])
    if volume.get("subpath"):
        mount["subpath"] = str(volume["subpath"])
    if tmpfs.get("size") is not None:
        mount["tmpfs_size"] = str(tmpfs["size"])
    if tmpfs.get("mode") is not None:
        mount["tmpfs_mode"] = tmpfs["mode"]
    if item.get("consistency"):
        mount["consistency"] = str(item["consistency"])
    return mount


def _boolean(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def parse_tmpfs(item: Any) -> dict[str, Any]:
    """Normalize one ``tmpfs`` entry (``/run`` or ``/run:size=64m,mode=1777``) into a tmpfs mount."""
    target, _, options = str(item).partition(":")
    mount: dict[str, Any] = {"raw": str(item), "type": "tmpfs", "source": None, "target": target, "read_only": False,
                             "host_path": None, "unknown": is_unknown(item)}  # fmt: skip
    if options:
        mount["options"] = options
    return mount


def parse_device(item: Any) -> dict[str, Any]:
    """Normalize one ``devices`` entry: ``/dev/x[:/dev/y[:rwm]]``, or a CDI name such as ``vendor.com/gpu=all``."""
    if isinstance(item, dict):
        source = str(item.get("source") or "")
        return {"raw": None, "source": source, "target": str(item.get("target") or source),
                "permissions": str(item.get("permissions") or "rwm")}  # fmt: skip
    parts = str(item).split(":")
    source = parts[0]
    target = parts[1] if len(parts) > 1 and parts[1] else source
    permissions = parts[2] if len(parts) > 2 else "rwm"
    return {"raw": str(item), "source": source, "target": target, "permissions": permissions}


def merge_key(item: Any) -> str:
    """Return the identity compose uses to replace a volume entry when files are merged: its target."""
    if isinstance(item, dict):
        return str(item.get("target"))
    parts = _split_short(str(item))
    return parts[1] if len(parts) >= 2 else parts[0]


def device_merge_key(item: Any) -> str:
    """Return the container path of a device entry."""
    return parse_device(item)["target"]
