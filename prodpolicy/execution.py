"""Work out what a container starts from its entrypoint and command.

Rules about the production command (a dev server, a file watcher) need the
programs that actually run, not the first word of the argv. This module combines
ENTRYPOINT and CMD the way Docker does and looks through the usual wrappers: a
shell's ``-c`` script, init processes (tini, dumb-init), user switchers (gosu,
su-exec), ``exec``, ``env`` and an entrypoint script that runs its arguments.
"""

from __future__ import annotations

import re
from typing import Any

from . import shell

# How deep wrappers may nest (tini -- gosu app sh -c "exec node ..."); deeper input is left as is.
_MAX_DEPTH = 6
_INIT_PROGRAMS = frozenset({"tini", "tini-static", "dumb-init", "catatonit", "s6-svscan"})
_USER_SWITCHERS = frozenset({"gosu", "su-exec", "chpst"})
_PREFIX_PROGRAMS = frozenset({"exec", "nohup", "npx", "time"})
_ENTRYPOINT_SCRIPT = re.compile(r"entrypoint|\.sh$|^start|^run", re.IGNORECASE)
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def combined_argv(entrypoint: dict[str, Any] | None, cmd: dict[str, Any] | None) -> list[str] | None:
    """Return the argv Docker starts; a shell-form ENTRYPOINT ignores CMD."""
    if entrypoint is not None:
        if entrypoint["form"] == "shell" or cmd is None:
            return list(entrypoint["argv"])
        return [*entrypoint["argv"], *cmd["argv"]]
    if cmd is not None:
        return list(cmd["argv"])
    return None


def execution(entrypoint: dict[str, Any] | None, cmd: dict[str, Any] | None) -> dict[str, Any] | None:
    """Build the ``execution`` part of a runtime view; None when nothing is started."""
    argv = combined_argv(entrypoint, cmd)
    if not argv:
        return None
    return {"argv": argv, "commands": commands_of(argv)}


def commands_of(argv: list[str]) -> list[dict[str, Any]]:
    """List the simple commands an argv starts, looking through shells and wrappers."""
    commands: list[dict[str, Any]] = []
    _collect(argv, commands, 0)
    return commands


def _simple(argv: list[str]) -> dict[str, Any]:
    return shell.simple_command(argv)


def _collect(argv: list[str], commands: list[dict[str, Any]], depth: int) -> None:
    if not argv or depth > _MAX_DEPTH:
        return
    script = shell.shell_script_of(argv)
    if script is not None:
        commands.append(_simple(argv))
        _collect_script(script, commands, depth)
        return
    commands.append(_simple(argv))
    inner = unwrap(argv)
    if inner:
        _collect(inner, commands, depth + 1)


def _collect_script(script: str, commands: list[dict[str, Any]], depth: int) -> None:
    # This module looks through wrappers itself, so the parser must not add sh -c scripts again.
    parsed, _ = shell.parse_script(script, unwrap=False)
    for command in parsed:
        commands.append(command)
        # A shell inside the script, as in sh -c "sh -c 'python manage.py runserver'", is read as well.
        nested = shell.shell_script_of(command["argv"]) if depth < _MAX_DEPTH else None
        if nested is not None:
            _collect_script(nested, commands, depth + 1)
            continue
        inner = unwrap(command["argv"])
        if inner:
            _collect(inner, commands, depth + 1)


def unwrap(argv: list[str]) -> list[str] | None:
    """Return the argv a wrapper program runs, or None when argv is not a known wrapper."""
    if not argv:
        return None
    program = shell.program_name(argv[0])
    rest = argv[1:]
    if program in _INIT_PROGRAMS:
        if "--" in rest:
            return rest[rest.index("--") + 1 :] or None
        return _skip_options(rest)
    if program in _USER_SWITCHERS:
        return rest[1:] or None
    if program in _PREFIX_PROGRAMS:
        return _skip_options(rest)
    if program == "env":
        remaining = _skip_options(rest) or []
        while remaining and _ASSIGNMENT.match(remaining[0]):
            remaining = remaining[1:]
        return remaining or None
    if rest and _ENTRYPOINT_SCRIPT.search(program) and program not in shell.SHELLS:
        # Entrypoint scripts conventionally end with exec "$@": their arguments are the real command.
        return rest
    return None


def _skip_options(argv: list[str]) -> list[str] | None:
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        index += 1
    return argv[index:] or None
