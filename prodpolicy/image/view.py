"""Typed access to an image config in either spelling, with the position of each field.

docker inspect output spells the config ``Config`` and the platform ``Os`` and
``Architecture``; an OCI image config spells them ``config``, ``os`` and
``architecture``. The fields inside the container config (``User``, ``Env``,
``Healthcheck``...) are spelled the same in both. A field of the wrong type is
a non-fatal input error and reads as absent, so one odd field does not stop
the rest of the image from being evaluated.
"""

from __future__ import annotations

from typing import Any

from ..document import Location, Path
from ..errors import InputError
from .inputs import ImageInput

# Top-level keys by config style; the container config's own keys are the same in both.
_KEYS = {
    "inspect": {
        "config": "Config",
        "os": "Os",
        "architecture": "Architecture",
        "variant": "Variant",
        "os_version": "OsVersion",
        "created": "Created",
        "author": "Author",
        "comment": "Comment",
        "docker_version": "DockerVersion",
        "rootfs": "RootFS",
        "diff_ids": "Layers",
        "history": "History",
    },
    "oci": {
        "config": "config",
        "os": "os",
        "architecture": "architecture",
        "variant": "variant",
        "os_version": "os.version",
        "created": "created",
        "author": "author",
        "comment": "comment",
        "docker_version": "docker_version",
        "rootfs": "rootfs",
        "diff_ids": "diff_ids",
        "history": "history",
    },
}
_TYPE_NAMES = {str: "text", int: "a whole number", list: "a list", dict: "an object", bool: "true or false"}


class ConfigView:
    """One image's config, read field by field."""

    def __init__(self, image: ImageInput, file: str, errors: list[InputError]) -> None:
        self.image = image
        self.file = file
        self.errors = errors
        self.keys = _KEYS[image.style]

    def key(self, name: str) -> str:
        """Return how this config spells a top-level field (``config`` is ``Config`` in docker inspect)."""
        return self.keys[name]

    def path(self, *keys: str | int) -> Path:
        """Return the JSON path of a field, from the root of the input file."""
        return (*self.image.prefix, *keys)

    def location(self, *keys: str | int) -> Location | None:
        """Return where a field is written in the input file; None for blobs inside archives."""
        if not self.image.file_positions:
            return None
        return self.image.locations.get(self.path(*keys))

    def line(self, *keys: str | int) -> int | None:
        location = self.location(*keys)
        return location.line if location else None

    def get(self, keys: tuple[str | int, ...], expected: type | tuple[type, ...]) -> Any:
        """Return the value at ``keys`` when it has the expected type; None when absent, null or mistyped."""
        value: Any = self.image.config
        for key in keys:
            if isinstance(value, dict) and isinstance(key, str):
                value = value.get(key)
            elif isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
                value = value[key]
            else:
                return None
            if value is None:
                return None
        if isinstance(value, bool) and expected is not bool:
            self.mistyped(keys, expected, value)
            return None
        if not isinstance(value, expected):
            self.mistyped(keys, expected, value)
            return None
        return value

    def strings(self, keys: tuple[str | int, ...]) -> list[str] | None:
        """Return the list of text at ``keys``; None when absent, null or not a list of text."""
        value = self.get(keys, list)
        if value is None:
            return None
        if not all(isinstance(item, str) for item in value):
            self.problem(keys, f"{_dotted(keys)} must be a list of text; the field was ignored")
            return None
        return value

    def mistyped(self, keys: tuple[str | int, ...], expected: type | tuple[type, ...], value: Any) -> None:
        expected_types = expected if isinstance(expected, tuple) else (expected,)
        names = " or ".join(_TYPE_NAMES.get(kind, kind.__name__) for kind in expected_types)
        self.problem(keys, f"{_dotted(keys)} must be {names}, not {json_type(value)}; the field was ignored")

    def problem(self, keys: tuple[str | int, ...], message: str) -> None:
        """Record a non-fatal error at a field, naming the image when the input contains several."""
        location = self.location(*keys)
        subject = f"{self.image.subject}: " if self.image.subject and not self.image.file_positions else ""
        self.errors.append(
            InputError(
                self.file,
                subject + message,
                line=location.line if location else None,
                column=location.column if location else None,
                fatal=False,
            )
        )


def _dotted(keys: tuple[str | int, ...]) -> str:
    text = ""
    for key in keys:
        if isinstance(key, int):
            text += f"[{key}]"
        elif text:
            text += f".{key}"
        else:
            text = key
    return text


def json_type(value: Any) -> str:
    """Name the JSON type of a value for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"
