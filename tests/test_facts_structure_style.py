"""Style and syntax facts read from the source text."""

from __future__ import annotations

import pytest

from prodpolicy.dockerfile import normalize_dockerfile
from prodpolicy.dockerfile.facts.style import edit_distance
from prodpolicy.dockerfile.lexer import lex


def normalize(text: str):
    return normalize_dockerfile(text, "<style facts test>")


def facts_of(document, stage: int, position: int) -> dict:
    return document.data["stages"][stage]["instructions"][position].get("facts") or {}


def document_facts(document) -> dict:
    return document.data["facts"]


def test_line_count_and_final_newline():
    with_newline = normalize("FROM alpine:3.20\nCMD [\"sh\"]\n")
    without = normalize("FROM alpine:3.20\r\nCMD [\"sh\"]")

    assert document_facts(with_newline)["line_count"] == 2
    assert document_facts(with_newline)["final_newline"] is True
    assert document_facts(without)["final_newline"] is False
    assert without.location_of(("facts", "final_newline")).line == 2


def test_lexer_records_the_final_newline():
    assert lex("FROM a\n", "x").final_newline is True
    assert lex("FROM a", "x").final_newline is False
    assert lex("", "x").final_newline is True


def test_comments_skip_heredoc_bodies_and_mark_directives():
    document = normalize(
        "# syntax=docker/dockerfile:1\n"
        "# the API image\n"
        "FROM alpine:3.20\n"
        "RUN <<EOF\n"
        "# not a comment of the Dockerfile\n"
        "EOF\n"
        "RUN echo a \\\n"
        "  # inside a continuation\n"
        "  && echo b\n"
    )

    assert document_facts(document)["comments"] == [
        {"line": 1, "text": "syntax=docker/dockerfile:1", "directive": True},
        {"line": 2, "text": "the API image"},
        {"line": 8, "text": "inside a continuation"},
    ]
    assert document.location_of(("facts", "comments", 2)).line == 8


def test_secrets_in_comments_are_redacted():
    document = normalize("# token ghp_0123456789abcdefghijABCDEFGHIJ0123456789\nFROM alpine:3.20\n")

    text = document_facts(document)["comments"][0]["text"]
    assert "0123456789abcdefghijABCDEFGHIJ" not in text


@pytest.mark.parametrize(
    ("text", "problem", "expected"),
    [
        ("# sytnax=docker/dockerfile:1\nFROM alpine:3.20\n", "misspelled", "syntax=docker/dockerfile:1"),
        ("# escpae=`\nFROM alpine:3.20\n", "misspelled", "escape=`"),
        ("# a comment\n# syntax=docker/dockerfile:1\nFROM alpine:3.20\n", "misplaced", "syntax=docker/dockerfile:1"),
        ("FROM alpine:3.20\n# check=skip=JSONArgsRecommended\n", "misplaced", "check=skip=JSONArgsRecommended"),
        ("# syntax=docker/dockerfle:1.7\nFROM alpine:3.20\n", "misspelled-value", "syntax=docker/dockerfile:1.7"),
        ("# syntax=dockerfile\nFROM alpine:3.20\n", "misspelled-value", "syntax=docker/dockerfile:1"),
    ],
)
def test_directive_problems(text, problem, expected):
    found = document_facts(normalize(text))["directive_problems"]

    assert len(found) == 1
    assert found[0]["problem"] == problem
    assert found[0]["expected"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "# syntax=docker/dockerfile:1.7\n# escape=\\\n# check=error=true\nFROM alpine:3.20\n",
        "# syntax=ghcr.io/example/dockerfile-frontend:2\nFROM alpine:3.20\n",
        "# sintax error below was fixed\nFROM alpine:3.20\n",
        "FROM alpine:3.20\n# escaped=yes, see the notes\n",
        "FROM alpine:3.20\n# sytnax=docker/dockerfile:1 after the first instruction is a comment\n",
    ],
)
def test_no_directive_problem(text):
    assert "directive_problems" not in document_facts(normalize(text))


def test_edit_distance():
    assert edit_distance("sytnax", "syntax") == 2
    assert edit_distance("escpe", "escape") == 1
    assert edit_distance("", "check") == 5


def test_whitespace_facts_leave_heredoc_bodies_alone():
    document = normalize(
        "FROM alpine:3.20  \n"
        "\n"
        "\n"
        "\n"
        "COPY <<EOF /etc/motd\n"
        "body with two  spaces and trailing  \n"
        "\n"
        "\n"
        "EOF\n"
        "RUN apk add  --no-cache \\\n"
        "      curl     \\\n"
        "      jq\n"
        "LABEL a=\"two  spaces\"\n"
    )

    assert document_facts(document)["trailing_whitespace"] == [{"line": 1}]
    assert document_facts(document)["blank_line_runs"] == [{"line": 2, "count": 3}]
    assert document_facts(document)["multiple_spaces"] == [{"line": 10}]


def test_keyword_case_follows_the_majority():
    document = normalize("from alpine:3.20\nrun true\nCMD [\"sh\"]\nEntryPoint [\"tini\"]\n")

    assert document_facts(document)["keyword_case"] == "lowercase"
    assert [facts_of(document, 0, position).get("keyword_case_expected") for position in range(4)] == [
        None,
        None,
        "lowercase",
        "lowercase",
    ]


def test_keyword_case_tie_and_global_args():
    document = normalize("arg version=3.20\narg variant=slim\nFROM alpine:${version}\nrun true\n")

    assert document_facts(document)["keyword_case"] == "uppercase"
    assert facts_of(document, 0, 1)["keyword_case_expected"] == "uppercase"
    global_arg = document.data["instructions_before_from"][0]
    assert (global_arg.get("facts") or {}).get("keyword_case_expected") is None


@pytest.mark.parametrize(
    ("line", "mismatch"),
    [
        ("FROM alpine:3.20 as build", True),
        ("from alpine:3.20 AS build", True),
        ("FROM alpine:3.20 AS build", False),
        ("from alpine:3.20 as build", False),
        ("From alpine:3.20 as build", False),
        ("FROM alpine:3.20", False),
    ],
)
def test_as_case(line, mismatch):
    document = normalize(line + "\n")

    assert bool(facts_of(document, 0, 0).get("as_case_mismatch")) is mismatch


def test_empty_continuation_lines():
    document = normalize("FROM alpine:3.20\nRUN echo a \\\n\n   \n  && echo b\nRUN true\n")

    assert facts_of(document, 0, 1)["empty_continuation_lines"] == [3, 4]
    assert "empty_continuation_lines" not in facts_of(document, 0, 2)


def test_description_comments():
    document = normalize(
        "# VERSION the release\n"
        "ARG VERSION=1\n"
        "# pinned on purpose\n"
        "ARG OTHER=2\n"
        "# builder compiles the code\n"
        "FROM alpine:3.20 AS builder\n"
        "# hadolint ignore=DL3018\n"
        "FROM alpine:3.20 AS final\n"
        "# the last stage\n"
        "FROM alpine:3.20\n"
    )
    before_from = document.data["instructions_before_from"]

    assert "description_mismatch" not in (before_from[0].get("facts") or {})
    assert before_from[1]["facts"]["description_mismatch"] is True
    assert "description_mismatch" not in facts_of(document, 0, 0)
    assert "description_mismatch" not in facts_of(document, 1, 0)
    assert "description_mismatch" not in facts_of(document, 2, 0)


@pytest.mark.parametrize(
    ("line", "invalid"),
    [
        ("CMD ['node', 'server.js']", True),
        ('CMD ["node", "server.js",]', True),
        ('CMD ["node" "server.js"]', True),
        ('CMD ["node", "server.js"', True),
        ("CMD [node, server.js]", True),
        ('RUN ["npm", "ci"] --omit=dev', True),
        ("HEALTHCHECK CMD ['curl', '-f', 'http://localhost/']", True),
        ("VOLUME ['/data']", True),
        ('CMD ["node", "server.js"]', False),
        ('RUN [ -f package.json ] && npm ci', False),
        ('RUN [ "$A" = "b" ] || exit 1', False),
        ("RUN [[ -n x ]]", False),
        ("CMD node server.js", False),
        ("ENV A=['x']", False),
        ("HEALTHCHECK NONE", False),
    ],
)
def test_invalid_json_array(line, invalid):
    document = normalize(f"FROM alpine:3.20\n{line}\n")

    assert bool(facts_of(document, 0, 1).get("invalid_json_array")) is invalid


def test_chained_commands_and_unsorted_packages():
    document = normalize(
        "FROM debian:12-slim\n"
        "RUN apt-get update && apt-get install -y zlib1g curl \\\n"
        " && rm -rf /var/lib/apt/lists/*\n"
        "RUN pip install requests Flask\n"
        "RUN apk add --no-cache curl jq && sh -c 'a && b'\n"
    )

    assert facts_of(document, 0, 1)["chained_command_lines"] == [2]
    assert facts_of(document, 0, 1)["unsorted_packages"] == ["apt-get"]
    assert facts_of(document, 0, 2)["unsorted_packages"] == ["pip"]
    assert facts_of(document, 0, 3)["chained_command_lines"] == [5]
    assert "unsorted_packages" not in facts_of(document, 0, 3)


def test_indentation_per_stage():
    document = normalize("FROM alpine:3.20\n  RUN a\n  RUN b\n    RUN c\nFROM alpine:3.20\nRUN d\n\tRUN e\n")

    assert [bool(facts_of(document, 0, position).get("indent_inconsistent")) for position in (1, 2, 3)] == [
        False,
        False,
        True,
    ]
    assert facts_of(document, 1, 2)["indent_inconsistent"] is True
