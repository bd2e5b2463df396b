"""Tell the image JSON formats apart, and explain the JSON files that only look like one.

``docker inspect`` (and ``podman inspect``) write capitalised keys (``Config``,
``RepoTags``, ``RootFS``); an OCI image config uses lower case (``config``,
``rootfs``, ``history``). Manifests, indexes and the ``manifest.json`` of
``docker save`` point at other blobs by digest or path, so they cannot be
evaluated on their own. The error names the file to pass instead.
"""

from __future__ import annotations

from typing import Any, Literal

JSONForm = Literal["docker-inspect", "oci-config"]

_INSPECT_KEYS = frozenset({"Id", "RepoTags", "RepoDigests", "RootFS", "Config", "ContainerConfig", "GraphDriver"})
_CONFIG_KEYS = frozenset({"rootfs", "config", "history"})


class NotAnImage(ValueError):
    """Raised for JSON that is not an image config; the message names what the JSON is and which input to pass."""


def classify(value: Any) -> tuple[JSONForm, list[dict[str, Any]]]:
    """Return the format of a parsed JSON file and its image objects, or raise :class:`NotAnImage`."""
    if isinstance(value, list):
        return _classify_list(value)
    if not isinstance(value, dict):
        raise NotAnImage("the JSON is a single value, not an image config; expected an object or a list of objects")
    return _classify_object(value), [value]


def _classify_list(items: list[Any]) -> tuple[JSONForm, list[dict[str, Any]]]:
    if not items:
        raise NotAnImage("the JSON list is empty: docker inspect found no image; check the image name")
    if not all(isinstance(item, dict) for item in items):
        raise NotAnImage("the JSON list contains values that are not objects; expected docker inspect output")
    forms = {_classify_object(item) for item in items}
    if forms != {"docker-inspect"}:
        raise NotAnImage("a JSON list of image configs is not a known format; expected docker inspect output")
    return "docker-inspect", items


def _classify_object(value: dict[str, Any]) -> JSONForm:
    keys = set(value)
    if {"State", "HostConfig"} <= keys:
        raise NotAnImage(
            "this is docker inspect output of a container, not of an image; run docker image inspect IMAGE instead"
        )
    if isinstance(value.get("Config"), str) and "Layers" in keys:
        raise NotAnImage(
            "this is the manifest.json of a docker save archive; it names blobs inside the archive, "
            "so pass the archive (.tar) itself"
        )
    if "manifests" in keys and "schemaVersion" in keys:
        raise NotAnImage(
            "this is an OCI image index; it lists images by digest, so pass the OCI layout folder or "
            "archive that holds the blobs"
        )
    if "layers" in keys and "schemaVersion" in keys:
        raise NotAnImage(
            "this is an image manifest; it names its config by digest, so pass the config blob, or the OCI "
            "layout folder or archive that holds it"
        )
    if keys & _INSPECT_KEYS and not isinstance(value.get("config"), dict):
        return "docker-inspect"
    if keys & _CONFIG_KEYS or {"architecture", "os"} <= keys:
        return "oci-config"
    raise NotAnImage(
        "the JSON object has none of the keys of an image config (Config and RepoTags for docker inspect "
        "output; config, rootfs and history for an OCI image config)"
    )
