"""``prodpolicy normalize`` on Dockerfiles: the document, --target, and input errors with their lines."""

from __future__ import annotations

import json

from prodpolicy.cli import main

from .helpers import CASES


def run(capsys, *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_normalize_with_target(capsys):
    code, out, err = run(capsys, "normalize", str(CASES / "syntax" / "13-stage-refs.Dockerfile"), "--target", "builder")
    document = json.loads(out)
    assert (code, err) == (0, "")
    assert (document["target"], document["final_stage"], document["errors"]) == ("builder", 0, [])
    assert [stage["reachable"] for stage in document["stages"]] == [True, False, False]
    assert document["runtimes"][0]["subject"] == {"kind": "stage", "name": "builder"}


def test_normalize_instruction_errors(capsys):
    path = CASES / "dockerfile" / "50-healthcheck-cmd-empty.Dockerfile"
    code, out, err = run(capsys, "normalize", str(path))
    assert code == 2
    assert json.loads(out)["errors"] == [{"line": 3, "message": "HEALTHCHECK CMD is missing its command"}]
    assert err == f"{path}:3: error: HEALTHCHECK CMD is missing its command\n"


def test_normalize_unreadable_file(capsys):
    path = CASES / "syntax" / "30-unterminated-heredoc.Dockerfile"
    code, out, err = run(capsys, "normalize", str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"{path}:2: error: unterminated heredoc")


def test_normalize_unknown_target(capsys):
    code, out, err = run(capsys, "normalize", str(CASES / "syntax" / "13-stage-refs.Dockerfile"), "--target", "nope")
    assert (code, out) == (2, "")
    assert "target stage 'nope' not found; stages with names: builder, test" in err
