"""The command line: exit codes, report shapes and error handling."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from prodpolicy import __version__
from prodpolicy.cli import main

from .helpers import CASES, ROOT

EXAMPLES = ROOT / "examples" / "node-express"
# Every finding of the bundled ruleset on the naive example, as (rule id, line): the example exists to show them.
NAIVE_FINDINGS = [
    ("DF102", 1),
    ("DF104", 1),
    ("RT101", 1),
    ("RT201", 1),
    ("RT401", 1),
    ("SC101", 4),
    ("DF201", 5),
    ("DF402", 5),
    ("DF403", 5),
    ("RT301", 7),
]


def run(capsys, *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_naive_example_fails_with_located_findings(capsys):
    code, out, _ = run(capsys, "eval", str(EXAMPLES / "naive.Dockerfile"))
    assert code == 1
    path = EXAMPLES / "naive.Dockerfile"
    assert f"{path}:1:1: high RT101 runs-as-root:" in out
    assert f"{path}:4:1: high SC101 secret-file-copied:" in out
    assert f"{path}:7:1: high RT301 dev-server-command:" in out
    assert f"{path}:1:1: medium DF104 base-image-end-of-life: base image node:20 is an end-of-life release" in out
    assert out.rstrip().endswith("10 findings (3 high, 4 medium, 3 low) in 1 file.")


def test_production_example_passes(capsys):
    code, out, _ = run(capsys, "eval", str(EXAMPLES / "production.Dockerfile"))
    assert code == 0
    assert out == "0 findings in 1 file.\n"


def test_production_example_has_no_finding_at_any_severity(capsys):
    code, out, _ = run(capsys, "eval", "--fail-on", "info", "--format", "json", str(EXAMPLES / "production.Dockerfile"))

    assert code == 0
    assert json.loads(out)["findings"] == []


def test_json_report_shape(capsys):
    code, out, _ = run(capsys, "eval", "--format", "json", str(EXAMPLES / "naive.Dockerfile"))
    report = json.loads(out)
    assert code == 1
    assert set(report) == {"version", "findings", "errors", "summary"}
    first = report["findings"][0]
    assert set(first) >= {"rule_id", "rule_name", "severity", "message", "file", "line", "end_line", "path", "fingerprint"}
    assert [(item["rule_id"], item["line"]) for item in report["findings"]] == NAIVE_FINDINGS
    assert report["findings"][5]["path"] == "$['stages'][0]['instructions'][3]"
    assert report["summary"] == {
        "files": 1,
        "findings": 10,
        "suppressed": 0,
        "errors": 0,
        "by_severity": {"critical": 0, "high": 3, "medium": 4, "low": 3, "info": 0},
        "baseline_hidden": 0,
    }


def test_fail_on_threshold(capsys):
    assert run(capsys, "eval", "--fail-on", "critical", str(EXAMPLES / "naive.Dockerfile"))[0] == 0
    assert run(capsys, "eval", "--fail-on", "high", str(EXAMPLES / "naive.Dockerfile"))[0] == 1
    assert run(capsys, "eval", "--fail-on", "none", str(EXAMPLES / "naive.Dockerfile"))[0] == 0


def test_bad_inputs_are_errors_and_the_batch_goes_on(capsys):
    # The runtime rules only, which the realistic file passes; the other rules do not change what is tested.
    code, out, _ = run(capsys, "eval", "--format", "json", "--select", "RT101,RT201,RT301,SC101", str(CASES / "syntax"))
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
    findings = json.loads(completed.stdout)["findings"]
    assert [(item["rule_id"], item["line"]) for item in findings] == NAIVE_FINDINGS


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"prodpolicy {__version__}\n"


def test_no_command_prints_help_and_fails(capsys):
    code, out, err = run(capsys)
    assert code == 2
    assert out == ""
    assert "usage: prodpolicy" in err
    assert "exit codes:" in err


@pytest.mark.parametrize("command", ["eval", "explain", "rules", "schema"])
def test_command_help_has_examples(capsys, command):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "examples:\n  prodpolicy " + command in out


def test_explain_by_id_and_name(capsys):
    code, by_id, _ = run(capsys, "explain", "rt101")
    assert code == 0
    assert by_id.startswith("RT101 runs-as-root: The container runs as root\n")
    assert "Why it matters:" in by_id
    assert "    USER node\n" in by_id
    assert "hadolint:DL3002" in by_id
    assert by_id.rstrip().endswith("/docs/rules/RT101.md")
    code, by_name, _ = run(capsys, "explain", "runs-as-root")
    assert (code, by_name) == (0, by_id)


def test_explain_unknown_rule_suggests(capsys):
    code, out, err = run(capsys, "explain", "runs-as-rot")
    assert code == 2
    assert out == ""
    assert err == "prodpolicy: unknown rule 'runs-as-rot'; did you mean runs-as-root? Run prodpolicy rules to list them all\n"


def test_explain_rule_of_own_policy(tmp_path, capsys):
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "apiVersion: prodpolicy/v1\nkind: Policy\nrules:\n"
        "  - id: ACME001\n    name: no-latest\n    title: No latest tag\n    severity: low\n"
        "    applies_to: [dockerfile]\n    given: $.stages[*].base\n"
        "    when: [{field: pinning, equals: latest}]\n    message: latest tag\n"
        "    docs: {summary: No latest., why: It moves., bad: 'FROM a:latest', good: 'FROM a:1', fix: Pin it.}\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "explain", "ACME001", "--policy", str(policy))
    assert code == 0
    assert out.startswith("ACME001 no-latest: No latest tag\nseverity: low; applies to: dockerfile\n")


def test_rules_markdown(capsys):
    code, out, _ = run(capsys, "rules", "--format", "md")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "| Rule | Name | Severity | Applies to | Title | Covers |"
    runs_as_root = next(line for line in lines if "RT101" in line)
    assert runs_as_root.startswith(
        "| [RT101](https://github.com/prodpolicy/prodpolicy/blob/main/docs/rules/RT101.md) | `runs-as-root` | high |"
    )


def test_rules_json_has_help_uri(capsys):
    _, out, _ = run(capsys, "rules", "--format", "json")
    rule = next(item for item in json.loads(out) if item["id"] == "SC101")
    assert rule["help_uri"].endswith("/docs/rules/SC101.md")


@pytest.mark.parametrize("name", ["document", "policy", "report"])
def test_schema_command_prints_the_schema_file(capsys, name):
    code, out, _ = run(capsys, "schema", name)
    assert code == 0
    assert out == (ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")


def test_schema_command_rejects_unknown_name(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["schema", "findings"])
    assert exit_.value.code == 2
    assert "invalid choice: 'findings'" in capsys.readouterr().err


def test_output_file_that_cannot_be_written(tmp_path, capsys):
    target = tmp_path / "missing-folder" / "report.sarif"
    code, out, err = run(capsys, "eval", "--format", "sarif", "--output", str(target), str(EXAMPLES / "naive.Dockerfile"))
    assert code == 2
    assert out == ""
    assert err.startswith(f"prodpolicy: cannot write {target}: ")


def test_rules_text_columns_fit_longer_ids(tmp_path, capsys):
    policy = tmp_path / "acme.yaml"
    policy.write_text(
        "apiVersion: prodpolicy/v1\nkind: Policy\nextends: [prodpolicy:recommended@1]\nrules:\n"
        "  - id: ACME001\n    name: approved-base\n    title: Base images are approved\n    severity: high\n"
        "    applies_to: [dockerfile]\n    given: $.stages[*].base\n    when:\n      - field: registry\n"
        "        exists: false\n    message: not approved\n"
        "    docs: {summary: s, why: w, bad: b, good: g, fix: f}\n",
        encoding="utf-8",
    )

    assert main(["rules", "--policy", str(policy)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("ACME001  approved-base ")
    assert lines[1].startswith("CP101    restart-policy ")
    assert lines[0].index("high") == lines[1].index("medium")
