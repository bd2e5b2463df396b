"""Read env files (``.env``, ``--env-file``, a service's ``env_file``) as compose does.

Each line is ``NAME=value``, optionally after ``export``; ``NAME: value`` is
accepted too. A line with a name alone takes the value from the environment
(for ``env_file``: the variable passes through when set). Values in single
quotes are literal. Values in double quotes may span lines, understand
``\\n``, ``\\t``, ``\\"`` and ``\\\\``, and are interpolated. Unquoted values end at
`` #`` and are interpolated too. Interpolation sees the variables defined earlier
in the same file, then the ones ``lookup`` gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .interpolate import InterpolationError, Lookup, interpolate_text

_NAME = re.compile(r"[A-Za-z0-9_.\-\[\]]+")
_DOUBLE_QUOTED_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"', "$": "$$"}


class EnvFileError(ValueError):
    """Raised for an env file line that compose cannot read; carries the 1-based line."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class EnvEntry:
    """One variable of an env file."""

    name: str
    value: str | None
    raw: str
    line: int
    unknown: bool = False


def parse_env_file(text: str, lookup: Lookup) -> list[EnvEntry]:
    """Parse env file text into entries in file order; raise :class:`EnvFileError` on bad syntax."""
    entries: list[EnvEntry] = []
    defined: dict[str, str] = {}

    def scoped(name: str) -> tuple[str, bool]:
        if name in defined:
            return defined[name], True
        return lookup(name)

    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    index = 0
    while index < len(lines):
        number = index + 1
        line = lines[index].strip()
        index += 1
        if not line or line.startswith("#"):
            continue
        if line.startswith("export ") or line.startswith("export\t"):
            line = line[7:].lstrip()
        name, separator, rest = _split_assignment(line, number)
        if not separator:
            value, found = lookup(name)
            entries.append(EnvEntry(name, value if found else None, name, number, unknown=not found))
            continue
        rest = rest.lstrip()
        if rest[:1] in ("'", '"'):
            raw, index = _quoted(rest, lines, index, number)
        else:
            raw = _unquoted(rest)
        value, unknown = _value(raw, scoped, number)
        defined[name] = value
        entries.append(EnvEntry(name, value, raw, number, unknown))
    return entries


def _split_assignment(line: str, number: int) -> tuple[str, str, str]:
    match = _NAME.match(line)
    if match is None:
        raise EnvFileError(f"invalid variable name in {line[:40]!r}", number)
    name = match.group(0)
    rest = line[match.end() :].lstrip()
    if not rest:
        return name, "", ""
    if rest[0] not in "=:":
        raise EnvFileError(f"unexpected character {rest[0]!r} after the variable name {name!r}", number)
    return name, rest[0], rest[1:]


def _quoted(rest: str, lines: list[str], index: int, number: int) -> tuple[str, int]:
    """Read a quoted value that may continue on the following lines; return it with its quotes."""
    quote = rest[0]
    text = rest
    while True:
        end = _closing_quote(text, quote)
        if end >= 0:
            return text[: end + 1], index
        if index >= len(lines):
            raise EnvFileError(f"unterminated quoted value (missing {quote})", number)
        text += "\n" + lines[index]
        index += 1


def _closing_quote(text: str, quote: str) -> int:
    position = 1
    while position < len(text):
        char = text[position]
        if char == "\\" and quote == '"':
            position += 2
            continue
        if char == quote:
            return position
        position += 1
    return -1


def _unquoted(rest: str) -> str:
    comment = re.search(r"\s#", rest)
    if comment is not None:
        rest = rest[: comment.start()]
    return rest.strip()


def _value(raw: str, lookup: Lookup, number: int) -> tuple[str, bool]:
    if raw.startswith("'"):
        return raw[1:-1], False
    text = raw
    if raw.startswith('"'):
        text = re.sub(r"\\(.)", lambda match: _DOUBLE_QUOTED_ESCAPES.get(match.group(1), "\\" + match.group(1)), raw[1:-1])
    try:
        value, result = interpolate_text(text, lookup)
    except InterpolationError as error:
        raise EnvFileError(str(error), number) from None
    return value, result.unknown
