"""The lexer reads instructions, flags and lines as BuildKit's parser does."""

from __future__ import annotations

import pytest

from prodpolicy.dockerfile.lexer import find_heredocs, lex, parse_json_array, split_flags

from .helpers import CASES


def lexed(name: str):
    return lex((CASES / "syntax" / name).read_bytes().decode("utf-8"), name)


def summary(name: str) -> list[tuple[str, int, int]]:
    return [(raw.keyword, raw.start_line, raw.end_line) for raw in lexed(name).instructions]


def test_continuation_lines():
    result = lexed("01-continuation.Dockerfile")
    assert summary("01-continuation.Dockerfile") == [("FROM", 1, 1), ("RUN", 2, 4), ("CMD", 5, 5)]
    assert result.instructions[1].arguments_text == "apk add --no-cache       curl       ca-certificates"


def test_escape_directive_backtick():
    result = lexed("02-escape-backtick.Dockerfile")
    assert result.escape == "`"
    assert [(d.name, d.value, d.line) for d in result.directives] == [("escape", "`", 1)]
    assert summary("02-escape-backtick.Dockerfile") == [("FROM", 2, 2), ("COPY", 3, 3), ("RUN", 4, 5), ("WORKDIR", 6, 6)]
    assert result.instructions[1].arguments_text == "testfile.txt c:\\"
    assert result.instructions[2].arguments_text == "dir c:\\     && echo done"


def test_comment_lines_inside_continuation_are_dropped():
    result = lexed("03-comment-in-continuation.Dockerfile")
    assert summary("03-comment-in-continuation.Dockerfile") == [("FROM", 1, 1), ("RUN", 2, 6), ("USER", 7, 7)]
    assert result.instructions[1].arguments_text == (
        "apt-get update &&     apt-get install -y curl &&     rm -rf /var/lib/apt/lists/*"
    )


def test_empty_continuation_line_is_a_warning():
    result = lexed("04-empty-continuation.Dockerfile")
    assert summary("04-empty-continuation.Dockerfile") == [("FROM", 1, 1), ("RUN", 2, 4), ("EXPOSE", 5, 5)]
    assert result.instructions[1].arguments_text == "echo a &&     echo b"
    assert [warning.line for warning in result.warnings] == [2]
    assert result.errors == []


def test_directives_only_before_first_instruction():
    result = lexed("05-directives.Dockerfile")
    assert [(d.name, d.value, d.line) for d in result.directives] == [
        ("syntax", "docker/dockerfile:1.7", 1),
        ("check", "skip=JSONArgsRecommended", 2),
    ]
    assert summary("05-directives.Dockerfile") == [("FROM", 3, 3), ("RUN", 5, 5)]


def test_repeated_directive_is_an_error():
    result = lex("# syntax=a\n# syntax=b\nFROM alpine:3.20\n", "Dockerfile")
    assert [(error.line, error.fatal) for error in result.errors] == [(2, True)]


def test_heredoc_run_body_is_not_instructions():
    result = lexed("06-heredoc-run.Dockerfile")
    assert summary("06-heredoc-run.Dockerfile") == [("FROM", 2, 2), ("RUN", 3, 7), ("CMD", 8, 8)]
    heredoc = result.instructions[1].heredocs[0]
    assert (heredoc.name, heredoc.start_line, heredoc.end_line) == ("EOF", 4, 7)
    assert heredoc.content == "set -eux\napt-get update\napt-get install -y curl\n"


def test_heredoc_copy():
    result = lexed("07-heredoc-copy.Dockerfile")
    assert summary("07-heredoc-copy.Dockerfile") == [("FROM", 1, 1), ("COPY", 2, 6), ("USER", 7, 7)]
    assert result.instructions[1].heredocs[0].content == "server {\n    listen 80;\n}\n"


def test_several_heredocs_in_one_instruction():
    result = lexed("08-heredoc-multiple.Dockerfile")
    assert summary("08-heredoc-multiple.Dockerfile") == [("FROM", 1, 1), ("COPY", 2, 6), ("RUN", 7, 11), ("USER", 12, 12)]
    copy, run = result.instructions[1], result.instructions[2]
    assert [(h.name, h.content, h.start_line, h.end_line) for h in copy.heredocs] == [
        ("FILE1", "content one\n", 3, 4),
        ("FILE2", "content two\n", 5, 6),
    ]
    assert [(h.name, h.content) for h in run.heredocs] == [("A", "alpha\n"), ("B", "beta\n")]


def test_chomped_and_quoted_heredocs():
    result = lexed("09-heredoc-chomp-quoted.Dockerfile")
    assert summary("09-heredoc-chomp-quoted.Dockerfile") == [("FROM", 1, 1), ("RUN", 2, 4), ("RUN", 5, 7), ("USER", 8, 8)]
    chomped = result.instructions[1].heredocs[0]
    quoted = result.instructions[2].heredocs[0]
    assert (chomped.name, chomped.chomp, chomped.quoted, chomped.end_line) == ("EOT", True, False, 4)
    assert (quoted.name, quoted.chomp, quoted.quoted, quoted.content) == ("EOF", False, True, "echo $HOME\n")


@pytest.mark.parametrize(
    ("text", "names", "quoted"),
    [
        ('RUN <<"EOF"', ["EOF"], [True]),
        ("RUN <<\\EOF", ["EOF"], [True]),
        ("RUN 3<<EOF cat /dev/fd/3", ["EOF"], [False]),
        ('RUN echo "<<EOF"', [], []),
        ("RUN cat <<A > /x && cat <<-B > /y", ["A", "B"], [False, False]),
    ],
)
def test_heredoc_openers(text, names, quoted):
    found = find_heredocs(text)
    assert [heredoc.name for heredoc in found] == names
    assert [heredoc.quoted for heredoc in found] == quoted


def test_heredoc_after_continuation():
    text = (CASES / "dockerfile" / "03-heredoc-after-continuation.Dockerfile").read_bytes().decode("utf-8")
    result = lex(text, "Dockerfile")
    assert [(raw.keyword, raw.start_line, raw.end_line) for raw in result.instructions] == [
        ("FROM", 2, 2),
        ("RUN", 3, 6),
        ("RUN", 7, 7),
        ("USER", 8, 8),
        ("HEALTHCHECK", 9, 9),
        ("ENTRYPOINT", 10, 10),
    ]
    assert result.instructions[1].heredocs[0].content == "listen=0.0.0.0:8080\n"


def test_heredoc_then_comment_line():
    text = (CASES / "dockerfile" / "49-heredoc-then-comment.Dockerfile").read_bytes().decode("utf-8")
    result = lex(text, "Dockerfile")
    assert [(raw.keyword, raw.start_line, raw.end_line) for raw in result.instructions][1:4] == [
        ("RUN", 3, 6),
        ("RUN", 8, 8),
        ("USER", 9, 9),
    ]


def test_unterminated_heredoc_is_fatal_with_line():
    result = lexed("30-unterminated-heredoc.Dockerfile")
    assert [(error.line, error.fatal) for error in result.errors] == [(2, True)]
    assert "EOF" in result.errors[0].message


def test_exec_and_shell_forms():
    result = lexed("10-json-vs-shell.Dockerfile")
    forms = [(raw.keyword, raw.json_form, raw.json_arguments) for raw in result.instructions]
    assert forms == [
        ("FROM", False, None),
        ("CMD", True, ["nginx", "-g", "daemon off;"]),
        ("ENTRYPOINT", False, None),
        ("RUN", True, ["/bin/sh", "-c", "echo hi"]),
        ("CMD", False, None),
        ("CMD", False, None),
        ("SHELL", True, ["/bin/bash", "-o", "pipefail", "-c"]),
    ]


def test_json_array_of_numbers_is_an_error():
    result = lex('FROM alpine:3.20\nCMD [1, 2]\n', "Dockerfile")
    assert result.instructions[1].json_error is not None


def test_crlf_and_bom_and_tabs():
    crlf = lexed("23-crlf.Dockerfile")
    assert [(raw.keyword, raw.start_line, raw.end_line) for raw in crlf.instructions] == [("FROM", 1, 1), ("RUN", 2, 4), ("CMD", 5, 5)]
    assert crlf.instructions[1].arguments_text == "apk add --no-cache       curl       ca-certificates"
    bom = lexed("24-bom.Dockerfile")
    assert [(d.name, d.line) for d in bom.directives] == [("syntax", 1)]
    assert summary("24-bom.Dockerfile") == [("FROM", 2, 2), ("USER", 3, 3)]
    tabs = lexed("25-tabs.Dockerfile")
    assert [(raw.keyword, raw.arguments_text) for raw in tabs.instructions] == [
        ("FROM", "alpine:3.20"),
        ("RUN", "echo\ta\tb"),
        ("USER", "nobody"),
        ("CMD", '["sh"]'),
    ]


def test_lowercase_keywords():
    result = lexed("15-lowercase.Dockerfile")
    assert [(raw.keyword, raw.keyword_as_written) for raw in result.instructions] == [
        ("FROM", "from"),
        ("RUN", "run"),
        ("COPY", "copy"),
        ("CMD", "cmd"),
    ]
    assert result.instructions[2].flags == ["--chown=1000:1000"]


def test_flags_split_from_arguments():
    result = lexed("19-run-mount.Dockerfile")
    run = result.instructions[1]
    assert run.flags == ["--mount=type=secret,id=pip_token,env=PIP_TOKEN", "--mount=type=cache,target=/root/.cache/pip"]
    assert run.arguments_text == "pip install -r requirements.txt"
    assert (run.start_line, run.end_line) == (3, 5)
    assert result.instructions[2].flags == ["--network=none"]


@pytest.mark.parametrize(
    ("text", "flags", "rest"),
    [
        ("--link src dst", ["--link"], "src dst"),
        ('--mount=type=cache,target="/a b" echo', ["--mount=type=cache,target=/a b"], "echo"),
        ("--from=x -- --weird dst", ["--from=x"], "--weird dst"),
        ("-- echo", [], "echo"),
        ("echo --not-a-flag", [], "echo --not-a-flag"),
    ],
)
def test_split_flags(text, flags, rest):
    assert split_flags(text) == (flags, rest)


def test_onbuild_inner_instruction():
    result = lexed("14-onbuild.Dockerfile")
    inner = [raw.inner for raw in result.instructions[1:]]
    assert [(item.keyword, item.arguments_text) for item in inner] == [
        ("COPY", ". /app"),
        ("RUN", "pip install -r /app/requirements.txt"),
    ]


def test_comments_directly_above_are_kept():
    result = lex("FROM alpine:3.20\n\n# first\n# second\nRUN true\n", "Dockerfile")
    assert result.instructions[1].comments == [(3, "first"), (4, "second")]


def test_only_comments_and_empty_files_have_no_instructions():
    assert lexed("31-only-comments.Dockerfile").instructions == []
    assert lexed("29-empty.Dockerfile").instructions == []


def test_heredoc_forms_lines_and_bodies():
    result = lexed("34-heredoc-forms.Dockerfile")
    assert summary("34-heredoc-forms.Dockerfile") == [
        ("FROM", 1, 1),
        ("RUN", 2, 5),
        ("RUN", 6, 8),
        ("RUN", 9, 13),
        ("RUN", 14, 17),
        ("COPY", 18, 20),
        ("ONBUILD", 21, 23),
        ("RUN", 24, 27),
        ("ADD", 28, 30),
        ("RUN", 31, 33),
    ]
    heredocs = [
        [(h.name, h.chomp, h.quoted, h.file_descriptor, h.content, h.start_line, h.end_line) for h in (raw.inner or raw).heredocs]
        for raw in result.instructions
    ]
    assert heredocs[1] == [("EOT", True, False, None, "\techo one\n\t\techo two\n", 3, 5)]
    assert heredocs[2] == [("EOF", False, False, 3, "fd three\n", 7, 8)]
    assert heredocs[3] == [("A", False, True, None, "a $HOME\n", 10, 11), ("B", False, True, None, "b\n", 12, 13)]
    assert heredocs[4] == [("EOF", False, False, None, "set -e\n", 16, 17)]
    assert heredocs[6] == [("EOF", False, False, None, "echo onbuild\n", 22, 23)]
    assert heredocs[8] == [("EOF", False, True, None, "raw $X\n", 29, 30)]
    assert result.instructions[6].inner.end_line == 23


def test_heredoc_opener_with_space_after_angles():
    result = lexed("35-heredoc-space-after-opener.Dockerfile")
    assert summary("35-heredoc-space-after-opener.Dockerfile") == [("FROM", 1, 1), ("RUN", 2, 4), ("RUN", 5, 7), ("USER", 8, 8)]
    assert [(h.name, h.quoted, h.content) for h in result.instructions[2].heredocs] == [("EOT", True, "echo spaced\n")]


def test_heredoc_opener_positions():
    [first, second] = find_heredocs("RUN cat <<A > /x && cat << 'B' > /y")
    assert (first.opener_start, first.opener_end) == (8, 11)
    assert (second.name, second.opener_start, second.opener_end) == ("B", 24, 30)


def test_heredoc_delimiter_with_quoted_space():
    assert [heredoc.name for heredoc in find_heredocs('RUN <<"A B" cat')] == ["A B"]


def test_heredoc_dash_then_space_is_not_an_opener():
    assert find_heredocs("RUN cat <<- EOF") == []


def test_crlf_heredoc_body_keeps_its_line_ends():
    result = lex((CASES / "syntax" / "39-crlf-heredoc.Dockerfile").read_bytes().decode("utf-8"), "x")
    assert [(raw.keyword, raw.start_line, raw.end_line) for raw in result.instructions] == [
        ("FROM", 1, 1),
        ("RUN", 2, 4),
        ("COPY", 5, 7),
        ("USER", 8, 8),
    ]
    assert result.instructions[1].heredocs[0].content == "apk add --no-cache curl\r\n"
    assert result.instructions[2].heredocs[0].content == "\tkey=value\r\n"


def test_heredoc_body_without_final_newline():
    result = lex("FROM a\nRUN <<EOF\necho hi\nEOF", "x")
    assert result.errors == []
    assert (result.instructions[1].heredocs[0].content, result.instructions[1].end_line) == ("echo hi\n", 4)


def test_json_needs_nothing_after_the_array():
    result = lexed("40-json-edge-cases.Dockerfile")
    forms = [(raw.keyword, raw.json_form, raw.json_arguments) for raw in result.instructions]
    assert forms == [
        ("FROM", False, None),
        ("CMD", False, None),
        ("ENTRYPOINT", False, None),
        ("CMD", True, ["café", "tab\there"]),
        ("VOLUME", True, ["/data", "/logs"]),
        ("VOLUME", False, None),
        ("SHELL", True, ["/bin/ash", "-eo", "pipefail", "-c"]),
        ("RUN", False, None),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('["a", "b"]', (["a", "b"], None)),
        ('  ["a"]  ', (["a"], None)),
        ('["a"] trailing', (None, None)),
        ('["a", NaN]', (None, None)),
        ('["a", Infinity]', (None, None)),
        ("['a']", (None, None)),
        ('["a", 1]', (None, "in JSON (exec) form every element of the array must be a string")),
        ('{"a": 1}', (None, None)),
        ("[]", ([], None)),
    ],
)
def test_parse_json_array(text, expected):
    assert parse_json_array(text) == expected


def test_mixed_case_keywords():
    result = lexed("41-mixed-case-keywords.Dockerfile")
    assert [(raw.keyword, raw.keyword_as_written) for raw in result.instructions] == [
        ("FROM", "FrOm"),
        ("RUN", "RuN"),
        ("FROM", "from"),
        ("COPY", "CoPy"),
        ("HEALTHCHECK", "healthcheck"),
        ("EXPOSE", "ExPoSe"),
    ]
    assert result.instructions[3].flags == ["--from=builder"]


def test_onbuild_inner_keeps_its_flags_and_lines():
    result = lex("FROM a\nONBUILD COPY --chown=app:app \\\n  src /dst\n", "x")
    inner = result.instructions[1].inner
    assert (inner.keyword, inner.flags, inner.arguments_text) == ("COPY", ["--chown=app:app"], "src /dst")
    assert (inner.start_line, inner.end_line) == (2, 3)
    assert inner.line_at(inner.arguments_offset) == 3


def test_line_at_maps_offsets_to_physical_lines():
    result = lex("FROM a\nRUN one \\\n  # comment\n  two \\\n\n  three\n", "x")
    run = result.instructions[1]
    assert run.arguments_text == "one   two   three"
    assert [run.line_at(run.arguments_offset + run.arguments_text.index(word)) for word in ("one", "two", "three")] == [
        2,
        4,
        6,
    ]


def test_directive_after_a_comment_is_a_comment():
    result = lex("# hello\n# escape=`\nFROM a\n", "x")
    assert (result.directives, result.escape) == ([], "\\")


def test_directive_after_an_empty_line_is_a_comment():
    result = lex("\n# syntax=docker/dockerfile:1\nFROM a\n", "x")
    assert result.directives == []


def test_invalid_escape_directive_is_fatal():
    result = lex("# escape=x\nFROM a\n", "x")
    assert [(error.line, error.fatal) for error in result.errors] == [(1, True)]


def test_escaped_escape_ends_the_line():
    result = lex("FROM a\nRUN echo \\\\\nUSER x\n", "x")
    assert [(raw.keyword, raw.start_line, raw.end_line) for raw in result.instructions] == [
        ("FROM", 1, 1),
        ("RUN", 2, 2),
        ("USER", 3, 3),
    ]


def test_continuation_at_end_of_file():
    result = lex("FROM a\nRUN echo \\", "x")
    assert [(raw.keyword, raw.arguments_text, raw.end_line) for raw in result.instructions][1] == ("RUN", "echo", 2)


@pytest.mark.parametrize(("length", "errors"), [(65535, []), (65536, [(2, True)])])
def test_line_length_limit(length, errors):
    result = lex("FROM a\nRUN " + "x" * (length - 4) + "\n", "x")
    assert [(error.line, error.fatal) for error in result.errors] == errors
