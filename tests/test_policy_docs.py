"""Every example in docs/policies.md runs: its files load and pass their tests, its commands print what it shows.

Conventions of the page, which these tests rely on:

* a ```yaml, ```toml or ```dockerfile block starts with ``# file: PATH`` and is
  written to that path in a temporary folder before anything runs;
* a policy file named ``broken*.yaml`` must fail to load; every other one must
  load and pass its rules' test cases;
* a ```console block holds ``$ prodpolicy ...`` lines, each followed by its
  output; a line ``...`` in the output stands for any number of lines;
* ``prodpolicy eval`` output is compared by finding (file, line, severity, rule
  and message), so the layout of the text report may change without breaking
  the page. It runs as if on the day ``DOC_TODAY``, before the page's
  exceptions expire.
"""

from __future__ import annotations

import datetime
import re
import shlex
from pathlib import Path

import pytest

from prodpolicy.api import evaluate_paths
from prodpolicy.cli import build_parser, main
from prodpolicy.commands.policy_options import load_input_policies_from_arguments
from prodpolicy.errors import PolicyError
from prodpolicy.policy.load import load_policy
from prodpolicy.policy.testing import run_policy_tests

from .helpers import ROOT

DOC = ROOT / "docs" / "policies.md"
DOC_TODAY = datetime.date(2030, 1, 1)
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
FINDING = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+)(?::\d+)?: (?P<severity>\w+) (?P<rule>[A-Z][A-Z0-9]*[0-9]{3}) \S+: (?P<message>.*)$")


def blocks() -> list[tuple[str, str]]:
    return FENCE.findall(DOC.read_text(encoding="utf-8"))


def files() -> dict[str, str]:
    found: dict[str, str] = {}
    for language, body in blocks():
        if language in ("yaml", "toml", "dockerfile"):
            first = body.splitlines()[0]
            assert first.startswith("# file: "), f"a {language} block has no '# file: PATH' line: {first!r}"
            found[first[len("# file: ") :].strip()] = body
    return found


def commands() -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for language, body in blocks():
        if language != "console":
            continue
        for line in body.splitlines():
            if line.startswith("$ "):
                found.append((line[2:], []))
            else:
                found[-1][1].append(line)
    return found


def policy_files() -> list[str]:
    return [name for name in files() if name.endswith((".yaml", ".toml"))]


def matches(expected: list[str], actual: list[str]) -> bool:
    """Match lines where an expected ``...`` stands for any number of lines."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[start:]) for start in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    for name, body in files().items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_page_has_examples_of_every_kind():
    languages = {language for language, _ in blocks()}

    assert {"yaml", "toml", "dockerfile", "console"} <= languages
    assert len(commands()) >= 5


@pytest.mark.parametrize("name", policy_files())
def test_policy_file_of_the_page(workspace, name):
    path = workspace / name
    configuration = name.endswith(".toml") or name.startswith(".prodpolicy")
    if name.startswith("broken"):
        with pytest.raises(PolicyError):
            load_policy([path])
        return

    policy = load_policy(config=path) if configuration else load_policy([path])
    failures = [result.describe() for result in run_policy_tests(policy) if not result.passed]

    assert failures == []


@pytest.mark.parametrize(("command", "expected"), commands(), ids=[command for command, _ in commands()])
def test_command_of_the_page(workspace, capsys, command, expected):
    arguments = shlex.split(command)
    assert arguments[0] == "prodpolicy"
    arguments = arguments[1:]

    if arguments[0] == "eval" and not (expected and expected[0].startswith("prodpolicy: the policy is invalid")):
        parsed = build_parser().parse_args(arguments)
        policies = load_input_policies_from_arguments(parsed, [])
        report = evaluate_paths(parsed.paths, policies, kind=parsed.kind, today=DOC_TODAY)
        actual = [
            (finding.file, finding.line, finding.severity, finding.rule_id, finding.message)
            for finding in report.active_findings()
        ]
        shown = [FINDING.match(line) for line in expected]
        assert actual == [
            (match["file"], int(match["line"]), match["severity"], match["rule"], match["message"]) for match in shown if match
        ]
        return

    code = main(arguments)
    captured = capsys.readouterr()
    output = captured.err if arguments[0] == "eval" else captured.out

    assert code == (2 if arguments[0] == "eval" else 0)
    assert matches(expected, output.splitlines()), output
