"""Differential test: our lexer reads every case file and snippet as Docker's own Go parser does.

The ``dockerfile`` package binds BuildKit's parser; it is a test-only oracle.
It bundles BuildKit 0.12.5, so two newer rules are checked separately: since
BuildKit 0.15 text after an exec-form JSON array makes the instruction shell
form, and since BuildKit 0.22 (Dockerfile frontend 1.16) ``<< EOF`` with a
space opens a heredoc.
"""

from __future__ import annotations

import functools
import importlib.util

import pytest

from prodpolicy.dockerfile.context import whitespace_words
from prodpolicy.dockerfile.instructions import _docker_words
from prodpolicy.dockerfile.lexer import RawInstruction, lex

from .buildkit_oracle import ParseError, parse_all
from .helpers import CASES

# Only look for the package here: importing it would start its Go runtime in this process.
if importlib.util.find_spec("dockerfile") is None:
    pytest.skip("the dockerfile package (BuildKit's parser) is not installed", allow_module_level=True)

FILES = sorted((CASES / "syntax").glob("*.Dockerfile")) + sorted((CASES / "dockerfile").glob("*.Dockerfile"))
# Files where BuildKit 0.12.5 differs from current BuildKit; each has its own test below.
NEWER_RULES = {"35-heredoc-space-after-opener.Dockerfile", "40-json-edge-cases.Dockerfile"}

SNIPPETS = [
    'FROM a\nRUN --mount=type=cache,target="/a b" echo\n',
    "FROM a\nCOPY --from=x -- --weird dst\n",
    "FROM a\nRUN echo a \\   \n  b\n",
    "FROM a\nRUN echo \\\t\n  b\n",
    "FROM a\n\tRUN\techo\ttabs\n",
    "FROM a\nRUN echo\u00a0nbsp\n",
    "FROM a\nENV A=1\\\n B=2\n",
    "FROM a\nRUN \\\n\n\n  echo late\n",
    "FROM a\nONBUILD RUN --mount=type=cache,target=/c echo\n",
    "FROM a\nONBUILD COPY --chown=app:app . /app\n",
    'FROM a\nHEALTHCHECK --interval=5s \\\n  CMD ["a", "b"]\n',
    "FROM a\nHEALTHCHECK --retries=3 CMD curl -f http://localhost/ || exit 1\n",
    "  # syntax=x\nFROM a\n",
    "# escape=`\nFROM a\nRUN echo `\n  hi\nRUN echo \\\n",
    "# escape=`\r\nFROM a\r\nRUN dir c:\\ `\r\n  && echo done\r\n",
    "FROM a\nRUN echo hi # not a comment\n# comment\n  # indented comment\nUSER x\n",
    "FROM a\nLABEL a=b \\\n# c\n      c=d\n",
    "FROM a\nRUN <<EOF\nEOF\n",
    "FROM a\nRUN <<EOF cat\n  EOF\nEOF\n",
    "FROM a\nRUN <<-EOF cat\n\t\tEOF\n",
    "FROM a\nRUN cat <<EOF<<EOT\na\nEOF\nb\nEOT\n",
    "FROM a\nRUN x=1 <<EOF cat\nz\nEOF\n",
    "FROM a\nRUN echo '<<EOF'\n",
    'FROM a\nRUN echo "<<EOF"\nUSER x\n',
    "FROM a\r\nRUN <<EOF\r\necho crlf\r\nEOF\r\nUSER x\r\n",
    'FROM a\nCOPY ["a b", "/c"]\n',
    "FROM a\nEXPOSE 80\t443/tcp  8080\n",
    "FROM a\nRUN --network=none --security=insecure echo\n",
    "FROM a\nADD --keep-git-dir https://x.invalid/r.git /r\n",
    "FROM a\nUSER app:app\nWORKDIR /srv/app\nSTOPSIGNAL 9\n",
    "FROM a\nENV legacy value with  spaces\nARG A B=2 C=\"x y\"\n",
    "FROM a\nVOLUME [\"/a\"]\nVOLUME /b /c\n",
    "\ufeff# syntax=docker/dockerfile:1\nFROM a\n",
]


def ours_summary(raw: RawInstruction) -> tuple:
    target = raw.inner or raw
    heredocs = () if raw.keyword == "ONBUILD" else tuple((h.name, h.file_descriptor or 0, h.content) for h in target.heredocs)
    sub_command = raw.inner.keyword_as_written if raw.inner is not None else None
    return (raw.keyword, sub_command, raw.start_line, raw.end_line, tuple(raw.flags), target.json_form, value_of(target), heredocs)


def theirs_summary(command) -> tuple:
    heredocs = tuple((h.name, h.file_descriptor, h.content) for h in command.heredocs)
    return (
        command.cmd.upper(),
        command.sub_cmd,
        command.start_line,
        command.end_line,
        tuple(command.flags),
        command.json,
        tuple(command.value),
        heredocs,
    )


def value_of(raw: RawInstruction) -> tuple[str, ...]:
    """The argument list BuildKit's parser builds for an instruction, from our raw instruction."""
    keyword, text = raw.keyword, raw.arguments_text
    if raw.keyword == "HEALTHCHECK":
        kind, _, rest = text.partition(" ")
        if raw.json_form:
            return (kind, *(raw.json_arguments or []))
        return (kind, rest.strip()) if rest.strip() else (kind,)
    if raw.json_form:
        return tuple(raw.json_arguments or [])
    if keyword in ("ENV", "LABEL"):
        words = _docker_words(text, "\\")
        if words and "=" not in words[0]:
            name, _, value = text.partition(" ") if " " in text else text.partition("\t")
            return (name, value.strip())
        return tuple(part for word in words for part in word.split("=", 1))
    if keyword == "ARG":
        return tuple(_docker_words(text, "\\"))
    if keyword in ("FROM", "EXPOSE", "COPY", "ADD", "VOLUME"):
        return tuple(whitespace_words(text))
    if keyword in ("RUN", "CMD", "ENTRYPOINT", "SHELL", "USER", "WORKDIR", "STOPSIGNAL", "MAINTAINER"):
        return (text,) if text else ()
    return ("",)


def _case_texts() -> list[str]:
    texts = [path.read_bytes().decode("utf-8", "replace") for path in FILES]
    return texts + SNIPPETS


@functools.cache
def _oracle() -> dict[str, object]:
    texts = _case_texts()
    return dict(zip(texts, parse_all(texts)))


def parse_string(text: str):
    """Return BuildKit's reading of ``text``; raise ParseError when BuildKit rejects it."""
    result = _oracle().get(text)
    if result is None:
        result = parse_all([text])[0]
    if isinstance(result, ParseError):
        raise result
    return result


def compare(text: str, name: str) -> None:
    ours = lex(text, name)
    try:
        theirs = parse_string(text)
    except ParseError as error:
        # Docker rejects the file: so do we, as a fatal error or by having no instructions.
        assert ours.errors or not ours.instructions, str(error)
        return
    assert [ours_summary(raw) for raw in ours.instructions] == [theirs_summary(command) for command in theirs]


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_same_instructions_as_buildkit(path):
    if path.name in NEWER_RULES:
        pytest.skip("checked against the newer BuildKit rule in its own test")
    data = path.read_bytes()
    if b"\0" in data:
        pytest.skip("the Go parser stops at a NUL byte; binary input is covered in test_cli")
    compare(data.decode("utf-8"), path.name)


@pytest.mark.parametrize("text", SNIPPETS, ids=[f"snippet-{number}" for number in range(len(SNIPPETS))])
def test_same_instructions_as_buildkit_for_snippets(text):
    compare(text, "Dockerfile")


def test_heredoc_space_after_opener():
    text = (CASES / "syntax" / "35-heredoc-space-after-opener.Dockerfile").read_text(encoding="utf-8")
    theirs = [(command.cmd, command.start_line) for command in parse_string(text)]
    assert theirs == [("FROM", 1), ("RUN", 2), ("welcome", 3), ("EOF", 4), ("RUN", 5), ("echo", 6), ("EOT", 7), ("USER", 8)]
    ours = [(raw.keyword, raw.start_line, raw.end_line) for raw in lex(text, "x").instructions]
    assert ours == [("FROM", 1, 1), ("RUN", 2, 4), ("RUN", 5, 7), ("USER", 8, 8)]


def test_text_after_exec_form():
    text = (CASES / "syntax" / "40-json-edge-cases.Dockerfile").read_text(encoding="utf-8")
    ours = lex(text, "x").instructions
    theirs = parse_string(text)
    differing = [number for number, (raw, command) in enumerate(zip(ours, theirs)) if ours_summary(raw) != theirs_summary(command)]
    assert differing == [2]
    assert (theirs[2].json, ours[2].json_form, ours[2].arguments_text) == (
        True,
        False,
        '["/bin/app", "--flag"] # a comment is not JSON',
    )
