"""The scripts RUN, CMD, ENTRYPOINT and HEALTHCHECK run, and the commands inside them.

Shell form runs the text with the effective SHELL, so a script is parsed as
POSIX shell only when that SHELL is a POSIX shell. Under ``powershell`` or
``cmd`` the text is kept as the script and no commands are listed.

RUN with heredocs follows BuildKit. ``RUN <<EOF`` alone runs the body as the
script, or as a file run by its interpreter when the body starts with ``#!``.
Any other command line runs with the heredocs as the input of its commands, so
``RUN python3 <<EOF`` feeds the body to python3 and ``RUN bash <<EOF`` runs it
as a script.
"""

from __future__ import annotations

import re
from typing import Any

from .. import shell
from .lexer import Heredoc, RawInstruction, find_heredocs

_LEADING_TABS = re.compile(r"(?m)^\t+")


def exec_form(argv: list[str], line: int) -> tuple[dict[str, Any], list[dict[str, Any]], bool]:
    """Return the process and commands of an exec-form argv, and whether a nested script failed to parse."""
    commands, failed = shell.argv_commands(argv, line)
    return {"form": "exec", "argv": list(argv)}, commands, failed


def shell_form(raw: RawInstruction, script: str, shell_argv: list[str]) -> dict[str, Any]:
    """Describe a shell-form script that starts in the logical line: process, language and commands."""
    offset = raw.suffix_offset(script)
    language = shell.script_language(shell_argv)
    result: dict[str, Any] = {
        "process": {"form": "shell", "argv": [*shell_argv, script], "script": script},
        "script_language": language,
    }
    if language == "posix":
        commands, failed = shell.parse_script(script, lambda position: raw.line_at(offset + position))
        _store_commands(result, commands, failed)
    return result


def run_script(raw: RawInstruction, shell_argv: list[str]) -> dict[str, Any]:
    """Describe what a shell-form RUN runs, heredoc bodies included."""
    if not raw.heredocs:
        return shell_form(raw, raw.arguments_text, shell_argv)
    if _is_single_heredoc(raw.arguments_text):
        return _heredoc_as_script(raw.heredocs[0], shell_argv)
    return _command_line_with_heredocs(raw, shell_argv)


def _is_single_heredoc(text: str) -> bool:
    openers = find_heredocs(text)
    return len(openers) == 1 and openers[0].opener_start == 0 and openers[0].opener_end == len(text)


def _body(heredoc: Heredoc, chomp: bool) -> str:
    # Parse the body the way a shell on Linux reads it; CRLF line ends are kept in the model's content only.
    body = heredoc.content.replace("\r\n", "\n")
    return _LEADING_TABS.sub("", body) if chomp else body


def _body_lines(heredoc: Heredoc, body: str) -> shell.LineOf:
    return lambda position: heredoc.start_line + body.count("\n", 0, position)


def _heredoc_as_script(heredoc: Heredoc, shell_argv: list[str]) -> dict[str, Any]:
    body = _body(heredoc, heredoc.chomp)
    if body.startswith("#!"):
        # BuildKit writes the body to a file and runs it, so its #! line picks the interpreter.
        interpreter = body[2:].split("\n", 1)[0].split()
        language = shell.script_language(interpreter) if interpreter else "posix"
        argv = [*shell_argv, f"/dev/pipes/{heredoc.name}"]
    else:
        language = shell.script_language(shell_argv)
        argv = [*shell_argv, body]
    result: dict[str, Any] = {"process": {"form": "shell", "argv": argv, "script": body}, "script_language": language}
    if language == "posix":
        commands, failed = shell.parse_script(body, _body_lines(heredoc, body))
        _store_commands(result, commands, failed)
    return result


def _command_line_with_heredocs(raw: RawInstruction, shell_argv: list[str]) -> dict[str, Any]:
    """Parse the command line with the heredoc openers blanked out; bodies go to the commands that read them."""
    text = raw.arguments_text
    script = text + "".join(f"\n{heredoc.content}{heredoc.name}" for heredoc in raw.heredocs)
    language = shell.script_language(shell_argv)
    result: dict[str, Any] = {
        "process": {"form": "shell", "argv": [*shell_argv, script], "script": script},
        "script_language": language,
    }
    if language != "posix":
        return result
    shift = raw.arguments_offset
    characters = list(text)
    attached: list[shell.ScriptHeredoc] = []
    for heredoc in raw.heredocs:
        start, end = heredoc.opener_start - shift, heredoc.opener_end - shift
        characters[start:end] = " " * (end - start)
        # The shell itself strips the tabs of a <<- body before the command reads it.
        body = _body(heredoc, heredoc.chomp)
        attached.append(shell.ScriptHeredoc(start, body, _body_lines(heredoc, body)))
    blanked = "".join(characters)
    commands, failed = shell.parse_script(
        blanked, lambda position: raw.line_at(shift + position), heredocs=attached
    )
    _store_commands(result, commands, failed)
    return result


def _store_commands(result: dict[str, Any], commands: list[dict[str, Any]], failed: bool) -> None:
    result["commands"] = commands
    if failed:
        result["shell_error"] = True
