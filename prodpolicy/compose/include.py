"""``include``: other compose files whose services and resources join the project.

Each entry is a path (or a list of paths merged in order, or a mapping with
``path``, ``project_directory`` and ``env_file``), relative to the including
file. An included file is loaded completely (interpolation, its own includes,
``extends``) before its services, networks, volumes, secrets and configs are
added. A name defined both by the including file and an included one is an
error, as in compose.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from .tree import Mapping, Origin, Sequence

SECTIONS = ("services", "networks", "volumes", "secrets", "configs")

# Loads a file completely; returns its top-level mapping, or None after reporting why.
LoadIncluded = Callable[[list[str], Origin | None, list[str]], Mapping | None]
Report = Callable[[str, Origin | None], None]


def apply_include(data: Mapping, directory: str, load: LoadIncluded, report: Report, anchors: dict[str, Origin]) -> None:
    """Add the resources of every included file to ``data``, in place."""
    entries = data.pop("include", None)
    data.origins.pop("include", None)
    if entries is None:
        return
    if not isinstance(entries, list):
        report("include must be a list of paths or mappings", None)
        return
    origins = entries.origins if isinstance(entries, Sequence) else [None] * len(entries)
    for entry, origin in zip(entries, origins, strict=False):
        paths, env_files = _entry(entry, directory, origin, report)
        if not paths:
            continue
        included = load(paths, origin, env_files)
        if included is not None:
            _add(data, included, origin, report, anchors)


def _entry(entry: Any, directory: str, origin: Origin | None, report: Report) -> tuple[list[str], list[str]]:
    # TODO: project_directory is not read; relative paths in an included file resolve against its own folder.
    if isinstance(entry, str):
        return [_resolve(entry, directory)], []
    if isinstance(entry, dict):
        path = entry.get("path")
        paths = _as_list(path)
        env_files = _as_list(entry.get("env_file"))
        if paths:
            return [_resolve(str(item), directory) for item in paths], [_resolve(str(item), directory) for item in env_files]
    report("an include entry needs a path (include: [path] or include: [{path: ...}])", origin)
    return [], []


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [value]
    return []


def _resolve(path: str, directory: str) -> str:
    return path if os.path.isabs(path) else os.path.normpath(os.path.join(directory, path))


def _add(data: Mapping, included: Mapping, origin: Origin | None, report: Report, anchors: dict[str, Origin]) -> None:
    for section in SECTIONS:
        resources = included.get(section)
        if not isinstance(resources, Mapping):
            continue
        target = data.get(section)
        if not isinstance(target, Mapping):
            target = Mapping()
            data[section] = target
        for name, value in resources.items():
            if name in target:
                report(f"{section}.{name} is defined both here and in an included file; rename one of them", origin)
                continue
            target[name] = value
            if name in resources.origins:
                target.origins[name] = resources.origins[name]
            if section == "services" and origin is not None:
                anchors[name] = origin
