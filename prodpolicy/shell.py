"""Parse shell scripts (RUN lines, shell-form commands, heredoc bodies) into simple commands.

Each simple command becomes a dict with its ``argv`` and the ``program`` (the
base name of ``argv[0]``). The ``operator`` joins it to the previous command
(``&&``, ``||``, ``;``, ``|``, ``&`` or None for the first). It also carries
its variable ``assignments``, file ``redirects``, its ``line`` when the caller
maps offsets to lines, and a ``package`` fact for package manager calls (see
``prodpolicy.packages``). Rules match these facts instead of matching raw
text, so ``apt-get  install`` and ``apt-get install`` are the same.

Scripts nested one level deep are read too: the script of ``sh -c "..."``, a
heredoc that a shell reads as its input (``bash <<EOF``) and command
substitutions (``$(...)``). Their commands follow the command that runs them
and carry ``depth``, the number of such levels around them.

The parser is tree-sitter-bash, which reads ``case``, ``[[ ]]``, ``$(( ))`` and
quoting correctly. One-line scripts of plain words and ``&&``, ``||``, ``;``
and ``|`` take a faster path with the same result (``shell_tokens.py``). A
line the parser cannot read is kept as one command with ``unparsed: True``,
its text and no argv, and the caller learns that parsing failed, so nothing is
silently dropped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import tree_sitter
from tree_sitter import Node
import tree_sitter_bash

from . import packages
from .policy.plain import plain_evaluation
from .shell_statements import split_statements
from .shell_tokens import SimpleCommand, split_simple_script

# POSIX-style shells: their -c argument, or a heredoc they read as input, is itself a script.
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"})
_OPERATORS = frozenset({"&&", "||", ";", "|", "|&", "&", ";;"})
_SUBSTITUTIONS = frozenset({"command_substitution", "process_substitution"})
# Nodes listed as simple commands: export, declare, local, readonly and unset are builtins with an argv too.
_COMMAND_NODES = frozenset({"command", "declaration_command", "unset_command"})
# Statements that may sit inside an ERROR node without being part of the error.
_STATEMENTS = frozenset(
    {
        "command", "list", "pipeline", "redirected_statement", "subshell", "compound_statement",
        "if_statement", "while_statement", "for_statement", "c_style_for_statement", "case_statement",
        "function_definition", "declaration_command", "unset_command", "test_command", "negated_command",
        "variable_assignment", "variable_assignments", "comment", "heredoc_body",
    }
)
# tree-sitter-bash 0.25.1 now and then crashes the process (a segmentation fault) on code points from about
# U+58000 up, as in "[{" followed by U+C14CC (found by parsing such a script in a loop). Planes 4 to 16 have
# no assigned letters, only unassigned points, tag characters and private use. Their characters are given to
# the parser as U+FFFD, and commands show U+FFFD too. Lone surrogates (from an image's JSON) are replaced for the
# parser as well: it may cut their three bytes apart, and the pieces cannot be decoded.
_UNSAFE_FOR_PARSER = re.compile(r"[\ud800-\udfff\U00040000-\U0010ffff]")
_NON_POSIX = {"powershell": "powershell", "pwsh": "powershell", "cmd": "cmd"}
_OPERATOR_TEXT = re.compile(r"&&|\|\||[;|&]")

LineOf = Callable[[int], int]


@functools.cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


@dataclass(slots=True)
class ScriptHeredoc:
    """A heredoc body: where its opener is in the script, and how body offsets map to lines."""

    offset: int
    body: str
    line_of: LineOf | None = None
    # Where the body starts in the script, so a cached parse can map its lines again.
    body_start: int = 0


@dataclass(slots=True)
class _Found:
    """A simple command found in the tree, before it becomes a dict."""

    node: Node
    depth: int
    operator: str | None
    heredoc: Node | None = None
    # True when the command's words hold command substitutions, which the walk lists itself.
    substituted: bool = False
    # The redirected statement whose file redirections apply to the command (see _redirected_statement).
    redirected: Node | None = None


@dataclass(slots=True)
class _Context:
    """The operator state of one script: the top level or one command substitution."""

    depth: int
    pending: str | None = None
    seen: bool = False
    # The operator pending when the first command was taken, so that a statement parsed on its own can pass
    # it on to the script around it.
    first_pending: str | None = None

    def take_operator(self) -> str | None:
        if self.seen:
            operator = self.pending or ";"
        else:
            operator = None
            self.first_pending = self.pending
        self.seen = True
        self.pending = None
        return operator


@dataclass(slots=True)
class _Entry:
    """A command with its span in the script, its heredoc input and the commands nested in it."""

    command: dict[str, Any]
    start: int
    end: int
    substituted: bool = False
    heredocs: list[ScriptHeredoc] = field(default_factory=list)
    nested: list[dict[str, Any]] = field(default_factory=list)

    # An explicit __init__: the compiled build compiles one written in the class, but runs the one @dataclass
    # generates as interpreted Python, about four times slower. The classes made per word, command or
    # instruction do the same.
    def __init__(
        self,
        command: dict[str, Any],
        start: int,
        end: int,
        substituted: bool = False,
        heredocs: list[ScriptHeredoc] | None = None,
        nested: list[dict[str, Any]] | None = None,
    ) -> None:
        self.command = command
        self.start = start
        self.end = end
        self.substituted = substituted
        self.heredocs = [] if heredocs is None else heredocs
        self.nested = [] if nested is None else nested


def script_language(shell_argv: list[str]) -> str:
    """Name the language a SHELL runs: ``posix``, ``powershell``, ``cmd`` or the program's name."""
    if not shell_argv:
        return "posix"
    # Windows images name shells with backslash paths, such as C:\Windows\System32\cmd.exe.
    program = program_name(shell_argv[0].replace("\\", "/")).lower()
    if program == "env" and len(shell_argv) > 1:
        program = program_name(shell_argv[1]).lower()
    program = program.removesuffix(".exe")
    if program in SHELLS:
        return "posix"
    return _NON_POSIX.get(program, program)


def parse_script(
    script: str,
    line_of: LineOf | None = None,
    *,
    unwrap: bool = True,
    heredocs: list[ScriptHeredoc] | None = None,
    substitutions: bool = True,
) -> tuple[list[dict[str, Any]], bool]:
    """Split a shell script into simple commands; return them and whether parsing failed anywhere.

    ``line_of`` maps a character offset in ``script`` to a line of the file.
    With ``unwrap``, scripts nested one level deep are parsed as well (see the
    module documentation). ``heredocs`` are bodies the caller removed from the
    script text; the shell command that comes with the opener reads its body.
    Without ``substitutions``, commands inside ``$(...)`` are not listed.
    """
    if not script.strip():
        return [], False
    entries, failed = _parse_entries(script, line_of, substitutions)
    for heredoc in heredocs or []:
        owner = _heredoc_owner(entries, heredoc.offset, script)
        if owner is not None:
            owner.heredocs.append(heredoc)
    if unwrap:
        for entry in entries:
            failed = _unwrap(entry) or failed
    commands: list[dict[str, Any]] = []
    for entry in entries:
        commands.append(entry.command)
        commands.extend(entry.nested)
    return commands, failed


def argv_commands(argv: list[str], line: int | None = None) -> tuple[list[dict[str, Any]], bool]:
    """List the commands an exec-form argv runs: the argv itself, then its ``sh -c`` script."""
    command = simple_command(list(argv))
    if line is not None:
        command["line"] = line
    entry = _Entry(command, 0, 0)
    failed = _unwrap(entry)
    return [command, *entry.nested], failed


def _parse_entries(script: str, line_of: LineOf | None, substitutions: bool) -> tuple[list[_Entry], bool]:
    """Split a script into entries, reusing the parse of a script seen before in this process.

    Dockerfiles of one project often repeat their build scripts (the variants of an image,
    the services of a monorepo). The second time a script is seen, its entries are kept
    without lines in a cache. From then on each use gets a copy of them, placed with its own ``line_of``.
    """
    if len(script) > _CACHED_SCRIPT_LENGTH:
        return _parse_fresh(script, line_of, substitutions)
    key = (script, substitutions)
    cached = _PARSE_CACHE.get(key)
    if cached is not None:
        return _placed(cached, line_of)
    if key not in _SEEN_SCRIPTS:
        if len(_SEEN_SCRIPTS) >= _SEEN_LIMIT:
            _SEEN_SCRIPTS.clear()
        _SEEN_SCRIPTS.add(key)
        return _parse_fresh(script, line_of, substitutions)
    cached = _parse_fresh(script, None, substitutions)
    _keep(_PARSE_CACHE, _PARSE_CACHE_SIZE, key, cached)
    return _placed(cached, line_of)


def _parse_fresh(script: str, line_of: LineOf | None, substitutions: bool) -> tuple[list[_Entry], bool]:
    if "\n" not in script:
        simple = split_simple_script(script)
        if simple is not None:
            return [_simple_entry(item, line_of) for item in simple], False
    if "<<" not in script and not plain_evaluation():
        entries = _statement_entries(script, line_of, substitutions)
        if entries is not None:
            return entries, False
    return _tree_sitter_entries(script, line_of, substitutions)


def _statement_entries(script: str, line_of: LineOf | None, substitutions: bool) -> list[_Entry] | None:
    """Parse a script statement by statement, reusing the statements seen before; None when it cannot.

    The operators that join the statements come from the splitter, and each
    statement's own operators from its parse, so the first command of a
    statement gets the operator the walk of the whole script would give it.
    A statement that fails to parse may have been split wrongly, so the whole
    script is then left to ``_tree_sitter_entries``.
    """
    statements = split_statements(script)
    if statements is None or len(statements) < 2:
        return None
    entries: list[_Entry] = []
    seen = False
    pending: str | None = None
    for statement in statements:
        if statement.separator is not None:
            pending = statement.separator
        parsed = _parsed_statement(script[statement.start : statement.end], substitutions)
        if parsed is None:
            return None
        offset = statement.start
        # The first command outside substitutions gets the operator that joins this statement to the one before.
        joining = parsed.has_command
        for entry in parsed.entries:
            command = _copy_command(entry.command)
            if joining and "depth" not in command:
                command["operator"] = (parsed.operator_before or pending or ";") if seen else None
                joining = False
            start = offset + entry.start
            if line_of is not None:
                command["line"] = line_of(start)
            entries.append(_Entry(command, start, offset + entry.end, substituted=entry.substituted))
        if parsed.has_command:
            seen = True
            pending = parsed.operator_after
        elif parsed.operator_after is not None:
            pending = parsed.operator_after
    return entries


@dataclass(slots=True)
class _Statement:
    """One statement parsed on its own: its entries without lines, and the operators around its commands."""

    entries: list[_Entry]
    # Whether it has a command outside substitutions.
    has_command: bool
    # The operator pending before that first command, and the one pending at its end.
    operator_before: str | None
    operator_after: str | None


def _parsed_statement(text: str, substitutions: bool) -> _Statement | None:
    key = (text, substitutions)
    parsed = _PARSED_STATEMENTS.get(key)
    if parsed is not None:
        return parsed
    simple = split_simple_script(text) if "\n" not in text else None
    if simple and simple[0].start == 0 and simple[-1].end == len(text):
        # No operator comes before the first command or after the last, so none is pending there.
        parsed = _Statement([_simple_entry(item, None) for item in simple], True, None, None)
    else:
        entries, failed, context = _tree_sitter_parse(text, None, substitutions)
        if failed:
            return None
        parsed = _Statement(entries, context.seen, context.first_pending, context.pending)
    if len(text) <= _REUSED_LENGTH:
        _keep(_PARSED_STATEMENTS, _PARSED_STATEMENTS_SIZE, key, parsed)
    return parsed


# Statements parsed in this process, by text: at most this many, of at most _REUSED_LENGTH characters each.
_PARSED_STATEMENTS: dict[tuple[str, bool], _Statement] = {}
_PARSED_STATEMENTS_SIZE = 4096


def _placed(cached: tuple[list[_Entry], bool], line_of: LineOf | None) -> tuple[list[_Entry], bool]:
    """Copy cached entries, whose commands have no line yet, and give them lines from ``line_of``."""
    entries, failed = cached
    placed: list[_Entry] = []
    for entry in entries:
        command = _copy_command(entry.command)
        if line_of is not None:
            command["line"] = line_of(entry.start)
        copy = _Entry(command, entry.start, entry.end, substituted=entry.substituted)
        copy.heredocs = [
            ScriptHeredoc(heredoc.offset, heredoc.body, _shifted(line_of, heredoc.body_start), heredoc.body_start)
            for heredoc in entry.heredocs
        ]
        placed.append(copy)
    return placed, failed


def _keep(cache: dict[Any, Any], size: int, key: Any, value: Any) -> None:
    """Store a value in one of this module's caches, emptying the cache first when it is full.

    Starting again is simpler than an LRU and safe between threads: the entries that repeat come back.
    """
    if len(cache) >= size:
        cache.clear()
    cache[key] = value


def _copy_command(command: dict[str, Any]) -> dict[str, Any]:
    """Copy a command kept for reuse, so that its users can change their copy: the lists and dicts are copied."""
    copy = dict(command)
    copy["argv"] = list(command["argv"])
    for name in _NESTED_FIELDS:
        if name in command:
            copy[name] = _copy_tree(command[name])
    return copy


def _copy_tree(value: Any) -> Any:
    if type(value) is dict:
        return {key: _copy_tree(item) for key, item in value.items()}
    if type(value) is list:
        return [_copy_tree(item) for item in value]
    return value


# Cached parses of the scripts seen twice, and the scripts seen once.
_PARSE_CACHE: dict[tuple[str, bool], tuple[list[_Entry], bool]] = {}
_PARSE_CACHE_SIZE = 256
_SEEN_SCRIPTS: set[tuple[str, bool]] = set()
_SEEN_LIMIT = 4096
# Longer scripts are neither remembered nor kept, which bounds the memory of both to about 40 MB.
_CACHED_SCRIPT_LENGTH = 8192


def _tree_sitter_entries(script: str, line_of: LineOf | None, substitutions: bool) -> tuple[list[_Entry], bool]:
    entries, failed, _ = _tree_sitter_parse(script, line_of, substitutions)
    return entries, failed


def _tree_sitter_parse(
    script: str, line_of: LineOf | None, substitutions: bool
) -> tuple[list[_Entry], bool, _Context]:
    """Parse a script with tree-sitter; return its entries, whether it failed, and the operator state of its top level."""
    # Each character replaced is one character, so offsets into the script stay the same.
    script = _UNSAFE_FOR_PARSER.sub("\ufffd", script)
    source = script.encode("utf-8", "surrogatepass")
    tree = _parser().parse(source)
    root = tree.root_node
    to_char = _offset_converter(script, source)
    text = _Source(script, source)
    found, top = _walk(root, substitutions, text)
    error_rows = _error_rows(root) if root.has_error else set()
    rows = script.split("\n") if error_rows else []
    # Around a syntax error the tree is tree-sitter's guess, so its commands are not kept for reuse.
    reuse = not root.has_error and not plain_evaluation()

    entries: list[_Entry] = []
    raw_rows_done: set[int] = set()
    for item in found:
        node = item.node
        if error_rows:
            bad = [row for row in range(node.start_point.row, node.end_point.row + 1) if row in error_rows]
            if bad:
                for row in bad:
                    if row not in raw_rows_done:
                        raw_rows_done.add(row)
                        entries.append(_raw_entry(rows, row, line_of))
                continue
        start = to_char(node.start_byte)
        if reuse:
            command = _reused_command(node, item.operator, item.depth, item.redirected, text)
        else:
            command = _command(node, item.operator, item.depth, item.redirected, text)
        if line_of is not None:
            command["line"] = line_of(start)
        entry = _Entry(command, start, to_char(node.end_byte), substituted=item.substituted)
        if item.heredoc is not None:
            body_start = to_char(item.heredoc.start_byte)
            body = script[body_start : to_char(item.heredoc.end_byte)]
            entry.heredocs.append(ScriptHeredoc(start, body, _shifted(line_of, body_start), body_start))
        entries.append(entry)
    for row in sorted(error_rows - raw_rows_done):
        if rows[row].strip():
            entries.append(_raw_entry(rows, row, line_of))
    if error_rows:
        entries.sort(key=lambda entry: entry.start)
    return entries, root.has_error, top


def _reused_command(
    node: Node, operator: str | None, depth: int, redirected: Node | None, text: _Source
) -> dict[str, Any]:
    """Build a command, or copy the one built before in this process from the same text.

    Build scripts repeat their commands (``apt-get update``, ``set -eux``,
    ``rm -rf /var/lib/apt/lists/*``) even when the scripts differ. Measured on
    the commands tree-sitter reads, 91% of those of the benchmark corpus and
    87% of those of 574 public Dockerfiles repeat one seen before. A command's dict depends
    on its own text, except for its operator, its depth and the redirections of
    the statement around it, which are set on the copy.
    """
    source = text.of(node)
    if len(source) > _REUSED_LENGTH:
        # A long command rarely repeats, and keeping it would hold its text several times over.
        return _command(node, operator, depth, redirected, text)
    key = (node.type, source)
    built = _COMMANDS.get(key)
    if built is None:
        built = _command(node, None, 0, None, text)
        _keep(_COMMANDS, _COMMANDS_SIZE, key, built)
    command = _copy_command(built)
    command["operator"] = operator
    # Only a simple command takes the redirections of the statement around it, as in _command.
    if redirected is not None and node.type == "command":
        outer = [_redirect(sibling, text) for sibling in redirected.children if sibling.type == "file_redirect"]
        if outer:
            # Inserted here, the key keeps its place: after the assignments and before the depth.
            command.setdefault("redirects", []).extend(outer)
    if depth:
        command["depth"] = depth
    return command


# Commands built in this process, by node type and text, without operator, depth or outer redirections.
# At most this many, of at most _REUSED_LENGTH characters each, so that the memory they take stays small.
_COMMANDS: dict[tuple[str, str], dict[str, Any]] = {}
_COMMANDS_SIZE = 4096
_REUSED_LENGTH = 1024
# The fields of a command that hold lists or dicts besides its argv.
_NESTED_FIELDS = ("package", "assignments", "redirects")


def _simple_entry(item: SimpleCommand, line_of: LineOf | None) -> _Entry:
    command = simple_command(item.argv, item.operator)
    if item.assignments:
        command["assignments"] = item.assignments
    if line_of is not None:
        command["line"] = line_of(item.start)
    return _Entry(command, item.start, item.end)


def _raw_entry(rows: list[str], row: int, line_of: LineOf | None) -> _Entry:
    start = sum(len(text) + 1 for text in rows[:row])
    text = rows[row].strip()
    command: dict[str, Any] = {"argv": [], "program": None, "operator": None, "text": text, "unparsed": True}
    if line_of is not None:
        command["line"] = line_of(start)
    return _Entry(command, start, start + len(rows[row]))


def _offset_converter(script: str, source: bytes) -> Callable[[int], int]:
    if len(source) == len(script):
        return lambda offset: offset
    return lambda offset: len(source[:offset].decode("utf-8", "surrogatepass"))


def _walk(root: Node, substitutions: bool, text: _Source) -> tuple[list[_Found], _Context]:
    """Collect simple commands in source order, without recursion, so deep scripts cannot overflow.

    Each stack entry keeps the node whose children are being walked, so a command's parents are known
    without ``Node.parent``, which tree-sitter finds by searching down from the root each time.
    Also return the context of the top level.
    """
    found: list[_Found] = []
    top = _Context(0)
    stack: list[tuple[Iterator[Node], _Context, Node | None]] = [(iter([root]), top, None)]
    while stack:
        children, context, _ = stack[-1]
        node = next(children, None)
        if node is None:
            stack.pop()
            continue
        kind = node.type
        if kind in _COMMAND_NODES:
            inner = _substitutions(node, text) if substitutions else []
            parent = stack[-1][2]
            found.append(
                _Found(
                    node,
                    context.depth,
                    context.take_operator(),
                    _stdin_heredoc(parent),
                    bool(inner),
                    _redirected_statement(node, stack),
                )
            )
            for substitution in reversed(inner):
                stack.append((iter(substitution.children), _Context(context.depth + 1), substitution))
        elif kind in _OPERATORS:
            context.pending = kind
        elif kind in _SUBSTITUTIONS:
            # A substitution outside a command, as in NAME="$(cd /x && pwd)", is a nested script too.
            stack.append((iter(node.children), _Context(context.depth + 1), node))
        elif node.child_count and kind not in ("heredoc_body", "comment"):
            stack.append((iter(node.children), context, node))
    return found, top


def _substitutions(command: Node, text: _Source) -> list[Node]:
    """Find the command substitutions in a command's words, outermost first."""
    if not text.has_parenthesis_or_backquote(command):
        return []
    result: list[Node] = []
    pending = list(reversed(command.children))
    while pending:
        node = pending.pop()
        if node.type in _SUBSTITUTIONS:
            result.append(node)
        else:
            pending.extend(reversed(node.children))
    return result


def _stdin_heredoc(parent: Node | None) -> Node | None:
    """Return the heredoc body of the redirected statement ``parent``, which its command reads as input."""
    if parent is None or parent.type != "redirected_statement":
        return None
    for sibling in parent.children:
        if sibling.type == "heredoc_redirect":
            for child in sibling.children:
                if child.type == "heredoc_body":
                    return child
    return None


def _error_rows(root: Node) -> set[int]:
    """Find the script lines that contain a syntax error or a missing token."""
    # TODO: tree-sitter-bash also reports errors for some valid shell, such as two heredocs opened on one
    # line inside a heredoc script. Those lines end up unparsed.
    rows: set[int] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if node.is_missing:
            rows.add(node.start_point.row)
            continue
        if node.type == "ERROR":
            if not node.children:
                rows.update(range(node.start_point.row, node.end_point.row + 1))
            for child in node.children:
                if child.type == "ERROR" or child.is_missing:
                    pending.append(child)
                elif child.type not in _STATEMENTS and child.type not in _OPERATORS and child.type != "\n":
                    rows.update(range(child.start_point.row, child.end_point.row + 1))
                else:
                    pending.append(child)
            continue
        if node.has_error:
            pending.extend(node.children)
    return rows


def _command(
    node: Node, operator: str | None, depth: int, redirected: Node | None, text: _Source
) -> dict[str, Any]:
    if node.type != "command":
        return _declaration(node, operator, depth, text)
    argv: list[str] = []
    assignments: list[dict[str, str]] = []
    redirects: list[dict[str, str]] = []
    # Where the last word of argv ends: a word that starts there belongs to it (see _add_word).
    last_end = -1
    for child in node.children:
        kind = child.type
        if kind == "word":
            # Most arguments are plain words: read them here rather than through _Source.word.
            word = _unescape(text.of(child))
        elif kind == "variable_assignment":
            name = child.child_by_field_name("name")
            value = child.child_by_field_name("value")
            assignments.append({"name": text.of(name) if name else "", "value": text.word(value) if value else ""})
            continue
        elif kind == "command_name":
            word = text.word(child.children[0]) if child.children else text.of(child)
        elif kind == "file_redirect":
            redirects.append(_redirect(child, text))
            continue
        elif kind in ("herestring_redirect", "heredoc_redirect"):
            continue
        elif not child.is_named:
            # An escape after a quoted string, as in " "\$, can come as an anonymous token: part of that word.
            if child.start_byte != last_end:
                continue
            word = _unescape(text.of(child))
        else:
            word = text.word(child)
        last_end = _add_word(argv, word, child, last_end)
    if redirected is not None:
        redirects.extend(_redirect(sibling, text) for sibling in redirected.children if sibling.type == "file_redirect")
    command = simple_command(argv, operator)
    if assignments:
        command["assignments"] = assignments
    if redirects:
        command["redirects"] = redirects
    if depth:
        command["depth"] = depth
    return command


def _declaration(node: Node, operator: str | None, depth: int, text: _Source) -> dict[str, Any]:
    """Describe ``export NAME=value``, ``declare``, ``local``, ``readonly`` or ``unset`` as an argv."""
    argv: list[str] = []
    last_end = -1
    for child in node.children:
        if not child.is_named:
            word = text.of(child)
        elif child.type == "variable_assignment":
            name = child.child_by_field_name("name")
            value = child.child_by_field_name("value")
            word = f"{text.of(name) if name else ''}={text.word(value) if value else ''}"
        else:
            word = text.word(child)
        last_end = _add_word(argv, word, child, last_end)
    command = simple_command(argv, operator)
    if depth:
        command["depth"] = depth
    return command


def _add_word(argv: list[str], word: str, node: Node, last_end: int) -> int:
    """Add a word to argv, or join it to the last one when nothing separates them; return where it ends.

    tree-sitter-bash leaves a quoted string followed by an escape, as in
    ``" "\\0``, as two nodes, where the shell reads one word.
    """
    # TODO: an escaped blank after a quoted string ("a"\ b) is no node at all, so the two words stay apart
    # here and in shell_tokens.py, where the shell reads one word "a b".
    if node.start_byte == last_end:
        argv[-1] += word
    else:
        argv.append(word)
    return node.end_byte


def simple_command(argv: list[str], operator: str | None = None) -> dict[str, Any]:
    """Build the dict of one simple command from its argv, with a package fact when it has one."""
    program = program_name(argv[0]) if argv else None
    if argv and argv[0].startswith(("$(", "`")):
        # The program is the output of a command substitution: there is no path to shorten.
        program = argv[0]
    command: dict[str, Any] = {"argv": argv, "program": program, "operator": operator, "text": " ".join(argv)}
    if packages.could_be_package_call(program):
        package = packages.describe(argv)
        if package is not None:
            command["package"] = package
    return command


def _heredoc_owner(entries: list[_Entry], offset: int, script: str) -> _Entry | None:
    """Find the command a heredoc opener belongs to: the one it follows, unless an operator comes between.

    A redirection may also come before the command name (``<<EOF sh``), so an
    opener that no command precedes belongs to the next one.
    """
    owner: _Entry | None = None
    for entry in entries:
        if entry.command.get("depth"):
            continue
        if entry.start > offset:
            if owner is None or _OPERATOR_TEXT.search(script, owner.end, offset):
                return entry
            return owner
        owner = entry
    return owner


def _unwrap(entry: _Entry) -> bool:
    """Parse the script a command runs (sh -c, or a heredoc read by a shell); return whether it failed."""
    command = entry.command
    if command.get("unparsed") or not command["argv"]:
        return False
    first = program_name(command["argv"][0])
    if first not in SHELLS and first not in packages.PREFIX_PROGRAMS:
        # Most commands run neither a shell nor a prefix such as sudo or env: nothing to unwrap.
        return False
    argv = strip_prefix_programs(command["argv"])
    script = shell_script_of(argv)
    depth = command.get("depth", 0) + 1
    if script is not None:
        line = command.get("line")
        # A substitution in a quoted -c script runs in the outer shell, which the walk already listed.
        inner, failed = parse_script(
            script, (lambda _: line) if line is not None else None, unwrap=False, substitutions=not entry.substituted
        )
        entry.nested = _deepen(inner, depth)
        return failed
    if not entry.heredocs or not argv or program_name(argv[0]) not in SHELLS or not _reads_stdin(argv):
        return False
    heredoc = entry.heredocs[0]
    inner, failed = parse_script(heredoc.body, heredoc.line_of, unwrap=False)
    entry.nested = _deepen(inner, depth)
    return failed


def _shifted(line_of: LineOf | None, offset: int) -> LineOf | None:
    if line_of is None:
        return None
    return lambda inner: line_of(offset + inner)


def _deepen(commands: list[dict[str, Any]], depth: int) -> list[dict[str, Any]]:
    for command in commands:
        command["depth"] = command.get("depth", 0) + depth
    return commands


def _reads_stdin(argv: list[str]) -> bool:
    """True when a shell's argv names no script file and has no -c, so it reads its script from stdin."""
    has_c, operand = _shell_options(argv)
    return not has_c and operand >= len(argv)


def strip_prefix_programs(argv: list[str]) -> list[str]:
    """Drop ``exec``, ``sudo``, ``env`` and similar prefixes (with their options) from an argv."""
    return packages.strip_prefixes(argv)[0]


def _redirected_statement(
    node: Node, stack: list[tuple[Iterator[Node], _Context, Node | None]]
) -> Node | None:
    """Find the redirected statement whose redirections, written after a list or pipeline, apply to this command.

    tree-sitter-bash attaches ``a && b > /x`` to the whole list, while the
    shell applies it to ``b`` alone, so a redirection belongs to the last
    command of the list or pipeline it follows. ``stack`` contains the command's
    parents, nearest last, as far as the walk has them.
    """
    level = len(stack) - 1
    parent = stack[level][2]
    while parent is not None and parent.type in ("list", "pipeline") and _last_named_child(parent) == node:
        node = parent
        level -= 1
        parent = stack[level][2] if level >= 0 else None
    if parent is None or parent.type != "redirected_statement":
        return None
    return parent


def _last_named_child(node: Node) -> Node | None:
    for child in reversed(node.children):
        if child.is_named:
            return child
    return None


def _redirect(node: Node, text: _Source) -> dict[str, str]:
    operator = ""
    target = ""
    descriptor = ""
    for child in node.children:
        if child.type == "file_descriptor":
            descriptor = text.of(child)
        elif not child.is_named:
            operator = text.of(child)
        else:
            target = text.word(child)
    return {"operator": f"{descriptor}{operator}", "target": target}


class _Source:
    """The text of one parsed script, read at the byte offsets of its nodes.

    A script of ASCII characters only, as most are, is sliced directly: its byte
    offsets are character offsets. Slicing costs less than ``Node.text``, which
    copies the bytes before they can be decoded.
    """

    __slots__ = ("_ascii", "_script", "_source")

    def __init__(self, script: str, source: bytes) -> None:
        self._script = script
        self._source = source
        self._ascii = len(script) == len(source)

    def of(self, node: Node) -> str:
        """Return the text of a node as written."""
        if self._ascii:
            return self._script[node.start_byte : node.end_byte]
        return self._source[node.start_byte : node.end_byte].decode("utf-8", "surrogatepass")

    def has_parenthesis_or_backquote(self, node: Node) -> bool:
        """Tell whether a node's text could hold a command or process substitution."""
        start, end = node.start_byte, node.end_byte
        return self._source.find(b"(", start, end) >= 0 or self._source.find(b"`", start, end) >= 0

    def word(self, node: Node) -> str:
        """Return the value of a shell word: quotes removed, escapes resolved, expansions as written."""
        kind = node.type
        if kind == "word":
            return _unescape(self.of(node))
        if kind == "raw_string":
            return self.of(node)[1:-1]
        if kind == "string":
            text = self.of(node)
            return _unescape_double_quoted(text[1:-1] if text.endswith('"') and len(text) >= 2 else text[1:])
        if kind == "concatenation":
            return "".join(self.word(child) for child in node.children)
        if kind == "ansi_c_string":
            return self.of(node)[2:-1]
        return self.of(node)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    result: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            index += 1
            if text[index] != "\n":
                result.append(text[index])
        else:
            result.append(char)
        index += 1
    return "".join(result)


def _unescape_double_quoted(text: str) -> str:
    if "\\" not in text:
        return text
    result: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in '"\\$`\n':
            index += 1
            if text[index] != "\n":
                result.append(text[index])
        else:
            result.append(char)
        index += 1
    return "".join(result)


def program_name(word: str) -> str:
    """Return the base name of a program path: ``/usr/bin/apt-get`` gives ``apt-get``."""
    return word.rstrip("/").rsplit("/", 1)[-1]


def _shell_options(argv: list[str]) -> tuple[bool, int]:
    """Read a shell's options; return whether -c is among them and the index of the first operand.

    ``-o NAME`` and ``-O NAME`` take the next word, so ``bash -o pipefail -c 'x'``
    runs ``x``; ``--`` ends the options.
    """
    has_c = False
    index = 2 if program_name(argv[0]) == "busybox" and len(argv) > 1 else 1
    while index < len(argv):
        word = argv[index]
        if word in ("--", "-"):
            return has_c, index + 1
        if word.startswith("--"):
            index += 1
            continue
        if len(word) < 2 or word[0] not in "-+":
            break
        flags = word[1:]
        has_c = has_c or "c" in flags
        index += 1 + flags.count("o") + flags.count("O")
    return has_c, index


def shell_script_of(argv: list[str]) -> str | None:
    """Return the script of ``sh -c SCRIPT`` style argv, or None when argv is not one."""
    if len(argv) < 3 or program_name(argv[0]) not in SHELLS:
        return None
    has_c, operand = _shell_options(argv)
    if has_c and operand < len(argv):
        return argv[operand]
    return None
