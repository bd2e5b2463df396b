"""Merge compose files in order, with the compose specification's rules per key.

Later files win for scalars and mappings are merged key by key, except:

* ``command``, ``entrypoint`` and ``healthcheck.test`` are replaced whole;
* ``environment``, ``labels``, ``annotations``, ``sysctls``, ``extra_hosts`` and
  ``build.args`` are merged by variable name, whether written as a list or a mapping;
* ``ports``, ``volumes``, ``devices``, ``secrets``, ``configs``, ``expose``,
  ``cap_add``, ``cap_drop``, ``dns``, ``profiles``, ``tmpfs`` and ``env_file`` are
  appended, and an entry for the same port, target path or value replaces the
  earlier one in its place;
* ``depends_on`` and ``networks`` are merged by name;
* ``logging`` is replaced when the driver changes;
* a key tagged ``!reset`` is removed, and one tagged ``!override`` replaces the
  earlier value instead of being merged.

The same rules serve ``extends``, where the extending service is the later file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import ports, volumes
from .tree import Mapping, Sequence

_REPLACED = frozenset({"command", "entrypoint"})
_BY_NAME = frozenset({"environment", "labels", "annotations", "sysctls", "extra_hosts"})
_NAMED_MAPPINGS = frozenset({"depends_on", "networks"})


def _value_key(item: Any) -> Any:
    return str(item) if not isinstance(item, (dict, list)) else repr(item)


def _env_file_key(item: Any) -> Any:
    return str(item.get("path")) if isinstance(item, dict) else str(item)


def _mount_key(default_directory: str) -> Callable[[Any], Any]:
    def key(item: Any) -> Any:
        if isinstance(item, dict):
            target = item.get("target")
            return str(target) if target else f"{default_directory}{item.get('source')}"
        return f"{default_directory}{item}"

    return key


_UNIQUE_LISTS: dict[str, Callable[[Any], Any]] = {
    "ports": ports.merge_key,
    "volumes": volumes.merge_key,
    "devices": volumes.device_merge_key,
    "secrets": _mount_key("/run/secrets/"),
    "configs": _mount_key("/"),
    "expose": _value_key,
    "cap_add": _value_key,
    "cap_drop": _value_key,
    "dns": _value_key,
    "dns_opt": _value_key,
    "dns_search": _value_key,
    "profiles": _value_key,
    "tmpfs": _value_key,
    "links": _value_key,
    "env_file": _env_file_key,
}


def merge_project(base: Mapping, override: Mapping) -> Mapping:
    """Merge one compose file's top level into the model built so far; return the model."""
    for key, value in override.items():
        tag = override.tags.get(key)
        if tag == "!reset":
            _remove(base, key)
        elif key == "services" and isinstance(value, Mapping):
            _merge_services(base, override, tag)
        elif key in base and isinstance(base[key], Mapping) and isinstance(value, Mapping) and tag != "!override":
            base[key] = merge_mapping(base[key], value)
        else:
            _set(base, key, value, override, key)
    return base


def _merge_services(base: Mapping, override: Mapping, tag: str | None) -> None:
    services = base.get("services")
    if not isinstance(services, Mapping) or tag == "!override":
        services = Mapping()
        _set(base, "services", services, override, "services")
    incoming: Mapping = override["services"]
    for name, service in incoming.items():
        service_tag = incoming.tags.get(name)
        if service_tag == "!reset":
            _remove(services, name)
        elif isinstance(services.get(name), Mapping) and isinstance(service, Mapping) and service_tag != "!override":
            services[name] = merge_service(services[name], service)
        elif isinstance(service, Mapping):
            _set(services, name, merge_service(Mapping(), service), incoming, name)
        else:
            _set(services, name, service, incoming, name)


def merge_service(base: Mapping, override: Mapping) -> Mapping:
    """Merge a later definition of a service into an earlier one; return the earlier one, changed."""
    for key, value in override.items():
        tag = override.tags.get(key)
        if tag == "!reset":
            _remove(base, key)
            continue
        current = base.get(key)
        if key not in base or tag == "!override" or key in _REPLACED or value is None or current is None:
            _set(base, key, _unique(key, value), override, key)
        elif key in _BY_NAME:
            base[key] = merge_mapping(_as_mapping(current), _as_mapping(value))
        elif key in _NAMED_MAPPINGS:
            base[key] = merge_mapping(_names_as_mapping(current), _names_as_mapping(value))
        elif key in _UNIQUE_LISTS and isinstance(current, list) and isinstance(value, list):
            base[key] = _append_unique(current, value, _UNIQUE_LISTS[key])
        elif key in _UNIQUE_LISTS and isinstance(current, str) and isinstance(value, str):
            base[key] = _append_unique(_one_item(current, base, key), _one_item(value, override, key), _UNIQUE_LISTS[key])
        elif key == "logging" and isinstance(current, Mapping) and isinstance(value, Mapping):
            base[key] = _merge_logging(current, value)
        elif key == "build":
            base[key] = _merge_build(_build_mapping(current, base, key), _build_mapping(value, override, key))
        elif key == "healthcheck" and isinstance(current, Mapping) and isinstance(value, Mapping):
            base[key] = merge_mapping(current, value, replaced=frozenset({"test"}))
        else:
            base[key] = _merge_value(current, value, override, key, base)
    return base


def merge_mapping(base: Mapping, override: Mapping, replaced: frozenset[str] = frozenset()) -> Mapping:
    """Merge mappings key by key: nested mappings merge, lists append, anything else is replaced."""
    for key, value in override.items():
        tag = override.tags.get(key)
        if tag == "!reset":
            _remove(base, key)
        elif key not in base or tag == "!override" or key in replaced:
            _set(base, key, value, override, key)
        else:
            base[key] = _merge_value(base[key], value, override, key, base)
    return base


def _merge_value(current: Any, value: Any, override: Mapping, key: str, base: Mapping) -> Any:
    if isinstance(current, Mapping) and isinstance(value, Mapping):
        return merge_mapping(current, value)
    if isinstance(current, Sequence) and isinstance(value, Sequence):
        merged = Sequence([*current, *value])
        merged.origins = [*current.origins, *value.origins]
        return merged
    base.origins[key] = override.origins.get(key, base.origins.get(key))  # type: ignore[assignment]
    return value


def _set(target: Mapping, key: str, value: Any, source: Any, source_key: str) -> None:
    target[key] = value
    origin = source.origins.get(source_key) if isinstance(source, Mapping) else None
    if origin is not None:
        target.origins[key] = origin


def _remove(target: dict, key: str) -> None:  # type: ignore[type-arg]
    target.pop(key, None)
    if isinstance(target, Mapping):
        target.origins.pop(key, None)


def _one_item(value: str, owner: Mapping, key: str) -> Sequence:
    sequence = Sequence([value])
    sequence.origins = [owner.origins.get(key)]
    return sequence


def _unique(key: str, value: Any) -> Any:
    if key in _UNIQUE_LISTS and isinstance(value, Sequence):
        return _append_unique(Sequence(), value, _UNIQUE_LISTS[key])
    return value


def _append_unique(current: list, value: list, key: Callable[[Any], Any]) -> Sequence:  # type: ignore[type-arg]
    """Append items; an item with the key of an earlier one replaces it in its place."""
    merged = Sequence()
    positions: dict[Any, int] = {}
    for items in (current, value):
        origins = items.origins if isinstance(items, Sequence) else [None] * len(items)
        for item, origin in zip(items, origins, strict=False):
            item_key = key(item)
            if item_key in positions:
                merged[positions[item_key]] = item
                merged.origins[positions[item_key]] = origin
                continue
            positions[item_key] = len(merged)
            merged.append(item)
            merged.origins.append(origin)
    return merged


def _as_mapping(value: Any) -> Mapping:
    """Turn ``["A=1", "B"]`` (or ``"host:ip"`` for extra_hosts) into a Mapping with the items' origins."""
    if isinstance(value, Mapping):
        return value
    mapping = Mapping()
    if not isinstance(value, list):
        return mapping
    origins = value.origins if isinstance(value, Sequence) else [None] * len(value)
    for item, origin in zip(value, origins, strict=False):
        text = str(item)
        separator = None
        if "=" in text:
            separator = "="
        elif ":" in text:
            separator = ":"
        name, _, rest = text.partition(separator) if separator else (text, "", "")
        mapping[name] = rest if separator else None
        if origin is not None:
            mapping.origins[name] = origin
    return mapping


def _names_as_mapping(value: Any) -> Mapping:
    if isinstance(value, Mapping):
        return value
    mapping = Mapping()
    if isinstance(value, list):
        origins = value.origins if isinstance(value, Sequence) else [None] * len(value)
        for item, origin in zip(value, origins, strict=False):
            mapping[str(item)] = None
            if origin is not None:
                mapping.origins[str(item)] = origin
    return mapping


def _merge_logging(current: Mapping, value: Mapping) -> Mapping:
    driver, new_driver = current.get("driver"), value.get("driver")
    if driver is not None and new_driver is not None and driver != new_driver:
        return value
    return merge_mapping(current, value)


def _build_mapping(value: Any, owner: Mapping, key: str) -> Mapping:
    if isinstance(value, Mapping):
        return value
    mapping = Mapping({"context": value})
    origin = owner.origins.get(key)
    if origin is not None:
        mapping.origins["context"] = origin
    return mapping


def _merge_build(current: Mapping, value: Mapping) -> Mapping:
    for key, item in value.items():
        if key == "args" and key in current and value.tags.get(key) is None:
            current[key] = merge_mapping(_as_mapping(current[key]), _as_mapping(item))
        else:
            merge_mapping(current, _single(value, key))
    return current


def _single(source: Mapping, key: str) -> Mapping:
    single = Mapping({key: source[key]})
    if key in source.origins:
        single.origins[key] = source.origins[key]
    if key in source.tags:
        single.tags[key] = source.tags[key]
    return single
