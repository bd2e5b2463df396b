"""Service variables: ``environment`` (list or mapping), ``env_file`` in all its forms, ``labels``.

Values are classified with :mod:`prodpolicy.secrets` and stored redacted. A
credential counts as written in the file (``secret_in_file``) when the literal
text contains it, including a ``${VAR:-default}`` default. A bare ``${VAR}``
reference is not a secret. A value that only the caller's environment supplies
is still redacted when it looks like a credential, but it is not written in
the file.
"""

from __future__ import annotations

import os
from typing import Any

from .. import secrets
from ..errors import InvalidInput
from . import gitignore
from .context import Context
from .environment_files import read_env_file_lines
from .interpolate import Interpolated, literal_text
from .tree import Origin, origin_of


def scalar_text(value: Any) -> str | None:
    """Convert a YAML scalar to the string compose passes on: ``true``, ``1.1``, ``493``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # Go's shortest formatting, which compose uses: 1.10 gives 1.1, 2.0 gives 2.
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "+Inf" if value > 0 else "-Inf"
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    return str(value)


def pairs(value: Any) -> list[tuple[str, Any, Any]]:
    """Return (name, value, key-or-index) from a mapping or a ``NAME=value`` list; a bare NAME has value None."""
    if isinstance(value, dict):
        return [(str(name), item, name) for name, item in value.items()]
    if isinstance(value, list):
        result = []
        for index, item in enumerate(value):
            name, separator, rest = str(item).partition("=")
            written = rest if separator else None
            if separator and isinstance(item, Interpolated):
                raw_name, _, raw_rest = item.raw.partition("=")
                written = _partial(rest, raw_rest, item)
            result.append((name, written, index))
        return result
    return []


def _partial(value: str, raw: str, whole: Interpolated) -> Interpolated:
    part = Interpolated(value)
    part.raw = raw
    part.references = whole.references
    part.unknown = whole.unknown
    return part


def variable(name: str, value: Any, context: Context, source: str = "environment", file: str | None = None,
             line: int | None = None) -> dict[str, Any]:  # fmt: skip
    """Build one variable, classified and redacted."""
    text = scalar_text(value)
    entry: dict[str, Any] = {"name": name, "value": text, "source": source}
    if file is not None:
        entry["file"] = file
    if line is not None:
        entry["line"] = line
    if isinstance(value, Interpolated):
        entry["raw"] = value.raw
        entry["references"] = list(value.references)
        if value.unknown:
            entry["unknown"] = True
    elif value is None:
        # NAME without a value passes the variable through from where compose runs, if it is set there.
        entry["unknown"] = True
    if secrets.is_credential_name(name):
        entry["credential_name"] = True
    if text:
        _classify(entry, name, text, value, context)
    return entry


def _classify(entry: dict[str, Any], name: str, text: str, value: Any, context: Context) -> None:
    written = literal_text(value.raw) if isinstance(value, Interpolated) else text
    match = secrets.classify(name, written) if written else None
    in_file = match is not None
    if match is None:
        match = secrets.classify(name, text)
    if match is None:
        return
    context.secret_values.update(item for item in (text, written) if item)
    entry["secret"] = {"reason": match.reason}
    entry["secret_in_file"] = in_file
    entry["value"] = secrets.redact(text)
    if "raw" in entry:
        entry["raw"] = secrets.redact_text(entry["raw"], {text, written})


def environment(value: Any, context: Context, container_origin: Origin | None) -> tuple[dict[str, dict[str, Any]], dict[str, Origin | None]]:
    """Normalize ``environment``; return the variables and each one's origin."""
    variables: dict[str, dict[str, Any]] = {}
    origins: dict[str, Origin | None] = {}
    for name, item, key in pairs(value):
        origin = origin_of(value, key) or container_origin
        variables[name] = variable(name, item, context, line=origin.location.line if origin else None)
        origins[name] = origin
    return variables, origins


def env_files(value: Any, context: Context, origin: Origin | None) -> list[dict[str, Any]]:
    """Normalize ``env_file`` (a path, a list of paths, or a list of ``{path, required, format}``) and read the files.

    Each file read also records where it is (``location``, the name reports use,
    for the positions of its variables), which of its variables hold credentials
    written in it, and whether Git ignores it.
    """
    items = value if isinstance(value, list) else [value]
    result = []
    for index, item in enumerate(items):
        item_origin = origin_of(value, index) if isinstance(value, list) else origin
        spec = item if isinstance(item, dict) else {"path": item}
        path = str(spec.get("path") or "")
        required = spec.get("required", True)
        required = required if isinstance(required, bool) else str(required).lower() != "false"
        entry: dict[str, Any] = {"path": path, "required": required, "format": spec.get("format"), "variables": {},
                                 "credentials": [], "ignored": None}  # fmt: skip
        resolved = path if os.path.isabs(path) else os.path.join(context.directory(item_origin or origin), path)
        entry["found"] = os.path.isfile(resolved) if context.read_files else None
        if entry["found"]:
            entry["location"] = context.display(resolved)
            entry["variables"] = _read(resolved, entry["location"], path, context, item_origin or origin)
            entry["credentials"] = [name for name, item in entry["variables"].items() if item.get("secret_in_file")]
            entry["ignored"] = gitignore.is_ignored(resolved)
        elif entry["found"] is False and required:
            context.error(f"env_file {path} not found (set required: false if it is optional)", item_origin or origin)
        result.append(entry)
    return result


def _read(resolved: str, display_name: str, path: str, context: Context, origin: Origin | None) -> dict[str, dict[str, Any]]:
    try:
        entries, lines = read_env_file_lines(resolved, context.lookup)
    except InvalidInput as error:
        context.error(f"env_file {path}: {error.error.message} (line {error.error.line})", origin)
        return {}
    context.env_file_lines.setdefault(display_name, lines)
    variables = {}
    for entry in entries:
        variables[entry.name] = variable(entry.name, entry.value, context, "env_file", path, entry.line)
        if "secret" in variables[entry.name] and entry.raw:
            # The line shows the value as written, quotes and escapes included: mask that spelling too.
            context.secret_values.add(entry.raw.strip("'\""))
    return variables


def labels(value: Any) -> dict[str, str | None]:
    """Normalize ``labels`` from a mapping or a ``key=value`` list."""
    return {name: scalar_text(item) for name, item, _ in pairs(value)}
