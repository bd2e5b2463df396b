"""Load JSON into plain data with the source position of every object member and array item.

The standard library's ``json.loads`` keeps no positions, so this module walks
the text itself and uses the library's own scanning pieces for the tokens:
``json.decoder.scanstring`` (the C string scanner when available) for strings
and ``json.scanner.NUMBER_RE`` for numbers. The grammar is RFC 8259: no
comments, no trailing commas, no ``NaN`` or ``Infinity``. A repeated key keeps
the last value, as Go's ``encoding/json`` (used by Docker) and Python's
``json`` do.

An object member is located at its key and an array item at its first
character, so a finding about ``Config.User`` points at the ``"User"`` line.
"""

from __future__ import annotations

import bisect
import json.decoder
import json.scanner
from dataclasses import dataclass, field
from typing import Any

from ..document import Location, Path

# Configs nest about six levels deep; the limit keeps hostile input from exhausting the stack.
MAX_DEPTH = 128

_WHITESPACE = json.decoder.WHITESPACE
_NUMBER = json.scanner.NUMBER_RE
_CONSTANTS = {"true": True, "false": False, "null": None}
# The messages of json.decoder.scanstring, reworded as sentences about the input.
_STRING_ERRORS = {
    "Unterminated string starting at": "a string is not closed; add the missing double quote",
    "Invalid control character at": "a control character (such as a line break) inside a string; escape it as \\n",
    "Invalid \\escape": "an invalid escape in a string; write a backslash as \\\\",
    "Invalid \\uXXXX escape": "an invalid \\uXXXX escape in a string",
}


class JSONError(ValueError):
    """Raised for text that is not valid JSON; carries the 1-based line and column."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{message} (line {line}, column {column})")
        self.message = message
        self.line = line
        self.column = column


@dataclass(slots=True)
class JSONData:
    """Loaded JSON and the position of each path inside it."""

    data: Any
    locations: dict[Path, Location] = field(default_factory=dict)


def load_json(text: str) -> JSONData:
    """Parse ``text`` as one JSON value; raise :class:`JSONError` naming the line and column of a mistake."""
    if text.startswith("\ufeff"):
        # Go's decoder rejects a byte order mark, but editors on Windows add one; columns count from after it.
        text = text[1:]
    parser = _Parser(text)
    position = parser.skip(0)
    if position >= len(text):
        raise parser.error("the file is empty; expected a JSON value", position)
    value, position = parser.value(position, (), 0)
    position = parser.skip(position)
    if position < len(text):
        raise parser.error("unexpected text after the JSON value", position)
    return JSONData(value, parser.locations)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.locations: dict[Path, Location] = {}
        self.line_starts = [0]
        start = text.find("\n")
        while start >= 0:
            self.line_starts.append(start + 1)
            start = text.find("\n", start + 1)

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.line_starts, offset)

    def location(self, start: int, end: int) -> Location:
        line = self.line_of(start)
        return Location(line, self.line_of(max(start, end - 1)), start - self.line_starts[line - 1] + 1)

    def error(self, message: str, offset: int) -> JSONError:
        line = self.line_of(offset)
        return JSONError(message, line, offset - self.line_starts[line - 1] + 1)

    def skip(self, position: int) -> int:
        return _WHITESPACE.match(self.text, position).end()

    def value(self, position: int, path: Path, depth: int) -> tuple[Any, int]:
        text = self.text
        if position >= len(text):
            raise self.error("the JSON ends too early; expected a value", position)
        char = text[position]
        if char == "{":
            return self.object(position, path, depth + 1)
        if char == "[":
            return self.array(position, path, depth + 1)
        if char == '"':
            return self.string(position)
        number = _NUMBER.match(text, position)
        if number is not None:
            integer, fraction, exponent = number.groups()
            if fraction or exponent:
                return float(integer + (fraction or "") + (exponent or "")), number.end()
            if len(integer) > 100:
                # Python refuses to convert thousands of digits, and no field of an image config has such a number.
                raise self.error(f"a number of {len(integer):,} digits is too long for any image config field", position)
            return int(integer), number.end()
        for word, constant in _CONSTANTS.items():
            if text.startswith(word, position):
                return constant, position + len(word)
        raise self.error(f"unexpected character {char!r}; expected a JSON value", position)

    def string(self, position: int) -> tuple[str, int]:
        try:
            return json.decoder.scanstring(self.text, position + 1, True)
        except json.JSONDecodeError as error:
            raise self.error(_STRING_ERRORS.get(error.msg, error.msg), error.pos) from None

    def object(self, start: int, path: Path, depth: int) -> tuple[dict[str, Any], int]:
        if depth > MAX_DEPTH:
            raise self.error(f"the JSON nests deeper than {MAX_DEPTH} levels", start)
        text = self.text
        result: dict[str, Any] = {}
        position = self.skip(start + 1)
        if text.startswith("}", position):
            return result, position + 1
        while True:
            if not text.startswith('"', position):
                raise self.error("expected a key in double quotes", position)
            key_start = position
            key, position = self.string(position)
            position = self.skip(position)
            if not text.startswith(":", position):
                raise self.error(f"expected ':' after the key {key!r}", position)
            position = self.skip(position + 1)
            member = (*path, key)
            result[key], position = self.value(position, member, depth)
            self.locations[member] = self.location(key_start, position)
            position = self.skip(position)
            if text.startswith(",", position):
                position = self.skip(position + 1)
                continue
            if text.startswith("}", position):
                return result, position + 1
            raise self.error("expected ',' or '}' after an object member", position)

    def array(self, start: int, path: Path, depth: int) -> tuple[list[Any], int]:
        if depth > MAX_DEPTH:
            raise self.error(f"the JSON nests deeper than {MAX_DEPTH} levels", start)
        text = self.text
        result: list[Any] = []
        position = self.skip(start + 1)
        if text.startswith("]", position):
            return result, position + 1
        while True:
            item = (*path, len(result))
            item_start = position
            value, position = self.value(position, item, depth)
            result.append(value)
            self.locations[item] = self.location(item_start, position)
            position = self.skip(position)
            if text.startswith(",", position):
                position = self.skip(position + 1)
                continue
            if text.startswith("]", position):
                return result, position + 1
            raise self.error("expected ',' or ']' after an array item", position)
