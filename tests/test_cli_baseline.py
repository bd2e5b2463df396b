"""--baseline and --write-baseline: only findings that a saved JSON report lacks are reported."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from prodpolicy.baseline import Baseline, BaselineError, apply_baseline, finding_key, read_baseline
from prodpolicy.cli import main
from prodpolicy.findings import Finding, Report, Suppressed

from .helpers import ROOT

NAIVE = (ROOT / "examples" / "node-express" / "naive.Dockerfile").read_text(encoding="utf-8")
# The rules these tests rely on; rules added to the bundled set later do not change the counts.
RULES = ("--select", "RT101,RT201,RT301,SC101")


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "Dockerfile").write_text(NAIVE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *arguments: str) -> tuple[int, str, str]:
    code = main(["eval", *RULES, *arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_write_baseline_saves_and_hides_every_finding(project, capsys):
    code, out, _ = run(capsys, ".", "--write-baseline", "baseline.json")
    assert code == 0
    assert out == "0 findings in 1 file, 4 hidden by the baseline.\n"
    saved = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert saved["version"] == 1
    assert [(item["rule_id"], item["line"]) for item in saved["findings"]] == [
        ("RT101", 1),
        ("RT201", 1),
        ("SC101", 4),
        ("RT301", 7),
    ]


def test_baseline_ignores_moved_lines_and_reports_new_findings(project, capsys):
    run(capsys, ".", "--write-baseline", "baseline.json")
    moved = "# syntax=docker/dockerfile:1\n\n" + NAIVE + "COPY id_rsa /root/.ssh/id_rsa\n"
    (project / "Dockerfile").write_text(moved, encoding="utf-8")
    code, out, _ = run(capsys, ".", "--baseline", "baseline.json", "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert [(item["rule_id"], item["line"]) for item in report["findings"]] == [("SC101", 10)]
    assert report["summary"]["findings"] == 1
    assert report["summary"]["baseline_hidden"] == 4


def test_baseline_count_in_the_text_summary(project, capsys):
    run(capsys, ".", "--write-baseline", "baseline.json")
    (project / "Dockerfile").write_text(NAIVE + "COPY id_rsa /root/.ssh/id_rsa\n", encoding="utf-8")

    code, out, err = run(capsys, ".", "--baseline", "baseline.json")

    assert code == 1
    assert out.endswith("\n\n1 finding (1 high) in 1 file, 4 hidden by the baseline.\n")
    assert err == ""


def test_baseline_count_in_the_github_summary(project, capsys):
    run(capsys, ".", "--write-baseline", "baseline.json")

    _, out, err = run(capsys, ".", "--baseline", "baseline.json", "--format", "github")

    assert out == "0 findings in 1 file, 4 hidden by the baseline.\n"
    assert err == ""


def test_json_summary_without_baseline_counts_zero(project, capsys):
    _, out, _ = run(capsys, ".", "--format", "json")

    assert json.loads(out)["summary"]["baseline_hidden"] == 0


def test_baseline_matches_paths_written_differently(project, capsys):
    run(capsys, "./Dockerfile", "--write-baseline", "baseline.json")
    assert run(capsys, "Dockerfile", "--baseline", "baseline.json")[0] == 0
    assert run(capsys, str(project / "Dockerfile"), "--baseline", "baseline.json")[0] == 0


def test_baseline_from_a_json_report(project, capsys):
    _, out, _ = run(capsys, ".", "--format", "json", "--output", "report.json")
    assert out == ""
    code, out, err = run(capsys, ".", "--baseline", "report.json", "--format", "sarif")
    assert code == 0
    assert json.loads(out)["runs"][0]["results"] == []
    assert err == "prodpolicy: 4 findings hidden by the baseline report.json.\n"


def test_baseline_count_in_statistics(project, capsys):
    run(capsys, ".", "--write-baseline", "baseline.json")
    _, out, _ = run(capsys, ".", "--baseline", "baseline.json", "--statistics", "--format", "json")
    assert json.loads(out)["summary"]["hidden_by_baseline"] == 4


def test_baseline_count_in_text_statistics(project, capsys):
    run(capsys, ".", "--write-baseline", "baseline.json")

    _, out, _ = run(capsys, ".", "--baseline", "baseline.json", "--statistics")

    assert out == "0 findings in 1 file, 4 hidden by the baseline.\n"


def test_quiet_leaves_out_the_baseline_note(project, capsys):
    run(capsys, ".", "--write-baseline", "baseline.json")
    assert run(capsys, ".", "--baseline", "baseline.json", "--quiet") == (0, "", "")


def test_missing_baseline_names_the_fix(project, capsys):
    code, out, err = run(capsys, ".", "--baseline", "missing.json")
    assert code == 2
    assert out == ""
    assert err == "prodpolicy: missing.json: baseline file not found; create it with --write-baseline missing.json\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"version": 1, "findings": [', "broken.json:1:29: invalid JSON in the baseline file: Expecting value"),
        ("[]", "broken.json: not a prodpolicy JSON report (no findings list); write one with --write-baseline or --format json"),
        ('{"version": 2, "findings": []}', "broken.json: JSON report version 2 is not supported; this prodpolicy reads version 1"),
        (
            "[" * 100_000 + "]" * 100_000,
            "broken.json: not a prodpolicy JSON report (nested too deeply or a number too long); write one with --write-baseline",
        ),
        (
            '{"version": 1, "findings": [{"rule_id": "RT101"}]}',
            "broken.json: finding 1 of the baseline lacks a text rule_id, file or path; write the baseline again with --write-baseline",
        ),
    ],
)
def test_unusable_baseline_is_an_error(tmp_path, content, message, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.json").write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError) as error:
        read_baseline("broken.json")
    assert str(error.value) == message


def test_unwritable_baseline_is_an_error(project, capsys):
    code, out, err = run(capsys, ".", "--write-baseline", "missing-folder/baseline.json")
    assert code == 2
    assert out == ""
    assert err.startswith("prodpolicy: cannot write missing-folder/baseline.json: ")


def finding(rule_id: str, line: int, path: str, suppressed: Suppressed | None = None) -> Finding:
    return Finding(rule_id, "name", "high", "message", "Dockerfile", line, line, None, path, suppressed=suppressed)


def test_each_baseline_entry_hides_one_finding():
    report = Report(findings=[finding("RT101", 1, "$"), finding("RT101", 2, "$"), finding("SC101", 3, "$['a']")])
    baseline = Baseline("b.json", Counter([finding_key("./Dockerfile", None, "RT101", "$")]))
    kept, hidden = apply_baseline(report, baseline)
    assert hidden == 1
    assert kept.baseline_hidden == 1
    assert [(item.rule_id, item.line) for item in kept.findings] == [("RT101", 2), ("SC101", 3)]


def test_suppressed_findings_are_not_hidden():
    mark = Suppressed("inline", "accepted")
    report = Report(findings=[finding("RT101", 1, "$", suppressed=mark)])
    kept, hidden = apply_baseline(report, Baseline("b.json", Counter([finding_key("Dockerfile", None, "RT101", "$")])))
    assert hidden == 0
    assert kept.findings == report.findings


def test_suppressed_entries_of_the_baseline_hide_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    entry = {"rule_id": "RT101", "file": "Dockerfile", "path": "$", "suppressed": {"kind": "inline", "justification": "x"}}
    (tmp_path / "b.json").write_text(json.dumps({"version": 1, "findings": [entry]}), encoding="utf-8")
    assert len(read_baseline("b.json")) == 0
