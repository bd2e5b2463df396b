"""A fast reader for the simplest shell scripts, which are most RUN lines.

A script on one line made of words, quotes, ``$VAR`` and ``${VAR}`` expansions
and the operators ``&&``, ``||``, ``;`` and ``|`` is split here without
tree-sitter, which saves most of the parse time of a typical Dockerfile. The
result is the same as the tree-sitter walk in ``shell.py`` gives, which
``tests/test_shell_fast_path.py`` checks on generated scripts. Anything else
(redirections, subshells, command substitution, keywords such as ``if``, a
comment, a second line) returns None, and the caller uses tree-sitter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_NAME = re.compile(r"[A-Za-z0-9_]+")
_COMMAND_NAME = re.compile(r"^[A-Za-z_/.][A-Za-z0-9_./+-]*$")
# Words that make a statement other than a simple command in tree-sitter-bash.
_RESERVED = frozenset(
    {
        "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "in",
        "function", "select", "time", "coproc", "declare", "export", "local", "readonly", "typeset", "unset",
        "!", "{", "}", "[[", "]]",
    }
)
# Characters that need the full parser when they appear outside quotes.
_UNQUOTED_STOP = frozenset("<>(){}[]`!\n\r\v\f#")
_DOUBLE_QUOTE_ESCAPES = frozenset('"\\$`')
# A run of characters that need no attention outside quotes.
_PLAIN = re.compile(r"[^ \t&|;'\"\\$<>(){}\[\]`!\n\r\v\f#]+")
# The same inside double quotes.
_PLAIN_QUOTED = re.compile(r'[^"\\$`\n\r]+')


class _Fallback(Exception):
    """The script uses something this reader does not handle."""


@dataclass(slots=True)
class SimpleCommand:
    """One simple command: its words, leading assignments, operator and character span."""

    argv: list[str]
    assignments: list[dict[str, str]]
    operator: str | None
    start: int
    end: int

    # Written out for the compiled build (see shell._Entry).
    def __init__(self, argv: list[str], assignments: list[dict[str, str]], operator: str | None, start: int, end: int) -> None:
        self.argv = argv
        self.assignments = assignments
        self.operator = operator
        self.start = start
        self.end = end


@dataclass(slots=True)
class _Word:
    text: str
    start: int
    end: int
    # The word as written, to tell an assignment (NAME=...) from a quoted "NAME=...".
    raw: str

    # Written out for the compiled build (see shell._Entry).
    def __init__(self, text: str, start: int, end: int, raw: str) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.raw = raw


def split_simple_script(script: str) -> list[SimpleCommand] | None:
    """Split a simple one-line script into commands, or return None when it needs the full parser."""
    if "$(" in script or "`" in script:
        # Command substitutions need the full parser wherever they are: finding that out at once saves
        # reading a long script up to them.
        return None
    try:
        return _split(script)
    except _Fallback:
        return None


def _split(script: str) -> list[SimpleCommand]:
    commands: list[SimpleCommand] = []
    words: list[_Word] = []
    pending: str | None = None
    seen = False
    position = 0
    length = len(script)
    while True:
        while position < length and script[position] in " \t":
            position += 1
        if position >= length:
            break
        operator, position_after = _operator(script, position)
        if operator is not None:
            if not words:
                raise _Fallback
            seen = _finish(words, commands, pending, seen)
            pending = operator
            words = []
            position = position_after
            continue
        word, position = _read_word(script, position)
        words.append(word)
    if not words:
        # A trailing operator: a syntax error, or a form this reader leaves to the full parser.
        raise _Fallback
    _finish(words, commands, pending, seen)
    return commands


def _operator(script: str, position: int) -> tuple[str | None, int]:
    char = script[position]
    following = script[position + 1 : position + 2]
    if char == "&":
        if following != "&":
            raise _Fallback
        return "&&", position + 2
    if char == "|":
        if following == "|":
            return "||", position + 2
        if following == "&":
            raise _Fallback
        return "|", position + 1
    if char == ";":
        if following == ";":
            raise _Fallback
        return ";", position + 1
    return None, position


def _finish(words: list[_Word], commands: list[SimpleCommand], pending: str | None, seen: bool) -> bool:
    """Turn the words of one command into a SimpleCommand; return whether a command was seen so far."""
    assignments: list[dict[str, str]] = []
    index = 0
    while index < len(words) and _ASSIGNMENT.match(words[index].raw):
        if words[index].raw.startswith("_="):
            # tree-sitter-bash does not take a lone _ for a variable name.
            raise _Fallback
        name, _, _ = words[index].raw.partition("=")
        assignments.append({"name": name, "value": words[index].text[len(name) + 1 :]})
        index += 1
    argv_words = words[index:]
    if not argv_words:
        # Assignments alone are no command in tree-sitter-bash: nothing is listed.
        return seen
    first = argv_words[0].raw
    # tree-sitter-bash misreads some unusual command names (1=, a@, --x=y), so only plain ones stay here.
    if first in _RESERVED or not _COMMAND_NAME.match(first):
        raise _Fallback
    operator = (pending or ";") if seen else None
    commands.append(SimpleCommand([word.text for word in argv_words], assignments, operator, words[0].start, words[-1].end))
    return True


def _read_word(script: str, start: int) -> tuple[_Word, int]:
    parts: list[str] = []
    position = start
    length = len(script)
    if script[position] in "#=":
        raise _Fallback
    while position < length:
        plain = _PLAIN.match(script, position)
        if plain is not None:
            parts.append(plain.group())
            position = plain.end()
            if position >= length:
                break
        char = script[position]
        if char in " \t&|;":
            break
        if char in _UNQUOTED_STOP:
            raise _Fallback
        if char == "'":
            end = script.find("'", position + 1)
            if end < 0:
                raise _Fallback
            parts.append(script[position + 1 : end])
            position = end + 1
        elif char == '"':
            position = _double_quoted(script, position + 1, parts)
        elif char == "\\":
            # tree-sitter-bash reads escaped blanks in its own way, so leave those to it.
            if position + 1 >= length or script[position + 1] in " \t\n\r":
                raise _Fallback
            parts.append(script[position + 1])
            position += 2
        elif char == "$":
            position = _dollar(script, position, parts)
        else:
            raise _Fallback
    return _Word("".join(parts), start, position, script[start:position]), position


def _double_quoted(script: str, position: int, parts: list[str]) -> int:
    length = len(script)
    while position < length:
        plain = _PLAIN_QUOTED.match(script, position)
        if plain is not None:
            parts.append(plain.group())
            position = plain.end()
            if position >= length:
                break
        char = script[position]
        if char == '"':
            return position + 1
        if char in "`\n\r":
            raise _Fallback
        if char == "\\" and position + 1 < length and script[position + 1] in _DOUBLE_QUOTE_ESCAPES:
            if script[position + 1] == "`":
                raise _Fallback
            parts.append(script[position + 1])
            position += 2
            continue
        if char == "$":
            position = _dollar(script, position, parts)
            continue
        parts.append(char)
        position += 1
    raise _Fallback


def _dollar(script: str, position: int, parts: list[str]) -> int:
    """Copy ``$NAME`` or ``${...}`` as written; anything more complex needs the full parser."""
    following = script[position + 1 : position + 2]
    if following == "{":
        end = script.find("}", position + 2)
        inner = script[position + 2 : end] if end >= 0 else ""
        if end < 0 or not inner or any(char in inner for char in "{$'\"`\\ \t"):
            raise _Fallback
        parts.append(script[position : end + 1])
        return end + 1
    name = _NAME.match(script, position + 1)
    if name is None:
        raise _Fallback
    parts.append(script[position : name.end()])
    return name.end()
