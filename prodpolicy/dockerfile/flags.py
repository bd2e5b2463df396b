"""Instruction flags (``--name=value``) and the checks Docker applies to them.

Each keyword accepts a fixed set of flags, each a boolean (``--link``,
``--link=false``), a string that may be given once (``--platform=linux/amd64``)
or a string that may repeat (``--mount``, ``--exclude``). As in BuildKit, an
unknown flag, a repeated single flag, a missing value or a boolean that is not
``true`` or ``false`` is an error. ARG and STOPSIGNAL ignore flags, and so does
``HEALTHCHECK NONE``, because Docker never reads them there.
"""

from __future__ import annotations

from typing import Any, Literal

FlagType = Literal["bool", "string", "strings"]

_HEALTHCHECK: dict[str, FlagType] = {
    "interval": "string",
    "timeout": "string",
    "start-period": "string",
    "start-interval": "string",
    "retries": "string",
}

FLAG_TYPES: dict[str, dict[str, FlagType]] = {
    "FROM": {"platform": "string"},
    "RUN": {"mount": "strings", "network": "string", "security": "string", "device": "strings"},
    "COPY": {
        "from": "string",
        "chown": "string",
        "chmod": "string",
        "link": "bool",
        "parents": "bool",
        "exclude": "strings",
    },
    "ADD": {
        "chown": "string",
        "chmod": "string",
        "link": "bool",
        "keep-git-dir": "bool",
        "checksum": "string",
        "unpack": "bool",
        "exclude": "strings",
    },
    "HEALTHCHECK": _HEALTHCHECK,
}
# Keywords whose flags Docker never parses, so any flag passes silently.
IGNORES_FLAGS = frozenset({"ARG", "STOPSIGNAL"})


def parse_flags(flags: list[str]) -> list[dict[str, Any]]:
    """Split ``--name=value`` flag words into name and value (None when there is no ``=``)."""
    parsed = []
    for flag in flags:
        name, equals, value = flag[2:].partition("=")
        parsed.append({"name": name, "value": value if equals else None})
    return parsed


def check_flags(keyword: str, flags: list[dict[str, Any]]) -> str | None:
    """Return why Docker rejects these flags on ``keyword``, or None when it accepts them."""
    if keyword in IGNORES_FLAGS:
        return None
    allowed = FLAG_TYPES.get(keyword, {})
    seen: set[str] = set()
    for flag in flags:
        name, value = flag["name"], flag["value"]
        kind = allowed.get(name)
        if kind is None:
            return _unknown_flag(keyword, name, allowed)
        if name in seen and kind != "strings":
            return f"the flag --{name} is given more than once; keep one"
        seen.add(name)
        if kind == "bool":
            if value is not None and value.lower() not in ("true", "false"):
                return f"--{name} takes true or false, not {value!r}"
        elif value is None:
            return f"the flag --{name} needs a value: write --{name}=VALUE"
    return None


def _unknown_flag(keyword: str, name: str, allowed: dict[str, FlagType]) -> str:
    if not allowed:
        return f"{keyword} takes no flags, but --{name} is given"
    names = ", ".join(f"--{known}" for known in allowed)
    return f"unknown flag --{name} for {keyword}; {keyword} takes {names}"


def flag_value(flags: list[dict[str, Any]], name: str) -> str | None:
    """Return the value of the last ``--name`` flag; an empty string for a bare ``--name``."""
    value = None
    for flag in flags:
        if flag["name"] == name:
            value = flag["value"] if flag["value"] is not None else ""
    return value


def flag_values(flags: list[dict[str, Any]], name: str) -> list[str]:
    """Return the values of every ``--name`` flag, in order."""
    return [flag["value"] or "" for flag in flags if flag["name"] == name]


def flag_is_true(flags: list[dict[str, Any]], name: str) -> bool | None:
    """Read a boolean flag: True or False when given, None when absent."""
    value = flag_value(flags, name)
    if value is None:
        return None
    return value.lower() != "false"
