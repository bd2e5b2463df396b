"""Differential test: our lexer reads every case file as Docker's own Go parser does.

The ``dockerfile`` package binds BuildKit's parser; it is a test-only oracle.
"""

from __future__ import annotations

import pytest

from prodpolicy.dockerfile.lexer import lex

from .helpers import CASES

dockerfile = pytest.importorskip("dockerfile")

FILES = sorted((CASES / "syntax").glob("*.Dockerfile")) + sorted((CASES / "dockerfile").glob("*.Dockerfile"))


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_same_instructions_as_buildkit(path):
    data = path.read_bytes()
    if b"\0" in data:
        pytest.skip("the Go parser stops at a NUL byte; binary input is covered in test_cli")
    text = data.decode("utf-8")
    ours = lex(text, path.name)
    try:
        theirs = dockerfile.parse_string(text)
    except dockerfile.GoParseError as error:
        # Docker rejects the file: so do we, as a fatal error or by having no instructions.
        assert ours.errors or not ours.instructions, str(error)
        return
    expected = [(item.cmd.upper(), item.start_line, item.end_line, tuple(item.flags), item.json) for item in theirs]
    actual = [(raw.keyword, raw.start_line, raw.end_line, tuple(raw.flags), raw.json_form) for raw in ours.instructions]
    assert actual == expected
