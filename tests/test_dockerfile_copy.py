"""COPY and ADD: sources and where they come from, the destination, flags and the errors Docker reports."""

from __future__ import annotations

import pytest

from .helpers import dockerfile, syntax_case


def copy_of(text: str, stage: int = -1, position: int = -1):
    document = dockerfile(text)
    return document.data["stages"][stage]["instructions"][position]["copy"], document


def test_local_sources_and_destination_are_expanded():
    copy, _ = copy_of("FROM alpine:3.20\nARG DIR=/srv\nCOPY app.py ${DIR}/lib/ ${DIR}/\n")
    assert copy["sources"] == [{"path": "app.py", "kind": "local"}, {"path": "/srv/lib/", "kind": "local"}]
    assert copy["destination"] == "/srv/"


def test_json_form_sources_with_spaces():
    copy, _ = copy_of('FROM alpine:3.20\nCOPY ["my file.txt", "/dst dir/"]\n')
    assert (copy["sources"], copy["destination"]) == ([{"path": "my file.txt", "kind": "local"}], "/dst dir/")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("https://example.invalid/tool.tar.gz", {"path": "https://example.invalid/tool.tar.gz", "kind": "url"}),
        ("http://example.invalid/file", {"path": "http://example.invalid/file", "kind": "url"}),
        ("https://github.com/moby/buildkit.git", {"path": "https://github.com/moby/buildkit.git", "kind": "git"}),
        ("https://github.com/moby/buildkit.git#v0.22.0:frontend", {"path": "https://github.com/moby/buildkit.git#v0.22.0:frontend", "kind": "git", "ref": "v0.22.0"}),
        ("https://example.invalid/repo.git?tag=v1.0", {"path": "https://example.invalid/repo.git?tag=v1.0", "kind": "git", "ref": "v1.0"}),
        ("git@github.com:moby/buildkit.git#main", {"path": "git@github.com:moby/buildkit.git#main", "kind": "git", "ref": "main"}),
        ("git://example.invalid/repo", {"path": "git://example.invalid/repo", "kind": "git"}),
        ("ssh://git@example.invalid/repo", {"path": "ssh://git@example.invalid/repo", "kind": "git"}),
        ("https://example.invalid/archive/main.tar.gz", {"path": "https://example.invalid/archive/main.tar.gz", "kind": "url"}),
        ("github.com/moby/buildkit", {"path": "github.com/moby/buildkit", "kind": "local"}),
        ("./vendor.git", {"path": "./vendor.git", "kind": "local"}),
        ("rootfs.tar.xz", {"path": "rootfs.tar.xz", "kind": "local", "archive": True}),
        ("app.tgz", {"path": "app.tgz", "kind": "local", "archive": True}),
        ("app.zip", {"path": "app.zip", "kind": "local"}),
    ],
)
def test_add_source_kinds(source, expected):
    copy, document = copy_of(f"FROM alpine:3.20\nADD {source} /dst/\n")
    assert copy["sources"] == [expected]
    assert document.errors == []


def test_copy_does_not_extract_archives():
    copy, _ = copy_of("FROM alpine:3.20\nCOPY rootfs.tar.xz /\n")
    assert copy["sources"] == [{"path": "rootfs.tar.xz", "kind": "local"}]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("https://example.invalid/a.tar.gz", "COPY cannot copy from a URL; use ADD"),
        ("https://github.com/moby/buildkit.git", "COPY cannot copy from a git repository; use ADD"),
    ],
)
def test_copy_rejects_remote_sources(source, message):
    document = dockerfile(f"FROM alpine:3.20\nCOPY {source} /dst/\n")
    assert [(error.line, error.message) for error in document.errors] == [(2, message)]


@pytest.mark.parametrize("source", ["http://[x", "https://[::1/a.tar.gz", "git://[fe80::1/repo"])
def test_url_with_unclosed_bracket_is_an_error(source):
    document = dockerfile(f"FROM alpine:3.20\nADD {source} /dst/\nRUN true\n")

    assert [(error.line, error.message) for error in document.errors] == [
        (2, f"invalid URL {source!r}: Invalid IPv6 URL; correct the address (an IPv6 host goes in brackets, as http://[::1]/)")
    ]
    assert document.data["stages"][0]["instructions"][2]["keyword"] == "RUN"


def test_heredoc_sources():
    document = syntax_case("34-heredoc-forms.Dockerfile")
    copy = document.data["stages"][0]["instructions"][5]["copy"]
    assert copy == {
        "sources": [{"path": "EOF", "kind": "heredoc"}],
        "destination": "/etc/app.conf",
        "chmod": "0644",
        "link": False,
        "parents": False,
    }


def test_heredoc_destination_is_an_error():
    document = dockerfile("FROM alpine:3.20\nCOPY a <<EOF\nx\nEOF\n")
    assert [(error.line, error.message) for error in document.errors] == [(2, "COPY cannot take a heredoc as its destination")]


def test_from_stage_by_name_and_index():
    document = syntax_case("13-stage-refs.Dockerfile")
    copies = [item["copy"] for item in document.data["stages"][2]["instructions"][1:]]
    assert [(copy["from"], copy.get("from_stage"), copy["sources"][0]["kind"]) for copy in copies] == [
        ("builder", 0, "stage"),
        ("0", 0, "stage"),
        ("docker.io/library/alpine:3", None, "image"),
    ]
    image = copies[2]["from_image"]
    assert (image["registry"], image["repository"], image["tag"], image["pinning"]) == ("docker.io", "library/alpine", "3", "tag")


def test_from_names_are_case_insensitive():
    copy, document = copy_of("FROM alpine:3.20 AS Build\nFROM alpine:3.20\nCOPY --from=BUILD /a /b\n")
    assert (copy["from_stage"], document.errors) == (0, [])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("FROM a AS one\nCOPY --from=two /a /b\nFROM b AS two\n", "cannot copy from stage 'two': it must be defined before the current stage"),
        ("FROM a AS one\nCOPY --from=one /a /b\n", "cannot copy from stage 'one': it must be defined before the current stage"),
        ("FROM a\nCOPY --from=1 /a /b\nFROM b\n", "cannot copy from stage '1': it must be defined before the current stage"),
        ("FROM a\nCOPY --from=7 /a /b\n", "invalid stage index 7 in --from: the file has 1 stages, counted from 0"),
        ("FROM a\nARG SRC=x\nCOPY --from=${SRC} /a /b\n", "variable expansion is not supported for --from"),
    ],
)
def test_from_errors(text, message):
    document = dockerfile(text)
    assert len(document.errors) == 1
    assert message in document.errors[0].message


def test_copy_flags():
    document = syntax_case("36-flags.Dockerfile")
    instructions = document.data["stages"][1]["instructions"]
    assert instructions[1]["copy"] == {
        "sources": [{"path": "/out/app", "kind": "stage"}],
        "destination": "/app",
        "from": "build",
        "from_stage": 0,
        "chown": "65532:65532",
        "chmod": "0555",
        "link": True,
        "parents": False,
    }
    assert instructions[2]["copy"] == {
        "sources": [{"path": "./docs/", "kind": "local"}],
        "destination": "/usr/share/doc/",
        "link": False,
        "exclude": ["*.md", "**/testdata"],
        "parents": True,
    }


def test_add_flags():
    document = syntax_case("36-flags.Dockerfile")
    checksum, git, unpack = (item["copy"] for item in document.data["stages"][1]["instructions"][3:6])
    assert checksum["checksum"] == "sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d"
    assert (git["keep_git_dir"], git["sources"][0]["kind"], git["sources"][0]["ref"]) == (True, "git", "v0.22.0")
    assert unpack["unpack"] is True
    assert document.errors == []


def test_chown_is_expanded():
    copy, _ = copy_of("FROM alpine:3.20\nARG UID=10001\nCOPY --chown=${UID}:${UID} --link=false a b\n")
    assert (copy["chown"], copy["link"]) == ("10001:10001", False)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("COPY --keep-git-dir a b", "unknown flag --keep-git-dir for COPY"),
        ("COPY --checksum=sha256:00 a b", "unknown flag --checksum for COPY"),
        ("ADD --from=x a b", "unknown flag --from for ADD"),
        ("ADD --parents a b", "unknown flag --parents for ADD"),
        ("ADD --checksum=sha256:00 a b c", "ADD --checksum needs exactly one source"),
        ("ADD --checksum=sha256:00 local.tar /x", "ADD --checksum needs an HTTP(S) or git source"),
        ("COPY --link=yes a b", "--link takes true or false, not 'yes'"),
        ("COPY --chown a b", "the flag --chown needs a value: write --chown=VALUE"),
        ("COPY onlyone", "COPY requires at least one source and a destination"),
    ],
)
def test_flag_and_argument_errors(line, message):
    document = dockerfile(f"FROM alpine:3.20\n{line}\n")
    assert len(document.errors) == 1
    assert document.errors[0].line == 2
    assert message in document.errors[0].message


def test_copy_from_a_stage_makes_it_reachable():
    document = syntax_case("12-from-platform.Dockerfile")
    assert [(stage["depends_on"], stage["reachable"]) for stage in document.data["stages"]] == [([], True), ([0], True)]
