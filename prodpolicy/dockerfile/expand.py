"""Variable substitution and quote removal as Docker applies them to instruction arguments.

Docker expands ``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``,
``${VAR:+alt}``, ``${VAR+alt}``, ``${VAR:?message}`` and ``${VAR?message}``.
It also removes patterns with ``${VAR#p}``, ``${VAR##p}``, ``${VAR%p}`` and
``${VAR%%p}`` and replaces them with ``${VAR/p/text}`` and ``${VAR//p/text}``
(see ``patterns.py``). Expansion applies to the arguments of FROM, ENV, ARG,
LABEL, USER, WORKDIR, EXPOSE, VOLUME, STOPSIGNAL, COPY and ADD. Single quotes keep text literal, double quotes allow
substitution, and the escape character (backslash, or backtick after
``# escape=```) makes the next character literal.

A value that depends on a build argument declared without a default cannot be
known from the Dockerfile alone: it is marked ``unknown`` instead of being
treated as empty. Substitutions with a fallback (``${VAR:-x}``) take the value
a build without ``--build-arg`` would use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .patterns import pattern_regex, trim_prefix, trim_suffix

# ARGs that BuildKit defines in the global scope without a declaration.
PREDEFINED_ARGS = frozenset(
    {
        "BUILDPLATFORM",
        "BUILDOS",
        "BUILDARCH",
        "BUILDVARIANT",
        "TARGETPLATFORM",
        "TARGETOS",
        "TARGETARCH",
        "TARGETVARIANT",
        "TARGETSTAGE",
        "BUILDKIT_SBOM_SCAN_CONTEXT",
        "BUILDKIT_SBOM_SCAN_STAGE",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "FTP_PROXY",
        "NO_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "ftp_proxy",
        "no_proxy",
        "all_proxy",
    }
)

_SPECIAL_PARAMETERS = frozenset("@*#?-$!0")


# The deepest nesting of ${...} inside the word of another that is expanded. It is far above the two or three
# levels of a typical file, and it keeps a hostile file from exhausting Python's recursion limit.
MAX_NESTING = 64


class SubstitutionError(ValueError):
    """Raised for text Docker itself rejects, such as ``${}`` or an unclosed quote."""


@dataclass(frozen=True, slots=True)
class Expanded:
    """The result of expanding one word or value."""

    value: str
    # True when a build argument without a default decides part of the value.
    unknown: bool = False
    # The variable names the text referred to, in order of first use.
    references: tuple[str, ...] = ()


# A variable's value, or None for a build argument declared without a default.
Environment = Mapping[str, str | None]


class _Scanner:
    """Reads one text with the state of a single expansion."""

    def __init__(self, text: str, environment: Environment, escape: str) -> None:
        self.text = text
        self.position = 0
        self.environment = environment
        self.escape = escape
        self.unknown = False
        self.references: list[str] = []
        # How many ${...} substitutions the one being read is inside.
        self.depth = 0

    def peek(self) -> str:
        return self.text[self.position] if self.position < len(self.text) else ""

    def next(self) -> str:
        char = self.peek()
        self.position += 1
        return char

    def lookup(self, name: str) -> tuple[bool, str]:
        """Return whether the variable is set, and the value a build without --build-arg uses."""
        self.references.append(name)
        if name not in self.environment:
            return False, ""
        value = self.environment[name]
        if value is None:
            return False, ""
        return True, value

    def is_unknown(self, name: str) -> bool:
        return name in self.environment and self.environment[name] is None

    def read_name(self) -> str:
        start = self.position
        char = self.peek()
        if char.isdigit():
            while self.peek().isdigit():
                self.position += 1
            return self.text[start : self.position]
        if char and char in _SPECIAL_PARAMETERS:
            self.position += 1
            return char
        while True:
            char = self.peek()
            if not char or not (char.isalnum() or char == "_"):
                break
            self.position += 1
        return self.text[start : self.position]

    def dollar(self) -> tuple[str, bool]:
        """Expand the substitution starting at ``$``; return the text and whether it came from a variable."""
        self.next()
        if self.peek() != "{":
            name = self.read_name()
            if not name:
                return "$", False
            return self._plain(name), True
        self.next()
        if self.depth >= MAX_NESTING:
            raise SubstitutionError(f"substitutions are nested more than {MAX_NESTING} levels deep, as in ${{A:-${{B:-...}}}}")
        self.depth += 1
        try:
            return self._braced()
        finally:
            self.depth -= 1

    def _braced(self) -> tuple[str, bool]:
        """Expand a ``${...}`` substitution from after its brace; return the text and whether it came from a variable."""
        if self.peek() in ("", "{", "}", ":"):
            raise SubstitutionError("bad substitution: ${ must be followed by a variable name")
        name = self.read_name()
        char = self.next()
        if char == "}":
            return self._plain(name), True
        if char == "":
            raise SubstitutionError(f"missing '}}' after ${{{name}")
        if char == "/":
            return self._replace(name), True
        colon = char == ":"
        modifier = self.next() if colon else char
        if modifier not in ("-", "+", "?", "#", "%") or (colon and modifier in ("#", "%")):
            raise SubstitutionError(f"unsupported modifier {char if not colon else ':' + modifier!r} in ${{{name}...}}")
        if modifier in ("#", "%"):
            return self._trim(name, modifier), True
        word = self.until("}")
        is_set, value = self.lookup(name)
        unknown = self.is_unknown(name)
        present = bool(value) if colon else is_set
        if modifier == "-":
            return (value if present else word), True
        if modifier == "+":
            if unknown:
                return "", True
            return (word if present else ""), True
        if unknown:
            self.unknown = True
            return "", True
        if not present:
            default = "is not allowed to be empty" if is_set else "is not allowed to be unset"
            raise SubstitutionError(f"{name}: {word or default}")
        return value, True

    def _trim(self, name: str, modifier: str) -> str:
        """Expand ``${name#pattern}``, ``${name##pattern}``, ``${name%pattern}`` or ``${name%%pattern}``."""
        pattern = self.until("}", raw_escapes=True)
        greedy = pattern.startswith(modifier)
        if greedy:
            pattern = pattern[1:]
        _, value = self.lookup(name)
        if self.is_unknown(name):
            self.unknown = True
            return ""
        try:
            if modifier == "#":
                return trim_prefix(value, pattern, greedy)
            return trim_suffix(value, pattern, greedy)
        except ValueError as error:
            raise SubstitutionError(str(error)) from None

    def _replace(self, name: str) -> str:
        """Expand ``${name/pattern/replacement}`` and ``${name//pattern/replacement}``."""
        replace_all = self.peek() == "/"
        if replace_all:
            self.next()
        pattern = self.until("/", raw_escapes=True)
        replacement = self.until("}", raw_escapes=True)
        _, value = self.lookup(name)
        if self.is_unknown(name):
            self.unknown = True
            return ""
        try:
            regex = pattern_regex(pattern, greedy=True, anchored=False)
        except ValueError as error:
            raise SubstitutionError(str(error)) from None
        return regex.sub(lambda _: replacement, value, count=0 if replace_all else 1)

    def _plain(self, name: str) -> str:
        _, value = self.lookup(name)
        if self.is_unknown(name):
            self.unknown = True
        return value

    def until(self, stop: str, raw_escapes: bool = False) -> str:
        """Read and expand the word of a modifier up to ``stop``, which is consumed.

        With ``raw_escapes`` the escape character stays in the text, because a
        pattern gives backslashes their own meaning.
        """
        parts: list[str] = []
        while True:
            char = self.peek()
            if char == "":
                raise SubstitutionError(f"missing '{stop}' in a ${{...}} substitution")
            if char == stop:
                self.next()
                return "".join(parts)
            if raw_escapes and char == self.escape:
                self.next()
                parts.append(char + self.next())
                continue
            parts.append(self.read_one())

    def read_one(self) -> str:
        char = self.peek()
        if char == "$":
            return self.dollar()[0]
        if char == "'":
            return self.single_quote()
        if char == '"':
            return self.double_quote()
        self.next()
        if char == self.escape:
            following = self.next()
            return following
        return char

    def single_quote(self) -> str:
        self.next()
        end = self.text.find("'", self.position)
        if end < 0:
            raise SubstitutionError("unexpected end of text while looking for the matching single quote")
        value = self.text[self.position : end]
        self.position = end + 1
        return value

    def double_quote(self) -> str:
        self.next()
        parts: list[str] = []
        while True:
            char = self.peek()
            if char == "":
                raise SubstitutionError("unexpected end of text while looking for the matching double quote")
            if char == '"':
                self.next()
                return "".join(parts)
            if char == "$":
                parts.append(self.dollar()[0])
                continue
            self.next()
            if char == self.escape and self.peek() in ('"', "$", self.escape):
                char = self.next()
            parts.append(char)


def expand(text: str, environment: Environment, escape: str = "\\") -> Expanded:
    """Expand variables and remove quotes from one value, keeping its whitespace."""
    if "$" not in text and "'" not in text and '"' not in text and escape not in text:
        return Expanded(text)
    scanner = _Scanner(text, environment, escape)
    parts: list[str] = []
    while scanner.position < len(text):
        parts.append(scanner.read_one())
    return Expanded("".join(parts), scanner.unknown, tuple(dict.fromkeys(scanner.references)))


def split_words(text: str, environment: Environment, escape: str = "\\") -> list[Expanded]:
    """Expand a value and split it into words at unquoted whitespace.

    Whitespace produced by an unquoted variable also splits, as in Docker. An
    unquoted variable that expands to nothing produces no word, unless its value
    is unknown.
    """
    scanner = _Scanner(text, environment, escape)
    words: list[Expanded] = []
    current: list[str] = []
    started = False
    first_reference = 0

    def finish() -> None:
        nonlocal current, started, first_reference
        if started:
            references = tuple(dict.fromkeys(scanner.references[first_reference:]))
            words.append(Expanded("".join(current), scanner.unknown, references))
        current = []
        started = False
        scanner.unknown = False
        first_reference = len(scanner.references)

    while scanner.position < len(text):
        char = scanner.peek()
        if char in " \t\n\r\f\v":
            scanner.next()
            finish()
            continue
        if char != "$":
            current.append(scanner.read_one())
            started = True
            continue
        value, from_variable = scanner.dollar()
        if not from_variable:
            current.append(value)
            started = True
            continue
        if not value and scanner.unknown:
            started = True
        if value[:1].isspace():
            finish()
        for number, piece in enumerate(value.split()):
            if number:
                finish()
            current.append(piece)
            started = True
        if value[-1:].isspace():
            finish()
    finish()
    return words
