"""Run BuildKit's Dockerfile parser (the ``dockerfile`` package) in a child process.

The package embeds a Go runtime that has, now and then, crashed the whole test
process with a fatal error. Parsing in a child process keeps such a crash out
of the test run; a crashed child is started again.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

ATTEMPTS = 3


@dataclass(frozen=True)
class Heredoc:
    name: str
    file_descriptor: int
    content: str


@dataclass(frozen=True)
class Command:
    """One instruction as BuildKit's parser returns it."""

    cmd: str
    sub_cmd: str | None
    json: bool
    original: str
    start_line: int
    end_line: int
    flags: tuple[str, ...]
    value: tuple[str, ...]
    heredocs: tuple[Heredoc, ...]


class ParseError(Exception):
    """BuildKit rejected the Dockerfile."""


def parse_all(texts: list[str]) -> list[list[Command] | ParseError]:
    """Parse every text in one child process; each result is the commands or the parse error."""
    payload = json.dumps(texts)
    failure = ""
    for _ in range(ATTEMPTS):
        completed = subprocess.run(
            [sys.executable, __file__], input=payload, capture_output=True, text=True, check=False, timeout=300
        )
        if completed.returncode == 0:
            return [_result(item) for item in json.loads(completed.stdout)]
        failure = completed.stderr[-2000:]
    raise RuntimeError(f"the BuildKit parser process failed {ATTEMPTS} times:\n{failure}")


def _result(item: dict[str, Any]) -> list[Command] | ParseError:
    if "error" in item:
        return ParseError(item["error"])
    commands = []
    for command in item["commands"]:
        heredocs = tuple(Heredoc(**heredoc) for heredoc in command.pop("heredocs"))
        commands.append(
            Command(**{**command, "flags": tuple(command["flags"]), "value": tuple(command["value"]), "heredocs": heredocs})
        )
    return commands


def _parse_in_child() -> None:
    import dockerfile

    results: list[dict[str, Any]] = []
    for text in json.load(sys.stdin):
        try:
            commands = dockerfile.parse_string(text)
        except dockerfile.GoParseError as error:
            results.append({"error": str(error)})
            continue
        results.append(
            {
                "commands": [
                    {
                        "cmd": command.cmd,
                        "sub_cmd": command.sub_cmd,
                        "json": command.json,
                        "original": command.original,
                        "start_line": command.start_line,
                        "end_line": command.end_line,
                        "flags": list(command.flags),
                        "value": list(command.value),
                        "heredocs": [
                            {"name": heredoc.name, "file_descriptor": heredoc.file_descriptor, "content": heredoc.content}
                            for heredoc in command.heredocs
                        ],
                    }
                    for command in commands
                ]
            }
        )
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    _parse_in_child()
