"""prodpolicy normalize and eval on compose files: -f, --env-file, --profile, --env and folder search."""

from __future__ import annotations

import json

from prodpolicy.cli import main
from prodpolicy.discovery import discover

BASE = "services:\n  web:\n    image: example/web:${TAG:-1.0.0}\n    restart: unless-stopped\n    command: [gunicorn, app:wsgi]\n"
OVERRIDE = "services:\n  web:\n    command: npm run dev\n  debug:\n    image: busybox:1.36\n    profiles: [debug]\n"


def run(capsys, *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_normalize_prints_the_merged_document(tmp_path, capsys):
    (tmp_path / "compose.yml").write_text(BASE, encoding="utf-8")
    (tmp_path / "dev.yml").write_text(OVERRIDE, encoding="utf-8")
    (tmp_path / "prod.env").write_text("TAG=2.0.0\n", encoding="utf-8")
    code, out, err = run(
        capsys, "normalize", str(tmp_path / "compose.yml"), "--env-file", str(tmp_path / "prod.env"),
        "-f", str(tmp_path / "dev.yml"), "--profile", "debug",
    )  # fmt: skip
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["kind"] == "compose"
    assert document["files"] == [str(tmp_path / "compose.yml"), str(tmp_path / "dev.yml")]
    assert document["services"]["web"]["image"]["reference"] == "example/web:2.0.0"
    assert document["services"]["web"]["command"]["argv"] == ["npm", "run", "dev"]
    assert sorted(document["services"]) == ["debug", "web"]
    assert document["profiles"] == ["debug"]


def test_env_option_sets_variables(tmp_path, capsys):
    (tmp_path / "compose.yml").write_text(BASE, encoding="utf-8")
    code, out, _ = run(capsys, "normalize", str(tmp_path / "compose.yml"), "--env", "TAG=3.1.4")
    assert code == 0
    assert json.loads(out)["services"]["web"]["image"]["tag"] == "3.1.4"


def test_missing_env_file_names_option(tmp_path, capsys):
    (tmp_path / "compose.yml").write_text(BASE, encoding="utf-8")
    missing = tmp_path / "prod.env"
    code, out, err = run(capsys, "eval", str(tmp_path / "compose.yml"), "--env-file", str(missing))
    assert code == 2
    assert f"{missing}: error: file not found; it was given with --env-file, so check the path" in out + err


def test_env_option_needs_an_assignment(tmp_path, capsys):
    (tmp_path / "compose.yml").write_text(BASE, encoding="utf-8")
    try:
        main(["normalize", str(tmp_path / "compose.yml"), "--env", "TAG"])
    except SystemExit as exit_:
        assert exit_.code == 2
    assert "expected NAME=VALUE" in capsys.readouterr().err


def test_folder_search_merges_the_override(tmp_path, capsys):
    (tmp_path / "compose.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "compose.override.yaml").write_text(OVERRIDE, encoding="utf-8")
    lonely = tmp_path / "tools"
    lonely.mkdir()
    (lonely / "docker-compose.override.yml").write_text("services:\n  tool:\n    image: busybox:1.36\n", encoding="utf-8")
    assert list(discover([str(tmp_path)])) == [
        (str(tmp_path / "compose.yaml"), False, None),
        (str(lonely / "docker-compose.override.yml"), False, None),
    ]
    code, out, _ = run(capsys, "eval", str(tmp_path), "--format", "json")
    assert code == 1
    report = json.loads(out)
    dev_server = [finding for finding in report["findings"] if finding["rule_id"] == "RT301"]
    # The command comes from the override, so the finding points at the line of the override that sets it.
    assert [(finding["file"], finding["line"]) for finding in dev_server] == [(str(tmp_path / "compose.override.yaml"), 3)]


def test_compose_file_detected_by_content(tmp_path, capsys):
    (tmp_path / "stack.yml").write_text("# stack\nservices:\n  web:\n    image: nginx\n", encoding="utf-8")
    code, out, _ = run(capsys, "eval", str(tmp_path / "stack.yml"), "--format", "json")
    assert code == 1
    assert "CP601" in {finding["rule_id"] for finding in json.loads(out)["findings"]}


def test_kind_option_reads_compose(tmp_path, capsys):
    (tmp_path / "stack.txt").write_text(BASE, encoding="utf-8")
    code, out, _ = run(capsys, "normalize", str(tmp_path / "stack.txt"), "--kind", "compose")
    assert code == 0
    assert json.loads(out)["kind"] == "compose"


PROFILES = """\
services:
  web:
    image: nginx:1.27
  worker:
    image: busybox:1.36
    profiles: [jobs]
    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]
  backup:
    image: busybox:1.36
    profiles: [nightly, jobs]
"""


def test_inactive_profile_services_warning(tmp_path, capsys):
    (tmp_path / "compose.yaml").write_text(PROFILES, encoding="utf-8")
    code, out, _ = run(capsys, "eval", str(tmp_path / "compose.yaml"), "--select", "CP401", "--format", "json")
    report = json.loads(out)
    assert (code, report["findings"]) == (0, [])
    assert [(warning["kind"], warning["message"]) for warning in report["warnings"]] == [
        (
            "inactive-services",
            "2 services not evaluated, because their profiles are not active: worker (jobs), backup (nightly, jobs); "
            "pass --profile jobs --profile nightly to check them",
        )
    ]

    code, out, _ = run(capsys, "eval", str(tmp_path / "compose.yaml"), "--select", "CP401", "--profile", "jobs", "--format", "json")
    report = json.loads(out)
    assert [(finding["rule_id"], finding["line"]) for finding in report["findings"]] == [("CP401", 7)]
    assert "warnings" not in report
