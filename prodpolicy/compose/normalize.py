"""Turn a loaded compose project into the compose document."""

from __future__ import annotations

import os
import re
from typing import Any

from .. import secrets
from ..document import Document
from .context import Context
from .profiles import is_active
from .project import Project
from .runtime import runtime_view
from .service import ServiceNormalizer
from .tree import Mapping, plain

TOP_LEVEL_KEYS = frozenset({"version", "name", "include", "services", "networks", "volumes", "secrets", "configs", "models"})
_PROJECT_NAME = re.compile(r"[^a-z0-9_-]")


def build_document(project: Project) -> Document:
    """Normalize every service of the project and build the document with its locations."""
    primary = project.primary
    context = Context(primary.file, project.errors, os.path.isfile(primary.file), project.environment.lookup)
    model = project.model
    for key in model:
        if key not in TOP_LEVEL_KEYS and not key.startswith("x-"):
            context.error(f"unknown top-level key {key!r}; compose files have services, networks, volumes, "
                          "secrets, configs, include and name", model.origins.get(key))  # fmt: skip

    services = model.get("services")
    if services is not None and not isinstance(services, Mapping):
        context.error("services must be a mapping of service names to services", model.origins.get("services"))
        services = Mapping()
    services = services or Mapping()
    context.locate(("services",), model.origins.get("services"))

    normalized: dict[str, Any] = {}
    inactive: dict[str, Any] = {}
    runtimes: list[dict[str, Any]] = []
    for name, service in services.items():
        origin = services.origins.get(name)
        if (origin is None or origin.file != primary.file) and name in project.anchors:
            origin = project.anchors[name]
        if not isinstance(service, Mapping):
            context.error(f"services.{name} must be a mapping", origin)
            continue
        active = is_active(service.get("profiles"), project.profiles)
        normalizer = ServiceNormalizer(context, name, service, origin, active)
        data = normalizer.build()
        if active:
            normalized[name] = data
            runtimes.append(runtime_view(normalizer, data, len(runtimes)))
        else:
            inactive[name] = data

    data = {
        "kind": "compose",
        "file": primary.file,
        "files": project.files,
        "name": _project_name(project),
        "profiles": project.profiles,
        "services": normalized,
        "inactive_services": inactive,
        "networks": _section(model, "networks"),
        "volumes": _section(model, "volumes"),
        "secrets": _section(model, "secrets"),
        "configs": _section(model, "configs"),
        "extensions": {key: plain(value) for key, value in model.items() if key.startswith("x-")},
        "variables": [{"name": name, "set": found} for name, found in sorted(project.references.items())],
        "runtimes": runtimes,
    }
    lines = [secrets.redact_text(line, context.secret_values) for line in primary.lines]
    return Document(
        kind="compose",
        file=primary.file,
        data=data,
        locations=context.locations,
        lines=lines,
        errors=project.errors,
        suppressions=primary.suppressions,
    )


def _section(model: Mapping, key: str) -> dict[str, Any]:
    value = model.get(key)
    if not isinstance(value, dict):
        return {}
    return {str(name): plain(item) for name, item in value.items()}


def _project_name(project: Project) -> str | None:
    """Return the project name as compose picks it: ``name:``, COMPOSE_PROJECT_NAME, then the folder name."""
    name = project.model.get("name") or project.environment.values.get("COMPOSE_PROJECT_NAME")
    if not name and os.path.isfile(project.primary.file):
        name = os.path.basename(project.primary.directory)
    return _PROJECT_NAME.sub("", str(name).lower()) if name else None
