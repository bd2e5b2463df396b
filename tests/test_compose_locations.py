"""Findings point at the file and line where a value is written, in every file a compose project reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prodpolicy.api import evaluate_paths, normalize
from prodpolicy.cli import main
from prodpolicy.policy.load import load_policy

POLICY = load_policy(select=["CP301", "CP201", "RT301"])

BASE = """\
name: billing
services:
  api:
    image: registry.example.internal/team/api:3.2.0
    command: ["gunicorn", "app:wsgi"]
  worker:
    extends:
      file: common/base.yml
      service: privileged-base
    image: registry.example.internal/team/worker:1.0.0
"""

OVERRIDE = """\
services:
  api:
    # a debugger needs ptrace
    privileged: true
    command: flask run --debug
    environment:
      DB_PASSWORD: hunter2hunter2
"""

COMMON = """\
services:
  privileged-base:
    image: registry.example.internal/team/base:1.0.0
    restart: unless-stopped
    privileged: true
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A base file, its override and an extends base in a subfolder, evaluated from the project folder."""
    (tmp_path / "common").mkdir()
    (tmp_path / "compose.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "compose.override.yaml").write_text(OVERRIDE, encoding="utf-8")
    (tmp_path / "common" / "base.yml").write_text(COMMON, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _where(report, rule_id):
    return sorted((finding.file, finding.line) for finding in report.findings if finding.rule_id == rule_id)


def test_override_value_points_at_the_override(project):
    report = evaluate_paths(["compose.yaml"], POLICY)
    assert ("compose.override.yaml", 4) in _where(report, "CP301")
    assert _where(report, "RT301") == [("compose.override.yaml", 5)]


def test_extends_base_points_at_its_file(project):
    report = evaluate_paths(["compose.yaml"], POLICY)
    # Shown relative like the primary file, not as the absolute path compose resolves it to.
    assert _where(report, "CP301") == [("common/base.yml", 5), ("compose.override.yaml", 4)]


def test_absolute_primary_gives_absolute_names(project):
    report = evaluate_paths([str(project / "compose.yaml")], POLICY)
    assert _where(report, "CP301") == [
        (str(project / "common" / "base.yml"), 5),
        (str(project / "compose.override.yaml"), 4),
    ]


def test_report_sources_hold_every_file_redacted(project):
    report = evaluate_paths(["compose.yaml"], POLICY)
    # Reports keep the lines of the files they show findings in.
    assert set(report.sources) == {"compose.override.yaml", "common/base.yml"}
    assert report.sources["common/base.yml"][4] == "    privileged: true"
    override = "\n".join(report.sources["compose.override.yaml"])
    assert "hunter2hunter2" not in override
    assert "      DB_PASSWORD: hun" in override
    assert override.endswith("****")
    assert _where(report, "CP201") == [("compose.override.yaml", 7)]


def test_document_keeps_the_lines_of_every_file(project):
    document = normalize("compose.yaml")[0]
    assert document.lines[0] == "name: billing"
    assert sorted(document.sources) == ["common/base.yml", "compose.override.yaml"]
    assert document.lines_of("common/base.yml")[1] == "  privileged-base:"
    assert document.lines_of("compose.yaml") is document.lines


def test_text_report_shows_the_override_line(project, capsys):
    code = main(["eval", "compose.yaml", "--select", "CP301", "--isolated"])
    out = capsys.readouterr().out
    assert code == 1
    assert "compose.override.yaml:4:5: critical CP301 privileged: service api runs privileged" in out
    assert " > 4 |     privileged: true" in out
    assert "common/base.yml:5:5: critical CP301" in out


def test_json_report_keeps_its_shape(project, capsys):
    main(["eval", "compose.yaml", "--select", "CP301", "--isolated", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    finding = next(item for item in report["findings"] if item["file"] == "compose.override.yaml")
    assert set(finding) == {"rule_id", "rule_name", "severity", "message", "file", "line", "end_line", "column", "path",
                            "fingerprint"}  # fmt: skip
    assert (finding["line"], finding["path"]) == (4, "$['services']['api']['privileged']")


def test_suppression_in_the_override_covers_its_own_lines(project):
    override = OVERRIDE.replace("    # a debugger needs ptrace\n", "    # prodpolicy ignore=CP301 -- a debugger needs ptrace\n")
    (project / "compose.override.yaml").write_text(override, encoding="utf-8")
    report = evaluate_paths(["compose.yaml"], POLICY)
    marks = {(finding.file, finding.line): finding.suppressed for finding in report.findings if finding.rule_id == "CP301"}
    assert marks[("compose.override.yaml", 4)] is not None
    assert marks[("compose.override.yaml", 4)].source == "compose.override.yaml:3"
    assert marks[("compose.override.yaml", 4)].justification == "a debugger needs ptrace"
    assert marks[("common/base.yml", 5)] is None


def test_suppression_covers_only_its_own_file(project):
    # Line 4 of the base file is commented, but the finding on line 4 is in the override.
    base = BASE.replace("    image: registry.example.internal/team/api:3.2.0\n",
                        "    image: registry.example.internal/team/api:3.2.0  # prodpolicy ignore=CP301\n")  # fmt: skip
    (project / "compose.yaml").write_text(base, encoding="utf-8")
    report = evaluate_paths(["compose.yaml"], POLICY)
    finding = next(item for item in report.findings if item.file == "compose.override.yaml" and item.rule_id == "CP301")
    assert finding.suppressed is None


def test_included_file_points_at_itself(tmp_path, monkeypatch):
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "compose.yaml").write_text(
        "services:\n  db:\n    image: postgres:16.4-bookworm\n    privileged: true\n", encoding="utf-8"
    )
    (tmp_path / "compose.yaml").write_text("include:\n  - db/compose.yaml\nservices:\n  api:\n    image: a:1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    report = evaluate_paths(["compose.yaml"], POLICY)
    assert _where(report, "CP301") == [("db/compose.yaml", 4)]


def test_env_file_variables_point_at_their_line(tmp_path, monkeypatch):
    (tmp_path / "app.env").write_text("# settings\nLOG_LEVEL=info\nAPI_TOKEN=tok_4f9a8b7c6d5e3a2b\n", encoding="utf-8")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  api:\n    image: a:1\n    env_file: app.env\n    environment:\n      LOG_LEVEL: debug\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    document = normalize("compose.yaml")[0]
    variable = document.location_of(("services", "api", "env_files", 0, "variables", "API_TOKEN"))
    assert (variable.file, variable.line) == ("app.env", 3)
    token = document.location_of(("runtimes", 0, "env", "API_TOKEN"))
    assert (token.file, token.line) == ("app.env", 3)
    # environment wins over env_file, so the runtime view points at the compose file for LOG_LEVEL.
    level = document.location_of(("runtimes", 0, "env", "LOG_LEVEL"))
    assert (level.file, level.line) == (None, 6)
    assert document.sources["app.env"][2].startswith("API_TOKEN=")
    assert "tok_4f9a8b7c6d5e3a2b" not in document.sources["app.env"][2]


def test_inline_input_keeps_single_file_locations():
    document = normalize("<inline>", kind="compose", text="services:\n  api:\n    image: a:1\n    privileged: true\n")[0]
    location = document.location_of(("services", "api", "privileged"))
    assert (location.file, location.line) == (None, 4)
    assert document.sources == {}


def test_errors_in_other_files_name_them(project):
    (project / "common" / "base.yml").write_text(COMMON + "    ports: ['not a port']\n", encoding="utf-8")
    report = evaluate_paths(["compose.yaml"], POLICY)
    assert [(error.file, error.line) for error in report.errors] == [("common/base.yml", 6)]
    assert Path(project / "common" / "base.yml").is_file()
