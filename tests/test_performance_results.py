"""The speed-ups change no result: the same report with and without them, with --jobs and with the cache on or off.

The corpus comes from bench/corpus.py with its fixed seed: Dockerfiles of many
shapes, compose files and docker inspect files. Each configuration runs the
command line in a process of its own, as a user would, and the JSON reports
must be equal byte for byte. No test here is timed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import ROOT

PLAIN = "PRODPOLICY_PLAIN_EVALUATION"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("corpus")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "corpus.py"), "--out", str(folder), "--dockerfiles", "120", "--compose", "60",
         "--images", "30"],
        check=True,
        capture_output=True,
    )
    # An ignore file beside the Dockerfiles, found by listing their folder or by trying to open it.
    (folder / "dockerfiles" / ".dockerignore").write_text("*.md\nsecrets/\n.env\n", encoding="utf-8")
    # A folder changed in the last 3 seconds is not listed (see dockerignore._ignore_files_in), so date them back.
    for path in (folder, *folder.rglob("*")):
        if path.is_dir():
            stamp = path.stat().st_mtime - 60
            os.utime(path, (stamp, stamp))
    return sorted(str(path) for path in folder.rglob("*") if path.is_file() and path.name != ".dockerignore")


def evaluate(files: list[str], cache: Path, *options: str, plain: bool = False, use_cache: bool = True) -> str:
    env = dict(os.environ)
    env["PRODPOLICY_CACHE_DIR"] = str(cache)
    env.pop(PLAIN, None)
    env.pop("PRODPOLICY_NO_CACHE", None)
    if plain:
        env[PLAIN] = "1"
    if not use_cache:
        env["PRODPOLICY_NO_CACHE"] = "1"
    completed = subprocess.run(
        [sys.executable, "-m", "prodpolicy", "eval", "--format", "json", "--fail-on", "none", "-q", *options, *files],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


@pytest.fixture(scope="module")
def reference(corpus: list[str], tmp_path_factory: pytest.TempPathFactory) -> str:
    """The report of the straightforward evaluation: every node tested, one RE2 search per pattern, no cache."""
    return evaluate(corpus, tmp_path_factory.mktemp("unused-cache"), plain=True, use_cache=False)


def test_reference_report_has_findings(reference: str) -> None:
    report = json.loads(reference)
    assert report["summary"]["files"] == 210
    assert report["summary"]["findings"] > 1000
    assert report["errors"] == []
    rule_ids = {finding["rule_id"] for finding in report["findings"]}
    assert {"DF101", "DF401", "CP101", "RT101"} <= rule_ids


def test_optimized_same_report(corpus: list[str], reference: str, tmp_path: Path) -> None:
    assert evaluate(corpus, tmp_path, use_cache=False) == reference


def test_cache_same_report(corpus: list[str], reference: str, tmp_path: Path) -> None:
    written = evaluate(corpus, tmp_path)
    entries = sorted(path.name.split("-")[0] for path in tmp_path.iterdir())
    assert entries == ["bundled", "document"]
    read = evaluate(corpus, tmp_path)
    assert written == reference
    assert read == reference


def test_no_cache_option_writes_nothing(corpus: list[str], reference: str, tmp_path: Path) -> None:
    assert evaluate(corpus, tmp_path, "--no-cache") == reference
    assert list(tmp_path.iterdir()) == []


def test_two_jobs_same_report(corpus: list[str], reference: str, tmp_path: Path) -> None:
    assert evaluate(corpus, tmp_path, "--jobs", "2") == reference


def test_profile_rules_same_report(corpus: list[str], reference: str, tmp_path: Path) -> None:
    assert evaluate(corpus, tmp_path, "--profile-rules", "--jobs", "2") == reference


def test_streamed_json_same_text(corpus: list[str], tmp_path: Path) -> None:
    from prodpolicy.api import evaluate_inputs
    from prodpolicy.commands.output_options import _stream_json
    from prodpolicy.discovery import Found
    from prodpolicy.policy.load import load_policy
    from prodpolicy.report import render

    report = evaluate_inputs([Found(file, True) for file in corpus], load_policy())
    streamed = tmp_path / "report.json"
    assert _stream_json(report, str(streamed))
    assert streamed.read_text(encoding="utf-8") == render("json", report)
    assert len(report.findings) > 1000
