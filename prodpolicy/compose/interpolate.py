"""Variable interpolation as docker compose does it, with unknown values marked.

Supported forms: ``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``,
``${VAR:?error}``, ``${VAR?error}``, ``${VAR:+alternative}``, ``${VAR+alternative}``
and ``$$`` for a literal dollar. Defaults and alternatives are interpolated in
turn, so ``${OUTER:-${INNER:-fallback}}`` works. The colon forms treat an empty
variable like an unset one.

Compose replaces an unset variable that has no default with an empty string.
A linter cannot know what the deployment environment will set, so such a
value is marked unknown instead, and rules leave it alone. A missing required
variable (``${VAR:?message}``) stops compose; here it is reported as a
non-fatal problem and the value is unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .tree import Mapping, Origin, Sequence

# Returns (value, True) for a set variable and ("", False) for an unset one.
Lookup = Callable[[str], tuple[str, bool]]

_NAME_START = frozenset("_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NAME_CHARS = _NAME_START | frozenset("0123456789")


class Interpolated(str):
    """A string that held ``$`` references: the value, plus how it was written and what it used."""

    __slots__ = ("raw", "references", "unknown")

    raw: str
    references: tuple[str, ...]
    unknown: bool


class InterpolationError(ValueError):
    """Raised for text that compose cannot interpolate: ``${`` without a closing brace, or a bad name."""


# The deepest nesting of ${...} inside the default or message of another. It is far above the two or three
# levels of a typical file, and it keeps a hostile file from exhausting Python's recursion limit.
MAX_NESTING = 64


@dataclass
class _Result:
    references: list[str] = field(default_factory=list)
    unknown: bool = False
    missing: list[str] = field(default_factory=list)
    # How many ${...} the text being read is inside.
    depth: int = 0


def interpolate_text(text: str, lookup: Lookup) -> tuple[str, _Result]:
    """Interpolate one string; return the value and what was referenced, unknown or missing."""
    result = _Result()
    return _substitute(text, lookup, result), result


def _substitute(text: str, lookup: Lookup, result: _Result) -> str:
    output: list[str] = []
    index = 0
    length = len(text)
    while index < length:
        dollar = text.find("$", index)
        if dollar < 0 or dollar == length - 1:
            output.append(text[index:])
            break
        output.append(text[index:dollar])
        following = text[dollar + 1]
        if following == "$":
            output.append("$")
            index = dollar + 2
        elif following in _NAME_START:
            end = dollar + 1
            while end < length and text[end] in _NAME_CHARS:
                end += 1
            output.append(_plain(text[dollar + 1 : end], lookup, result))
            index = end
        elif following == "{":
            close = _closing_brace(text, dollar + 1)
            if close < 0:
                raise InterpolationError(f"invalid interpolation format in {text!r}: ${{ without a closing }}")
            output.append(_braced(text[dollar + 2 : close], lookup, result, text))
            index = close + 1
        else:
            # Compose leaves a $ that starts no reference as it is.
            output.append("$")
            index = dollar + 1
    return "".join(output)


def _closing_brace(text: str, opening: int) -> int:
    """Return the index of the brace that closes the one at ``opening``, counting nested braces."""
    depth = 0
    index = opening
    while index < len(text):
        char = text[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _plain(name: str, lookup: Lookup, result: _Result) -> str:
    result.references.append(name)
    value, found = lookup(name)
    if not found:
        result.unknown = True
    return value


def _braced(body: str, lookup: Lookup, result: _Result, text: str) -> str:
    if result.depth >= MAX_NESTING:
        raise InterpolationError(f"variables are nested more than {MAX_NESTING} levels deep, as in ${{A:-${{B:-...}}}}")
    result.depth += 1
    try:
        return _braced_value(body, lookup, result, text)
    finally:
        result.depth -= 1


def _braced_value(body: str, lookup: Lookup, result: _Result, text: str) -> str:
    end = 0
    while end < len(body) and body[end] in _NAME_CHARS:
        end += 1
    name = body[:end]
    if not name or name[0] not in _NAME_START:
        raise InterpolationError(f"invalid interpolation format in {text!r}: {body!r} is not a variable name")
    if end == len(body):
        return _plain(name, lookup, result)
    colon = body[end] == ":"
    operator_at = end + 1 if colon else end
    operator = body[operator_at : operator_at + 1]
    if operator not in ("-", "?", "+"):
        raise InterpolationError(f"invalid interpolation format in {text!r}: unknown modifier in ${{{body}}}")
    argument = body[operator_at + 1 :]
    result.references.append(name)
    value, found = lookup(name)
    # The colon forms treat an empty value like an unset one.
    present = found and (value != "" or not colon)
    if operator == "-":
        return value if present else _substitute(argument, lookup, result)
    if operator == "+":
        return _substitute(argument, lookup, result) if present else ""
    if not present:
        message = _substitute(argument, lookup, _Result(depth=result.depth)) or "required variable is not set"
        result.missing.append(f"required variable {name} is missing a value: {message}")
        result.unknown = True
        return ""
    return value


@dataclass
class Problem:
    """An interpolation problem found at one place of the compose data."""

    message: str
    origin: Origin | None


def interpolate_tree(value: Any, lookup: Lookup, problems: list[Problem], origin: Origin | None = None) -> Any:
    """Interpolate every string value of a compose tree in place; keys are left as written."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            value[key] = interpolate_tree(item, lookup, problems, value.origins.get(key, origin))
        return value
    if isinstance(value, Sequence):
        for index, item in enumerate(value):
            item_origin = value.origins[index] if index < len(value.origins) and value.origins[index] else origin
            value[index] = interpolate_tree(item, lookup, problems, item_origin)
        return value
    if isinstance(value, str) and "$" in value:
        return interpolate_value(value, lookup, problems, origin)
    return value


def interpolate_value(text: str, lookup: Lookup, problems: list[Problem], origin: Origin | None) -> str:
    """Interpolate one string value; problems are recorded, never raised."""
    try:
        substituted, result = interpolate_text(text, lookup)
    except InterpolationError as error:
        problems.append(Problem(str(error), origin))
        return _interpolated(text, text, (), True)
    # The first part is docker compose's own message; the rest names where prodpolicy takes values from.
    hint = "; give it a value with --env NAME=VALUE, --env-file or the .env file beside the compose file"
    problems.extend(Problem(message + hint, origin) for message in result.missing)
    if not result.references and substituted == text:
        return text
    return _interpolated(substituted, text, tuple(dict.fromkeys(result.references)), result.unknown)


def _interpolated(value: str, raw: str, references: tuple[str, ...], unknown: bool) -> Interpolated:
    interpolated = Interpolated(value)
    interpolated.raw = raw
    interpolated.references = references
    interpolated.unknown = unknown
    return interpolated


def is_unknown(value: Any) -> bool:
    """Return True for a value that an unset variable decides."""
    return isinstance(value, Interpolated) and value.unknown


def literal_text(raw: str) -> str:
    """Return the parts of ``raw`` written in the file: literal text, defaults and alternatives.

    ``${DB_PASSWORD:-hunter2}`` gives ``hunter2``; ``${DB_PASSWORD}`` gives an empty string.
    Used to find credentials written into a compose file as defaults.
    """
    output: list[str] = []
    index = 0
    while index < len(raw):
        dollar = raw.find("$", index)
        if dollar < 0 or dollar == len(raw) - 1:
            output.append(raw[index:])
            break
        output.append(raw[index:dollar])
        following = raw[dollar + 1]
        if following == "$":
            output.append("$")
            index = dollar + 2
        elif following in _NAME_START:
            index = dollar + 1
            while index < len(raw) and raw[index] in _NAME_CHARS:
                index += 1
        elif following == "{":
            close = _closing_brace(raw, dollar + 1)
            if close < 0:
                output.append(raw[dollar:])
                break
            body = raw[dollar + 2 : close]
            for operator in (":-", ":+", "-", "+"):
                name, found, argument = body.partition(operator)
                if found and all(char in _NAME_CHARS for char in name):
                    output.append(literal_text(argument))
                    break
            index = close + 1
        else:
            output.append("$")
            index = dollar + 1
    return "".join(output)
