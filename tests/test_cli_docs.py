"""docs/cli.md documents every command and option, and each of its examples runs.

The examples run in a folder holding a copy of examples/, a Dockerfile, the
YAML files the page shows with a ``# file-name`` first line and a baseline
written from services/. The examples in each command's ``--help`` run there too.
An example may end with ``< FILE``, which becomes its standard input.
"""

from __future__ import annotations

import argparse
import io
import re
import shlex
import shutil
import sys

import pytest

from prodpolicy.cli import build_parser, main

from .helpers import ROOT

CLI_DOC = ROOT / "docs" / "cli.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def code_blocks(language: str) -> list[str]:
    text = CLI_DOC.read_text(encoding="utf-8")
    return [body for lang, body in FENCE.findall(text) if lang == language]


def documented_commands() -> list[str]:
    return [line for block in code_blocks("sh") for line in block.splitlines() if line.startswith("prodpolicy ")]


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    return dict(action.choices)


def help_examples() -> list[str]:
    parsers = [build_parser(), *subcommands().values()]
    examples = []
    for parser in parsers:
        epilog = parser.epilog or ""
        if "examples:" not in epilog:
            continue
        section = epilog.split("examples:", 1)[1].split("\n\n", 1)[0]
        for line in section.splitlines():
            # An example may be followed by two or more spaces and a description of what it does.
            command = re.split(r"\s{2,}", line.strip())[0]
            if command.startswith("prodpolicy"):
                examples.append(command)
    return examples


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copy(ROOT / "examples" / "node-express" / "production.Dockerfile", tmp_path / "Dockerfile")
    (tmp_path / "services" / "api").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "node-express" / "naive.Dockerfile", tmp_path / "services" / "api" / "Dockerfile")
    for block in code_blocks("yaml"):
        first, _, rest = block.partition("\n")
        name = first.removeprefix("# ").strip()
        if first.startswith("# ") and "/" not in name and name.endswith(".yaml"):
            (tmp_path / name).write_text(block, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["eval", "services/", "--write-baseline", "prodpolicy-baseline.json", "--quiet"]) == 0
    return tmp_path


def run_command(line: str, capsys, monkeypatch=None) -> tuple[int, str, str]:
    arguments = shlex.split(line)
    assert arguments[0] == "prodpolicy"
    if "<" in arguments:
        assert monkeypatch is not None, f"{line!r} reads standard input"
        position = arguments.index("<")
        with open(arguments[position + 1], "rb") as handle:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(handle.read())))
        arguments = arguments[:position]
    try:
        code = main(arguments[1:])
    except SystemExit as exit_:  # --help and --version exit through argparse
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_doc_has_examples():
    assert len(documented_commands()) >= 15


@pytest.mark.parametrize("line", documented_commands())
def test_cli_doc_example_runs(workspace, capsys, monkeypatch, line):
    code, out, err = run_command(line, capsys, monkeypatch)
    assert code in (0, 1), f"{line!r} exited with {code}: {err}"
    assert "usage:" not in err
    output = re.search(r"--output (\S+)", line)
    if output:
        assert (workspace / output.group(1)).stat().st_size > 0
    else:
        assert out


@pytest.mark.parametrize("line", help_examples())
def test_help_example_runs(workspace, capsys, monkeypatch, line):
    code, _, err = run_command(line, capsys, monkeypatch)
    assert code in (0, 1), f"{line!r} exited with {code}: {err}"


def test_help_has_examples():
    assert "examples:" in (build_parser().epilog or "")
    commands = subcommands()
    for name in ("eval", "explain", "rules", "schema"):
        assert "examples:" in (commands[name].epilog or ""), f"prodpolicy {name} --help shows no examples"


def test_cli_doc_lists_every_command():
    text = CLI_DOC.read_text(encoding="utf-8")
    for name in subcommands():
        assert f"## prodpolicy {name}\n" in text, f"docs/cli.md has no section for prodpolicy {name}"


def test_cli_doc_lists_every_option():
    text = CLI_DOC.read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.MULTILINE)
    for name, parser in subcommands().items():
        section = next((part for part in sections if part.startswith(f"prodpolicy {name}\n")), "")
        for action in parser._actions:
            for option in action.option_strings:
                if option in ("-h", "--help"):
                    continue
                assert f"`{option}" in section, f"docs/cli.md does not document {option} of prodpolicy {name}"
    for option in ("--version", "--help"):
        assert f"`{option}`" in sections[0]
