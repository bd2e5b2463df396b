"""The .dockerignore of the build context: which file is read, how patterns are cleaned, which sources they exclude."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import pytest

from prodpolicy.dockerfile import normalize_dockerfile
from prodpolicy.dockerfile.facts import dockerignore
from prodpolicy.dockerfile.facts.dockerignore import MAX_IGNORE_FILE_BYTES, find_ignore_file, read_patterns


def write(folder, name: str, text: str):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def ignored_sources(path) -> list[list[str] | None]:
    document = normalize_dockerfile(path.read_text(encoding="utf-8"), str(path))
    return [
        (instruction.get("facts") or {}).get("ignored_sources")
        for stage in document.data["stages"]
        for instruction in stage["instructions"]
        if instruction["keyword"] in ("COPY", "ADD")
    ]


def test_patterns_are_cleaned_like_buildkit():
    text = "\ufeff# comment\n  dist/  \n\n/build\n//abs\n./src/../tmp\n! keep.txt\n#not a pattern\n **/*.log\n"

    assert read_patterns(text) == ["dist", "build", "abs", "tmp", "!keep.txt", "**/*.log"]


def test_named_ignore_file_wins(tmp_path):
    dockerfile = write(tmp_path, "api.Dockerfile", "FROM alpine:3.20\n")
    write(tmp_path, ".dockerignore", "a\n")
    write(tmp_path, "api.Dockerfile.dockerignore", "b\n")

    assert find_ignore_file(str(dockerfile)) == (str(tmp_path / "api.Dockerfile.dockerignore"), ["b"])


def test_context_ignore_file_and_no_file(tmp_path):
    dockerfile = write(tmp_path, "Dockerfile", "FROM alpine:3.20\n")

    assert find_ignore_file(str(dockerfile)) is None
    write(tmp_path, ".dockerignore", "node_modules\n")
    assert find_ignore_file(str(dockerfile)) == (str(tmp_path / ".dockerignore"), ["node_modules"])


def settle(folder) -> None:
    """Date the folder a minute back, as if nothing had changed there for a while."""
    stamp = os.stat(folder).st_mtime - 60
    os.utime(folder, (stamp, stamp))


def test_folder_listing_is_kept_until_the_folder_changes(tmp_path):
    first = write(tmp_path, "Dockerfile", "FROM alpine:3.20\n")
    second = write(tmp_path, "api.Dockerfile", "FROM alpine:3.20\n")
    settle(tmp_path)

    assert find_ignore_file(str(first)) is None
    assert dockerignore._LISTINGS[str(tmp_path)][1] == frozenset()
    assert find_ignore_file(str(second)) is None

    # Adding a file changes the folder's modification time, so the kept listing no longer counts.
    write(tmp_path, ".dockerignore", "node_modules\n")
    assert find_ignore_file(str(second)) == (str(tmp_path / ".dockerignore"), ["node_modules"])

    # The names are kept, never the contents: an edit shows at once.
    settle(tmp_path)
    assert find_ignore_file(str(first)) == (str(tmp_path / ".dockerignore"), ["node_modules"])
    assert dockerignore._LISTINGS[str(tmp_path)][1] == frozenset({".dockerignore"})
    write(tmp_path, ".dockerignore", "dist\n")
    settle(tmp_path)
    assert find_ignore_file(str(first)) == (str(tmp_path / ".dockerignore"), ["dist"])


def test_listed_folder_finds_names_with_capitals(tmp_path):
    dockerfile = write(tmp_path, "API.Dockerfile", "FROM alpine:3.20\n")
    write(tmp_path, "API.Dockerfile.dockerignore", "build\n")
    settle(tmp_path)

    assert find_ignore_file(str(dockerfile)) == (str(tmp_path / "API.Dockerfile.dockerignore"), ["build"])
    assert dockerignore._LISTINGS[str(tmp_path)][1] == frozenset({"api.dockerfile.dockerignore"})


def test_names_that_are_not_files_read_nothing(tmp_path):
    write(tmp_path, ".dockerignore", "dist\n")

    assert find_ignore_file("<inline>") is None
    assert find_ignore_file(str(tmp_path)) is None
    assert find_ignore_file("") is None


def test_oversized_ignore_file_is_not_read(tmp_path):
    dockerfile = write(tmp_path, "Dockerfile", "FROM alpine:3.20\n")
    write(tmp_path, ".dockerignore", "x\n" * (MAX_IGNORE_FILE_BYTES // 2 + 1))

    assert find_ignore_file(str(dockerfile)) is None


def test_sources_the_patterns_exclude(tmp_path):
    dockerfile = write(
        tmp_path,
        "Dockerfile",
        "FROM node:20-alpine AS build\n"
        "COPY dist/ /srv/dist/\n"
        "COPY src/app.js src/debug.log /srv/\n"
        "COPY ./config/local.env /srv/\n"
        "COPY package.json /srv/\n"
        "COPY --from=build /srv/dist /dist\n"
        "ADD https://example.com/a.tar.gz /tmp/\n"
        "COPY docs/guide/intro.md /srv/\n",
    )
    write(tmp_path, ".dockerignore", "dist\n**/*.log\n*.env\nconfig/*.env\ndocs/**/*.md\n")

    assert ignored_sources(dockerfile) == [
        ["dist/"],
        ["src/debug.log"],
        ["./config/local.env"],
        None,
        None,
        None,
        ["docs/guide/intro.md"],
    ]


def test_patterns_are_anchored_at_the_context_root(tmp_path):
    dockerfile = write(tmp_path, "Dockerfile", "FROM alpine:3.20\nCOPY sub/app.log /\nCOPY app.log /\n")
    write(tmp_path, ".dockerignore", "*.log\n")

    assert ignored_sources(dockerfile) == [None, ["app.log"]]


def test_root_of_the_context(tmp_path):
    dockerfile = write(tmp_path, "Dockerfile", "FROM alpine:3.20\nCOPY . /srv\n")
    write(tmp_path, ".dockerignore", "node_modules\n")
    assert ignored_sources(dockerfile) == [None]

    write(tmp_path, ".dockerignore", "*\n")
    assert ignored_sources(dockerfile) == [["."]]


def test_exclusions_turn_the_check_off(tmp_path):
    dockerfile = write(tmp_path, "Dockerfile", "FROM alpine:3.20\nCOPY dist/ /srv/\n")
    write(tmp_path, ".dockerignore", "dist\n!dist/server.js\n")
    document = normalize_dockerfile(dockerfile.read_text(encoding="utf-8"), str(dockerfile))

    assert document.data["facts"]["dockerignore"] == {
        "file": str(tmp_path / ".dockerignore"),
        "patterns": ["dist", "!dist/server.js"],
        "exclusions": True,
    }
    assert ignored_sources(dockerfile) == [None]


@pytest.mark.parametrize(
    ("content", "ignored"),
    [(b"dist\n\xff\xfe\n", ["dist/"]), (b"\x00\x01dist\n", None)],
)
def test_undecodable_ignore_file_still_reads(tmp_path, content, ignored):
    dockerfile = write(tmp_path, "Dockerfile", "FROM alpine:3.20\nCOPY dist/ /srv/\n")
    (tmp_path / ".dockerignore").write_bytes(content)

    assert ignored_sources(dockerfile)[0] == ignored


def test_eval_reports_the_ignored_copy(tmp_path):
    dockerfile = write(tmp_path, "Dockerfile", "FROM node:20-alpine\nWORKDIR /srv\nCOPY dist/ ./dist/\n")
    write(tmp_path, ".dockerignore", "dist\n")

    completed = subprocess.run(
        [sys.executable, "-m", "prodpolicy", "eval", "--isolated", "--select", "DF509", "--format", "json", str(dockerfile)],
        capture_output=True,
        text=True,
        check=False,
    )

    findings = json.loads(completed.stdout)["findings"]
    assert [(finding["rule_id"], finding["line"]) for finding in findings] == [("DF509", 3)]
    assert completed.returncode == 1


def test_matching_raises_no_deprecation_warning(tmp_path):
    # pathspec 1.x deprecates the "gitwildmatch" pattern name; the ignore files are read with "gitignore" patterns.
    dockerfile = write(tmp_path, "Dockerfile", "FROM alpine:3.22\nCOPY secrets/ /app/secrets/\nCOPY src/ /app/\n")
    write(tmp_path, ".dockerignore", "secrets\n")

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sources = ignored_sources(dockerfile)

    assert sources == [["secrets/"], None]
