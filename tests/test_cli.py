"""The command line: exit codes, report shapes and error handling."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from prodpolicy.cli import main

from .helpers import CASES, ROOT

EXAMPLES = ROOT / "examples" / "node-express"


def run(capsys, *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_naive_example_fails_with_located_findings(capsys):
    code, out, _ = run(capsys, "eval", str(EXAMPLES / "naive.Dockerfile"))
    assert code == 1
    path = EXAMPLES / "naive.Dockerfile"
    assert f"{path}:1: high RT101 runs-as-root:" in out
    assert f"{path}:4: high SC101 secret-file-copied:" in out
    assert f"{path}:7: high RT301 dev-server-command:" in out
    assert out.rstrip().endswith("5 findings (3 high, 1 medium, 1 low) in 1 file.")


def test_production_example_passes(capsys):
    code, out, _ = run(capsys, "eval", str(EXAMPLES / "production.Dockerfile"))
    assert code == 0
    assert out == "0 findings in 1 file.\n"


def test_json_report_shape(capsys):
    code, out, _ = run(capsys, "eval", "--format", "json", str(EXAMPLES / "naive.Dockerfile"))
    report = json.loads(out)
    assert code == 1
    assert set(report) == {"version", "findings", "errors", "summary"}
    first = report["findings"][0]
    assert set(first) >= {"rule_id", "rule_name", "severity", "message", "file", "line", "end_line", "path", "fingerprint"}
    assert [(item["rule_id"], item["line"]) for item in report["findings"]] == [
        ("DF102", 1),
        ("RT101", 1),
        ("RT201", 1),
        ("SC101", 4),
        ("RT301", 7),
    ]
    assert report["findings"][3]["path"] == "$['stages'][0]['instructions'][3]"
    assert report["summary"] == {
        "files": 1,
        "findings": 5,
        "suppressed": 0,
        "errors": 0,
        "by_severity": {"critical": 0, "high": 3, "medium": 1, "low": 1, "info": 0},
    }


def test_fail_on_threshold(capsys):
    assert run(capsys, "eval", "--fail-on", "critical", str(EXAMPLES / "naive.Dockerfile"))[0] == 0
    assert run(capsys, "eval", "--fail-on", "high", str(EXAMPLES / "naive.Dockerfile"))[0] == 1
    assert run(capsys, "eval", "--fail-on", "none", str(EXAMPLES / "naive.Dockerfile"))[0] == 0


def test_bad_inputs_are_errors_and_the_batch_goes_on(capsys):
    code, out, _ = run(capsys, "eval", "--format", "json", str(CASES / "syntax"))
    report = json.loads(out)
    assert code == 2
    errors = {(error["file"].rsplit("/", 1)[-1], error["line"]) for error in report["errors"]}
    assert errors == {
        ("26-garbage.Dockerfile", 1),
        ("28-unknown-instruction.Dockerfile", 2),
        ("29-empty.Dockerfile", None),
        ("30-unterminated-heredoc.Dockerfile", 2),
        ("31-only-comments.Dockerfile", None),
        ("32-no-from.Dockerfile", 1),
    }
    evaluated = {finding["file"].rsplit("/", 1)[-1] for finding in report["findings"]}
    assert "realistic-60.Dockerfile" not in evaluated
    assert "01-continuation.Dockerfile" in evaluated


def test_missing_file(capsys):
    code, out, _ = run(capsys, "eval", "does-not-exist.Dockerfile")
    assert code == 2
    assert "does-not-exist.Dockerfile: error: file not found" in out


def test_unknown_kind_for_an_explicit_file(tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("hello\n", encoding="utf-8")
    code, out, _ = run(capsys, "eval", str(path))
    assert code == 2
    assert "cannot tell what kind of input this is" in out


def test_invalid_policy_exits_2_with_line(tmp_path, capsys):
    policy = tmp_path / "policy.yaml"
    policy.write_text("apiVersion: prodpolicy/v1\nkind: Policy\nrulez: []\n", encoding="utf-8")
    code, out, err = run(capsys, "eval", "--policy", str(policy), str(EXAMPLES / "naive.Dockerfile"))
    assert code == 2
    assert out == ""
    assert f"{policy}:3:1: unknown key 'rulez'" in err


def test_rules_listing(capsys):
    code, out, _ = run(capsys, "rules", "--format", "json")
    rules = json.loads(out)
    assert code == 0
    assert [rule["id"] for rule in rules] == sorted(rule["id"] for rule in rules)
    runs_as_root = next(rule for rule in rules if rule["id"] == "RT101")
    assert runs_as_root["name"] == "runs-as-root"
    assert runs_as_root["severity"] == "high"
    assert "hadolint:DL3002" in runs_as_root["references"]


def test_normalize_prints_the_document(capsys):
    code, out, _ = run(capsys, "normalize", str(CASES / "syntax" / "16-user.Dockerfile"))
    document = json.loads(out)
    assert code == 0
    assert document["kind"] == "dockerfile"
    assert document["runtimes"][0]["user"]["raw"] == "root:root"


@pytest.mark.parametrize("module_call", [["-m", "prodpolicy", "--version"]])
def test_python_dash_m(module_call):
    completed = subprocess.run([sys.executable, *module_call], capture_output=True, text=True, check=False)
    assert completed.returncode == 0
    assert completed.stdout.startswith("prodpolicy ")


def test_runs_from_another_directory(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "prodpolicy", "eval", "--format", "json", str(EXAMPLES / "naive.Dockerfile")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert len(json.loads(completed.stdout)["findings"]) == 5
