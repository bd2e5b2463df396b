"""``RUN --mount`` options, read and checked as BuildKit does.

A mount is comma-separated ``key=value`` fields (double quotes allowed, as in
CSV). Values are expanded with the variables in scope. The type defaults to
``bind``. A mount is read-only unless it is a cache or tmpfs mount or sets
``rw``. ``from`` names an earlier stage (by name only, no index) or an image.
"""

from __future__ import annotations

from typing import Any

from .context import Context, image_reference
from .expand import Expanded, SubstitutionError

MOUNT_TYPES = frozenset({"bind", "cache", "tmpfs", "secret", "ssh"})
SHARING_MODES = frozenset({"shared", "private", "locked"})
_KEYS = frozenset(
    {"type", "from", "source", "src", "target", "dst", "destination", "readonly", "ro", "readwrite", "rw",
     "required", "size", "id", "sharing", "mode", "uid", "gid", "env"}
)
_ALIASES = {"src": "source", "dst": "target", "destination": "target", "ro": "readonly", "rw": "readwrite"}
# The spellings Go's strconv.ParseBool accepts.
_TRUE = frozenset({"1", "t", "T", "true", "TRUE", "True"})
_FALSE = frozenset({"0", "f", "F", "false", "FALSE", "False"})


class MountError(ValueError):
    """Raised for a mount Docker rejects; the message names the field and the reason."""


def parse_mount(text: str, context: Context) -> dict[str, Any]:
    """Read one ``--mount`` value into a mount dict; raise MountError when Docker rejects it."""
    options: dict[str, str] = {}
    mount: dict[str, Any] = {"type": "bind"}
    readonly: bool | None = None
    for field in _csv_fields(text):
        key, equals, value = field.partition("=")
        key = key.lower()
        if not equals:
            readonly = _bare_key(key, field, mount, readonly)
            options[key] = "true"
            continue
        if key not in _KEYS:
            raise MountError(f"unexpected key {key!r} in mount field {field!r}")
        value = _expand(value, context)
        options[key] = value
        readonly = _apply(_ALIASES.get(key, key), value, mount, readonly)
    mount["options"] = options
    _check(mount)
    if readonly is None:
        readonly = mount["type"] not in ("cache", "tmpfs")
    mount["readonly"] = readonly
    if "from" in mount:
        _resolve_from(mount, context)
    return mount


def _bare_key(key: str, field: str, mount: dict[str, Any], readonly: bool | None) -> bool | None:
    if key in ("readonly", "ro"):
        return True
    if key in ("readwrite", "rw"):
        return False
    if key == "required":
        if mount["type"] not in ("secret", "ssh"):
            raise MountError(f"unexpected key 'required' for mount type {mount['type']!r}")
        mount["required"] = True
        return readonly
    raise MountError(f"invalid mount field {field!r}: it must be a key=value pair")


def _apply(key: str, value: str, mount: dict[str, Any], readonly: bool | None) -> bool | None:
    if key == "type":
        kind = value.lower()
        if kind not in MOUNT_TYPES:
            raise MountError(f"unsupported mount type {value!r}; use one of {', '.join(sorted(MOUNT_TYPES))}")
        mount["type"] = kind
    elif key in ("readonly", "readwrite"):
        flag = _boolean(key, value)
        return flag if key == "readonly" else not flag
    elif key == "required":
        if mount["type"] not in ("secret", "ssh"):
            raise MountError(f"unexpected key 'required' for mount type {mount['type']!r}")
        mount["required"] = _boolean(key, value)
    elif key == "size":
        if mount["type"] != "tmpfs":
            raise MountError(f"unexpected key 'size' for mount type {mount['type']!r}")
        mount["size"] = value
    elif key == "sharing":
        if value.lower() not in SHARING_MODES:
            raise MountError(f"unsupported sharing value {value!r}; use shared, private or locked")
        mount["sharing"] = value.lower()
    elif key == "mode":
        mount["mode"] = _number(key, value, 8)
    elif key in ("uid", "gid"):
        mount[key] = _number(key, value, 10)
    else:
        mount[key] = value
    return readonly


def _check(mount: dict[str, Any]) -> None:
    kind = mount["type"]
    if kind not in ("secret", "ssh", "cache"):
        for key in ("mode", "uid", "gid"):
            if key in mount:
                raise MountError(f"{key} is not allowed for {kind} mounts")
    if kind == "secret":
        if "from" in mount:
            raise MountError("a secret mount cannot have from")
        if "sharing" in mount:
            raise MountError("a secret mount cannot set sharing")
        if not (mount.get("source") or mount.get("target") or mount.get("id")):
            raise MountError("a secret mount needs id, source or target")
        if mount.get("source") and mount.get("id"):
            raise MountError("a secret mount cannot set both source and id")
    if "sharing" in mount and kind != "cache":
        raise MountError(f"sharing is only valid for cache mounts, not {kind} mounts")


def _resolve_from(mount: dict[str, Any], context: Context) -> None:
    source = mount["from"]
    index = context.all_stage_names.get(source.lower())
    if index is None:
        mount["from_image"] = image_reference(source, Expanded(source), {})
        return
    if context.stage_index is not None and index >= context.stage_index:
        raise MountError(f"cannot mount from stage {source!r}: it must be defined before the current stage")
    mount["from_stage"] = index


def _expand(value: str, context: Context) -> str:
    try:
        return context.expand(value).value
    except SubstitutionError as error:
        raise MountError(f"invalid variable substitution in {value!r}: {error}") from None


def _boolean(key: str, value: str) -> bool:
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise MountError(f"invalid value for {key}: {value!r}; use true or false")


def _number(key: str, value: str, base: int) -> int:
    try:
        number = int(value, base)
    except ValueError:
        raise MountError(f"invalid value {value!r} for {key}") from None
    if number < 0 or number > 0xFFFFFFFF:
        raise MountError(f"invalid value {value!r} for {key}")
    return number


def _csv_fields(text: str) -> list[str]:
    """Split one CSV record as Go's encoding/csv does: double quotes group, ``""`` is a quote."""
    fields: list[str] = []
    index = 0
    length = len(text)
    while True:
        if index < length and text[index] == '"':
            value, index = _quoted_field(text, index + 1)
        else:
            end = text.find(",", index)
            end = length if end < 0 else end
            value = text[index:end]
            if '"' in value:
                raise MountError(f"invalid mount {text!r}: a double quote must start a field")
            index = end
        fields.append(value)
        if index >= length:
            break
        index += 1
    return fields


def _quoted_field(text: str, index: int) -> tuple[str, int]:
    parts: list[str] = []
    while True:
        end = text.find('"', index)
        if end < 0:
            raise MountError(f"invalid mount {text!r}: a quoted field is not closed")
        parts.append(text[index:end])
        if text.startswith('""', end):
            parts.append('"')
            index = end + 2
            continue
        index = end + 1
        if index < len(text) and text[index] != ",":
            raise MountError(f"invalid mount {text!r}: text follows a quoted field")
        return "".join(parts), index
