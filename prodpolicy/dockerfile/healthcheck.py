"""HEALTHCHECK: the test, its form and the timing flags, checked as BuildKit does.

``HEALTHCHECK NONE`` disables a health check inherited from the base; it takes
no arguments and Docker ignores its flags. ``HEALTHCHECK CMD`` takes a command
in exec or shell form; a shell-form test runs with the image's SHELL, like
``CMD``. Durations are Go durations (``30s``, ``1m30s``) stored in seconds.
Docker rejects a duration below one millisecond other than 0, a negative
duration and a negative retry count.
"""

from __future__ import annotations

from typing import Any

from ..durations import parse_duration
from . import scripts
from .context import WHITESPACE
from .lexer import RawInstruction

_DURATION_FLAGS = ("interval", "timeout", "start-period", "start-interval")
_MINIMUM_SECONDS = 0.001
_INT32_MAX = 2**31 - 1


def parse_healthcheck(
    raw: RawInstruction, flags: list[dict[str, Any]], shell_argv: list[str]
) -> tuple[dict[str, Any] | None, dict[str, Any], str | None]:
    """Return the health check, extra instruction fields and the reason Docker rejects it (or None)."""
    if not raw.arguments_text:
        return None, {}, "HEALTHCHECK requires at least one argument: CMD and a command, or NONE"
    first = WHITESPACE.split(raw.arguments_text, maxsplit=1)
    kind = first[0].upper()
    rest = first[1] if len(first) > 1 else ""
    if kind == "NONE":
        error = "HEALTHCHECK NONE takes no arguments" if rest.strip() else None
        return {"state": "disabled", "source": "instruction"}, {}, error
    if kind != "CMD":
        return None, {}, f"unknown HEALTHCHECK type {first[0]!r}; use CMD or NONE"

    healthcheck: dict[str, Any] = {"state": "configured", "source": "instruction"}
    fields: dict[str, Any] = {}
    error = _read_flags(flags, healthcheck)
    if raw.json_form:
        argv = list(raw.json_arguments or [])
        healthcheck.update(test=["CMD", *argv], form="exec")
        if argv:
            _, commands, _ = scripts.exec_form(argv, raw.start_line)
            healthcheck["commands"] = commands
    else:
        healthcheck.update(test=["CMD-SHELL", rest], form="shell")
        if rest:
            described = scripts.shell_form(raw, rest, shell_argv)
            healthcheck["commands"] = described.get("commands", [])
            fields["script_language"] = described["script_language"]
    if len(healthcheck["test"]) == 1 or (healthcheck["form"] == "shell" and not rest):
        error = "HEALTHCHECK CMD is missing its command"
    return healthcheck, fields, error


def _read_flags(flags: list[dict[str, Any]], healthcheck: dict[str, Any]) -> str | None:
    error: str | None = None
    for flag in flags:
        name, value = flag["name"], flag["value"] or ""
        key = name.replace("-", "_")
        if name in _DURATION_FLAGS:
            seconds, problem = _duration(name, value)
            if problem:
                error = error or problem
            else:
                healthcheck[key] = seconds
        elif name == "retries":
            retries, problem = _retries(value)
            if problem:
                error = error or problem
            elif retries is not None:
                healthcheck["retries"] = retries
    return error


def _duration(name: str, value: str) -> tuple[float, str | None]:
    if value == "":
        return 0.0, None
    seconds = parse_duration(value)
    if seconds is None:
        return 0.0, f"invalid duration {value!r} for --{name}; write it like 30s or 1m30s"
    if seconds != 0 and seconds < _MINIMUM_SECONDS:
        return 0.0, f"--{name}={value} is below the minimum of 1ms"
    return seconds, None


def _retries(value: str) -> tuple[int | None, str | None]:
    if value == "":
        return None, None
    digits = value[1:] if value[:1] in "+-" else value
    if not digits.isdigit() or not digits.isascii():
        return None, f"invalid --retries value {value!r}; use a whole number"
    retries = int(value)
    if retries > _INT32_MAX or retries < -_INT32_MAX - 1:
        return None, f"--retries={value} is out of range"
    if retries < 0:
        return None, f"--retries cannot be negative ({retries})"
    return retries, None
