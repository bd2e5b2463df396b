"""Compose data with the origin of every key and list item.

Compose data passes through interpolation, ``extends``, ``include`` and the
merge of several files before it is normalized, and a finding must still point
at the line that set a value. Mappings and sequences therefore carry the origin
(file and position) of each of their entries, and the origins move with the
entries through every step.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..document import Location


class Origin(NamedTuple):
    """The file and position of one mapping key or list item.

    ``style`` is how a scalar item is written (``plain``, ``single``, ``double``...),
    recorded only for the keys whose quoting style rules check. ``merged`` marks
    a key that a YAML merge key (``<<``) brought in: its location is the ``<<`` line.
    A named tuple rather than a dataclass: a compose file has one for every key and
    item, and a tuple is made in less than half the time.
    """

    file: str
    location: Location
    style: str | None = None
    merged: bool = False


class Mapping(dict):  # type: ignore[type-arg]
    """A YAML mapping; ``origins`` holds each key's origin, ``tags`` its ``!reset`` or ``!override`` tag."""

    __slots__ = ("origins", "tags")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.origins: dict[str, Origin] = {}
        self.tags: dict[str, str] = {}


class Sequence(list):  # type: ignore[type-arg]
    """A YAML sequence; ``origins`` holds each item's origin (None for an item built by the normalizer)."""

    __slots__ = ("origins",)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.origins: list[Origin | None] = []


def copy_tree(value: Any) -> Any:
    """Copy a tree deeply, origins and tags included; scalars are shared."""
    if isinstance(value, Mapping):
        mapping = Mapping()
        for key, item in value.items():
            mapping[key] = copy_tree(item)
        mapping.origins = dict(value.origins)
        mapping.tags = dict(value.tags)
        return mapping
    if isinstance(value, Sequence):
        sequence = Sequence(copy_tree(item) for item in value)
        sequence.origins = list(value.origins)
        return sequence
    if isinstance(value, dict):
        return {key: copy_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_tree(item) for item in value]
    return value


def origin_of(container: Any, key: str | int) -> Origin | None:
    """Return the origin of a key of a Mapping or an index of a Sequence, if known."""
    if isinstance(container, Mapping):
        return container.origins.get(key)  # type: ignore[arg-type]
    if isinstance(container, Sequence) and isinstance(key, int) and 0 <= key < len(container.origins):
        return container.origins[key]
    return None


def plain(value: Any) -> Any:
    """Return the tree as plain dicts, lists and scalars (str subclasses become str)."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value
