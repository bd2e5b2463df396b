"""Split Dockerfile text into instructions the way BuildKit's parser does.

The lexer follows the behaviour of BuildKit's ``frontend/dockerfile/parser`` in
Dockerfile frontend 1.16 and later (BuildKit 0.22 and later), which is the
reference for every line number the rest of the package reports:

* parser directives (``syntax``, ``escape``, ``check``) count only before the
  first line that is not a directive, and each may appear once;
* a UTF-8 byte order mark is dropped, ``\\r\\n`` is the same as ``\\n``;
* a line ending in the escape character continues on the next line; comment
  lines and empty lines inside a continuation are skipped;
* heredocs (``<<EOF``, ``<<-EOF``, ``<< EOF``, quoted delimiters, several per
  line) follow RUN, COPY and ADD in shell form, their body lines are never
  instructions;
* flags are the leading ``--name[=value]`` words after the keyword;
* exec form is a JSON array of strings and nothing else: text after the closing
  bracket, or a value JSON does not allow (``NaN``), makes it shell form;
* a physical line longer than 65535 bytes is an error.

The input limits in effect (:func:`~prodpolicy.limits.current_limits`) bound
the number of instructions and the size of each heredoc body; a file over
either is an input error.

Two of these rules are newer than the BuildKit 0.12 parser bound by the
``dockerfile`` package that the differential tests use as an oracle: it ignores
text after an exec-form array and does not accept whitespace after ``<<``.

Start and end lines are the physical, 1-based lines of the file, heredoc
bodies included.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from dataclasses import dataclass, field

from ..errors import InputError, InvalidInput
from ..limits import MAX_LINE_BYTES, Limits, current_limits

DIRECTIVE_NAMES = frozenset({"syntax", "escape", "check"})
HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})

_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_HEREDOC_WORD = re.compile(r"^(\d*)<<(-?)[ \t\r]*([^<]*)$")
# Go's strings.TrimSpace and unicode.IsSpace: ASCII whitespace plus a few more.
_SPACE = " \t\n\v\f\r\x85\xa0"
_KEYWORD_SPLIT = re.compile(r"[\t\v\f\r ]+")


@dataclass(frozen=True, slots=True)
class Directive:
    """A parser directive such as ``# syntax=docker/dockerfile:1``."""

    name: str
    value: str
    line: int


@dataclass(slots=True)
class Heredoc:
    """One here-document attached to an instruction."""

    name: str
    # ``<<-`` strips leading tabs from the body and the terminator.
    chomp: bool
    # True when the delimiter was quoted or escaped, so a shell does not expand the body.
    quoted: bool
    file_descriptor: int | None
    content: str
    start_line: int
    end_line: int
    # Where the opener word (``<<EOF``, ``3<<-'EOF'``) sits in the logical line.
    opener_start: int = 0
    opener_end: int = 0


@dataclass(slots=True)
class RawInstruction:
    """An instruction as the parser reads it, before any per-keyword meaning."""

    keyword: str
    keyword_as_written: str
    flags: list[str]
    arguments_text: str
    start_line: int
    end_line: int
    # The logical line: continuations joined, comments inside them dropped.
    original: str
    heredocs: list[Heredoc] = field(default_factory=list)
    # The comment lines directly above the instruction, as (line, text without '#').
    comments: list[tuple[int, str]] = field(default_factory=list)
    # For ONBUILD: the instruction it wraps.
    inner: RawInstruction | None = None
    # True when the arguments are a JSON array of strings (exec form).
    json_form: bool = False
    json_arguments: list[str] | None = None
    json_error: str | None = None
    # (offset in ``original``, physical line) where each joined physical line starts.
    segments: list[tuple[int, int]] = field(default_factory=list)

    # Written out for the compiled build, as shell._Entry explains.
    def __init__(
        self,
        keyword: str,
        keyword_as_written: str,
        flags: list[str],
        arguments_text: str,
        start_line: int,
        end_line: int,
        original: str,
        heredocs: list[Heredoc] | None = None,
        comments: list[tuple[int, str]] | None = None,
        inner: RawInstruction | None = None,
        json_form: bool = False,
        json_arguments: list[str] | None = None,
        json_error: str | None = None,
        segments: list[tuple[int, int]] | None = None,
    ) -> None:
        self.keyword = keyword
        self.keyword_as_written = keyword_as_written
        self.flags = flags
        self.arguments_text = arguments_text
        self.start_line = start_line
        self.end_line = end_line
        self.original = original
        self.heredocs = [] if heredocs is None else heredocs
        self.comments = [] if comments is None else comments
        self.inner = inner
        self.json_form = json_form
        self.json_arguments = json_arguments
        self.json_error = json_error
        self.segments = [] if segments is None else segments

    @property
    def arguments_offset(self) -> int:
        """The offset of ``arguments_text`` in ``original``: both end at the same character."""
        return self.suffix_offset(self.arguments_text)

    def suffix_offset(self, text: str) -> int:
        """Return the offset in ``original`` of ``text``, a stripped suffix of the arguments."""
        return len(self.original.rstrip(_SPACE)) - len(text)

    def line_at(self, offset: int) -> int:
        """Return the physical line of the character at ``offset`` in ``original``."""
        # A binary search, because a RUN of thousands of continuation lines calls this once per command.
        position = bisect.bisect_right(self.segments, (offset, math.inf)) - 1
        return self.segments[position][1] if position >= 0 else self.start_line


@dataclass(slots=True)
class LexResult:
    """Everything the lexer read from one Dockerfile."""

    directives: list[Directive]
    escape: str
    instructions: list[RawInstruction]
    lines: list[str]
    warnings: list[InputError]
    errors: list[InputError]
    # False when the last line of a non-empty file has no newline at its end.
    final_newline: bool = True


class _DirectiveScanner:
    """Tracks parser directives, which only count at the top of the file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.done = False
        self.escape = "\\"
        self.found: list[Directive] = []
        self.errors: list[InputError] = []

    def scan(self, text: str, line: int) -> None:
        if self.done:
            return
        match = _DIRECTIVE.match(text)
        if match is None or match.group(1).lower() not in DIRECTIVE_NAMES:
            self.done = True
            return
        name = match.group(1).lower()
        if any(directive.name == name for directive in self.found):
            self._error(line, f"the {name} parser directive is repeated; keep only the first")
            return
        value = match.group(2)
        if name == "escape":
            if value not in ("\\", "`"):
                self._error(line, f"invalid escape directive value {value!r}; use \\ or `")
                return
            self.escape = value
        self.found.append(Directive(name, value, line))

    def _error(self, line: int, message: str) -> None:
        self.errors.append(InputError(self.file, message, line=line, fatal=True))


def _trim_newline(text: str) -> str:
    return text.rstrip("\r\n")


def _is_comment(text: str) -> bool:
    return text.lstrip(_SPACE).startswith("#")


def _trim_continuation(text: str, escape: str) -> tuple[str, bool]:
    """Remove a trailing line continuation; return the text and whether the line ends."""
    stripped = text.rstrip(" \t")
    if not stripped.endswith(escape):
        return text, True
    if len(stripped) == 1:
        return "", False
    # An escaped escape character ("\\\\" at the end) is text, not a continuation.
    if stripped[-2] == escape:
        return text, True
    return stripped[:-1], False


def split_flags(text: str) -> tuple[list[str], str]:
    """Split leading ``--flag[=value]`` words from the arguments of an instruction.

    Quotes and backslashes inside a flag are resolved; a bare ``--`` ends the flags.
    """
    flags: list[str] = []
    position = 0
    length = len(text)
    while True:
        while position < length and text[position] in _SPACE:
            position += 1
        if not text.startswith("--", position):
            return flags, text[position:]
        word: list[str] = []
        quote = ""
        had_quote = False
        while position < length:
            char = text[position]
            if quote:
                if char == quote:
                    quote = ""
                elif char == "\\" and position + 1 < length:
                    position += 1
                    word.append(text[position])
                elif char != "\\":
                    word.append(char)
            elif char in _SPACE:
                break
            elif char in "'\"":
                quote = char
                had_quote = True
            elif char == "\\":
                if position + 1 < length:
                    position += 1
                    word.append(text[position])
            else:
                word.append(char)
            position += 1
        flag = "".join(word)
        if flag == "--":
            return flags, text[position:].lstrip(_SPACE)
        if flag or had_quote:
            flags.append(flag)
        if position >= length:
            return flags, ""


def _split_keyword(line: str) -> tuple[str, str]:
    parts = _KEYWORD_SPLIT.split(line.strip(_SPACE), maxsplit=1)
    keyword = parts[0]
    rest = parts[1] if len(parts) == 2 else ""
    return keyword, rest


def _reject_constant(name: str) -> None:
    # Python's json module reads NaN and Infinity; Go's encoding/json, which Docker uses, does not.
    raise ValueError(f"{name} is not JSON")


def parse_json_array(text: str) -> tuple[list[str] | None, str | None]:
    """Read an exec-form argument list the way Docker does.

    Returns ``(arguments, None)`` for a JSON array of strings, ``(None, None)``
    when the text is not a JSON array (Docker then uses shell form) and
    ``(None, error)`` for a JSON array holding something other than strings,
    which Docker rejects. Text after the closing bracket makes the whole text
    invalid JSON, so it is shell form, as in BuildKit 0.15 and later.
    """
    stripped = text.lstrip(_SPACE)
    if not stripped.startswith("["):
        return None, None
    try:
        value = json.loads(stripped, parse_constant=_reject_constant)
    except ValueError:
        return None, None
    except RecursionError:
        # NOTE: arrays nested past Python's recursion limit are read as shell form. Docker reads valid
        # JSON up to 10,000 levels deep and would reject the nested arrays as exec form instead.
        return None, None
    if not isinstance(value, list):
        return None, None
    if not all(isinstance(item, str) for item in value):
        return None, "in JSON (exec) form every element of the array must be a string"
    return value, None


def _heredoc_words(text: str) -> list[tuple[str, int, int]]:
    """Split a line into words as BuildKit does when it looks for heredocs.

    Words end at unquoted whitespace; quotes and escapes stay in the word.
    ``<<`` followed by whitespace joins the next word (``<< EOF``), as in
    Dockerfile frontend 1.16 and later. Returns ``(word, start, end)`` offsets.
    """
    words: list[tuple[str, int, int]] = []
    length = len(text)
    index = 0
    start = -1
    quote = ""
    while index < length:
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"' and index + 1 < length:
                index += 1
        elif char in _SPACE:
            if start >= 0:
                words.append((text[start:index], start, index))
                start = -1
        else:
            if start < 0:
                start = index
            if char in "'\"":
                quote = char
            elif char == "\\" and index + 1 < length:
                index += 1
            elif text.startswith("<<", index):
                index += 2
                while index < length and text[index] in " \t\r":
                    index += 1
                continue
        index += 1
    if start >= 0:
        words.append((text[start:], start, length))
    return words


def _unquote_delimiter(word: str) -> tuple[str, bool]:
    """Remove shell quoting from a heredoc delimiter; report whether any was present."""
    result: list[str] = []
    quoted = False
    quote = ""
    index = 0
    while index < len(word):
        char = word[index]
        if quote:
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"' and index + 1 < len(word) and word[index + 1] in '"\\$':
                index += 1
                result.append(word[index])
            else:
                result.append(char)
        elif char in "'\"":
            quote = char
            quoted = True
        elif char == "\\" and index + 1 < len(word):
            quoted = True
            index += 1
            result.append(word[index])
        else:
            result.append(char)
        index += 1
    return "".join(result), quoted


def find_heredocs(text: str) -> list[Heredoc]:
    """List the heredoc openers (``<<EOF``, ``<<-'EOF'``, ``3<<EOF``, ``<< EOF``) in a logical line."""
    heredocs: list[Heredoc] = []
    for word, start, end in _heredoc_words(text):
        match = _HEREDOC_WORD.match(word)
        if not match or not match.group(3):
            continue
        name, quoted = _unquote_delimiter(match.group(3))
        if not name:
            continue
        descriptor = int(match.group(1)) if match.group(1) else None
        heredoc = Heredoc(name, match.group(2) == "-", quoted, descriptor, "", 0, 0, start, end)
        heredocs.append(heredoc)
    return heredocs


def _can_contain_heredoc(instruction: RawInstruction) -> bool:
    target = instruction.inner if instruction.keyword == "ONBUILD" else instruction
    if target is None or target.keyword not in HEREDOC_KEYWORDS:
        return False
    return not target.json_form


def build_instruction(line: str, start: int, end: int) -> RawInstruction:
    """Split a logical line into keyword, flags and arguments; ONBUILD wraps an inner one."""
    keyword_as_written, rest = _split_keyword(line)
    flags, arguments = split_flags(rest)
    arguments = arguments.strip(_SPACE)
    keyword = keyword_as_written.upper()
    instruction = RawInstruction(
        keyword=keyword,
        keyword_as_written=keyword_as_written,
        flags=flags,
        arguments_text=arguments,
        start_line=start,
        end_line=end,
        original=line,
    )
    if keyword == "ONBUILD":
        # ONBUILD takes no flags of its own: everything after it is the inner instruction.
        inner_text = rest.strip(_SPACE)
        instruction.flags = []
        instruction.arguments_text = inner_text
        if inner_text:
            instruction.inner = build_instruction(inner_text, start, end)
        return instruction
    if keyword == "HEALTHCHECK":
        # HEALTHCHECK CMD [...]: the JSON array follows the type word.
        type_and_command = _KEYWORD_SPLIT.split(arguments, maxsplit=1)
        command = type_and_command[1] if len(type_and_command) == 2 else ""
        arguments_list, error = parse_json_array(command)
        instruction.json_form = arguments_list is not None
        instruction.json_arguments = arguments_list
        instruction.json_error = error
    elif keyword in _JSON_KEYWORDS:
        arguments_list, error = parse_json_array(arguments)
        instruction.json_form = arguments_list is not None
        instruction.json_arguments = arguments_list
        instruction.json_error = error
    return instruction


# Keywords whose arguments Docker tries to read as a JSON array first.
_JSON_KEYWORDS = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME"})


def lex(text: str, file: str) -> LexResult:
    """Split Dockerfile text into raw instructions with physical line numbers.

    ``text`` must already be decoded; a leading byte order mark is dropped here.
    Problems that stop Docker from reading the file, such as an unterminated
    heredoc or a repeated directive, are returned in ``errors``. The instructions
    read before and after them are kept, so callers can still report what was found.
    Raises :class:`InvalidInput` for a file over the instruction or heredoc limit.
    """
    limits = current_limits()
    if text.startswith("\ufeff"):
        text = text[1:]
    # Heredoc bodies keep their line endings, as Docker passes them on unchanged.
    pieces = text.split("\n")
    if pieces and pieces[-1] == "" and text.endswith("\n"):
        pieces.pop()
        endings = ["\n"] * len(pieces)
    else:
        endings = ["\n"] * (len(pieces) - 1) + [""]
    lines = [_trim_newline(piece) for piece in pieces]

    directives = _DirectiveScanner(file)
    instructions: list[RawInstruction] = []
    warnings: list[InputError] = []
    errors: list[InputError] = _long_lines(pieces, file)
    comments: list[tuple[int, str]] = []
    total = len(lines)
    index = 0

    while index < total:
        physical = lines[index]
        index += 1
        line_number = index
        stripped = physical.lstrip(_SPACE)
        directives.scan(stripped, line_number)

        if stripped.startswith("#"):
            comments.append((line_number, stripped[1:].strip(_SPACE)))
            continue
        if not stripped:
            comments = []
            continue

        first, ended = _trim_continuation(stripped, directives.escape)
        # The parts are joined once at the end: adding to a string in the loop copies it every time.
        parts = [first]
        length = len(first)
        segments = [(0, line_number)]
        empty_continuation = False
        while not ended and index < total:
            physical = lines[index]
            index += 1
            directives.scan(physical, index)
            if _is_comment(physical):
                continue
            if not physical.strip(_SPACE):
                empty_continuation = True
                continue
            part, ended = _trim_continuation(physical, directives.escape)
            segments.append((length, index))
            parts.append(part)
            length += len(part)
        logical = "".join(parts)

        if empty_continuation:
            warnings.append(
                InputError(
                    file,
                    "empty line inside a line continuation; Docker warns and will reject this "
                    "in a future release, so remove the empty line",
                    line=line_number,
                    fatal=False,
                )
            )

        instruction = build_instruction(logical, line_number, index)
        instruction.comments = comments
        instruction.segments = segments
        comments = []
        target = instruction.inner or instruction
        shift = 0
        if instruction.inner is not None:
            shift = len(logical.rstrip(_SPACE)) - len(instruction.inner.original)
            instruction.inner.segments = [(max(0, offset - shift), line) for offset, line in segments]

        if "<<" in logical and _can_contain_heredoc(instruction):
            for heredoc in find_heredocs(logical):
                heredoc.opener_start -= shift
                heredoc.opener_end -= shift
                index = _read_heredoc_body(heredoc, lines, pieces, endings, index)
                _check_heredoc_size(heredoc, file, limits)
                if heredoc.end_line < 0:
                    errors.append(
                        InputError(
                            file,
                            f"unterminated heredoc: no line reads {heredoc.name!r} after the "
                            f"<<{heredoc.name} opened here; add the terminator line",
                            line=line_number,
                            fatal=True,
                        )
                    )
                    heredoc.end_line = index
                target.heredocs.append(heredoc)
            instruction.end_line = index
            target.end_line = index

        if len(instructions) >= limits.max_instructions:
            message = limits.exceeded("max_instructions", "the Dockerfile has more instructions than")
            raise InvalidInput(InputError(file, message, line=line_number))
        instructions.append(instruction)

    errors = directives.errors + errors
    return LexResult(
        directives=directives.found,
        escape=directives.escape,
        instructions=instructions,
        lines=lines,
        warnings=warnings,
        errors=errors,
        final_newline=not text or text.endswith("\n"),
    )


def _read_heredoc_body(heredoc: Heredoc, lines: list[str], pieces: list[str], endings: list[str], index: int) -> int:
    """Read body lines up to the terminator; return the index after it.

    ``heredoc.end_line`` is the terminator's line, or -1 when the file ends first.
    """
    heredoc.start_line = index + 1
    body: list[str] = []
    while index < len(lines):
        physical = lines[index]
        index += 1
        candidate = physical.lstrip("\t") if heredoc.chomp else physical
        if candidate == heredoc.name:
            heredoc.end_line = index
            heredoc.content = "".join(body)
            return index
        body.append(pieces[index - 1] + endings[index - 1])
    heredoc.end_line = -1
    heredoc.content = "".join(body)
    return index


def _check_heredoc_size(heredoc: Heredoc, file: str, limits: Limits) -> None:
    content = heredoc.content
    max_bytes = limits.max_heredoc_bytes
    # A character is at most 4 bytes in UTF-8, so shorter bodies need no encoding.
    if len(content) * 4 <= max_bytes or len(content.encode("utf-8", "surrogatepass")) <= max_bytes:
        return
    message = limits.exceeded("max_heredoc_bytes", f"the body of heredoc {heredoc.name!r} is larger than")
    raise InvalidInput(InputError(file, message, line=heredoc.start_line))


def _long_lines(pieces: list[str], file: str) -> list[InputError]:
    errors = []
    for number, piece in enumerate(pieces, start=1):
        # A character is at most 4 bytes in UTF-8, so shorter lines need no encoding.
        if len(piece) * 4 > MAX_LINE_BYTES and len(piece.encode("utf-8", "surrogatepass")) > MAX_LINE_BYTES:
            errors.append(
                InputError(
                    file,
                    f"line is longer than {MAX_LINE_BYTES} bytes, which Docker rejects; split it with line continuations",
                    line=number,
                    fatal=True,
                )
            )
    return errors
