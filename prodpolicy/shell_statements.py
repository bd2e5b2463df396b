"""Find the top-level statements of a shell script, so that each can be parsed on its own.

Build scripts repeat whole statements more often than whole scripts: the
``case`` over the architecture, the download and its checksum, the clean-up of
the package lists. ``shell.py`` parses a long script statement by statement
and reuses the commands of a statement it has parsed before, which skips most
of tree-sitter's work on such scripts.

A statement ends at ``;``, ``&&`` or ``||`` outside quotes, substitutions,
brackets and compound commands (``if`` to ``fi``, ``case`` to ``esac``,
``for``, ``while``, ``until`` and ``select`` to ``done``, braces). A pipe does
not end one. This reader only needs to tell where statements end, not what
they mean. It returns None for anything it is unsure of, and the caller then
parses the whole script: a heredoc, a lone ``&``, ``$'...'``, ``;;`` outside a
``case``, a compound command that does not close, a line break between
statements. That list also contains the cases where tree-sitter-bash reads a
statement alone in another way than inside its script. The tests compare both
parses on generated scripts.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Statement(NamedTuple):
    """One top-level statement: its span in the script and the operator before it (None for the first)."""

    start: int
    end: int
    separator: str | None


class _Unsure(Exception):
    """The script uses something this reader leaves to the full parser."""


# Compound commands that open with a word, and the word that closes each.
_OPENERS = {"if": "fi", "case": "esac", "for": "done", "while": "done", "until": "done", "select": "done"}
_CLOSERS = frozenset({"fi", "esac", "done"})
# The words that continue a compound command, and the word that closes it.
_INSIDE = {"then": "fi", "else": "fi", "elif": "fi", "do": "done"}
# After these words another command, or keyword, can follow at once.
_LEADING_WORDS = frozenset({"then", "do", "else", "elif", "if", "while", "until"})
_WORD_CHARACTERS = r"\w./=:@%+,$-"
# A word or bracket at the start of a command that opens or closes a compound command. An escaped line
# break is a blank there.
_COMMAND_WORD = re.compile(
    rf"(?:[ \t]|\\\n)*(?:(if|fi|case|esac|for|while|until|select|done|then|do|else|elif)(?![{_WORD_CHARACTERS}])|([{{}}])(?=[ \t\n;&|)]|$)|(\[\[))"
)
# The places outside quotes where something may end a statement or change the nesting.
_STOP = re.compile(r"[\\'\"`$;&|\n()#<\]]")
_DOUBLE_QUOTED_STOP = re.compile(r'["\\`$]')
_SUBSTITUTION_STOP = re.compile(r"[\\'\"`$()]")
_EXPANSION_STOP = re.compile(r"[\\'\"`${}]")
_BACKQUOTE_STOP = re.compile(r"[\\`]")
_REDIRECTION_FIRST = re.compile(r"\d*[<>]|&>")
_UNUSUAL_STARTS = frozenset("0123456789<>&\\")


def split_statements(script: str) -> list[Statement] | None:
    """Return the top-level statements of a script, without their surrounding blanks, or None when unsure."""
    try:
        return _split(script)
    except _Unsure:
        return None


def _split(script: str) -> list[Statement]:
    statements: list[Statement] = []
    # What closes each open construct, innermost last: a word (fi, esac, done) or ")", "}", "]]".
    closers: list[str] = []
    start = 0
    separator: str | None = None
    position = _command_words(script, 0, closers)
    length = len(script)
    while True:
        match = _STOP.search(script, position)
        if match is None:
            break
        at = match.start()
        token = match.group()
        position = at + 1
        # The most frequent characters come first.
        if token == ";":
            following = script[at + 1 : at + 2]
            if following == ";" or following == "&":
                # ;; and ;& end a case item, and only inside a case.
                if not closers or closers[-1] != "esac":
                    raise _Unsure
                position = at + 2
            elif not closers:
                _end_statement(script, statements, start, at, separator, required=True)
                start, separator = position, ";"
            position = _command_words(script, position, closers)
        elif token == '"':
            position = _double_quoted_end(script, position)
        elif (token == "&" or token == "|") and script[at + 1 : at + 2] == token:
            # && or ||.
            position = at + 2
            if not closers:
                _end_statement(script, statements, start, at, separator, required=True)
                start, separator = position, token * 2
            position = _command_words(script, position, closers)
        elif token == "&":
            if script[at + 1 : at + 2] != ">" and (at == 0 or script[at - 1] not in "<>"):
                # A lone & runs a command in the background: rare in a build, and left to the parser.
                raise _Unsure
        elif token == "$":
            following = script[at + 1 : at + 2]
            if following == "{":
                position = _expansion_end(script, at + 2)
            elif following == "'":
                # $'...' lets a backslash escape the closing quote.
                raise _Unsure
        elif token == "'":
            end = script.find("'", position)
            if end < 0:
                raise _Unsure
            position = end + 1
        elif token == "|":
            if script[at + 1 : at + 2] == "&":
                position = at + 2
            position = _command_words(script, position, closers)
        elif token == "(":
            closers.append(")")
            position = _command_words(script, position, closers)
        elif token == ")":
            if closers and closers[-1] == ")":
                closers.pop()
            elif not closers or closers[-1] != "esac":
                # Outside a case, where ")" ends a pattern, a ")" that closes nothing is a syntax error.
                raise _Unsure
            position = _command_words(script, position, closers)
        elif token == "\n":
            if not closers and script[start:at].strip():
                # tree-sitter-bash sometimes reads the next line into the statement a line break ends (after a
                # pipe, a backquote, a line of assignments), where the shell does not. Splitting here would
                # change the result, so a script of several lines is parsed whole.
                raise _Unsure
            position = _command_words(script, position, closers)
        elif token == "\\":
            position = at + 2
        elif token == "`":
            position = _backquoted_end(script, position)
        elif token == "]":
            if script[at + 1 : at + 2] == "]" and closers and closers[-1] == "]]":
                closers.pop()
                position = at + 2
        elif token == "#":
            if at == 0 or script[at - 1] in " \t\n;&|()":
                end = script.find("\n", at)
                position = length if end < 0 else end
        elif script[at + 1 : at + 2] == "<":
            if script[at + 2 : at + 3] != "<":
                # A heredoc: its body spans lines that are not statements.
                raise _Unsure
            position = at + 3
    if closers:
        raise _Unsure
    _end_statement(script, statements, start, length, separator, required=separator in ("&&", "||"))
    return statements


def _command_words(script: str, position: int, closers: list[str]) -> int:
    """Read the keywords and braces that start the command at ``position``; return where the command goes on.

    Keywords count only there: ``echo done`` closes nothing.
    """
    while True:
        match = _COMMAND_WORD.match(script, position)
        if match is None:
            return position
        word, brace, brackets = match.groups()
        position = match.end()
        if brackets:
            closers.append("]]")
            return position
        if brace == "{":
            closers.append("}")
            continue
        if brace == "}":
            if not closers or closers[-1] != "}":
                raise _Unsure
            closers.pop()
            return position
        if word in _OPENERS:
            closers.append(_OPENERS[word])
        elif word in _CLOSERS:
            if not closers or closers[-1] != word or script[position : position + 1] in ("&", "|"):
                # tree-sitter-bash needs a blank between esac, done or fi and an operator after it.
                raise _Unsure
            closers.pop()
        elif not closers or closers[-1] != _INSIDE[word]:
            # then, else and elif belong inside if, and do inside a loop: elsewhere the script is wrong.
            raise _Unsure
        if word not in _LEADING_WORDS:
            return position


def _end_statement(
    script: str, statements: list[Statement], start: int, end: int, separator: str | None, *, required: bool = False
) -> bool:
    """Add the statement between ``start`` and ``end``, without its blanks, and return whether it was added.

    A statement of comments alone is left out, and the operator before it carries over to the next one.
    """
    text = script[start:end]
    stripped = text.strip()
    # An escaped line break is a blank: "&& \\<newline> # note" has only a comment after the operator.
    blanked = stripped.replace("\\\n", " ").strip() if "\\\n" in stripped else stripped
    if blanked and not (blanked[0] == "#" and _only_comments(blanked)):
        if stripped[-1] == "\\":
            # Stripping took the blank or line break that the backslash escapes.
            raise _Unsure
        if stripped[0] in _UNUSUAL_STARTS and (stripped[0] == "\\" or _REDIRECTION_FIRST.match(stripped)):
            # tree-sitter-bash reads the words after a leading redirection as more of its targets when the
            # statement is parsed alone, and as a command inside a list. It also reads some words after an
            # escaped line break in its own way.
            raise _Unsure
        first = start + (len(text) - len(text.lstrip()))
        statements.append(Statement(first, first + len(stripped), separator))
        return True
    if required:
        # An operator with nothing but comments before or after it: a syntax error that the parser reports.
        raise _Unsure
    return False


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.split("\n"))


def _double_quoted_end(script: str, position: int) -> int:
    while True:
        match = _DOUBLE_QUOTED_STOP.search(script, position)
        if match is None:
            raise _Unsure
        at = match.start()
        token = match.group()
        if token == '"':
            return at + 1
        if token == "\\":
            position = at + 2
        elif token == "`":
            position = _backquoted_end(script, at + 1)
        else:
            following = script[at + 1 : at + 2]
            if following == "(":
                position = _substitution_end(script, at + 2)
            elif following == "{":
                position = _expansion_end(script, at + 2)
            else:
                position = at + 1


def _substitution_end(script: str, position: int) -> int:
    """Return the end of a ``$(...)`` inside double quotes, whose opening parenthesis is before ``position``."""
    return _bracketed_end(script, position, _SUBSTITUTION_STOP, "(")


def _expansion_end(script: str, position: int) -> int:
    """Return the end of a ``${...}``, whose opening brace is before ``position``."""
    return _bracketed_end(script, position, _EXPANSION_STOP, "{")


def _bracketed_end(script: str, position: int, stop: re.Pattern[str], opening: str) -> int:
    depth = 1
    while True:
        match = stop.search(script, position)
        if match is None:
            raise _Unsure
        at = match.start()
        token = match.group()
        position = at + 1
        if token == "\\":
            position = at + 2
        elif token == "'":
            if opening == "{":
                # In ${...} inside double quotes a single quote is a plain character, outside it opens a string.
                raise _Unsure
            end = script.find("'", position)
            if end < 0:
                raise _Unsure
            position = end + 1
        elif token == '"':
            position = _double_quoted_end(script, position)
        elif token == "`":
            position = _backquoted_end(script, position)
        elif token == "$":
            following = script[at + 1 : at + 2]
            if following == "{":
                position = _expansion_end(script, at + 2)
            elif following == "(" and opening == "{":
                position = _substitution_end(script, at + 2)
        elif token == opening:
            depth += 1
        else:
            depth -= 1
            if not depth:
                return position


def _backquoted_end(script: str, position: int) -> int:
    while True:
        match = _BACKQUOTE_STOP.search(script, position)
        if match is None:
            raise _Unsure
        if match.group() == "`":
            return match.end()
        position = match.start() + 2
