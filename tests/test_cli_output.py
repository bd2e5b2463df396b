"""--statistics, --quiet and --verbose."""

from __future__ import annotations

import json
import logging

import pytest

from prodpolicy.cli import main

from .helpers import ROOT

EXAMPLES = ROOT / "examples" / "node-express"
NAIVE = str(EXAMPLES / "naive.Dockerfile")
PRODUCTION = str(EXAMPLES / "production.Dockerfile")
RULES = ("--select", "RT101,RT201,RT301,SC101")


def run(capsys, *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_statistics_text(capsys, tmp_path):
    second = tmp_path / "Dockerfile"
    second.write_text("FROM alpine:3.20\nUSER root\n", encoding="utf-8")
    code, out, _ = run(capsys, "eval", NAIVE, str(second), *RULES, "--statistics")
    assert code == 1
    assert out == (
        "2  RT101  high    runs-as-root\n"
        "2  RT201  medium  healthcheck-missing\n"
        "1  RT301  high    dev-server-command\n"
        "1  SC101  high    secret-file-copied\n"
        "\n"
        "6 findings (4 high, 2 medium) in 2 files.\n"
    )


def test_statistics_json(capsys):
    code, out, _ = run(capsys, "eval", NAIVE, *RULES, "--statistics", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert data["rules"] == [
        {"rule_id": "RT101", "rule_name": "runs-as-root", "severity": "high", "count": 1},
        {"rule_id": "RT201", "rule_name": "healthcheck-missing", "severity": "medium", "count": 1},
        {"rule_id": "RT301", "rule_name": "dev-server-command", "severity": "high", "count": 1},
        {"rule_id": "SC101", "rule_name": "secret-file-copied", "severity": "high", "count": 1},
    ]
    assert data["summary"]["findings"] == 4
    assert data["summary"]["hidden_by_baseline"] == 0


def test_statistics_without_findings(capsys):
    assert run(capsys, "eval", PRODUCTION, *RULES, "--statistics") == (0, "0 findings in 1 file.\n", "")
    assert run(capsys, "eval", PRODUCTION, *RULES, "--statistics", "--quiet") == (0, "", "")


def test_statistics_with_a_report_file(capsys, tmp_path):
    target = tmp_path / "report.sarif"
    code, out, _ = run(capsys, "eval", NAIVE, *RULES, "--statistics", "--format", "sarif", "--output", str(target))
    assert code == 1
    assert out.startswith("1  RT101  high    runs-as-root\n")
    assert len(json.loads(target.read_text(encoding="utf-8"))["runs"][0]["results"]) == 4


def test_statistics_need_a_countable_format(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["eval", NAIVE, "--statistics", "--format", "sarif"])
    assert exit_.value.code == 2
    assert "--statistics prints the counts as text or JSON, not sarif: use --format text or json" in capsys.readouterr().err


def test_quiet_text_has_no_summary(capsys):
    _, normal, _ = run(capsys, "eval", NAIVE, *RULES)
    code, quiet, err = run(capsys, "eval", NAIVE, *RULES, "--quiet")
    assert code == 1
    assert err == ""
    assert normal == quiet.rstrip("\n") + "\n\n4 findings (3 high, 1 medium) in 1 file.\n"
    assert quiet.endswith("   6 | EXPOSE 3000\n > 7 | CMD [\"npm\", \"run\", \"dev\"]\n")


def test_quiet_without_findings_prints_nothing(capsys):
    assert run(capsys, "eval", PRODUCTION, *RULES, "-q") == (0, "", "")


def test_quiet_github_has_no_summary(capsys):
    _, out, _ = run(capsys, "eval", NAIVE, *RULES, "--format", "github", "--quiet")
    lines = out.splitlines()
    assert len(lines) == 4
    assert all(line.startswith("::") for line in lines)


def test_quiet_keeps_other_formats_whole(capsys):
    _, normal, _ = run(capsys, "eval", NAIVE, "--format", "json")
    _, quiet, _ = run(capsys, "eval", NAIVE, "--format", "json", "--quiet")
    assert quiet == normal


def test_quiet_and_verbose_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["eval", NAIVE, "--quiet", "--verbose"])
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_verbose_logs_inputs_and_timings_on_stderr(capsys):
    _, plain, _ = run(capsys, "eval", str(EXAMPLES), *RULES)
    code, out, err = run(capsys, "eval", str(EXAMPLES), *RULES, "--verbose")
    assert code == 1
    assert out == plain
    lines = err.splitlines()
    assert f"prodpolicy.discovery: found {NAIVE}" in lines
    assert f"prodpolicy.discovery: found {PRODUCTION}" in lines
    assert any(line.startswith("prodpolicy.eval: found 2 inputs in ") for line in lines)
    assert any(line.startswith("prodpolicy.eval: loaded 1 policy in ") for line in lines)
    assert any(line.startswith(f"prodpolicy.api: evaluated {NAIVE} in ") and line.endswith(" ms): 4 findings, 0 errors") for line in lines)
    assert any(line.startswith("prodpolicy.api: evaluated 2 inputs in ") for line in lines)


def test_verbose_leaves_logging_as_it_found_it(capsys):
    package = logging.getLogger("prodpolicy")
    before = (list(package.handlers), package.level)
    run(capsys, "eval", PRODUCTION, "--verbose")
    run(capsys, "eval", PRODUCTION, "--quiet")
    assert (list(package.handlers), package.level) == before


def test_library_configures_no_handlers():
    import prodpolicy.api  # noqa: F401 - importing must not add handlers
    import prodpolicy.batch  # noqa: F401
    import prodpolicy.discovery  # noqa: F401

    for name, logger in logging.Logger.manager.loggerDict.items():
        if name.startswith("prodpolicy") and isinstance(logger, logging.Logger):
            assert logger.handlers == [], name
