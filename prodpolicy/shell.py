"""Parse shell scripts (RUN lines, shell-form commands, heredoc bodies) into simple commands.

Each simple command becomes a dict with its ``argv``, the ``program`` (the base
name of ``argv[0]``), the ``operator`` that joins it to the previous command
(``&&``, ``||``, ``;``, ``|``, ``&`` or None for the first), its variable
``assignments`` and file ``redirects``. Rules match these facts instead of
matching raw text, so ``apt-get  install`` and ``apt-get install`` are the same.

The parser is tree-sitter-bash, which reads ``case``, ``[[ ]]``, ``$(( ))`` and
quoting correctly. Text it cannot fully parse is still split into commands as
far as the grammar recovered, and the result carries ``error: True`` so a rule
can tell.
"""

from __future__ import annotations

import functools
from typing import Any

import tree_sitter
import tree_sitter_bash

# Shells whose ``-c`` argument is itself a script.
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"})
_OPERATORS = frozenset({"&&", "||", ";", "|", "|&", "&", ";;"})


@functools.cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


def parse_script(script: str) -> tuple[list[dict[str, Any]], bool]:
    """Split a shell script into simple commands; return them and whether parsing failed anywhere."""
    if not script.strip():
        return [], False
    source = script.encode("utf-8", "surrogatepass")
    tree = _parser().parse(source)
    commands: list[dict[str, Any]] = []
    _Walker(commands).visit(tree.root_node)
    return commands, tree.root_node.has_error


class _Walker:
    """Collects simple commands in source order.

    A command's operator is the last operator token seen since the previous
    command; commands separated only by a newline are joined by ``;``.
    """

    def __init__(self, commands: list[dict[str, Any]]) -> None:
        self.commands = commands
        self.pending: str | None = None

    def visit(self, node: tree_sitter.Node) -> None:
        kind = node.type
        if kind == "command":
            operator = (self.pending or ";") if self.commands else None
            self.commands.append(_command(node, operator))
            self.pending = None
            return
        if kind in _OPERATORS:
            self.pending = kind
            return
        if kind in ("heredoc_body", "comment"):
            return
        for child in node.children:
            self.visit(child)


def _command(node: tree_sitter.Node, operator: str | None) -> dict[str, Any]:
    argv: list[str] = []
    assignments: list[dict[str, str]] = []
    redirects: list[dict[str, str]] = []
    for child in node.children:
        kind = child.type
        if kind == "variable_assignment":
            name = child.child_by_field_name("name")
            value = child.child_by_field_name("value")
            assignments.append({"name": _text(name) if name else "", "value": word_text(value) if value else ""})
        elif kind == "command_name":
            argv.append(word_text(child.children[0]) if child.children else _text(child))
        elif kind == "file_redirect":
            redirects.append(_redirect(child))
        elif kind in ("herestring_redirect", "heredoc_redirect"):
            continue
        elif child.is_named:
            argv.append(word_text(child))
    parent = node.parent
    if parent is not None and parent.type == "redirected_statement":
        for sibling in parent.children:
            if sibling.type == "file_redirect":
                redirects.append(_redirect(sibling))
    command: dict[str, Any] = {
        "argv": argv,
        "program": program_name(argv[0]) if argv else None,
        "operator": operator,
        "text": " ".join(argv),
    }
    if assignments:
        command["assignments"] = assignments
    if redirects:
        command["redirects"] = redirects
    return command


def _redirect(node: tree_sitter.Node) -> dict[str, str]:
    operator = ""
    target = ""
    descriptor = ""
    for child in node.children:
        if child.type == "file_descriptor":
            descriptor = _text(child)
        elif not child.is_named:
            operator = _text(child)
        else:
            target = word_text(child)
    return {"operator": f"{descriptor}{operator}", "target": target}


def _text(node: tree_sitter.Node) -> str:
    return node.text.decode("utf-8", "surrogatepass") if node.text is not None else ""


def word_text(node: tree_sitter.Node) -> str:
    """Return the value of a shell word: quotes removed, escapes resolved, expansions as written."""
    kind = node.type
    if kind == "raw_string":
        return _text(node)[1:-1]
    if kind == "string":
        text = _text(node)
        return _unescape_double_quoted(text[1:-1] if text.endswith('"') and len(text) >= 2 else text[1:])
    if kind == "word":
        return _unescape(_text(node))
    if kind == "concatenation":
        return "".join(word_text(child) for child in node.children)
    if kind == "ansi_c_string":
        return _text(node)[2:-1]
    return _text(node)


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


def shell_script_of(argv: list[str]) -> str | None:
    """Return the script of ``sh -c SCRIPT`` style argv, or None when argv is not one."""
    if len(argv) < 3 or program_name(argv[0]) not in SHELLS:
        return None
    for index, argument in enumerate(argv[1:], start=1):
        if argument.startswith("-") and not argument.startswith("--") and "c" in argument[1:]:
            return argv[index + 1] if index + 1 < len(argv) else None
        if not argument.startswith("-"):
            return None
    return None
