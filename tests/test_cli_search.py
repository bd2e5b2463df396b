"""Folder search: .gitignore, .prodpolicyignore, --exclude, --force-exclude and --no-ignore-files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from prodpolicy.cli import main
from prodpolicy.discovery import discover
from prodpolicy.ignore import Excludes

DOCKERFILE = "FROM alpine:3.20\nUSER app\n"


def write(path: Path, text: str = DOCKERFILE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def repository(tmp_path, monkeypatch):
    """A repository with Dockerfiles in several folders; the tests run from its root."""
    (tmp_path / ".git").mkdir()
    for name in (
        "Dockerfile",
        "services/api/Dockerfile",
        "services/api/debug.Dockerfile",
        "build/Dockerfile",
        "vendor/tool/Dockerfile",
        "tests/fixtures/bad.Dockerfile",
    ):
        write(tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def found(paths: list[str], excludes: Excludes | None = None, **options) -> list[str]:
    return [item.path for item in discover(paths, excludes or Excludes(), **options)]


def evaluated(capsys, *arguments: str) -> list[str]:
    """Return the files eval reported findings in; every Dockerfile here has one (no health check)."""
    code = main(["eval", "--format", "json", "--fail-on", "none", *arguments])
    out = capsys.readouterr().out
    assert code == 0, out
    report = json.loads(out)
    files = sorted({finding["file"] for finding in report["findings"]})
    assert len(files) == report["summary"]["files"]
    return files


def test_without_ignore_files_everything_is_found(repository):
    assert found(["."]) == [
        "./Dockerfile",
        "./build/Dockerfile",
        "./services/api/Dockerfile",
        "./services/api/debug.Dockerfile",
        "./tests/fixtures/bad.Dockerfile",
        "./vendor/tool/Dockerfile",
    ]


def test_gitignore_skips_folders_and_files(repository):
    write(repository / ".gitignore", "# generated\nbuild/\n*.Dockerfile\n")
    assert found(["."]) == ["./Dockerfile", "./services/api/Dockerfile", "./vendor/tool/Dockerfile"]


def test_negation_includes_again(repository):
    write(repository / ".gitignore", "*.Dockerfile\n!debug.Dockerfile\n")
    assert "./services/api/debug.Dockerfile" in found(["."])
    assert "./tests/fixtures/bad.Dockerfile" not in found(["."])


def test_nested_gitignore_is_relative_to_its_folder(repository):
    write(repository / "services" / ".gitignore", "/api/debug.Dockerfile\n")
    write(repository / "tests" / "fixtures" / "api" / "debug.Dockerfile")
    result = found(["."])
    assert "./services/api/debug.Dockerfile" not in result
    assert "./tests/fixtures/api/debug.Dockerfile" in result


def test_deeper_file_overrides_shallower(repository):
    write(repository / ".gitignore", "vendor/\n")
    write(repository / "services" / ".gitignore", "*.Dockerfile\n")
    write(repository / "services" / "api" / ".gitignore", "!debug.Dockerfile\n")
    result = found(["."])
    assert "./services/api/debug.Dockerfile" in result
    assert "./vendor/tool/Dockerfile" not in result


def test_prodpolicyignore_overrides_gitignore(repository):
    write(repository / ".gitignore", "build/\n")
    write(repository / ".prodpolicyignore", "!build/\ntests/\n")
    result = found(["."])
    assert "./build/Dockerfile" in result
    assert "./tests/fixtures/bad.Dockerfile" not in result


def test_ignore_files_above_the_searched_folder_apply(repository):
    write(repository / ".gitignore", "debug.Dockerfile\n")
    assert found(["services"]) == ["services/api/Dockerfile"]


def test_git_info_exclude_applies(repository):
    write(repository / ".git" / "info" / "exclude", "vendor/\n")
    assert "./vendor/tool/Dockerfile" not in found(["."])


def test_outside_a_repository_parents_up_to_current_folder(tmp_path, monkeypatch):
    write(tmp_path / ".prodpolicyignore", "legacy/\n")
    write(tmp_path / "app" / "Dockerfile")
    write(tmp_path / "app" / "legacy" / "Dockerfile")
    monkeypatch.chdir(tmp_path)
    assert found(["app"]) == ["app/Dockerfile"]


def test_ignore_files_above_the_repository_do_not_apply(tmp_path, monkeypatch):
    write(tmp_path / ".gitignore", "Dockerfile\n")
    (tmp_path / "project" / ".git").mkdir(parents=True)
    write(tmp_path / "project" / "Dockerfile")
    monkeypatch.chdir(tmp_path / "project")
    assert found(["."]) == ["./Dockerfile"]


def test_exclude_patterns(repository):
    excludes = Excludes(["vendor", "services/api/debug.Dockerfile", "tests/**/*.Dockerfile"])
    assert found(["."], excludes) == ["./Dockerfile", "./build/Dockerfile", "./services/api/Dockerfile"]


def test_exclude_wins_over_a_negation(repository):
    write(repository / ".gitignore", "!build/\n")
    assert "./build/Dockerfile" not in found(["."], Excludes(["build/"]))


def test_exclude_relative_to_current_folder(repository, monkeypatch):
    monkeypatch.chdir(repository / "services")
    assert found([".."], Excludes(["/api/"])) == [
        "../Dockerfile",
        "../build/Dockerfile",
        "../tests/fixtures/bad.Dockerfile",
        "../vendor/tool/Dockerfile",
    ]


def test_no_ignore_files(repository):
    write(repository / ".gitignore", "build/\n")
    assert "./build/Dockerfile" in found(["."], Excludes(ignore_files=False))
    assert "./build/Dockerfile" not in found(["."], Excludes(["build"], ignore_files=False))


def test_named_file_is_taken_even_when_excluded(repository):
    write(repository / ".gitignore", "build/\n")
    assert found(["build/Dockerfile"]) == ["build/Dockerfile"]


def test_force_exclude_applies_to_named_files(repository):
    write(repository / ".gitignore", "build/\n")
    assert found(["build/Dockerfile", "Dockerfile"], force_exclude=True) == ["Dockerfile"]
    assert found(["services/api/Dockerfile"], Excludes(["api/"]), force_exclude=True) == []
    assert found(["build"], force_exclude=True) == []


def test_image_layout_folder_can_be_excluded(repository):
    write(repository / "images" / "app" / "oci-layout", '{"imageLayoutVersion": "1.0.0"}')
    assert "./images/app" in found(["."])
    assert "./images/app" not in found(["."], Excludes(["images/"]))


def test_invalid_exclude_is_a_usage_error(repository, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["eval", ".", "--exclude", "!"])
    assert exit_.value.code == 2
    assert "error: invalid pattern '!' (--exclude): " in capsys.readouterr().err


def test_invalid_line_of_an_ignore_file_is_skipped(repository):
    write(repository / ".gitignore", "!\nbuild/\n")
    assert "./build/Dockerfile" not in found(["."])


def test_eval_honours_the_options(repository, capsys):
    write(repository / ".gitignore", "build/\nvendor/\ntests/\n")
    assert evaluated(capsys, ".", "--exclude", "services/") == ["./Dockerfile"]
    assert evaluated(capsys, ".", "--no-ignore-files", "--exclude", "services", "--exclude", "tests") == [
        "./Dockerfile",
        "./build/Dockerfile",
        "./vendor/tool/Dockerfile",
    ]
    assert evaluated(capsys, "build/Dockerfile") == ["build/Dockerfile"]
    assert evaluated(capsys, "build/Dockerfile", "Dockerfile", "--force-exclude") == ["Dockerfile"]


def test_verbose_says_why_a_path_was_skipped(repository, capsys):
    write(repository / ".gitignore", "# generated files\nbuild/\n")
    main(["eval", ".", "--exclude", "*.Dockerfile", "--verbose", "--fail-on", "none"])
    err = capsys.readouterr().err
    assert "prodpolicy.discovery: skipped ./build: matches 'build/' (.gitignore:2)\n" in err
    assert "prodpolicy.discovery: skipped ./services/api/debug.Dockerfile: matches '*.Dockerfile' (--exclude)\n" in err
    assert "prodpolicy.discovery: skipped ./.git: a version control, dependency or cache folder\n" in err
    assert "prodpolicy.discovery: found ./services/api/Dockerfile\n" in err


def no_input_warnings(caplog: pytest.LogCaptureFixture, paths: list[str], excludes: Excludes | None = None) -> list[str]:
    caplog.clear()
    with caplog.at_level("WARNING", logger="prodpolicy.discovery"):
        found(paths, excludes)
    return [record.getMessage() for record in caplog.records]


NAMES = (
    "Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*, compose.yaml, docker-compose.yml "
    "and their .yml, .yaml and override forms"
)


def test_folder_of_other_names_warns(tmp_path, caplog):
    write(tmp_path / "compose-0001.yaml", "services: {}\n")
    write(tmp_path / "deep" / "app.json", "{}\n")
    write(tmp_path / "node_modules" / "Dockerfile")

    assert no_input_warnings(caplog, [str(tmp_path)]) == [
        f"no input found in {tmp_path}: 1 version control, dependency or cache folder (such as .git or node_modules) "
        f"was not searched; 2 other files were not read, since a folder search reads only files named {NAMES}; "
        "pass files by name to evaluate them whatever their names; run with --verbose to see each skipped path"
    ]


def test_empty_folder_warns(tmp_path, caplog):
    (tmp_path / "empty").mkdir()

    assert no_input_warnings(caplog, [str(tmp_path / "empty")]) == [
        f"no input found in {tmp_path / 'empty'}: it contains no file named {NAMES}"
    ]


def test_excluded_folder_warns(repository, caplog):
    assert no_input_warnings(caplog, ["services"], Excludes(["api/"])) == [
        "no input found in services: the exclusions (.gitignore, .prodpolicyignore, --exclude) skipped 1 path; "
        "run with --verbose to see each skipped path"
    ]


def test_warning_only_for_folders_without_input(repository, caplog):
    write(repository / "docs" / "README.md", "# docs\n")

    assert no_input_warnings(caplog, ["services", "Dockerfile", "docs"]) == [
        f"no input found in docs: 1 other file was not read, since a folder search reads only files named {NAMES}; "
        "pass files by name to evaluate them whatever their names"
    ]


def test_eval_warns_on_standard_error(tmp_path):
    # In a process of its own, as a user runs it: pytest's log capture would otherwise take the warning.
    write(tmp_path / "compose-0001.yaml", "services: {}\n")
    command = [sys.executable, "-m", "prodpolicy", "eval", str(tmp_path)]

    default = subprocess.run(command, capture_output=True, text=True, check=False)
    quiet = subprocess.run([*command, "-q"], capture_output=True, text=True, check=False)

    assert default.returncode == 0
    assert default.stdout == "0 findings in 0 files.\n"
    assert default.stderr == (
        f"no input found in {tmp_path}: 1 other file was not read, since a folder search reads only files named "
        f"{NAMES}; pass files by name to evaluate them whatever their names\n"
    )
    assert quiet.returncode == 0
    assert quiet.stderr == ""


def test_only_skipped_folders_warns(tmp_path, caplog):
    write(tmp_path / "node_modules" / "tool" / "Dockerfile")
    write(tmp_path / ".git" / "Dockerfile")

    assert no_input_warnings(caplog, [str(tmp_path)]) == [
        f"no input found in {tmp_path}: 2 version control, dependency or cache folders (such as .git or node_modules) "
        "were not searched; run with --verbose to see each skipped path"
    ]


def test_compose_variants_listed_with_verbose(tmp_path, monkeypatch, capsys):
    (tmp_path / "docker-compose.prod.yml").write_text("services:\n  web:\n    image: nginx:1.27\n", encoding="utf-8")
    (tmp_path / "compose.dev.yaml").write_text("services:\n  web:\n    image: nginx:1.27\n", encoding="utf-8")
    (tmp_path / "Dockerfile").write_text('FROM alpine:3.22\nUSER 1000\nCMD ["x"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    main(["eval", ".", "--verbose", "--format", "json", "--fail-on", "none"])

    captured = capsys.readouterr()
    assert json.loads(captured.out)["summary"]["files"] == 1
    lines = captured.err.splitlines()
    assert (
        "prodpolicy.discovery: skipped ./docker-compose.prod.yml: docker compose reads such a file only when -f names it, "
        "often as an override of another; pass it by name to evaluate it"
    ) in lines
    assert (
        "prodpolicy.discovery: did not read 2 files named like compose files of one environment (such as "
        "docker-compose.prod.yml); pass them by name to evaluate them, and run with --verbose to list them"
    ) in lines
