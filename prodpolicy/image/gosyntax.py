"""Read the Go-formatted values that builders write into an image's history.

BuildKit and the legacy builder format instruction arguments with Go's fmt
package, not as Dockerfile text. A string slice printed with ``%q`` is quoted
and space-separated: ``CMD ["node" "server.js"]``. With ``%v`` it is unquoted:
``VOLUME [/data]``. EXPOSE prints a map: ``EXPOSE map[8080/tcp:{}]``. HEALTHCHECK
prints its struct with ``%q``, so the retry count is a character literal:
``HEALTHCHECK &{["CMD-SHELL" "curl ..."] "30s" "3s" "0s" "0s" '\\x03'}``.
"""

from __future__ import annotations

import re

_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_CHARACTER = re.compile(r"'(?:[^'\\]|\\.[^']*)'")
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_MAP_KEY = re.compile(r"(\S+?):\{\}")


def unquote(token: str) -> str:
    """Decode a Go double-quoted or single-quoted literal (quotes included)."""

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "xuU":
            return chr(int(code[1:], 16))
        if code.isdigit():
            return chr(int(code, 8))
        return _SIMPLE_ESCAPES.get(code, code)

    return _ESCAPE.sub(replace, token[1:-1])


def quoted_list(text: str) -> tuple[list[str], int] | None:
    """Read ``["a" "b"]`` (or JSON's ``["a", "b"]``) at the start of ``text``; return the items and the end offset."""
    if not text.startswith("["):
        return None
    items: list[str] = []
    position = 1
    while True:
        while position < len(text) and text[position] in " ,":
            position += 1
        if text.startswith("]", position):
            return items, position + 1
        match = _QUOTED.match(text, position)
        if match is None:
            return None
        items.append(unquote(match.group(0)))
        position = match.end()


def plain_list(text: str) -> list[str] | None:
    """Read ``[/bin/bash -o pipefail -c]``, a slice printed with ``%v``; items cannot hold spaces."""
    stripped = text.strip()
    if not (stripped.startswith("[") and stripped.endswith("]")):
        return None
    return stripped[1:-1].split()


def map_keys(text: str) -> list[str] | None:
    """Read the keys of ``map[8080/tcp:{} 53/udp:{}]``, the form of EXPOSE in history."""
    stripped = text.strip()
    if not (stripped.startswith("map[") and stripped.endswith("]")):
        return None
    return _MAP_KEY.findall(stripped[4:-1])


def healthcheck(text: str) -> dict[str, object] | None:
    """Read ``&{[test...] "interval" "timeout" "start period" ["start interval"] 'retries'}``.

    Returns the test, the durations as Go duration text (``30s``, ``1m30s``) and
    the retry count, or None when the text has another shape.
    """
    if not text.startswith("&{"):
        return None
    parsed = quoted_list(text[2:])
    if parsed is None:
        return None
    test, end = parsed
    rest = text[2 + end :].strip()
    durations: list[str] = []
    while True:
        match = _QUOTED.match(rest)
        if match is None:
            break
        durations.append(unquote(match.group(0)))
        rest = rest[match.end() :].strip()
    retries: int | None = None
    character = _CHARACTER.match(rest)
    if character is not None:
        value = unquote(character.group(0))
        retries = ord(value) if len(value) == 1 else None
        rest = rest[character.end() :].strip()
    elif rest[:1].isdigit():
        digits = re.match(r"\d+", rest)
        retries = int(digits.group(0)) if digits else None
        rest = rest[digits.end() if digits else 0 :].strip()
    if rest != "}" or len(durations) > 4:
        return None
    names = ("interval", "timeout", "start_period", "start_interval")
    return {"test": test, **dict(zip(names, durations)), "retries": retries}
