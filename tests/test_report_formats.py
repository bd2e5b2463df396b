"""Each report format on its own: structure checked with the consumers' parsers and schemas, exact values asserted."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from junitparser import Error, Failure, JUnitXml, Skipped

from prodpolicy.api import evaluate_paths
from prodpolicy.errors import InputError
from prodpolicy.findings import Finding, Report, ReportWarning, Suppressed
from prodpolicy.policy.load import data_directory
from prodpolicy.report import FORMATS, render
from prodpolicy.schemas import render as render_schema

from .helpers import ROOT

SCHEMAS = Path(__file__).parent / "golden" / "schemas"
NAIVE = "examples/node-express/naive.Dockerfile"
PRODUCTION = "examples/node-express/production.Dockerfile"
BROKEN = "tests/golden/inputs/broken.Dockerfile"
UNTERMINATED = "tests/golden/inputs/unterminated.Dockerfile"
SUPPRESSED = "tests/golden/inputs/suppressed.Dockerfile"
ALL_INPUTS = [NAIVE, PRODUCTION, BROKEN, UNTERMINATED, SUPPRESSED]


@pytest.fixture
def evaluate(monkeypatch, format_policy):
    monkeypatch.chdir(ROOT)

    def run(*paths: str) -> Report:
        return evaluate_paths(list(paths), format_policy)

    return run


def finding(**changes) -> Finding:
    values = dict(
        rule_id="RT101",
        rule_name="runs-as-root",
        severity="high",
        message="runs as root",
        file="Dockerfile",
        line=2,
        end_line=2,
        column=None,
        path="$['runtimes'][0]['user']",
    )
    values.update(changes)
    return Finding(**values)


# JSON


def test_report_schema_file_is_current():
    path = data_directory("schemas") / "report.schema.json"
    assert path.read_text(encoding="utf-8") == render_schema("report"), f"{path} is stale: run python -m prodpolicy.schemas"


@pytest.mark.parametrize("paths", [[NAIVE], [PRODUCTION], [BROKEN, UNTERMINATED], [SUPPRESSED]])
def test_json_report_matches_schema(evaluate, format_policy, paths):
    report = json.loads(render("json", evaluate(*paths), policy=format_policy))
    schema = json.loads(render_schema("report"))
    jsonschema.Draft202012Validator(schema).validate(report)


def test_json_schema_rejects_unknown_and_missing_fields(evaluate):
    schema = json.loads(render_schema("report"))
    validator = jsonschema.Draft202012Validator(schema)
    report = json.loads(render("json", evaluate(NAIVE)))
    report["findings"][0]["rule"] = "RT101"
    assert not validator.is_valid(report)
    del report["findings"][0]["rule"]
    del report["findings"][0]["fingerprint"]
    assert not validator.is_valid(report)


def test_json_keeps_suppressed_findings(evaluate):
    report = json.loads(render("json", evaluate(SUPPRESSED)))
    assert [(item["rule_id"], item.get("suppressed")) for item in report["findings"]] == [
        (
            "DF101",
            {
                "kind": "inline",
                "justification": "the vendor publishes only a rolling tag",
                "source": f"{SUPPRESSED}:1",
            },
        ),
        ("SC102", None),
    ]
    assert report["summary"]["suppressed"] == 1


# Text


def test_text_code_frame_marks_every_line_of_the_instruction(evaluate):
    text = render("text", evaluate(BROKEN))
    assert (
        f"{BROKEN}:6:1: medium RT302 shell-form-command: the container command runs in shell form "
        "(python app.py     --workers 2): write it as a JSON array so the process receives signals\n"
        "   5 | HEALTHCHECK CMD [\"python\", \"-c\", \"print(1)\"]\n"
        " > 6 | CMD python app.py \\\n"
        " > 7 |     --workers 2\n"
    ) in text


def test_text_input_error_comes_before_findings_of_its_file(evaluate):
    text = render("text", evaluate(BROKEN))
    assert text.index(f"{BROKEN}:3:1: error: unknown instruction COPYY") < text.index(f"{BROKEN}:6:1: medium RT302")


def test_text_leaves_out_suppressed_findings(evaluate):
    text = render("text", evaluate(SUPPRESSED))
    assert "DF101" not in text
    assert text.endswith("1 finding (1 critical) in 1 file, 1 suppressed.\n")


def test_text_without_summary_line(evaluate):
    report = evaluate(SUPPRESSED)
    full = render("text", report)

    text = render("text", report, summary=False)

    assert full == text + "\n1 finding (1 critical) in 1 file, 1 suppressed.\n"
    assert text.endswith(" > 3 | ENV API_TOKEN=ghp_****\n   4 | USER 10001\n")


def test_text_without_summary_or_entries_is_empty():
    assert render("text", Report(files=["Dockerfile"]), summary=False) == ""


def test_text_summary_counts_findings_hidden_by_a_baseline():
    report = Report(findings=[finding()], files=["Dockerfile"], baseline_hidden=3)

    assert render("text", report).endswith("\n1 finding (1 high) in 1 file, 3 hidden by the baseline.\n")


def test_text_escapes_control_characters():
    report = Report(
        findings=[finding(message="user \x1b[2Jroot\nfake.Dockerfile:1: high")],
        files=["Dockerfile"],
        sources={"Dockerfile": ["FROM alpine:3.20", "USER \x1b]0;title\x07root \u202eevil"]},
    )
    text = render("text", report)
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "\u202e" not in text
    assert "user \\u001b[2Jroot\\u000afake.Dockerfile:1: high" in text
    assert " > 2 | USER \\u001b]0;title\\u0007root \\u202eevil" in text


def test_text_long_frame_is_cut():
    lines = ["FROM alpine:3.20"] + [f"    pkg{number} \\" for number in range(20)] + ["    last"]
    report = Report(findings=[finding(line=2, end_line=22)], files=["Dockerfile"], sources={"Dockerfile": lines})
    text = render("text", report)
    assert " > 4 |     pkg2 \\\n" in text
    assert " > 5 |" not in text
    assert "... 18 more lines\n" in text


def test_text_long_source_line_is_cut():
    report = Report(findings=[finding(line=1, end_line=1)], files=["Dockerfile"], sources={"Dockerfile": ["RUN " + "x" * 400]})
    frame_line = render("text", report).splitlines()[1]
    assert frame_line.endswith("x...")
    assert len(frame_line) < 180


def test_text_without_source_has_no_frame():
    report = Report(findings=[finding()], files=["Dockerfile"])
    assert render("text", report) == "Dockerfile:2: high RT101 runs-as-root: runs as root\n\n1 finding (1 high) in 1 file.\n"


def test_text_colour_only_when_asked(evaluate):
    report = evaluate(NAIVE)
    assert "\x1b[" not in render("text", report)
    coloured = render("text", report, color=True)
    assert "\x1b[1;31mhigh\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render("text", report)


# SARIF is tested in test_report_sarif.py.

# JUnit


def test_junit_one_case_per_rule(evaluate, format_policy):
    text = render("junit", evaluate(NAIVE, BROKEN, UNTERMINATED, SUPPRESSED), policy=format_policy)
    xmlschema.XMLSchema(SCHEMAS / "junit.xsd").validate(text)
    suites = {suite.name: suite for suite in JUnitXml.fromstring(text)}
    dockerfile_rules = sorted(rule.id for rule in format_policy.rules_for("dockerfile"))

    naive = suites[NAIVE]
    outcomes = {case.name.split()[0]: [type(result).__name__ for result in case.result] for case in naive}
    assert sorted(outcomes) == dockerfile_rules
    assert {rule for rule, result in outcomes.items() if result == ["Failure"]} == {"DF102", "RT101", "RT201", "SC101", "RT301"}
    assert (naive.tests, naive.failures, naive.errors, naive.skipped) == (len(dockerfile_rules), 5, 0, 0)

    broken = {case.name: case for case in suites[BROKEN]}
    error = broken["input"].result[0]
    assert isinstance(error, Error)
    assert error.message == "unknown instruction COPYY"
    failure = broken["RT302 shell-form-command"].result[0]
    assert isinstance(failure, Failure)
    assert failure.type == "medium"
    assert f"{BROKEN}:6:1: medium RT302" in failure.text

    assert [case.name for case in suites[UNTERMINATED]] == ["input"]

    suppressed = {case.name: case for case in suites[SUPPRESSED]}
    skipped = suppressed["DF101 base-image-unpinned"].result[0]
    assert isinstance(skipped, Skipped)
    assert skipped.message == "suppressed: the vendor publishes only a rolling tag"


def test_junit_without_policy_takes_rules_from_report(evaluate, format_policy):
    suite = next(iter(JUnitXml.fromstring(render("junit", evaluate(NAIVE)))))
    assert [case.name.split()[0] for case in suite] == sorted(rule.id for rule in format_policy.rules_for("dockerfile"))


def test_junit_without_rules_lists_reported_rules(evaluate):
    report = evaluate(NAIVE)
    report.rules.clear()
    suite = next(iter(JUnitXml.fromstring(render("junit", report))))
    assert [case.name for case in suite] == [
        "DF102 full-base-image",
        "RT101 runs-as-root",
        "RT201 healthcheck-missing",
        "RT301 dev-server-command",
        "SC101 secret-file-copied",
    ]


def test_junit_several_findings_of_one_rule():
    report = Report(
        findings=[finding(line=2, path="$.a"), finding(line=5, severity="critical", path="$.b")],
        files=["Dockerfile"],
    )
    suite = next(iter(JUnitXml.fromstring(render("junit", report))))
    failure = next(iter(suite)).result[0]
    assert failure.message == "2 findings"
    assert failure.type == "critical"
    assert failure.text.splitlines() == [
        "Dockerfile:2: high RT101 runs-as-root: runs as root",
        "Dockerfile:5: critical RT101 runs-as-root: runs as root",
    ]


# GitHub annotations


def test_github_annotations(evaluate):
    lines = render("github", evaluate(BROKEN, SUPPRESSED)).splitlines()
    assert lines == [
        f"::error file={BROKEN},line=3,endLine=3,col=1,title=prodpolicy%3A input error::unknown instruction COPYY",
        f"::warning file={BROKEN},line=6,endLine=7,col=1,title=medium RT302 shell-form-command::"
        "the container command runs in shell form (python app.py     --workers 2): write it as a JSON array "
        "so the process receives signals",
        f"::error file={SUPPRESSED},line=3,endLine=3,col=1,title=critical SC102 secret-in-env::"
        "API_TOKEN puts a secret into the image environment: pass it at run time instead",
        "2 findings (1 critical, 1 medium) in 2 files, 1 suppressed, 1 input error.",
    ]


def test_github_without_summary_line(evaluate):
    lines = render("github", evaluate(BROKEN, SUPPRESSED), summary=False).splitlines()

    assert len(lines) == 3
    assert lines[-1].startswith(f"::error file={SUPPRESSED},line=3,")


def test_json_summary_counts_findings_hidden_by_a_baseline():
    report = Report(findings=[finding()], files=["Dockerfile"], baseline_hidden=3)

    summary = json.loads(render("json", report))["summary"]

    assert summary["findings"] == 1
    assert summary["baseline_hidden"] == 3


def test_github_escapes_values():
    report = Report(
        findings=[finding(message="50% done\nline two", file="dir,a/b:c.Dockerfile", severity="info")],
        files=["dir,a/b:c.Dockerfile"],
    )
    first = render("github", report).splitlines()[0]
    assert first == (
        "::notice file=dir%2Ca/b%3Ac.Dockerfile,line=2,endLine=2,title=info RT101 runs-as-root::50%25 done%0Aline two"
    )


def test_github_escapes_control_characters():
    report = Report(
        findings=[finding(message="npm run dev \x1b[31mRED\x1b[0m\u202e", file="a\x07.Dockerfile", severity="info")],
        files=["a\x07.Dockerfile"],
    )
    first = render("github", report).splitlines()[0]
    assert first == (
        "::notice file=a\\u0007.Dockerfile,line=2,endLine=2,title=info RT101 runs-as-root"
        "::npm run dev \\u001b[31mRED\\u001b[0m\\u202e"
    )


# GitLab code quality


def test_gitlab_report(evaluate, format_policy):
    issues = json.loads(render("gitlab", evaluate(*ALL_INPUTS), policy=format_policy))
    schema = json.loads((SCHEMAS / "gitlab-code-quality.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(issues)
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(fingerprints) == len(set(fingerprints))
    summary = [(issue["check_name"], issue["severity"], issue["location"]["path"], issue["location"]["lines"]) for issue in issues]
    assert summary == [
        ("prodpolicy/input-error", "critical", BROKEN, {"begin": 3, "end": 3}),
        ("prodpolicy/input-error", "critical", UNTERMINATED, {"begin": 2, "end": 2}),
        ("DF102", "minor", NAIVE, {"begin": 1, "end": 1}),
        ("RT101", "critical", NAIVE, {"begin": 1, "end": 1}),
        ("RT201", "major", NAIVE, {"begin": 1, "end": 1}),
        ("SC101", "critical", NAIVE, {"begin": 4, "end": 4}),
        ("RT301", "critical", NAIVE, {"begin": 7, "end": 7}),
        ("RT302", "major", BROKEN, {"begin": 6, "end": 7}),
        ("SC102", "blocker", SUPPRESSED, {"begin": 3, "end": 3}),
    ]
    assert issues[3]["categories"] == ["Security"]
    assert issues[4]["categories"] == ["Bug Risk"]
    assert issues[3]["content"]["body"].endswith("See https://github.com/prodpolicy/prodpolicy/blob/main/docs/rules/RT101.md")


def test_gitlab_fingerprint_is_the_finding_fingerprint(evaluate):
    report = evaluate(NAIVE)
    issues = json.loads(render("gitlab", report))
    assert [issue["fingerprint"] for issue in issues] == [item.fingerprint for item in report.findings]


# Checkstyle


def test_checkstyle_report(evaluate):
    text = render("checkstyle", evaluate(*ALL_INPUTS))
    schema = xmlschema.XMLSchema(SCHEMAS / "checkstyle.xsd")
    schema.validate(text)
    files = schema.to_dict(text)["file"]
    by_name = {entry["@name"]: entry.get("error", []) for entry in files}
    assert sorted(by_name) == sorted(ALL_INPUTS)
    assert by_name[PRODUCTION] == []
    assert [(error.get("@line"), error["@severity"], error["@source"]) for error in by_name[BROKEN]] == [
        (3, "error", "prodpolicy.input-error"),
        (6, "warning", "prodpolicy.RT302"),
    ]
    assert [(error.get("@line"), error.get("@column")) for error in by_name[UNTERMINATED]] == [(2, None)]
    assert [error["@source"] for error in by_name[SUPPRESSED]] == ["prodpolicy.SC102"]


def test_xml_formats_escape_characters_xml_cannot_hold():
    report = Report(
        findings=[finding(message='bad \x01 byte & "quote" <tag>\nnext')],
        errors=[InputError("Dockerfile", "control \x1b in error", line=1)],
        files=["Dockerfile"],
    )
    for name in ("junit", "checkstyle"):
        text = render(name, report)
        xmlschema.XMLSchema(SCHEMAS / f"{name}.xsd").validate(text)
        assert "\x01" not in text
        assert "\\u0001" in text
        assert "\\u001b in error" in text


# All formats


@pytest.mark.parametrize("format_name", FORMATS)
def test_format_of_empty_report(format_name):
    assert render(format_name, Report()).endswith("\n")


def test_unknown_format_is_rejected():
    with pytest.raises(ValueError, match="unknown format 'html'"):
        render("html", Report())


def test_suppression_by_policy_exception_maps_to_external(evaluate):
    from prodpolicy.report.sarif_format import sarif_log

    report = Report(findings=[finding(suppressed=Suppressed("exception", "accepted until the migration"))], files=["Dockerfile"])
    result = sarif_log(report)["runs"][0]["results"][0]
    assert result["suppressions"] == [{"kind": "external", "status": "accepted", "justification": "accepted until the migration"}]


# Warnings and notes from policy exceptions and inline suppressions


def report_with_warning_and_note() -> Report:
    return Report(
        findings=[finding(notes=("the exception in policy.yaml:12 expired on 2024-01-31",))],
        warnings=[
            ReportWarning(
                kind="unused-exception",
                message="the exception for DF101 matched no finding in this run: remove it or correct its target",
                file="policy.yaml",
                line=12,
            )
        ],
        files=["Dockerfile"],
        sources={"Dockerfile": ["FROM alpine:3.20", "USER root"]},
    )


def test_text_shows_warnings_and_notes():
    assert render("text", report_with_warning_and_note()) == (
        "Dockerfile:2:1: high RT101 runs-as-root: runs as root\n"
        "  note: the exception in policy.yaml:12 expired on 2024-01-31\n"
        "   1 | FROM alpine:3.20\n"
        " > 2 | USER root\n"
        "\n"
        "policy.yaml:12: warning: the exception for DF101 matched no finding in this run: remove it or correct its "
        "target [unused-exception]\n"
        "\n"
        "1 finding (1 high) in 1 file, 1 warning.\n"
    )


def test_github_shows_warnings_and_notes():
    lines = render("github", report_with_warning_and_note()).splitlines()
    assert lines[:2] == [
        "::warning file=policy.yaml,line=12,endLine=12,title=prodpolicy%3A unused-exception::"
        "the exception for DF101 matched no finding in this run: remove it or correct its target",
        "::error file=Dockerfile,line=2,endLine=2,col=1,title=high RT101 runs-as-root::"
        "runs as root (note: the exception in policy.yaml:12 expired on 2024-01-31)",
    ]


def test_sarif_warnings_are_configuration_notifications():
    from prodpolicy.report.sarif_format import sarif_log

    from .test_report_sarif import sarif_problems

    log = sarif_log(report_with_warning_and_note())
    invocation = log["runs"][0]["invocations"][0]
    assert [(item["level"], item["properties"]["kind"]) for item in invocation["toolConfigurationNotifications"]] == [
        ("warning", "unused-exception")
    ]
    assert log["runs"][0]["results"][0]["message"]["text"].endswith("(note: the exception in policy.yaml:12 expired on 2024-01-31)")
    assert sarif_problems(log) == []


def test_json_schema_accepts_warnings_and_exception_fields():
    report = report_with_warning_and_note()
    report.findings.append(
        finding(
            rule_id="DF101",
            path="$.b",
            suppressed=Suppressed("exception", "vendor image", source="policy.yaml:20", owner="platform", expires="2030-01-01"),
        )
    )
    data = json.loads(render("json", report))
    jsonschema.Draft202012Validator(json.loads(render_schema("report"))).validate(data)
    assert data["warnings"][0]["kind"] == "unused-exception"
