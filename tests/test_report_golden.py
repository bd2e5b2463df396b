"""Golden files: every report format on the examples, an input with errors and one with a suppression.

The expected outputs live in tests/golden/. After an intended change to a format,
regenerate them and review the diff:

    PRODPOLICY_UPDATE_GOLDEN=1 python -m pytest tests/test_report_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from prodpolicy.cli import main

from .helpers import ROOT

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("PRODPOLICY_UPDATE_GOLDEN") == "1"

# Input paths relative to the repository root, which the reports print as given.
CASES = {
    "naive": ["examples/node-express/naive.Dockerfile"],
    "production": ["examples/node-express/production.Dockerfile"],
    "input-error": ["tests/golden/inputs/broken.Dockerfile", "tests/golden/inputs/unterminated.Dockerfile"],
    "suppressed": ["tests/golden/inputs/suppressed.Dockerfile"],
}
EXIT_CODES = {"naive": 1, "production": 0, "input-error": 2, "suppressed": 1}
SUFFIXES = {
    "text": "txt",
    "json": "json",
    "sarif": "sarif",
    "junit": "junit.xml",
    "github": "github.txt",
    "gitlab": "gitlab.json",
    "checkstyle": "checkstyle.xml",
}
# The secret in tests/golden/inputs/suppressed.Dockerfile, which no format may print.
SECRET = "ghp_Zx8Qw2Er4Ty6Ui8Op0As2Df4Gh6Jk8Lz0Xc2V"


def run_eval(monkeypatch, capsys, *arguments: str) -> tuple[int, str]:
    monkeypatch.chdir(ROOT)
    code = main(["eval", "--no-progress", *arguments])
    return code, capsys.readouterr().out


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run PRODPOLICY_UPDATE_GOLDEN=1 python -m pytest {__file__}"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{path} differs; if the change is intended, regenerate with PRODPOLICY_UPDATE_GOLDEN=1"


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("format_name", sorted(SUFFIXES))
def test_golden_output(monkeypatch, capsys, case, format_name):
    code, out = run_eval(monkeypatch, capsys, "--format", format_name, "--color", "never", *CASES[case])
    assert code == EXIT_CODES[case]
    check_golden(f"{case}.{SUFFIXES[format_name]}", out)


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_text_in_colour(monkeypatch, capsys, case):
    code, out = run_eval(monkeypatch, capsys, "--color", "always", *CASES[case])
    assert code == EXIT_CODES[case]
    assert "\x1b[" in out
    check_golden(f"{case}.color.txt", out)


@pytest.mark.parametrize("format_name", sorted(SUFFIXES))
def test_no_format_prints_the_secret(monkeypatch, capsys, format_name):
    _, out = run_eval(monkeypatch, capsys, "--format", format_name, *CASES["suppressed"])
    assert SECRET not in out
    assert SECRET[:8] not in out


def test_every_format_has_goldens():
    expected = {f"{case}.{suffix}" for case in CASES for suffix in SUFFIXES.values()}
    expected |= {f"{case}.color.txt" for case in CASES}
    present = {path.name for path in GOLDEN.iterdir() if path.is_file()}
    assert expected <= present
    assert present - expected == set(), "golden files that no test reads"
