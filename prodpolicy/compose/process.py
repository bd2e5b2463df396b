"""Command, entrypoint, user and healthcheck of a service."""

from __future__ import annotations

from typing import Any

from .. import shell
from ..durations import parse_duration
from ..execution import commands_of
from .interpolate import is_unknown

_HEALTHCHECK_DURATIONS = ("interval", "timeout", "start_period", "start_interval")
# Unquoted characters at which go-shellwords stops reading a command string.
_OPERATORS = frozenset(";&|<>")


class CommandError(ValueError):
    """Raised for a command string compose cannot split, such as an unclosed quote."""


def split_command(text: str) -> list[str]:
    """Split a string command into argv as compose does (go-shellwords, no shell is run).

    Whitespace separates words, quotes group them, a backslash escapes the next
    character, and an unquoted ``;``, ``&``, ``|``, ``<`` or ``>`` ends the command:
    compose drops the rest.
    """
    words: list[str] = []
    current: list[str] = []
    in_word = False
    quote: str | None = None
    escaped = False
    for char in text:
        if escaped:
            current.append(char)
            in_word, escaped = True, False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote is not None:
            if char == quote:
                quote = None
            else:
                current.append(char)
        elif char in ("'", '"'):
            quote, in_word = char, True
        elif char.isspace():
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        elif char in _OPERATORS:
            break
        else:
            current.append(char)
            in_word = True
    if quote is not None or escaped:
        raise CommandError(f"invalid command {text!r}: unclosed quote or trailing backslash")
    if in_word:
        words.append("".join(current))
    return words


def process(value: Any) -> dict[str, Any] | None:
    """Normalize ``command`` or ``entrypoint``: a string is split into argv, a list is the argv."""
    if value is None:
        return None
    if isinstance(value, str):
        return {"form": "exec", "argv": split_command(value), "script": None}
    if isinstance(value, list):
        return {"form": "exec", "argv": [_text(item) for item in value], "script": None}
    raise CommandError(f"invalid command {value!r}: expected a string or a list")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def user(value: Any) -> dict[str, Any]:
    """Normalize ``user``: ``name``, ``uid``, ``name:group`` or ``uid:gid``; root is ``root`` or ``0``."""
    if value is None or value == "":
        return {"raw": None, "user": None, "group": None, "uid": None, "gid": None, "is_root": None, "source": "unset"}
    raw = str(value)
    if is_unknown(value):
        return {"raw": getattr(value, "raw", raw), "user": None, "group": None, "uid": None, "gid": None,
                "is_root": None, "source": "compose", "unknown": True}  # fmt: skip
    name, _, group = raw.partition(":")
    uid = None
    if name.isdigit():
        uid = int(name)
    elif name == "root":
        uid = 0
    return {
        "raw": raw,
        "user": name,
        "group": group or None,
        "uid": uid,
        "gid": int(group) if group.isdigit() else None,
        # A numeric user is read as a number, so 00 is uid 0 as well.
        "is_root": name == "root" or uid == 0,
        "source": "compose",
    }


class HealthcheckError(ValueError):
    """Raised for a healthcheck that docker compose would reject."""


def healthcheck(value: Any, problems: list[tuple[str, str]] | None = None) -> tuple[dict[str, Any], str | None]:
    """Normalize ``healthcheck``; return it and the key that decides its state (``disable`` or ``test``).

    No ``healthcheck`` key, or one without ``test``, leaves the image's own
    health check in place, which the compose file does not show: the state is
    ``absent``. An invalid duration or retry count is added to ``problems`` as
    (message, key) and left out, so the test it belongs to still counts; a
    healthcheck whose shape is wrong raises :class:`HealthcheckError`.
    """
    if problems is None:
        problems = []
    if not isinstance(value, dict):
        if value is not None:
            raise HealthcheckError("healthcheck must be a mapping")
        return {"state": "absent", "source": None}, None
    result: dict[str, Any] = {"state": "absent", "source": "compose"}
    for key in _HEALTHCHECK_DURATIONS:
        if value.get(key) is not None:
            seconds = parse_duration(str(value[key]))
            if seconds is None and not is_unknown(value[key]):
                problems.append((f"invalid duration {value[key]!r} (use 30s, 1m30s, 500ms)", key))
                continue
            result[key] = seconds
    retries = value.get("retries")
    if retries is not None and not is_unknown(retries):
        if isinstance(retries, bool) or not str(retries).lstrip("-").isdigit():
            problems.append((f"{retries!r} is not a whole number", "retries"))
        else:
            result["retries"] = int(retries)
    disable = value.get("disable")
    if disable is True or (isinstance(disable, str) and disable.lower() == "true"):
        result["state"] = "disabled"
        return result, "disable"
    test = value.get("test")
    if test is None:
        return result, None
    if isinstance(test, str):
        test = ["CMD-SHELL", test]
    if not isinstance(test, list) or not test:
        raise HealthcheckError("healthcheck.test must be a string or a list such as [CMD, /probe]")
    test = [_text(item) for item in test]
    kind = test[0]
    if kind == "NONE":
        result.update(state="disabled", test=test)
    elif kind == "CMD":
        result.update(state="configured", test=test, form="exec", commands=commands_of(test[1:]))
    elif kind == "CMD-SHELL":
        script = " ".join(test[1:])
        commands, _ = shell.parse_script(script)
        result.update(state="configured", test=["CMD-SHELL", script], form="shell", commands=commands)
    else:
        raise HealthcheckError(f"healthcheck.test must start with NONE, CMD or CMD-SHELL, not {kind!r}")
    return result, "test"
