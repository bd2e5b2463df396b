"""Turn a loaded compose project into the compose document."""

from __future__ import annotations

import dataclasses
import os
import re
from typing import Any

from .. import secrets
from ..document import Document, Location
from ..errors import InputError
from . import credentials, crossref, layout
from .context import Context
from .profiles import is_active
from .project import Project
from .runtime import runtime_view
from .service import ServiceNormalizer
from .tree import Mapping, Origin, plain

TOP_LEVEL_KEYS = frozenset({"version", "name", "include", "services", "networks", "volumes", "secrets", "configs", "models"})
_PROJECT_NAME = re.compile(r"[^a-z0-9_-]")


def build_document(project: Project) -> Document:
    """Normalize every service of the project and build the document with its locations."""
    primary = project.primary
    directories = {name: loaded.directory for name, loaded in project.loaded.items()}
    context = Context(primary.file, project.errors, os.path.isfile(primary.file), project.environment.lookup, directories,
                      project.display_name)  # fmt: skip
    model = project.model
    for key in model:
        if key not in TOP_LEVEL_KEYS and not key.startswith("x-"):
            context.error(f"unknown top-level key {key!r}; compose files have services, networks, volumes, "
                          "secrets, configs, include and name", model.origins.get(key))  # fmt: skip

    services = model.get("services")
    if services is not None and not isinstance(services, Mapping):
        context.error("services must be a mapping of service names to services", model.origins.get("services"), fatal=True)
        services = Mapping()
    services = services or Mapping()
    context.locate(("services",), model.origins.get("services"))

    normalized: dict[str, Any] = {}
    inactive: dict[str, Any] = {}
    runtimes: list[dict[str, Any]] = []
    for name, service in services.items():
        origin = services.origins.get(name)
        if origin is None and name in project.anchors:
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

    crossref.annotate(normalized)
    context.locate((), Origin(primary.file, Location(1)))
    context.locate(("version",), model.origins.get("version"))
    context.locate(("name",), model.origins.get("name"))
    name, name_source = _project_name(project)
    version = model.get("version")
    project_layout = layout.project_layout(model, primary.file)
    for fact, container in (("keys", model), ("services", services)):
        if project_layout[fact] is not None:
            context.locate(("layout", fact), layout.origin_of_item(container, project_layout[fact]["item"]))
    data = {
        "kind": "compose",
        "file": primary.file,
        "files": project.files,
        "name": name,
        "name_source": name_source,
        "version": str(version) if version is not None else None,
        "layout": project_layout,
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
    # Keys kept as compose read them (mem_limit, extensions, command) may hold a credential that no
    # service normalizer classified, and error messages quote values: mask both before anything prints them.
    # TODO: a short secret value (POSTGRES_PASSWORD: postgres) is masked wherever it appears, also inside image
    # and service names, which garbles messages and can change what other rules find.
    for section in _written_mappings(data):
        _collect_named_secrets(section, context.secret_values)
    data = secrets.mask_tree(data, context.secret_values)
    errors = [_redacted_error(error, context) for error in project.errors]
    return Document(
        kind="compose",
        file=primary.file,
        data=data,
        locations=context.locations,
        lines=_redacted(primary.lines, context),
        sources=_other_sources(project, context),
        errors=errors,
        suppressions=[suppression for loaded in project.loaded.values() for suppression in loaded.suppressions],
    )


def _written_mappings(data: dict[str, Any]) -> list[Any]:
    """Return the sections of a compose document that keep mappings as the file writes them."""
    sections: list[Any] = [data["networks"], data["volumes"], data["secrets"], data["configs"], data["extensions"]]
    for service in (*data["services"].values(), *data["inactive_services"].values()):
        if isinstance(service, dict):
            sections.extend(service.get(key) for key in ("labels", "logging", "extensions", "settings", "build"))
    return sections


def _collect_named_secrets(value: Any, found: set[str]) -> None:
    """Add to ``found`` the texts kept under a credential name, such as a label or a logging option named *-token.

    Compose keeps mappings such as annotations, logging and driver options, deploy
    labels and extension fields as written, so they are searched by name here.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                if isinstance(key, str) and secrets.is_credential_name(key) and credentials.named_credential(key, item):
                    found.add(item)
            elif isinstance(item, (dict, list)):
                _collect_named_secrets(item, found)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                _collect_named_secrets(item, found)


def _redacted(lines: list[str], context: Context) -> list[str]:
    # A file writes a $ of a value as $$, which interpolation reads back as one $.
    values = context.secret_values | {value.replace("$", "$$") for value in context.secret_values if "$" in value}
    redacted = list(lines)
    for number in secrets.texts_to_mask(lines, values):
        redacted[number] = secrets.redact_text(lines[number], values)
    return redacted


def _redacted_error(error: InputError, context: Context) -> InputError:
    message = secrets.redact_text(error.message, context.secret_values)
    return error if message == error.message else dataclasses.replace(error, message=message)


def _other_sources(project: Project, context: Context) -> dict[str, list[str]]:
    """Return the redacted lines of every file read besides the primary one, for code frames."""
    sources = {name: _redacted(loaded.lines, context) for name, loaded in project.loaded.items() if name != project.primary.file}
    for name, lines in context.env_file_lines.items():
        sources.setdefault(name, _redacted(lines, context))
    return sources


def _section(model: Mapping, key: str) -> dict[str, Any]:
    value = model.get(key)
    if not isinstance(value, dict):
        return {}
    return {str(name): plain(item) for name, item in value.items()}


def _project_name(project: Project) -> tuple[str | None, str]:
    """Return the project name as compose picks it (``name:``, COMPOSE_PROJECT_NAME, then the folder) and its source."""
    name, source = project.model.get("name"), "name"
    if not name:
        name, source = project.environment.values.get("COMPOSE_PROJECT_NAME"), "environment"
    if not name and os.path.isfile(project.primary.file):
        name, source = os.path.basename(project.primary.directory), "folder"
    if not name:
        return None, "unset"
    return _PROJECT_NAME.sub("", str(name).lower()), source
