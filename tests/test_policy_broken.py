"""Broken policy files, one per kind of mistake: exit code 2 and a message naming file and line.

Each file in tests/policies/broken starts with ``# error: line N: TEXT``: the
line the message must name and text it must contain.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from prodpolicy.cli import main

from .helpers import ROOT

BROKEN = Path(__file__).parent / "policies" / "broken"
FILES = sorted(BROKEN.glob("*.yaml"))
HEADER = re.compile(r"^# error: line (?P<line>\d+): (?P<text>.+)$")
INPUT = ROOT / "examples" / "node-express" / "production.Dockerfile"


def expected_error(path: Path) -> tuple[int, str]:
    match = HEADER.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert match, f"{path.name} has no '# error: line N: text' header"
    return int(match.group("line")), match.group("text")


def test_there_are_at_least_twenty_kinds_of_mistake():
    assert len(FILES) >= 20


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_broken_policy_exits_2_naming_the_line(path, capsys):
    line, text = expected_error(path)

    code = main(["eval", "--isolated", "--policy", str(path), str(INPUT)])
    captured = capsys.readouterr()

    assert code == 2
    assert captured.out == ""
    messages = [entry.strip() for entry in captured.err.splitlines()[1:]]
    at_line = [message for message in messages if message.startswith(f"{path}:{line}:")]
    assert at_line, f"no message names {path}:{line}:\n{captured.err}"
    assert any(text in message for message in at_line), f"no message at line {line} says {text!r}:\n{captured.err}"


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_broken_policy_fails_the_test_command_too(path, capsys):
    code = main(["test", str(path)])
    captured = capsys.readouterr()

    assert code == 2
    assert f"{path}:{expected_error(path)[0]}:" in captured.err
